import type { Catalog } from '../catalog.ts';

/**
 * Queue the tablet directories of every replica selected by `whereSql` (a condition on tablets `t`) for deletion.
 * Internal helper of the drop operations: runs inside their transaction, before the cascade removes the rows.
 */
export function trashTablets(catalog: Catalog, whereSql: string, params: readonly unknown[]): number {
  const result = catalog
    .prepare(
      `INSERT INTO trash (backend_id, path, created_at)
       SELECT r.backend_id, 'data/' || t.id, ? FROM tablets t JOIN replicas r ON r.tablet_id = t.id WHERE ${whereSql}`,
    )
    .run(catalog.clock.now(), ...params);
  return result.changes;
}
