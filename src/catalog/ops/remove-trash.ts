import type { Catalog } from '../catalog.ts';

/** Forget trash entries whose paths were deleted. */
export function removeTrash(catalog: Catalog, ids: readonly number[]): void {
  catalog.transaction(() => {
    const del = catalog.prepare('DELETE FROM trash WHERE id = ?');
    for (const id of ids) del.run(id);
  });
}
