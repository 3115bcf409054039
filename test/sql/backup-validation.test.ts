import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../src/brokers/broker.ts';
import { FaultInjectingBroker } from '../../src/brokers/fault-injecting-broker.ts';
import { openBroker } from '../../src/brokers/open-broker.ts';
import { isSqlError } from '../../src/errors/index.ts';
import { listTree, openFixture, seedDatabase, unkeptSnapshotFiles, type BackupFixture } from './backup-fixture.ts';

/** Repositories whose location contains `slow` upload each file in ≥ 150 ms, so a job stays live for a while. */
const slowBrokers = async (location: string, properties: Readonly<Record<string, string>>): Promise<Broker> => {
  const inner = await openBroker(location, properties);
  return location.includes('slow') ? new FaultInjectingBroker(inner, { latencyMs: 150, ops: ['uploadFile', 'write'] }) : inner;
};

let f: BackupFixture;
beforeAll(async () => {
  f = await openFixture({ openBroker: slowBrokers });
  await seedDatabase(f);
  await f.exec('CREATE DATABASE e');
  await f.exec(`CREATE REPOSITORY r1 WITH BROKER ON LOCATION 'file://${path.join(f.dir, 'repo')}'`);
  await f.exec(`CREATE READ ONLY REPOSITORY ro WITH BROKER ON LOCATION 'file://${path.join(f.dir, 'repo-ro')}'`);
  await f.exec(`CREATE REPOSITORY slow WITH BROKER ON LOCATION 'file://${path.join(f.dir, 'slow')}'`);
});
afterAll(async () => {
  await f?.close();
});

const A = (msg: string): string => `Getting analyzing error. Detail message: ${msg}.`;

// [statement, errno, exact message]
const CASES: readonly (readonly [string, number, string])[] = [
  ['BACKUP SNAPSHOT d1.s TO nope', 1064, A('Repository [nope] does not exist')],
  ['BACKUP DATABASE d1 SNAPSHOT d1.s TO r1', 1064, A('Can not specify the database twice: use either DATABASE d1 SNAPSHOT s or SNAPSHOT d1.s')],
  ['BACKUP SNAPSHOT nodb.s TO r1', 1064, A("Unknown database 'nodb'")],
  ['BACKUP SNAPSHOT `1bad`.s TO r1', 1064, A("Incorrect database name '1bad'")],
  ['BACKUP SNAPSHOT d1.`a b` TO r1', 1064, A('Label format error. regex: ^[-\\w]{1,128}$, label: a b')],
  ['BACKUP SNAPSHOT e.s TO r1', 1064, A('Database: e is empty')],
  ['BACKUP DATABASE e SNAPSHOT s TO r1 ON (ALL TABLES)', 1064, A('Database: e is empty')],
  ['BACKUP SNAPSHOT d1.s TO r1 ON (nosuch)', 1064, A("Incorrect table name 'nosuch'")],
  ['BACKUP SNAPSHOT d1.s TO r1 ON (TABLE nosuch)', 1064, A("Incorrect table name 'nosuch'")],
  ['BACKUP SNAPSHOT d1.s TO r1 ON (t PARTITION (p9))', 1064, A('partition[p9] does not exist  in tablet')],
  ['BACKUP SNAPSHOT d1.s TO r1 ON (t, t)', 1064, A('Duplicated table: t')],
  ['BACKUP SNAPSHOT d1.s TO r1 ON (t, ALL TABLES, TABLE t)', 1064, A('Duplicated table: t')],
  ['BACKUP SNAPSHOT d1.s TO r1 ON (t AS x)', 1064, A('Can not set alias for table in Backup Stmt: t')],
  ['BACKUP SNAPSHOT d1.s TO r1 ON (TABLE v)', 1064, A('Table: v can not support backup restore, type: VIEW. Back it up with VIEW v')],
  ['BACKUP SNAPSHOT d1.s TO r1 ON (VIEW t)', 1064, A('t is not a view: back it up with TABLE t')],
  ['BACKUP SNAPSHOT d1.s TO r1 ON (MATERIALIZED VIEW mv)', 1235, 'BACKUP of materialized views is not supported by tablevault'],
  ['BACKUP SNAPSHOT d1.s TO r1 ON (ALL MATERIALIZED VIEWS)', 1235, 'BACKUP of materialized views is not supported by tablevault'],
  ['BACKUP SNAPSHOT d1.s TO r1 ON (FUNCTION f)', 1235, 'BACKUP of functions is not supported by tablevault'],
  ['BACKUP EXTERNAL CATALOG (c1) SNAPSHOT s TO r1', 1235, 'BACKUP of external catalogs is not supported by tablevault'],
  ['BACKUP SNAPSHOT d1.s TO r1 PROPERTIES ("timeout" = "abc")', 1064, A('Invalid timeout format: abc')],
  ['BACKUP SNAPSHOT d1.s TO r1 PROPERTIES ("timeout" = "599")', 1064, A('timeout must be at least 10 min')],
  ['BACKUP SNAPSHOT d1.s TO r1 PROPERTIES ("type" = "diff")', 1064, A('Invalid backup job type: diff')],
  ['BACKUP SNAPSHOT d1.s TO r1 PROPERTIES ("a" = "1", "timeout" = "600", "b" = "2")', 1064, A('Unknown backup job properties: [a, b]')],
  ['BACKUP SNAPSHOT d1.s TO ro', 1064, 'Repository ro is read only'],
  ['SHOW SNAPSHOT ON nope', 1064, A('Repository [nope] does not exist')],
  ["SHOW SNAPSHOT ON r1 WHERE TIMESTAMP = '2024-01-01-00-00-00'", 1064, A("Where clause should looks like: SNAPSHOT = 'your_snapshot_name' [AND TIMESTAMP = '2018-04-18-19-19-10']")],
  ["SHOW SNAPSHOT ON r1 WHERE SNAPSHOT = 'a' OR SNAPSHOT = 'b'", 1064, A("Where clause should looks like: SNAPSHOT = 'your_snapshot_name' [AND TIMESTAMP = '2018-04-18-19-19-10']")],
  ["SHOW SNAPSHOT ON r1 WHERE SNAPSHOT = ''", 1064, A("Where clause should looks like: SNAPSHOT = 'your_snapshot_name' [AND TIMESTAMP = '2018-04-18-19-19-10']")],
  ["SHOW SNAPSHOT ON r1 WHERE name IN ('a')", 1064, A('Left expr of should be snapshot')],
  ['SHOW SNAPSHOT ON r1 WHERE SNAPSHOT IN (1)', 1064, A('Child of in predicate should be string value')],
  ['SHOW BACKUP FROM nodb', 1064, A("Unknown database 'nodb'")],
  ['CANCEL BACKUP FROM e', 1064, 'No backup job is currently running'],
  ['CANCEL BACKUP FROM nodb', 1064, "Unknown database 'nodb'"],
  ['DROP REPOSITORY nope', 1064, A('Repository does not exist')],
  ['DROP SNAPSHOT s ON nope', 1064, 'Repository does not exist: nope'],
  ['DROP SNAPSHOT s ON ro', 1064, 'Repository ro is read only'],
  ['DROP SNAPSHOT s ON r1', 1064, 'Snapshot does not exist in repository r1: s'],
  ["CREATE REPOSITORY r1 WITH BROKER ON LOCATION 'file:///tmp'", 1064, 'Failed to create repository: repository with same name already exist: r1'],
  ["CREATE REPOSITORY `1x` WITH BROKER ON LOCATION 'file:///tmp'", 1064, A("Incorrect repository name '1x'")],
];

describe('BACKUP / repository statement errors', () => {
  for (const [sql, errno, message] of CASES) {
    it(sql, async () => {
      const error = await f.exec(sql).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isSqlError(error), String(error)).toBe(true);
      expect({ errno: (error as { errno: number }).errno, message: (error as Error).message }).toEqual({ errno, message });
    });
  }

  it('accepts every object form and property of the grammar', async () => {
    await f.exec(
      'BACKUP DATABASE d1 SNAPSHOT forms TO r1 ON (t PARTITION (p1, p2), TABLE u, VIEW v) PROPERTIES ("type" = "full", "timeout" = "600")',
    );
    const row = await f.waitBackup('d1');
    expect([row[3], row[4], row[13]]).toEqual(['FINISHED', '[t PARTITION (p1, p2)], [u], [v]', '600']);
    await f.exec('USE d1');
    await f.exec('BACKUP SNAPSHOT forms2 TO r1 ON (ALL TABLES, ALL VIEWS)');
    expect((await f.waitBackup('d1')).slice(3, 5)).toEqual(['FINISHED', '[t], [u], [v]']);
    expect((await f.rows('SHOW SNAPSHOT ON r1')).map((r) => r[0]).sort()).toEqual(['forms', 'forms2']);
  });

  it('one job per database; DROP REPOSITORY and DROP SNAPSHOT refused while it runs; CANCEL releases snapshots', async () => {
    await f.exec('BACKUP SNAPSHOT d1.live TO slow');
    // Wait until at least one file is in the repository.
    const [job] = (await f.rows('SHOW BACKUP FROM d1')) as [[string]];
    for await (const e of f.engine.jobs.watch(Number(job[0]))) if (e.filesDone >= 1 || e.done) break;
    await expect(f.exec('BACKUP SNAPSHOT d1.other TO r1')).rejects.toThrow('Can only run one backup or restore job of a database at same time');
    await expect(f.exec('DROP REPOSITORY slow')).rejects.toThrow('Backup or restore job is running on this repository. Can not drop it');
    await expect(f.exec('DROP SNAPSHOT live ON slow')).rejects.toThrow('Can not drop snapshot live: a backup is writing it');
    await f.exec('CANCEL BACKUP FROM d1');
    const row = (await f.rows('SHOW BACKUP FROM d1'))[0]!;
    expect([row[1], row[3], row[12]]).toEqual(['live', 'CANCELLED', '[COMMON_ERROR, msg: user cancelled]']);
    expect(row[8]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/); // FinishedTime of the cancel
    expect(unkeptSnapshotFiles(f.dataDir)).toEqual([]);
    expect(listTree(path.join(f.dataDir, 'tmp', 'backup'))).toEqual([]);
    await expect(f.exec('CANCEL BACKUP FROM d1')).rejects.toThrow('Failed to cancel job: Job with label live can not be cancelled. state: CANCELLED');
    // StarRocks leaves the partial __ss_live behind and it blocks the label; DROP SNAPSHOT … FORCE removes it.
    expect(await f.rows('SHOW SNAPSHOT ON slow')).toEqual([['live', '', 'ERROR: no snapshot', null, null, null]]);
    await expect(f.exec('BACKUP SNAPSHOT d1.live TO slow')).rejects.toThrow("Snapshot with name 'live' already exist in repository");
    await expect(f.exec('DROP SNAPSHOT live ON slow')).rejects.toThrow(
      /^Snapshot live in repository slow does not record which cluster created it, and this cluster is \d+\. Use DROP SNAPSHOT \.\.\. FORCE to drop it anyway$/,
    );
    await f.exec('DROP SNAPSHOT live ON slow FORCE');
    expect(await f.rows('SHOW SNAPSHOT ON slow')).toEqual([]);
    await f.exec('DROP REPOSITORY slow');
    expect((await f.rows('SHOW REPOSITORIES')).map((r) => r[1])).toEqual(['r1', 'ro']);
  });

  it('SHOW REPOSITORIES has the 7 StarRocks columns', async () => {
    const r = await f.exec('SHOW REPOSITORIES');
    expect(r.kind === 'rows' && r.columns).toEqual(['RepoId', 'RepoName', 'CreateTime', 'IsReadOnly', 'Location', 'Broker', 'ErrMsg']);
    const ro = (await f.rows('SHOW REPOSITORIES')).find((x) => x[1] === 'ro')!;
    expect([ro[3], ro[5], ro[6]]).toEqual(['true', '', null]);
  });
});
