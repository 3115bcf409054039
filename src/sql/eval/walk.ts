import type { Expr } from '../../../grammar/ast.ts';
import { isAggregateName } from './functions/index.ts';

/** Direct sub-expressions of a node, in source order. A subquery's own query is not an expression child. */
export function children(e: Expr): readonly Expr[] {
  switch (e.kind) {
    case 'Unary':
      return [e.operand];
    case 'Binary':
      return [e.left, e.right];
    case 'In':
      return [e.expr, ...e.list];
    case 'Between':
      return [e.expr, e.low, e.high];
    case 'Like':
      return e.escape ? [e.expr, e.pattern, e.escape] : [e.expr, e.pattern];
    case 'IsNull':
      return [e.expr];
    case 'Case':
      return [...(e.operand ? [e.operand] : []), ...e.whens.flatMap((w) => [w.when, w.then]), ...(e.else ? [e.else] : [])];
    case 'Cast':
      return [e.expr];
    case 'FunctionCall':
      return e.args;
    case 'Interval':
      return [e.value];
    case 'IsTruth':
    case 'InSubquery':
      return [e.expr];
    default:
      return [];
  }
}

/** Visit every node depth-first; return false from `visit` to skip a node's children. */
export function walkExpr(e: Expr, visit: (node: Expr) => boolean | void): void {
  if (visit(e) === false) return;
  for (const c of children(e)) walkExpr(c, visit);
}

/** True when the expression calls an aggregate function anywhere. */
export function containsAggregate(e: Expr): boolean {
  let found = false;
  walkExpr(e, (n) => {
    if (n.kind === 'FunctionCall' && isAggregateName(n.name)) found = true;
    return !found;
  });
  return found;
}

/** Aggregate calls in an expression (outermost only: nested aggregates are rejected when compiled). */
export function aggregateCalls(e: Expr): Extract<Expr, { kind: 'FunctionCall' }>[] {
  const out: Extract<Expr, { kind: 'FunctionCall' }>[] = [];
  walkExpr(e, (n) => {
    if (n.kind === 'FunctionCall' && isAggregateName(n.name)) {
      out.push(n);
      return false;
    }
    return true;
  });
  return out;
}
