import type { Catalog } from '../catalog.ts';
import { commitLoad } from './commit-load.ts';

/**
 * TRUNCATE TABLE [PARTITION …]: a new version of each partition whose tablets all get an empty base rowset. Older
 * rowsets stay readable at older versions until collected (TableStore collects once no reader or pin holds them).
 * `partitionIds` defaults to every partition of the table. Returns the new version per partition.
 */
export function truncatePartitions(
  catalog: Catalog,
  tableId: number,
  partitionIds?: readonly number[],
): ReadonlyMap<number, number> {
  return catalog.durableTransaction(() => {
    const ids =
      partitionIds ??
      catalog.prepare<[number], { id: number }>('SELECT id FROM partitions WHERE table_id = ? ORDER BY id').all(tableId).map((p) => p.id);
    return commitLoad(catalog, { tableId, rowsets: [], replacePartitionIds: ids });
  });
}
