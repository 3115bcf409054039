/**
 * Bounded memory and interruptibility of the operators that hold state: a join build side, set-operation and
 * DISTINCT state and an IN-subquery's values past `query_mem_limit` fail with StarRocks' error (and the limit is
 * per statement, so the next statement runs); a long join stops on KILL QUERY.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryTracker, rowBytes } from '../../../src/sql/select/memory.ts';
import { openTestDb, type TestDb } from '../data-plane/helpers.ts';

let db: TestDb;

beforeAll(async () => {
  db = await openTestDb({ database: 'm' });
  await db.exec(`
    CREATE TABLE big (k BIGINT, pad VARCHAR(64)) DISTRIBUTED BY HASH(k) BUCKETS 2;
    INSERT INTO big SELECT generate_series, 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' FROM TABLE(generate_series(1, 20000));
    CREATE TABLE small (k BIGINT);
    INSERT INTO small VALUES (1), (2), (3);
  `);
});
afterAll(async () => {
  await db?.close();
});

const LIMIT_TEXT = /^Memory of query exceed limit\. .* Used: \d+, Limit: 1000000\. Mem usage has exceed the limit of single query, You can change the limit by set session variable query_mem_limit\.$/;

describe('query_mem_limit', () => {
  it('fails a join whose build side passes the limit, with StarRocks error text; the session goes on', async () => {
    await db.exec('SET query_mem_limit = 1000000');
    const e = await db.fails('SELECT COUNT(*) FROM small s JOIN big b ON b.k = s.k');
    expect([e.errno, e.sqlState]).toEqual([1064, 'HY000']);
    expect(e.message).toMatch(LIMIT_TEXT);
    expect(e.message).toContain('INNER JOIN hash table build side (right input).');
    // The same join with the small side built fits; the engine and the session are fine.
    expect(await db.rows('SELECT COUNT(*) FROM big b JOIN small s ON b.k = s.k')).toEqual([['3']]);
    await db.exec('SET query_mem_limit = 0');
    expect(await db.rows('SELECT COUNT(*) FROM small s JOIN big b ON b.k = s.k')).toEqual([['3']]);
  });

  it('bounds nested-loop builds, set operations, DISTINCT and IN-subquery values too', async () => {
    await db.exec('SET query_mem_limit = 1000000');
    try {
      const cases: [string, string][] = [
        ['SELECT COUNT(*) FROM small s JOIN big b ON b.k < s.k', 'nested-loop build side'],
        ['SELECT COUNT(*) FROM (SELECT k, pad FROM big UNION SELECT k, pad FROM big) u', 'UNION DISTINCT state.'],
        ['SELECT COUNT(*) FROM (SELECT k FROM small INTERSECT SELECT k FROM big) u', 'INTERSECT state.'],
        ['SELECT COUNT(*) FROM (SELECT DISTINCT k, pad FROM big) d', 'SELECT DISTINCT state.'],
        ['SELECT COUNT(*) FROM small WHERE k IN (SELECT k FROM big)', 'IN subquery values'],
      ];
      for (const [sql, what] of cases) {
        const e = await db.fails(sql);
        expect(e.message, sql).toMatch(LIMIT_TEXT);
        expect(e.message, sql).toContain(what);
      }
      // UNION ALL streams: no state, no limit.
      expect(await db.rows('SELECT COUNT(*) FROM (SELECT k FROM big UNION ALL SELECT k FROM big) u')).toEqual([['40000']]);
    } finally {
      await db.exec('SET query_mem_limit = 0');
    }
  });

  it('is counted per statement and given back when an operator ends', () => {
    const tracker = createMemoryTracker(1000);
    tracker.reserve(600, 'a');
    expect(() => tracker.reserve(600, 'b')).toThrow(/Used: 1200, Limit: 1000/);
    tracker.release(600);
    tracker.reserve(900, 'c');
    expect(tracker.used).toBe(900);
    expect(rowBytes(['abc', 1n, 2, null])).toBeGreaterThan(rowBytes([null]));
  });

  it('names the heap cap when it is what binds', () => {
    const tracker = createMemoryTracker(10_000, 1000);
    expect(() => tracker.reserve(2000, 'x')).toThrow(/capped at half of the Node\.js heap \(1000 bytes\)/);
  });
});

describe('KILL QUERY', () => {
  it('stops a long nested-loop join', async () => {
    const session = db.engine.session({ database: 'm' });
    try {
      const started = Date.now();
      const running = session.execute('SELECT COUNT(*) FROM big a JOIN big b ON a.k < b.k');
      setTimeout(() => db.engine.session().execute(`KILL QUERY ${session.connectionId}`).catch(() => undefined), 200);
      await expect(running).rejects.toMatchObject({ errno: 1317 });
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      session.close();
    }
  });
});
