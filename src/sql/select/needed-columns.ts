/**
 * Which source columns a SELECT reads, so a table scan decodes only those (segment files are columnar: an unread
 * column costs nothing). Conservative: anything unclear (`*`, an ambiguous name) means every column. References
 * inside subqueries count too (a correlated subquery reads the outer row).
 */
import type { ColumnRef, Expr, FromItem, QueryStmt, SelectStmt } from '../../../grammar/ast.ts';
import { findColumn, type Scope } from '../eval/scope.ts';
import { children } from '../eval/walk.ts';

/** Every expression a SELECT block itself holds (select list, WHERE, GROUP BY, HAVING, ORDER BY). */
export function blockExpressions(stmt: SelectStmt): Expr[] {
  const exprs: Expr[] = [];
  for (const item of stmt.items) if (item.kind === 'SelectExpr') exprs.push(item.expr);
  if (stmt.where) exprs.push(stmt.where);
  exprs.push(...stmt.groupBy);
  if (stmt.having) exprs.push(stmt.having);
  for (const o of stmt.orderBy) exprs.push(o.expr);
  return exprs;
}

/** Indexes (ascending) of the scope columns `stmt` may read, or undefined for all of them. */
export function neededColumns(stmt: SelectStmt, scope: Scope): readonly number[] | undefined {
  if (stmt.items.some((i) => i.kind === 'SelectStar')) return undefined;
  const needed = new Set<number>();
  try {
    for (const e of blockExpressions(stmt)) {
      forEachColumnRef(e, (ref) => {
        // A name that is not a source column is an output alias (ORDER BY / HAVING) or an error compile reports.
        const i = findColumn(scope, ref);
        if (i !== undefined) needed.add(i);
      }, true);
    }
  } catch {
    return undefined;
  }
  return [...needed].sort((a, b) => a - b);
}

/**
 * Visit every column reference of `e`. With `intoSubqueries`, references anywhere inside nested queries are visited
 * too (over-approximating: a name there may belong to the subquery's own tables).
 */
export function forEachColumnRef(e: Expr, visit: (ref: ColumnRef) => void, intoSubqueries = false): void {
  if (e.kind === 'ColumnRef') {
    visit(e);
    return;
  }
  if (intoSubqueries && (e.kind === 'Subquery' || e.kind === 'Exists' || e.kind === 'InSubquery')) forEachQueryRef(e.query, visit);
  for (const c of children(e)) forEachColumnRef(c, visit, intoSubqueries);
}

function forEachQueryRef(q: QueryStmt, visit: (ref: ColumnRef) => void): void {
  if (q.kind === 'SetOperation') {
    forEachQueryRef(q.left, visit);
    forEachQueryRef(q.right, visit);
    for (const o of q.orderBy) forEachColumnRef(o.expr, visit, true);
    return;
  }
  for (const e of blockExpressions(q)) forEachColumnRef(e, visit, true);
  if (q.from) forEachFromRef(q.from, visit);
}

function forEachFromRef(f: FromItem, visit: (ref: ColumnRef) => void): void {
  switch (f.kind) {
    case 'Join':
      forEachFromRef(f.left, visit);
      forEachFromRef(f.right, visit);
      if (f.on) forEachColumnRef(f.on, visit, true);
      return;
    case 'SubqueryRef':
      forEachQueryRef(f.query, visit);
      return;
    case 'TableFunctionRef':
      for (const a of f.args) forEachColumnRef(a, visit, true);
      return;
    case 'TableRef':
      return;
  }
}
