/**
 * Exact decimal helpers. DECIMAL values travel as canonical strings (see value.ts); arithmetic converts them to a
 * scaled bigint (`unscaled × 10^-scale`) so sums and products never lose a digit, then back.
 */

/** A decimal as an unscaled integer and its scale: value = unscaled / 10^scale. */
export interface ScaledDecimal {
  /** The digits as one integer. */
  readonly unscaled: bigint;
  /** Number of fraction digits. */
  readonly scale: number;
}

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Powers of ten, cached because rescaling is on the hot path of SUM/AVG. */
const POW10: bigint[] = [];
export function pow10(n: number): bigint {
  let p = POW10[n];
  if (p === undefined) {
    p = 10n ** BigInt(n);
    if (n < 80) POW10[n] = p;
  }
  return p;
}

/** Parse decimal text (`'-12.5'`, `'1e3'`, `'.5'`) exactly; undefined when it is not a number. */
export function parseDecimal(text: string): ScaledDecimal | undefined {
  const m = DECIMAL_TEXT.exec(text.trim());
  if (!m) return undefined;
  const intPart = m[2] ?? '';
  const fracPart = m[3] ?? '';
  if (intPart === '' && fracPart === '') return undefined;
  let unscaled = BigInt((intPart || '0') + fracPart);
  let scale = fracPart.length;
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (Math.abs(exp) > 400) return undefined;
  if (exp > 0) {
    const shift = Math.min(exp, scale);
    scale -= shift;
    if (exp > shift) unscaled *= pow10(exp - shift);
  } else if (exp < 0) {
    scale -= exp;
  }
  if (m[1] === '-') unscaled = -unscaled;
  return { unscaled, scale };
}

/** Divide by 10^k rounding half away from zero (MySQL/StarRocks DECIMAL rounding). */
export function divRoundHalfUp(value: bigint, divisor: bigint): bigint {
  const q = value / divisor;
  const r = value % divisor;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice >= (divisor < 0n ? -divisor : divisor)) return (value < 0n) !== (divisor < 0n) ? q - 1n : q + 1n;
  return q;
}

/** Change the scale of an unscaled value, rounding half-up when digits are dropped. */
export function rescale(d: ScaledDecimal, scale: number): bigint {
  if (scale === d.scale) return d.unscaled;
  if (scale > d.scale) return d.unscaled * pow10(scale - d.scale);
  return divRoundHalfUp(d.unscaled, pow10(d.scale - scale));
}

/** Canonical text of `unscaled / 10^scale` (value.ts): no leading zeros, exactly `scale` fraction digits. */
export function formatScaled(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  let digits = (negative ? -unscaled : unscaled).toString();
  if (scale === 0) return (negative ? '-' : '') + digits;
  if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
  const cut = digits.length - scale;
  return `${negative ? '-' : ''}${digits.slice(0, cut)}.${digits.slice(cut)}`;
}

const CANONICAL_DECIMAL = /^-?(?:0|[1-9]\d*)\.\d+$/;
const NONZERO_DIGIT = /[1-9]/;

/**
 * `text` itself when it already is the canonical text of a DECIMAL(precision, scale) value (no leading zeros,
 * exactly `scale` fraction digits, integer digits within the precision, no negative zero), else undefined. Why:
 * a dump's DECIMAL cells are written this way, and taking them as written skips the BigInt parse, rescale and
 * format that give back the same text (twice per cell: once for the literal, once for the column).
 */
export function canonicalDecimalText(text: string, precision: number, scale: number): string | undefined {
  if (scale === 0 || text.length > 80 || !CANONICAL_DECIMAL.test(text)) return undefined;
  const dot = text.indexOf('.');
  if (text.length - dot - 1 !== scale) return undefined;
  const negative = text.charCodeAt(0) === 45; // '-'
  const intDigits = text.charCodeAt(negative ? 1 : 0) === 48 ? 0 : dot - (negative ? 1 : 0); // '0.…' has none
  if (intDigits > precision - scale) return undefined;
  if (negative && !NONZERO_DIGIT.test(text)) return undefined;
  return text;
}

/** Number of integer digits of |unscaled| at the given scale (0 for pure fractions). */
export function integerDigits(unscaled: bigint, scale: number): number {
  const abs = unscaled < 0n ? -unscaled : unscaled;
  const intPart = abs / pow10(scale);
  return intPart === 0n ? 0 : intPart.toString().length;
}

/** Numeric comparison of two decimal texts of any scale. */
export function compareDecimalText(a: string, b: string): number {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  if (!x || !y) return a < b ? -1 : a > b ? 1 : 0;
  const scale = Math.max(x.scale, y.scale);
  const u = rescale(x, scale);
  const v = rescale(y, scale);
  return u < v ? -1 : u > v ? 1 : 0;
}

/** The decimal text of a finite double, exact enough to round-trip (shortest representation). */
export function doubleToDecimal(n: number): ScaledDecimal | undefined {
  if (!Number.isFinite(n)) return undefined;
  return parseDecimal(String(n));
}
