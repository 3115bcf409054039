/**
 * The restore check docs/backup-and-restore.md shows, end to end: BACKUP to a file:// repository, RESTORE … AS
 * t_restored next to the live table, then one SQL statement compares the two —
 *   SELECT COUNT(*) FROM t a FULL JOIN t_restored b USING (k) WHERE a.v <=> b.v IS NOT TRUE
 * — 0 while t is unchanged, and exactly the number of differing keys after changes (a new key, a deleted key,
 * a changed value, a value set to NULL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFixture, type BackupFixture } from './backup-fixture.ts';
import { runToEnd } from './restore-dataset.ts';

const CHECK = 'SELECT COUNT(*) FROM t a FULL JOIN t_restored b USING (k) WHERE a.v <=> b.v IS NOT TRUE';

let f: BackupFixture;

beforeAll(async () => {
  f = await openFixture();
  await f.exec(`
    CREATE DATABASE d;
    USE d;
    CREATE TABLE t (k INT NOT NULL, v VARCHAR(16)) DUPLICATE KEY(k)
      PARTITION BY RANGE(k) (PARTITION p1 VALUES LESS THAN ('500'), PARTITION p2 VALUES LESS THAN ('2000'))
      DISTRIBUTED BY HASH(k) BUCKETS 3;
    INSERT INTO t SELECT generate_series, CONCAT('v', generate_series) FROM TABLE(generate_series(1, 1000));
    INSERT INTO t VALUES (1001, NULL);
    CREATE REPOSITORY repo WITH BROKER ON LOCATION 'file://${f.dir}/repo';
  `);
}, 60_000);
afterAll(async () => {
  await f?.close();
});

describe('restore check in SQL', () => {
  it('finds no difference after RESTORE … AS t_restored of the unchanged table, and the right count after changes', async () => {
    const backup = await runToEnd(f, 'BACKUP SNAPSHOT d.snap TO repo ON (t)');
    expect(backup.state).toBe('FINISHED');
    const [snapshot] = await f.rows("SHOW SNAPSHOT ON repo WHERE SNAPSHOT = 'snap'");
    const restore = await runToEnd(f, `RESTORE SNAPSHOT d.snap FROM repo ON (t AS t_restored) PROPERTIES ("backup_timestamp" = "${snapshot?.[1]}")`);
    expect(restore.state).toBe('FINISHED');
    expect(await f.rows('SELECT COUNT(*) FROM t_restored')).toEqual([['1001']]);

    expect(await f.rows(CHECK)).toEqual([['0']]);

    await f.exec(`
      INSERT INTO t VALUES (1500, 'new');
      DELETE FROM t WHERE k = 7;
      DELETE FROM t WHERE k = 600;
      INSERT INTO t VALUES (600, 'changed');
      DELETE FROM t WHERE k = 601;
      INSERT INTO t VALUES (601, NULL);
      DELETE FROM t WHERE k = 1001;
      INSERT INTO t VALUES (1001, 'was null');
    `);
    // 1500 only in t, 7 only in t_restored, 600 and 1001 changed, 601 changed to NULL.
    expect(await f.rows(CHECK)).toEqual([['5']]);
    expect(await f.rows(`SELECT k, a.v, b.v FROM t a FULL JOIN t_restored b USING (k) WHERE a.v <=> b.v IS NOT TRUE ORDER BY k`)).toEqual([
      ['7', null, 'v7'],
      ['600', 'changed', 'v600'],
      ['601', null, 'v601'],
      ['1001', 'was null', null],
      ['1500', 'new', null],
    ]);
  }, 60_000);
});
