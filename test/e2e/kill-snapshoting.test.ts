import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { listTree, openFixture, type BackupFixture } from '../sql/backup-fixture.ts';
import { runToEnd } from '../sql/restore-dataset.ts';
import { killChildAt } from '../support/kill-child.ts';

/**
 * kill -9 while a BACKUP is in SNAPSHOTING (issue 8 item 5). SNAPSHOTING is not a checkpoint: a restarted engine
 * rewinds the job to PENDING, which pins and links again. The engine used to release "unowned" snapshot dirs at
 * open while the resumed job was already making its new links, so most such kills ended CANCELLED (`No such file:
 * …hdr.part`) with the label blocked. Every run here must resume to FINISHED, leave no snapshot dir, and restore.
 */

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'kill-restart-child.ts');

/** Run the child until the job enters SNAPSHOTING, wait `delayMs` while it runs on, then SIGKILL it. */
async function killInSnapshoting(dataDir: string, sql: string, delayMs: number): Promise<number> {
  const { match, out } = await killChildAt(CHILD, [dataDir, sql, 'SNAPSHOTING~'], /AT SNAPSHOTING (\d+)/, { delayMs });
  if (match === null) throw new Error(`child finished before SNAPSHOTING: ${out}`);
  return Number(match[1]);
}

let f: BackupFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

describe('kill -9 during BACKUP SNAPSHOTING', () => {
  it('resumes to FINISHED from random kill points, releases every snapshot and the snapshot restores', async () => {
    const fx = await openFixture();
    f = fx;
    // 96 small tablets: SNAPSHOTING lasts long enough for the kills to land inside it.
    await fx.exec('CREATE DATABASE d1');
    await fx.exec(
      "CREATE TABLE d1.t (id INT, v VARCHAR(20)) DUPLICATE KEY(id) PARTITION BY RANGE(id) (PARTITION p1 VALUES LESS THAN ('1000'), " +
        "PARTITION p2 VALUES LESS THAN ('2000'), PARTITION p3 VALUES LESS THAN ('3000'), PARTITION p4 VALUES LESS THAN ('4000')) " +
        'DISTRIBUTED BY HASH(id) BUCKETS 24 PROPERTIES ("replication_num" = "1")',
    );
    await fx.exec("INSERT INTO d1.t SELECT generate_series, concat('v', generate_series) FROM TABLE(generate_series(0, 3999))");
    await fx.exec("INSERT INTO d1.t SELECT generate_series, 'again' FROM TABLE(generate_series(0, 3999, 7))");
    await fx.exec(`CREATE REPOSITORY r1 WITH BROKER ON LOCATION 'file://${path.join(fx.dir, 'repo')}'`);
    const rows = await fx.rows('SELECT * FROM d1.t ORDER BY id, v');
    // Random kill points: a delay after entering SNAPSHOTING (0 = at once, before any link).
    const delays = fc.sample(fc.integer({ min: 0, max: 120 }), { numRuns: 3, seed: 20261207 });
    let label = '';
    for (const [run, delay] of delays.entries()) {
      label = `s${run}`;
      await fx.engine.close();
      const jobId = await killInSnapshoting(fx.dataDir, `BACKUP SNAPSHOT d1.${label} TO r1`, delay);
      await fx.reopen();
      const job = await fx.engine.jobs.waitForJob(jobId);
      expect([run, delay, job.state, job.statusMsg]).toEqual([run, delay, 'FINISHED', '']);
      // Every snapshot the killed attempts made is released; what remains is the finished job's kept snapshot
      // (keep_local_snapshots = 1: each backup replaces the previous one's).
      expect(listTree(fx.dataDir).filter((p) => /^be\d+\/snapshot\//.test(p) && !p.includes(`/snapshot/backup-${jobId}/`))).toEqual([]);
      const [[, , status]] = (await fx.rows(`SHOW SNAPSHOT ON r1 WHERE SNAPSHOT = '${label}'`)) as [[string, string, string]];
      expect(status).toBe('OK');
    }
    const ts = (await fx.rows(`SHOW SNAPSHOT ON r1 WHERE SNAPSHOT = '${label}'`))[0]?.[1] ?? '';
    await fx.exec('DROP TABLE d1.t');
    const restore = await runToEnd(fx, `RESTORE SNAPSHOT d1.${label} FROM r1 ON (t) PROPERTIES ("backup_timestamp" = "${ts}", "replication_num" = "1")`);
    expect([restore.state, restore.statusMsg]).toEqual(['FINISHED', '']);
    expect(await fx.rows('SELECT * FROM d1.t ORDER BY id, v')).toEqual(rows);
  }, 300_000);
});
