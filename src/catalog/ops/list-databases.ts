import type { Catalog } from '../catalog.ts';
import type { Database } from '../model.ts';
import { toDatabase, type DatabaseRow } from '../rows.ts';

/** All databases ordered by name (binary order, as SHOW DATABASES sorts). */
export function listDatabases(catalog: Catalog): readonly Database[] {
  return catalog.prepare<[], DatabaseRow>('SELECT * FROM databases ORDER BY name').all().map(toDatabase);
}
