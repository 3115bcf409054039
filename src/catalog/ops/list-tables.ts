import type { Catalog } from '../catalog.ts';
import type { TableMeta } from '../model.ts';
import { toTable, type TableRow } from '../rows.ts';

/** Tables and views of a database by name; invisible ones only with `includeInvisible`. */
export function listTables(
  catalog: Catalog,
  dbId: number,
  options: { readonly includeInvisible?: boolean } = {},
): readonly TableMeta[] {
  return catalog
    .prepare<[number, number], TableRow>('SELECT * FROM tables WHERE db_id = ? AND (visible = 1 OR ?) ORDER BY name')
    .all(dbId, options.includeInvisible === true ? 1 : 0)
    .map(toTable);
}
