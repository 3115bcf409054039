import type { ColumnType } from '../../types/column-type.ts';
import { compareStrings } from '../../types/compare.ts';
import { formatDateTimeParts, parseDateTimeText } from '../../types/datetime.ts';
import { parseDecimal, rescale } from '../../types/decimal.ts';
import type { Value } from '../../types/value.ts';
import { asDecimal, categoryOf, type TypeCategory } from './types.ts';
import { toDouble } from './numeric.ts';

/** Compares two non-null values after implicit conversion; null when a side does not convert (→ SQL NULL). */
export type ValueComparer = (a: Value, b: Value) => number | null;

/** Any value as canonical DATETIME text (DATE gets 00:00:00), or null when it is not a valid date/time. */
export function toDateTimeText(v: Value): string | null {
  if (typeof v === 'string') {
    // Canonical DATETIME text passes through untouched (the hot path for DATETIME columns).
    if (v.length >= 19 && v.charCodeAt(10) === 32 && v.charCodeAt(4) === 45) return v;
    const p = parseDateTimeText(v);
    return p ? formatDateTimeParts(p) : null;
  }
  if (typeof v === 'number' || typeof v === 'bigint') {
    const p = parseDateTimeText(String(v));
    return p ? formatDateTimeParts(p) : null;
  }
  return null;
}

function cmpNum(a: number | bigint, b: number | bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function intLike(v: Value): number | bigint | null {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return toDouble(v);
}

/**
 * How two types compare, MySQL/StarRocks style: text with text by code point; a date/datetime with text or a number
 * as date-times; numbers exactly (integers, decimals at a common scale) unless a double is involved; text against a
 * number as doubles (a text that is not a number makes the comparison NULL).
 */
export function comparerFor(lt: ColumnType, rt: ColumnType): ValueComparer {
  const a = categoryOf(lt);
  const b = categoryOf(rt);
  const isDate = (c: TypeCategory): boolean => c === 'date' || c === 'datetime';
  if (a === 'string' && b === 'string') {
    // A case-insensitive column (information_schema) decides the comparison, as MySQL's collation coercibility does.
    if (isCaseInsensitive(lt) || isCaseInsensitive(rt)) return (x, y) => compareStrings(String(x).toLowerCase(), String(y).toLowerCase());
    return (x, y) => compareStrings(String(x), String(y));
  }
  if (a === b && isDate(a)) return (x, y) => compareStrings(String(x), String(y));
  if (isDate(a) || isDate(b)) {
    return (x, y) => {
      const u = toDateTimeText(x);
      const v = toDateTimeText(y);
      return u === null || v === null ? null : compareStrings(u, v);
    };
  }
  const numeric = (c: TypeCategory): boolean => c === 'int' || c === 'bool' || c === 'decimal';
  if (numeric(a) && numeric(b)) {
    if (a !== 'decimal' && b !== 'decimal') {
      return (x, y) => {
        const u = intLike(x);
        const v = intLike(y);
        return u === null || v === null ? null : cmpNum(u, v);
      };
    }
    const scale = Math.max(asDecimal(lt).scale, asDecimal(rt).scale);
    return (x, y) => {
      const u = toScaledExact(x, scale);
      const v = toScaledExact(y, scale);
      return u === null || v === null ? null : cmpNum(u, v);
    };
  }
  return (x, y) => {
    const u = toDouble(x);
    const v = toDouble(y);
    if (u === null || v === null) return null;
    return u < v ? -1 : u > v ? 1 : 0;
  };
}

/** A value as an exact integer at `scale` decimal places, or null when it has no exact form there. */
export function toScaledExact(v: Value, scale: number): bigint | null {
  if (typeof v === 'bigint') return v * 10n ** BigInt(scale);
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) * 10n ** BigInt(scale) : null;
  if (typeof v === 'boolean') return (v ? 1n : 0n) * 10n ** BigInt(scale);
  if (typeof v === 'string') {
    const d = parseDecimal(v);
    return d ? rescale(d, scale) : null;
  }
  return null;
}

export type ComparisonOp = '=' | '<=>' | '!=' | '<' | '<=' | '>' | '>=';

/** The boolean a comparison result means for an operator. */
export function applyComparison(op: ComparisonOp, c: number): boolean {
  switch (op) {
    case '=':
    case '<=>':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
  }
}

function isCaseInsensitive(t: ColumnType): boolean {
  return (t.name === 'VARCHAR' || t.name === 'CHAR') && t.caseInsensitive === true;
}
