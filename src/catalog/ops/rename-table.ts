import type { Catalog } from '../catalog.ts';
import { sqlError } from '../../errors/index.ts';

/**
 * ALTER TABLE … RENAME. Fails with 1050 when the new name is taken in the database. An unpartitioned table's single
 * partition is renamed with it (StarRocks names it after the table).
 */
export function renameTable(catalog: Catalog, tableId: number, newName: string): void {
  catalog.transaction(() => {
    const table = catalog
      .prepare<[number], { db_id: number; name: string; partition_info: string }>(
        'SELECT db_id, name, partition_info FROM tables WHERE id = ?',
      )
      .get(tableId);
    if (table === undefined) throw sqlError('ER_BAD_TABLE_ERROR', `Unknown table id ${tableId}`);
    const clash = catalog
      .prepare<[number, string], { id: number }>('SELECT id FROM tables WHERE db_id = ? AND name = ?')
      .get(table.db_id, newName);
    if (clash !== undefined) throw sqlError('ER_TABLE_EXISTS_ERROR', `Table '${newName}' already exists`);
    catalog.prepare('UPDATE tables SET name = ? WHERE id = ?').run(newName, tableId);
    if ((JSON.parse(table.partition_info) as { kind: string }).kind === 'UNPARTITIONED') {
      catalog.prepare('UPDATE partitions SET name = ? WHERE table_id = ? AND name = ?').run(newName, tableId, table.name);
    }
  });
}
