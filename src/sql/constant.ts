/** Evaluate an expression that reads no columns (SET values, LIMIT-like arguments, DEFAULT expressions). */
import type { Expr } from '../../grammar/ast.ts';
import type { Value } from '../types/value.ts';
import type { ExecutionContext } from './context.ts';
import { compileExpr } from './eval/compile.ts';
import { EMPTY_SCOPE } from './eval/scope.ts';
import { sessionEvalContext } from './session-eval-context.ts';

export function evaluateConstant(ctx: ExecutionContext, expr: Expr): Value {
  return compileExpr(expr, { scope: EMPTY_SCOPE, ctx: sessionEvalContext(ctx) }).evaluate([]);
}
