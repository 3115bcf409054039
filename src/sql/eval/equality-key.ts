/**
 * Hash keys that agree with `=`: for a pair of operand types, a function that maps each non-null value to a
 * canonical key so that two values have the same key exactly when comparerFor(lt, rt) says they are equal. Hash
 * joins, `IN (SELECT …)` and set operations hash with these instead of comparing every pair.
 */
import type { ColumnType } from '../../types/column-type.ts';
import type { Value } from '../../types/value.ts';
import { toDateTimeText, toScaledExact } from './comparison.ts';
import { toDouble } from './numeric.ts';
import { asDecimal, categoryOf, type TypeCategory } from './types.ts';

/**
 * Canonical key of a non-null value, or undefined when it has no comparable form (the comparison is NULL). Integers
 * that fit a double exactly are numbers (cheap Map keys), everything else text; one key function never returns
 * both forms for equal values.
 */
export type EqualityKey = (v: Value) => string | number | undefined;

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** An exact integer as a Map key: a number when it is a safe integer, else its decimal text. */
function integerKey(n: bigint): string | number {
  return n <= SAFE && n >= -SAFE ? Number(n) : String(n);
}

const isDate = (c: TypeCategory): boolean => c === 'date' || c === 'datetime';
const isExactNumber = (c: TypeCategory): boolean => c === 'int' || c === 'bool' || c === 'decimal';

/**
 * The key function for values of either type when compared with each other; mirrors comparerFor's cases: text as
 * is, date-times as canonical DATETIME text, exact numbers as integers at the larger scale, anything else as a
 * double (text that is not a number has no key, like its NULL comparison).
 */
export function equalityKeyFor(lt: ColumnType, rt: ColumnType): EqualityKey {
  const a = categoryOf(lt);
  const b = categoryOf(rt);
  if (a === 'string' && b === 'string') return (v) => String(v);
  if (a === b && isDate(a)) return (v) => String(v);
  if (isDate(a) || isDate(b)) return (v) => toDateTimeText(v) ?? undefined;
  if (isExactNumber(a) && isExactNumber(b)) {
    if (a !== 'decimal' && b !== 'decimal') {
      return (v) => {
        if (typeof v === 'boolean') return v ? 1 : 0;
        if (typeof v === 'number') return Number.isSafeInteger(v) ? v : Number.isInteger(v) ? integerKey(BigInt(v)) : String(v);
        if (typeof v === 'bigint') return integerKey(v);
        const d = toDouble(v);
        return d === null ? undefined : Number.isInteger(d) ? integerKey(BigInt(d)) : String(d);
      };
    }
    const scale = Math.max(asDecimal(lt).scale, asDecimal(rt).scale);
    return (v) => {
      const n = toScaledExact(v, scale);
      return n === null ? undefined : String(n);
    };
  }
  return (v) => {
    const d = toDouble(v);
    return d === null ? undefined : String(d === 0 ? 0 : d);
  };
}

/**
 * One hash key for several columns' keys (each from its EqualityKey): length-prefixed text, so no two different
 * tuples give the same key; undefined when any part is (that row can not be equal to anything).
 */
export function compositeKey(parts: readonly (string | number | undefined)[]): string | number | undefined {
  if (parts.length === 1) return parts[0];
  let out = '';
  for (const part of parts) {
    if (part === undefined) return undefined;
    const text = String(part);
    out += `${text.length}:${text}`;
  }
  return out;
}
