/**
 * Decorrelation of the common correlated subqueries, as StarRocks' optimizer does: a subquery whose only references
 * to the enclosing query are WHERE conjuncts `inner_expr = outer_expr` runs ONCE, without those conjuncts, returning
 * the inner side of each equality as key columns (grouped by them when it aggregates). The enclosing rows then look
 * their key up in a hash table instead of running the subquery per row:
 *   EXISTS (SELECT … FROM b WHERE b.k = a.k AND …)          → the set of b.k
 *   x IN (SELECT b.v FROM b WHERE b.k = a.k)                  → b.k → the b.v values
 *   (SELECT MAX(b.v) FROM b WHERE b.k = a.k)                  → b.k → MAX(b.v), GROUP BY b.k (no group: the
 *                                                               aggregate over no rows, e.g. 0 for COUNT)
 *   (SELECT b.v FROM b WHERE b.k = a.k)                       → b.k → b.v (two rows for a key: 1242 when read)
 * Anything else (other correlation shapes, LIMIT, GROUP BY, HAVING, nested subqueries) keeps the per-row plan.
 */
import type { Expr, SelectItem, SelectStmt } from '../../../grammar/ast.ts';
import type { Value } from '../../types/value.ts';
import type { SubqueryNode } from '../eval/compile.ts';
import { findColumn, type Scope } from '../eval/scope.ts';
import { containsAggregate, walkExpr } from '../eval/walk.ts';
import { conjuncts, planFrom, type FromPlan } from './from-clause.ts';
import { blockExpressions, forEachColumnRef } from './needed-columns.ts';
import { arrayRowSource, type RowSource } from './row-source.ts';
import { selectOverSource, selectRowSource, type SelectDeps } from './select-source.ts';

/** A correlated subquery as one uncorrelated query keyed by its correlation columns. */
export interface KeyedPlan {
  /** Rows `[value, key…]` (EXISTS: `[key…]`). */
  readonly source: RowSource;
  /** Whether rows start with a value column (IN and scalar subqueries). */
  readonly hasValue: boolean;
  /** The enclosing-query side of each equality, compiled against the enclosing rows. */
  readonly outerKeys: readonly Expr[];
  /** Scalar subqueries that aggregate: one row per key, and this value for a key without rows. */
  readonly aggregate?: { readonly empty: Value };
}

function and(parts: readonly Expr[]): Expr | undefined {
  return parts.reduce<Expr | undefined>((acc, p) => (acc === undefined ? p : { kind: 'Binary', op: 'AND', left: acc, right: p }), undefined);
}

function hasSubquery(e: Expr): boolean {
  let found = false;
  walkExpr(e, (x) => {
    if (x.kind === 'Subquery' || x.kind === 'Exists' || x.kind === 'InSubquery') found = true;
    return !found;
  });
  return found;
}

/** Where an expression's columns live: only the subquery's, only the enclosing query's, both, none; or unknown. */
function sidesOf(e: Expr, inner: Scope, outer: Scope): 'inner' | 'outer' | 'both' | 'none' | undefined {
  let sawInner = false;
  let sawOuter = false;
  let unknown = false;
  try {
    forEachColumnRef(e, (ref) => {
      if (findColumn(inner, ref) !== undefined) sawInner = true;
      else if (findColumn(outer, ref) !== undefined) sawOuter = true;
      else unknown = true;
    });
  } catch {
    return undefined;
  }
  if (unknown) return undefined;
  return sawInner && sawOuter ? 'both' : sawInner ? 'inner' : sawOuter ? 'outer' : 'none';
}

/** The keyed plan of `node`, or undefined when its shape needs the per-row plan. Never throws for a bad shape. */
export async function decorrelate(node: SubqueryNode, outerScope: Scope, deps: SelectDeps): Promise<KeyedPlan | undefined> {
  const q = node.query;
  if (q.kind !== 'Select' || !q.from || q.limit !== undefined || q.groupBy.length > 0 || q.having !== undefined) return undefined;
  if (blockExpressions(q).some(hasSubquery)) return undefined;
  const plain: SelectDeps = { resolveTable: deps.resolveTable, ctx: deps.ctx, ...(deps.signal ? { signal: deps.signal } : {}) };
  let innerFrom: FromPlan;
  try {
    innerFrom = await planFrom(q, plain);
  } catch {
    return undefined;
  }
  const innerScope = innerFrom.scope;
  const kept: Expr[] = [];
  const innerKeys: Expr[] = [];
  const outerKeys: Expr[] = [];
  for (const c of conjuncts(q.where)) {
    const sides = sidesOf(c, innerScope, outerScope);
    if (sides === undefined) return undefined;
    if (sides === 'inner' || sides === 'none') {
      kept.push(c);
      continue;
    }
    if (c.kind !== 'Binary' || c.op !== '=') return undefined;
    const l = sidesOf(c.left, innerScope, outerScope);
    const r = sidesOf(c.right, innerScope, outerScope);
    if (l === 'inner' && r === 'outer') {
      innerKeys.push(c.left);
      outerKeys.push(c.right);
    } else if (l === 'outer' && r === 'inner') {
      innerKeys.push(c.right);
      outerKeys.push(c.left);
    } else return undefined;
  }
  if (innerKeys.length === 0) return undefined;
  // The select list must read the subquery's own columns only.
  for (const item of q.items) {
    if (item.kind !== 'SelectExpr') {
      if (node.kind === 'Exists') continue;
      return undefined;
    }
    const sides = sidesOf(item.expr, innerScope, outerScope);
    if (sides !== 'inner' && sides !== 'none') return undefined;
  }
  const keyItems: SelectItem[] = innerKeys.map((expr, i) => ({ kind: 'SelectExpr', expr, alias: `__key${i}` }));
  const where = and(kept);
  const base: SelectStmt = { kind: 'Select', distinct: false, items: keyItems, from: q.from, groupBy: [], orderBy: [], ...(where ? { where } : {}) };
  const plan = async (stmt: SelectStmt): Promise<RowSource | undefined> => {
    try {
      return await selectRowSource(stmt, plain);
    } catch {
      return undefined;
    }
  };
  if (node.kind === 'Exists') {
    const source = await plan(base);
    return source && { source, hasValue: false, outerKeys };
  }
  const [item] = q.items;
  if (q.items.length !== 1 || item?.kind !== 'SelectExpr') return undefined;
  const value: SelectItem = { kind: 'SelectExpr', expr: item.expr, alias: '__value' };
  if (node.kind === 'InSubquery' || !containsAggregate(item.expr)) {
    if (node.kind === 'Subquery' && q.distinct) return undefined;
    const source = await plan({ ...base, items: [value, ...keyItems] });
    return source && { source, hasValue: true, outerKeys };
  }
  // A scalar aggregate: one row per key; a key without rows gets the aggregate over no rows.
  const source = await plan({ ...base, items: [value, ...keyItems], groupBy: innerKeys });
  if (source === undefined) return undefined;
  // The select list over no rows at all (the FROM's scope, an empty source): what a key without rows gets.
  const nothing = { source: arrayRowSource(innerFrom.source.columns, []), scope: innerScope };
  const emptySource = await selectOverSource({ kind: 'Select', distinct: false, items: [value], from: q.from, groupBy: [], orderBy: [] }, nothing, plain);
  let empty: Value = null;
  for await (const batch of emptySource.scan(deps.signal ? { signal: deps.signal } : {})) {
    const first = batch[0];
    if (first !== undefined) {
      empty = first[0] ?? null;
      break;
    }
  }
  return { source, hasValue: true, outerKeys, aggregate: { empty } };
}
