import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Expr, RangePartitionItem } from '../../../grammar/ast.ts';
import { isSqlError } from '../../../src/errors/index.ts';
import { compileExpr } from '../../../src/sql/eval/compile.ts';
import { toBool } from '../../../src/sql/eval/numeric.ts';
import type { Scope } from '../../../src/sql/eval/scope.ts';
import {
  addRangePartition,
  buildListPartitions,
  buildRangePartitions,
  createRouter,
  prunePartitions,
  routeRow,
  type PartitionColumn,
  type Partitioning,
  type RangeSpec,
} from '../../../src/sql/partition/index.ts';
import type { Row } from '../../../src/types/value.ts';
import { bin, col, nul, num, str, testContext } from '../helpers.ts';

const ctx = testContext();

function errOf(f: () => unknown): { errno: number; message: string } {
  try {
    f();
  } catch (e) {
    if (isSqlError(e)) return { errno: e.errno, message: e.message };
    throw e;
  }
  throw new Error('expected an error');
}

const lit = (value: string) => ({ kind: 'PartitionLiteral', value }) as const;
const lessThan = (name: string, v: string | 'MAX'): RangePartitionItem => ({
  kind: 'LessThanPartition',
  name,
  ifNotExists: false,
  upper: v === 'MAX' ? [{ kind: 'MaxValue' }] : [lit(v)],
  properties: [],
});

const intCol: PartitionColumn[] = [{ name: 'k', type: { name: 'INT' }, index: 0 }];
const dateCol: PartitionColumn[] = [{ name: 'dt', type: { name: 'DATE' }, index: 1 }];
const withIds = (specs: readonly RangeSpec[]) => specs.map((s, i) => ({ ...s, id: 100 + i }));

describe('range partition building', () => {
  it('LESS THAN lists become consecutive ranges', () => {
    const specs = buildRangePartitions(dateCol, [lessThan('p1', '2024-01-01'), lessThan('p2', '2024-02-01'), lessThan('pmax', 'MAX')]);
    expect(specs).toEqual([
      { name: 'p1', lower: 'MINVALUE', upper: ['2024-01-01'] },
      { name: 'p2', lower: ['2024-01-01'], upper: ['2024-02-01'] },
      { name: 'pmax', lower: ['2024-02-01'], upper: 'MAXVALUE' },
    ]);
  });

  it('START/END/EVERY expands with StarRocks names', () => {
    const days = buildRangePartitions(dateCol, [{ kind: 'BatchRangePartition', start: '2024-01-30', end: '2024-02-02', every: { value: 1, unit: 'DAY' } }]);
    expect(days.map((d) => d.name)).toEqual(['p20240130', 'p20240131', 'p20240201']);
    expect(days[2]).toEqual({ name: 'p20240201', lower: ['2024-02-01'], upper: ['2024-02-02'] });
    const months = buildRangePartitions(dateCol, [{ kind: 'BatchRangePartition', start: '2024-01-01', end: '2024-03-15', every: { value: 1, unit: 'MONTH' } }]);
    expect(months.map((m) => [m.name, m.upper])).toEqual([
      ['p202401', ['2024-02-01']],
      ['p202402', ['2024-03-01']],
      ['p202403', ['2024-03-15']],
    ]);
    const nums = buildRangePartitions(intCol, [{ kind: 'BatchRangePartition', start: '1', end: '25', every: { value: 10 } }]);
    expect(nums.map((n) => [n.name, n.lower, n.upper])).toEqual([
      ['p1', [1], [11]],
      ['p11', [11], [21]],
      ['p21', [21], [25]],
    ]);
  });

  it('rejects overlaps, duplicate names, bad values, empty ranges', () => {
    const fixed = (name: string, lo: string, hi: string): RangePartitionItem => ({ kind: 'FixedRangePartition', name, ifNotExists: false, lower: [lit(lo)], upper: [lit(hi)], properties: [] });
    expect(errOf(() => buildRangePartitions(intCol, [fixed('a', '1', '10'), fixed('b', '5', '20')])).message).toBe('Range [("5"), ("20")) is intersected with range: [("1"), ("10"))');
    expect(errOf(() => buildRangePartitions(intCol, [lessThan('p', '10'), lessThan('p', '20')])).errno).toBe(1517);
    expect(errOf(() => buildRangePartitions(intCol, [lessThan('a', '20'), lessThan('b', '10')])).message).toContain('must be less than');
    expect(errOf(() => buildRangePartitions(dateCol, [lessThan('a', '2024-02-30')])).message).toContain('Invalid date partition value');
    expect(errOf(() => buildRangePartitions(dateCol, [{ kind: 'BatchRangePartition', start: '2024-01-01', end: '2034-01-01', every: { value: 1, unit: 'HOUR' } }])).message).toContain('exceeds the limit');
    expect(errOf(() => buildRangePartitions(intCol, [{ kind: 'BatchRangePartition', start: '5', end: '1', every: { value: 1 } }])).message).toContain('must be less than END');
    expect(errOf(() => buildRangePartitions(dateCol, [{ kind: 'BatchRangePartition', start: '2024-01-01', end: '2024-02-01', every: { value: 1 } }])).message).toContain('needs a time unit');
  });

  it('ADD PARTITION LESS THAN starts at the nearest existing upper bound', () => {
    const existing = buildRangePartitions(intCol, [lessThan('p1', '10'), lessThan('p2', '20')]);
    expect(addRangePartition(intCol, existing, { kind: 'LessThanPartition', name: 'p3', ifNotExists: false, upper: [lit('30')], properties: [] })).toEqual({ name: 'p3', lower: [20], upper: [30] });
    expect(errOf(() => addRangePartition(intCol, existing, { kind: 'LessThanPartition', name: 'p4', ifNotExists: false, upper: [lit('15')], properties: [] })).message).toContain('is intersected with range');
    expect(errOf(() => addRangePartition(intCol, existing, { kind: 'LessThanPartition', name: 'p1', ifNotExists: false, upper: [lit('40')], properties: [] })).errno).toBe(1517);
  });

  it('list partitions reject a value listed twice', () => {
    const defs = [
      { kind: 'ListPartition', name: 'p_a', ifNotExists: false, values: [['a'], ['b']], properties: [] },
      { kind: 'ListPartition', name: 'p_c', ifNotExists: false, values: [['c']], properties: [] },
    ] as const;
    const cols: PartitionColumn[] = [{ name: 'g', type: { name: 'VARCHAR', length: 4 }, index: 0 }];
    expect(buildListPartitions(cols, defs)).toEqual([
      { name: 'p_a', values: [['a'], ['b']] },
      { name: 'p_c', values: [['c']] },
    ]);
    expect(errOf(() => buildListPartitions(cols, [...defs, { kind: 'ListPartition', name: 'p_x', ifNotExists: false, values: [['b']], properties: [] }])).message).toContain("already in partition 'p_a'");
  });
});

describe('routing', () => {
  it('routes by range and names the gap in the error (1526)', () => {
    const p: Partitioning = { kind: 'range', columns: dateCol, partitions: withIds(buildRangePartitions(dateCol, [{ kind: 'BatchRangePartition', start: '2024-01-01', end: '2024-01-04', every: { value: 1, unit: 'DAY' } }])) };
    expect(routeRow(p, [1, '2024-01-02'])).toBe(101);
    expect(routeRow(p, [1, '2024-01-03'])).toBe(102);
    const e = errOf(() => routeRow(p, [1, '2024-01-04']));
    expect(e.errno).toBe(1526);
    expect(e.message).toContain("Table has no partition for value '2024-01-04' (column dt)");
    expect(e.message).toContain('ALTER TABLE');
  });

  it('routes by list; NULL goes to the MINVALUE range partition', () => {
    const lp: Partitioning = { kind: 'list', columns: [{ name: 'g', type: { name: 'VARCHAR', length: 4 }, index: 0 }], partitions: [{ id: 1, name: 'a', values: [['x'], ['y']] }, { id: 2, name: 'b', values: [['z']] }] };
    expect(routeRow(lp, ['y'])).toBe(1);
    expect(routeRow(lp, ['z'])).toBe(2);
    expect(errOf(() => routeRow(lp, ['w'])).errno).toBe(1526);
    const rp: Partitioning = { kind: 'range', columns: intCol, partitions: withIds(buildRangePartitions(intCol, [lessThan('p1', '0'), lessThan('p2', '10')])) };
    expect(routeRow(rp, [null])).toBe(100);
    expect(routeRow({ kind: 'unpartitioned', partitionId: 9 }, [1])).toBe(9);
  });

  it('agrees with a linear scan on random layouts', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 12 }), fc.array(fc.integer({ min: -1200, max: 1200 }), { maxLength: 50 }), fc.boolean(), (bounds, keys, withMax) => {
        const sorted = [...bounds].sort((a, b) => a - b);
        const items = sorted.map((b, i) => lessThan(`p${i}`, String(b)));
        if (withMax) items.push(lessThan('pmax', 'MAX'));
        const p: Partitioning = { kind: 'range', columns: intCol, partitions: withIds(buildRangePartitions(intCol, items)) };
        const route = createRouter(p);
        for (const k of keys) {
          const idx = sorted.findIndex((b) => k < b);
          const want = idx >= 0 ? 100 + idx : withMax ? 100 + sorted.length : undefined;
          if (want === undefined) expect(errOf(() => route([k])).errno).toBe(1526);
          else expect(route([k])).toBe(want);
        }
      }),
    );
  });
});

describe('pruning', () => {
  const scope: Scope = {
    columns: [
      { name: 'k', qualifiers: ['t'], type: { name: 'INT' }, nullable: true },
      { name: 'dt', qualifiers: ['t'], type: { name: 'DATE' }, nullable: true },
    ],
  };

  const predArb: fc.Arbitrary<Expr> = fc.letrec<{ p: Expr }>((tie) => ({
    p: fc.oneof(
      { depthSize: 'small' },
      fc.tuple(fc.constantFrom('=', '<', '<=', '>', '>=', '!=', '<=>') as fc.Arbitrary<'=' | '<' | '<=' | '>' | '>=' | '!=' | '<=>'>, fc.integer({ min: -30, max: 30 }), fc.boolean()).map(([op, v, flip]) =>
        flip ? bin(op, num(v), col('k')) : bin(op, col('k'), num(v)),
      ),
      fc.tuple(fc.integer({ min: -30, max: 30 }), fc.integer({ min: -30, max: 30 }), fc.boolean()).map(([a, b, not]): Expr => ({ kind: 'Between', expr: col('k'), low: num(a), high: num(b), not })),
      fc.tuple(fc.array(fc.integer({ min: -30, max: 30 }), { maxLength: 4 }), fc.boolean()).map(([vs, not]): Expr => ({ kind: 'In', expr: col('k'), list: vs.length ? vs.map((v) => num(v)) : [nul], not })),
      fc.boolean().map((not): Expr => ({ kind: 'IsNull', expr: col('k'), not })),
      fc.constantFrom(bin('=', col('k'), nul), bin('>', col('k'), num('2.5')), bin('=', col('k'), str('7')), bin('>', col('dt'), str('2024-01-01'))),
      fc.tuple(tie('p'), tie('p')).map(([a, b]) => bin('AND', a, b)),
      fc.tuple(tie('p'), tie('p')).map(([a, b]) => bin('OR', a, b)),
      tie('p').map((a): Expr => ({ kind: 'Unary', op: 'NOT', operand: a })),
    ),
  })).p;

  it('never drops a partition holding a matching row', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: -25, max: 25 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.option(fc.integer({ min: -30, max: 30 }), { nil: null }), { maxLength: 30 }),
        predArb,
        (bounds, keys, where) => {
          const sorted = [...bounds].sort((a, b) => a - b);
          const p: Partitioning = { kind: 'range', columns: intCol, partitions: withIds(buildRangePartitions(intCol, [...sorted.map((b, i) => lessThan(`p${i}`, String(b))), lessThan('pmax', 'MAX')])) };
          const route = createRouter(p);
          const kept = new Set(prunePartitions(p, where, scope, ctx));
          const pred = compileExpr(where, { scope, ctx });
          for (const k of keys) {
            const row: Row = [k, '2024-06-01'];
            if (toBool(pred.evaluate(row)) === true) expect(kept.has(route(row))).toBe(true);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('prunes simple predicates on range and list partitions', () => {
    const p: Partitioning = { kind: 'range', columns: dateCol, partitions: withIds(buildRangePartitions(dateCol, [{ kind: 'BatchRangePartition', start: '2024-01-01', end: '2024-01-06', every: { value: 1, unit: 'DAY' } }])) };
    expect(prunePartitions(p, bin('=', col('dt'), str('2024-01-03')), scope, ctx)).toEqual([102]);
    expect(prunePartitions(p, { kind: 'Between', expr: col('dt'), low: str('2024-01-02'), high: str('2024-01-03'), not: false }, scope, ctx)).toEqual([101, 102]);
    expect(prunePartitions(p, bin('>=', col('dt'), str('2024-01-04 12:00:00')), scope, ctx)).toEqual([100, 101, 102, 103, 104]);
    expect(prunePartitions(p, bin('<', col('dt'), str('2024-01-03')), scope, ctx)).toEqual([100, 101]);
    expect(prunePartitions(p, bin('OR', bin('=', col('dt'), str('2024-01-01')), bin('=', col('dt'), str('2024-01-05'))), scope, ctx)).toEqual([100, 104]);
    expect(prunePartitions(p, bin('AND', bin('>', col('k'), num(1)), bin('=', col('dt'), str('2024-01-02'))), scope, ctx)).toEqual([101]);
    expect(prunePartitions(p, bin('=', col('dt'), nul), scope, ctx)).toEqual([]);
    expect(prunePartitions(p, undefined, scope, ctx)).toEqual([100, 101, 102, 103, 104]);
    const lp: Partitioning = { kind: 'list', columns: [{ name: 'k', type: { name: 'INT' }, index: 0 }], partitions: [{ id: 1, name: 'a', values: [[1], [2]] }, { id: 2, name: 'b', values: [[3]] }] };
    expect(prunePartitions(lp, { kind: 'In', expr: col('k'), list: [num(3), num(9)], not: false }, scope, ctx)).toEqual([2]);
    expect(prunePartitions({ kind: 'unpartitioned', partitionId: 5 }, bin('=', col('k'), num(1)), scope, ctx)).toEqual([5]);
  });

  it('keeps every partition for text columns compared with numbers', () => {
    const sScope: Scope = { columns: [{ name: 's', qualifiers: [], type: { name: 'VARCHAR', length: 4 }, nullable: true }] };
    const lp: Partitioning = { kind: 'list', columns: [{ name: 's', type: { name: 'VARCHAR', length: 4 }, index: 0 }], partitions: [{ id: 1, name: 'a', values: [['1']] }, { id: 2, name: 'b', values: [['01']] }] };
    expect(prunePartitions(lp, bin('=', col('s'), num(1)), sScope, ctx)).toEqual([1, 2]);
    expect(prunePartitions(lp, bin('=', col('s'), str('01')), sScope, ctx)).toEqual([2]);
  });
});
