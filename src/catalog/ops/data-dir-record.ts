import type { Catalog } from '../catalog.ts';

/** Who a data dir is and where it was last opened (migration 0006's `data_dir` row). */
export interface DataDirRecord {
  /** Random id of this data dir; null only for a data dir upgraded from before identities, until its first open. */
  readonly identity: string | null;
  /** The identity this data dir had before it found out it was a copy (backend OWNER files may still name it). */
  readonly previousIdentity: string | null;
  /** Absolute path the data dir was opened at last (the prefix of every absolute path stored in the catalog). */
  readonly root: string;
  /** Device and inode of the data dir at that open (decimal text: inode numbers can exceed 2^53); null when unknown. */
  readonly dev: string | null;
  readonly ino: string | null;
}

/** The record, or undefined for a catalog that has never been opened as a data dir. */
export function getDataDirRecord(catalog: Catalog): DataDirRecord | undefined {
  const row = catalog
    .prepare<[], { identity: string | null; previous_identity: string | null; root: string; dev: string | null; ino: string | null }>(
      'SELECT identity, previous_identity, root, dev, ino FROM data_dir WHERE singleton = 1',
    )
    .get();
  if (row === undefined) return undefined;
  return { identity: row.identity, previousIdentity: row.previous_identity, root: row.root, dev: row.dev, ino: row.ino };
}

/** Write the record (inside the caller's transaction when there is one). */
export function saveDataDirRecord(catalog: Catalog, record: DataDirRecord): void {
  catalog.transaction(() => {
    catalog
      .prepare(
        `INSERT INTO data_dir (singleton, identity, previous_identity, root, dev, ino, updated_at) VALUES (1, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (singleton) DO UPDATE SET identity = excluded.identity, previous_identity = excluded.previous_identity,
           root = excluded.root, dev = excluded.dev, ino = excluded.ino, updated_at = excluded.updated_at`,
      )
      .run(record.identity, record.previousIdentity, record.root, record.dev, record.ino, catalog.clock.now());
  });
}
