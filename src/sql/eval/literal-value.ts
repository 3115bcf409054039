import type { Expr } from '../../../grammar/ast.ts';
import type { Value } from '../../types/value.ts';
import { canonicalDecimalText } from '../../types/decimal.ts';
import { numberLiteral } from './compile.ts';

const SMALL_INTEGER = /^\d{1,9}$/;

/**
 * The value of a literal without compiling it: what INSERT … VALUES does per cell, where compiling a closure for
 * each of a dump's millions of constants cost more than storing them. Numbers go through the compiler's own
 * `numberLiteral` (integer, DECIMAL or DOUBLE by how they are written) and signs negate as `compileNegate` does, so
 * the value is the compiled expression's. Undefined for anything that is not a (signed) literal.
 */
export function literalValue(expr: Expr): Value | undefined {
  switch (expr.kind) {
    case 'NullLiteral':
      return null;
    case 'BooleanLiteral':
    case 'StringLiteral':
      return expr.value;
    case 'NumberLiteral':
      // Up to 9 digits is always INT range, which numberLiteral gives as a JS number: skip its BigInt round trip.
      if (SMALL_INTEGER.test(expr.text)) return Number(expr.text);
      // A decimal written canonically is its own DECIMAL(p, s) value (p ≤ 38, as numberLiteral types it).
      return canonicalDecimalText(expr.text, 38, expr.text.length - expr.text.indexOf('.') - 1) ?? numberLiteral(expr.text).evaluate([]);
    case 'Unary': {
      if (expr.op !== '-' && expr.op !== '+') return undefined;
      if (expr.operand.kind !== 'NumberLiteral' && expr.operand.kind !== 'Unary') return undefined;
      const v = literalValue(expr.operand);
      return v === undefined || expr.op === '+' ? v : negate(v);
    }
    default:
      return undefined;
  }
}

/** `-v` for a number literal's value: exact integers, DOUBLE (no -0) and DECIMAL text, as compileNegate. */
function negate(v: Value): Value | undefined {
  if (typeof v === 'bigint') return -v;
  if (typeof v === 'number') return v === 0 ? 0 : -v;
  if (typeof v === 'string') return v.startsWith('-') ? v.slice(1) : /^0(\.0*)?$/.test(v) ? v : `-${v}`;
  return undefined;
}
