import type { ColumnType } from '../../types/column-type.ts';
import { compareValues } from '../../types/compare.ts';
import { formatValue } from '../../types/format.ts';
import type { Value } from '../../types/value.ts';

/** A partitioning column: its name, type, and position in the table's row. */
export interface PartitionColumn {
  readonly name: string;
  readonly type: ColumnType;
  /** Index of the column in a full table row. */
  readonly index: number;
}

/**
 * A range bound as a tuple over the partition columns. A tuple shorter than the column list is padded with the
 * minimum (StarRocks pads omitted trailing values the same way); 'MINVALUE' / 'MAXVALUE' are the open ends.
 */
export type LowerBound = readonly Value[] | 'MINVALUE';
export type UpperBound = readonly Value[] | 'MAXVALUE';

/** Half-open range partition [lower, upper). */
export interface RangePartition {
  readonly id: number;
  readonly name: string;
  readonly lower: LowerBound;
  readonly upper: UpperBound;
}

/** List partition: the value tuples it holds. */
export interface ListPartition {
  readonly id: number;
  readonly name: string;
  readonly values: readonly (readonly Value[])[];
}

/** How a table spreads rows over partitions (all values already in their column types' canonical form). */
export type Partitioning =
  | { readonly kind: 'unpartitioned'; readonly partitionId: number }
  | { readonly kind: 'range'; readonly columns: readonly PartitionColumn[]; readonly partitions: readonly RangePartition[] }
  | { readonly kind: 'list'; readonly columns: readonly PartitionColumn[]; readonly partitions: readonly ListPartition[] };

/** Compare a full key with a (possibly shorter) bound tuple: 0 when the key starts with the bound. */
export function compareKeyToBound(key: readonly Value[], bound: readonly Value[], columns: readonly PartitionColumn[]): number {
  for (let i = 0; i < bound.length; i++) {
    const c = compareValues(key[i] ?? null, bound[i] ?? null, columns[i]?.type);
    if (c !== 0) return c;
  }
  return 0;
}

/** Order of two bounds; missing trailing values count as below every value. */
export function compareBounds(a: LowerBound | UpperBound, b: LowerBound | UpperBound, columns: readonly PartitionColumn[]): number {
  if (a === b) return 0;
  if (a === 'MINVALUE' || b === 'MAXVALUE') return -1;
  if (a === 'MAXVALUE' || b === 'MINVALUE') return 1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i] ?? null, b[i] ?? null, columns[i]?.type);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** A bound as StarRocks-like text: `("2024-01-01")`, `MINVALUE`, `MAXVALUE`. */
export function formatBound(b: LowerBound | UpperBound, columns: readonly PartitionColumn[]): string {
  if (b === 'MINVALUE' || b === 'MAXVALUE') return b;
  return `(${b.map((v, i) => `"${formatValue(v, columns[i]?.type) ?? 'NULL'}"`).join(', ')})`;
}

/** `[lower, upper)` as text. */
export function formatRange(p: { readonly lower: LowerBound; readonly upper: UpperBound }, columns: readonly PartitionColumn[]): string {
  return `[${formatBound(p.lower, columns)}, ${formatBound(p.upper, columns)})`;
}
