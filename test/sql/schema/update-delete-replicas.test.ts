/**
 * UPDATE (PRIMARY KEY tables only, StarRocks' messages), DELETE's WHERE rules per key model, and
 * SET ("replication_num") adding and removing replicas for real (files on the backends, SHOW TABLET, reads from
 * the new replica alone).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { column, openTestDb, type TestDb } from '../data-plane/helpers.ts';

describe('UPDATE and DELETE', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await openTestDb({ database: 'db' });
    await t.exec(`CREATE TABLE pk (k INT, d DATE, v INT, s VARCHAR(10)) PRIMARY KEY(k, d)
      PARTITION BY RANGE(d) (PARTITION p1 VALUES LESS THAN ('2024-06-01'), PARTITION p2 VALUES LESS THAN ('2025-01-01'))
      DISTRIBUTED BY HASH(k) BUCKETS 2 PROPERTIES ("replication_num" = "1")`);
    await t.exec("INSERT INTO pk VALUES (1, '2024-01-01', 10, 'a'), (2, '2024-07-01', 20, 'b'), (3, '2024-08-01', NULL, 'c')");
    await t.exec('CREATE TABLE dup (k INT, v INT, s VARCHAR(10)) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 2 PROPERTIES ("replication_num" = "1")');
    await t.exec("INSERT INTO dup VALUES (1, 10, 'a'), (2, 20, 'b'), (2, 21, 'c')");
    await t.exec('CREATE TABLE agg (k INT, v INT SUM) AGGREGATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ("replication_num" = "1")');
  });
  afterEach(async () => {
    await t.close();
  });

  it('UPDATE sets the assigned columns from the old row, keeps the others, as a new version', async () => {
    expect(await t.ok("UPDATE pk SET v = v + 1, s = concat(s, '!') WHERE v >= 10 OR s = 'c'")).toBe(3);
    expect(await t.rows('SELECT k, d, v, s FROM pk ORDER BY k')).toEqual([
      ['1', '2024-01-01', '11', 'a!'],
      ['2', '2024-07-01', '21', 'b!'],
      ['3', '2024-08-01', null, 'c!'],
    ]);
    expect(await t.ok('UPDATE pk SET v = 0 WHERE k > 100')).toBe(0);
    const versions = column(await t.result('SHOW PARTITIONS FROM pk'), 'VisibleVersion');
    expect(versions).toEqual(['3', '3']);
  });

  it('UPDATE refuses what StarRocks refuses', async () => {
    const msg = async (sql: string): Promise<string> => (await t.fails(sql)).message;
    expect(await msg('UPDATE dup SET v = 1 WHERE k = 1')).toMatch(/^Getting analyzing error\. Detail message: only support updating primary key table/);
    expect(await msg('UPDATE pk SET v = 1')).toBe('Getting analyzing error. Detail message: must specify where clause to prevent full table update.');
    expect(await msg('UPDATE pk SET k = 5 WHERE k = 1')).toBe('Getting analyzing error. Detail message: primary key column cannot be updated: k.');
    expect(await msg('UPDATE pk SET nope = 5 WHERE k = 1')).toBe("Unknown column 'nope' in 'pk'");
    expect((await t.fails("UPDATE pk SET v = 'x' WHERE k = 1")).errno).toBe(1292);
    expect(await t.rows('SELECT v FROM pk WHERE k = 1')).toEqual([['10']]);
  });

  it('DELETE: any WHERE on PRIMARY KEY tables; column-op-value conditions joined by AND on DUPLICATE KEY tables', async () => {
    expect(await t.ok("DELETE FROM pk WHERE v IS NULL OR s = 'a'")).toBe(2);
    expect((await t.rows('SELECT k FROM pk')).flat()).toEqual(['2']);
    expect(await t.ok("DELETE FROM dup WHERE k = 2 AND s IN ('c', 'z')")).toBe(1);
    expect(await t.rows('SELECT k, v FROM dup ORDER BY k')).toEqual([['1', '10'], ['2', '20']]);
    const msg = async (sql: string): Promise<string> => (await t.fails(sql)).message;
    expect(await msg('DELETE FROM dup WHERE k = 1 OR k = 2')).toMatch(/Compound predicate's op should be AND/);
    expect(await msg('DELETE FROM dup WHERE k + 1 = 2')).toMatch(/Left expr of binary predicate should be column name/);
    expect(await msg('DELETE FROM dup WHERE k = abs(-1)')).toMatch(/Right expr of binary predicate should be value/);
    expect(await msg("DELETE FROM dup WHERE s LIKE 'a%'")).toMatch(/Where clause only supports compound predicate, binary predicate, is_null predicate or in predicate/);
    // AGGREGATE / UNIQUE KEY tables take any WHERE over their merged rows (see delete-conditions.ts).
    await t.exec('INSERT INTO agg VALUES (1, 1), (1, 2), (2, 5)');
    expect(await t.ok('DELETE FROM agg WHERE v = 3 OR k > 5')).toBe(1);
  });
});

describe('SET ("replication_num")', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await openTestDb({ database: 'db', backends: 3 });
  });
  afterEach(async () => {
    await t.close();
  });

  const tabletFiles = (backend: string): string[] => {
    const dir = path.join(t.dir, backend, 'data');
    return fs.existsSync(dir) ? fs.readdirSync(dir).flatMap((tablet) => fs.readdirSync(path.join(dir, tablet)).map((f) => `${tablet}/${f}`)) : [];
  };

  it('adds replicas with the files, then removes them; reads work from any remaining replica', async () => {
    await t.exec('CREATE TABLE r (k INT, v VARCHAR(10)) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 2 PROPERTIES ("replication_num" = "1")');
    await t.exec("INSERT INTO r VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')");
    const replicas = async (): Promise<number> => (await t.rows('SHOW TABLET FROM r')).length;
    expect(await replicas()).toBe(2);
    await t.exec('ALTER TABLE r SET ("replication_num" = "3")');
    expect(await replicas()).toBe(6);
    expect(column(await t.result('SHOW PARTITIONS FROM r'), 'ReplicationNum')).toEqual(['3']);
    // Every backend now holds every tablet's files.
    const all = ['be1', 'be2', 'be3'].map(tabletFiles);
    expect(all[0]?.sort()).toEqual(all[1]?.sort());
    expect(all[1]?.sort()).toEqual(all[2]?.sort());
    expect(all[0]?.length).toBeGreaterThan(0);
    await t.exec("INSERT INTO r VALUES (5, 'e')");
    await t.exec('ALTER TABLE r SET ("replication_num" = "1")');
    expect(await replicas()).toBe(2);
    expect(['be1', 'be2', 'be3'].map(tabletFiles).flat().length).toBe(all[0]!.length / 2 + 2);
    expect((await t.rows('SELECT k FROM r ORDER BY k')).flat()).toEqual(['1', '2', '3', '4', '5']);
    expect((await t.rows('SHOW CREATE TABLE r'))[0]?.[1]).toContain('"replication_num" = "1"');
    const msg = async (sql: string): Promise<string> => (await t.fails(sql)).message;
    expect(await msg('ALTER TABLE r SET ("replication_num" = "4")')).toMatch(/^Table replication num should be less than or equal to the number of available BE nodes/);
    expect(await msg('ALTER TABLE r SET ("replication_num" = "x")')).toMatch(/Invalid replication_num/);
    await t.exec("CREATE TABLE rp (k INT) DUPLICATE KEY(k) PARTITION BY RANGE(k) (PARTITION p1 VALUES LESS THAN ('10')) DISTRIBUTED BY HASH(k) BUCKETS 1");
    expect(await msg('ALTER TABLE rp SET ("replication_num" = "2")')).toMatch(/^This is a partitioned table, you should specify partitions with MODIFY PARTITION clause/);
    await t.exec('ALTER TABLE rp SET ("default.replication_num" = "1")');
    await t.exec("ALTER TABLE rp ADD PARTITION p2 VALUES LESS THAN ('20')");
    expect(column(await t.result('SHOW PARTITIONS FROM rp'), 'ReplicationNum')).toEqual(['3', '1']);
    // MODIFY PARTITION, as the message above says: some partitions, or all of them.
    await t.exec("INSERT INTO rp VALUES (1), (15)");
    await t.exec('ALTER TABLE rp MODIFY PARTITION p2 SET ("replication_num" = "2")');
    expect(column(await t.result('SHOW PARTITIONS FROM rp'), 'ReplicationNum')).toEqual(['3', '2']);
    await t.exec('ALTER TABLE rp MODIFY PARTITION (*) SET ("replication_num" = "1")');
    expect(column(await t.result('SHOW PARTITIONS FROM rp'), 'ReplicationNum')).toEqual(['1', '1']);
    expect((await t.rows('SHOW TABLET FROM rp')).length).toBe(2);
    await t.exec('ALTER TABLE rp MODIFY PARTITION (p1, p2) SET ("replication_num" = "3")');
    expect((await t.rows('SHOW TABLET FROM rp')).length).toBe(6);
    expect((await t.rows('SELECT k FROM rp ORDER BY k')).flat()).toEqual(['1', '15']);
    expect(await msg('ALTER TABLE rp MODIFY PARTITION (p1, nope) SET ("replication_num" = "1")')).toBe('Partition[nope] does not exist. Check SHOW PARTITIONS FROM rp');
    expect(await msg('ALTER TABLE rp MODIFY PARTITION p1 SET ("storage_medium" = "SSD")')).toBe('Unknown properties: {storage_medium=SSD}. MODIFY PARTITION … SET takes "replication_num"');
    expect(await msg('ALTER TABLE rp MODIFY PARTITION p1 SET ("replication_num" = "4")')).toMatch(/^Table replication num should be less than or equal to the number of available BE nodes/);
    expect(await msg('ALTER TABLE rp MODIFY PARTITION p1 SET ("replication_num" = "0")')).toMatch(/Invalid replication_num/);
    expect((await t.rows('SHOW TABLET FROM rp')).length).toBe(6);
  });
});

describe('UPDATE and DELETE with subqueries (the SELECT pipeline runs them)', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await openTestDb({ database: 'db' });
    await t.exec('CREATE TABLE acct (id INT, owner VARCHAR(10), balance INT) PRIMARY KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 2 PROPERTIES ("replication_num" = "1")');
    await t.exec("INSERT INTO acct VALUES (1, 'ann', 10), (2, 'bob', 20), (3, 'cy', 30), (4, 'dee', 40)");
    await t.exec('CREATE TABLE blocked (owner VARCHAR(10)) DUPLICATE KEY(owner) DISTRIBUTED BY HASH(owner) BUCKETS 1 PROPERTIES ("replication_num" = "1")');
    await t.exec("INSERT INTO blocked VALUES ('bob'), ('dee')");
    await t.exec('CREATE TABLE log (k INT, v INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ("replication_num" = "1")');
  });
  afterEach(async () => {
    await t.close();
  });

  it('UPDATE … WHERE col IN (SELECT …) and SET col = (SELECT …)', async () => {
    expect(await t.ok('UPDATE acct SET balance = (SELECT max(balance) FROM acct) + id WHERE owner IN (SELECT owner FROM blocked)')).toBe(2);
    expect(await t.rows('SELECT id, balance FROM acct ORDER BY id')).toEqual([['1', '10'], ['2', '42'], ['3', '30'], ['4', '44']]);
    // Correlated: each row's own owner is looked up.
    expect(await t.ok('UPDATE acct SET owner = upper(owner) WHERE EXISTS (SELECT 1 FROM blocked b WHERE b.owner = acct.owner)')).toBe(2);
    expect(await t.ok('UPDATE acct SET balance = 0 WHERE NOT EXISTS (SELECT 1 FROM blocked b WHERE b.owner = acct.owner) AND id > 2')).toBe(2);
    expect(await t.rows('SELECT owner, balance FROM acct ORDER BY id')).toEqual([['ann', '10'], ['BOB', '42'], ['cy', '0'], ['DEE', '0']]);
  });

  it('DELETE … WHERE with subqueries on PRIMARY KEY tables; refused on DUPLICATE KEY tables', async () => {
    expect(await t.ok('DELETE FROM acct WHERE owner IN (SELECT owner FROM blocked) OR balance > (SELECT avg(balance) FROM acct) + 5')).toBe(2);
    expect((await t.rows('SELECT id FROM acct ORDER BY id')).flat()).toEqual(['1', '3']);
    expect((await t.fails('DELETE FROM log WHERE k IN (SELECT id FROM acct)')).message).toMatch(/Child of in predicate should be value|Where clause only supports/);
  });
});
