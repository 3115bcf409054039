/**
 * fast-check: the binary protocol gives what the text protocol gives. Random prepared statements (SELECT with `?` in
 * the select list, expressions and WHERE; INSERT … VALUES (?, …)) run with random parameter sets through node
 * mariadb's execute() (COM_STMT_PREPARE / EXECUTE, typed parameters, binary rows) must return the same rows — or fail
 * with the same error — as the same statement through its query() (the text protocol, where the driver writes the
 * values into the SQL as literals with its own escaping). INSERTs are compared by what they stored.
 *
 * Doubles and decimals are multiples of 1/4 (exact in binary and decimal: a DOUBLE parameter and the decimal literal the driver
 * writes for it must compute the same), values are compared as text.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import mariadb, { type Connection } from 'mariadb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';

const logger = createLogger({ level: 'silent' });
let dir: string;
let engine: Engine;
let server: RunningServer;
let conn: Connection;

type Param = null | boolean | number | string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-prop-'));
  engine = await Engine.open({ dataDir: dir, backends: 1, logger });
  server = await startServer(engine, { port: 0, logger });
  const table = (name: string): string =>
    `CREATE TABLE q.${name} (id INT, i BIGINT, v VARCHAR(64), d DOUBLE, de DECIMAL(12, 2), dt DATE) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")`;
  await engine.session().execute(`
    CREATE DATABASE q;
    ${table('t')}; ${table('wb')}; ${table('wt')};
    INSERT INTO q.t VALUES (1, -5, 'a', 0.5, 1.25, '2024-01-01'), (2, 0, '', -2.75, 0, '1999-12-31'), (3, 7, 'it''s', 1e3, -3.5, '2000-02-29'),
      (4, NULL, NULL, NULL, NULL, NULL), (5, 9007199254740993, 'é ✓', 0.25, 99.75, '2024-12-31');
  `);
  conn = await mariadb.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', database: 'q', dateStrings: true, bigIntAsNumber: false, decimalAsNumber: false });
}, 60_000);

afterAll(async () => {
  await conn?.end();
  await server?.close();
  await engine?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const int = fc.oneof(fc.integer({ min: -10, max: 10 }), fc.integer({ min: -2147483648, max: 2147483647 }));
const quarter = fc.integer({ min: -4000, max: 4000 }).map((n) => n / 4);
const text = fc.oneof(
  fc.constantFrom('a', '', 'it\'s', 'é ✓', '\\', '\'', '"', '%_', 'line\nbreak', '\t', '?', ';'),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
);
const date = fc.constantFrom('2024-01-01', '1999-12-31', '2000-02-29', '2024-06-15');
const param: fc.Arbitrary<Param> = fc.oneof(fc.constant(null), fc.boolean(), int, quarter, text);
const numeric: fc.Arbitrary<Param> = fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 4, arbitrary: fc.oneof(int, quarter) });
const stringy: fc.Arbitrary<Param> = fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 4, arbitrary: text });

interface Case {
  readonly sql: string;
  readonly params: readonly Param[];
}

const selects: fc.Arbitrary<Case> = fc.oneof(
  fc.tuple(param, param).map(([a, b]) => ({ sql: 'SELECT ? AS a, ? AS b', params: [a, b] })),
  numeric.map((a) => ({ sql: 'SELECT id, v FROM t WHERE id = ? ORDER BY id', params: [a] })),
  fc.tuple(numeric, numeric).map(([a, b]) => ({ sql: 'SELECT id FROM t WHERE i BETWEEN ? AND ? ORDER BY id', params: [a, b] })),
  fc.tuple(stringy, stringy).map(([a, b]) => ({ sql: 'SELECT id, CONCAT(v, ?) AS c FROM t WHERE v <> ? ORDER BY id', params: [a, b] })),
  fc.tuple(param, param).map(([a, b]) => ({ sql: 'SELECT id, COALESCE(?, v) AS c, ? IS NULL AS z FROM t ORDER BY id', params: [a, b] })),
  fc.tuple(numeric, numeric).map(([a, b]) => ({ sql: 'SELECT id, id * ? + ? AS e FROM t ORDER BY id', params: [a, b] })),
  numeric.map((a) => ({ sql: 'SELECT COUNT(*) AS n, SUM(de) AS s FROM t WHERE d > ?', params: [a] })),
  fc.tuple(date, stringy).map(([a, b]) => ({ sql: 'SELECT id FROM t WHERE dt <= ? OR v = ? ORDER BY id', params: [a, b] })),
  fc.tuple(numeric, stringy, numeric).map(([a, b, c]) => ({ sql: 'SELECT id, ? + de AS x, LENGTH(?) AS l FROM t WHERE id > ? ORDER BY id', params: [a, b, c] })),
  fc.tuple(param, numeric).map(([a, b]) => ({ sql: 'SELECT CASE WHEN id = ? THEN v ELSE ? END AS c FROM t ORDER BY id', params: [b, a] })),
);

/**
 * A value as text. Types may differ where a literal's type and a parameter's do (the driver writes 2.5 as a DECIMAL
 * literal, a DOUBLE parameter stays DOUBLE), values may not: a number with a fraction or an exponent is compared by
 * its value (`780.50` = `780.5`), integers digit for digit.
 */
function norm(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  const s = String(v);
  return /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(s) && /[.e]/i.test(s) ? String(Number(s)) : s;
}

async function outcome(run: () => Promise<unknown>): Promise<{ rows: (string | null)[][] } | { errno: number }> {
  try {
    const rows = (await run()) as unknown[][];
    return { rows: rows.map((r) => r.map(norm)) };
  } catch (error) {
    const errno = (error as { errno?: number }).errno;
    if (typeof errno !== 'number' || errno >= 45000) throw error;
    return { errno };
  }
}

describe('binary protocol = text protocol with the literals inlined', () => {
  it('SELECT with ? in the select list, expressions and WHERE', async () => {
    await fc.assert(
      fc.asyncProperty(selects, async ({ sql, params }) => {
        const binary = await outcome(() => conn.execute({ sql, rowsAsArray: true }, [...params]));
        const textual = await outcome(() => conn.query({ sql, rowsAsArray: true }, [...params]));
        expect(binary, `${sql} with ${JSON.stringify(params)}`).toEqual(textual);
      }),
      { numRuns: Number(process.env["PROP_RUNS"] ?? 150) },
    );
  }, 120_000);

  it('INSERT … VALUES (?, …) stores what the literal INSERT stores', async () => {
    let id = 0;
    const row = fc.tuple(numeric, stringy, fc.oneof(fc.constant(null), quarter), fc.oneof(fc.constant(null), quarter), fc.oneof(fc.constant(null), date));
    await fc.assert(
      fc.asyncProperty(row, async (values) => {
        id++;
        const params = [id, ...values];
        const insert = (table: string): string => `INSERT INTO ${table} (id, i, v, d, de, dt) VALUES (?, ?, ?, ?, ?, ?)`;
        const binary = await outcome(async () => [[(await conn.execute(insert('wb'), params)).affectedRows]]);
        const textual = await outcome(async () => [[(await conn.query(insert('wt'), params)).affectedRows]]);
        expect(binary, `${JSON.stringify(params)}`).toEqual(textual);
        const read = (table: string): Promise<unknown> => conn.query({ sql: `SELECT i, v, d, de, dt FROM ${table} WHERE id = ?`, rowsAsArray: true }, [id]);
        expect(await outcome(() => read('wb'))).toEqual(await outcome(() => read('wt')));
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
