/**
 * Which source columns a SELECT reads, so a table scan decodes only those (segment files are columnar: an unread
 * column costs nothing). Conservative: anything unclear (`*`, an ambiguous name) means every column.
 */
import type { Expr, SelectStmt } from '../../../grammar/ast.ts';
import { findColumn, type Scope } from '../eval/scope.ts';

/** Indexes (ascending) of the scope columns `stmt` may read, or undefined for all of them. */
export function neededColumns(stmt: SelectStmt, scope: Scope): readonly number[] | undefined {
  if (stmt.items.some((i) => i.kind === 'SelectStar')) return undefined;
  const exprs: Expr[] = [];
  for (const item of stmt.items) if (item.kind === 'SelectExpr') exprs.push(item.expr);
  if (stmt.where) exprs.push(stmt.where);
  exprs.push(...stmt.groupBy);
  if (stmt.having) exprs.push(stmt.having);
  for (const o of stmt.orderBy) exprs.push(o.expr);
  const needed = new Set<number>();
  try {
    for (const e of exprs) {
      forEachColumnRef(e, (ref) => {
        // A name that is not a source column is an output alias (ORDER BY / HAVING) or an error compile reports.
        const i = findColumn(scope, ref);
        if (i !== undefined) needed.add(i);
      });
    }
  } catch {
    return undefined;
  }
  return [...needed].sort((a, b) => a - b);
}

function forEachColumnRef(e: Expr, visit: (ref: Extract<Expr, { kind: 'ColumnRef' }>) => void): void {
  const walk = (x: Expr | undefined): void => {
    if (x !== undefined) forEachColumnRef(x, visit);
  };
  switch (e.kind) {
    case 'ColumnRef':
      visit(e);
      return;
    case 'Unary':
      walk(e.operand);
      return;
    case 'Binary':
      walk(e.left);
      walk(e.right);
      return;
    case 'In':
      walk(e.expr);
      e.list.forEach(walk);
      return;
    case 'Between':
      walk(e.expr);
      walk(e.low);
      walk(e.high);
      return;
    case 'Like':
      walk(e.expr);
      walk(e.pattern);
      walk(e.escape);
      return;
    case 'IsNull':
      walk(e.expr);
      return;
    case 'Case':
      walk(e.operand);
      for (const w of e.whens) {
        walk(w.when);
        walk(w.then);
      }
      walk(e.else);
      return;
    case 'Cast':
      walk(e.expr);
      return;
    case 'FunctionCall':
      e.args.forEach(walk);
      return;
    case 'Interval':
      walk(e.value);
      return;
    case 'NumberLiteral':
    case 'StringLiteral':
    case 'BooleanLiteral':
    case 'NullLiteral':
    case 'TypedLiteral':
    case 'Star':
    case 'VariableRef':
      return;
  }
}
