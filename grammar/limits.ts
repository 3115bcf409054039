/**
 * Limits on one statement's size and shape, enforced before the work they bound: token count (checked on the
 * cheap scan, before lexing), expression width (while parsing) and expression depth (parentheses on the scan, binary
 * chains while parsing, the finished tree before it is returned). Every violation is a 1064 syntax error in
 * StarRocks' or Doris' words, naming the variable that raises the limit.
 */
import { ErrorCode } from '../src/errors/error-codes.ts';
import { SqlError } from '../src/errors/sql-error.ts';
import type { Expr } from './ast.ts';

/** What one parse may use. */
export interface ParseLimits {
  /** Tokens per statement (StarRocks' `parse_tokens_limit`). */
  readonly maxTokens: number;
  /** Depth of an expression tree, parentheses and operator chains included (`expr_depth_limit`). */
  readonly maxExprDepth: number;
  /** Items of one expression list: IN (…), function arguments, CASE arms, select items (`expr_children_limit`). */
  readonly maxExprChildren: number;
}

/**
 * Defaults. Tokens: StarRocks allows 3 500 000, but tablevault's parser needs about a kilobyte per token, so a
 * million tokens already take a second or more and hundreds of megabytes (off the event loop, see
 * src/sql/parse). Depth: the engine compiles and evaluates expressions recursively on a 1 MB stack; 1000 levels
 * leave it a wide margin (3000 overflow it). Children: StarRocks' `expr_children_limit`.
 */
export const DEFAULT_PARSE_LIMITS: ParseLimits = { maxTokens: 1_000_000, maxExprDepth: 1000, maxExprChildren: 10_000 };

function parseLimitError(message: string): SqlError {
  const { errno, sqlState } = ErrorCode.ER_PARSE_ERROR;
  return new SqlError(errno, sqlState, message);
}

/** StarRocks' ParserErrorMsg.tokenExceedLimit; `atLeast` when the count stopped at the first token past the limit. */
export function tokenLimitError(tokens: number, limit: number, atLeast = false): SqlError {
  const count = atLeast ? `more than ${limit}` : String(tokens);
  return parseLimitError(
    `Statement exceeds maximum length limit, please consider modify 'parse_tokens_limit' session variable (the statement has ${count} tokens, the limit is ${limit})`,
  );
}

/** Doris' (and Impala's) expression depth message, plus what to do. */
export function depthLimitError(limit: number): SqlError {
  return parseLimitError(
    `Exceeded the maximum depth of an expression tree (${limit}). Each level of parentheses, function call or unary operator and each operator of a chain such as a OR b OR c counts: simplify the expression (a chain of ORed equalities is an IN list) or lower the nesting; 'expr_depth_limit' can only be lowered`,
  );
}

/** StarRocks' ParserErrorMsg.argsOfExprExceedLimit, naming the variable. */
export function childrenLimitError(children: number, limit: number): SqlError {
  return parseLimitError(
    `The number of children in expr are ${children} exceeded the maximum limit ${limit}, please consider modify 'expr_children_limit' session variable`,
  );
}

/** Depth of the deepest expression in `value` (any AST node), walked without recursion. */
export function maxExprDepth(value: unknown, limit: number): number {
  // Each stack entry: a node and the expression depth of the nearest expression above it.
  const stack: { node: unknown; depth: number }[] = [{ node: value, depth: 0 }];
  let max = 0;
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: unknown; depth: number };
    if (typeof node !== 'object' || node === null) continue;
    const isExpr = !Array.isArray(node) && EXPR_KINDS.has((node as { kind?: unknown }).kind as string);
    const d = isExpr ? depth + 1 : depth;
    if (d > max) {
      max = d;
      if (max > limit) return max;
    }
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push({ node: child, depth: d });
    }
  }
  return max;
}

/** Every expression kind (a Record, so a new kind of Expr does not compile until it is listed here). */
const EXPR_KIND_TABLE: Readonly<Record<Expr['kind'], true>> = {
  NumberLiteral: true, StringLiteral: true, BooleanLiteral: true, NullLiteral: true, TypedLiteral: true, ColumnRef: true,
  Star: true, VariableRef: true, Unary: true, Binary: true, In: true, Between: true, Like: true, IsNull: true, Case: true,
  Cast: true, FunctionCall: true, Interval: true, IsTruth: true, Subquery: true, Exists: true, InSubquery: true,
};
const EXPR_KINDS: ReadonlySet<string> = new Set(Object.keys(EXPR_KIND_TABLE));
