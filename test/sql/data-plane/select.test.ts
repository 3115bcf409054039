/**
 * SELECT through SQL over a real table: expressions, WHERE, GROUP BY with every aggregate, HAVING, ORDER BY,
 * LIMIT/OFFSET, DISTINCT, NULL handling, aliases and qualifiers, derived tables, and analysis errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from './helpers.ts';

describe('SELECT', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb({ database: 'db' });
    await t.exec('CREATE TABLE t (id INT, g VARCHAR(5), x INT, y DOUBLE, dt DATE) DISTRIBUTED BY HASH(id) BUCKETS 3');
    await t.exec(`INSERT INTO t VALUES (1, 'a', 10, 1.5, '2024-01-01'), (2, 'a', NULL, 2.5, '2024-01-02'), (3, 'b', 30, NULL, NULL),
      (4, NULL, 40, 4.0, '2024-02-01'), (5, 'b', 30, 5.5, '2024-03-01')`);
  });
  afterAll(async () => {
    await t.close();
  });

  it('GROUP BY with COUNT(*), COUNT(col), COUNT(DISTINCT), SUM, MIN, MAX, AVG; NULL is a group', async () => {
    const r = await t.result('SELECT g, COUNT(*), COUNT(x), COUNT(DISTINCT x), SUM(x), MIN(x), MAX(x), AVG(x), AVG(y) FROM t GROUP BY g ORDER BY g');
    expect(r.columns.map((c) => c.toLowerCase())).toEqual(['g', 'count(*)', 'count(x)', 'count(distinct x)', 'sum(x)', 'min(x)', 'max(x)', 'avg(x)', 'avg(y)']);
    expect(r.rows).toEqual([
      [null, '1', '1', '1', '40', '40', '40', '40', '4'],
      ['a', '2', '1', '1', '10', '10', '10', '10', '2'],
      ['b', '2', '2', '1', '60', '30', '30', '30', '5.5'],
    ]);
  });

  it('aggregates over no rows: COUNT is 0, the rest NULL; GROUP BY over no rows is empty', async () => {
    expect(await t.rows('SELECT COUNT(*), COUNT(DISTINCT x), SUM(x), AVG(x), MIN(g), MAX(dt) FROM t WHERE id > 100')).toEqual([['0', '0', null, null, null, null]]);
    expect(await t.rows('SELECT g, COUNT(*) FROM t WHERE id > 100 GROUP BY g')).toEqual([]);
  });

  it('HAVING on an alias and on an aggregate, ORDER BY alias / position / DESC', async () => {
    expect(await t.rows('SELECT g, SUM(x) AS s FROM t GROUP BY g HAVING s > 15 ORDER BY s DESC')).toEqual([['b', '60'], [null, '40']]);
    expect(await t.rows('SELECT g, SUM(x) FROM t GROUP BY g HAVING COUNT(*) > 1 ORDER BY 2')).toEqual([['a', '10'], ['b', '60']]);
    expect(await t.rows('SELECT g AS grp, SUM(x) FROM t GROUP BY grp ORDER BY 2 DESC')).toEqual([['b', '60'], [null, '40'], ['a', '10']]);
  });

  it('ORDER BY puts NULL first ascending and last descending; ties broken by the next key', async () => {
    expect(await t.rows('SELECT x, id FROM t ORDER BY x, id DESC')).toEqual([[null, '2'], ['10', '1'], ['30', '5'], ['30', '3'], ['40', '4']]);
    expect(await t.rows('SELECT x FROM t ORDER BY x DESC')).toEqual([['40'], ['30'], ['30'], ['10'], [null]]);
  });

  it('LIMIT, LIMIT OFFSET and LIMIT offset, count', async () => {
    expect(await t.rows('SELECT id FROM t ORDER BY x DESC, id LIMIT 2 OFFSET 1')).toEqual([['3'], ['5']]);
    expect(await t.rows('SELECT id FROM t ORDER BY id LIMIT 1, 2')).toEqual([['2'], ['3']]);
    expect(await t.rows('SELECT id FROM t ORDER BY id LIMIT 0')).toEqual([]);
    expect(await t.rows('SELECT id FROM t ORDER BY id LIMIT 10 OFFSET 4')).toEqual([['5']]);
    expect(await t.rows('SELECT COUNT(*) FROM (SELECT id FROM t LIMIT 3) q')).toEqual([['3']]);
  });

  it('expressions: arithmetic, CASE, COALESCE/IFNULL, string and date functions, NULL propagation, division by zero', async () => {
    expect(await t.rows(`SELECT id, x * 2 + 1, CASE WHEN x IS NULL THEN 'none' ELSE 'some' END, COALESCE(x, -1), IFNULL(g, '?'),
      concat(g, '-', id), upper(g), year(dt), x / 4, x DIV 4, x % 7 FROM t ORDER BY id`)).toEqual([
      ['1', '21', 'some', '10', 'a', 'a-1', 'A', '2024', '2.5', '2', '3'],
      ['2', null, 'none', '-1', 'a', 'a-2', 'A', '2024', null, null, null],
      ['3', '61', 'some', '30', 'b', 'b-3', 'B', null, '7.5', '7', '2'],
      ['4', '81', 'some', '40', '?', null, null, '2024', '10', '10', '5'],
      ['5', '61', 'some', '30', 'b', 'b-5', 'B', '2024', '7.5', '7', '2'],
    ]);
    expect(await t.rows("SELECT 1 / 0, CAST('12' AS INT) + 1")).toEqual([[null, '13']]);
  });

  it('WHERE: IN, BETWEEN, LIKE, IS NULL, NOT, three-valued logic', async () => {
    expect(await t.rows("SELECT COUNT(*) FROM t WHERE g IN ('a', 'b') AND x BETWEEN 10 AND 30")).toEqual([['3']]);
    expect(await t.rows("SELECT id FROM t WHERE g LIKE 'a%' OR x IS NULL ORDER BY id")).toEqual([['1'], ['2']]);
    // NOT (NULL = 'a') is NULL: the row with g NULL is not returned.
    expect(await t.rows("SELECT id FROM t WHERE NOT (g = 'a') ORDER BY id")).toEqual([['3'], ['5']]);
    expect(await t.rows('SELECT id FROM t WHERE x <> 30 ORDER BY id')).toEqual([['1'], ['4']]);
    expect(await t.rows("SELECT id FROM t WHERE dt >= '2024-02-01' ORDER BY id")).toEqual([['4'], ['5']]);
  });

  it('DISTINCT, qualified names, table aliases, derived tables', async () => {
    expect(await t.rows('SELECT DISTINCT g FROM t ORDER BY g')).toEqual([[null], ['a'], ['b']]);
    expect(await t.rows('SELECT t.id FROM t WHERE t.id = 1')).toEqual([['1']]);
    expect(await t.rows('SELECT db.t.id FROM db.t WHERE id = 2')).toEqual([['2']]);
    expect(await t.rows('SELECT a.id FROM t a WHERE a.id = 3')).toEqual([['3']]);
    expect(await t.rows('SELECT * FROM (SELECT g, SUM(x) s FROM t GROUP BY g) q WHERE s > 20 ORDER BY s')).toEqual([[null, '40'], ['b', '60']]);
    expect((await t.result('SELECT * FROM t LIMIT 0')).columns).toEqual(['id', 'g', 'x', 'y', 'dt']);
  });

  it('analysis errors', async () => {
    let e = await t.fails('SELECT nope FROM t');
    expect([e.errno, e.sqlState, e.message]).toEqual([1054, '42S22', "Unknown column 'nope' in 'field list'"]);
    e = await t.fails('SELECT id, COUNT(*) FROM t');
    expect(e.message).toContain("'id' must be an aggregate expression or appear in GROUP BY clause");
    e = await t.fails('SELECT * FROM t WHERE SUM(x) > 1');
    expect(e.message).toContain('cannot contain aggregations');
    expect((await t.fails('SELECT * FROM nope')).errno).toBe(1146);
    expect((await t.fails('SELECT * FROM t PARTITION (nope)')).errno).toBe(1735);
  });
});
