/** DELETE FROM … WHERE through SQL: semantics per key model, a new version per touched partition, and its errors. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { column, openTestDb, type TestDb } from './helpers.ts';

describe('DELETE', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb({ database: 'db' });
  });
  afterAll(async () => {
    await t.close();
  });

  const partitions = async (table: string): Promise<Record<string, [number, number]>> => {
    const r = await t.result(`SHOW PARTITIONS FROM ${table}`);
    const names = column(r, 'PartitionName');
    const versions = column(r, 'VisibleVersion');
    const counts = column(r, 'RowCount');
    return Object.fromEntries(names.map((n, i) => [n as string, [Number(versions[i]), Number(counts[i])]]));
  };

  it('DUPLICATE KEY: deletes every matching row (duplicates too) as a new version of the touched partitions only', async () => {
    await t.exec(`CREATE TABLE dup (k INT, v VARCHAR(5)) DUPLICATE KEY(k)
      PARTITION BY RANGE(k) (PARTITION p1 VALUES LESS THAN ("10"), PARTITION p2 VALUES LESS THAN ("20")) DISTRIBUTED BY HASH(k) BUCKETS 3`);
    await t.exec("INSERT INTO dup VALUES (1, 'a'), (1, 'a'), (2, 'b'), (11, 'c'), (12, NULL)");
    const before = await partitions('dup');
    expect(await t.ok("DELETE FROM dup WHERE v = 'a'")).toBe(2);
    const after = await partitions('dup');
    expect(after['p1']).toEqual([(before['p1'] as [number, number])[0] + 1, 1]);
    expect(after['p2']).toEqual(before['p2']);
    expect(await t.rows('SELECT k, v FROM dup ORDER BY k')).toEqual([['2', 'b'], ['11', 'c'], ['12', null]]);
    // NULL never matches a comparison; IS NULL does.
    expect(await t.ok("DELETE FROM dup WHERE v <> 'zzz'")).toBe(2);
    expect(await t.ok('DELETE FROM dup WHERE v IS NULL')).toBe(1);
    expect(await t.rows('SELECT COUNT(*) FROM dup')).toEqual([['0']]);
  });

  it('a DELETE that matches nothing changes no version', async () => {
    await t.exec('CREATE TABLE none_t (k INT) DISTRIBUTED BY HASH(k) BUCKETS 2');
    await t.exec('INSERT INTO none_t VALUES (1), (2)');
    const before = await partitions('none_t');
    expect(await t.ok('DELETE FROM none_t WHERE k > 100')).toBe(0);
    expect(await partitions('none_t')).toEqual(before);
  });

  it('PRIMARY KEY: deletes the current row of a key; a later load of the key brings it back', async () => {
    await t.exec('CREATE TABLE pk (k INT NOT NULL, v VARCHAR(5)) PRIMARY KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 2');
    await t.exec("INSERT INTO pk VALUES (1, 'old'), (2, 'b')");
    await t.exec("INSERT INTO pk VALUES (1, 'new')");
    // The predicate sees only the current row: the replaced value matches nothing.
    expect(await t.ok("DELETE FROM pk WHERE v = 'old'")).toBe(0);
    expect(await t.ok("DELETE FROM pk WHERE v = 'new'")).toBe(1);
    expect(await t.rows('SELECT * FROM pk ORDER BY k')).toEqual([['2', 'b']]);
    await t.exec("INSERT INTO pk VALUES (1, 'again')");
    expect(await t.rows('SELECT * FROM pk ORDER BY k')).toEqual([['1', 'again'], ['2', 'b']]);
  });

  it('AGGREGATE and UNIQUE KEY: the predicate sees merged rows', async () => {
    await t.exec('CREATE TABLE agg (k INT, s BIGINT SUM) AGGREGATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 2');
    await t.exec('INSERT INTO agg VALUES (1, 1), (1, 2), (2, 1)');
    expect(await t.ok('DELETE FROM agg WHERE s = 1')).toBe(1);
    expect(await t.rows('SELECT * FROM agg')).toEqual([['1', '3']]);
    await t.exec('CREATE TABLE uk (k INT, v INT) UNIQUE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1');
    await t.exec('INSERT INTO uk VALUES (1, 1); INSERT INTO uk VALUES (1, 2)');
    expect(await t.ok('DELETE FROM uk WHERE v = 1')).toBe(0);
    expect(await t.ok('DELETE FROM uk WHERE v = 2')).toBe(1);
    expect(await t.rows('SELECT COUNT(*) FROM uk')).toEqual([['0']]);
  });

  it('DELETE … PARTITION (p) only deletes there', async () => {
    await t.exec('CREATE TABLE dp (k INT, v INT) PARTITION BY RANGE(k) (PARTITION p1 VALUES LESS THAN ("10"), PARTITION p2 VALUES LESS THAN ("20"))');
    await t.exec('INSERT INTO dp VALUES (1, 0), (11, 0)');
    expect(await t.ok('DELETE FROM dp PARTITION (p2) WHERE v = 0')).toBe(1);
    expect(await t.rows('SELECT k FROM dp')).toEqual([['1']]);
    expect((await t.fails('DELETE FROM dp PARTITION (p9) WHERE v = 0')).errno).toBe(1735);
  });

  it('errors: no WHERE, unknown column, unknown table, a view', async () => {
    let e = await t.fails('DELETE FROM dp');
    expect([e.errno, e.sqlState]).toEqual([1064, 'HY000']);
    expect(e.message).toContain('Where clause is not set');
    expect(e.message).toContain('TRUNCATE TABLE dp');
    e = await t.fails('DELETE FROM dp WHERE nope = 1');
    expect([e.errno, e.message]).toEqual([1054, expect.stringContaining("Unknown column 'nope'")]);
    expect((await t.fails('DELETE FROM nope WHERE k = 1')).errno).toBe(1146);
    await t.exec('CREATE VIEW dv AS SELECT k FROM dp');
    expect((await t.fails('DELETE FROM dv WHERE k = 1')).errno).toBe(1347);
    expect(await t.rows('SELECT COUNT(*) FROM dp')).toEqual([['1']]);
  });
});
