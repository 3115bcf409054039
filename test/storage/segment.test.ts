import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeSegment, SegmentBuilder } from '../../src/storage/segment/segment-writer.ts';
import { decodeSegment, readSegmentHeader } from '../../src/storage/segment/segment-reader.ts';
import type { SegmentColumn } from '../../src/storage/segment/format.ts';
import type { ColumnType, Value } from '../../src/types/index.ts';
import { INTEGER_RANGES } from '../../src/types/index.ts';

const typeArb: fc.Arbitrary<ColumnType> = fc.oneof(
  fc.constantFrom<ColumnType>(
    { name: 'BOOLEAN' }, { name: 'TINYINT' }, { name: 'SMALLINT' }, { name: 'INT' }, { name: 'BIGINT' },
    { name: 'LARGEINT' }, { name: 'FLOAT' }, { name: 'DOUBLE' }, { name: 'STRING' }, { name: 'DATE' }, { name: 'DATETIME' },
  ),
  fc.integer({ min: 1, max: 255 }).map((length): ColumnType => ({ name: 'CHAR', length })),
  fc.integer({ min: 1, max: 65533 }).map((length): ColumnType => ({ name: 'VARCHAR', length })),
  fc.tuple(fc.integer({ min: 1, max: 38 }), fc.integer({ min: 0, max: 38 })).map(([p, s]): ColumnType => ({ name: 'DECIMAL', precision: p, scale: Math.min(p, s) })),
);

const intArb = (name: keyof typeof INTEGER_RANGES): fc.Arbitrary<Value> => {
  const [min, max] = INTEGER_RANGES[name];
  return name === 'BIGINT' || name === 'LARGEINT'
    ? fc.oneof(fc.bigInt({ min, max }), fc.constantFrom(min, max, 0n, -1n))
    : fc.oneof(fc.integer({ min: Number(min), max: Number(max) }), fc.constantFrom(Number(min), Number(max), 0));
};

function valueArb(t: ColumnType): fc.Arbitrary<Value> {
  const v: fc.Arbitrary<Value> = (() => {
    switch (t.name) {
      case 'BOOLEAN':
        return fc.boolean();
      case 'TINYINT':
      case 'SMALLINT':
      case 'INT':
      case 'BIGINT':
      case 'LARGEINT':
        return intArb(t.name);
      case 'FLOAT':
      case 'DOUBLE':
        return fc.oneof(fc.double(), fc.constantFrom(-0, NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE));
      case 'DECIMAL':
        return fc.bigInt({ min: -(10n ** 38n) + 1n, max: 10n ** 38n - 1n }).map((n) => {
          const digits = (n < 0n ? -n : n).toString().padStart(t.scale + 1, '0');
          const int = digits.slice(0, digits.length - t.scale).replace(/^0+(?=\d)/, '');
          const s = t.scale === 0 ? int : `${int}.${digits.slice(digits.length - t.scale)}`;
          return n < 0n ? `-${s}` : s;
        });
      case 'DATE':
        return fc.date({ min: new Date('0001-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
      case 'DATETIME':
        return fc.date({ min: new Date('0001-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }).map((d) => d.toISOString().replace('T', ' ').slice(0, 19));
      default:
        return fc.oneof(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 20 }), fc.constant(''));
    }
  })();
  return fc.option(v, { nil: null, freq: 4 });
}

const tableArb = fc
  .array(typeArb, { minLength: 1, maxLength: 8 })
  .chain((types) =>
    fc.tuple(
      fc.constant(types.map((type, i): SegmentColumn => ({ name: `c${i}_ü`, type }))),
      fc.array(fc.tuple(...types.map(valueArb)), { maxLength: 60 }),
    ),
  );

function same(a: Value, b: Value): boolean {
  return Object.is(a, b);
}

describe('segment format', () => {
  it('round-trips every type, NULLs and extremes exactly (fast-check)', () => {
    fc.assert(
      fc.property(tableArb, ([columns, rows]) => {
        const buf = Buffer.concat(encodeSegment(columns, rows));
        const decoded = decodeSegment(buf);
        expect(decoded.header.rowCount).toBe(rows.length);
        expect(decoded.header.columns).toEqual(columns);
        rows.forEach((row, r) => {
          row.forEach((v, c) => {
            if (!same(decoded.columns[c]![r]!, v)) throw new Error(`row ${r} col ${c}: ${String(decoded.columns[c]![r])} !== ${String(v)}`);
          });
        });
        // Projection decodes only the asked columns, in the asked order.
        const last = columns.length - 1;
        expect(decodeSegment(buf, [last]).columns[0]).toEqual(decoded.columns[last]);
      }),
      { numRuns: 100 },
    );
  });

  it('decodes from misaligned memory', () => {
    const columns: SegmentColumn[] = [{ name: 'a', type: { name: 'BIGINT' } }, { name: 'b', type: { name: 'DOUBLE' } }];
    const bytes = Buffer.concat(encodeSegment(columns, [[1n, 1.5], [null, -0], [-9n, null]]));
    const shifted = Buffer.alloc(bytes.length + 3);
    bytes.copy(shifted, 3);
    const view = shifted.subarray(3);
    expect(decodeSegment(view).columns).toEqual([[1n, null, -9n], [1.5, -0, null]]);
  });

  it('detects truncation and bad magic', () => {
    const bytes = Buffer.concat(encodeSegment([{ name: 'a', type: { name: 'INT' } }], [[1], [2]]));
    expect(() => readSegmentHeader(bytes.subarray(0, bytes.length - 1))).toThrow(/corrupt/);
    const bad = Buffer.from(bytes);
    bad[0] = 0;
    expect(() => readSegmentHeader(bad)).toThrow(/bad magic/);
  });

  it('rejects values of the wrong kind or out of range instead of storing garbage', () => {
    const b = new SegmentBuilder([{ name: 'a', type: { name: 'TINYINT' } }]);
    expect(() => b.append([128])).toThrow(RangeError);
    expect(() => b.append(['1'])).toThrow(TypeError);
    const big = new SegmentBuilder([{ name: 'a', type: { name: 'BIGINT' } }]);
    expect(() => big.append([2n ** 63n])).toThrow(RangeError);
    expect(() => big.append([1, 2])).toThrow(/columns/);
  });

  it('handles many rows (buffer growth) and large strings', () => {
    const columns: SegmentColumn[] = [{ name: 'i', type: { name: 'INT' } }, { name: 's', type: { name: 'STRING' } }];
    const rows = Array.from({ length: 20_000 }, (_, i) => [i, i % 7 === 0 ? null : 'x'.repeat(i % 50) + 'é😀']);
    const decoded = decodeSegment(Buffer.concat(encodeSegment(columns, rows)));
    expect(decoded.columns[0]).toEqual(rows.map((r) => r[0]));
    expect(decoded.columns[1]).toEqual(rows.map((r) => r[1]));
  });
});
