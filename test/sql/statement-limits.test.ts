/**
 * Statement limits through the library: query_timeout and max_execution_time (in simulated time), KILL QUERY of a
 * CPU-bound statement, max_allowed_packet and the parse-limit variables, the parser thread (same AST as inline,
 * interruptible), and the paced sort the ORDER BY pipeline uses.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStatement } from '../../grammar/index.ts';
import { Engine, type Session } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { sortPaced } from '../../src/sql/pace.ts';
import { parseStatementBounded } from '../../src/sql/parse/statement-parser.ts';
import { parseWorker } from '../../src/sql/parse/worker-pool.ts';
import { ManualClock } from '../../src/util/clock.ts';

let dir: string;
let engine: Engine;
let root: Session;
const clock = new ManualClock();

/** 500 million rows: minutes of work, so only a limit or a KILL ends it within the test. */
const ENDLESS = 'SELECT count(*), sum(generate_series % 7) FROM TABLE(generate_series(1, 500000000))';

/** Resolve after real time passes (the statement runs meanwhile). */
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-limits-'));
  engine = await Engine.open({ dataDir: dir, backends: 1, clock, logger: createLogger({ level: 'silent' }) });
  root = engine.session();
});

afterAll(async () => {
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('query_timeout, max_execution_time and KILL QUERY stop CPU-bound statements', () => {
  it('query_timeout: StarRocks 5024 when the deadline passes (simulated time)', async () => {
    const s = engine.session();
    await s.execute('SET query_timeout = 2');
    const running = s.execute(ENDLESS);
    const failed = expect(running).rejects.toMatchObject({
      errno: 5024,
      sqlState: '53400',
      message: "Query reached its timeout of 2 seconds, please increase the 'query_timeout' session variable and retry",
    });
    await pause(50);
    clock.advance(1999);
    await pause(50);
    clock.advance(1);
    await failed;
    s.close();
  });

  it('max_execution_time: MySQL 3024 for a SELECT', async () => {
    const s = engine.session();
    await s.execute('SET max_execution_time = 100');
    const failed = expect(s.execute(ENDLESS)).rejects.toMatchObject({ errno: 3024, message: 'Query execution was interrupted, maximum statement execution time exceeded' });
    await pause(50);
    clock.advance(100);
    await failed;
    s.close();
  });

  it('KILL QUERY from another session: 1317, and the session goes on', async () => {
    const victim = engine.session();
    const started = performance.now();
    const failed = expect(victim.execute(`${ENDLESS} WHERE generate_series > 3`)).rejects.toMatchObject({ errno: 1317, message: 'Query execution was interrupted' });
    await pause(100);
    await root.execute(`KILL QUERY ${victim.connectionId}`);
    await failed;
    expect(performance.now() - started).toBeLessThan(5000);
    expect((await victim.execute('SELECT 1')).kind).toBe('rows');
    victim.close();
  });

  it('an ORDER BY over millions of rows is interrupted too (the sort yields)', async () => {
    const victim = engine.session();
    const failed = expect(victim.execute('SELECT generate_series FROM TABLE(generate_series(1, 50000000)) ORDER BY generate_series DESC')).rejects.toMatchObject({ errno: 1317 });
    await pause(200);
    victim.interrupt();
    await failed;
    victim.close();
  });
});

describe('size variables', () => {
  it('max_allowed_packet: session value read-only (1621); SET GLOBAL applies to new sessions; larger statements get 1153', async () => {
    await expect(root.execute('SET max_allowed_packet = 4096')).rejects.toMatchObject({ errno: 1621 });
    await root.execute('SET GLOBAL max_allowed_packet = 4096');
    try {
      const s = engine.session();
      await expect(s.execute(`SELECT '${'x'.repeat(5000)}'`)).rejects.toMatchObject({ errno: 1153, sqlState: '08S01' });
      expect((await s.execute(`SELECT '${'x'.repeat(3000)}'`)).kind).toBe('rows');
      s.close();
    } finally {
      await root.execute('SET GLOBAL max_allowed_packet = 33554432');
    }
  });

  it('parse_tokens_limit, expr_depth_limit and expr_children_limit are session variables', async () => {
    const s = engine.session();
    await s.execute('SET parse_tokens_limit = 10');
    await expect(s.execute('SELECT 1, 2, 3, 4, 5, 6')).rejects.toMatchObject({ errno: 1064, message: expect.stringMatching(/parse_tokens_limit/) });
    await s.execute('SET parse_tokens_limit = DEFAULT');
    await s.execute('SET expr_depth_limit = 10');
    await expect(s.execute(`SELECT ${Array(11).fill('1').join('+')}`)).rejects.toMatchObject({ errno: 1064, message: expect.stringMatching(/maximum depth of an expression tree \(10\)/) });
    // It can only be lowered: the engine recurses over expressions on the main thread's stack.
    await s.execute('SET expr_depth_limit = 5000');
    expect((await s.execute('SELECT @@expr_depth_limit')).kind === 'rows' && (await s.execute('SELECT @@expr_depth_limit'))).toMatchObject({ rows: [['1000']] });
    await s.execute('SET expr_children_limit = 3');
    await expect(s.execute('SELECT 1 IN (1, 2, 3, 4)')).rejects.toMatchObject({ errno: 1064, message: expect.stringMatching(/children in expr are 4 exceeded the maximum limit 3/) });
    s.close();
  });
});

describe('the parser thread', () => {
  const limits = { maxTokens: 1_000_000, maxExprDepth: 1000, maxExprChildren: 10_000 };

  it('gives the same statement as the inline parse, errors with their positions', async () => {
    const big = `SELECT a, ${Array(1500).fill("concat('x', b)").join(', ')} FROM t WHERE a IN (${Array(800).fill('1').join(', ')})`;
    const inline = parseStatement(big, limits);
    const threaded = await parseStatementBounded(big, limits, new AbortController().signal);
    expect(threaded).toEqual(inline);
    expect(Object.isFrozen(threaded)).toBe(true);
    const broken = `${big} GROUP BY BY`;
    await expect(parseStatementBounded(broken, limits, new AbortController().signal)).rejects.toMatchObject({ errno: 1064, line: 1, column: big.length + 11 });
    // Too deep for the main thread's stack when parsed inline; the thread's larger stack takes it.
    const nested = `SELECT ${'('.repeat(600)}1${')'.repeat(600)}`;
    expect((await parseStatementBounded(nested, limits, new AbortController().signal)).kind).toBe('Select');
  });

  it('a parse stopped by its signal rejects at once with the reason; the next parse gets a fresh thread', async () => {
    const slow = `SELECT a FROM t WHERE a IN (${Array(10_000).fill('1').join(',')}) OR a IN (${Array(10_000).fill('2').join(',')})`;
    const abort = new AbortController();
    const started = performance.now();
    const parsing = parseWorker.parse(slow, limits, abort.signal);
    setTimeout(() => abort.abort(new Error('stop')), 20);
    await expect(parsing).rejects.toMatchObject({ errno: 1317 });
    expect(performance.now() - started).toBeLessThan(2000);
    expect((await parseWorker.parse('SELECT 1', limits, new AbortController().signal)).kind).toBe('Select');
  }, 60_000);
});

describe('sortPaced', () => {
  it('sorts like Array.prototype.sort, stably, across runs and merges (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 20_000 }), async (keys) => {
        const items = keys.map((k, i) => ({ k, i }));
        const expected = [...items].sort((a, b) => a.k - b.k);
        expect(await sortPaced(items, (a, b) => a.k - b.k)).toEqual(expected);
      }),
      { numRuns: 30 },
    );
  });
});
