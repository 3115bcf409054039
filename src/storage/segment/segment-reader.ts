import type { Value } from '../../types/index.ts';
import {
  align8, DESCRIPTOR_FIXED_BYTES, encodingOf, SEGMENT_FORMAT_VERSION, SEGMENT_MAGIC, SEGMENT_PREFIX_BYTES,
  SEGMENT_TRAILER, typeFromCode, type SegmentColumn,
} from './format.ts';

/** A parsed segment header: what the file says about itself. */
export interface SegmentHeader {
  /** Rows in the segment. */
  readonly rowCount: number;
  /** Columns in stored order. */
  readonly columns: readonly SegmentColumn[];
  /** Where each column's block lies, and whether it has a null bitmap. */
  readonly blocks: readonly { readonly offset: number; readonly length: number; readonly hasNulls: boolean }[];
}

function corrupt(what: string): Error {
  return new Error(`segment file is corrupt: ${what}`);
}

/** Parse and validate the header (magic, version, bounds, trailer). */
export function readSegmentHeader(buf: Buffer): SegmentHeader {
  if (buf.length < SEGMENT_PREFIX_BYTES + 4) throw corrupt(`only ${buf.length} bytes`);
  if (buf.readUInt32LE(0) !== SEGMENT_MAGIC) throw corrupt('bad magic');
  const version = buf.readUInt16LE(4);
  if (version !== SEGMENT_FORMAT_VERSION) throw corrupt(`unsupported format version ${version}`);
  if (buf.readUInt32LE(buf.length - 4) !== SEGMENT_TRAILER) throw corrupt('missing trailer (truncated?)');
  const rowCount = buf.readUInt32LE(8);
  const count = buf.readUInt32LE(12);
  const columns: SegmentColumn[] = [];
  const blocks: { offset: number; length: number; hasNulls: boolean }[] = [];
  let at = SEGMENT_PREFIX_BYTES;
  for (let i = 0; i < count; i++) {
    if (at + DESCRIPTOR_FIXED_BYTES > buf.length) throw corrupt('descriptor out of bounds');
    const code = buf.readUInt8(at);
    const hasNulls = buf.readUInt8(at + 1) === 1;
    const nameLength = buf.readUInt16LE(at + 2);
    const type = typeFromCode(code, buf.readUInt32LE(at + 4), buf.readUInt32LE(at + 8));
    const offset = buf.readDoubleLE(at + 12);
    const length = buf.readDoubleLE(at + 20);
    if (offset + length > buf.length - 4) throw corrupt('column block out of bounds');
    const name = buf.toString('utf8', at + DESCRIPTOR_FIXED_BYTES, at + DESCRIPTOR_FIXED_BYTES + nameLength);
    columns.push({ name, type });
    blocks.push({ offset, length, hasNulls });
    at += DESCRIPTOR_FIXED_BYTES + nameLength;
  }
  return { rowCount, columns, blocks };
}

/** A typed view at an absolute file offset, copying only when the Buffer's memory is misaligned. */
function view<T>(buf: Buffer, offset: number, count: number, width: number, make: (ab: ArrayBuffer, off: number, n: number) => T): T {
  const abs = buf.byteOffset + offset;
  if (abs % width === 0) return make(buf.buffer as ArrayBuffer, abs, count);
  const copy = new Uint8Array(count * width);
  copy.set(buf.subarray(offset, offset + count * width));
  return make(copy.buffer, 0, count);
}

/** Decode one column into Values. */
export function decodeColumn(buf: Buffer, header: SegmentHeader, index: number): Value[] {
  const column = header.columns[index];
  const block = header.blocks[index];
  if (column === undefined || block === undefined) throw new RangeError(`segment has no column ${index}`);
  const n = header.rowCount;
  let at = block.offset;
  let nulls: Uint8Array | null = null;
  if (block.hasNulls) {
    nulls = buf.subarray(at, at + ((n + 7) >>> 3));
    at += align8((n + 7) >>> 3);
  }
  let out: Value[];
  switch (encodingOf(column.type)) {
    case 'i8': {
      const a = view(buf, at, n, 1, (ab, o, c) => new Int8Array(ab, o, c));
      out = new Array<Value>(n);
      if (column.type.name === 'BOOLEAN') for (let i = 0; i < n; i++) out[i] = a[i] !== 0;
      else for (let i = 0; i < n; i++) out[i] = a[i]!;
      break;
    }
    case 'i16':
      out = Array.from(view(buf, at, n, 2, (ab, o, c) => new Int16Array(ab, o, c)));
      break;
    case 'i32':
      out = Array.from(view(buf, at, n, 4, (ab, o, c) => new Int32Array(ab, o, c)));
      break;
    case 'f64':
      out = Array.from(view(buf, at, n, 8, (ab, o, c) => new Float64Array(ab, o, c)));
      break;
    case 'i64':
      out = Array.from(view(buf, at, n, 8, (ab, o, c) => new BigInt64Array(ab, o, c)));
      break;
    case 'i128': {
      const lo = view(buf, at, n, 8, (ab, o, c) => new BigUint64Array(ab, o, c));
      const hi = view(buf, at + n * 8, n, 8, (ab, o, c) => new BigInt64Array(ab, o, c));
      out = new Array<Value>(n);
      for (let i = 0; i < n; i++) out[i] = (hi[i]! << 64n) | lo[i]!;
      break;
    }
    case 'str': {
      const ends = view(buf, at, n + 1, 4, (ab, o, c) => new Uint32Array(ab, o, c));
      const base = align8(at + (n + 1) * 4);
      out = new Array<Value>(n);
      for (let i = 0; i < n; i++) out[i] = buf.toString('utf8', base + ends[i]!, base + ends[i + 1]!);
      break;
    }
  }
  if (nulls !== null) {
    for (let i = 0; i < n; i++) if ((nulls[i >>> 3]! >>> (i & 7)) & 1) out[i] = null;
  }
  return out;
}

/** A decoded segment: its header and the requested columns (all by default), column-major. */
export interface DecodedSegment {
  /** The file's header. */
  readonly header: SegmentHeader;
  /** Values of the requested columns, in request order. */
  readonly columns: readonly Value[][];
}

/** Decode `columns` (indexes into the stored schema; all by default). */
export function decodeSegment(buf: Buffer, columns?: readonly number[]): DecodedSegment {
  const header = readSegmentHeader(buf);
  const wanted = columns ?? header.columns.map((_, i) => i);
  return { header, columns: wanted.map((i) => decodeColumn(buf, header, i)) };
}
