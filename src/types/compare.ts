import type { ColumnType } from './column-type.ts';
import type { Value } from './value.ts';
import { compareDecimalText } from './decimal.ts';

/** A three-way comparison: negative, zero or positive. */
export type Comparator = (a: Value, b: Value) => number;

/**
 * Strings compare by Unicode code point, which is UTF-8 byte order (StarRocks compares VARCHAR bytes). JS `<`
 * compares UTF-16 code units, which differs only when a surrogate meets a unit in U+E000‥U+FFFF, so the fast path
 * fixes just that case at the first difference.
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

function rank(v: Value): number {
  switch (typeof v) {
    case 'boolean':
      return 1;
    case 'number':
    case 'bigint':
      return 2;
    case 'string':
      return 3;
    default:
      return 0;
  }
}

/** Numbers and bigints compare exactly with each other (JS relational operators are exact across the two). */
function compareNumeric(a: number | bigint, b: number | bigint): number {
  if (typeof a === 'number' && Number.isNaN(a)) return typeof b === 'number' && Number.isNaN(b) ? 0 : 1;
  if (typeof b === 'number' && Number.isNaN(b)) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Total order over values of one column type: NULL first, false < true, numbers numerically (number and bigint
 * mixed exactly, NaN last), DECIMAL strings numerically whatever their scale, other strings by code point
 * (DATE/DATETIME canonical text orders as time). Values of different runtime kinds order by kind so the order
 * stays total even on mixed input.
 */
export function compareValues(a: Value, b: Value, type?: ColumnType): number {
  if (a === null || b === null) return a === null ? (b === null ? 0 : -1) : 1;
  const ta = typeof a;
  const tb = typeof b;
  if ((ta === 'number' || ta === 'bigint') && (tb === 'number' || tb === 'bigint')) return compareNumeric(a as number | bigint, b as number | bigint);
  if (ta === 'string' && tb === 'string') {
    return type?.name === 'DECIMAL' ? compareDecimalText(a as string, b as string) : compareStrings(a as string, b as string);
  }
  if (ta === 'boolean' && tb === 'boolean') return a === b ? 0 : a ? 1 : -1;
  return rank(a) - rank(b);
}

/** A comparator specialised for a type (for sorts and partition bounds). */
export function comparatorFor(type?: ColumnType): Comparator {
  return (a, b) => compareValues(a, b, type);
}

/** Equality under compareValues (so 1 and 1n are equal, and DECIMAL '1.0' equals '1.00'). NULL equals NULL here. */
export function valuesEqual(a: Value, b: Value, type?: ColumnType): boolean {
  if (a === b) return true;
  return compareValues(a, b, type) === 0;
}

/** Compare two tuples element-wise with per-position types. */
export function compareTuples(a: readonly Value[], b: readonly Value[], types?: readonly ColumnType[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i] ?? null, b[i] ?? null, types?.[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}
