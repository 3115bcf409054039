import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSqlError } from '../../src/errors/index.ts';
import { openFixture, seedDatabase, type BackupFixture } from './backup-fixture.ts';
import { runToEnd } from './restore-dataset.ts';

/**
 * Every RESTORE message, table-driven: analysis errors (`Getting analyzing error. Detail message: …`), submit-time
 * errors (StarRocks' DdlException text), and job-time failures (CANCELLED with the reason in Status) — the last
 * ones must leave the existing table exactly as it was.
 */

let f: BackupFixture;
let ts: string;
let repoDir: string;

beforeAll(async () => {
  f = await openFixture();
  await seedDatabase(f);
  repoDir = path.join(f.dir, 'repo');
  await f.exec(`CREATE REPOSITORY r1 WITH BROKER ON LOCATION 'file://${repoDir}'`);
  const job = await runToEnd(f, 'BACKUP SNAPSHOT d1.s TO r1');
  expect(job.state).toBe('FINISHED');
  ts = (await f.rows("SHOW SNAPSHOT ON r1 WHERE SNAPSHOT = 's'"))[0]?.[1] ?? '';
}, 30_000);
afterAll(async () => {
  await f?.close();
});

async function failure(sql: string): Promise<{ errno: number; message: string }> {
  try {
    await f.exec(sql);
  } catch (error) {
    if (!isSqlError(error)) throw error;
    return { errno: error.errno, message: error.message };
  }
  throw new Error(`${sql} succeeded`);
}

const analysis = (m: string): string => `Getting analyzing error. Detail message: ${m}.`;

describe('RESTORE statement errors', () => {
  const TS = (): string => `"backup_timestamp" = "${ts}"`;
  const cases: readonly (readonly [string, () => string, number, () => string])[] = [
    ['no backup_timestamp', () => 'RESTORE SNAPSHOT d1.s FROM r1', 1064, () => analysis('Missing backup_timestamp property')],
    ['unknown property', () => `RESTORE SNAPSHOT d1.s FROM r1 PROPERTIES (${TS()}, "reserve_replica" = "true", "x" = "1")`, 1064, () => analysis('Unknown restore job properties: [reserve_replica, x]')],
    ['replication_num not an int', () => `RESTORE SNAPSHOT d1.s FROM r1 PROPERTIES (${TS()}, "replication_num" = "three")`, 1064, () => analysis('Invalid meta version format: three')],
    ['meta_version not an int', () => `RESTORE SNAPSHOT d1.s FROM r1 PROPERTIES (${TS()}, "meta_version" = "1.5")`, 1064, () => analysis('Invalid meta version format: 1.5')],
    ['starrocks_meta_version not an int', () => `RESTORE SNAPSHOT d1.s FROM r1 PROPERTIES (${TS()}, "starrocks_meta_version" = "x")`, 1064, () => analysis('Invalid meta version format: x')],
    ['allow_load not a boolean', () => `RESTORE SNAPSHOT d1.s FROM r1 PROPERTIES (${TS()}, "allow_load" = "yes")`, 1064, () => analysis('Invalid allow load value: yes')],
    ['timeout not an int', () => `RESTORE SNAPSHOT d1.s FROM r1 PROPERTIES (${TS()}, "timeout" = "1h")`, 1064, () => analysis('Invalid timeout format: 1h')],
    ['timeout under 10 min', () => `RESTORE SNAPSHOT d1.s FROM r1 PROPERTIES (${TS()}, "timeout" = "599")`, 1064, () => analysis('timeout must be at least 10 min')],
    ['replication_num above the backends', () => `RESTORE SNAPSHOT d1.s FROM r1 PROPERTIES (${TS()}, "replication_num" = "4")`, 1064, () => analysis('replication_num 4 is larger than the number of backends (3); use "replication_num" = "3" or fewer')],
    ['duplicate alias', () => `RESTORE SNAPSHOT d1.s FROM r1 ON (t AS x, u AS x) PROPERTIES (${TS()})`, 1064, () => analysis('Duplicated alias name: x')],
    ['materialized view', () => `RESTORE SNAPSHOT d1.s FROM r1 ON (MATERIALIZED VIEW mv) PROPERTIES (${TS()})`, 1235, () => 'RESTORE of materialized views is not supported by tablevault'],
    ['function', () => `RESTORE SNAPSHOT d1.s FROM r1 ON (FUNCTION f) PROPERTIES (${TS()})`, 1235, () => 'RESTORE of functions is not supported by tablevault'],
    ['unknown repository', () => `RESTORE SNAPSHOT d1.s FROM nope PROPERTIES (${TS()})`, 1064, () => 'Repository nope does not exist'],
    [
      'wrong timestamp',
      () => `RESTORE SNAPSHOT d1.s FROM r1 PROPERTIES ("backup_timestamp" = "2001-01-01-00-00-00-000")`,
      1064,
      () => `Failed to get info of snapshot 's' because: Expected one file with path: file://${repoDir}/__starrocks_repository_r1/__ss_s/__info_2001-01-01-00-00-00-000. get: 0. Maybe specified wrong backup timestamp`,
    ],
    [
      'timestamp prefix (StarRocks lists __info_<ts>* but then wants the exact name)',
      () => `RESTORE SNAPSHOT d1.s FROM r1 PROPERTIES ("backup_timestamp" = "${ts.slice(0, 10)}")`,
      1064,
      () => `Failed to get info of snapshot 's' because: File does not exist: file://${repoDir}/__starrocks_repository_r1/__ss_s/__info_${ts.slice(0, 10)}. Maybe specified wrong backup timestamp`,
    ],
    ['unknown snapshot', () => `RESTORE SNAPSHOT d1.nosuch FROM r1 PROPERTIES (${TS()})`, 1064, () => `Failed to get info of snapshot 'nosuch' because: Expected one file with path: file://${repoDir}/__starrocks_repository_r1/__ss_nosuch/__info_${ts}. get: 0. Maybe specified wrong backup timestamp`],
    ['DATABASE not in the snapshot', () => `RESTORE SNAPSHOT s FROM r1 DATABASE other PROPERTIES (${TS()})`, 1064, () => 'target database: other is not existed in snapshot'],
    ['table not in the snapshot', () => `RESTORE SNAPSHOT d1.s FROM r1 ON (nope) PROPERTIES (${TS()})`, 1064, () => 'Table nope does not exist in snapshot s'],
    ['partition not in the snapshot', () => `RESTORE SNAPSHOT d1.s FROM r1 ON (t PARTITION (p9)) PROPERTIES (${TS()})`, 1064, () => 'Partition p9 of table t does not exist in snapshot s'],
    ['temporary partitions', () => `RESTORE SNAPSHOT d1.s FROM r1 ON (t TEMPORARY PARTITION (p1)) PROPERTIES (${TS()})`, 1064, () => 'Do not support restoring temporary partitions'],
    ['same table twice', () => `RESTORE SNAPSHOT d1.s FROM r1 ON (t, t AS t2) PROPERTIES (${TS()})`, 1064, () => 'Duplicated table: t'],
    ['VIEW on a table', () => `RESTORE SNAPSHOT d1.s FROM r1 ON (VIEW t) PROPERTIES (${TS()})`, 1064, () => 't is not a view in snapshot s: restore it with TABLE t'],
    ['external catalogs', () => `RESTORE SNAPSHOT d1.s FROM r1 ALL EXTERNAL CATALOGS PROPERTIES (${TS()})`, 1235, () => 'RESTORE of external catalogs is not supported by tablevault'],
    ['SHOW RESTORE of an unknown db', () => 'SHOW RESTORE FROM nodb', 1064, () => analysis("Unknown database 'nodb'")],
    ['CANCEL RESTORE with no job', () => 'CANCEL RESTORE FROM d1', 1064, () => 'No restore is currently running'],
  ];
  it.each(cases)('%s', async (_name, sql, errno, message) => {
    expect(await failure(sql())).toEqual({ errno, message: message() });
  });

  it('creates no database when the submit fails', async () => {
    await failure(`RESTORE SNAPSHOT s FROM r1 DATABASE d1 AS fresh ON (nope) PROPERTIES ("backup_timestamp" = "${ts}")`);
    expect((await f.rows('SHOW DATABASES')).flat()).not.toContain('fresh');
  });

  it('refuses to cancel a finished job', async () => {
    const job = await runToEnd(f, `RESTORE SNAPSHOT d1.s FROM r1 ON (u AS u_copy) PROPERTIES ("backup_timestamp" = "${ts}", "allow_load" = "TRUE")`);
    expect(job.state).toBe('FINISHED');
    expect((await f.rows('SHOW RESTORE FROM d1'))[0]?.[5]).toBe('true');
    expect(await failure('CANCEL RESTORE FROM d1')).toEqual({ errno: 1064, message: 'Failed to cancel job: Job with label s can not be cancelled. state: FINISHED' });
  });
});

describe('RESTORE into an existing table that does not match', () => {
  // The snapshot's t: (id INT, v VARCHAR(20)) DUPLICATE KEY(id), RANGE(id) p1 < 100, p2 < 200, 2 buckets, 3 replicas.
  const range = "PARTITION BY RANGE(id) (PARTITION p1 VALUES LESS THAN ('100'), PARTITION p2 VALUES LESS THAN ('200'))";
  const cases: readonly (readonly [string, string, string, string | null])[] = [
    ['column type', `CREATE TABLE t (id INT, v VARCHAR(30)) DUPLICATE KEY(id) ${range} DISTRIBUTED BY HASH(id) BUCKETS 2`, 'Table t already exist but with different schema, column: `v` varchar(30) NULL in existed table is different from the column in backup snapshot, column: `v` varchar(20) NULL', null],
    ['nullability', `CREATE TABLE t (id INT, v VARCHAR(20) NOT NULL) DUPLICATE KEY(id) ${range} DISTRIBUTED BY HASH(id) BUCKETS 2`, 'Table t already exist but with different schema, column: `v` varchar(20) NOT NULL in existed table is different from the column in backup snapshot, column: `v` varchar(20) NULL', null],
    ['column name', `CREATE TABLE t (id INT, w VARCHAR(20)) DUPLICATE KEY(id) ${range} DISTRIBUTED BY HASH(id) BUCKETS 2`, 'Table t already exist but with different schema, column: `w` varchar(20) NULL in existed table is different from the column in backup snapshot, column: `v` varchar(20) NULL', null],
    ['extra column', `CREATE TABLE t (id INT, v VARCHAR(20), x INT) DUPLICATE KEY(id) ${range} DISTRIBUTED BY HASH(id) BUCKETS 2`, 'Table t already exist but with different schema, errMsg: column `x` int(11) NULL of the existed table does not exist in the backup snapshot', null],
    ['key columns', `CREATE TABLE t (id INT, v VARCHAR(20)) DUPLICATE KEY(id, v) ${range} DISTRIBUTED BY HASH(id) BUCKETS 2`, 'Table t already exist but with different schema, column: `v` varchar(20) NULL KEY in existed table is different from the column in backup snapshot, column: `v` varchar(20) NULL', null],
    ['bucket count', `CREATE TABLE t (id INT, v VARCHAR(20)) DUPLICATE KEY(id) ${range} DISTRIBUTED BY HASH(id) BUCKETS 3`, 'Partition p1 in table t has different bucket num 3 with partition in repository, which is 2', null],
    ['range', `CREATE TABLE t (id INT, v VARCHAR(20)) DUPLICATE KEY(id) PARTITION BY RANGE(id) (PARTITION p1 VALUES LESS THAN ('50'), PARTITION p2 VALUES LESS THAN ('200')) DISTRIBUTED BY HASH(id) BUCKETS 2`, 'Partition p1 in table t has different range with partition in repository', null],
    ['conflicting new partition', `CREATE TABLE t (id INT, v VARCHAR(20)) DUPLICATE KEY(id) PARTITION BY RANGE(id) (PARTITION p1 VALUES LESS THAN ('100'), PARTITION p3 VALUES LESS THAN ('300')) DISTRIBUTED BY HASH(id) BUCKETS 2`, 'Partition p2 in table t has conflict range with existing ranges', null],
    ['partitioning', `CREATE TABLE t (id INT, v VARCHAR(20)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 2`, 'Table t already exist but with different schema, errMsg: partitioning UNPARTITIONED differs from the backup snapshot\'s RANGE(id)', null],
    ['replication num (explicit)', `CREATE TABLE t (id INT, v VARCHAR(20)) DUPLICATE KEY(id) ${range} DISTRIBUTED BY HASH(id) BUCKETS 2 PROPERTIES ('replication_num' = '1')`, "Partition p1 in table t has different replication num '1' with partition in repository, which is 2", '"replication_num" = "2"'],
    ['a view of that name', `CREATE VIEW t AS SELECT 1 AS one`, 'Only support restore OLAP table: t', null],
  ];

  it.each(cases)('%s: CANCELLED naming the first difference, table untouched', async (_name, create, message, extra) => {
    await f.exec('DROP DATABASE IF EXISTS m');
    await f.exec('CREATE DATABASE m');
    await f.exec(`USE m`);
    await f.exec(create);
    const isView = create.startsWith('CREATE VIEW');
    if (!isView) await f.exec(create.includes('x INT') ? "INSERT INTO t VALUES (1, 'a', 1), (2, 'b', 2)" : "INSERT INTO t VALUES (1, 'a'), (2, 'b')");
    const before = await f.rows('SELECT * FROM t ORDER BY 1');
    const props = [`"backup_timestamp" = "${ts}"`, ...(extra === null ? [] : [extra])].join(', ');
    const job = await runToEnd(f, `RESTORE SNAPSHOT s FROM r1 DATABASE d1 AS m ON (t) PROPERTIES (${props})`);
    // Schema differences also name both schema versions (the snapshot's and the table's) and the way out.
    const full = message.startsWith('Table t already exist but with different') ? `${message} (snapshot schema version 0, table schema version 0; restore AS another table, then SWAP)` : message;
    expect([job.state, job.statusCode, job.statusMsg]).toEqual(['CANCELLED', 'COMMON_ERROR', full]);
    const [row] = await f.rows('SHOW RESTORE FROM m');
    expect(row?.[16]).toBe(`[COMMON_ERROR, msg: ${full}]`);
    expect(await f.rows('SELECT * FROM t ORDER BY 1')).toEqual(before);
    expect((await f.rows('SHOW TABLES FROM m')).flat()).toEqual(['t']);
    if (!isView) {
      // NORMAL again: loads work, and no partition was left behind.
      await f.exec('INSERT INTO t SELECT * FROM t');
      expect((await f.rows('SHOW PARTITIONS FROM t')).length).toBe(create.includes('RANGE') ? 2 : 1);
    }
  });
});
