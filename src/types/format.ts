import type { ColumnType } from './column-type.ts';
import type { Value } from './value.ts';
import { formatScaled, parseDecimal, rescale } from './decimal.ts';

/**
 * A double as MySQL prints it: the shortest text that reads back to the same double, plain notation for
 * magnitudes 1e-6 <= |x| < 1e15, scientific (`1e20`, `1.5e-9`) otherwise.
 */
export function formatDouble(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (n === 0) return '0';
  const exp = n.toExponential(); // shortest round-trip digits, e.g. "1.5e+20"
  const [mantissa = '0', e = '0'] = exp.split('e');
  const exponent = Number(e);
  if (exponent >= 15 || exponent < -6) return `${mantissa}e${exponent}`;
  return String(n).includes('e') ? n.toFixed(Math.max(0, -exponent + mantissa.replace(/[-.]/g, '').length - 1)) : String(n);
}

/** A FLOAT as MySQL prints it: the shortest digits that round-trip through float32. */
export function formatFloat(n: number): string {
  if (!Number.isFinite(n) || n === 0) return formatDouble(n);
  const f = Math.fround(n);
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(f.toPrecision(digits));
    if (Math.fround(candidate) === f) return formatDouble(candidate);
  }
  return formatDouble(f);
}

/**
 * A value as result text, exactly as the MySQL protocol sends it (StarRocks' rendering): booleans 1/0, doubles
 * shortest round-trip, DECIMAL with exactly its scale, DATETIME without a zero fraction. NULL stays null.
 */
export function formatValue(value: Value, type?: ColumnType): string | null {
  switch (typeof value) {
    case 'string':
      if (type?.name === 'DECIMAL') {
        const d = parseDecimal(value);
        return d ? formatScaled(rescale(d, type.scale), type.scale) : value;
      }
      return value;
    case 'number':
      if (type?.name === 'FLOAT') return formatFloat(value);
      return Number.isInteger(value) && Math.abs(value) < 1e15 ? String(value) : formatDouble(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? '1' : '0';
    default:
      return null;
  }
}
