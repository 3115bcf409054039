/**
 * CREATE TABLE through the real Engine: every option of the issue, every analysis error, and SHOW CREATE TABLE's
 * text parsing back into an equivalent table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from './helpers.ts';

const ALL_TYPES = `CREATE TABLE all_types (
  k1 BIGINT NOT NULL COMMENT "the id",
  k2 DATE NOT NULL DEFAULT "2024-01-01",
  b BOOLEAN, ti TINYINT, si SMALLINT, i INT DEFAULT "7", bi BIGINT, li LARGEINT, f FLOAT, d DOUBLE,
  dec DECIMAL(12, 3), c CHAR(4), vc VARCHAR(20) NOT NULL DEFAULT "none", s STRING, dt DATETIME
) DUPLICATE KEY(k1, k2)
COMMENT "every type"
PARTITION BY RANGE(k2) (
  PARTITION p2023 VALUES LESS THAN ("2024-01-01"),
  PARTITION p2024 VALUES [("2024-01-01"), ("2025-01-01")),
  PARTITION pmax VALUES LESS THAN (MAXVALUE)
)
DISTRIBUTED BY HASH(k1) BUCKETS 5
PROPERTIES ("replication_num" = "2", "storage_medium" = "SSD")`;

describe('CREATE TABLE', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb({ database: 'db' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('every column type, NULL/NOT NULL, DEFAULT, COMMENT, range partitions, hash buckets, properties', async () => {
    await t.exec(ALL_TYPES);
    expect(await t.rows('DESC all_types')).toEqual([
      ['k1', 'bigint(20)', 'NO', 'true', null, ''],
      ['k2', 'date', 'NO', 'true', '2024-01-01', ''],
      ['b', 'boolean', 'YES', 'false', null, ''],
      ['ti', 'tinyint(4)', 'YES', 'false', null, ''],
      ['si', 'smallint(6)', 'YES', 'false', null, ''],
      ['i', 'int(11)', 'YES', 'false', '7', ''],
      ['bi', 'bigint(20)', 'YES', 'false', null, ''],
      ['li', 'largeint(40)', 'YES', 'false', null, ''],
      ['f', 'float', 'YES', 'false', null, ''],
      ['d', 'double', 'YES', 'false', null, ''],
      ['dec', 'decimal(12, 3)', 'YES', 'false', null, ''],
      ['c', 'char(4)', 'YES', 'false', null, ''],
      ['vc', 'varchar(20)', 'NO', 'false', 'none', ''],
      ['s', 'varchar(65533)', 'YES', 'false', null, ''],
      ['dt', 'datetime', 'YES', 'false', null, ''],
    ]);
    const parts = await t.result('SHOW PARTITIONS FROM all_types');
    expect(parts.rows.map((r) => [r[1], r[9], r[10]])).toEqual([['p2023', '5', '2'], ['p2024', '5', '2'], ['pmax', '5', '2']]);
    const tablets = await t.rows('SHOW TABLET FROM all_types');
    expect(tablets).toHaveLength(3 * 5 * 2);
    const create = (await t.rows('SHOW CREATE TABLE all_types'))[0]?.[1] ?? '';
    expect(create).toContain("`k1` bigint(20) NOT NULL COMMENT 'the id'");
    expect(create).toContain("COMMENT 'every type'");
    expect(create).toContain('"storage_medium" = "SSD"');
  });

  it('defaults: DUPLICATE KEY of the leading columns, RANDOM distribution, replication_num = min(3, backends)', async () => {
    await t.exec('CREATE TABLE plain (a INT, b VARCHAR(3), c DOUBLE, d INT)');
    const create = (await t.rows('SHOW CREATE TABLE plain'))[0]?.[1] ?? '';
    expect(create).toContain('  DUPLICATE KEY (`a`, `b`)');
    expect(create).toContain('DISTRIBUTED BY RANDOM BUCKETS 3');
    expect(create).toContain('"replication_num" = "3"');
    await t.exec('CREATE TABLE pk_default (id INT, v INT) PRIMARY KEY(id)');
    const pk = (await t.rows('SHOW CREATE TABLE pk_default'))[0]?.[1] ?? '';
    expect(pk).toContain('DISTRIBUTED BY HASH(`id`) BUCKETS 3');
    // A PRIMARY KEY column is NOT NULL even when written without it.
    expect((await t.rows('DESC pk_default'))[0]?.[2]).toBe('NO');
  });

  it('1060 for a duplicate column name', async () => {
    const e = await t.fails('CREATE TABLE e (k INT, K INT)');
    expect([e.errno, e.sqlState, e.message]).toEqual([1060, '42S21', "Duplicate column name 'K'"]);
  });

  it('IF NOT EXISTS and 1050 for an existing name', async () => {
    await t.exec('CREATE TABLE dup (a INT)');
    const e = await t.fails('CREATE TABLE dup (b INT)');
    expect([e.errno, e.sqlState]).toEqual([1050, '42S01']);
    await t.exec('CREATE TABLE IF NOT EXISTS dup (b INT)');
    expect((await t.rows('DESC dup')).map((r) => r[0])).toEqual(['a']);
  });

  const analysisErrors: readonly (readonly [string, string])[] = [
    ['CREATE TABLE e (k INT, v INT) DUPLICATE KEY(v)', 'Key columns should be a ordered prefix of the schema'],
    ['CREATE TABLE e (k INT, v INT) DUPLICATE KEY(k, zz)', 'Key column[zz] does not exist'],
    ['CREATE TABLE e (k INT, v INT SUM) DUPLICATE KEY(k)', 'can not specify aggregate function'],
    ['CREATE TABLE e (k INT, v INT REPLACE) PRIMARY KEY(k)', 'can not specify aggregate function'],
    ['CREATE TABLE e (k INT, v INT MAX) UNIQUE KEY(k)', 'can not specify aggregate function'],
    ['CREATE TABLE e (k INT, v INT) AGGREGATE KEY(k)', 'The column[v] of AGGREGATE KEY table must specify aggregate function'],
    ['CREATE TABLE e (k INT SUM, v INT SUM) AGGREGATE KEY(k)', 'Key column k can not set aggregation type'],
    ['CREATE TABLE e (k INT, v VARCHAR(3) SUM) AGGREGATE KEY(k)', "Invalid aggregate function 'SUM' for 'v'"],
    ['CREATE TABLE e (k INT, v DATE SUM) AGGREGATE KEY(k)', "Invalid aggregate function 'SUM' for 'v'"],
    ['CREATE TABLE e (k INT NULL, v INT) PRIMARY KEY(k)', 'Primary key column k can not be nullable'],
    ['CREATE TABLE e (k DOUBLE, v INT) DUPLICATE KEY(k)', "Invalid data type of key column 'k'"],
    ['CREATE TABLE e (k INT, v INT) DISTRIBUTED BY HASH(zz)', 'Distribution column(zz) doesn\'t exist'],
    ['CREATE TABLE e (k INT, v INT) PRIMARY KEY(k) DISTRIBUTED BY HASH(v)', 'Distribution column[v] is not key column'],
    ['CREATE TABLE e (k INT, v INT SUM) AGGREGATE KEY(k) DISTRIBUTED BY HASH(v)', 'Distribution column[v] is not key column'],
    ['CREATE TABLE e (k INT, v DOUBLE) DISTRIBUTED BY HASH(v)', 'can not be a FLOAT or DOUBLE column'],
    ['CREATE TABLE e (k INT, v INT) PRIMARY KEY(k) DISTRIBUTED BY RANDOM', 'Random distribution is only supported in DUPLICATE KEY tables'],
    ['CREATE TABLE e (k INT) DISTRIBUTED BY HASH(k) BUCKETS 0', 'Number of buckets should be a positive integer'],
    ['CREATE TABLE e (k INT, v INT) PARTITION BY RANGE(zz) (PARTITION p VALUES LESS THAN ("1"))', 'Partition column[zz] does not exist in column list'],
    ['CREATE TABLE e (k INT, v INT) PRIMARY KEY(k) PARTITION BY RANGE(v) (PARTITION p VALUES LESS THAN ("1"))', 'should be key column: v'],
    ['CREATE TABLE e (k INT, v INT) PROPERTIES ("replication_num" = "0")', "Invalid replication_num: '0'"],
    ['CREATE TABLE e (k INT, v INT) PROPERTIES ("replication_num" = "two")', "Invalid replication_num: 'two'"],
    ['CREATE TABLE e (k INT, v INT) PROPERTIES ("colour" = "red")', 'Unknown properties: {colour=red}'],
    ['CREATE TABLE e (k INT, v DECIMAL(39, 2))', "DECIMAL's precision should range from 1 to 38"],
    ['CREATE TABLE e (k INT, v DECIMAL(5, 6))', "DECIMAL's scale should range from 0 to precision 5"],
    ['CREATE TABLE e (k INT, v VARCHAR(0))', 'Varchar size must be between 1 and 1048576'],
    ['CREATE TABLE e (k INT, v VARCHAR(1048577))', 'Varchar size must be between 1 and 1048576'],
  ];

  it.each(analysisErrors)('%s → %s', async (sql, message) => {
    const e = await t.fails(sql);
    expect([e.errno, e.sqlState]).toEqual([1064, 'HY000']);
    expect(e.message).toContain(message);
    // Analysis errors read "Getting analyzing error. Detail message: X." with exactly one closing period.
    if (e.message.startsWith('Getting analyzing error')) expect(e.message).not.toMatch(/\.\.$/);
    expect((await t.rows("SHOW TABLES LIKE 'e'"))).toEqual([]);
  });

  it('replication_num larger than the number of backends is a clear error naming both numbers and the fix', async () => {
    const e = await t.fails('CREATE TABLE e (k INT) PROPERTIES ("replication_num" = "4")');
    expect(e.errno).toBe(1064);
    expect(e.message).toContain('Current alive backend is [3], replication_num is 4');
    expect(e.message).toContain('"replication_num" = "3"');
    await t.exec('CREATE TABLE three (k INT) PROPERTIES ("replication_num" = "3")');
  });

  it('bad table names', async () => {
    expect((await t.fails('CREATE TABLE ` lead` (a INT)')).message).toContain("Incorrect table name ' lead'");
  });

  const roundTrip: readonly string[] = [
    ALL_TYPES.replace('all_types', 'rt_all'),
    'CREATE TABLE rt_agg (k INT, d DATE, s BIGINT SUM DEFAULT "0", mi INT MIN, ma DECIMAL(9,2) MAX, r VARCHAR(5) REPLACE, rn STRING REPLACE_IF_NOT_NULL) AGGREGATE KEY(k, d) PARTITION BY RANGE(d) (PARTITION p1 VALUES LESS THAN ("2024-06-01"), PARTITION p2 VALUES LESS THAN ("2025-01-01")) DISTRIBUTED BY HASH(k) BUCKETS 2',
    'CREATE TABLE rt_pk (id BIGINT NOT NULL, name VARCHAR(32) COMMENT "who \\"quoted\\"", at DATETIME DEFAULT CURRENT_TIMESTAMP) PRIMARY KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 4 PROPERTIES ("replication_num" = "1")',
    'CREATE TABLE rt_uk (a INT, b CHAR(2), c INT) UNIQUE KEY(a, b) DISTRIBUTED BY HASH(a, b)',
    'CREATE TABLE rt_list (id INT, city VARCHAR(10), n INT) DUPLICATE KEY(id) PARTITION BY LIST(city) (PARTITION pn VALUES IN ("oslo", "bergen"), PARTITION ps VALUES IN ("rome")) DISTRIBUTED BY RANDOM BUCKETS 2',
    'CREATE TABLE rt_multi (a INT, b INT, v INT) PARTITION BY RANGE(a, b) (PARTITION p1 VALUES LESS THAN ("10", "5"), PARTITION p2 VALUES LESS THAN ("20", "0")) DISTRIBUTED BY HASH(a)',
  ];

  it.each(roundTrip)('SHOW CREATE TABLE parses back into an equivalent table: %s', async (sql) => {
    await t.exec(sql);
    const name = /CREATE TABLE (\w+)/.exec(sql)?.[1] as string;
    const describe = async (): Promise<unknown> => ({
      create: (await t.rows(`SHOW CREATE TABLE ${name}`))[0]?.[1],
      desc: await t.rows(`DESC ${name} ALL`),
      partitions: (await t.rows(`SHOW PARTITIONS FROM ${name}`)).map((r) => [r[1], r[6], r[7], r[8], r[9], r[10]]),
      tablets: (await t.rows(`SHOW TABLET FROM ${name}`)).length,
    });
    const before = await describe();
    const text = (before as { create: string }).create;
    await t.exec(`DROP TABLE ${name}`);
    await t.exec(text);
    expect(await describe()).toEqual(before);
  });

  it('SHOW CREATE TABLE round-trips a table whose lowest partition was added last', async () => {
    await t.exec('CREATE TABLE late_low (k INT, v INT) PARTITION BY RANGE(k) (PARTITION p1 VALUES LESS THAN ("10"), PARTITION p2 VALUES LESS THAN ("20"))');
    await t.exec('ALTER TABLE late_low DROP PARTITION p1');
    await t.exec('ALTER TABLE late_low ADD PARTITION p0 VALUES LESS THAN ("5")');
    const ranges = async (): Promise<unknown> => (await t.rows('SHOW PARTITIONS FROM late_low')).map((r) => [r[1], r[7]]).sort();
    const before = await ranges();
    expect(before).toEqual([
      ['p0', '[types: [INT]; keys: [MINVALUE]; ..types: [INT]; keys: [5]; )'],
      ['p2', '[types: [INT]; keys: [10]; ..types: [INT]; keys: [20]; )'],
    ]);
    const text = (await t.rows('SHOW CREATE TABLE late_low'))[0]?.[1] as string;
    await t.exec('DROP TABLE late_low');
    await t.exec(text);
    expect(await ranges()).toEqual(before);
  });
});
