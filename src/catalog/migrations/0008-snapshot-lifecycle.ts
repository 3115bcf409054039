import type { Migration } from './migration.ts';

/**
 * Snapshot lifecycle (incremental backups, retention, local quick recovery):
 * - `repositories.settings`: lifecycle settings of each repository (ALTER REPOSITORY … SET PROPERTIES:
 *   `default_snapshot_ttl`, `keep_local_snapshots`), JSON text → text; never credentials (those stay sealed).
 * - `backup_references`: the files an incremental BACKUP decided not to upload because the repository already holds
 *   the same content (md5 and size), and where (`key`, repository-relative). Written before its upload tasks are
 *   created, read when the info file is written; the job's progress reports their bytes as reused.
 * - `local_snapshots`: the hard-link snapshots a finished BACKUP kept on the backends (keep_local_snapshots), one row
 *   per tablet, for RESTORE … PROPERTIES ("source" = "local").
 */
export const migration0008: Migration = {
  id: 8,
  name: 'snapshot-lifecycle',
  up(db) {
    db.exec(`
      ALTER TABLE repositories ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';

      CREATE TABLE backup_references (
        job_id    INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        tablet_id INTEGER NOT NULL,
        name      TEXT NOT NULL,
        md5       TEXT NOT NULL,
        size      INTEGER NOT NULL,
        key       TEXT NOT NULL,
        PRIMARY KEY (job_id, tablet_id, name)
      );

      CREATE TABLE local_snapshots (
        job_id      INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        repo_name   TEXT NOT NULL,
        label       TEXT NOT NULL,
        timestamp   TEXT NOT NULL,
        table_id    INTEGER NOT NULL,
        tablet_id   INTEGER NOT NULL,
        backend_id  INTEGER NOT NULL,
        dir         TEXT NOT NULL,
        files       TEXT NOT NULL,
        state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'kept')),
        created_at  INTEGER NOT NULL,
        PRIMARY KEY (job_id, tablet_id)
      );
      CREATE INDEX local_snapshots_by_table ON local_snapshots (table_id, state, job_id);
    `);
  },
};
