/**
 * The distribution hash: which bucket (tablet ordinal) a row goes to. It must never change — rows already stored
 * were placed by it and key-model merging assumes equal keys share a tablet — so it is defined here bit by bit
 * (32-bit murmur3 mixing over a canonical form of each value), independent of platform, Node version and restarts.
 */
import type { Value } from '../types/index.ts';

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/**
 * An integer, whatever its JS type or column width: 32-bit values as one word (tag 2); wider ones as the four
 * 32-bit words of their 128-bit two's complement, low first (tag 4).
 */
function mixInteger(h: number, n: number): number {
  if (n >= -0x80000000 && n <= 0x7fffffff) return mix(mix(h, 2), n | 0);
  const lo = n % 0x100000000;
  const hi = Math.floor(n / 0x100000000);
  const sign = n < 0 ? -1 : 0;
  return mix(mix(mix(mix(mix(h, 4), lo | 0), hi | 0), sign), sign);
}

function mixValue(h: number, v: Value): number {
  if (v === null) return mix(h, 0x9e3779b9);
  switch (typeof v) {
    case 'boolean':
      return mix(mix(h, 1), v ? 1 : 0);
    case 'number':
      if (Number.isSafeInteger(v)) return mixInteger(h, v);
      // Other numbers by their binary64 bits; -0 and 0 are the same value, as are all NaNs.
      f64[0] = v === 0 ? 0 : Number.isNaN(v) ? NaN : v;
      return mix(mix(mix(h, 3), u32[0]!), u32[1]!);
    case 'bigint': {
      const n = Number(v);
      if (Number.isSafeInteger(n)) return mixInteger(h, n);
      // Beyond 2^53: the same words mixInteger would produce, from exact bigint arithmetic.
      h = mix(h, 4);
      let x = v;
      for (let i = 0; i < 4; i++) {
        h = mix(h, Number(BigInt.asIntN(32, x)) | 0);
        x >>= 32n;
      }
      return h;
    }
    case 'string': {
      h = mix(mix(h, 5), v.length);
      for (let i = 0; i < v.length; i++) h = mix(h, v.charCodeAt(i));
      return h;
    }
  }
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Unsigned 32-bit hash of the values at `columns` of `row`. */
export function distributionHash(row: readonly Value[], columns: readonly number[]): number {
  let h = 0x2545f491;
  for (const c of columns) h = mixValue(h, row[c] ?? null);
  return fmix(h);
}

/** The bucket (tablet ordinal, 0-based) of `row` among `buckets`. */
export function bucketOf(row: readonly Value[], columns: readonly number[], buckets: number): number {
  return distributionHash(row, columns) % buckets;
}
