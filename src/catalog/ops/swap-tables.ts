import type { Catalog } from '../catalog.ts';
import { ddlError, sqlError } from '../../errors/index.ts';

/**
 * ALTER TABLE a SWAP WITH b: the two tables exchange names in one transaction, so every reader sees either the old
 * pair or the new one. An unpartitioned table's single partition is named after its table and follows the name.
 */
export function swapTables(catalog: Catalog, aId: number, bId: number): void {
  catalog.durableTransaction(() => {
    const get = catalog.prepare<[number], { db_id: number; name: string; partition_info: string }>(
      'SELECT db_id, name, partition_info FROM tables WHERE id = ?',
    );
    const a = get.get(aId);
    const b = get.get(bId);
    if (a === undefined || b === undefined) throw sqlError('ER_BAD_TABLE_ERROR', `Unknown table id ${a === undefined ? aId : bId}`);
    if (a.db_id !== b.db_id) throw ddlError('SWAP WITH takes two tables of the same database');
    // UNIQUE (db_id, name) holds after every statement: park one name on a name no table can have first.
    const parked = `\u0000swap-${aId}`;
    const rename = catalog.prepare('UPDATE tables SET name = ? WHERE id = ?');
    const renamePartition = catalog.prepare('UPDATE partitions SET name = ? WHERE table_id = ? AND name = ?');
    rename.run(parked, aId);
    rename.run(a.name, bId);
    rename.run(b.name, aId);
    if ((JSON.parse(a.partition_info) as { kind: string }).kind === 'UNPARTITIONED') renamePartition.run(b.name, aId, a.name);
    if ((JSON.parse(b.partition_info) as { kind: string }).kind === 'UNPARTITIONED') renamePartition.run(a.name, bId, b.name);
  });
}
