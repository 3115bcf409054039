/**
 * Segment file format, version 1. A segment holds one batch of rows of one tablet, column by column:
 *
 *   offset 0   "TVSG"               magic
 *          4   u16 format version   (1)
 *          6   u16 flags            (0)
 *          8   u32 row count
 *         12   u32 column count
 *         16   u32 header length    (bytes up to the first column block; blocks start 8-aligned)
 *         20   column descriptors, one per column:
 *                u8 type code, u8 has-nulls, u16 name length, u32 param1 (length | precision), u32 param2 (scale),
 *                f64 block offset, f64 block length, name (UTF-8)
 *   blocks     per column, 8-aligned: [null bitmap, ceil(rows/8) bytes padded to 8, only when has-nulls]
 *              then the values by physical encoding:
 *                i8   BOOLEAN (0/1), TINYINT            1 byte each
 *                i16  SMALLINT                          2 bytes LE
 *                i32  INT                               4 bytes LE
 *                i64  BIGINT                            8 bytes LE two's complement
 *                i128 LARGEINT                          rows×8 low halves (unsigned) then rows×8 high halves (signed)
 *                f64  FLOAT, DOUBLE                     IEEE-754 binary64 LE (keeps -0, NaN, ±Infinity exactly)
 *                str  CHAR, VARCHAR, STRING, DECIMAL, DATE, DATETIME
 *                                                       (rows+1)×u32 end offsets (first is 0), then UTF-8 bytes
 *              NULL slots hold 0 / empty strings.
 *   trailer    "TVSE" — a truncated file is detected without a checksum pass.
 *
 * FLOAT is stored as binary64 because Values are JS numbers: storing binary32 would change a value the executor
 * did not round. Decimals and temporals are stored as their canonical strings (value.ts), so they round-trip
 * byte-exactly; a numeric encoding would be smaller but must re-create the canonical text on every read.
 */
import type { ColumnType } from '../../types/index.ts';

export const SEGMENT_MAGIC = 0x47535654; // "TVSG" little-endian
export const SEGMENT_TRAILER = 0x45535654; // "TVSE" little-endian
export const SEGMENT_FORMAT_VERSION = 1;
export const SEGMENT_PREFIX_BYTES = 20;
export const DESCRIPTOR_FIXED_BYTES = 28;

export type PhysicalEncoding = 'i8' | 'i16' | 'i32' | 'i64' | 'i128' | 'f64' | 'str';

const CODES = [
  'BOOLEAN', 'TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'LARGEINT', 'FLOAT', 'DOUBLE', 'DECIMAL', 'CHAR', 'VARCHAR',
  'STRING', 'DATE', 'DATETIME',
] as const satisfies readonly ColumnType['name'][];

/** Stable on-disk code of a type name (position in CODES + 1; never reorder). */
export function typeCode(name: ColumnType['name']): number {
  return CODES.indexOf(name) + 1;
}

/** Rebuild a ColumnType from its on-disk code and parameters. */
export function typeFromCode(code: number, param1: number, param2: number): ColumnType {
  const name = CODES[code - 1];
  if (name === undefined) throw new Error(`segment: unknown column type code ${code}`);
  if (name === 'CHAR' || name === 'VARCHAR') return { name, length: param1 };
  if (name === 'DECIMAL') return { name, precision: param1, scale: param2 };
  return { name };
}

export function typeParams(t: ColumnType): readonly [number, number] {
  if (t.name === 'CHAR' || t.name === 'VARCHAR') return [t.length, 0];
  if (t.name === 'DECIMAL') return [t.precision, t.scale];
  return [0, 0];
}

export function encodingOf(t: ColumnType): PhysicalEncoding {
  switch (t.name) {
    case 'BOOLEAN':
    case 'TINYINT':
      return 'i8';
    case 'SMALLINT':
      return 'i16';
    case 'INT':
      return 'i32';
    case 'BIGINT':
      return 'i64';
    case 'LARGEINT':
      return 'i128';
    case 'FLOAT':
    case 'DOUBLE':
      return 'f64';
    default:
      return 'str';
  }
}

/** A column of a segment: name and type (the schema a segment describes itself with). */
export interface SegmentColumn {
  /** Column name. */
  readonly name: string;
  /** Column type. */
  readonly type: ColumnType;
}

export const align8 = (n: number): number => (n + 7) & ~7;
