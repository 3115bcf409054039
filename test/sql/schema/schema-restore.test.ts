/**
 * Schema change meets BACKUP / RESTORE, end to end through SQL on the library Engine with a file:// repository:
 * a backup records the schema version; a RESTORE into the same table after a DROP COLUMN is refused naming the
 * difference; RESTORE … AS a new table brings back the old schema and data (old files, read by column id), and
 * ALTER TABLE … SWAP WITH puts it in place; a table holding temporary partitions cannot be backed up until they are
 * swapped in with REPLACE PARTITION; schema change and SWAP wait for a RESTORE that targets the table.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFixture, type BackupFixture } from '../backup-fixture.ts';
import { runToEnd } from '../restore-dataset.ts';

describe('schema change and BACKUP / RESTORE', () => {
  let f: BackupFixture;
  let ts: string;
  let original: (string | null)[][];

  beforeAll(async () => {
    f = await openFixture();
    await f.exec('CREATE DATABASE s');
    await f.exec('USE s');
    await f.exec(`CREATE TABLE t (id INT, name VARCHAR(10), amount INT) DUPLICATE KEY(id)
      PARTITION BY RANGE(id) (PARTITION p1 VALUES LESS THAN ('100'), PARTITION p2 VALUES LESS THAN ('200'))
      DISTRIBUTED BY HASH(id) BUCKETS 2 PROPERTIES ("replication_num" = "2")`);
    await f.exec("INSERT INTO t VALUES (1, 'a', 10), (150, 'b', 20)");
    // Files written before and after ADD COLUMN both go into the snapshot.
    await f.exec("ALTER TABLE t ADD COLUMN region VARCHAR(8) DEFAULT 'eu' AFTER name");
    await f.exec("INSERT INTO t VALUES (2, 'c', 'us', 30), (199, 'd', 'ap', 40)");
    await f.exec('ALTER TABLE t RENAME COLUMN amount TO total');
    // A metadata-only widening: the older files still store VARCHAR(10), and RESTORE's file check accepts them.
    await f.exec('ALTER TABLE t MODIFY COLUMN name VARCHAR(20)');
    original = await f.rows('SELECT * FROM t ORDER BY id');
    expect(original).toEqual([['1', 'a', 'eu', '10'], ['2', 'c', 'us', '30'], ['150', 'b', 'eu', '20'], ['199', 'd', 'ap', '40']]);
    await f.exec(`CREATE REPOSITORY r WITH BROKER ON LOCATION 'file://${f.dir}/repo'`);
    const job = await runToEnd(f, 'BACKUP SNAPSHOT s.snap TO r ON (t)');
    expect([job.state, job.statusMsg]).toEqual(['FINISHED', '']);
    ts = (await f.rows("SHOW SNAPSHOT ON r WHERE SNAPSHOT = 'snap'"))[0]?.[1] as string;
  }, 60_000);
  afterAll(async () => {
    await f?.close();
  });

  it('the backup meta records the schema version', () => {
    const metaFile = fs.readdirSync(path.join(f.dir, 'repo', '__starrocks_repository_r', '__ss_snap')).find((n) => n.startsWith('__meta'));
    const meta = JSON.parse(fs.readFileSync(path.join(f.dir, 'repo', '__starrocks_repository_r', '__ss_snap', metaFile as string), 'utf8')) as {
      tables: { name: string; schemaVersion: number }[];
    };
    expect(meta.tables.find((x) => x.name === 't')?.schemaVersion).toBe(3);
  });

  it('RESTORE over a table whose schema changed since is refused, naming the difference; the table is untouched', async () => {
    await f.exec('ALTER TABLE t DROP COLUMN region');
    await f.exec("INSERT INTO t VALUES (3, 'e', 50)");
    const before = await f.rows('SELECT * FROM t ORDER BY id');
    const job = await runToEnd(f, `RESTORE SNAPSHOT s.snap FROM r ON (t) PROPERTIES ("backup_timestamp" = "${ts}")`);
    expect([job.state, job.statusCode]).toEqual(['CANCELLED', 'COMMON_ERROR']);
    expect(job.statusMsg).toBe(
      'Table t already exist but with different schema, column: `total` int(11) NULL in existed table is different from the column in backup snapshot, column: `region` varchar(8) NULL ' +
        '(snapshot schema version 3, table schema version 4; restore AS another table, then SWAP)',
    );
    expect(await f.rows('SELECT * FROM t ORDER BY id')).toEqual(before);
  });

  it('RESTORE … AS a new table gives the old schema and data; SWAP WITH puts it in place atomically', async () => {
    const job = await runToEnd(f, `RESTORE SNAPSHOT s.snap FROM r ON (t AS t_restored) PROPERTIES ("backup_timestamp" = "${ts}", "replication_num" = "1")`);
    expect([job.state, job.statusMsg]).toEqual(['FINISHED', '']);
    expect(await f.rows('SELECT * FROM t_restored ORDER BY id')).toEqual(original);
    expect((await f.rows('DESC t_restored')).map((r) => r[0])).toEqual(['id', 'name', 'region', 'total']);
    // Old files of the restored table stay readable through later schema changes of it.
    await f.exec('ALTER TABLE t_restored ADD COLUMN note VARCHAR(4)');
    await f.exec('ALTER TABLE t_restored DROP COLUMN note');
    await f.exec('ALTER TABLE t SWAP WITH t_restored');
    expect(await f.rows('SELECT * FROM t ORDER BY id')).toEqual(original);
    expect((await f.rows('SELECT id FROM t_restored ORDER BY id')).flat()).toEqual(['1', '2', '3', '150', '199']);
    expect((await f.rows('SHOW PARTITIONS FROM t')).map((r) => r[1])).toEqual(['p1', 'p2']);
    expect((await f.rows('SHOW PARTITIONS FROM t')).map((r) => r[10])).toEqual(['1', '1']);
    await f.exec('INSERT INTO t VALUES (4, \'f\', \'eu\', 60)');
    expect((await f.rows('SELECT count(*) FROM t')).flat()).toEqual(['5']);
    // replication_num changes replicas for real: SHOW TABLET lists one replica per backend holding a copy.
    await f.exec('DROP TABLE t_restored');
  });

  it('SWAP refuses what StarRocks refuses', async () => {
    await f.exec('CREATE VIEW v AS SELECT 1 AS one');
    expect(await failure(f, 'ALTER TABLE t SWAP WITH v')).toBe('Table v is not an OLAP table: only OLAP tables can be swapped');
    expect(await failure(f, 'ALTER TABLE t SWAP WITH nope')).toBe("Unknown table 's.nope'");
    expect(await failure(f, 'ALTER TABLE t SWAP WITH t')).toBe('Can not swap table t with itself');
    await f.exec('DROP VIEW v');
  });

  it('temporary partitions: load, read, replace; BACKUP refused while any exists', async () => {
    await f.exec("ALTER TABLE t ADD TEMPORARY PARTITION tp1 VALUES [('0'), ('100'))");
    await f.exec("INSERT INTO t TEMPORARY PARTITION (tp1) VALUES (5, 'x', 'eu', 1), (6, 'y', 'us', 2)");
    expect((await f.rows('SELECT id FROM t TEMPORARY PARTITION (tp1) ORDER BY id')).flat()).toEqual(['5', '6']);
    expect((await f.rows('SELECT count(*) FROM t')).flat()).toEqual(['5']);
    expect((await f.rows('SHOW TEMPORARY PARTITIONS FROM t')).map((r) => [r[1], r[7], r[16]])).toEqual([['tp1', '[types: [INT]; keys: [0]; ..types: [INT]; keys: [100]; )', '2']]);
    expect(await failure(f, 'BACKUP SNAPSHOT s.snap2 TO r ON (t)')).toMatch(/^Do not support backing up table with temp partitions/);
    expect(await failure(f, 'ALTER TABLE t REPLACE PARTITION (p1) WITH TEMPORARY PARTITION (nope)')).toBe('Temp partition[nope] does not exist');
    expect(await failure(f, 'ALTER TABLE t REPLACE PARTITION (p1) WITH TEMPORARY PARTITION (tp1)')).toMatch(/^Temp partitions' range must be equal to origin partitions/);
    // Temporary partitions may overlap formal ones, not each other; names are unique across both kinds.
    expect(await failure(f, "ALTER TABLE t ADD TEMPORARY PARTITION tp2 VALUES [('10'), ('20'))")).toMatch(/intersect|overlap|conflict/i);
    expect(await failure(f, "ALTER TABLE t ADD TEMPORARY PARTITION p2 VALUES [('100'), ('200'))")).toBe('Duplicate partition name p2');
    await f.exec("ALTER TABLE t ADD TEMPORARY PARTITION tp2 VALUES [('100'), ('150'))");
    expect(await failure(f, 'ALTER TABLE t REPLACE PARTITION (p2) WITH TEMPORARY PARTITION (tp2)')).toMatch(/^Temp partitions' range must be equal to origin partitions/);
    await f.exec('ALTER TABLE t DROP TEMPORARY PARTITION tp2');
    await f.exec('ALTER TABLE t REPLACE PARTITION (p1) WITH TEMPORARY PARTITION (tp1) PROPERTIES ("strict_range" = "false")');
    expect((await f.rows('SELECT id FROM t ORDER BY id')).flat()).toEqual(['5', '6', '150', '199']);
    expect((await f.rows('SHOW PARTITIONS FROM t')).map((r) => r[1]).sort()).toEqual(['p1', 'p2']);
    expect(await f.rows('SHOW TEMPORARY PARTITIONS FROM t')).toEqual([]);
    const job = await runToEnd(f, 'BACKUP SNAPSHOT s.snap2 TO r ON (t)');
    expect([job.state, job.statusMsg]).toEqual(['FINISHED', '']);
  });
});

async function failure(f: BackupFixture, sql: string): Promise<string> {
  try {
    await f.exec(sql);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`expected ${sql} to fail`);
}
