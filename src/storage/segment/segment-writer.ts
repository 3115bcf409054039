import type { Row } from '../../types/index.ts';
import { createColumnBuffer, type ColumnBuffer } from './column-buffer.ts';
import { contentHasher } from './content-hash.ts';
import {
  align8, DESCRIPTOR_FIXED_BYTES, encodingOf, SEGMENT_FORMAT_VERSION, SEGMENT_MAGIC, SEGMENT_PREFIX_BYTES, SEGMENT_TRAILER,
  typeCode, typeParams, type SegmentColumn,
} from './format.ts';

const ZERO_PAD = new Uint8Array(8);

/**
 * Rows of one future segment, held column-wise. `append` copies values into typed buffers; `encode` produces the
 * file bytes as a list of chunks (written with one writev, hashed chunk by chunk — no concatenation copy).
 */
export class SegmentBuilder {
  /** The schema the segment will describe itself with. */
  readonly columns: readonly SegmentColumn[];
  #buffers: ColumnBuffer[];
  #rows = 0;

  constructor(columns: readonly SegmentColumn[]) {
    this.columns = columns;
    this.#buffers = columns.map((c) => createColumnBuffer(c.type));
  }

  /** Rows appended so far. */
  get rowCount(): number {
    return this.#rows;
  }

  /** Approximate encoded size, for memory accounting and segment cut-off. */
  get byteSize(): number {
    let n = 0;
    for (const b of this.#buffers) n += b.byteSize;
    return n;
  }

  /** Append one row (values in column order). */
  append(row: Row): void {
    const buffers = this.#buffers;
    if (row.length !== buffers.length) {
      throw new RangeError(`storage: row has ${row.length} values, the table has ${buffers.length} columns`);
    }
    for (let i = 0; i < buffers.length; i++) buffers[i]!.push(row[i]!);
    this.#rows++;
  }

  /** The segment's bytes, in order. The builder must not be appended to afterwards. */
  encode(): Uint8Array[] {
    return encodeColumns(this.columns, this.#buffers, this.#rows);
  }

  /**
   * The content hash of the rows (content-hash.ts), from the same column buffers encode() writes: a pass over typed
   * arrays while the file is written, so no one ever reads the file back to learn it.
   */
  contentHash(): string {
    const kit = contentHasher();
    const acc = kit.start(this.#rows);
    this.columns.forEach((column, i) => {
      const buffer = this.#buffers[i]!;
      kit.column(acc, encodingOf(column.type), buffer.hasNulls ? buffer.nullBitmap() : null, buffer.dataBlocks());
    });
    return kit.finish(acc);
  }
}

function encodeColumns(columns: readonly SegmentColumn[], buffers: readonly ColumnBuffer[], rows: number): Uint8Array[] {
  const names = columns.map((c) => Buffer.from(c.name, 'utf8'));
  let headerLength = SEGMENT_PREFIX_BYTES;
  for (const n of names) headerLength += DESCRIPTOR_FIXED_BYTES + n.length;
  headerLength = align8(headerLength);
  const header = Buffer.alloc(headerLength);
  header.writeUInt32LE(SEGMENT_MAGIC, 0);
  header.writeUInt16LE(SEGMENT_FORMAT_VERSION, 4);
  header.writeUInt16LE(0, 6);
  header.writeUInt32LE(rows, 8);
  header.writeUInt32LE(columns.length, 12);
  header.writeUInt32LE(headerLength, 16);
  const chunks: Uint8Array[] = [header];
  let offset = headerLength;
  let at = SEGMENT_PREFIX_BYTES;
  columns.forEach((column, i) => {
    const buffer = buffers[i]!;
    const start = offset;
    const parts: Uint8Array[] = [];
    if (buffer.hasNulls) parts.push(buffer.nullBitmap());
    parts.push(...buffer.dataBlocks());
    for (const part of parts) {
      chunks.push(part);
      offset += part.length;
      const pad = align8(offset) - offset;
      if (pad > 0) {
        chunks.push(ZERO_PAD.subarray(0, pad));
        offset += pad;
      }
    }
    const [p1, p2] = typeParams(column.type);
    const name = names[i]!;
    header.writeUInt8(typeCode(column.type.name), at);
    header.writeUInt8(buffer.hasNulls ? 1 : 0, at + 1);
    header.writeUInt16LE(name.length, at + 2);
    header.writeUInt32LE(p1, at + 4);
    header.writeUInt32LE(p2, at + 8);
    header.writeDoubleLE(start, at + 12);
    header.writeDoubleLE(offset - start, at + 20);
    name.copy(header, at + DESCRIPTOR_FIXED_BYTES);
    at += DESCRIPTOR_FIXED_BYTES + name.length;
  });
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32LE(SEGMENT_TRAILER, 0);
  chunks.push(trailer);
  return chunks;
}

/** Encode rows in one go (tests, small writes). */
export function encodeSegment(columns: readonly SegmentColumn[], rows: Iterable<Row>): Uint8Array[] {
  const builder = new SegmentBuilder(columns);
  for (const row of rows) builder.append(row);
  return builder.encode();
}
