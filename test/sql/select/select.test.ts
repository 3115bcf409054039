import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Expr, OrderItem, SelectStmt, TableRef } from '../../../grammar/ast.ts';
import { isSqlError } from '../../../src/errors/index.ts';
import { executeSelect } from '../../../src/sql/select/execute-select.ts';
import { arrayRowSource, type ResolvedSource, type RowSource } from '../../../src/sql/select/row-source.ts';
import type { ResultSet } from '../../../src/sql/result.ts';
import type { Row, Value } from '../../../src/types/value.ts';
import { bin, col, fn, fnDistinct, item, num, select, star, str, testContext } from '../helpers.ts';

const ctx = testContext();
const T: TableRef = { kind: 'TableRef', name: { db: 'db1', name: 't' } };

const COLUMNS = [
  { name: 'k', type: { name: 'INT' }, nullable: true },
  { name: 'g', type: { name: 'VARCHAR', length: 8 }, nullable: true },
  { name: 'v', type: { name: 'INT' }, nullable: true },
] as const;

function resolverFor(rows: readonly Row[]): (ref: TableRef) => Promise<ResolvedSource> {
  return async (ref) => {
    if (ref.name.name !== 't') throw new Error(`no table ${ref.name.name}`);
    return { source: arrayRowSource(COLUMNS, rows, 7), qualifiers: ['db1', 't'] };
  };
}

async function query(stmt: SelectStmt, rows: readonly Row[] = []): Promise<ResultSet> {
  return executeSelect(stmt, resolverFor(rows), ctx);
}

async function errOf(p: Promise<unknown>): Promise<{ errno: number; message: string }> {
  try {
    await p;
  } catch (e) {
    if (isSqlError(e)) return { errno: e.errno, message: e.message };
    throw e;
  }
  throw new Error('expected an error');
}

// ---------------------------------------------------------------------------------------------------------------
// Model-based: random tables and queries against a plain JS reference.

type R = { k: number | null; g: string | null; v: number | null };
const rowArb = fc.record({
  k: fc.option(fc.integer({ min: -4, max: 4 }), { nil: null }),
  g: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: null }),
  v: fc.option(fc.integer({ min: -100, max: 100 }), { nil: null }),
});

interface Pred {
  expr: Expr;
  test: (r: R) => boolean;
}
const predArb: fc.Arbitrary<Pred | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.integer({ min: -4, max: 4 }).map((c) => ({ expr: bin('>', col('k'), num(c)), test: (r: R) => r.k !== null && r.k > c })),
  fc.integer({ min: -4, max: 4 }).map((c) => ({ expr: bin('=', col('k', 't'), num(c)), test: (r: R) => r.k === c })),
  fc.constantFrom('a', 'b').map((s) => ({ expr: bin('=', col('g'), str(s)), test: (r: R) => r.g === s })),
  fc.constant({ expr: { kind: 'IsNull', expr: col('k'), not: false } as Expr, test: (r: R) => r.k === null }),
  fc.tuple(fc.integer({ min: -4, max: 4 }), fc.integer({ min: -100, max: 100 })).map(([a, b]) => ({
    expr: bin('OR', bin('<', col('k'), num(a)), { kind: 'Unary', op: 'NOT', operand: bin('>=', col('v'), num(b)) }),
    // 3VL: NULL OR x is true only if x is true.
    test: (r: R) => (r.k !== null && r.k < a) || (r.v !== null && !(r.v >= b)),
  })),
);

const cmpNullFirst = (a: Value, b: Value): number => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1);
const fmt = (v: number | string | bigint | null): string | null => (v === null ? null : String(v));

describe('SELECT against a reference model', () => {
  it('plain queries: WHERE, DISTINCT, ORDER BY over every column, LIMIT/OFFSET', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(rowArb, { maxLength: 40 }),
        predArb,
        fc.boolean(),
        fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
        fc.option(fc.record({ count: fc.integer({ min: 0, max: 10 }), offset: fc.integer({ min: 0, max: 5 }) }), { nil: undefined }),
        async (rows, pred, distinct, desc, limit) => {
          const names = ['k', 'g', 'v'] as const;
          const orderBy: OrderItem[] = names.map((n, i) => ({ expr: col(n), descending: desc[i] ?? false }));
          const stmt = select({ items: [{ kind: 'SelectStar' }], from: T, distinct, orderBy, ...(pred ? { where: pred.expr } : {}), ...(limit ? { limit } : {}) });
          const got = await query(stmt, rows.map((r) => [r.k, r.g, r.v]));
          let want = rows.filter((r) => !pred || pred.test(r)).map((r) => [r.k, r.g, r.v] as Value[]);
          if (distinct) want = [...new Map(want.map((r) => [JSON.stringify(r), r])).values()];
          want.sort((x, y) => {
            for (let i = 0; i < 3; i++) {
              // MySQL default: NULLs first ascending, last descending (= reversed order).
              const c = cmpNullFirst(x[i] ?? null, y[i] ?? null);
              if (c !== 0) return desc[i] ? -c : c;
            }
            return 0;
          });
          if (limit) want = want.slice(limit.offset, limit.offset + limit.count);
          expect(got.columns).toEqual(['k', 'g', 'v']);
          expect(got.rows).toEqual(want.map((r) => r.map((v) => fmt(v as number | string | null))));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('GROUP BY with COUNT/SUM/MIN/MAX/AVG/COUNT(DISTINCT), HAVING, ORDER BY key', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rowArb, { maxLength: 40 }), predArb, fc.constantFrom('g', 'k'), fc.boolean(), fc.integer({ min: 0, max: 3 }), async (rows, pred, key, desc, minCount) => {
        const stmt = select({
          items: [item(col(key)), item(fn('count', star)), item(fn('count', col('v'))), item(fn('sum', col('v'))), item(fn('min', col('v'))), item(fn('max', col('v'))), item(fnDistinct('count', col('v'))), item(fn('avg', col('v')), 'av')],
          from: T,
          groupBy: [col(key)],
          having: bin('>=', fn('count', star), num(minCount)),
          orderBy: [{ expr: num(1), descending: desc }],
          ...(pred ? { where: pred.expr } : {}),
        });
        const got = await query(stmt, rows.map((r) => [r.k, r.g, r.v]));
        const groups = new Map<number | string | null, R[]>();
        for (const r of rows.filter((x) => !pred || pred.test(x))) {
          const g = r[key];
          groups.set(g, [...(groups.get(g) ?? []), r]);
        }
        const want = [...groups.entries()]
          .filter(([, rs]) => rs.length >= minCount)
          .sort(([a], [b]) => (desc ? -cmpNullFirst(a, b) : cmpNullFirst(a, b)))
          .map(([g, rs]) => {
            const vs = rs.map((r) => r.v).filter((v): v is number => v !== null);
            return [
              fmt(g),
              String(rs.length),
              String(vs.length),
              vs.length ? String(vs.reduce((a, b) => a + b, 0)) : null,
              vs.length ? String(Math.min(...vs)) : null,
              vs.length ? String(Math.max(...vs)) : null,
              String(new Set(vs).size),
              vs.length ? String(vs.reduce((a, b) => a + b, 0) / vs.length) : null,
            ];
          });
        expect(got.columns).toEqual([key, 'count(*)', 'count(v)', 'sum(v)', 'min(v)', 'max(v)', 'count(DISTINCT v)', 'av']);
        expect(got.rows.map((r) => r.map((c, i) => (i === 7 && c !== null ? String(Number(c)) : c)))).toEqual(want);
      }),
      { numRuns: 150 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('SELECT features', () => {
  const rows: Row[] = [
    [1, 'a', 10],
    [2, 'b', 20],
    [3, 'a', null],
    [null, null, 5],
  ];

  it('SELECT without FROM', async () => {
    const r = await query(select({ items: [item(bin('+', num(1), num(1))), item({ kind: 'VariableRef', scope: 'DEFAULT', name: 'version_comment' })], limit: { count: 1, offset: 0 } }));
    expect(r.columns).toEqual(['1 + 1', '@@version_comment']);
    expect(r.rows).toEqual([['2', 'tablevault']]);
    expect(r.columnTypes[0]).toEqual({ name: 'BIGINT' });
  });

  it('aggregates over an empty input give one row; with GROUP BY none', async () => {
    const r = await query(select({ items: [item(fn('count', star)), item(fn('sum', col('v'))), item(fn('max', col('g')))], from: T }));
    expect(r.rows).toEqual([['0', null, null]]);
    const g = await query(select({ items: [item(fn('count', star))], from: T, groupBy: [col('g')] }));
    expect(g.rows).toEqual([]);
  });

  it('aliases, t.* expansion, expressions over groups, ORDER BY alias / ordinal / NULLS LAST', async () => {
    const r = await query(select({ items: [item(col('v'), 'val'), item(bin('*', col('k'), num(2)), 'dbl')], from: { ...T, alias: 'x' }, orderBy: [{ expr: col('val'), descending: false, nulls: 'LAST' }] }), rows);
    expect(r.columns).toEqual(['val', 'dbl']);
    expect(r.rows).toEqual([['5', null], ['10', '2'], ['20', '4'], [null, '6']]);
    const s = await query(select({ items: [{ kind: 'SelectStar', table: 'x' }], from: { ...T, alias: 'x' }, where: bin('=', col('k', 'x'), num(2)) }), rows);
    expect(s.rows).toEqual([['2', 'b', '20']]);
    const g = await query(
      select({ items: [item(col('g')), item(bin('+', fn('sum', col('v')), num(1)), 's1'), item(fn('group_concat', col('k')))], from: T, groupBy: [col('g')], orderBy: [{ expr: num(2), descending: true }] }),
      rows,
    );
    expect(g.rows).toEqual([['b', '21', '2'], ['a', '11', '1, 3'], [null, '6', null]]);
    const h = await query(select({ items: [item(col('g')), item(fn('count', star), 'n')], from: T, groupBy: [col('g')], having: bin('>', col('n'), num(1)) }), rows);
    expect(h.rows).toEqual([['a', '2']]);
    const byOrdinal = await query(select({ items: [item(col('g'), 'grp'), item(fn('count', star))], from: T, groupBy: [num(1)], orderBy: [{ expr: col('grp'), descending: false }] }), rows);
    expect(byOrdinal.rows).toEqual([[null, '1'], ['a', '2'], ['b', '1']]);
  });

  it('exact SUM/AVG for DECIMAL and huge BIGINT', async () => {
    const src: RowSource = arrayRowSource(
      [
        { name: 'd', type: { name: 'DECIMAL', precision: 10, scale: 2 }, nullable: true },
        { name: 'b', type: { name: 'BIGINT' }, nullable: true },
      ],
      [
        ['0.10', 9223372036854775807n],
        ['0.20', 9223372036854775807n],
        ['0.05', null],
      ],
    );
    const r = await executeSelect(select({ items: [item(fn('sum', col('d'))), item(fn('avg', col('d'))), item(fn('sum', col('b'))), item(fn('avg', col('b')))], from: T }), async () => ({ source: src }), ctx);
    expect(r.rows).toEqual([['0.35', '0.116667', '18446744073709551614', '9.223372036854776e18']]);
    expect(r.columnTypes.map((t) => t.name)).toEqual(['DECIMAL', 'DECIMAL', 'LARGEINT', 'DOUBLE']);
  });

  it('subqueries in FROM', async () => {
    const inner = select({ items: [item(col('g')), item(fn('sum', col('v')), 'total')], from: T, groupBy: [col('g')] });
    const r = await query(select({ items: [item(col('total', 'sq'))], from: { kind: 'SubqueryRef', query: inner, alias: 'sq' }, where: bin('>', col('total'), num(10)) }), rows);
    expect(r.rows).toEqual([['20']]);
  });

  it('LIMIT stops the scan early (no ORDER BY)', async () => {
    let batches = 0;
    const source: RowSource = {
      columns: COLUMNS,
      async *scan() {
        for (let i = 0; i < 1_000_000; i++) {
          batches++;
          yield [[i, 'x', i]];
        }
      },
    };
    const r = await executeSelect(select({ items: [item(col('k'))], from: T, where: bin('>=', col('k'), num(10)), limit: { count: 3, offset: 2 } }), async () => ({ source }), ctx);
    expect(r.rows).toEqual([['12'], ['13'], ['14']]);
    expect(batches).toBeLessThan(20);
  });

  it('passes pruned partition ids to the scan', async () => {
    let seen: readonly number[] | undefined;
    const source: RowSource = {
      columns: COLUMNS,
      async *scan(options) {
        seen = options.partitionIds;
        yield [];
      },
    };
    await executeSelect(select({ items: [item(col('k'))], from: T, where: bin('=', col('k'), num(1)) }), async () => ({ source, prune: (where) => (where ? [42] : undefined) }), ctx);
    expect(seen).toEqual([42]);
  });

  it('honours an aborted signal with 1317', async () => {
    const ac = new AbortController();
    ac.abort();
    const e = await errOf(executeSelect(select({ items: [item(col('generate_series'))], from: { kind: 'TableFunctionRef', name: 'generate_series', args: [num(1), num(10)] } }), resolverFor([]), { ...ctx, signal: ac.signal }));
    expect(e.errno).toBe(1317);
  });
});

describe('generate_series', () => {
  const gs = (...args: Expr[]): SelectStmt => select({ items: [{ kind: 'SelectStar' }], from: { kind: 'TableFunctionRef', name: 'generate_series', args } });
  it('matches a model for random start/stop/step', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -50, max: 50 }), fc.integer({ min: -50, max: 50 }), fc.integer({ min: -7, max: 7 }).filter((s) => s !== 0), async (a, b, s) => {
        const r = await query(gs(num(a), num(b), num(s)));
        const want: string[][] = [];
        for (let v = a; s > 0 ? v <= b : v >= b; v += s) want.push([String(v)]);
        expect(r.columns).toEqual(['generate_series']);
        expect(r.rows).toEqual(want);
      }),
      { numRuns: 100 },
    );
  });
  it('streams a million rows through COUNT/SUM', async () => {
    const r = await query(select({ items: [item(fn('count', star)), item(fn('sum', col('generate_series')))], from: { kind: 'TableFunctionRef', name: 'generate_series', args: [num(1), num(1_000_000)] } }));
    expect(r.rows).toEqual([['1000000', '500000500000']]);
  });
  it('rejects step 0, wrong arity, non-constant args, unknown table functions', async () => {
    expect((await errOf(query(gs(num(1), num(5), num(0))))).message).toContain('step cannot be zero');
    expect((await errOf(query(gs(num(1))))).message).toContain('generate_series() takes 2 or 3 arguments');
    expect((await errOf(query(select({ items: [item(num(1))], from: { kind: 'TableFunctionRef', name: 'unnest', args: [] } })))).message).toContain("Unknown table function 'unnest'");
  });
});

describe('SELECT errors', () => {
  it('non-aggregated column, unknown column, aggregates in WHERE, bad ordinal, star without FROM, unknown t.*', async () => {
    const e1 = await errOf(query(select({ items: [item(col('k')), item(fn('count', star))], from: T })));
    expect(e1.message).toBe("Getting analyzing error. Detail message: 'k' must be an aggregate expression or appear in GROUP BY clause.");
    expect(await errOf(query(select({ items: [item(col('zz'))], from: T })))).toEqual({ errno: 1054, message: "Unknown column 'zz' in 'field list'" });
    expect((await errOf(query(select({ items: [item(col('k'))], from: T, where: bin('>', fn('sum', col('v')), num(1)) })))).message).toContain('WHERE clause');
    expect((await errOf(query(select({ items: [item(col('k'))], from: T, orderBy: [{ expr: num(5), descending: false }] })))).errno).toBe(1054);
    expect((await errOf(query(select({ items: [item(col('k'))], from: T, groupBy: [num(3)] })))).errno).toBe(1054);
    expect((await errOf(query(select({ items: [{ kind: 'SelectStar' }] })))).message).toContain('No tables used');
    expect((await errOf(query(select({ items: [{ kind: 'SelectStar', table: 'nope' }], from: T })))).errno).toBe(1051);
    expect((await errOf(query(select({ items: [item(fn('sum', fn('count', star)))], from: T })))).errno).toBe(1064);
    expect((await errOf(query(select({ items: [item(fn('count'))], from: T })))).message).toContain('No matching function');
    expect((await errOf(query(select({ items: [item(col('k'))], from: T, groupBy: [fn('sum', col('v'))] })))).message).toContain('GROUP BY clause cannot contain aggregate');
  });
});
