import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketOf, distributionHash } from '../../src/storage/hash.ts';
import type { Value } from '../../src/types/index.ts';

describe('distribution hash', () => {
  it('is pinned: stored rows were placed by it, so any change must fail here', () => {
    const cases: Value[][] = [[0], [1], [-1], [2 ** 40], [2n ** 127n - 1n], ['abc'], ['é😀'], [null], [true], [1.5], [-0], [NaN], ['2024-01-01', 7]];
    expect(cases.map((c) => distributionHash(c, c.map((_, i) => i)))).toEqual([
      303816454, 1192442289, 211861029, 2301809214, 1262117331, 1701590909, 2894340395, 3829712979, 134608841, 234276152,
      303816454, 1345598223, 3949585830,
    ]);
  });

  it('hashes an integer alike as number or bigint, and stays in range (fast-check)', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.integer({ min: 1, max: 64 }), (n, buckets) => {
        expect(distributionHash([n], [0])).toBe(distributionHash([BigInt(n)], [0]));
        const b = bucketOf([n], [0], buckets);
        expect(b >= 0 && b < buckets && Number.isInteger(b)).toBe(true);
      }),
    );
  });
});
