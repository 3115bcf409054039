import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { listTree, openFixture, seedDatabase, unkeptSnapshotFiles, type BackupFixture } from '../sql/backup-fixture.ts';
import { runToEnd } from '../sql/restore-dataset.ts';
import { killChildAt } from '../support/kill-child.ts';

/**
 * kill -9 in the middle of a job: a child process opens the Engine, submits the statement and freezes at a chosen
 * point; the parent kills it with SIGKILL and reopens the data dir. The job must resume to FINISHED (or be
 * CANCELLED with a reason), restored tables must never be half-visible, and no local snapshot may be left behind.
 */

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'kill-restart-child.ts');

/** Run the child until it prints `AT <state> <jobId>`, then SIGKILL it. Returns the job id. */
async function killAt(dataDir: string, sql: string, point: string): Promise<number> {
  const { match, out } = await killChildAt(CHILD, [dataDir, sql, point], /AT (\S+) (\d+)/);
  if (match === null) throw new Error(`child finished before ${point}: ${out}`);
  return Number(match[2]);
}

let f: BackupFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

/** d1 backed up as `s` to a file repository; returns the timestamp and the original contents. */
async function backedUp(): Promise<{ fx: BackupFixture; ts: string; t: (string | null)[][]; u: (string | null)[][] }> {
  const fx = await openFixture();
  await seedDatabase(fx);
  await fx.exec("INSERT INTO d1.t SELECT generate_series % 200, concat('g', generate_series) FROM TABLE(generate_series(1, 3000))");
  await fx.exec(`CREATE REPOSITORY r1 WITH BROKER ON LOCATION 'file://${path.join(fx.dir, 'repo')}'`);
  const job = await runToEnd(fx, 'BACKUP SNAPSHOT d1.s TO r1');
  expect(job.state).toBe('FINISHED');
  const ts = (await fx.rows("SHOW SNAPSHOT ON r1 WHERE SNAPSHOT = 's'"))[0]?.[1] ?? '';
  return { fx, ts, t: await fx.rows('SELECT * FROM d1.t ORDER BY id, v'), u: await fx.rows('SELECT * FROM d1.u ORDER BY k') };
}

/** Snapshot files a job left behind (a finished backup's kept local snapshot is not one). */
function snapshotDirs(dataDir: string): string[] {
  return unkeptSnapshotFiles(dataDir);
}

describe('kill -9 during RESTORE', () => {
  for (const point of ['DOWNLOADING+file', 'COMMITTING']) {
    it(`resumes after a kill at ${point} with nothing half-visible`, async () => {
      const { fx, ts, t, u } = await backedUp();
      f = fx;
      await fx.exec('DROP TABLE d1.u');
      await fx.exec('DELETE FROM d1.t WHERE id < 100');
      const damaged = await fx.rows('SELECT * FROM d1.t ORDER BY id, v');
      await fx.engine.close();
      const jobId = await killAt(fx.dataDir, `RESTORE SNAPSHOT d1.s FROM r1 ON (t, u) PROPERTIES ("backup_timestamp" = "${ts}")`, point);

      await fx.reopen();
      // Right after the reopen, u is either not there at all or complete, and t is the damaged one or the restored one.
      const tables = (await fx.rows('SHOW TABLES FROM d1')).flat();
      if (tables.includes('u')) expect(await fx.rows('SELECT * FROM d1.u ORDER BY k')).toEqual(u);
      expect([damaged, t]).toContainEqual(await fx.rows('SELECT * FROM d1.t ORDER BY id, v'));
      const job = await fx.engine.jobs.waitForJob(jobId);
      expect([job.state, job.statusMsg]).toEqual(['FINISHED', '']);
      expect(await fx.rows('SELECT * FROM d1.t ORDER BY id, v')).toEqual(t);
      expect(await fx.rows('SELECT * FROM d1.u ORDER BY k')).toEqual(u);
      expect(snapshotDirs(fx.dataDir)).toEqual([]);
      const [show] = await fx.rows('SHOW RESTORE FROM d1');
      expect([show?.[4], show?.[16]]).toEqual(['FINISHED', '[OK]']);
    }, 60_000);
  }

  it('cancels with a reason when its downloaded files are gone after the restart, leaving the table untouched', async () => {
    const { fx, ts } = await backedUp();
    f = fx;
    await fx.exec('DROP TABLE d1.u');
    await fx.exec('DELETE FROM d1.t WHERE id < 100');
    const damaged = await fx.rows('SELECT * FROM d1.t ORDER BY id, v');
    await fx.engine.close();
    const jobId = await killAt(fx.dataDir, `RESTORE SNAPSHOT d1.s FROM r1 ON (t, u) PROPERTIES ("backup_timestamp" = "${ts}")`, 'COMMIT');
    // An operator (or a disk) removed the local snapshot dirs while the engine was down.
    for (const be of fs.readdirSync(fx.dataDir).filter((n) => /^be\d+$/.test(n))) {
      fs.rmSync(path.join(fx.dataDir, be, 'snapshot'), { recursive: true, force: true });
      fs.mkdirSync(path.join(fx.dataDir, be, 'snapshot'));
    }
    await fx.reopen();
    const job = await fx.engine.jobs.waitForJob(jobId);
    expect(job.state).toBe('CANCELLED');
    expect(job.statusMsg).toMatch(/^job can not resume after restart: local snapshot .+ is gone$/);
    expect(await fx.rows('SELECT * FROM d1.t ORDER BY id, v')).toEqual(damaged);
    expect((await fx.rows('SHOW TABLES FROM d1')).flat().sort()).toEqual(['t', 'v']);
  }, 60_000);
});

describe('kill -9 during BACKUP', () => {
  it('resumes UPLOADING after a kill and the snapshot restores identically', async () => {
    const fx = await openFixture();
    f = fx;
    await seedDatabase(fx);
    await fx.exec("INSERT INTO d1.t SELECT generate_series % 200, concat('g', generate_series) FROM TABLE(generate_series(1, 3000))");
    await fx.exec(`CREATE REPOSITORY r1 WITH BROKER ON LOCATION 'file://${path.join(fx.dir, 'repo')}'`);
    const t = await fx.rows('SELECT * FROM d1.t ORDER BY id, v');
    await fx.engine.close();
    const jobId = await killAt(fx.dataDir, 'BACKUP SNAPSHOT d1.s TO r1', 'UPLOADING+file');
    await fx.reopen();
    const job = await fx.engine.jobs.waitForJob(jobId);
    expect([job.state, job.statusMsg]).toEqual(['FINISHED', '']);
    expect(snapshotDirs(fx.dataDir)).toEqual([]);
    const [[, ts, status]] = (await fx.rows("SHOW SNAPSHOT ON r1 WHERE SNAPSHOT = 's'")) as [[string, string, string]];
    expect(status).toBe('OK');
    expect(listTree(path.join(fx.dir, 'repo')).filter((p) => p.endsWith('.part'))).toEqual([]);
    await fx.exec('DROP TABLE d1.t');
    const restore = await runToEnd(fx, `RESTORE SNAPSHOT d1.s FROM r1 ON (t) PROPERTIES ("backup_timestamp" = "${ts}")`);
    expect(restore.state).toBe('FINISHED');
    expect(await fx.rows('SELECT * FROM d1.t ORDER BY id, v')).toEqual(t);
  }, 60_000);
});
