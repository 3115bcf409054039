import type { Expr, SelectItem, SelectStmt } from '../../grammar/ast.ts';
import { sqlError } from '../../src/errors/index.ts';
import type { EvalContext } from '../../src/sql/eval/context.ts';
import type { Value } from '../../src/types/value.ts';

/** Small AST builders so tests read close to SQL. */
export const num = (text: string | number | bigint): Expr => {
  const t = String(text);
  return t.startsWith('-') ? { kind: 'Unary', op: '-', operand: { kind: 'NumberLiteral', text: t.slice(1) } } : { kind: 'NumberLiteral', text: t };
};
export const str = (value: string): Expr => ({ kind: 'StringLiteral', value });
export const nul: Expr = { kind: 'NullLiteral' };
export const col = (name: string, ...qualifiers: string[]): Expr => ({ kind: 'ColumnRef', qualifiers, name });
export const bin = (op: Extract<Expr, { kind: 'Binary' }>['op'], left: Expr, right: Expr): Expr => ({ kind: 'Binary', op, left, right });
export const fn = (name: string, ...args: Expr[]): Expr => ({ kind: 'FunctionCall', name, args, distinct: false });
export const fnDistinct = (name: string, ...args: Expr[]): Expr => ({ kind: 'FunctionCall', name, args, distinct: true });
export const star: Expr = { kind: 'Star' };
export const not = (operand: Expr): Expr => ({ kind: 'Unary', op: 'NOT', operand });
export const item = (expr: Expr, alias?: string): SelectItem => (alias === undefined ? { kind: 'SelectExpr', expr } : { kind: 'SelectExpr', expr, alias });

export function select(parts: Partial<SelectStmt> & { items: readonly SelectItem[] }): SelectStmt {
  return { kind: 'Select', distinct: false, groupBy: [], orderBy: [], ...parts };
}

/** An EvalContext over plain fields. */
export function testContext(overrides: Partial<EvalContext> = {}): EvalContext {
  const vars: Record<string, Value> = { version_comment: 'tablevault', version: '5.7.99-tablevault', auto_increment_increment: 1n };
  return {
    now: () => Date.UTC(2024, 0, 15, 10, 30, 0),
    database: () => 'db1',
    user: () => "'root'@'127.0.0.1'",
    currentUser: () => "'root'@'%'",
    connectionId: () => 7,
    systemVariable: (name) => {
      const v = vars[name.toLowerCase()];
      if (v === undefined) throw sqlError('ER_UNKNOWN_SYSTEM_VARIABLE', `Unknown system variable '${name}'`);
      return v;
    },
    userVariable: () => null,
    ...overrides,
  };
}
