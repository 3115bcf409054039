import type { Catalog } from '../catalog.ts';

/**
 * Bytes of segment files per backend: every rowset of every replica the backend holds (superseded rowsets count
 * until they are collected, as their files are still there). Backends without data map to 0.
 */
export function backendDataBytes(catalog: Catalog): ReadonlyMap<number, number> {
  const rows = catalog
    .prepare<[], { id: number; bytes: number }>(
      `SELECT b.id, coalesce((SELECT sum(rs.data_size) FROM replicas r JOIN rowsets rs ON rs.tablet_id = r.tablet_id
         WHERE r.backend_id = b.id), 0) AS bytes FROM backends b ORDER BY b.id`,
    )
    .all();
  return new Map(rows.map((r) => [r.id, r.bytes]));
}
