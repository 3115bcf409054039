/** Small AST builders so expected trees in tests stay readable. */
import type { BinaryOperator, Expr, SelectStmt, Statement } from '../../grammar/index.ts';
import { parseStatement } from '../../grammar/index.ts';

export const col = (name: string, ...qualifiers: string[]): Expr => ({ kind: 'ColumnRef', qualifiers, name });
export const num = (text: string): Expr => ({ kind: 'NumberLiteral', text });
export const str = (value: string): Expr => ({ kind: 'StringLiteral', value });
export const bin = (op: BinaryOperator, left: Expr, right: Expr): Expr => ({ kind: 'Binary', op, left, right });
export const fn = (name: string, args: Expr[] = [], distinct = false): Expr => ({ kind: 'FunctionCall', name, args, distinct });
export const not = (operand: Expr): Expr => ({ kind: 'Unary', op: 'NOT', operand });

/** A bare `SELECT items` statement with defaults filled in. */
export function select(extra: Partial<SelectStmt>): SelectStmt {
  return { kind: 'Select', distinct: false, items: [], groupBy: [], orderBy: [], ...extra };
}

/** The expression of `SELECT <sql>`. */
export function exprOf(sql: string): Expr {
  const stmt = parseStatement(`SELECT ${sql}`);
  if (stmt.kind !== 'Select') throw new Error('not a select');
  const item = stmt.items[0];
  if (item?.kind !== 'SelectExpr') throw new Error('not an expression item');
  return item.expr;
}

/**
 * The AST without the `text` of select items (the source as written, which follows the input's spelling and
 * spacing): what structural comparisons should look at.
 */
export function withoutSourceText<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutSourceText) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'text' && (value as { kind?: string }).kind === 'SelectExpr') continue;
    out[k] = withoutSourceText(v);
  }
  return out as T;
}

/** Parse one statement (shorthand), structure only (see withoutSourceText). */
export const one = (sql: string): Statement => withoutSourceText(parseStatement(sql));
