import path from 'node:path';
import type { Migration } from './migration.ts';

/**
 * A data dir is self-contained and movable (DESIGN §7):
 *
 * - `backends.dir` (an absolute path) becomes `backends.path`, relative to the data dir (`be1`). Before this, moving
 *   a data dir broke every read (the catalog pointed at the old place) and a copy wrote into — and swept — the
 *   original's directories. Old rows always held `<dataDir>/be<N>`, so the relative path is the last component.
 * - `data_dir` records who this data dir is (`identity`, a random id also kept in the `IDENTITY` file next to the
 *   catalog and in each backend's `OWNER` file) and where it was last opened (`root`, device and inode). Opening
 *   compares them with the present to tell "same place", "moved" and "a copy" apart (src/storage/identity.ts).
 *   An upgraded data dir gets the root its backends were recorded under and no identity yet: its first open
 *   assigns one, and rewrites stored paths if it was moved before the upgrade.
 */
export const migration0006: Migration = {
  id: 6,
  name: 'data-dir-identity',
  up(db) {
    db.exec(`
      ALTER TABLE backends RENAME COLUMN dir TO path;
      CREATE TABLE data_dir (
        singleton         INTEGER PRIMARY KEY CHECK (singleton = 1),
        identity          TEXT,
        previous_identity TEXT,
        root              TEXT NOT NULL,
        dev               TEXT,
        ino               TEXT,
        updated_at        INTEGER NOT NULL
      );
    `);
    const rows = db.prepare('SELECT id, path FROM backends ORDER BY id').all() as { id: number; path: string }[];
    const update = db.prepare('UPDATE backends SET path = ? WHERE id = ?');
    let oldRoot: string | null = null;
    for (const r of rows) {
      if (!path.isAbsolute(r.path)) continue;
      oldRoot ??= path.dirname(r.path);
      update.run(path.basename(r.path), r.id);
    }
    if (oldRoot !== null) {
      db.prepare('INSERT INTO data_dir (singleton, identity, root, updated_at) VALUES (1, NULL, ?, 0)').run(oldRoot);
    }
  },
};
