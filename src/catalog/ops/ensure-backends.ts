import type { Catalog } from '../catalog.ts';
import type { BackendMeta } from '../model.ts';
import { toBackend, type BackendRow } from '../rows.ts';

/**
 * Register `count` backends `be1 … be<count>` (directories relative to the data dir) on first open; later opens
 * return what the catalog has (the number is fixed at creation, like a cluster's BE list) and ignore `count`.
 */
export function ensureBackends(catalog: Catalog, count: number): readonly BackendMeta[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`backends must be a positive integer, got ${count}`);
  return catalog.transaction(() => {
    const existing = catalog.prepare<[], BackendRow>('SELECT * FROM backends ORDER BY id').all();
    if (existing.length > 0) return existing.map(toBackend);
    const first = catalog.nextId(count);
    const insert = catalog.prepare('INSERT INTO backends (id, name, path, created_at) VALUES (?, ?, ?, ?)');
    const now = catalog.clock.now();
    for (let i = 0; i < count; i++) insert.run(first + i, `be${i + 1}`, `be${i + 1}`, now);
    return catalog.prepare<[], BackendRow>('SELECT * FROM backends ORDER BY id').all().map(toBackend);
  });
}
