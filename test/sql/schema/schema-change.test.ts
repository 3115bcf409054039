/**
 * ALTER TABLE schema change end to end on a real Engine: old files read under the new schema (added columns read
 * their default, dropped ones are skipped, renamed ones map by id, widened ones convert), rewrites only when a type
 * change needs one, StarRocks' refusals, SHOW ALTER TABLE COLUMN, and the guards of running jobs.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { getTable, listRowsets, listTablets, listPartitions, openCatalog } from '../../../src/catalog/index.ts';
import { column, openTestDb, type TestDb } from '../data-plane/helpers.ts';

describe('ALTER TABLE schema change', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await openTestDb({ database: 'db' });
  });
  afterEach(async () => {
    await t.close();
  });


  const fileNames = (name: string): string[] => {
    const catalog = openCatalog(path.join(t.dir, 'catalog.sqlite'));
    try {
    const db = catalog.prepare<[string], { id: number }>('SELECT id FROM databases WHERE name = ?').get('db')!;
    const table = getTable(catalog, { dbId: db.id, name })!;
    return listPartitions(catalog, table.id).flatMap((p) =>
      listTablets(catalog, { partitionId: p.id }).flatMap((tb) => listRowsets(catalog, tb.id, p.visibleVersion).flatMap((r) => r.files.map((f) => f.name))),
    ).sort();
    } finally {
      catalog.close();
    }
  };

  it('ADD / DROP / RENAME / MODIFY COLUMN read old files under the new schema without rewriting them', async () => {
    await t.exec('CREATE TABLE t (k INT, v INT, s VARCHAR(10)) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 2 PROPERTIES ("replication_num" = "1")');
    await t.exec("INSERT INTO t VALUES (1, 10, 'a'), (2, 20, 'b')");
    const before = fileNames('t');
    await t.exec("ALTER TABLE t ADD COLUMN d VARCHAR(5) DEFAULT 'x' AFTER k");
    expect(await t.rows('SELECT * FROM t ORDER BY k')).toEqual([['1', 'x', '10', 'a'], ['2', 'x', '20', 'b']]);
    await t.exec("INSERT INTO t VALUES (3, 'y', 30, 'c')");
    await t.exec('ALTER TABLE t DROP COLUMN v');
    await t.exec('ALTER TABLE t RENAME COLUMN s TO name');
    await t.exec('ALTER TABLE t MODIFY COLUMN name VARCHAR(20)');
    expect(await t.rows('SELECT k, d, name FROM t ORDER BY k')).toEqual([['1', 'x', 'a'], ['2', 'x', 'b'], ['3', 'y', 'c']]);
    // A column added again under a dropped name does not see the dropped column's data.
    await t.exec('ALTER TABLE t ADD COLUMN v INT');
    expect(await t.rows('SELECT k, v FROM t ORDER BY k')).toEqual([['1', null], ['2', null], ['3', null]]);
    expect(fileNames('t').filter((f) => before.includes(f))).toEqual(before);
    const jobs = await t.result('SHOW ALTER TABLE COLUMN');
    expect(jobs.columns).toEqual(['JobId', 'TableName', 'CreateTime', 'FinishTime', 'IndexName', 'IndexId', 'OriginIndexId', 'SchemaVersion', 'TransactionId', 'State', 'Msg', 'Progress', 'Timeout']);
    expect(column(jobs, 'State')).toEqual(['FINISHED', 'FINISHED', 'FINISHED', 'FINISHED', 'FINISHED']);
    expect(column(jobs, 'SchemaVersion').map((v) => v?.split(':')[0])).toEqual(['1', '2', '3', '4', '5']);
    expect(column(jobs, 'TransactionId')).toEqual(['0', '0', '0', '0', '0']);
  });

  it('a widening that changes the stored encoding rewrites the table, in one version with the new schema', async () => {
    await t.exec('CREATE TABLE w (k INT, v INT, d DATE) PRIMARY KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 2 PROPERTIES ("replication_num" = "2")');
    await t.exec("INSERT INTO w VALUES (1, 2147483647, '2024-01-02'), (2, -5, '2024-03-04')");
    await t.exec("INSERT INTO w VALUES (2, 7, '2024-03-05')");
    const before = fileNames('w');
    await t.exec('ALTER TABLE w MODIFY COLUMN v BIGINT');
    await t.exec('ALTER TABLE w MODIFY COLUMN d DATETIME');
    expect(fileNames('w').some((f) => before.includes(f))).toBe(false);
    expect(await t.rows('SELECT k, v + 1, d FROM w ORDER BY k')).toEqual([['1', '2147483648', '2024-01-02 00:00:00'], ['2', '8', '2024-03-05 00:00:00']]);
    expect(await t.rows('DESC w')).toEqual([
      ['k', 'int(11)', 'NO', 'true', null, ''],
      ['v', 'bigint(20)', 'YES', 'false', null, ''],
      ['d', 'datetime', 'YES', 'false', null, ''],
    ]);
    const ids = column(await t.result('SHOW ALTER TABLE COLUMN FROM db'), 'TransactionId');
    expect(ids.every((id) => id !== '0')).toBe(true);
  });

  it('refuses changes that would lose data or break keys, with StarRocks messages', async () => {
    await t.exec('CREATE TABLE p (k INT, v BIGINT NULL, s VARCHAR(10), a INT NOT NULL DEFAULT "1") PRIMARY KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ("replication_num" = "1")');
    const msg = async (sql: string): Promise<string> => (await t.fails(sql)).message;
    expect(await msg('ALTER TABLE p DROP COLUMN k')).toBe('Can not drop key column in primary data model table');
    expect(await msg('ALTER TABLE p MODIFY COLUMN v INT')).toBe('Can not change bigint(20) to int(11)');
    expect(await msg('ALTER TABLE p MODIFY COLUMN s VARCHAR(5)')).toBe('Cannot shorten string length');
    expect(await msg('ALTER TABLE p MODIFY COLUMN v BIGINT NOT NULL')).toBe('Can not change from nullable to non-nullable');
    expect(await msg('ALTER TABLE p MODIFY COLUMN a INT NOT NULL DEFAULT "2"')).toBe('Can not change default value');
    expect(await msg('ALTER TABLE p MODIFY COLUMN v DATE')).toBe('Can not change bigint(20) to date');
    expect(await msg('ALTER TABLE p MODIFY COLUMN k BIGINT')).toBe('Can not modify distribution column[k]. index[p]');
    expect(await msg('ALTER TABLE p ADD COLUMN v INT')).toBe('Can not add column which already exists in base table: v');
    expect(await msg('ALTER TABLE p DROP COLUMN nope')).toBe('Column does not exists: nope');
    expect(await msg('ALTER TABLE p RENAME COLUMN s TO v')).toBe('Column name[v] is already used');
    expect(await msg('ALTER TABLE p ADD COLUMN z INT FIRST')).toBe('Invalid column order. value should be after key. index[p]');
    expect(await msg('ALTER TABLE p ADD COLUMN z INT NOT NULL')).toMatch(/^Column 'z' is NOT NULL and has no DEFAULT/);
    expect(await msg('ALTER TABLE p ADD COLUMN z INT AFTER nope')).toBe('Column[nope] does not exist');
    expect(await msg('ALTER TABLE p ADD COLUMN z INT, RENAME q')).toMatch(/cannot be combined/);
    // Nothing changed: the schema version is still 0.
    expect(await t.rows('SHOW ALTER TABLE COLUMN')).toEqual([]);
  });

  it('RENAME the table and COMMENT keep data and schema history; refusals name the problem', async () => {
    await t.exec('CREATE TABLE r (k INT, v INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ("replication_num" = "1")');
    await t.exec('CREATE TABLE taken (k INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ("replication_num" = "1")');
    await t.exec('INSERT INTO r VALUES (1, 10), (2, 20)');
    await t.exec('ALTER TABLE r ADD COLUMN w INT DEFAULT "7"');
    await t.exec('ALTER TABLE r RENAME r2');
    expect(await t.rows('SELECT * FROM r2 ORDER BY k')).toEqual([['1', '10', '7'], ['2', '20', '7']]);
    expect((await t.fails('SELECT * FROM r')).message).toBe("Table 'db.r' doesn't exist");
    // The job keeps the name the table had when it ran, as StarRocks' AlterJobV2 records it.
    expect(column(await t.result('SHOW ALTER TABLE COLUMN'), 'TableName')).toEqual(['r']);
    await t.exec('ALTER TABLE r2 COMMENT = "orders, renamed"');
    expect((await t.rows('SHOW CREATE TABLE r2'))[0]?.[1]).toContain("COMMENT 'orders, renamed'");
    const msg = async (sql: string): Promise<string> => (await t.fails(sql)).message;
    expect(await msg('ALTER TABLE r2 RENAME taken')).toBe("Table 'taken' already exists");
    expect(await msg('ALTER TABLE nope RENAME x')).toBe("Table 'db.nope' doesn't exist");
    expect(await t.rows('SELECT * FROM r2 ORDER BY k')).toEqual([['1', '10', '7'], ['2', '20', '7']]);
  });
});
