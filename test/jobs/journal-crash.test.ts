import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/catalog/catalog.ts';
import { jobFileTotals } from '../../src/catalog/jobs-files.ts';
import { listJobs } from '../../src/catalog/jobs-read.ts';
import { countUnfinishedTasks, listTasks } from '../../src/catalog/jobs-tasks.ts';
import type { TaskKind } from '../../src/catalog/jobs-types.ts';
import type { SubmitRequest } from '../../src/jobs/scheduler.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { FakeWorld, openHarness, settle, tempDir, type Harness } from './helpers.ts';

/**
 * The job engine keeps each running job's tasks and counters in memory and journals completions to the catalog in
 * batches. Property: at any point a process may die, (1) the catalog never holds more than memory (no task or file
 * recorded done that was not done: nothing is skipped), (2) once flushed, memory and catalog agree exactly, (3) a
 * process that takes over from the catalog as the crash left it holds exactly what the catalog holds, and (4) every
 * job still ends with every file transferred (some perhaps twice, never none).
 *
 * A crash is simulated by copying the catalog as committed at that instant (VACUUM INTO) and the fake disks, then
 * abandoning the running engine without letting it flush, and opening a new one on the copies.
 */

const KINDS: readonly TaskKind[] = ['snapshot', 'upload', 'download', 'move'];

interface Real {
  dir: string;
  clock: ManualClock;
  world: FakeWorld;
  h: Harness;
  generation: number;
  submitted: number;
}

function request(kind: 'BACKUP' | 'RESTORE', dbId: number, n: number): SubmitRequest {
  return {
    kind,
    dbId,
    dbName: `db${dbId}`,
    label: `l${n}`,
    repoName: 'repo',
    timeoutMs: 3_600_000,
    properties: {},
    spec:
      kind === 'BACKUP'
        ? { objects: [{ table: 't', partitions: [] }], type: 'FULL' }
        : { objects: [{ table: 't', partitions: ['t'] }], timestamp: 'ts', allowLoad: false, replicationNum: 1 },
  };
}

/** What the catalog holds about a job, in the shape of JobScheduler.inspect. */
function fromCatalog(catalog: Catalog, jobId: number) {
  const tasks = listTasks(catalog, jobId);
  return {
    unfinished: Object.fromEntries(KINDS.map((k) => [k, countUnfinishedTasks(catalog, jobId, k)])),
    totals: jobFileTotals(catalog, jobId),
    taskStates: new Map(tasks.map((t) => [t.id, t.state])),
  };
}

function memoryOf(r: Real, jobId: number) {
  const m = r.h.scheduler.inspect(jobId);
  if (m === null) return null;
  return { unfinished: Object.fromEntries(KINDS.map((k) => [k, m.unfinished[k]])), totals: m.totals, taskStates: m.taskStates };
}

/** (2): flushed, memory equals the catalog for every job this process runs. */
function checkFlushed(r: Real): void {
  r.h.scheduler.flushJournal();
  for (const job of listJobs(r.h.catalog)) {
    const memory = memoryOf(r, job.id);
    if (memory === null) continue;
    expect(memory, `job ${job.id} in memory vs catalog`).toEqual(fromCatalog(r.h.catalog, job.id));
  }
}

class Submit implements fc.AsyncCommand<object, Real> {
  readonly kind: 'BACKUP' | 'RESTORE';
  readonly db: number;
  constructor(kind: 'BACKUP' | 'RESTORE', db: number) {
    this.kind = kind;
    this.db = db;
  }
  check = (): boolean => true;
  async run(_m: object, r: Real): Promise<void> {
    await r.h.scheduler.submit(request(this.kind, this.db, ++r.submitted)).catch(() => undefined);
    await settle(r.h.scheduler, r.world);
  }
  toString = (): string => `submit(${this.kind}, db${this.db})`;
}

class Release implements fc.AsyncCommand<object, Real> {
  readonly count: number;
  readonly index: number;
  constructor(count: number, index: number) {
    this.count = count;
    this.index = index;
  }
  check = (): boolean => true;
  async run(_m: object, r: Real): Promise<void> {
    // Several gates at once, settling only at the end: completions pile up in the journal unflushed.
    for (let i = 0; i < this.count; i++) r.world.release(this.index + i, 'ok');
    await settle(r.h.scheduler, r.world);
  }
  toString = (): string => `release(${this.count}, ${this.index})`;
}

class Check implements fc.AsyncCommand<object, Real> {
  check = (): boolean => true;
  async run(_m: object, r: Real): Promise<void> {
    checkFlushed(r);
  }
  toString = (): string => 'flushAndCompare()';
}

class Crash implements fc.AsyncCommand<object, Real> {
  /** Releases to let through right before the crash, without settling: the crash lands mid-flight. */
  readonly inflight: number;
  constructor(inflight: number) {
    this.inflight = inflight;
  }
  check = (): boolean => true;
  async run(_m: object, r: Real): Promise<void> {
    for (let i = 0; i < this.inflight; i++) r.world.release(i, 'ok');
    // Let some (not all) of that work land in memory and the unflushed journal.
    await Promise.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    // The disk at the instant of the crash: the catalog as committed, and the fake backends' disks.
    const file = path.join(r.dir, `catalog-${++r.generation}.db`);
    r.h.catalog.db.exec(`VACUUM INTO '${file}'`);
    const world = r.world.clone();
    // (1) the catalog never holds more than memory, and holds no file done that was not transferred.
    const crashed = r.h.catalog;
    for (const job of listJobs(crashed)) {
      const memory = memoryOf(r, job.id);
      const stored = fromCatalog(crashed, job.id);
      if (memory !== null) {
        expect(stored.totals.filesDone).toBeLessThanOrEqual(memory.totals.filesDone);
        for (const [id, state] of stored.taskStates) {
          if (state === 'done' || state === 'released') expect(['done', 'released'], `task ${id}`).toContain(memory.taskStates.get(id));
        }
      }
      const done = crashed
        .prepare<[number], { tablet_id: number; name: string }>("SELECT tablet_id, name FROM job_files WHERE job_id = ? AND state = 'done'")
        .all(job.id);
      for (const f of done) expect(world.transfers.get(`${job.id}/${f.tablet_id}/${f.name}`) ?? 0, 'a file journaled done was transferred').toBeGreaterThan(0);
    }
    // Abandon the process: its work in flight dies with it (aborted, nothing flushed to the copy).
    const abandoned = r.h;
    r.world = world;
    r.h = openHarness(file, r.clock, world);
    world.gated = true;
    await abandoned.scheduler.close();
    abandoned.catalog.close();
    await r.h.scheduler.recover();
    // (3) what the new process took over equals what the catalog holds.
    for (const job of listJobs(r.h.catalog)) {
      const memory = memoryOf(r, job.id);
      if (memory !== null) expect(memory, `job ${job.id} taken over`).toEqual(fromCatalog(r.h.catalog, job.id));
    }
    await settle(r.h.scheduler, r.world);
  }
  toString = (): string => `crash(${this.inflight})`;
}

const kindArb = fc.constantFrom<'BACKUP' | 'RESTORE'>('BACKUP', 'RESTORE');
const commands = [
  fc.tuple(kindArb, fc.constantFrom(1, 2)).map(([k, d]) => new Submit(k, d)),
  fc.tuple(fc.integer({ min: 1, max: 6 }), fc.nat(10)).map(([n, i]) => new Release(n, i)),
  fc.tuple(fc.integer({ min: 1, max: 6 }), fc.nat(10)).map(([n, i]) => new Release(n, i)),
  fc.constant(new Check()),
  fc.integer({ min: 0, max: 6 }).map((n) => new Crash(n)),
];

describe('job journal across crashes', () => {
  it('memory and catalog agree once flushed; a crash loses only unflushed completions, never records undone work', async () => {
    await fc.assert(
      fc.asyncProperty(fc.tuple(kindArb, kindArb), fc.commands(commands, { maxCommands: 30 }), async (first, cmds) => {
        const dir = tempDir();
        const clock = new ManualClock();
        const world = new FakeWorld(true);
        world.tabletsPerJob = 4;
        world.filesPerTablet = 2;
        const r: Real = { dir, clock, world, h: openHarness(path.join(dir, 'catalog.db'), clock, world), generation: 0, submitted: 0 };
        try {
          await new Submit(first[0], 1).run({}, r);
          await new Submit(first[1], 2).run({}, r);
          await fc.asyncModelRun(() => ({ model: {}, real: r }), cmds);
          checkFlushed(r);
          // (4) drain: every job ends, every FINISHED job transferred each of its files at least once.
          r.world.openAll();
          for (let i = 0; i < 50 && listJobs(r.h.catalog).some((j) => !j.done); i++) {
            await settle(r.h.scheduler, r.world);
            clock.advance(1000);
          }
          expect(r.world.violations).toEqual([]);
          for (const j of listJobs(r.h.catalog)) {
            expect(j.state).toBe('FINISHED');
            const totals = jobFileTotals(r.h.catalog, j.id);
            expect(totals.filesDone).toBe(totals.filesTotal);
            // Every file of every tablet of the job, not only those of the tasks the catalog kept.
            expect(totals.filesTotal).toBe(r.world.tabletsPerJob * r.world.filesPerTablet);
            const moved = [...r.world.transfers.keys()].filter((k) => k.startsWith(`${j.id}/`)).length;
            expect(moved).toBe(totals.filesTotal);
          }
        } finally {
          await r.h.scheduler.close();
          r.h.catalog.close();
          fs.rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
