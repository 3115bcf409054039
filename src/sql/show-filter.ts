/**
 * The `LIKE 'pattern'` / `WHERE expr` / `ORDER BY` / `LIMIT` tails of SHOW statements, applied to a SHOW result
 * whose columns are all text. WHERE and ORDER BY name result columns (`WHERE PartitionName = 'p1'`).
 */
import type { Expr, OrderItem, ShowFilter, ShowPredicates } from '../../grammar/ast.ts';
import { analysisError } from '../errors/index.ts';
import { compareValues } from '../types/compare.ts';
import type { ExecutionContext } from './context.ts';
import { compileExpr } from './eval/compile.ts';
import { toBool } from './eval/numeric.ts';
import type { Scope } from './eval/scope.ts';
import type { Value } from '../types/value.ts';
import type { ResultSet } from './result.ts';
import { sessionEvalContext } from './session-eval-context.ts';
import { showLikeMatcher } from './eval/like.ts';

/** Apply `LIKE` (to `likeColumn`) or `WHERE` to a SHOW result. */
export function applyShowFilter(ctx: ExecutionContext, result: ResultSet, filter: ShowFilter | undefined, likeColumn: string): ResultSet {
  if (filter === undefined) return result;
  if (filter.kind === 'Like') {
    const index = result.columns.indexOf(likeColumn);
    const pattern = showLikeMatcher(filter.pattern);
    return { ...result, rows: result.rows.filter((r) => pattern.test(r[index] ?? '')) };
  }
  return { ...result, rows: whereRows(ctx, result, filter.expr) };
}

/** Apply `WHERE … ORDER BY … LIMIT …` to a SHOW result. */
export function applyShowPredicates(ctx: ExecutionContext, result: ResultSet, predicates: ShowPredicates): ResultSet {
  let rows = predicates.where === undefined ? result.rows : whereRows(ctx, result, predicates.where);
  if (predicates.orderBy.length > 0) rows = orderRows(ctx, result, rows, predicates.orderBy);
  if (predicates.limit !== undefined) rows = rows.slice(predicates.limit.offset, predicates.limit.offset + predicates.limit.count);
  return { ...result, rows };
}

function scopeOf(result: ResultSet): Scope {
  return { columns: result.columns.map((name, i) => ({ name, qualifiers: [], type: result.columnTypes[i] ?? { name: 'STRING' }, nullable: true })) };
}

function whereRows(ctx: ExecutionContext, result: ResultSet, where: Expr): ResultSet['rows'] {
  const predicate = compileExpr(where, { scope: scopeOf(result), ctx: sessionEvalContext(ctx), clause: 'where clause' });
  return result.rows.filter((r) => toBool(predicate.evaluate(r)) === true);
}

function orderRows(ctx: ExecutionContext, result: ResultSet, rows: ResultSet['rows'], orderBy: readonly OrderItem[]): ResultSet['rows'] {
  const env = { scope: scopeOf(result), ctx: sessionEvalContext(ctx), clause: 'order clause' };
  const keys = orderBy.map((o) => {
    if (o.expr.kind === 'NumberLiteral') {
      const index = Number(o.expr.text) - 1;
      if (!Number.isInteger(index) || index < 0 || index >= result.columns.length) throw analysisError(`ORDER BY position ${o.expr.text} is not in select list`);
      return { read: (r: readonly (string | null)[]): Value => r[index] ?? null, item: o };
    }
    const compiled = compileExpr(o.expr, env);
    return { read: (r: readonly (string | null)[]): Value => compiled.evaluate(r), item: o };
  });
  // Numeric-looking text (ids, versions) sorts numerically, as StarRocks sorts these columns by their real type.
  const sortable = (v: Value): Value => (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v);
  return [...rows].sort((a, b) => {
    for (const k of keys) {
      const c = compareValues(sortable(k.read(a)), sortable(k.read(b)));
      if (c !== 0) return k.item.descending ? -c : c;
    }
    return 0;
  });
}
