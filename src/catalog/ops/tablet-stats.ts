import type { Catalog } from '../catalog.ts';

/** Rows, bytes and rowset count of one tablet at its partition's visible version (SHOW TABLET). */
export interface TabletStats {
  /** Tablet id. */
  readonly tabletId: number;
  /** Rows stored (before key-model merging). */
  readonly rowCount: number;
  /** Bytes of one replica's files. */
  readonly dataSize: number;
  /** Rowsets that make up the visible version (StarRocks' VersionCount). */
  readonly versionCount: number;
}

/** Per-tablet stats of a partition, in ordinal order. */
export function tabletStats(catalog: Catalog, partitionId: number): readonly TabletStats[] {
  return catalog
    .prepare<[number], { tablet_id: number; rows: number; bytes: number; n: number }>(
      `SELECT t.id AS tablet_id, coalesce(sum(rs.num_rows), 0) AS rows, coalesce(sum(rs.data_size), 0) AS bytes,
              count(rs.id) AS n
       FROM tablets t JOIN partitions p ON p.id = t.partition_id
       LEFT JOIN rowsets rs ON rs.tablet_id = t.id AND rs.version <= p.visible_version AND rs.version >= coalesce(
         (SELECT max(b.version) FROM rowsets b WHERE b.tablet_id = t.id AND b.kind = 'base' AND b.version <= p.visible_version), 0)
       WHERE t.partition_id = ? GROUP BY t.id ORDER BY t.ordinal`,
    )
    .all(partitionId)
    .map((r) => ({ tabletId: r.tablet_id, rowCount: r.rows, dataSize: r.bytes, versionCount: r.n }));
}
