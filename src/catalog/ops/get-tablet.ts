import type { Catalog } from '../catalog.ts';
import type { TabletMeta } from '../model.ts';
import { toTablet, type TabletRow } from '../rows.ts';

/** A tablet with the ids and names of what owns it (SHOW TABLET <id>). */
export interface TabletLocation {
  /** The tablet. */
  readonly tablet: TabletMeta;
  /** Owning database id and name. */
  readonly dbId: number;
  readonly dbName: string;
  /** Owning table id and name. */
  readonly tableId: number;
  readonly tableName: string;
  /** Owning partition name. */
  readonly partitionName: string;
}

/** Find a tablet by id, or undefined. */
export function getTablet(catalog: Catalog, tabletId: number): TabletLocation | undefined {
  const row = catalog
    .prepare<[number], TabletRow & { db_id: number; db_name: string; table_id: number; table_name: string; partition_name: string }>(
      `SELECT t.*, d.id AS db_id, d.name AS db_name, tb.id AS table_id, tb.name AS table_name, p.name AS partition_name
       FROM tablets t JOIN partitions p ON p.id = t.partition_id JOIN tables tb ON tb.id = p.table_id
       JOIN databases d ON d.id = tb.db_id WHERE t.id = ?`,
    )
    .get(tabletId);
  if (row === undefined) return undefined;
  return {
    tablet: toTablet(row),
    dbId: row.db_id,
    dbName: row.db_name,
    tableId: row.table_id,
    tableName: row.table_name,
    partitionName: row.partition_name,
  };
}
