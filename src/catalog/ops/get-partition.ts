import type { Catalog } from '../catalog.ts';
import type { PartitionMeta } from '../model.ts';
import { toPartition, type PartitionRow } from '../rows.ts';

/** Which partition: by id, or by table id + case-sensitive name. */
export type PartitionRef = { readonly id: number } | { readonly tableId: number; readonly name: string };

/** A partition (visible or not) or undefined. */
export function getPartition(catalog: Catalog, ref: PartitionRef): PartitionMeta | undefined {
  const row =
    'id' in ref
      ? catalog.prepare<[number], PartitionRow>('SELECT * FROM partitions WHERE id = ?').get(ref.id)
      : catalog
          .prepare<[number, string], PartitionRow>('SELECT * FROM partitions WHERE table_id = ? AND name = ?')
          .get(ref.tableId, ref.name);
  return row === undefined ? undefined : toPartition(row);
}
