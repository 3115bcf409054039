import { parseDecimal, rescale } from '../../types/decimal.ts';
import type { Value } from '../../types/value.ts';

/** A value as a double for arithmetic/comparison (text parsed, booleans 1/0); null when it is not a number. */
export function toDouble(v: Value): number | null {
  switch (typeof v) {
    case 'number':
      return v;
    case 'bigint':
      return Number(v);
    case 'boolean':
      return v ? 1 : 0;
    case 'string': {
      const t = v.trim();
      if (t === '') return null;
      const n = Number(t);
      return Number.isNaN(n) ? null : n;
    }
    default:
      return null;
  }
}

/** A value as an exact integer (booleans 1/0, decimal text truncated); null when not numeric. */
export function toBigInt(v: Value): bigint | null {
  switch (typeof v) {
    case 'bigint':
      return v;
    case 'number':
      return Number.isFinite(v) ? BigInt(Math.trunc(v)) : null;
    case 'boolean':
      return v ? 1n : 0n;
    case 'string': {
      const d = parseDecimal(v);
      return d ? (d.scale > 0 ? d.unscaled / 10n ** BigInt(d.scale) : d.unscaled) : null;
    }
    default:
      return null;
  }
}

/** A value as an unscaled decimal at `scale` (rounded half-up); null when not numeric. */
export function toScaled(v: Value, scale: number): bigint | null {
  switch (typeof v) {
    case 'bigint':
      return v * 10n ** BigInt(scale);
    case 'number':
      if (Number.isInteger(v)) return BigInt(v) * 10n ** BigInt(scale);
      if (!Number.isFinite(v)) return null;
      return rescale(parseDecimal(String(v)) ?? { unscaled: 0n, scale: 0 }, scale);
    case 'boolean':
      return (v ? 1n : 0n) * 10n ** BigInt(scale);
    case 'string': {
      const d = parseDecimal(v);
      return d ? rescale(d, scale) : null;
    }
    default:
      return null;
  }
}

/** Truthiness for WHERE/AND/OR/IF: NULL stays NULL, numbers are true when non-zero, text is parsed as a number. */
export function toBool(v: Value): boolean | null {
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'number':
      return v !== 0 && !Number.isNaN(v);
    case 'bigint':
      return v !== 0n;
    case 'string': {
      const t = v.trim().toLowerCase();
      if (t === 'true') return true;
      if (t === 'false') return false;
      const n = toDouble(v);
      return n === null ? false : n !== 0;
    }
    default:
      return null;
  }
}
