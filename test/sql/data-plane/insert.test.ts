/**
 * INSERT through SQL: VALUES and SELECT sources, column lists and defaults, type conversions, every error of the
 * issue (1136, 1406, 1264, 1292, 1048, 1526, 1054, 1146, 1735), generate_series with steps, INSERT OVERWRITE,
 * labels, and all-or-nothing loads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from './helpers.ts';

describe('INSERT', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb({ database: 'db' });
    await t.exec(`CREATE TABLE typed (k INT NOT NULL, s VARCHAR(3), c CHAR(2), d DECIMAL(4,1), b BOOLEAN, dt DATETIME, dd DATE,
      f FLOAT, db DOUBLE, ti TINYINT, si SMALLINT, bi BIGINT, li LARGEINT, str STRING, n INT NOT NULL DEFAULT "42")
      DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 2`);
  });
  afterAll(async () => {
    await t.close();
  });

  it('VALUES with every type and conversions; unnamed columns take their defaults; OK carries a label', async () => {
    const r = await t.exec(`INSERT INTO typed VALUES (1, 'abc', 'xy', 123.45, 2, '2024-02-29 23:59:59', 20240301, 1.5, -2.25, -128, 32767,
      -9223372036854775808, 170141183460469231731687303715884105727, 'long text', 0)`);
    expect(r).toMatchObject({ kind: 'ok', affectedRows: 1, message: expect.stringMatching(/^\{'label':'insert_\d+_\d+', 'status':'VISIBLE', 'txnId':'\d+'\}$/) });
    await t.exec("INSERT INTO typed (k, s) VALUES ('7', NULL)");
    await t.exec('INSERT INTO typed (k) VALUES (1 + 2 * 3)');
    expect(await t.rows('SELECT * FROM typed WHERE k = 1')).toEqual([[
      '1', 'abc', 'xy', '123.5', '1', '2024-02-29 23:59:59', '2024-03-01', '1.5', '-2.25', '-128', '32767',
      '-9223372036854775808', '170141183460469231731687303715884105727', 'long text', '0',
    ]]);
    expect(await t.rows('SELECT k, s, n FROM typed WHERE k = 7')).toEqual([['7', null, '42'], ['7', null, '42']]);
    const labelled = await t.exec('INSERT INTO typed WITH LABEL my_label (k) VALUES (8)');
    expect(labelled).toMatchObject({ message: expect.stringContaining("'label':'my_label'") });
  });

  const errors: readonly (readonly [string, number, string, string])[] = [
    ['INSERT INTO typed (k, s) VALUES (1)', 1136, '21S01', "Column count doesn't match value count at row 1"],
    ['INSERT INTO typed (k) VALUES (1), (2, 3)', 1136, '21S01', "Column count doesn't match value count at row 2"],
    ['INSERT INTO typed VALUES (1)', 1136, '21S01', "Column count doesn't match value count at row 1"],
    ['INSERT INTO typed (k, s) SELECT 1', 1136, '21S01', 'the SELECT returns 1 columns, the INSERT names 2'],
    ["INSERT INTO typed (k, s) VALUES (1, 'abcd')", 1406, '22001', "Data too long for column 's' at row 1"],
    // VARCHAR lengths count bytes, as in StarRocks: three characters of three bytes each do not fit VARCHAR(3).
    ["INSERT INTO typed (k, s) VALUES (1, 'a'), (2, '日本')", 1406, '22001', "Data too long for column 's' at row 2"],
    ["INSERT INTO typed (k, c) VALUES (1, 'abc')", 1406, '22001', "Data too long for column 'c' at row 1"],
    ['INSERT INTO typed (k) VALUES (2147483648)', 1264, '22003', "Out of range value for column 'k' at row 1"],
    ['INSERT INTO typed (k, ti) VALUES (1, 128)', 1264, '22003', "Out of range value for column 'ti' at row 1"],
    ['INSERT INTO typed (k, si) VALUES (1, -32769)', 1264, '22003', "Out of range value for column 'si' at row 1"],
    ['INSERT INTO typed (k, bi) VALUES (1, 9223372036854775808)', 1264, '22003', "Out of range value for column 'bi' at row 1"],
    ['INSERT INTO typed (k, li) VALUES (1, 170141183460469231731687303715884105728)', 1264, '22003', "Out of range value for column 'li' at row 1"],
    ['INSERT INTO typed (k, d) VALUES (1, 999.95)', 1264, '22003', "Out of range value for column 'd' at row 1"],
    ["INSERT INTO typed (k) VALUES ('abc')", 1292, '22007', "Incorrect integer value: 'abc' for column 'k' at row 1"],
    ["INSERT INTO typed (k, d) VALUES (1, 'x1')", 1292, '22007', "Incorrect decimal value: 'x1' for column 'd' at row 1"],
    ["INSERT INTO typed (k, b) VALUES (1, 'yes')", 1292, '22007', "Incorrect boolean value: 'yes' for column 'b' at row 1"],
    ["INSERT INTO typed (k, dd) VALUES (1, '2023-02-29')", 1292, '22007', "Incorrect date value: '2023-02-29' for column 'dd' at row 1"],
    ["INSERT INTO typed (k, dt) VALUES (1, '2024-01-01 24:00:00')", 1292, '22007', "Incorrect datetime value: '2024-01-01 24:00:00' for column 'dt' at row 1"],
    ['INSERT INTO typed (k, s) VALUES (NULL, NULL)', 1048, '23000', "Column 'k' cannot be null"],
    ['INSERT INTO typed (k, n) VALUES (1, NULL)', 1048, '23000', "Column 'n' cannot be null"],
    ['INSERT INTO typed (s) VALUES (NULL)', 1048, '23000', "Field 'k' doesn't have a default value"],
    ['INSERT INTO typed (k, zz) VALUES (1, 2)', 1054, '42S22', "Unknown column 'zz' in 'field list'"],
    ['INSERT INTO typed (k) VALUES (k + 1)', 1054, '42S22', "Unknown column 'k'"],
    ['INSERT INTO typed (k, k) VALUES (1, 2)', 1060, '42S21', "Column 'k' specified twice"],
    ['INSERT INTO nope VALUES (1)', 1146, '42S02', "Table 'db.nope' doesn't exist"],
    ['INSERT INTO typed PARTITION (zz) (k) VALUES (1)', 1735, 'HY000', "Unknown partition 'zz' in table 'typed'"],
    ['INSERT INTO typed (k) SELECT generate_series * 1000000 FROM TABLE(generate_series(1, 5000))', 1264, '22003', "Out of range value for column 'k' at row 2148"],
  ];

  it.each(errors)('%s → %i', async (sql, errno, sqlState, message) => {
    const before = await t.rows('SELECT COUNT(*) FROM typed');
    const e = await t.fails(sql);
    expect([e.errno, e.sqlState]).toEqual([errno, sqlState]);
    expect(e.message).toContain(message);
    // Nothing of a failed INSERT is visible.
    expect(await t.rows('SELECT COUNT(*) FROM typed')).toEqual(before);
  });

  it('1526: a row outside every partition; INSERT … PARTITION (p) rejects rows of other partitions', async () => {
    await t.exec('CREATE TABLE pt (k INT) PARTITION BY RANGE(k) (PARTITION p1 VALUES LESS THAN ("10"), PARTITION p2 VALUES LESS THAN ("20"))');
    let e = await t.fails('INSERT INTO pt VALUES (5), (25)');
    expect([e.errno, e.sqlState]).toEqual([1526, 'HY000']);
    expect(e.message).toContain("no partition for value '25'");
    e = await t.fails('INSERT INTO pt PARTITION (p1) VALUES (5), (15)');
    expect(e.errno).toBe(1526);
    expect(e.message).toContain('Row 2');
    await t.exec('INSERT INTO pt PARTITION (p1) VALUES (5)');
    expect(await t.rows('SELECT k FROM pt')).toEqual([['5']]);
  });

  it('INSERT … SELECT FROM TABLE(generate_series(a, b[, step])): inclusive bounds, positive and negative steps', async () => {
    await t.exec('CREATE TABLE g (n BIGINT, sq BIGINT, label VARCHAR(10))');
    expect(await t.ok("INSERT INTO g SELECT generate_series, generate_series * generate_series, 'up' FROM TABLE(generate_series(1, 1000))")).toBe(1000);
    expect(await t.rows("SELECT COUNT(*), MIN(n), MAX(n), SUM(n), SUM(sq) FROM g WHERE label = 'up'")).toEqual([['1000', '1', '1000', '500500', '333833500']]);
    expect(await t.ok("INSERT INTO g (n, label) SELECT generate_series, 'step' FROM TABLE(generate_series(0, 100, 7))")).toBe(15);
    expect(await t.rows("SELECT MAX(n) FROM g WHERE label = 'step'")).toEqual([['98']]);
    expect(await t.ok("INSERT INTO g (n, label) SELECT generate_series, 'down' FROM TABLE(generate_series(10, 1, -3))")).toBe(4);
    expect(await t.rows("SELECT n FROM g WHERE label = 'down' ORDER BY n")).toEqual([['1'], ['4'], ['7'], ['10']]);
    // An empty series inserts nothing.
    expect(await t.ok("INSERT INTO g (n, label) SELECT generate_series, 'none' FROM TABLE(generate_series(5, 1))")).toBe(0);
    expect(await t.rows('SELECT * FROM TABLE(generate_series(1, 3))')).toEqual([['1'], ['2'], ['3']]);
    expect((await t.result('SELECT * FROM TABLE(generate_series(1, 2))')).columns).toEqual(['generate_series']);
    const e = await t.fails('SELECT * FROM TABLE(generate_series(1, 5, 0))');
    expect(e.message).toContain('step cannot be zero');
  });

  it('INSERT … SELECT from another table, with expressions, WHERE and a column list', async () => {
    await t.exec('CREATE TABLE src (a INT, b VARCHAR(10)); CREATE TABLE dst (x BIGINT, y VARCHAR(20), z INT DEFAULT "-1")');
    await t.exec("INSERT INTO src VALUES (1, 'one'), (2, 'two'), (3, NULL)");
    expect(await t.ok("INSERT INTO dst (y, x) SELECT concat(b, '!'), a * 10 FROM src WHERE a >= 2")).toBe(2);
    expect(await t.rows('SELECT * FROM dst ORDER BY x')).toEqual([['20', 'two!', '-1'], ['30', null, '-1']]);
  });

  it('INSERT OVERWRITE replaces the whole table, or only the named partitions', async () => {
    await t.exec('CREATE TABLE ow (k INT, v INT) PARTITION BY RANGE(k) (PARTITION p1 VALUES LESS THAN ("10"), PARTITION p2 VALUES LESS THAN ("20"))');
    await t.exec('INSERT INTO ow VALUES (1, 1), (2, 2), (11, 11)');
    await t.exec('INSERT OVERWRITE ow PARTITION (p1) VALUES (3, 3)');
    expect(await t.rows('SELECT k FROM ow ORDER BY k')).toEqual([['3'], ['11']]);
    await t.exec('INSERT OVERWRITE ow SELECT generate_series, 0 FROM TABLE(generate_series(12, 14))');
    expect(await t.rows('SELECT k FROM ow ORDER BY k')).toEqual([['12'], ['13'], ['14']]);
    // A failed overwrite leaves the old data.
    expect((await t.fails('INSERT OVERWRITE ow VALUES (1, 1), (99, 1)')).errno).toBe(1526);
    expect(await t.rows('SELECT COUNT(*) FROM ow')).toEqual([['3']]);
    // Overwriting with nothing empties the table.
    await t.exec('INSERT OVERWRITE ow SELECT generate_series, 0 FROM TABLE(generate_series(1, 0))');
    expect(await t.rows('SELECT COUNT(*) FROM ow')).toEqual([['0']]);
  });

  it('INSERT into a view is refused', async () => {
    await t.exec('CREATE VIEW v_src AS SELECT a FROM src');
    const e = await t.fails('INSERT INTO v_src VALUES (1)');
    expect(e.errno).toBe(1347);
    expect(e.message).toContain('is not BASE TABLE');
  });
});
