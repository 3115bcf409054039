import type { ColumnType } from '../../types/column-type.ts';
import { compareValues } from '../../types/compare.ts';
import type { Value } from '../../types/value.ts';

/** One resolved ORDER BY key. */
export interface SortKey {
  readonly type: ColumnType;
  readonly descending: boolean;
  /** Where NULLs go; MySQL's default is first ascending, last descending. */
  readonly nullsFirst: boolean;
}

/** A row on its way out: output values plus the values of its ORDER BY keys. */
export interface SortableRow {
  readonly out: readonly Value[];
  readonly keys: readonly Value[];
}

export function sortKey(type: ColumnType, descending: boolean, nulls?: 'FIRST' | 'LAST'): SortKey {
  return { type, descending, nullsFirst: nulls === undefined ? !descending : nulls === 'FIRST' };
}

/** Comparator for SortableRows by their keys. */
export function rowComparator(keys: readonly SortKey[]): (a: SortableRow, b: SortableRow) => number {
  return (a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as SortKey;
      const x = a.keys[i] ?? null;
      const y = b.keys[i] ?? null;
      if (x === null || y === null) {
        if (x === y) continue;
        return (x === null) === k.nullsFirst ? -1 : 1;
      }
      const c = compareValues(x, y, k.type);
      if (c !== 0) return k.descending ? -c : c;
    }
    return 0;
  };
}
