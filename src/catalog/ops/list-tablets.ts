import type { Catalog } from '../catalog.ts';
import type { TabletMeta } from '../model.ts';
import { toTablet, type TabletRow } from '../rows.ts';

/** Tablets of a partition or of a whole table, by partition then ordinal. */
export function listTablets(
  catalog: Catalog,
  of: { readonly partitionId: number } | { readonly tableId: number },
): readonly TabletMeta[] {
  const rows =
    'partitionId' in of
      ? catalog.prepare<[number], TabletRow>('SELECT * FROM tablets WHERE partition_id = ? ORDER BY ordinal').all(of.partitionId)
      : catalog
          .prepare<[number], TabletRow>(
            `SELECT t.* FROM tablets t JOIN partitions p ON p.id = t.partition_id WHERE p.table_id = ?
             ORDER BY p.id, t.ordinal`,
          )
          .all(of.tableId);
  return rows.map(toTablet);
}
