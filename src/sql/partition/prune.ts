import type { Expr } from '../../../grammar/ast.ts';
import { coerceValue } from '../../types/coerce.ts';
import { compareValues } from '../../types/compare.ts';
import type { Value } from '../../types/value.ts';
import { compileExpr } from '../eval/compile.ts';
import { comparerFor } from '../eval/comparison.ts';
import type { EvalContext } from '../eval/context.ts';
import { EMPTY_SCOPE, findColumn, type Scope } from '../eval/scope.ts';
import { categoryOf } from '../eval/types.ts';
import type { PartitionColumn, Partitioning } from './partitioning.ts';

/**
 * Conservative partition pruning on the first partition column. The WHERE clause is read as a set of values that
 * column may take (from =, <, <=, >, >=, BETWEEN, IN, IS NULL and AND/OR of those, with constant operands); any
 * other shape means "anything", so a partition is only dropped when no row in it can satisfy the predicate.
 */

interface Endpoint {
  readonly value: Value;
  readonly inclusive: boolean;
}

/** Non-null values between lo and hi (undefined = unbounded), plus whether NULL is possible. */
interface ValueSet {
  readonly ranges: readonly { readonly lo?: Endpoint; readonly hi?: Endpoint }[];
  readonly hasNull: boolean;
}

const ALL: ValueSet = { ranges: [{}], hasNull: true };
const NONE: ValueSet = { ranges: [], hasNull: false };

function cmpLo(a: Endpoint | undefined, b: Endpoint | undefined, col: PartitionColumn): Endpoint | undefined {
  if (!a) return b;
  if (!b) return a;
  const c = compareValues(a.value, b.value, col.type);
  return c > 0 ? a : c < 0 ? b : { value: a.value, inclusive: a.inclusive && b.inclusive };
}

function cmpHi(a: Endpoint | undefined, b: Endpoint | undefined, col: PartitionColumn): Endpoint | undefined {
  if (!a) return b;
  if (!b) return a;
  const c = compareValues(a.value, b.value, col.type);
  return c < 0 ? a : c > 0 ? b : { value: a.value, inclusive: a.inclusive && b.inclusive };
}

function nonEmpty(r: { lo?: Endpoint; hi?: Endpoint }, col: PartitionColumn): boolean {
  if (!r.lo || !r.hi) return true;
  const c = compareValues(r.lo.value, r.hi.value, col.type);
  return c < 0 || (c === 0 && r.lo.inclusive && r.hi.inclusive);
}

function intersect(a: ValueSet, b: ValueSet, col: PartitionColumn): ValueSet {
  const ranges: { lo?: Endpoint; hi?: Endpoint }[] = [];
  for (const x of a.ranges) {
    for (const y of b.ranges) {
      const lo = cmpLo(x.lo, y.lo, col);
      const hi = cmpHi(x.hi, y.hi, col);
      const r = { ...(lo ? { lo } : {}), ...(hi ? { hi } : {}) };
      if (nonEmpty(r, col)) ranges.push(r);
    }
  }
  return { ranges, hasNull: a.hasNull && b.hasNull };
}

function union(a: ValueSet, b: ValueSet): ValueSet {
  return { ranges: [...a.ranges, ...b.ranges], hasNull: a.hasNull || b.hasNull };
}

/** A constant operand converted exactly to the column type, or undefined (unknown / not exactly representable). */
function constant(e: Expr, col: PartitionColumn, ctx: EvalContext): { value: Value; exact: boolean } | undefined {
  try {
    const c = compileExpr(e, { scope: EMPTY_SCOPE, ctx });
    if (!c.constant) return undefined;
    const raw = c.evaluate([]);
    if (raw === null) return { value: null, exact: true };
    // Text columns compared with numbers compare numerically ('01' = 1), which the column's order cannot bound.
    if (categoryOf(col.type) === 'string' && categoryOf(c.type) !== 'string') return undefined;
    const v = coerceValue(raw, col.type, { mode: 'cast' });
    if (v === null) return undefined;
    // Exact only if the converted value compares equal to the original the way the WHERE clause will compare them.
    return { value: v, exact: comparerFor(col.type, c.type)(v, raw) === 0 };
  } catch {
    return undefined;
  }
}

function isColumn(e: Expr, col: PartitionColumn, scope: Scope): boolean {
  if (e.kind !== 'ColumnRef') return false;
  try {
    const i = findColumn(scope, e);
    return i !== undefined ? i === col.index : e.qualifiers.length === 0 && e.name.toLowerCase() === col.name.toLowerCase();
  } catch {
    return false;
  }
}

const FLIP: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=', '<=>': '<=>' };

function comparison(op: string, value: Value, exact: boolean): ValueSet {
  if (value === null) return op === '<=>' ? { ranges: [], hasNull: true } : NONE;
  if (!exact) return op === '=' || op === '<=>' ? NONE : ALL;
  const at: Endpoint = { value, inclusive: true };
  switch (op) {
    case '=':
    case '<=>':
      return { ranges: [{ lo: at, hi: at }], hasNull: false };
    case '<':
      return { ranges: [{ hi: { value, inclusive: false } }], hasNull: false };
    case '<=':
      return { ranges: [{ hi: at }], hasNull: false };
    case '>':
      return { ranges: [{ lo: { value, inclusive: false } }], hasNull: false };
    case '>=':
      return { ranges: [{ lo: at }], hasNull: false };
    default:
      return ALL;
  }
}

function analyse(e: Expr, col: PartitionColumn, scope: Scope, ctx: EvalContext): ValueSet {
  switch (e.kind) {
    case 'Binary': {
      if (e.op === 'AND') return intersect(analyse(e.left, col, scope, ctx), analyse(e.right, col, scope, ctx), col);
      if (e.op === 'OR') return union(analyse(e.left, col, scope, ctx), analyse(e.right, col, scope, ctx));
      if (!(e.op in FLIP)) return ALL;
      const [op, other] = isColumn(e.left, col, scope) ? [e.op, e.right] : isColumn(e.right, col, scope) ? [FLIP[e.op] ?? e.op, e.left] : [undefined, undefined];
      if (!op || !other) return ALL;
      const k = constant(other, col, ctx);
      return k ? comparison(op, k.value, k.exact) : ALL;
    }
    case 'Between': {
      if (e.not || !isColumn(e.expr, col, scope)) return ALL;
      return intersect(analyse({ kind: 'Binary', op: '>=', left: e.expr, right: e.low }, col, scope, ctx), analyse({ kind: 'Binary', op: '<=', left: e.expr, right: e.high }, col, scope, ctx), col);
    }
    case 'In': {
      if (e.not || !isColumn(e.expr, col, scope)) return ALL;
      let out = NONE;
      for (const item of e.list) out = union(out, analyse({ kind: 'Binary', op: '=', left: e.expr, right: item }, col, scope, ctx));
      return out;
    }
    case 'IsNull':
      if (e.not || !isColumn(e.expr, col, scope)) return ALL;
      return { ranges: [], hasNull: true };
    default:
      return ALL;
  }
}

/** Ids of the partitions that may hold rows matching `where` (all of them when nothing can be concluded). */
export function prunePartitions(p: Partitioning, where: Expr | undefined, scope: Scope, ctx: EvalContext): number[] {
  if (p.kind === 'unpartitioned') return [p.partitionId];
  const all = p.partitions.map((x) => x.id);
  const col = p.columns[0];
  if (!where || !col) return all;
  const set = analyse(where, col, scope, ctx);
  const contains = (v: Value): boolean => {
    if (v === null) return set.hasNull;
    return set.ranges.some((r) => {
      if (r.lo) {
        const c = compareValues(v, r.lo.value, col.type);
        if (c < 0 || (c === 0 && !r.lo.inclusive)) return false;
      }
      if (r.hi) {
        const c = compareValues(v, r.hi.value, col.type);
        if (c > 0 || (c === 0 && !r.hi.inclusive)) return false;
      }
      return true;
    });
  };
  if (p.kind === 'list') return p.partitions.filter((part) => part.values.some((t) => contains(t[0] ?? null))).map((x) => x.id);
  const multi = p.columns.length > 1;
  return p.partitions
    .filter((part) => {
      const lower = part.lower === 'MINVALUE' || part.lower.length === 0 ? undefined : (part.lower[0] ?? null);
      const upper = part.upper === 'MAXVALUE' ? undefined : part.upper[0];
      // NULL sorts below every value, so only a partition open at the bottom can hold NULL keys.
      if (lower === undefined && set.hasNull) return true;
      // With more columns (or a longer upper tuple) the first column may equal the upper value inside the range.
      const upperInclusive = multi || (part.upper !== 'MAXVALUE' && part.upper.length > 1);
      const partRange = { ...(lower !== undefined ? { lo: { value: lower, inclusive: true } } : {}), ...(upper !== undefined ? { hi: { value: upper, inclusive: upperInclusive } } : {}) };
      return set.ranges.some((r) => nonEmpty({ lo: cmpLo(partRange.lo, r.lo, col), hi: cmpHi(partRange.hi, r.hi, col) } as { lo?: Endpoint; hi?: Endpoint }, col));
    })
    .map((x) => x.id);
}
