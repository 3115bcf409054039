import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startS3Server, type S3TestServer } from '../support/s3-server.ts';
import { listTree, openFixture, type BackupFixture } from './backup-fixture.ts';
import { backupTo, createRepositorySql } from './lifecycle-helpers.ts';
import { killChildAt } from '../support/kill-child.ts';

/**
 * kill -9 of the process running a restore-mode VERIFY while its RESTORE into the scratch database downloads: after
 * the restart the VERIFY runs again from the start (its interrupted RESTORE cancelled, its scratch database dropped
 * first), finishes OK, and leaves no scratch database, no live job and no tablet file behind. On file:// and S3.
 */

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'verify-crash-child.ts');

/** Run `sql` in the child until its scratch RESTORE downloads, then SIGKILL it; returns that RESTORE's job id. */
async function killWhileRestoring(dataDir: string, sql: string): Promise<number> {
  const { match, out } = await killChildAt(CHILD, [dataDir, sql], /RESTORING (\d+)/);
  if (match === null) throw new Error(`child finished before its restore downloaded: ${out}`);
  return Number(match[1]);
}

function catalogRows<T>(f: BackupFixture, sql: string): T[] {
  const db = new Database(path.join(f.dataDir, 'catalog.sqlite'), { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

function dataFiles(f: BackupFixture): string[] {
  return listTree(f.dataDir).filter((p) => /^be\d+\//.test(p) && !p.endsWith('OWNER'));
}

let f: BackupFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

for (const kind of ['file', 's3'] as const) {
  describe(`kill -9 during a restore-mode VERIFY on ${kind === 'file' ? 'file://' : 'S3 (s3rver)'}`, () => {
    let s3: S3TestServer | undefined;
    beforeAll(async () => {
      if (kind === 's3') s3 = await startS3Server({ bucket: 'tv-verify-crash' });
    });
    afterAll(async () => {
      await s3?.close();
    });

    it('leaves no scratch database after the restart', async () => {
      const fx = await openFixture();
      f = fx;
      await fx.exec('CREATE DATABASE d1');
      await fx.exec('USE d1');
      await fx.exec(`CREATE TABLE t (k INT, v VARCHAR(20)) DUPLICATE KEY(k) PARTITION BY RANGE(k) (PARTITION p1 VALUES LESS THAN ('10'), PARTITION p2 VALUES LESS THAN ('20'), PARTITION p3 VALUES LESS THAN ('30')) DISTRIBUTED BY HASH(k) BUCKETS 2 PROPERTIES ("replication_num" = "1")`);
      await fx.exec(`INSERT INTO t VALUES ${Array.from({ length: 30 }, (_, k) => `(${k}, 'v${k}')`).join(', ')}`);
      await fx.exec(createRepositorySql(kind, fx, 'r1', s3));
      const { ts } = await backupTo(fx, 'BACKUP SNAPSHOT d1.s1 TO r1 ON (t)', 's1', 'r1');
      const before = dataFiles(fx);
      await fx.engine.close();

      const restoreId = await killWhileRestoring(fx.dataDir, `VERIFY SNAPSHOT s1 ON r1 PROPERTIES ("backup_timestamp" = "${ts}", "mode" = "restore")`);
      // The kill left the scratch database and its RESTORE mid-way.
      const scratch = catalogRows<{ name: string }>(fx, "SELECT name FROM databases WHERE name LIKE '\\_\\_tablevault\\_verify\\_%' ESCAPE '\\'");
      expect(scratch).toHaveLength(1);
      expect(catalogRows<{ done: number }>(fx, `SELECT done FROM jobs WHERE id = ${restoreId}`)).toEqual([{ done: 0 }]);

      await fx.reopen();
      const verify = catalogRows<{ id: number }>(fx, "SELECT id FROM jobs WHERE kind = 'VERIFY'")[0];
      if (verify === undefined) throw new Error('no VERIFY job');
      const done = await fx.engine.jobs.waitForJob(verify.id);
      expect([done.state, done.statusCode]).toEqual(['FINISHED', 'OK']);
      const [show] = await fx.rows('SHOW VERIFY ON r1');
      expect([show?.[6], show?.[12], show?.[13]]).toEqual(['FINISHED', 'OK', '0']);
      // The interrupted RESTORE was cancelled, the re-run's finished; no database but d1, no live job, no stray file.
      const restores = catalogRows<{ id: number; state: string }>(fx, "SELECT id, state FROM jobs WHERE kind = 'RESTORE' ORDER BY id");
      expect(restores.map((r) => r.state)).toEqual(['CANCELLED', 'FINISHED']);
      expect(restores[0]?.id).toBe(restoreId);
      expect(catalogRows<{ name: string }>(fx, 'SELECT name FROM databases')).toEqual([{ name: 'd1' }]);
      expect(catalogRows<{ n: number }>(fx, 'SELECT COUNT(*) AS n FROM jobs WHERE done = 0')).toEqual([{ n: 0 }]);
      const deadline = Date.now() + 5000;
      while (JSON.stringify(dataFiles(fx)) !== JSON.stringify(before) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      expect(dataFiles(fx)).toEqual(before);
      expect(await fx.rows('SELECT COUNT(*) FROM d1.t')).toEqual([['30']]);
    });
  });
}
