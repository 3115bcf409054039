import type { Catalog } from '../catalog.ts';
import type { SegmentFileMeta } from '../model.ts';

/** Content hashes computed for files of one rowset, by file name. */
export interface RowsetContentHashes {
  /** Rowset whose manifest gains them. */
  readonly rowsetId: number;
  /** File name → content hash (16 hex digits). */
  readonly hashes: ReadonlyMap<string, string>;
}

/**
 * Record content hashes of segment files written before they existed (src/storage/content-hash-fill.ts) in their
 * rowsets' manifests, in one transaction. Files are immutable, so a hash once computed stays true; a file that already
 * has one, or a rowset collected meanwhile, is left as it is. Returns the files updated.
 */
export function recordContentHashes(catalog: Catalog, updates: readonly RowsetContentHashes[]): number {
  let n = 0;
  catalog.durableTransaction(() => {
    const read = catalog.prepare<[number], { files: string }>('SELECT files FROM rowsets WHERE id = ?');
    const write = catalog.prepare<[string, number]>('UPDATE rowsets SET files = ? WHERE id = ?');
    for (const u of updates) {
      const row = read.get(u.rowsetId);
      if (row === undefined) continue;
      let changed = false;
      const files = (JSON.parse(row.files) as SegmentFileMeta[]).map((f) => {
        const hash = u.hashes.get(f.name);
        if (hash === undefined || f.contentHash !== undefined) return f;
        changed = true;
        n++;
        return { ...f, contentHash: hash };
      });
      if (changed) write.run(JSON.stringify(files), u.rowsetId);
    }
  });
  return n;
}
