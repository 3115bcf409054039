import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openFixture, type BackupFixture } from './backup-fixture.ts';
import { backupTo, createRepositorySql } from './lifecycle-helpers.ts';

/**
 * SHOW SNAPSHOT DIFF: tables and partitions added, removed and changed between two snapshots, with rows before and
 * after; an unchanged partition is not listed. Computed from metadata (no data read).
 */
describe('SHOW SNAPSHOT DIFF', () => {
  let f: BackupFixture;
  beforeEach(async () => {
    f = await openFixture();
    await f.exec('CREATE DATABASE d1');
    await f.exec('USE d1');
    const table = (name: string): string =>
      `CREATE TABLE ${name} (k INT, v VARCHAR(20)) DUPLICATE KEY(k) PARTITION BY RANGE(k) (PARTITION p1 VALUES LESS THAN ('10'), PARTITION p2 VALUES LESS THAN ('20')) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ("replication_num" = "1")`;
    await f.exec(table('a'));
    await f.exec(table('gone'));
    await f.exec("INSERT INTO a VALUES (1, 'x'), (15, 'y')");
    await f.exec("INSERT INTO gone VALUES (2, 'z')");
    await f.exec(createRepositorySql('file', f, 'r1'));
  });
  afterEach(async () => {
    await f.close();
  });

  it('lists added, removed and changed tables and partitions; unchanged ones are left out', async () => {
    const before = await backupTo(f, 'BACKUP SNAPSHOT d1.before TO r1 ON (a, gone)', 'before', 'r1');
    await f.exec("INSERT INTO a VALUES (3, 'new'), (4, 'new')"); // a.p1 changes, a.p2 does not
    await f.exec('CREATE TABLE fresh (k INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ("replication_num" = "1")');
    await f.exec('INSERT INTO fresh VALUES (1)');
    const after = await backupTo(f, 'BACKUP SNAPSHOT d1.after TO r1 ON (a, fresh) PROPERTIES ("type" = "incremental")', 'after', 'r1');
    const rows = await f.rows(`SHOW SNAPSHOT DIFF ON r1 FROM 'before' '${before.ts}' TO 'after' '${after.ts}'`);
    const shape = rows.map((r) => [r[0], r[1], r[2], r[3], r[4], r[5] === null ? null : 'n', r[6] === null ? null : 'n']);
    expect(shape).toEqual([
      ['a', null, 'CHANGED', '2', '4', 'n', 'n'],
      ['a', 'p1', 'CHANGED', '1', '3', 'n', 'n'],
      ['fresh', null, 'ADDED', null, '1', null, 'n'],
      ['fresh', 'fresh', 'ADDED', null, '1', null, 'n'],
      ['gone', null, 'REMOVED', '1', null, 'n', null],
      ['gone', 'p1', 'REMOVED', '1', null, 'n', null],
      ['gone', 'p2', 'REMOVED', '0', null, 'n', null],
    ]);
    // The same snapshot on both sides: nothing changed.
    expect(await f.rows("SHOW SNAPSHOT DIFF ON r1 FROM 'after' TO 'after'")).toEqual([]);
    await expect(f.exec(`SHOW SNAPSHOT DIFF ON r1 FROM 'before' 'nope' TO 'after'`)).rejects.toThrow(
      `Snapshot before in repository r1 has no backup at timestamp nope; its timestamp is ${before.ts}`,
    );
  });
});
