/**
 * Transactions through the real Engine, two sessions side by side: loads invisible until COMMIT and gone (files
 * included) at ROLLBACK, one version per load published together, snapshots for REPEATABLE READ and CONSISTENT
 * SNAPSHOT, StarRocks' refusals (5305, 5307), MySQL's implicit commits under autocommit=0, savepoints, READ ONLY,
 * SERIALIZABLE refused, rollback on close.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../../src/engine.ts';
import { isSqlError, type SqlError } from '../../../src/errors/index.ts';
import { openTestDb, type TestDb } from '../data-plane/helpers.ts';

async function rows(s: Session, sql: string): Promise<(string | null)[][]> {
  const r = await s.execute(sql);
  if (r.kind !== 'rows') throw new Error(`expected rows from ${sql}`);
  return r.rows.map((x) => [...x]);
}

async function fails(s: Session, sql: string): Promise<SqlError> {
  try {
    await s.execute(sql);
  } catch (error) {
    if (isSqlError(error)) return error;
    throw error;
  }
  throw new Error(`expected ${sql} to fail`);
}

/** Segment files under every backend's data directory. */
function segmentFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.includes(`${path.sep}data${path.sep}`) && e.name.endsWith('.dat')) found.push(p);
    }
  };
  walk(dir);
  return found.sort();
}

describe('transactions', () => {
  let t: TestDb;
  let a: Session;
  let b: Session;
  const count = async (s: Session, table: string): Promise<string | null | undefined> => (await rows(s, `SELECT COUNT(*) FROM ${table}`))[0]?.[0];

  beforeAll(async () => {
    t = await openTestDb({ database: 'db', backends: 2 });
    await t.exec(`CREATE TABLE t1 (k INT, v VARCHAR(10)) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 2;
      CREATE TABLE t2 (k INT, v VARCHAR(10)) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 2;
      CREATE TABLE pk (k INT NOT NULL, v VARCHAR(10)) PRIMARY KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1`);
    a = t.engine.session({ database: 'db' });
    b = t.engine.session({ database: 'db' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('COMMIT publishes every load of the transaction at once; nothing is visible before', async () => {
    await a.execute('BEGIN');
    expect(a.transactionStatus).toEqual({ inTransaction: true, autocommit: true });
    const ins = await a.execute("INSERT INTO t1 VALUES (1, 'a'), (2, 'b')");
    expect(ins).toMatchObject({ kind: 'ok', affectedRows: 2 });
    expect(ins.kind === 'ok' ? ins.message : '').toMatch(/'status':'PREPARE'/);
    await a.execute("INSERT INTO t2 VALUES (1, 'x')");
    await a.execute("INSERT INTO t1 VALUES (3, 'c')");
    expect([await count(b, 't1'), await count(b, 't2')]).toEqual(['0', '0']);
    const versionsBefore = await rows(b, 'SHOW PARTITIONS FROM t1');
    const commit = await a.execute('COMMIT');
    expect(commit.kind === 'ok' ? commit.message : '').toMatch(/'status':'VISIBLE'/);
    expect(a.transactionStatus).toEqual({ inTransaction: false, autocommit: true });
    expect([await count(b, 't1'), await count(b, 't2')]).toEqual(['3', '1']);
    // Each INSERT is its own version (two for t1), as two autocommitted INSERTs would be.
    const versionsAfter = await rows(b, 'SHOW PARTITIONS FROM t1');
    expect(Number(versionsAfter[0]?.[2]) - Number(versionsBefore[0]?.[2])).toBe(2);
  });

  it('ROLLBACK leaves nothing: no rows, and the files it wrote are deleted', async () => {
    const files = segmentFiles(t.dir);
    await a.execute('START TRANSACTION');
    await a.execute("INSERT INTO t1 VALUES (10, 'gone')");
    await a.execute("INSERT INTO t2 VALUES (10, 'gone')");
    expect(segmentFiles(t.dir).length).toBeGreaterThan(files.length);
    await a.execute('ROLLBACK');
    expect(segmentFiles(t.dir)).toEqual(files);
    expect(await rows(b, 'SELECT COUNT(*) FROM t1 WHERE k = 10')).toEqual([['0']]);
    expect(await rows(a, 'SELECT COUNT(*) FROM t2 WHERE k = 10')).toEqual([['0']]);
  });

  it('a transaction cannot read a table it loaded into (StarRocks 5307), but reads the others', async () => {
    await a.execute('BEGIN');
    await a.execute("INSERT INTO t1 VALUES (20, 'x')");
    const e = await fails(a, 'SELECT * FROM t1');
    expect([e.errno, e.sqlState]).toEqual([5307, '25P01']);
    expect(e.message).toContain("SELECT cannot read table 't1' modified earlier in the same transaction");
    expect(await count(a, 't2')).toBe('1');
    // INSERT … SELECT from it too.
    expect((await fails(a, 'INSERT INTO t2 SELECT * FROM t1')).errno).toBe(5307);
    await a.execute('ROLLBACK');
  });

  it('REPEATABLE READ reads one snapshot for the whole transaction; READ COMMITTED sees each commit', async () => {
    await a.execute('BEGIN');
    const first = await count(a, 't2');
    await b.execute("INSERT INTO t2 VALUES (30, 'later')");
    expect(await count(a, 't2')).toBe(first);
    await a.execute('COMMIT');
    expect(Number(await count(a, 't2'))).toBe(Number(first) + 1);

    await a.execute('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
    await a.execute('BEGIN');
    const before = Number(await count(a, 't2'));
    await b.execute("INSERT INTO t2 VALUES (31, 'seen')");
    expect(Number(await count(a, 't2'))).toBe(before + 1);
    await a.execute('COMMIT');
    expect(await rows(a, 'SELECT @@transaction_isolation, @@tx_isolation')).toEqual([['READ-COMMITTED', 'READ-COMMITTED']]);
    await a.execute("SET @@session.transaction_isolation = 'REPEATABLE-READ'");
  });

  it('WITH CONSISTENT SNAPSHOT pins the versions at START TRANSACTION, across tables', async () => {
    await a.execute('START TRANSACTION WITH CONSISTENT SNAPSHOT');
    const before = [await rows(b, 'SELECT COUNT(*) FROM t1'), await rows(b, 'SELECT COUNT(*) FROM t2')];
    await b.execute('BEGIN');
    await b.execute("INSERT INTO t1 VALUES (40, 'both')");
    await b.execute("INSERT INTO t2 VALUES (40, 'both')");
    await b.execute('COMMIT');
    expect([await rows(a, 'SELECT COUNT(*) FROM t1'), await rows(a, 'SELECT COUNT(*) FROM t2')]).toEqual(before);
    // A table created after the snapshot is not in it (MySQL 1412).
    await b.execute('CREATE TABLE late (k INT) DISTRIBUTED BY HASH(k) BUCKETS 1');
    expect((await fails(a, 'SELECT * FROM late')).errno).toBe(1412);
    await a.execute('COMMIT');
    expect(await rows(a, 'SELECT COUNT(*) FROM t1 WHERE k = 40')).toEqual([['1']]);
    await b.execute('DROP TABLE late');
  });

  it('an explicit transaction refuses DDL, DELETE, TRUNCATE and INSERT OVERWRITE (StarRocks 5305) and stays open', async () => {
    await a.execute('BEGIN');
    await a.execute("INSERT INTO t1 VALUES (50, 'kept')");
    for (const sql of ['CREATE TABLE x (k INT)', 'DELETE FROM t2 WHERE k = 1', 'TRUNCATE TABLE t2', "INSERT OVERWRITE t2 VALUES (1, 'o')", 'DROP TABLE t2']) {
      const e = await fails(a, sql);
      expect([e.errno, e.sqlState], sql).toEqual([5305, '25P01']);
      expect(e.message).toContain('COMMIT or ROLLBACK first');
    }
    expect(a.transactionStatus?.inTransaction).toBe(true);
    // SET, SHOW and SELECT of other tables are fine inside it.
    await a.execute('SET @x = 1');
    await a.execute('SHOW TABLES');
    await a.execute('COMMIT');
    expect(await rows(b, 'SELECT v FROM t1 WHERE k = 50')).toEqual([['kept']]);
  });

  it('autocommit=0: the first read or load opens a transaction; DDL and DELETE commit it first; SET autocommit=1 commits', async () => {
    await a.execute('SET autocommit = 0');
    expect(a.transactionStatus).toEqual({ inTransaction: false, autocommit: false });
    await a.execute("INSERT INTO t1 VALUES (60, 'implicit')");
    expect(a.transactionStatus?.inTransaction).toBe(true);
    expect(await rows(b, 'SELECT COUNT(*) FROM t1 WHERE k = 60')).toEqual([['0']]);
    // MySQL's implicit commit before DDL.
    await a.execute('CREATE TABLE made_in_txn (k INT) DISTRIBUTED BY HASH(k) BUCKETS 1');
    expect(a.transactionStatus?.inTransaction).toBe(false);
    expect(await rows(b, 'SELECT COUNT(*) FROM t1 WHERE k = 60')).toEqual([['1']]);
    await a.execute("INSERT INTO t1 VALUES (61, 'then del')");
    await a.execute('DELETE FROM t2 WHERE k = 31');
    expect(await rows(b, 'SELECT COUNT(*) FROM t1 WHERE k = 61')).toEqual([['1']]);
    await a.execute("INSERT INTO t1 VALUES (62, 'gone')");
    await a.execute('ROLLBACK');
    expect(await rows(b, 'SELECT COUNT(*) FROM t1 WHERE k = 62')).toEqual([['0']]);
    await a.execute("INSERT INTO t1 VALUES (63, 'by SET')");
    await a.execute('SET autocommit = 1');
    expect(a.transactionStatus).toEqual({ inTransaction: false, autocommit: true });
    expect(await rows(b, 'SELECT COUNT(*) FROM t1 WHERE k = 63')).toEqual([['1']]);
    await a.execute('DROP TABLE made_in_txn');
  });

  it('BEGIN inside a transaction commits it first (MySQL); COMMIT AND CHAIN starts the next with the same level', async () => {
    await a.execute('BEGIN');
    await a.execute("INSERT INTO t1 VALUES (70, 'first')");
    await a.execute('BEGIN');
    expect(await rows(b, 'SELECT COUNT(*) FROM t1 WHERE k = 70')).toEqual([['1']]);
    await a.execute("INSERT INTO t1 VALUES (71, 'second')");
    await a.execute('COMMIT AND CHAIN');
    expect(a.transactionStatus?.inTransaction).toBe(true);
    await a.execute('ROLLBACK');
    expect(await rows(b, 'SELECT COUNT(*) FROM t1 WHERE k = 71')).toEqual([['1']]);
    expect((await fails(a, 'COMMIT RELEASE')).errno).toBe(1235);
  });

  it('savepoints: ROLLBACK TO removes the loads after it, RELEASE forgets it, unknown ones are 1305', async () => {
    await a.execute('BEGIN');
    await a.execute("INSERT INTO t1 VALUES (80, 'keep')");
    await a.execute('SAVEPOINT sp1');
    await a.execute("INSERT INTO t2 VALUES (80, 'drop')");
    await a.execute('SAVEPOINT sp2');
    await a.execute("INSERT INTO t2 VALUES (81, 'drop')");
    await a.execute('ROLLBACK TO SAVEPOINT sp1');
    // sp1 stays, sp2 is gone.
    expect((await fails(a, 'RELEASE SAVEPOINT sp2')).errno).toBe(1305);
    // t2 is no longer modified by this transaction, so it can be read again.
    expect(await rows(a, 'SELECT COUNT(*) FROM t2 WHERE k >= 80')).toEqual([['0']]);
    await a.execute('RELEASE SAVEPOINT sp1');
    expect((await fails(a, 'ROLLBACK TO sp1')).message).toBe('SAVEPOINT sp1 does not exist');
    await a.execute('COMMIT');
    expect(await rows(b, 'SELECT COUNT(*) FROM t1 WHERE k = 80')).toEqual([['1']]);
    expect(await rows(b, 'SELECT COUNT(*) FROM t2 WHERE k >= 80')).toEqual([['0']]);
    // Outside a transaction (autocommit) a SAVEPOINT is accepted and forgotten, as in MySQL.
    await a.execute('SAVEPOINT loose');
    expect((await fails(a, 'ROLLBACK TO loose')).errno).toBe(1305);
  });

  it('READ ONLY transactions refuse loads (1792); SERIALIZABLE is refused, not weakened (1235)', async () => {
    await a.execute('START TRANSACTION READ ONLY');
    const e = await fails(a, "INSERT INTO t1 VALUES (90, 'no')");
    expect([e.errno, e.sqlState, e.message]).toEqual([1792, '25006', 'Cannot execute statement in a READ ONLY transaction.']);
    await a.execute('COMMIT');
    expect((await fails(a, 'SET TRANSACTION ISOLATION LEVEL SERIALIZABLE')).errno).toBe(1235);
    expect((await fails(a, "SET SESSION transaction_isolation = 'SERIALIZABLE'")).errno).toBe(1235);
    expect(await rows(a, 'SELECT @@transaction_isolation')).toEqual([['REPEATABLE-READ']]);
    await a.execute('BEGIN');
    expect((await fails(a, 'SET TRANSACTION ISOLATION LEVEL READ COMMITTED')).errno).toBe(1568);
    await a.execute('COMMIT');
  });

  it('the last write of concurrent transactions wins on a PRIMARY KEY table, in COMMIT order', async () => {
    await a.execute('BEGIN');
    await b.execute('BEGIN');
    await a.execute("INSERT INTO pk VALUES (1, 'from a')");
    await b.execute("INSERT INTO pk VALUES (1, 'from b')");
    await b.execute('COMMIT');
    await a.execute('COMMIT');
    expect(await rows(b, 'SELECT v FROM pk WHERE k = 1')).toEqual([['from a']]);
  });

  it('a COMMIT that cannot publish every load publishes none', async () => {
    const c = t.engine.session({ database: 'db' });
    await c.execute('CREATE TABLE doomed (k INT) DISTRIBUTED BY HASH(k) BUCKETS 1');
    const files = segmentFiles(t.dir);
    await a.execute('BEGIN');
    await a.execute("INSERT INTO t1 VALUES (95, 'atomic')");
    await a.execute('INSERT INTO doomed VALUES (1)');
    await c.execute('DROP TABLE doomed');
    expect((await fails(a, 'COMMIT')).errno).toBe(1051);
    expect(a.transactionStatus?.inTransaction).toBe(false);
    expect(await rows(b, 'SELECT COUNT(*) FROM t1 WHERE k = 95')).toEqual([['0']]);
    await t.engine.session().execute('SELECT 1');
    expect(segmentFiles(t.dir).length).toBeLessThanOrEqual(files.length);
    c.close();
  });

  it('closing a session rolls its transaction back and deletes its files', async () => {
    const files = segmentFiles(t.dir);
    const c = t.engine.session({ database: 'db' });
    await c.execute('BEGIN');
    await c.execute("INSERT INTO t1 VALUES (99, 'abandoned')");
    c.close();
    await expect.poll(() => segmentFiles(t.dir)).toEqual(files);
    expect(await rows(b, 'SELECT COUNT(*) FROM t1 WHERE k = 99')).toEqual([['0']]);
  });
});
