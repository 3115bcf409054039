/**
 * Reading a segment file under the table's current schema. A file names the stable ids of its columns
 * (SegmentFileMeta.columnIds; files older than schema change hold the original columns, ids 1..n by position), so:
 * a column the file lacks (added later) reads as its default, a column the table no longer has (dropped) is skipped,
 * a renamed column is found by id, and a column whose type was widened is converted from the stored type. Nothing
 * here depends on column names.
 */
import { promises as fsp } from 'node:fs';
import type { ColumnMeta, SegmentFileMeta, TableMeta } from '../catalog/model.ts';
import { columnTypeKey, type ColumnType } from '../types/column-type.ts';
import { coerceValue } from '../types/coerce.ts';
import type { Value } from '../types/index.ts';
import { encodingOf, type SegmentColumn } from './segment/format.ts';

/** Where one table column's values come from in one file. */
export type ColumnSource =
  | { readonly kind: 'stored'; readonly index: number; readonly convert: ((v: Value) => Value) | null }
  | { readonly kind: 'default'; readonly value: Value };

/** The ids of a file's columns: recorded, or 1..n by position for files written before schema change existed. */
export function fileColumnIds(file: SegmentFileMeta, storedCount: number): readonly number[] {
  if (file.columnIds !== undefined) {
    if (file.columnIds.length !== storedCount) {
      throw new Error(`segment ${file.name} stores ${storedCount} columns but its rowset names ${file.columnIds.length}`);
    }
    return file.columnIds;
  }
  return Array.from({ length: storedCount }, (_, i) => i + 1);
}

/** The value a column has in rows written before it existed: its literal default, else NULL. */
export function fillValue(column: ColumnMeta): Value {
  const d = column.default;
  if (d === null || d === 'NULL' || d === 'CURRENT_TIMESTAMP' || d.startsWith('(')) return null;
  return coerceValue(d, column.type, { mode: 'cast' });
}

/** A converter from a stored type to the column's current type (null when they are the same). */
export function converter(from: ColumnType, to: ColumnType): ((v: Value) => Value) | null {
  if (columnTypeKey(from) === columnTypeKey(to)) return null;
  return (v) => coerceValue(v, to, { mode: 'cast' });
}

/**
 * Whether stored values of `from` must be rewritten to read as `to`: the physical encoding or the canonical text
 * changes. Otherwise (a longer VARCHAR, DECIMAL precision, CHAR → VARCHAR) the change is metadata only.
 */
export function needsRewrite(from: ColumnType, to: ColumnType): boolean {
  if (encodingOf(from) !== encodingOf(to)) return true;
  if (from.name === 'DECIMAL' && to.name === 'DECIMAL') return from.scale !== to.scale;
  if (from.name === 'DATE' && to.name === 'DATETIME') return true;
  return (from.name === 'DECIMAL') !== (to.name === 'DECIMAL');
}

/**
 * Whether a file storing `from` can hold a column now typed `to`: the same type, or a change that was metadata only
 * (a change that needs a rewrite leaves no file of the old type behind). RESTORE's file check relies on it.
 */
export function storedReadableAs(from: ColumnType, to: ColumnType): boolean {
  return columnTypeKey(from) === columnTypeKey(to) || !needsRewrite(from, to);
}

/** Plan how to read `table`'s columns (by index, in `wanted` order) out of one file with the given stored columns. */
export function planColumns(
  table: TableMeta,
  file: SegmentFileMeta,
  stored: readonly SegmentColumn[],
  wanted: readonly number[],
): ColumnSource[] {
  const ids = fileColumnIds(file, stored.length);
  const at = new Map<number, number>();
  ids.forEach((id, i) => at.set(id, i));
  return wanted.map((c): ColumnSource => {
    const column = table.columns[c];
    if (column === undefined) throw new RangeError(`table ${table.name} has no column ${c}`);
    const index = column.id === undefined ? undefined : at.get(column.id);
    if (index === undefined) return { kind: 'default', value: fillValue(column) };
    return { kind: 'stored', index, convert: converter(stored[index]!.type, column.type) };
  });
}

/** Columns stored in a segment file, read from its fixed header (for files that do not name their column ids). */
export async function segmentColumnCount(file: string): Promise<number> {
  const handle = await fsp.open(file, 'r');
  try {
    const buf = Buffer.alloc(16);
    const { bytesRead } = await handle.read(buf, 0, 16, 0);
    if (bytesRead < 16) throw new Error(`segment file is corrupt: ${file} has only ${bytesRead} bytes`);
    return buf.readUInt32LE(12);
  } finally {
    await handle.close();
  }
}

/**
 * Column ids of a file restored into another table: the snapshot's schema and the target's are equal by position
 * (RESTORE checked it), so the file's ids (in the source table's numbering) become the target's ids of the same
 * positions. A column the source had dropped gets an id no target column has (negative): it stays skipped.
 */
export function translateColumnIds(
  fileIds: readonly number[],
  source: readonly Pick<ColumnMeta, 'id'>[],
  target: readonly Pick<ColumnMeta, 'id'>[],
): number[] {
  const position = new Map(source.map((c, i) => [c.id ?? i + 1, i]));
  let dropped = 0;
  return fileIds.map((id) => {
    const at = position.get(id);
    const mapped = at === undefined ? undefined : target[at];
    return mapped === undefined ? -++dropped : (mapped.id ?? (at as number) + 1);
  });
}
