import type { Catalog } from '../catalog.ts';

/**
 * Drop rowsets superseded by a newer base rowset (their versions can no longer be the newest state) and queue their
 * files for deletion; raises each tablet's min_readable_version. Only call when no reader or pin may still need an
 * old version (TableStore does, when its holds are released). Returns how many rowsets were dropped.
 */
export function collectSuperseded(catalog: Catalog): number {
  return catalog.transaction(() => {
    const now = catalog.clock.now();
    const stale = `SELECT rs.id FROM rowsets rs WHERE rs.version < (
        SELECT max(b.version) FROM rowsets b WHERE b.tablet_id = rs.tablet_id AND b.kind = 'base')`;
    catalog
      .prepare(
        `INSERT INTO trash (backend_id, path, created_at)
         SELECT r.backend_id, 'data/' || rs.tablet_id || '/' || json_extract(f.value, '$.name'), ?
         FROM rowsets rs, json_each(rs.files) f JOIN replicas r ON r.tablet_id = rs.tablet_id
         WHERE rs.id IN (${stale})`,
      )
      .run(now);
    catalog
      .prepare(
        `UPDATE tablets SET min_readable_version = (SELECT max(b.version) FROM rowsets b WHERE b.tablet_id = tablets.id AND b.kind = 'base')
         WHERE id IN (SELECT DISTINCT rs.tablet_id FROM rowsets rs WHERE rs.id IN (${stale}))`,
      )
      .run();
    return catalog.prepare(`DELETE FROM rowsets WHERE id IN (${stale})`).run().changes;
  });
}
