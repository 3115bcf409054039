import type { Catalog } from '../catalog.ts';
import type { TableState } from '../model.ts';
import { sqlError } from '../../errors/index.ts';

/** Set a table's state (RESTORE while a restore job owns it, NORMAL after). */
export function setTableState(catalog: Catalog, tableId: number, state: TableState): void {
  const result = catalog.prepare('UPDATE tables SET state = ? WHERE id = ?').run(state, tableId);
  if (result.changes === 0) throw sqlError('ER_BAD_TABLE_ERROR', `Unknown table id ${tableId}`);
}
