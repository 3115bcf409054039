import type { Catalog } from '../catalog.ts';

/** A path (relative to its backend's directory) waiting to be deleted. */
export interface TrashEntry {
  /** Queue id (for removeTrash). */
  readonly id: number;
  /** Backend whose directory holds the path. */
  readonly backendId: number;
  /** `data/<tabletId>` (a dropped tablet) or `data/<tabletId>/<file>` (a superseded or replaced file). */
  readonly path: string;
}

/** Everything queued for deletion, oldest first. */
export function listTrash(catalog: Catalog): readonly TrashEntry[] {
  return catalog
    .prepare<[], { id: number; backend_id: number; path: string }>('SELECT id, backend_id, path FROM trash ORDER BY id')
    .all()
    .map((r) => ({ id: r.id, backendId: r.backend_id, path: r.path }));
}
