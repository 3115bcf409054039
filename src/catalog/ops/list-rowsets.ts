import type { Catalog } from '../catalog.ts';
import type { RowsetMeta } from '../model.ts';
import { sqlError } from '../../errors/index.ts';
import { toRowset, type RowsetRow } from '../rows.ts';

/**
 * The rowsets that make up a tablet at `version`: every rowset with version ≤ V from the newest base rowset ≤ V on,
 * in version order. Throws when rowsets needed for V were already collected (a newer base superseded them and no
 * reader held them): StarRocks' "version already merged".
 */
export function listRowsets(catalog: Catalog, tabletId: number, version: number): readonly RowsetMeta[] {
  const tablet = catalog
    .prepare<[number], { min_readable_version: number }>('SELECT min_readable_version FROM tablets WHERE id = ?')
    .get(tabletId);
  if (tablet === undefined) throw sqlError('ER_UNKNOWN_ERROR', `tablet ${tabletId} does not exist`);
  if (version < tablet.min_readable_version) {
    throw sqlError(
      'ER_UNKNOWN_ERROR',
      `version already merged: tablet ${tabletId} cannot be read at version ${version}; the oldest readable version is ${tablet.min_readable_version}`,
    );
  }
  const rows = catalog
    .prepare<[number, number, number, number], RowsetRow>(
      `SELECT * FROM rowsets WHERE tablet_id = ? AND version <= ? AND version >= coalesce(
         (SELECT max(version) FROM rowsets WHERE tablet_id = ? AND kind = 'base' AND version <= ?), 0)
       ORDER BY version`,
    )
    .all(tabletId, version, tabletId, version);
  return rows.map(toRowset);
}
