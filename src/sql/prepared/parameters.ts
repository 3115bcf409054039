/**
 * Parameter values of a prepared statement and the SQL literal each one becomes where its `?` marker was. The
 * literal keeps the value's type: integers stay integers, a double is written in exponent form (the parser reads
 * that as DOUBLE, not DECIMAL), a decimal keeps its digits, dates and datetimes are typed literals.
 */
import type { Expr } from '../../../grammar/ast.ts';
import { quoteString } from '../../../grammar/quote.ts';
import { SqlError } from '../../errors/index.ts';
import type { Value } from '../../types/value.ts';

/** One parameter's value, as a client sends it (the server decodes the binary protocol into these). */
export type ParameterValue =
  | null
  | boolean
  | bigint
  | { readonly kind: 'double'; readonly value: number }
  | { readonly kind: 'decimal'; readonly text: string }
  | { readonly kind: 'string'; readonly text: string }
  | { readonly kind: 'date'; readonly text: string }
  | { readonly kind: 'datetime'; readonly text: string }
  | { readonly kind: 'time'; readonly text: string };

/** MySQL's ER_WRONG_ARGUMENTS for a parameter no SQL value can stand for. */
function wrongArguments(detail: string): SqlError {
  return new SqlError(1210, 'HY000', `Incorrect arguments to EXECUTE: ${detail}`);
}


/**
 * A number with a sign: a leading space keeps `x-?` from becoming `x--5`, which MySQL reads as a comment. The
 * digits themselves are checked, so nothing but a number can come out of here.
 */
function signed(text: string): string {
  return text.startsWith('-') ? ` ${text}` : text;
}

const DECIMAL_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)$/;
const DATE_TEXT = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME_TEXT = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?$/;
const TIME_TEXT = /^-?\d{1,3}:\d{2}:\d{2}(?:\.\d{1,6})?$/;

/** The SQL literal that stands for `value`. */
export function parameterLiteral(value: ParameterValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'bigint') return signed(value.toString());
  switch (value.kind) {
    case 'double': {
      if (!Number.isFinite(value.value)) throw wrongArguments(`a DOUBLE parameter is ${value.value}; SQL has no such value`);
      // Written into the text only where a literal's syntax is needed (`LIMIT ?`): an integral value (mysql2 sends
      // every JS number as DOUBLE) as the integer it is, so `LIMIT ?` with 10 works.
      if (Number.isSafeInteger(value.value)) return signed(String(value.value));
      return signed(value.value.toExponential());
    }
    case 'decimal':
      if (!DECIMAL_TEXT.test(value.text)) return quoteString(value.text);
      return signed(value.text.replace(/^\+/, ''));
    case 'string':
      return quoteString(value.text);
    case 'date':
      return DATE_TEXT.test(value.text) ? `DATE ${quoteString(value.text)}` : quoteString(value.text);
    case 'datetime':
      return DATETIME_TEXT.test(value.text) ? `DATETIME ${quoteString(value.text)}` : quoteString(value.text);
    case 'time':
      if (!TIME_TEXT.test(value.text)) throw wrongArguments(`'${value.text}' is not a TIME`);
      return quoteString(value.text);
  }
}

/** The literal node that stands for `value` (the same as parsing parameterLiteral's text, without the parser). */
export function parameterExpr(value: ParameterValue): Expr {
  if (value === null) return { kind: 'NullLiteral' };
  if (typeof value === 'boolean') return { kind: 'BooleanLiteral', value };
  const number = (text: string): Expr =>
    text.startsWith('-') ? { kind: 'Unary', op: '-', operand: { kind: 'NumberLiteral', text: text.slice(1) } } : { kind: 'NumberLiteral', text };
  if (typeof value === 'bigint') return number(value.toString());
  switch (value.kind) {
    case 'double':
      if (!Number.isFinite(value.value)) throw wrongArguments(`a DOUBLE parameter is ${value.value}; SQL has no such value`);
      return number(value.value.toExponential());
    case 'decimal':
      return DECIMAL_TEXT.test(value.text) ? number(value.text.replace(/^\+/, '')) : { kind: 'StringLiteral', value: value.text };
    case 'string':
      return { kind: 'StringLiteral', value: value.text };
    case 'date':
      return DATE_TEXT.test(value.text) ? { kind: 'TypedLiteral', type: 'DATE', value: value.text } : { kind: 'StringLiteral', value: value.text };
    case 'datetime':
      return DATETIME_TEXT.test(value.text) ? { kind: 'TypedLiteral', type: 'DATETIME', value: value.text } : { kind: 'StringLiteral', value: value.text };
    case 'time':
      if (!TIME_TEXT.test(value.text)) throw wrongArguments(`'${value.text}' is not a TIME`);
      return { kind: 'StringLiteral', value: value.text };
  }
}

/** A user variable's value (EXECUTE … USING @v) as a parameter. */
export function parameterOfValue(value: Value): ParameterValue {
  switch (typeof value) {
    case 'number':
      return Number.isInteger(value) ? BigInt(value) : { kind: 'double', value };
    case 'string':
      return { kind: 'string', text: value };
    default:
      return value;
  }
}
