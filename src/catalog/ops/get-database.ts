import type { Catalog } from '../catalog.ts';
import type { Database } from '../model.ts';
import { toDatabase, type DatabaseRow } from '../rows.ts';

/** A database by (case-sensitive) name or by id, or undefined. */
export function getDatabase(catalog: Catalog, nameOrId: string | number): Database | undefined {
  const row =
    typeof nameOrId === 'number'
      ? catalog.prepare<[number], DatabaseRow>('SELECT * FROM databases WHERE id = ?').get(nameOrId)
      : catalog.prepare<[string], DatabaseRow>('SELECT * FROM databases WHERE name = ?').get(nameOrId);
  return row === undefined ? undefined : toDatabase(row);
}
