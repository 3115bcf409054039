import type { Catalog } from '../catalog.ts';
import { sqlError } from '../../errors/index.ts';
import { trashTablets } from './trash-tablets.ts';

/**
 * DROP TABLE / DROP VIEW by id: removes the table with its partitions, tablets, replicas and rowsets, and queues the
 * tablet directories for deletion. Snapshots taken earlier keep their hard links and stay readable.
 */
export function dropTable(catalog: Catalog, tableId: number): void {
  catalog.transaction(() => {
    const table = catalog.prepare<[number], { id: number }>('SELECT id FROM tables WHERE id = ?').get(tableId);
    if (table === undefined) throw sqlError('ER_BAD_TABLE_ERROR', `Unknown table id ${tableId}`);
    trashTablets(catalog, 't.partition_id IN (SELECT id FROM partitions WHERE table_id = ?)', [tableId]);
    catalog.prepare('DELETE FROM tables WHERE id = ?').run(tableId);
  });
}
