/**
 * The content hash of segment files: an order-independent checksum of the rows, which BACKUP records per partition
 * and RESTORE recomputes from the files it downloaded (src/jobs/meta-checksum.ts).
 *
 * Each row gets a 64-bit hash of its values in column order (two independent 32-bit murmur3-style chains, lanes A
 * and B); a file's hash is the sum of its rows' hashes, lane by lane modulo 2^32, written as 16 hex digits. Sums do
 * not care how rows are split among files or ordered within them, so files sum to tablets and tablets to partitions.
 *
 * The values hashed are the segment encoding of each value (format.ts): integers by their width, FLOAT/DOUBLE by
 * their binary64 bits (so -0 is not 0), strings, DECIMAL and temporal text by their UTF-8 bytes after their byte
 * length, NULL as a mark of its own (never the 0 / empty string its slot holds). The writer hashes the column
 * buffers it is about to encode (SegmentBuilder.contentHash); a reader hashes the same bytes straight from the file
 * (no Values are made), so both sides see exactly the same words and hashing is a pass over typed arrays.
 *
 * Everything lives inside contentHashKit(), which uses nothing outside its own body: its source text is also what the
 * hashing worker evaluates (content-hash-worker.ts), so the writer and the restore side can never drift apart.
 */
import type { PhysicalEncoding } from './format.ts';

/** Rows and content hash of one segment file. */
export interface SegmentContentHash {
  /** Rows in the file. */
  readonly rows: number;
  /** 16 hex digits: lanes A and B of the summed row hashes. */
  readonly hash: string;
}

/** The hash of no rows. */
export const EMPTY_CONTENT_HASH = '0000000000000000';

/** The hashing functions (see the module comment); self-contained so its source can run in a worker. */
export interface ContentHashKit {
  /** Fresh per-row accumulators for `rows` rows. */
  start(rows: number): { a: Int32Array; b: Int32Array };
  /**
   * Mix one column into the per-row accumulators: `nulls` is the packed null bitmap (bit i = row i is NULL) or null,
   * `blocks` the column's value blocks as encoded (str: end offsets then bytes; i128: low halves then high halves).
   */
  column(acc: { a: Int32Array; b: Int32Array }, encoding: PhysicalEncoding, nulls: Uint8Array | null, blocks: readonly Uint8Array[]): void;
  /** Sum the finished row hashes: 16 hex digits. */
  finish(acc: { a: Int32Array; b: Int32Array }): string;
  /** Rows and hash of a whole segment file's bytes; throws on a file that is not a well-formed segment. */
  segment(file: Uint8Array): SegmentContentHash;
  /** Lane-wise sum of 16-hex-digit hashes. */
  add(x: string, y: string): string;
}

export function contentHashKit(): ContentHashKit {
  const NULL_A = 0x7f4a7c15;
  const NULL_B = 0x2545f491;

  function mixA(h: number, k: number): number {
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    return (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  function mixB(h: number, k: number): number {
    k = Math.imul(k, 0x85ebca77);
    k = (k << 13) | (k >>> 19);
    k = Math.imul(k, 0xc2b2ae3d);
    h ^= k;
    h = (h << 17) | (h >>> 15);
    return (Math.imul(h, 9) + 0x27d4eb2f) | 0;
  }
  function fmixA(h: number): number {
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h >>> 0;
  }
  function fmixB(h: number): number {
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    h = Math.imul(h, 0x297a2d39);
    h ^= h >>> 15;
    return h >>> 0;
  }
  function hex(n: number): string {
    return (n >>> 0).toString(16).padStart(8, '0');
  }
  /** Int32 words of a block (copied when its memory is not 4-aligned). */
  function words(u8: Uint8Array, count: number): Int32Array {
    if (u8.byteOffset % 4 === 0) return new Int32Array(u8.buffer, u8.byteOffset, count);
    const copy = new Uint8Array(count * 4);
    copy.set(u8.subarray(0, count * 4));
    return new Int32Array(copy.buffer);
  }
  function isNull(nulls: Uint8Array | null, i: number): boolean {
    return nulls !== null && ((nulls[i >>> 3]! >>> (i & 7)) & 1) === 1;
  }

  const kit: ContentHashKit = {
    start(rows) {
      return { a: new Int32Array(rows).fill(0x3c6ef372), b: new Int32Array(rows).fill(0x510e527f) };
    },
    column(acc, encoding, nulls, blocks) {
      const { a, b } = acc;
      const n = a.length;
      const block = blocks[0] ?? new Uint8Array(0);
      switch (encoding) {
        case 'i8':
        case 'i16':
        case 'i32': {
          const v =
            encoding === 'i8'
              ? new Int8Array(block.buffer, block.byteOffset, n)
              : encoding === 'i16'
                ? block.byteOffset % 2 === 0
                  ? new Int16Array(block.buffer, block.byteOffset, n)
                  : new Int16Array(block.slice(0, n * 2).buffer)
                : words(block, n);
          for (let i = 0; i < n; i++) {
            a[i] = mixA(a[i]!, v[i]!);
            b[i] = mixB(b[i]!, v[i]!);
          }
          break;
        }
        case 'f64':
        case 'i64': {
          const w = words(block, n * 2);
          for (let i = 0; i < n; i++) {
            const lo = w[2 * i]!;
            const hi = w[2 * i + 1]!;
            a[i] = mixA(mixA(a[i]!, lo), hi);
            b[i] = mixB(mixB(b[i]!, lo), hi);
          }
          break;
        }
        case 'i128': {
          const lo = words(block, n * 2);
          const hi = words(blocks[1] ?? new Uint8Array(0), n * 2);
          for (let i = 0; i < n; i++) {
            a[i] = mixA(mixA(mixA(mixA(a[i]!, lo[2 * i]!), lo[2 * i + 1]!), hi[2 * i]!), hi[2 * i + 1]!);
            b[i] = mixB(mixB(mixB(mixB(b[i]!, lo[2 * i]!), lo[2 * i + 1]!), hi[2 * i]!), hi[2 * i + 1]!);
          }
          break;
        }
        case 'str': {
          const ends = words(block, n + 1);
          const bytes = blocks[1] ?? new Uint8Array(0);
          // Whole words through a DataView: two to three times faster than assembling them from bytes.
          const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
          for (let i = 0; i < n; i++) {
            const start = ends[i]! >>> 0;
            const end = ends[i + 1]! >>> 0;
            let ha = mixA(a[i]!, end - start);
            let hb = mixB(b[i]!, end - start);
            let p = start;
            for (; p + 4 <= end; p += 4) {
              const k = dv.getInt32(p, true);
              ha = mixA(ha, k);
              hb = mixB(hb, k);
            }
            if (p < end) {
              let k = 0;
              for (let s = 0; p < end; p++, s += 8) k |= bytes[p]! << s;
              ha = mixA(ha, k);
              hb = mixB(hb, k);
            }
            a[i] = ha;
            b[i] = hb;
          }
          break;
        }
      }
      // A NULL's slot holds 0 or '' (mixed above like any value); a second step with a mark tells it apart.
      if (nulls !== null) {
        for (let i = 0; i < n; i++) {
          if (isNull(nulls, i)) {
            a[i] = mixA(a[i]!, NULL_A);
            b[i] = mixB(b[i]!, NULL_B);
          }
        }
      }
    },
    finish(acc) {
      let sa = 0;
      let sb = 0;
      const { a, b } = acc;
      for (let i = 0; i < a.length; i++) {
        sa = (sa + fmixA(a[i]!)) >>> 0;
        sb = (sb + fmixB(b[i]!)) >>> 0;
      }
      return hex(sa) + hex(sb);
    },
    segment(file) {
      // Layout constants of format.ts, restated: this body must stand alone (see the module comment).
      const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
      const fail = (what: string): never => {
        throw new Error(`segment file is corrupt: ${what}`);
      };
      if (file.byteLength < 24) fail(`only ${file.byteLength} bytes`);
      if (view.getUint32(0, true) !== 0x47535654) fail('bad magic');
      if (view.getUint16(4, true) !== 1) fail(`unsupported format version ${view.getUint16(4, true)}`);
      if (view.getUint32(file.byteLength - 4, true) !== 0x45535654) fail('missing trailer (truncated?)');
      const rows = view.getUint32(8, true);
      const count = view.getUint32(12, true);
      const acc = kit.start(rows);
      const encodings: PhysicalEncoding[] = ['i8', 'i8', 'i16', 'i32', 'i64', 'i128', 'f64', 'f64'];
      const align8 = (x: number): number => (x + 7) & ~7;
      let at = 20;
      for (let c = 0; c < count; c++) {
        if (at + 28 > file.byteLength) fail('descriptor out of bounds');
        const code = view.getUint8(at);
        const hasNulls = view.getUint8(at + 1) === 1;
        const nameLength = view.getUint16(at + 2, true);
        const offset = view.getFloat64(at + 12, true);
        const length = view.getFloat64(at + 20, true);
        if (code < 1 || code > 14) fail(`unknown column type code ${code}`);
        if (!(offset >= 0 && length >= 0 && offset + length <= file.byteLength - 4)) fail('column block out of bounds');
        const encoding: PhysicalEncoding = encodings[code - 1] ?? 'str';
        const end = offset + length;
        let p = offset;
        let nulls: Uint8Array | null = null;
        if (hasNulls) {
          nulls = file.subarray(p, p + ((rows + 7) >>> 3));
          p += align8((rows + 7) >>> 3);
        }
        const width = encoding === 'i8' ? 1 : encoding === 'i16' ? 2 : encoding === 'i32' ? 4 : encoding === 'str' ? 0 : 8;
        let blocks: Uint8Array[];
        if (encoding === 'str') {
          if (p + (rows + 1) * 4 > end) fail('column block out of bounds');
          const ends = file.subarray(p, p + (rows + 1) * 4);
          const base = align8(p + (rows + 1) * 4);
          const last = view.getUint32(p + rows * 4, true);
          if (base + last > end) fail('column block out of bounds');
          blocks = [ends, file.subarray(base, base + last)];
        } else if (encoding === 'i128') {
          if (p + rows * 16 > end) fail('column block out of bounds');
          blocks = [file.subarray(p, p + rows * 8), file.subarray(p + rows * 8, p + rows * 16)];
        } else {
          if (p + rows * width > end) fail('column block out of bounds');
          blocks = [file.subarray(p, p + rows * width)];
        }
        kit.column(acc, encoding, nulls, blocks);
        at += 28 + nameLength;
      }
      return { rows, hash: kit.finish(acc) };
    },
    add(x, y) {
      const sa = (Number.parseInt(x.slice(0, 8), 16) + Number.parseInt(y.slice(0, 8), 16)) >>> 0;
      const sb = (Number.parseInt(x.slice(8, 16), 16) + Number.parseInt(y.slice(8, 16), 16)) >>> 0;
      return hex(sa) + hex(sb);
    },
  };
  return kit;
}

const kit = contentHashKit();

/** Rows and content hash of a segment file's bytes (on the calling thread; see hashSegmentFiles for files). */
export function segmentContentHash(file: Uint8Array): SegmentContentHash {
  return kit.segment(file);
}

/** The main thread's kit (the writer hashes its column buffers with it). */
export function contentHasher(): ContentHashKit {
  return kit;
}
