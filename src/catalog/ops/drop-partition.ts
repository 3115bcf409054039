import type { Catalog } from '../catalog.ts';
import { sqlError } from '../../errors/index.ts';
import { trashTablets } from './trash-tablets.ts';

/** ALTER TABLE … DROP PARTITION by id: removes it with its tablets and queues their directories for deletion. */
export function dropPartition(catalog: Catalog, partitionId: number): void {
  catalog.transaction(() => {
    const found = catalog.prepare<[number], { id: number }>('SELECT id FROM partitions WHERE id = ?').get(partitionId);
    if (found === undefined) throw sqlError('ER_UNKNOWN_PARTITION', `Unknown partition id ${partitionId}`);
    trashTablets(catalog, 't.partition_id = ?', [partitionId]);
    catalog.prepare('DELETE FROM partitions WHERE id = ?').run(partitionId);
  });
}
