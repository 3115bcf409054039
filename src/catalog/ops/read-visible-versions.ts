import type { Catalog } from '../catalog.ts';
import { sqlError } from '../../errors/index.ts';

/**
 * The visible version of each partition, read in one transaction: a consistent cut across partitions (BACKUP pins
 * these, then snapshots every tablet at its partition's version). Throws 1735 naming the first missing partition.
 */
export function readVisibleVersions(catalog: Catalog, partitionIds: readonly number[]): ReadonlyMap<number, number> {
  return catalog.db.transaction(() => {
    const get = catalog.prepare<[number], { visible_version: number }>('SELECT visible_version FROM partitions WHERE id = ?');
    const versions = new Map<number, number>();
    for (const id of partitionIds) {
      const row = get.get(id);
      if (row === undefined) throw sqlError('ER_UNKNOWN_PARTITION', `partition ${id} has been dropped`);
      versions.set(id, row.visible_version);
    }
    return versions;
  }).deferred();
}
