import type { Catalog } from '../catalog.ts';
import type { ColumnMeta } from '../model.ts';
import { sqlError } from '../../errors/index.ts';

/**
 * ALTER VIEW / CREATE OR REPLACE VIEW: a view's new columns and definition (and comment, when given), in place —
 * the view keeps its id, so backups and grants (kept by name) see the same object.
 */
export function replaceView(catalog: Catalog, tableId: number, change: { columns: readonly ColumnMeta[]; viewDefinition: string; comment?: string }): void {
  catalog.transaction(() => {
    const row = catalog.prepare<[number], { kind: string }>('SELECT kind FROM tables WHERE id = ?').get(tableId);
    if (row === undefined || row.kind !== 'VIEW') throw sqlError('ER_BAD_TABLE_ERROR', `Unknown view id ${tableId}`);
    catalog
      .prepare('UPDATE tables SET columns = ?, view_def = ?, comment = COALESCE(?, comment) WHERE id = ?')
      .run(JSON.stringify(change.columns), change.viewDefinition, change.comment ?? null, tableId);
  });
}
