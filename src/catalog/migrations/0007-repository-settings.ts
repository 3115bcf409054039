import type { Migration } from './migration.ts';

/**
 * Lifecycle settings of each repository (ALTER REPOSITORY … SET PROPERTIES): `default_snapshot_ttl`,
 * `keep_local_snapshots`. JSON text → text; never credentials (those stay sealed in `sealed_config`).
 */
export const migration0007: Migration = {
  id: 7,
  name: 'repository-settings',
  up(db) {
    db.exec(`ALTER TABLE repositories ADD COLUMN settings TEXT NOT NULL DEFAULT '{}'`);
  },
};
