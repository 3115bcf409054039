import type { Catalog } from '../catalog.ts';
import type { PartitionMeta } from '../model.ts';
import { toPartition, type PartitionRow } from '../rows.ts';

/**
 * Partitions of a table in creation (id) order; invisible ones only with `includeInvisible`. Temporary partitions are
 * not the table's content: they are left out, and `temporary: true` lists only them (SHOW TEMPORARY PARTITIONS).
 */
export function listPartitions(
  catalog: Catalog,
  tableId: number,
  options: { readonly includeInvisible?: boolean; readonly temporary?: boolean } = {},
): readonly PartitionMeta[] {
  return catalog
    .prepare<[number, number, number], PartitionRow>(
      'SELECT * FROM partitions WHERE table_id = ? AND (visible = 1 OR ?) AND temporary = ? ORDER BY id',
    )
    .all(tableId, options.includeInvisible === true ? 1 : 0, options.temporary === true ? 1 : 0)
    .map(toPartition);
}
