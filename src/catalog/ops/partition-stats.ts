import type { Catalog } from '../catalog.ts';

/** Rows and bytes of one partition at its visible version (SHOW PARTITIONS RowCount / DataSize). */
export interface PartitionStats {
  /** Partition id. */
  readonly partitionId: number;
  /** Rows stored (before key-model merging, like StarRocks' reported row count). */
  readonly rowCount: number;
  /** Bytes of one replica's files. */
  readonly dataSize: number;
}

/** Per-partition stats of a table, counting only the rowsets visible at each partition's visible version. */
export function partitionStats(catalog: Catalog, tableId: number): ReadonlyMap<number, PartitionStats> {
  const rows = catalog
    .prepare<[number], { partition_id: number; rows: number; bytes: number }>(
      `SELECT p.id AS partition_id, coalesce(sum(rs.num_rows), 0) AS rows, coalesce(sum(rs.data_size), 0) AS bytes
       FROM partitions p
       LEFT JOIN tablets t ON t.partition_id = p.id
       LEFT JOIN rowsets rs ON rs.tablet_id = t.id AND rs.version <= p.visible_version AND rs.version >= coalesce(
         (SELECT max(b.version) FROM rowsets b WHERE b.tablet_id = t.id AND b.kind = 'base' AND b.version <= p.visible_version), 0)
       WHERE p.table_id = ? GROUP BY p.id ORDER BY p.id`,
    )
    .all(tableId);
  return new Map(rows.map((r) => [r.partition_id, { partitionId: r.partition_id, rowCount: r.rows, dataSize: r.bytes }]));
}
