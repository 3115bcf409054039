import type { Catalog } from '../catalog.ts';
import type { TableMeta } from '../model.ts';
import { toTable, type TableRow } from '../rows.ts';

/** Which table: by id, or by database id + case-sensitive name. */
export type TableRef = { readonly id: number } | { readonly dbId: number; readonly name: string };

/**
 * A table or undefined. Lookups by name skip invisible tables (a restore still building them) unless
 * `includeInvisible`; lookups by id always find them.
 */
export function getTable(
  catalog: Catalog,
  ref: TableRef,
  options: { readonly includeInvisible?: boolean } = {},
): TableMeta | undefined {
  const row =
    'id' in ref
      ? catalog.prepare<[number], TableRow>('SELECT * FROM tables WHERE id = ?').get(ref.id)
      : catalog.prepare<[number, string], TableRow>('SELECT * FROM tables WHERE db_id = ? AND name = ?').get(ref.dbId, ref.name);
  if (row === undefined) return undefined;
  if (!('id' in ref) && row.visible === 0 && options.includeInvisible !== true) return undefined;
  return toTable(row);
}
