/**
 * INSERT … VALUES of literal rows takes a fast path: grammar/insert-values.ts scans the rows, and the handler takes
 * each literal's value without compiling it (literalValue). Random rows over every column type — NULLs, signs,
 * escapes, quotes, unicode, scientific notation, trailing spaces, out-of-range and ill-typed values — must store the
 * same rows and fail with the same errors as the same statement through the general parser; and literalValue must
 * give exactly what the compiled expression gives.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStatementWithParser, type Expr } from '../../grammar/index.ts';
import { FAST_INSERT_MIN_LENGTH, parseInsertValues } from '../../grammar/insert-values.ts';
import { Engine, type Session } from '../../src/index.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { compileExpr } from '../../src/sql/eval/compile.ts';
import { literalValue } from '../../src/sql/eval/literal-value.ts';
import { EMPTY_SCOPE } from '../../src/sql/eval/scope.ts';
import { testContext } from './helpers.ts';

const COLUMNS = [
  ['b', 'BOOLEAN'], ['ti', 'TINYINT'], ['si', 'SMALLINT'], ['i', 'INT'], ['bi', 'BIGINT'], ['li', 'LARGEINT'], ['f', 'FLOAT'],
  ['d', 'DOUBLE'], ['m', 'DECIMAL(10,3)'], ['c', 'CHAR(5)'], ['v', 'VARCHAR(8)'], ['s', 'STRING'], ['dt', 'DATE'],
  ['ts', 'DATETIME'], ['nn', 'INT NOT NULL'],
] as const;

// Literals of every shape a dump (or a hand-written script) has.
const int = (min: bigint, max: bigint) => fc.bigInt({ min, max }).map((n) => String(n));
const digits = fc.stringMatching(/^[0-9]{1,12}$/);
const decimalText = fc.tuple(fc.constantFrom('', '-', '+'), digits, fc.stringMatching(/^[0-9]{0,5}$/)).map(([s, a, b]) => `${s}${a}.${b}`);
const sci = fc.tuple(fc.constantFrom('', '-'), digits, fc.constantFrom('e', 'E', 'e-', 'E+'), fc.integer({ min: 0, max: 400 })).map(([s, a, e, x]) => `${s}${a}${e}${x}`);
const double = fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => String(n));
const number = fc.oneof(int(-(2n ** 130n), 2n ** 130n), int(-300n, 300n), decimalText, sci, double, fc.constantFrom('.5', '5.', '-0', '0.000', '-.25'));
const escapes = fc.constantFrom("''", "\\'", '\\"', '\\\\', '\\n', '\\t', '\\0', '\\Z', '\\%', '\\_', '\\q');
const plain = fc.string({ unit: 'grapheme', maxLength: 8 }).map((s) => s.replace(/['"\\]/g, ''));
const stringBody = fc.oneof(
  fc.array(fc.oneof(plain, escapes, fc.constantFrom(' ', '  ', '日本', 'é', '😀', '\n')), { maxLength: 4 }).map((p) => p.join('')),
  fc.constantFrom(' 12 ', '1e3', '-0', '12abc', 'true', 'FALSE', '2024-02-29', '2024-02-30', '2024-1-5 3:4:5', '20240101', '2024-01-01 10:00:00.123', 'x   '),
);
const stringLit = stringBody.map((b) => `'${b}'`);
const anyLiteral = fc.oneof(number, stringLit, stringBody.map((b) => `"${b.replace(/''/g, '""')}"`), fc.constantFrom('NULL', 'null', 'TRUE', 'false'));

/** Values the column takes (so statements store rows). */
function valid(type: string): fc.Arbitrary<string> {
  switch (type) {
    case 'BOOLEAN':
      return fc.constantFrom('TRUE', 'FALSE', '0', '1', "'true'", 'NULL');
    case 'TINYINT':
      return int(-128n, 127n);
    case 'SMALLINT':
      return int(-32768n, 32767n);
    case 'INT':
    case 'INT NOT NULL':
      return int(-(2n ** 31n), 2n ** 31n - 1n);
    case 'BIGINT':
      return int(-(2n ** 63n), 2n ** 63n - 1n);
    case 'LARGEINT':
      return int(-(2n ** 127n), 2n ** 127n - 1n);
    case 'FLOAT':
      return fc.oneof(fc.float({ noNaN: true, noDefaultInfinity: true }).map((n) => String(n)), fc.constantFrom('1.5e3', '-2E-2', '.5', '5.'));
    case 'DOUBLE':
      return fc.oneof(double, fc.constantFrom('1.5e300', '-2E-300', '.5', '5.', "' 12 '"));
    case 'DECIMAL(10,3)':
      return fc.tuple(fc.constantFrom('', '-', '+'), fc.stringMatching(/^[0-9]{1,7}$/), fc.stringMatching(/^[0-9]{0,5}$/)).map(([s, a, b]) => `${s}${a}.${b}`);
    case 'DATE':
    case 'DATETIME':
      return fc.constantFrom("'2024-02-29'", "'2024-01-01 23:59:59'", "'1970-01-01'", "'9999-12-31'", '20240101', "'2024-1-5 3:4:5'", 'NULL');
    case 'CHAR(5)':
      return fc.string({ maxLength: 5 }).map((t) => `'${t.replace(/['\\]/g, '')}'`);
    case 'VARCHAR(8)':
      return fc.oneof(fc.string({ maxLength: 8 }).map((t) => `'${t.replace(/['\\]/g, '')}'`), fc.constantFrom("'it''s'", "'a\\nb'", "'é ✓'", "'x   '", '12.5', '-3'));
    default:
      return fc.oneof(stringLit, number, fc.constantFrom('NULL', 'TRUE'));
  }
}

/** Values at or past the column's limits (out of range, too long, impossible dates). */
function edge(type: string): fc.Arbitrary<string> {
  switch (type) {
    case 'TINYINT':
      return fc.constantFrom('128', '-129', '127', '-128', '1e2', '127.9');
    case 'INT':
    case 'INT NOT NULL':
      return fc.constantFrom('2147483648', '-2147483649', 'NULL', '2147483647.5');
    case 'BIGINT':
      return fc.constantFrom('9223372036854775808', '-9223372036854775809', '9223372036854775807');
    case 'LARGEINT':
      return fc.constantFrom('170141183460469231731687303715884105728', '-170141183460469231731687303715884105729');
    case 'FLOAT':
      return fc.constantFrom('3.5e38', '1e39', '-1e-50');
    case 'DOUBLE':
      return fc.constantFrom('1e309', '-1e400', '1e-400');
    case 'DECIMAL(10,3)':
      return fc.constantFrom('9999999.9995', '99999999', '-0.0005', '1e3', "'abc'");
    case 'DATE':
    case 'DATETIME':
      return fc.constantFrom("'2023-02-29'", "'0000-00-00'", "'2024-13-01'", "'x'");
    case 'CHAR(5)':
      return fc.constantFrom("'123456'", "'日本'", "'日本語'", "'abcd '");
    default:
      return anyLiteral;
  }
}

const cell = (type: string): fc.Arbitrary<string> =>
  fc.oneof({ weight: 40, arbitrary: valid(type) }, { weight: 1, arbitrary: edge(type) }, { weight: 1, arbitrary: anyLiteral });
const row = fc.tuple(...COLUMNS.map(([, type]) => cell(type)));
const rows = fc.array(row, { minLength: 1, maxLength: 4 });

/** What the general parser makes of `text` as a select item. */
function exprOf(text: string): Expr {
  const stmt = parseStatementWithParser(`SELECT ${text}`);
  if (stmt.kind !== 'Select' || stmt.items[0]?.kind !== 'SelectExpr') throw new Error('not an expression');
  return stmt.items[0].expr;
}

describe('literalValue = the compiled literal', () => {
  it('every literal (signed numbers of each kind, strings, NULL, booleans) has the value its compiled expression has', () => {
    const ctx = testContext();
    const signs = fc.constantFrom('', '-', '+', '- -', '-+', '--', '+-+');
    fc.assert(
      fc.property(fc.oneof(fc.tuple(signs, number).map(([s, n]) => s + n), anyLiteral, valid('LARGEINT'), edge('DOUBLE')), (text) => {
        // A generated string can be ill-formed (an escape next to a doubled quote): only what parses is a literal.
        let expr: Expr;
        try {
          expr = exprOf(text);
        } catch {
          return;
        }
        let compiled: unknown;
        try {
          compiled = { value: compileExpr(expr, { scope: EMPTY_SCOPE, ctx, clause: 'field list' }).evaluate([]) };
        } catch (e) {
          compiled = { error: (e as Error).message };
        }
        let direct: unknown;
        try {
          direct = { value: literalValue(expr) };
        } catch (e) {
          direct = { error: (e as Error).message };
        }
        // toEqual tells 5n from 5 and '5' from 5: the kind of value (exact integer, DECIMAL text, double) matters.
        expect(direct).toEqual(compiled);
      }),
      { numRuns: 1000 },
    );
  });

  it('is undefined for anything that is not a literal (the handler compiles those)', () => {
    for (const text of ['1 + 2', "DATE '2024-01-01'", 'abs(-1)', "-'5'", '- NULL', 'NOT TRUE', '@x', '~1']) expect(literalValue(exprOf(text))).toBeUndefined();
  });
});

describe('INSERT … VALUES fast path = general parser', () => {
  let dir: string;
  let engine: Engine;
  let session: Session;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-'));
    engine = await Engine.open({ dataDir: dir, backends: 1, logger: createLogger({ level: 'silent' }) });
    session = engine.session();
    const columns = COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ');
    for (const db of ['fast', 'slow']) {
      await session.execute(`CREATE DATABASE ${db}`);
      await session.execute(`CREATE TABLE ${db}.t (rn INT NOT NULL, ${columns}) DUPLICATE KEY(rn) DISTRIBUTED BY HASH(rn) BUCKETS 1 PROPERTIES ('replication_num' = '1')`);
    }
  });
  afterAll(async () => {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function outcome(db: string, sql: string): Promise<unknown> {
    session.useDatabase(db);
    try {
      const r = await session.execute(sql);
      return { affectedRows: r.kind === 'ok' ? r.affectedRows : -1 };
    } catch (e) {
      const x = e as { errno?: unknown; sqlState?: unknown; message?: unknown };
      return { errno: x.errno, sqlState: x.sqlState, message: x.message };
    }
  }

  it('stores the same rows and raises the same errors (fast-check)', async () => {
    let run = 0;
    let stored = 0;
    let failed = 0;
    await fc.assert(
      fc.asyncProperty(rows, async (generated) => {
        const base = ++run * 10;
        const values = generated.map((cells, k) => `(${base + k}, ${cells.join(', ')})`).join(', ');
        // Padding makes the statement long enough for the fast path; a comment sends the same rows to the parser.
        const fastSql = `INSERT INTO t VALUES ${' '.repeat(FAST_INSERT_MIN_LENGTH)}${values}`;
        const slowSql = `INSERT INTO t VALUES /* general parser */ ${values}`;
        expect(parseInsertValues(fastSql, (t) => parseStatementWithParser(t))).toBeDefined();
        const fast = await outcome('fast', fastSql);
        expect(fast).toEqual(await outcome('slow', slowSql));
        if ('errno' in (fast as object)) failed++;
        else stored++;
        const select = `SELECT * FROM t WHERE rn >= ${base} AND rn < ${base + 10} ORDER BY rn`;
        expect(await outcome('fast', select).then(() => session.execute(select))).toEqual(await outcome('slow', select).then(() => session.execute(select)));
      }),
      { numRuns: 40 },
    );
    // Both branches are exercised: rows that store and rows that fail.
    expect(stored).toBeGreaterThan(5);
    expect(failed).toBeGreaterThan(5);
  });

  it('a dump-sized statement stores what the general parser stores', async () => {
    const values = Array.from({ length: 400 }, (_, k) => `(${1_000_000 + k}, ${k % 2 === 0 ? 'TRUE' : 'NULL'}, ${k % 100}, -${k}, ${k}, ${k}000, -${k}, ${k}.5e-1, -${k}.25, ${k}.125, 'c${k % 10}', 'v''${k}', 'unicode ✓ ${k}\\n', '2024-01-${(k % 28) + 1}', '2024-01-01 00:00:${String(k % 60).padStart(2, '0')}', ${k})`).join(',\n');
    expect(await outcome('fast', `INSERT INTO t VALUES ${values}`)).toEqual({ affectedRows: 400 });
    expect(await outcome('slow', `INSERT INTO t VALUES /* general parser */ ${values}`)).toEqual({ affectedRows: 400 });
    const select = 'SELECT * FROM t WHERE rn >= 1000000 ORDER BY rn';
    session.useDatabase('fast');
    const fast = await session.execute(select);
    session.useDatabase('slow');
    expect(fast).toEqual(await session.execute(select));
  });
});
