import type { Catalog } from '../catalog.ts';
import type { BackendMeta } from '../model.ts';
import { toBackend, type BackendRow } from '../rows.ts';

/** All backends, by id. */
export function listBackends(catalog: Catalog): readonly BackendMeta[] {
  return catalog.prepare<[], BackendRow>('SELECT * FROM backends ORDER BY id').all().map(toBackend);
}
