import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSqlError } from '../../src/errors/index.ts';
import type { ColumnType } from '../../src/types/column-type.ts';
import { coerceForColumn, coerceValue, parseLiteralForType, utf8Length } from '../../src/types/coerce.ts';
import { compareValues, valuesEqual } from '../../src/types/compare.ts';
import { canonicalDecimalText, formatScaled, integerDigits, parseDecimal, rescale } from '../../src/types/decimal.ts';
import { formatDouble, formatFloat, formatValue } from '../../src/types/format.ts';
import type { Value } from '../../src/types/value.ts';

function errno(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    if (isSqlError(e)) return e.errno;
    throw e;
  }
  return undefined;
}

const ins = (column = 'c') => ({ mode: 'insert' as const, column, row: 1 });

describe('formatValue', () => {
  it('prints like MySQL/StarRocks', () => {
    expect(formatValue(true)).toBe('1');
    expect(formatValue(false)).toBe('0');
    expect(formatValue(null)).toBeNull();
    expect(formatValue(1.5)).toBe('1.5');
    expect(formatValue(1e20)).toBe('1e20');
    expect(formatValue(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(formatValue(-2.5e-9)).toBe('-2.5e-9');
    expect(formatValue(1e-7)).toBe('1e-7');
    expect(formatValue(0.000001)).toBe('0.000001');
    expect(formatValue(123456789012345)).toBe('123456789012345');
    expect(formatValue(1e15)).toBe('1e15');
    expect(formatValue(12345678901234567890n)).toBe('12345678901234567890');
    expect(formatValue('1.5', { name: 'DECIMAL', precision: 10, scale: 3 })).toBe('1.500');
    expect(formatValue(0.1, { name: 'FLOAT' })).toBe('0.1');
    expect(formatFloat(Math.fround(3.14159))).toBe('3.14159');
    expect(formatValue('2024-01-01 10:00:00')).toBe('2024-01-01 10:00:00');
  });

  it('doubles round-trip through their text', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
        const s = formatDouble(d);
        expect(Number(s)).toBe(d === 0 ? 0 : d);
        expect(s).not.toContain('+');
      }),
    );
  });
});

describe('decimal text', () => {
  it('canonical form round-trips and compares numerically', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 0, max: 8 }), (u, s) => {
        const text = formatScaled(u, s);
        const p = parseDecimal(text);
        expect(p).toEqual({ unscaled: u, scale: s });
        expect(coerceValue(text, { name: 'DECIMAL', precision: 38, scale: s })).toBe(text);
      }),
    );
    expect(compareValues('10.5', '9.75', { name: 'DECIMAL', precision: 10, scale: 2 })).toBeGreaterThan(0);
    expect(valuesEqual('1.0', '1.00', { name: 'DECIMAL', precision: 10, scale: 2 })).toBe(true);
  });

  it('text taken as written (canonicalDecimalText) is exactly what parse, rescale and format give, in range', () => {
    // Texts near the canonical form: signs, leading zeros, zero values, empty parts, exponents, any scale.
    const digits = fc.stringMatching(/^[0-9]{0,14}$/);
    const noisy = fc
      .tuple(fc.constantFrom('', '-', '+', '--'), fc.oneof(digits, fc.constantFrom('0', '00', '')), fc.constantFrom('.', '', '..'), fc.oneof(digits, fc.constantFrom('0', '000')), fc.constantFrom('', 'e1', ' '))
      .map((parts) => parts.join(''));
    const canonical = fc
      .tuple(fc.constantFrom('', '-'), fc.stringMatching(/^(0|[1-9][0-9]{0,13})$/), fc.stringMatching(/^[0-9]{1,12}$/))
      .map(([sign, int, frac]) => `${sign}${int}.${frac}`);
    const text = fc.oneof(canonical, noisy);
    let taken = 0;
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 38 }), fc.integer({ min: -1, max: 1 }), (t, precision, off) => {
        // Mostly the scale the text is written with (what a dump has), sometimes one off.
        const scale = Math.max(0, Math.min(precision, t.length - t.lastIndexOf('.') - 1 + off));
        const same = canonicalDecimalText(t, precision, scale);
        if (same === undefined) return;
        taken++;
        const d = parseDecimal(t);
        expect(d).toBeDefined();
        const unscaled = rescale(d!, scale);
        expect(integerDigits(unscaled, scale)).toBeLessThanOrEqual(precision - scale);
        expect(same).toBe(formatScaled(unscaled, scale));
      }),
      { numRuns: 3000 },
    );
    expect(taken).toBeGreaterThan(50);
    for (const [t, p, sc] of [['-0.00', 10, 2], ['007.50', 10, 2], ['7.5', 10, 2], ['123.45', 4, 2], ['.50', 10, 2], ['5.', 10, 0]] as const) {
      expect(canonicalDecimalText(t, p, sc), t).toBeUndefined();
    }
    expect(canonicalDecimalText('-0.05', 10, 2)).toBe('-0.05');
    expect(canonicalDecimalText('12.34', 4, 2)).toBe('12.34');
  });
});

describe('compareValues', () => {
  const value = fc.oneof(fc.constant(null), fc.integer(), fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), fc.double({ noNaN: true }));
  it('is a total order on numbers (antisymmetric, transitive) with NULL first', () => {
    fc.assert(
      fc.property(value, value, value, (a, b, c) => {
        expect(Math.sign(compareValues(a, b))).toBe(-Math.sign(compareValues(b, a)) || 0);
        if (compareValues(a, b) <= 0 && compareValues(b, c) <= 0) expect(compareValues(a, c)).toBeLessThanOrEqual(0);
        if (a === null && b !== null) expect(compareValues(a, b)).toBeLessThan(0);
      }),
    );
  });
  it('compares bigint and number exactly', () => {
    expect(compareValues(2n ** 53n + 1n, 2 ** 53)).toBeGreaterThan(0);
    expect(compareValues(3n, 3)).toBe(0);
    expect(valuesEqual(1n, 1)).toBe(true);
  });
  it('orders strings by code point (UTF-8 byte order)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        const bytes = Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
        // Lone surrogates encode as U+FFFD, so only compare well-formed strings.
        const wellFormed = (s: string): boolean => Buffer.from(s, 'utf8').toString('utf8') === s;
        if (wellFormed(a) && wellFormed(b)) expect(Math.sign(compareValues(a, b))).toBe(bytes);
      }),
    );
  });
});

describe('coerceValue', () => {
  it('integers: range checks per type, errno 1264', () => {
    const ranges: [ColumnType['name'], bigint, bigint][] = [
      ['TINYINT', -128n, 127n],
      ['SMALLINT', -32768n, 32767n],
      ['INT', -2147483648n, 2147483647n],
      ['BIGINT', -(2n ** 63n), 2n ** 63n - 1n],
      ['LARGEINT', -(2n ** 127n), 2n ** 127n - 1n],
    ];
    for (const [name, lo, hi] of ranges) {
      const t = { name } as ColumnType;
      expect(String(coerceValue(String(hi), t))).toBe(String(hi));
      expect(String(coerceValue(lo, t))).toBe(String(lo));
      expect(errno(() => coerceValue(String(hi + 1n), t, ins()))).toBe(1264);
      expect(errno(() => coerceValue(lo - 1n, t, ins()))).toBe(1264);
      expect(coerceValue(String(hi + 1n), t, { mode: 'cast' })).toBeNull();
    }
    expect(coerceValue('42', { name: 'INT' })).toBe(42);
    expect(coerceValue('42', { name: 'BIGINT' })).toBe(42n);
    expect(coerceValue(1.9, { name: 'INT' })).toBe(1);
    expect(errno(() => coerceValue('abc', { name: 'INT' }, ins()))).toBe(1292);
    expect(coerceValue('abc', { name: 'INT' }, { mode: 'cast' })).toBeNull();
  });

  it('integer coercion matches BigInt semantics on random input', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }), (n) => {
        const inRange = n >= -2147483648n && n <= 2147483647n;
        if (inRange) expect(coerceValue(String(n), { name: 'INT' })).toBe(Number(n));
        else expect(errno(() => coerceValue(String(n), { name: 'INT' }, ins()))).toBe(1264);
      }),
    );
  });

  it('decimals: half-up rounding of extra scale, precision overflow is 1264', () => {
    const t: ColumnType = { name: 'DECIMAL', precision: 5, scale: 2 };
    expect(coerceValue('1.005', t)).toBe('1.01');
    expect(coerceValue('-1.005', t)).toBe('-1.01');
    expect(coerceValue('1.004', t)).toBe('1.00');
    expect(coerceValue(12, t)).toBe('12.00');
    expect(coerceValue('999.994', t)).toBe('999.99');
    expect(errno(() => coerceValue('999.995', t, ins()))).toBe(1264);
    expect(errno(() => coerceValue('1000', t, ins()))).toBe(1264);
    expect(errno(() => coerceValue('x1', t, ins()))).toBe(1292);
    expect(coerceValue('-0.001', t)).toBe('0.00');
  });

  it('VARCHAR length is in UTF-8 bytes (StarRocks), errno 1406', () => {
    const t: ColumnType = { name: 'VARCHAR', length: 4 };
    expect(coerceValue('abcd', t)).toBe('abcd');
    expect(errno(() => coerceValue('abcde', t, ins()))).toBe(1406);
    expect(errno(() => coerceValue('ééé', t, ins()))).toBe(1406); // 6 bytes
    expect(coerceValue('éé', t)).toBe('éé');
    expect(coerceValue(12, t)).toBe('12');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 8 }), (s) => {
        const fits = Buffer.byteLength(s, 'utf8') <= 10;
        expect(utf8Length(s)).toBe(Buffer.byteLength(s, 'utf8'));
        if (fits) expect(coerceValue(s, { name: 'VARCHAR', length: 10 })).toBe(s);
        else expect(errno(() => coerceValue(s, { name: 'VARCHAR', length: 10 }, ins()))).toBe(1406);
      }),
    );
  });

  it('dates are validated and canonical', () => {
    expect(coerceValue('2024-02-29', { name: 'DATE' })).toBe('2024-02-29');
    expect(errno(() => coerceValue('2023-02-29', { name: 'DATE' }, ins()))).toBe(1292);
    expect(errno(() => coerceValue('2024-02-30', { name: 'DATE' }, ins()))).toBe(1292);
    expect(errno(() => coerceValue('2024-13-01', { name: 'DATE' }, ins()))).toBe(1292);
    expect(coerceValue('2024-1-5', { name: 'DATE' })).toBe('2024-01-05');
    expect(coerceValue('20240105', { name: 'DATE' })).toBe('2024-01-05');
    expect(coerceValue('2024-01-05 10:11:12', { name: 'DATE' })).toBe('2024-01-05');
    expect(coerceValue('2024-01-05', { name: 'DATETIME' })).toBe('2024-01-05 00:00:00');
    expect(coerceValue('2024-01-05T10:11:12.500', { name: 'DATETIME' })).toBe('2024-01-05 10:11:12.500000');
    expect(coerceValue('2024-01-05 10:11:12.000', { name: 'DATETIME' })).toBe('2024-01-05 10:11:12');
    expect(errno(() => coerceValue('2024-01-05 24:00:00', { name: 'DATETIME' }, ins()))).toBe(1292);
    fc.assert(
      fc.property(fc.date({ min: new Date(Date.UTC(1, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true }), (d) => {
        const iso = d.toISOString();
        const text = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
        expect(coerceValue(text, { name: 'DATETIME' })).toBe(text);
        expect(coerceValue(text, { name: 'DATE' })).toBe(iso.slice(0, 10));
      }),
    );
  });

  it('booleans and doubles', () => {
    expect(coerceValue('true', { name: 'BOOLEAN' })).toBe(true);
    expect(coerceValue(0, { name: 'BOOLEAN' })).toBe(false);
    expect(errno(() => coerceValue('maybe', { name: 'BOOLEAN' }, ins()))).toBe(1292);
    expect(coerceValue('1.5e3', { name: 'DOUBLE' })).toBe(1500);
    expect(coerceValue('1.5e3', { name: 'FLOAT' })).toBe(1500);
    expect(errno(() => coerceValue('1e400', { name: 'DOUBLE' }, ins()))).toBe(1264);
    expect(errno(() => coerceValue('x', { name: 'DOUBLE' }, ins()))).toBe(1292);
  });

  it('NULL passes; NOT NULL is checked by coerceForColumn (1048)', () => {
    expect(coerceValue(null, { name: 'INT' })).toBeNull();
    expect(errno(() => coerceForColumn(null, { name: 'k', type: { name: 'INT' }, nullable: false }))).toBe(1048);
    expect(coerceForColumn('7', { name: 'k', type: { name: 'INT' }, nullable: false })).toBe(7);
  });

  it('messages name column and row', () => {
    expect(() => coerceValue('abcde', { name: 'VARCHAR', length: 2 }, { mode: 'insert', column: 'name', row: 3 })).toThrow("Data too long for column 'name' at row 3");
    expect(() => coerceValue('x', { name: 'DATE' }, { mode: 'insert', column: 'dt', row: 2 })).toThrow("Incorrect date value: 'x' for column 'dt' at row 2");
  });

  it('parseLiteralForType wraps errors for DDL', () => {
    expect(parseLiteralForType('2024-01-01', { name: 'DATE' })).toBe('2024-01-01');
    expect(parseLiteralForType('100', { name: 'BIGINT' })).toBe(100n);
    expect(errno(() => parseLiteralForType('2024-02-31', { name: 'DATE' }))).toBe(1064);
  });

  it('casting any value to its own type is the identity (idempotent canonical forms)', () => {
    const types: [ColumnType, fc.Arbitrary<Value>][] = [
      [{ name: 'INT' }, fc.integer()],
      [{ name: 'BIGINT' }, fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })],
      [{ name: 'DOUBLE' }, fc.double({ noNaN: true, noDefaultInfinity: true })],
      [{ name: 'DECIMAL', precision: 12, scale: 3 }, fc.bigInt({ min: -(10n ** 12n) + 1n, max: 10n ** 12n - 1n }).map((u) => formatScaled(u, 3))],
    ];
    for (const [t, arb] of types) {
      fc.assert(fc.property(arb, (v) => {
        const once = coerceValue(v, t);
        expect(valuesEqual(coerceValue(once, t), once, t)).toBe(true);
        expect(valuesEqual(coerceValue(formatValue(once, t), t), once, t)).toBe(true);
      }));
    }
  });
});
