/**
 * equalityKeyFor agrees with `=`: for any two operand types and values, the keys are equal exactly when comparerFor
 * says the values are equal, and a key is missing exactly when the comparison is NULL. Hash joins, IN (SELECT …) and
 * set operations rely on it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ColumnType } from '../../../src/types/column-type.ts';
import type { Value } from '../../../src/types/value.ts';
import { comparerFor } from '../../../src/sql/eval/comparison.ts';
import { equalityKeyFor } from '../../../src/sql/eval/equality-key.ts';

/** Types with value generators drawn from domains that overlap across types (1, 1.0, '1', 2^53 + 1, dates…). */
const TYPED: readonly { readonly type: ColumnType; readonly values: fc.Arbitrary<Value> }[] = [
  { type: { name: 'BOOLEAN' }, values: fc.boolean() },
  { type: { name: 'INT' }, values: fc.integer({ min: -3, max: 3 }) },
  { type: { name: 'BIGINT' }, values: fc.constantFrom(-1n, 0n, 1n, 2n, 9007199254740993n, 9007199254740992n, -9007199254740993n) },
  { type: { name: 'LARGEINT' }, values: fc.constantFrom(1n, 170141183460469231731687303715884105727n, 9007199254740993n) },
  { type: { name: 'DECIMAL', precision: 10, scale: 2 }, values: fc.constantFrom('1.00', '1.50', '0.00', '-1.00', '2.00') },
  { type: { name: 'DECIMAL', precision: 20, scale: 0 }, values: fc.constantFrom('1', '9007199254740993', '0') },
  { type: { name: 'DOUBLE' }, values: fc.constantFrom(1, 1.5, 0, -0, -1, 2, 9007199254740992, 1e300) },
  { type: { name: 'VARCHAR', length: 20 }, values: fc.constantFrom('1', '1.0', '1.5', 'abc', '', '2024-01-01', '2024-01-01 00:00:00', ' 1') },
  { type: { name: 'DATE' }, values: fc.constantFrom('2024-01-01', '2024-01-02') },
  { type: { name: 'DATETIME' }, values: fc.constantFrom('2024-01-01 00:00:00', '2024-01-01 10:00:00') },
];

describe('equalityKeyFor', () => {
  it('gives equal keys exactly to values = calls equal, and no key exactly where = is NULL', () => {
    const pair = fc.tuple(fc.nat(TYPED.length - 1), fc.nat(TYPED.length - 1)).chain(([i, j]) => {
      const l = TYPED[i] as (typeof TYPED)[number];
      const r = TYPED[j] as (typeof TYPED)[number];
      return fc.record({ lt: fc.constant(l.type), rt: fc.constant(r.type), a: l.values, b: r.values });
    });
    fc.assert(
      fc.property(pair, ({ lt, rt, a, b }) => {
        const cmp = comparerFor(lt, rt)(a, b);
        const key = equalityKeyFor(lt, rt);
        const ka = key(a);
        const kb = key(b);
        if (cmp === null) expect(ka === undefined || kb === undefined).toBe(true);
        else {
          expect(ka).not.toBeUndefined();
          expect(kb).not.toBeUndefined();
          expect(ka === kb).toBe(cmp === 0);
        }
        // The same type pair in the other order keys the same way.
        expect(equalityKeyFor(rt, lt)(a)).toBe(ka);
      }),
      { numRuns: 2000 },
    );
  });
});
