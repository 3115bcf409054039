import type { Catalog } from '../catalog.ts';
import { sqlError } from '../../errors/index.ts';
import { trashTablets } from './trash-tablets.ts';

/**
 * DROP DATABASE: removes its tables (cascade) and queues their tablet directories for deletion (TableStore
 * deletes them once no scan or pin holds files). Returns false when absent and `ifExists`, else throws 1008.
 */
export function dropDatabase(catalog: Catalog, name: string, options: { readonly ifExists?: boolean } = {}): boolean {
  return catalog.transaction(() => {
    const db = catalog.prepare<[string], { id: number }>('SELECT id FROM databases WHERE name = ?').get(name);
    if (db === undefined) {
      if (options.ifExists === true) return false;
      throw sqlError('ER_DB_DROP_EXISTS', `Can't drop database '${name}'; database doesn't exist`);
    }
    trashTablets(
      catalog,
      't.partition_id IN (SELECT p.id FROM partitions p JOIN tables tb ON tb.id = p.table_id WHERE tb.db_id = ?)',
      [db.id],
    );
    catalog.prepare('DELETE FROM databases WHERE id = ?').run(db.id);
    return true;
  });
}
