/** Each key model's semantics through SQL: DUPLICATE keeps every row, PRIMARY/UNIQUE upsert (last load wins), AGGREGATE merges. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from './helpers.ts';

describe('key models', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb({ database: 'db' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('DUPLICATE KEY keeps every row, duplicates included', async () => {
    await t.exec('CREATE TABLE dup (k INT, v VARCHAR(5)) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 3');
    await t.exec("INSERT INTO dup VALUES (1, 'a'), (1, 'a'), (2, 'b')");
    await t.exec("INSERT INTO dup VALUES (1, 'a')");
    expect(await t.rows('SELECT k, v, COUNT(*) FROM dup GROUP BY k, v ORDER BY k')).toEqual([['1', 'a', '3'], ['2', 'b', '1']]);
  });

  for (const model of ['PRIMARY', 'UNIQUE'] as const) {
    it(`${model} KEY: upsert, the last row wins within a load and across loads, whole rows replaced`, async () => {
      const name = `${model.toLowerCase()}_t`;
      await t.exec(`CREATE TABLE ${name} (k INT NOT NULL, k2 VARCHAR(3) NOT NULL, v VARCHAR(5), n INT) ${model} KEY(k, k2) DISTRIBUTED BY HASH(k) BUCKETS 2`);
      await t.exec(`INSERT INTO ${name} VALUES (1, 'x', 'a', 1), (2, 'x', 'b', 2), (1, 'x', 'c', 3), (1, 'y', 'd', 4)`);
      expect(await t.rows(`SELECT * FROM ${name} ORDER BY k, k2`)).toEqual([['1', 'x', 'c', '3'], ['1', 'y', 'd', '4'], ['2', 'x', 'b', '2']]);
      // A later load replaces the whole row, NULLs included (no partial update).
      await t.exec(`INSERT INTO ${name} VALUES (2, 'x', NULL, 9)`);
      await t.exec(`INSERT INTO ${name} (k, k2, n) VALUES (1, 'y', 5)`);
      expect(await t.rows(`SELECT * FROM ${name} ORDER BY k, k2`)).toEqual([['1', 'x', 'c', '3'], ['1', 'y', null, '5'], ['2', 'x', null, '9']]);
      expect(await t.rows(`SELECT COUNT(*), SUM(n) FROM ${name}`)).toEqual([['3', '17']]);
    });
  }

  it('PRIMARY KEY columns are NOT NULL: a NULL key is 1048', async () => {
    await t.exec('CREATE TABLE pk_null (k INT, v INT) PRIMARY KEY(k)');
    const e = await t.fails('INSERT INTO pk_null VALUES (NULL, 1)');
    expect([e.errno, e.sqlState, e.message]).toEqual([1048, '23000', "Column 'k' cannot be null"]);
  });

  it('UNIQUE KEY allows a NULL key and upserts on it', async () => {
    await t.exec('CREATE TABLE uk_null (k INT, v VARCHAR(3)) UNIQUE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 2');
    await t.exec("INSERT INTO uk_null VALUES (NULL, 'n1'), (1, 'a')");
    await t.exec("INSERT INTO uk_null VALUES (NULL, 'n2')");
    expect(await t.rows('SELECT * FROM uk_null ORDER BY k')).toEqual([[null, 'n2'], ['1', 'a']]);
  });

  it('AGGREGATE KEY: SUM, MIN, MAX, REPLACE, REPLACE_IF_NOT_NULL within and across loads, NULLs', async () => {
    await t.exec(`CREATE TABLE agg (k INT, d DATE, s BIGINT SUM, mi INT MIN, ma DECIMAL(6,2) MAX, r VARCHAR(5) REPLACE, rn VARCHAR(5) REPLACE_IF_NOT_NULL)
      AGGREGATE KEY(k, d) DISTRIBUTED BY HASH(k) BUCKETS 3`);
    await t.exec(`INSERT INTO agg VALUES (1, '2024-01-01', 1, 5, 5.50, 'a', 'a'), (1, '2024-01-01', 2, 3, 7.25, 'b', NULL),
      (2, '2024-01-01', 10, 1, 1, 'z', 'z'), (1, '2024-01-02', 100, 100, 100, 'other', 'other')`);
    expect(await t.rows("SELECT s, mi, ma, r, rn FROM agg WHERE k = 1 AND d = '2024-01-01'")).toEqual([['3', '3', '7.25', 'b', 'a']]);
    // NULL is ignored by SUM/MIN/MAX and REPLACE_IF_NOT_NULL, but REPLACE takes it.
    await t.exec("INSERT INTO agg VALUES (1, '2024-01-01', NULL, NULL, NULL, NULL, NULL)");
    expect(await t.rows("SELECT s, mi, ma, r, rn FROM agg WHERE k = 1 AND d = '2024-01-01'")).toEqual([['3', '3', '7.25', null, 'a']]);
    await t.exec("INSERT INTO agg VALUES (1, '2024-01-01', -4, -1, 9.99, 'c', 'c')");
    expect(await t.rows('SELECT k, d, s, mi, ma, r, rn FROM agg ORDER BY k, d')).toEqual([
      ['1', '2024-01-01', '-1', '-1', '9.99', 'c', 'c'],
      ['1', '2024-01-02', '100', '100', '100.00', 'other', 'other'],
      ['2', '2024-01-01', '10', '1', '1.00', 'z', 'z'],
    ]);
    // Queries over an aggregate table see merged rows.
    expect(await t.rows('SELECT COUNT(*), SUM(s) FROM agg')).toEqual([['3', '109']]);
  });

  it('AGGREGATE KEY integer SUM wraps at the column width, as StarRocks does (documented behaviour)', async () => {
    await t.exec('CREATE TABLE agg_small (k INT, s TINYINT SUM) AGGREGATE KEY(k)');
    await t.exec('INSERT INTO agg_small VALUES (1, 100)');
    await t.exec('INSERT INTO agg_small VALUES (1, 100)');
    expect(await t.rows('SELECT s FROM agg_small')).toEqual([['-56']]);
  });
});
