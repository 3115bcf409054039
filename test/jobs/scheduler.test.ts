import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/util/clock.ts';
import { isSqlError } from '../../src/errors/index.ts';
import { listTasks } from '../../src/catalog/jobs-tasks.ts';
import { jobFileTotals } from '../../src/catalog/jobs-files.ts';
import type { SubmitRequest } from '../../src/jobs/scheduler.ts';
import type { ProgressEvent } from '../../src/jobs/progress.ts';
import { showBackupRows } from '../../src/jobs/show.ts';
import { FakeWorld, openHarness, settle, tempDir, type Harness } from './helpers.ts';

const backup = (dbId: number, label = `snap${dbId}`): SubmitRequest => ({
  kind: 'BACKUP',
  dbId,
  dbName: `db${dbId}`,
  label,
  repoName: 'repo',
  timeoutMs: 600_000,
  properties: {},
  spec: { objects: [{ table: 't', partitions: [] }], type: 'FULL' },
});

const restore = (dbId: number, label = `snap${dbId}`): SubmitRequest => ({
  ...backup(dbId, label),
  kind: 'RESTORE',
  spec: { objects: [{ table: 't', partitions: ['t'] }], timestamp: '2026-01-01-00-00-00-000', allowLoad: false, replicationNum: 1 },
});

async function expectSqlError(p: Promise<unknown>, message: string): Promise<void> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isSqlError(error), String(error)).toBe(true);
  expect((error as Error).message).toBe(message);
}

describe('JobScheduler', () => {
  let dir: string;
  let clock: ManualClock;
  let h: Harness;
  let world: FakeWorld;

  beforeEach(() => {
    dir = tempDir();
    clock = new ManualClock();
  });
  afterEach(async () => {
    await h.scheduler.close();
    h.catalog.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const open = (gated: boolean): void => {
    world ??= new FakeWorld(gated);
    h = openHarness(path.join(dir, 'catalog.db'), clock, world);
  };
  const reopen = async (): Promise<void> => {
    await h.scheduler.close();
    h.catalog.close();
    h = openHarness(path.join(dir, 'catalog.db'), clock, world);
  };

  it('runs a backup through every state to FINISHED, stamping times and releasing snapshots', async () => {
    world = new FakeWorld(false);
    open(false);
    const states: string[] = [];
    h.scheduler.events.on('state', (e) => states.push(e.to));
    const job = await h.scheduler.submit(backup(1));
    const done = await h.scheduler.waitForJob(job.id);
    expect(done.state).toBe('FINISHED');
    expect(states).toEqual(['SNAPSHOTING', 'UPLOAD_SNAPSHOT', 'UPLOADING', 'SAVE_META', 'UPLOAD_INFO', 'FINISHED']);
    expect(done.statusCode).toBe('OK');
    expect(done.snapshotFinishedTime).toBe(clock.now());
    expect(done.finishedTime).toBe(clock.now());
    expect(done.checkpointState).toBe('FINISHED');
    expect(world.infos.has(job.id)).toBe(true);
    expect(world.dirs.size).toBe(0);
    expect(jobFileTotals(h.catalog, job.id)).toEqual({ filesDone: 6, filesTotal: 6, bytesDone: 9000, bytesTotal: 9000 });
    // one upload task per backend (max_upload_task_per_be = 1), three backends
    expect(listTasks(h.catalog, job.id, 'upload')).toHaveLength(3);
  });

  it('allows one unfinished job per database, others concurrently', async () => {
    world = new FakeWorld(true);
    open(true);
    await h.scheduler.submit(backup(1));
    await expectSqlError(h.scheduler.submit(restore(1)), 'Can only run one backup or restore job of a database at same time');
    const other = await h.scheduler.submit(restore(2));
    await settle(h.scheduler, world);
    expect(world.gates.some((g) => g.jobId === other.id)).toBe(true);
  });

  it('times out the submit lock after 10 s of clock time', async () => {
    world = new FakeWorld(true);
    open(true);
    let release!: () => void;
    const held = h.scheduler.withSubmitLock(() => new Promise<void>((r) => (release = r)));
    const waiting = h.scheduler.submit(backup(1));
    await settle(h.scheduler, world);
    clock.advance(10_000);
    await expectSqlError(waiting, 'Another backup or restore job is being submitted. Please wait and try again');
    release();
    await held;
    await h.scheduler.submit(backup(1));
  });

  it('cancels with StarRocks messages and statuses', async () => {
    world = new FakeWorld(true);
    open(true);
    await expectSqlError(h.scheduler.cancel('BACKUP', 1), 'No backup job is currently running');
    await expectSqlError(h.scheduler.cancel('RESTORE', 1), 'No restore is currently running');
    const b = await h.scheduler.submit(backup(1));
    await settle(h.scheduler, world);
    await expectSqlError(h.scheduler.cancel('RESTORE', 1), 'No restore is currently running');
    const cancelled = await h.scheduler.cancel('BACKUP', 1);
    expect(cancelled).toMatchObject({ state: 'CANCELLED', statusCode: 'COMMON_ERROR', statusMsg: 'user cancelled' });
    await expectSqlError(
      h.scheduler.cancel('BACKUP', 1),
      `Failed to cancel job: Job with label ${b.label} can not be cancelled. state: CANCELLED`,
    );
    const r = await h.scheduler.submit(restore(1, 'r1'));
    await settle(h.scheduler, world);
    world.release(0);
    await settle(h.scheduler, world);
    expect(world.invisible.has(r.id)).toBe(true);
    const rc = await h.scheduler.cancel('RESTORE', 1);
    expect(rc.statusMsg).toBe('user cancelled, current state: SNAPSHOTING');
    expect(world.invisible.has(r.id)).toBe(false);
    expect(world.dirs.size).toBe(0);
  });

  it('times out from createTime on the clock: [TIMEOUT, msg: ] and the restore wording', async () => {
    world = new FakeWorld(true);
    open(true);
    const b = await h.scheduler.submit(backup(1));
    const r = await h.scheduler.submit(restore(2, 'lbl'));
    await settle(h.scheduler, world);
    clock.advance(600_000);
    await settle(h.scheduler, world);
    expect(h.scheduler.getJob(b.id)?.done).toBe(false);
    clock.advance(1);
    const [bd, rd] = await Promise.all([h.scheduler.waitForJob(b.id), h.scheduler.waitForJob(r.id)]);
    expect(showBackupRows(h.catalog, { dbId: 1 })[0]?.[12]).toBe('[TIMEOUT, msg: ]');
    expect(bd.state).toBe('CANCELLED');
    expect(rd).toMatchObject({ state: 'CANCELLED', statusCode: 'TIMEOUT', statusMsg: 'restore job with label: lbl  timeout.' });
  });

  it('retries transient task failures, records them in TaskErrMsg, and cancels on a permanent one', async () => {
    world = new FakeWorld(true);
    world.tabletsPerJob = 1;
    world.filesPerTablet = 1;
    open(true);
    const job = await h.scheduler.submit(backup(1));
    await settle(h.scheduler, world);
    world.release(0); // snapshot
    await settle(h.scheduler, world);
    world.release(0, 'transient'); // upload attempt 1
    await settle(h.scheduler, world);
    const row = showBackupRows(h.catalog, { dbId: 1 })[0];
    expect(row?.[3]).toBe('UPLOADING');
    const upload = listTasks(h.catalog, job.id, 'upload')[0];
    expect(row?.[9]).toBe(`${upload?.id}=1`);
    expect(row?.[10]).toBe(`[${upload?.id}: 0/1]`);
    expect(row?.[11]).toBe(`[${upload?.id}: connection reset on upload ${job.id * 100}/${job.id * 100}_0.dat]`);
    world.release(0, 'permanent');
    const done = await h.scheduler.waitForJob(job.id);
    expect(done).toMatchObject({ state: 'CANCELLED', statusCode: 'COMMON_ERROR' });
    expect(done.statusMsg).toMatch(/^access denied on upload/);
    expect(world.dirs.size).toBe(0);
  });

  it('retries UPLOAD_INFO errors instead of cancelling', async () => {
    world = new FakeWorld(false);
    world.infoFailures = 2;
    open(false);
    const job = await h.scheduler.submit(backup(1));
    await settle(h.scheduler, world);
    expect(h.scheduler.getJob(job.id)?.state).toBe('UPLOAD_INFO');
    clock.advance(1000);
    await settle(h.scheduler, world);
    clock.advance(1000);
    expect((await h.scheduler.waitForJob(job.id)).state).toBe('FINISHED');
  });

  it('emits progress events and ends the per-job iterator at the terminal state', async () => {
    world = new FakeWorld(true);
    open(true);
    const job = await h.scheduler.submit(backup(1));
    const seen: ProgressEvent[] = [];
    const consumer = (async () => {
      for await (const e of h.scheduler.watch(job.id)) seen.push(e);
    })();
    for (let i = 0; i < 100 && !(h.scheduler.getJob(job.id)?.done ?? true); i++) {
      await settle(h.scheduler, world);
      clock.advance(1000);
      world.release(0);
    }
    await consumer;
    const last = seen.at(-1);
    expect(last).toMatchObject({ jobId: job.id, state: 'FINISHED', done: true, filesDone: 6, filesTotal: 6 });
    expect(last?.bytesDone).toBe(9000);
    const transfer = seen.filter((e) => e.state === 'UPLOADING' && e.filesDone > 0);
    expect(transfer.length).toBeGreaterThanOrEqual(6);
    // The first file lands at the instant the transfer starts (no elapsed time yet: rate unknown), later ones have
    // a rate and an ETA consistent with it.
    expect(transfer[0]?.etaSeconds).toBeNull();
    for (const e of transfer.slice(1)) {
      expect(e.rateBytesPerSec).toBeGreaterThan(0);
      expect(e.etaSeconds).toBe(Math.ceil((e.bytesTotal - e.bytesDone) / e.rateBytesPerSec));
    }
    const files = seen.map((e) => e.filesDone);
    expect(files).toEqual([...files].sort((a, b) => a - b));
  });

  it('resumes after a restart without re-uploading finished files', async () => {
    world = new FakeWorld(true);
    open(true);
    const job = await h.scheduler.submit(backup(1));
    await settle(h.scheduler, world);
    for (let i = 0; i < 3; i++) world.release(0); // snapshots
    await settle(h.scheduler, world);
    world.release(0);
    world.release(0);
    await settle(h.scheduler, world);
    expect(jobFileTotals(h.catalog, job.id).filesDone).toBe(2);
    await reopen();
    expect(h.scheduler.getJob(job.id)?.state).toBe('UPLOADING');
    const report = await h.scheduler.recover();
    expect(report.resumed.map((j) => [j.id, j.state])).toEqual([[job.id, 'UPLOAD_SNAPSHOT']]);
    expect(report.ownedSnapshotDirs.length).toBe(3);
    world.openAll();
    const done = await h.scheduler.waitForJob(job.id);
    expect(done.state).toBe('FINISHED');
    expect([...world.transfers.values()].every((n) => n === 1)).toBe(true);
    expect(world.transfers.size).toBe(6);
  });

  it('re-runs PENDING after a restart in SNAPSHOTING, and cancels a job whose snapshots are gone', async () => {
    world = new FakeWorld(true);
    open(true);
    const a = await h.scheduler.submit(backup(1));
    const b = await h.scheduler.submit(backup(2));
    await settle(h.scheduler, world);
    // finish b's snapshots only
    for (let i = 0; i < 10; i++) {
      const idx = world.gates.findIndex((g) => g.jobId === b.id && g.kind === 'snapshot');
      if (idx < 0) break;
      world.release(idx);
      await settle(h.scheduler, world);
    }
    world.release(world.gates.findIndex((g) => g.jobId === a.id)); // one snapshot of a
    await settle(h.scheduler, world);
    expect(h.scheduler.getJob(b.id)?.checkpointState).toBe('UPLOAD_SNAPSHOT');
    await reopen();
    world.dirs.clear(); // local snapshot dirs lost with the machine
    const report = await h.scheduler.recover();
    expect(report.resumed.map((j) => [j.id, j.state])).toEqual([[a.id, 'PENDING']]);
    expect(report.cancelled.map((j) => j.id)).toEqual([b.id]);
    expect(report.cancelled[0]?.statusMsg).toMatch(/^job can not resume after restart: local snapshot .* is gone$/);
    world.openAll();
    expect((await h.scheduler.waitForJob(a.id)).state).toBe('FINISHED');
  });

  it('restores with publish inside the FINISHED transaction', async () => {
    world = new FakeWorld(false);
    open(false);
    const r = await h.scheduler.submit(restore(1));
    const done = await h.scheduler.waitForJob(r.id);
    expect(done).toMatchObject({ state: 'FINISHED', statusCode: 'OK' });
    expect(world.published.has(r.id)).toBe(true);
    expect(world.publishedInTransaction).toEqual([true]);
    expect(done.metaPreparedTime).toBeGreaterThan(0);
    expect(done.transferFinishedTime).toBeGreaterThan(0);
    expect(world.dirs.size).toBe(0);
  });
});
