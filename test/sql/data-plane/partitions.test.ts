/**
 * Range / list / unpartitioned tables through SQL: routing, ADD / DROP PARTITION and their errors, TRUNCATE of a
 * whole table or of partitions, and partition pruning made observable without timing: a pruned partition's files
 * are removed from disk, and a query that prunes it still answers while one that does not fails.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { column, openTestDb, type TestDb } from './helpers.ts';

describe('partitions', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb({ database: 'db' });
  });
  afterAll(async () => {
    await t.close();
  });

  const rowCounts = async (table: string): Promise<Record<string, string | null>> => {
    const r = await t.result(`SHOW PARTITIONS FROM ${table}`);
    const names = column(r, 'PartitionName');
    const counts = column(r, 'RowCount');
    return Object.fromEntries(names.map((n, i) => [n as string, counts[i] ?? null]));
  };

  it('RANGE: rows land in their partition; a value outside every partition is 1526 and nothing is loaded', async () => {
    await t.exec(`CREATE TABLE sales (d DATE, id INT, amount INT) DUPLICATE KEY(d, id)
      PARTITION BY RANGE(d) (PARTITION p2023 VALUES LESS THAN ("2024-01-01"), PARTITION p2024 VALUES [("2024-01-01"), ("2025-01-01")))
      DISTRIBUTED BY HASH(id) BUCKETS 2`);
    await t.exec("INSERT INTO sales VALUES ('2023-12-31', 1, 10), ('2024-01-01', 2, 20), ('2024-12-31', 3, 30), ('1900-01-01', 4, 40)");
    expect(await rowCounts('sales')).toEqual({ p2023: '2', p2024: '2' });
    const e = await t.fails("INSERT INTO sales VALUES ('2024-06-01', 5, 50), ('2025-01-01', 6, 60)");
    expect([e.errno, e.sqlState]).toEqual([1526, 'HY000']);
    expect(e.message).toContain("'2025-01-01'");
    expect(e.message).toContain('ADD PARTITION');
    // All or nothing: the good row of the failed statement is not there either.
    expect(await t.rows('SELECT COUNT(*) FROM sales')).toEqual([['4']]);
    // NULL goes to the lowest partition, as in StarRocks.
    await t.exec('INSERT INTO sales VALUES (NULL, 7, 70)');
    expect(await rowCounts('sales')).toEqual({ p2023: '3', p2024: '2' });
  });

  it('RANGE: ADD PARTITION (LESS THAN, fixed, MAXVALUE), overlap and name errors, DROP PARTITION', async () => {
    await t.exec('CREATE TABLE r (k INT, v INT) PARTITION BY RANGE(k) (PARTITION p1 VALUES LESS THAN ("10"), PARTITION p2 VALUES LESS THAN ("20")) DISTRIBUTED BY HASH(k) BUCKETS 1');
    await t.exec('ALTER TABLE r ADD PARTITION p3 VALUES LESS THAN ("30")');
    await t.exec('ALTER TABLE r ADD PARTITION p5 VALUES [("40"), ("50"))');
    let e = await t.fails('ALTER TABLE r ADD PARTITION p4 VALUES [("25"), ("45"))');
    expect(e.message).toMatch(/is intersected with range/);
    e = await t.fails('ALTER TABLE r ADD PARTITION p1 VALUES LESS THAN ("60")');
    expect([e.errno, e.message]).toEqual([1517, 'Duplicate partition name p1']);
    await t.exec('ALTER TABLE r ADD PARTITION IF NOT EXISTS p1 VALUES LESS THAN ("60")');
    e = await t.fails('ALTER TABLE r ADD PARTITION pl VALUES IN ("1")');
    expect(e.message).toContain('is RANGE partitioned');
    await t.exec('ALTER TABLE r ADD PARTITION pmax VALUES LESS THAN (MAXVALUE)');
    await t.exec('INSERT INTO r VALUES (1, 1), (15, 2), (25, 3), (45, 4), (1000000, 5)');
    expect(await rowCounts('r')).toEqual({ p1: '1', p2: '1', p3: '1', p5: '1', pmax: '1' });
    // 35 falls in the gap between p3 and p5.
    expect((await t.fails('INSERT INTO r VALUES (35, 0)')).errno).toBe(1526);
    await t.exec('ALTER TABLE r DROP PARTITION p2');
    expect(await t.rows('SELECT k FROM r ORDER BY k')).toEqual([['1'], ['25'], ['45'], ['1000000']]);
    expect((await t.fails('INSERT INTO r VALUES (15, 0)')).errno).toBe(1526);
    e = await t.fails('ALTER TABLE r DROP PARTITION p2');
    expect(e.message).toContain('partition p2 does not exist');
    await t.exec('ALTER TABLE r DROP PARTITION IF EXISTS p2');
    // The gap left by p2 can be filled again.
    await t.exec('ALTER TABLE r ADD PARTITION p2b VALUES [("10"), ("20"))');
    await t.exec('INSERT INTO r VALUES (15, 0)');
    expect((await rowCounts('r'))['p2b']).toBe('1');
  });

  it('RANGE on two columns routes by tuple order', async () => {
    await t.exec('CREATE TABLE r2 (a INT, b INT) PARTITION BY RANGE(a, b) (PARTITION p1 VALUES LESS THAN ("10", "5"), PARTITION p2 VALUES LESS THAN ("20", "0"))');
    await t.exec('INSERT INTO r2 VALUES (10, 4), (10, 5), (19, 100), (9, 1000)');
    expect(await rowCounts('r2')).toEqual({ p1: '2', p2: '2' });
  });

  it('LIST: routing, unknown value 1526, ADD with duplicate values, multi-column lists', async () => {
    await t.exec(`CREATE TABLE l (id INT, city VARCHAR(10)) DUPLICATE KEY(id)
      PARTITION BY LIST(city) (PARTITION pn VALUES IN ("oslo", "bergen"), PARTITION ps VALUES IN ("rome")) DISTRIBUTED BY HASH(id) BUCKETS 2`);
    await t.exec("INSERT INTO l VALUES (1, 'oslo'), (2, 'rome'), (3, 'bergen')");
    expect(await rowCounts('l')).toEqual({ pn: '2', ps: '1' });
    let e = await t.fails("INSERT INTO l VALUES (4, 'paris')");
    expect([e.errno, e.message]).toEqual([1526, expect.stringContaining("'paris'")]);
    e = await t.fails("INSERT INTO l VALUES (5, NULL)");
    expect(e.errno).toBe(1526);
    e = await t.fails('ALTER TABLE l ADD PARTITION px VALUES IN ("rome", "paris")');
    expect(e.message).toContain("Duplicate values ('rome')");
    e = await t.fails('ALTER TABLE l ADD PARTITION px VALUES LESS THAN ("x")');
    expect(e.message).toContain('is LIST partitioned');
    await t.exec('ALTER TABLE l ADD PARTITION pf VALUES IN ("paris")');
    await t.exec("INSERT INTO l VALUES (4, 'paris')");
    expect(await rowCounts('l')).toEqual({ pn: '2', ps: '1', pf: '1' });
    e = await t.fails('CREATE TABLE l2 (a INT, c VARCHAR(3)) PARTITION BY LIST(c) (PARTITION p1 VALUES IN ("x"), PARTITION p2 VALUES IN ("x"))');
    expect(e.message).toContain("Duplicate values ('x')");
    await t.exec(`CREATE TABLE l3 (a INT, c VARCHAR(3), n INT) DUPLICATE KEY(a, c)
      PARTITION BY LIST(a, c) (PARTITION p1 VALUES IN ((1, "x"), (2, "y")), PARTITION p2 VALUES IN ((1, "y")))`);
    await t.exec("INSERT INTO l3 VALUES (1, 'x', 0), (1, 'y', 0), (2, 'y', 0)");
    expect(await rowCounts('l3')).toEqual({ p1: '2', p2: '1' });
    expect((await t.fails("INSERT INTO l3 VALUES (2, 'x', 0)")).errno).toBe(1526);
  });

  it('unpartitioned: one partition named like the table; ADD / DROP PARTITION are errors', async () => {
    await t.exec('CREATE TABLE u (a INT) DISTRIBUTED BY HASH(a) BUCKETS 4');
    await t.exec('INSERT INTO u VALUES (1), (2), (3)');
    expect(await rowCounts('u')).toEqual({ u: '3' });
    expect((await t.fails('ALTER TABLE u ADD PARTITION p VALUES LESS THAN ("1")')).message).toContain('is not partitioned');
    expect((await t.fails('ALTER TABLE u DROP PARTITION u')).message).toContain('is not partitioned');
  });

  it('TRUNCATE TABLE empties every partition or the named ones, each truncated partition gets a new version', async () => {
    await t.exec('CREATE TABLE tr (k INT) PARTITION BY RANGE(k) (PARTITION p1 VALUES LESS THAN ("10"), PARTITION p2 VALUES LESS THAN ("20"), PARTITION p3 VALUES LESS THAN ("30"))');
    await t.exec('INSERT INTO tr VALUES (1), (11), (21), (22)');
    const versions = async (): Promise<(string | null)[]> => column(await t.result('SHOW PARTITIONS FROM tr'), 'VisibleVersion');
    const before = (await versions()).map(Number);
    await t.exec('TRUNCATE TABLE tr PARTITION (p1, p3)');
    expect(await rowCounts('tr')).toEqual({ p1: '0', p2: '1', p3: '0' });
    const after = (await versions()).map(Number);
    expect(after[0]).toBeGreaterThan(before[0] as number);
    expect(after[1]).toBe(before[1]);
    expect(after[2]).toBeGreaterThan(before[2] as number);
    expect(await t.rows('SELECT k FROM tr')).toEqual([['11']]);
    expect((await t.fails('TRUNCATE TABLE tr PARTITION (p9)')).message).toContain('Partition p9 does not exist');
    await t.exec('TRUNCATE TABLE tr');
    expect(await t.rows('SELECT COUNT(*) FROM tr')).toEqual([['0']]);
    // Still writable afterwards.
    await t.exec('INSERT INTO tr VALUES (5)');
    expect(await rowCounts('tr')).toEqual({ p1: '1', p2: '0', p3: '0' });
    expect((await t.fails('TRUNCATE TABLE nope')).errno).toBe(1146);
  });

  it('pruning: a query filtering on the partition column never reads the other partitions', async () => {
    await t.exec(`CREATE TABLE pr (k INT, v INT) PARTITION BY RANGE(k)
      (PARTITION p1 VALUES LESS THAN ("100"), PARTITION p2 VALUES LESS THAN ("200"), PARTITION p3 VALUES LESS THAN ("300"))
      DISTRIBUTED BY HASH(k) BUCKETS 2 PROPERTIES ("replication_num" = "1")`);
    await t.exec('INSERT INTO pr SELECT generate_series, generate_series * 2 FROM TABLE(generate_series(0, 299))');
    // Remove p1's segment files from disk. Reading p1 now fails; a pruned query does not notice.
    const tablets = await t.rows('SHOW TABLET FROM pr PARTITION (p1)');
    expect(tablets).toHaveLength(2);
    let removed = 0;
    for (const be of fs.readdirSync(t.dir).filter((d) => /^be\d+$/.test(d))) {
      for (const row of tablets) {
        const dir = path.join(t.dir, be, 'data', row[0] as string);
        if (fs.existsSync(dir)) {
          for (const f of fs.readdirSync(dir)) fs.rmSync(path.join(dir, f));
          removed++;
        }
      }
    }
    expect(removed).toBe(2);
    expect(await t.rows('SELECT COUNT(*), SUM(v) FROM pr WHERE k >= 100')).toEqual([['200', '79800']]);
    expect(await t.rows('SELECT COUNT(*) FROM pr WHERE k BETWEEN 150 AND 250')).toEqual([['101']]);
    expect(await t.rows('SELECT COUNT(*) FROM pr WHERE k IN (105, 299)')).toEqual([['2']]);
    expect(await t.rows('SELECT COUNT(*) FROM pr PARTITION (p3)')).toEqual([['100']]);
    // The control: without the filter, or with one that p1 may match, the damaged partition is read.
    await expect(t.exec('SELECT COUNT(*) FROM pr')).rejects.toThrow();
    await expect(t.exec('SELECT COUNT(*) FROM pr WHERE k < 150')).rejects.toThrow();
    await expect(t.exec('SELECT COUNT(*) FROM pr WHERE v >= 200')).rejects.toThrow();
  });
});
