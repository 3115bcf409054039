/**
 * LOCK TABLES through the real Engine: READ is a pinned snapshot of the locked tables, only locked tables are usable
 * (1100, 1099), WRITE makes other sessions wait (until UNLOCK, disconnect, lock_wait_timeout → 1205, or KILL QUERY),
 * BEGIN and UNLOCK release.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../../src/engine.ts';
import { isSqlError, type SqlError } from '../../../src/errors/index.ts';
import { openTestDb, type TestDb } from '../data-plane/helpers.ts';

async function rows(s: Session, sql: string): Promise<(string | null)[][]> {
  const r = await s.execute(sql);
  if (r.kind !== 'rows') throw new Error(`expected rows from ${sql}`);
  return r.rows.map((x) => [...x]);
}

async function fails(s: Session, sql: string | Promise<unknown>): Promise<SqlError> {
  try {
    await (typeof sql === 'string' ? s.execute(sql) : sql);
  } catch (error) {
    if (isSqlError(error)) return error;
    throw error;
  }
  throw new Error(`expected ${String(sql)} to fail`);
}

/** Whether `p` is still pending after the event loop has had a few turns. */
async function pending(p: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void p.then(() => (settled = true), () => (settled = true));
  await new Promise((r) => setTimeout(r, 150));
  return !settled;
}

describe('LOCK TABLES', () => {
  let t: TestDb;
  let a: Session;
  let b: Session;

  beforeAll(async () => {
    t = await openTestDb({ database: 'db', backends: 1 });
    await t.exec(`CREATE TABLE t1 (k INT) DISTRIBUTED BY HASH(k) BUCKETS 1;
      CREATE TABLE t2 (k INT) DISTRIBUTED BY HASH(k) BUCKETS 1;
      CREATE VIEW v AS SELECT k FROM t1;
      INSERT INTO t1 VALUES (1); INSERT INTO t2 VALUES (1)`);
    a = t.engine.session({ database: 'db' });
    b = t.engine.session({ database: 'db' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('READ: the locked tables read at one snapshot; others are 1100; writing a READ-locked table is 1099', async () => {
    await a.execute('LOCK TABLES t1 READ, v READ');
    await b.execute('INSERT INTO t1 VALUES (2)');
    expect(await rows(a, 'SELECT COUNT(*) FROM t1')).toEqual([['1']]);
    expect(await rows(a, 'SELECT COUNT(*) FROM v')).toEqual([['1']]);
    const notLocked = await fails(a, 'SELECT * FROM t2');
    expect([notLocked.errno, notLocked.message]).toEqual([1100, "Table 't2' was not locked with LOCK TABLES; add it to LOCK TABLES or run UNLOCK TABLES first"]);
    expect((await fails(a, 'INSERT INTO t1 VALUES (3)')).errno).toBe(1099);
    // information_schema and SHOW stay usable.
    expect(await rows(a, "SELECT COUNT(*) FROM information_schema.tables WHERE TABLE_SCHEMA = 'db'")).toEqual([['3']]);
    await a.execute('UNLOCK TABLES');
    expect(await rows(a, 'SELECT COUNT(*) FROM t1')).toEqual([['2']]);
  });

  it('WRITE: the holder reads and writes; another session waits for UNLOCK TABLES', async () => {
    await a.execute('LOCK TABLES t1 WRITE');
    await a.execute('INSERT INTO t1 VALUES (10)');
    expect(await rows(a, 'SELECT COUNT(*) FROM t1 WHERE k = 10')).toEqual([['1']]);
    const read = rows(b, 'SELECT COUNT(*) FROM t1');
    const write = b.execute('INSERT INTO t2 VALUES (5)');
    expect(await pending(read)).toBe(true);
    // t2 is not locked by anyone: the other session is not held up on it.
    await write;
    await a.execute('INSERT INTO t1 VALUES (11)');
    await a.execute('UNLOCK TABLES');
    expect(await read).toEqual([['4']]);
  });

  it('a waiter gives up after lock_wait_timeout (1205), and KILL QUERY interrupts a wait', async () => {
    await a.execute('LOCK TABLES t1 WRITE');
    await b.execute('SET lock_wait_timeout = 1');
    const e = await fails(b, 'SELECT * FROM t1');
    expect([e.errno, e.sqlState]).toEqual([1205, 'HY000']);
    expect(e.message).toMatch(/^Lock wait timeout exceeded; try restarting transaction/);
    await b.execute('SET lock_wait_timeout = 31536000');
    const waiting = b.execute('LOCK TABLES t1 WRITE');
    expect(await pending(waiting)).toBe(true);
    b.interrupt();
    expect((await fails(b, waiting)).errno).toBe(1317);
    await a.execute('UNLOCK TABLES');
  });

  it('BEGIN and a closed session release the locks', async () => {
    await a.execute('LOCK TABLES t1 WRITE');
    const read = rows(b, 'SELECT COUNT(*) FROM t1 WHERE k = 1');
    expect(await pending(read)).toBe(true);
    await a.execute('BEGIN');
    expect(await read).toEqual([['1']]);
    await a.execute('COMMIT');
    const c = t.engine.session({ database: 'db' });
    await c.execute('LOCK TABLES t1 WRITE');
    const write = b.execute('INSERT INTO t1 VALUES (20)');
    expect(await pending(write)).toBe(true);
    c.close();
    await write;
    expect(await rows(b, 'SELECT COUNT(*) FROM t1 WHERE k = 20')).toEqual([['1']]);
  });

  it('LOCK TABLES commits an open transaction first; UNLOCK TABLES commits one opened under the locks', async () => {
    await a.execute('BEGIN');
    await a.execute('INSERT INTO t2 VALUES (30)');
    await a.execute('LOCK TABLES t2 WRITE');
    expect(a.transactionStatus?.inTransaction).toBe(false);
    // Committed: readable by the holder of the WRITE lock (no longer "modified in this transaction")…
    expect(await rows(a, 'SELECT COUNT(*) FROM t2 WHERE k = 30')).toEqual([['1']]);
    await a.execute('UNLOCK TABLES');
    // …and by everyone once unlocked.
    expect(await rows(b, 'SELECT COUNT(*) FROM t2 WHERE k = 30')).toEqual([['1']]);
    // MySQL's pattern for transactions under table locks: autocommit off, lock, load, UNLOCK commits.
    await a.execute('SET autocommit = 0');
    await a.execute('LOCK TABLES t2 WRITE');
    await a.execute('INSERT INTO t2 VALUES (31)');
    expect(a.transactionStatus?.inTransaction).toBe(true);
    await a.execute('UNLOCK TABLES');
    expect(a.transactionStatus?.inTransaction).toBe(false);
    expect(await rows(b, 'SELECT COUNT(*) FROM t2 WHERE k = 31')).toEqual([['1']]);
    await a.execute('SET autocommit = 1');
    expect((await fails(a, 'LOCK TABLES nope READ')).errno).toBe(1146);
  });
});
