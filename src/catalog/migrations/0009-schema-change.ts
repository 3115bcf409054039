import type { Migration } from './migration.ts';

/**
 * Schema change, temporary partitions and their history.
 * - `tables.schema_version` counts schema changes (StarRocks' SchemaVersion, 0 at CREATE); `next_column_id` is the
 *   next stable column id to hand out (NULL: columns never changed, ids are 1..n by position). Column ids are kept in
 *   the `columns` JSON; segment files name the ids of their columns in the rowset's `files` JSON (`columnIds`), so a
 *   file written under an older schema is read under a newer one by id, never by name or position.
 * - `partitions.temporary` marks StarRocks temporary partitions (loaded and read only when named, swapped in by
 *   REPLACE PARTITION); ordinary listings skip them.
 * - `schema_changes`: one row per ALTER TABLE schema change (SHOW ALTER TABLE COLUMN).
 */
export const migration0009: Migration = {
  id: 9,
  name: 'schema-change',
  up(db) {
    db.exec(`
      ALTER TABLE tables ADD COLUMN schema_version INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE tables ADD COLUMN next_column_id INTEGER;
      ALTER TABLE partitions ADD COLUMN temporary INTEGER NOT NULL DEFAULT 0;

      CREATE TABLE schema_changes (
        id             INTEGER PRIMARY KEY,
        db_id          INTEGER NOT NULL,
        table_id       INTEGER NOT NULL,
        table_name     TEXT NOT NULL,
        index_id       INTEGER NOT NULL,
        schema_version INTEGER NOT NULL,
        schema_hash    INTEGER NOT NULL,
        transaction_id INTEGER NOT NULL,
        state          TEXT NOT NULL CHECK (state IN ('FINISHED', 'CANCELLED')),
        msg            TEXT NOT NULL DEFAULT '',
        timeout_s      INTEGER NOT NULL,
        create_time    INTEGER NOT NULL,
        finish_time    INTEGER NOT NULL
      );
      CREATE INDEX schema_changes_by_db ON schema_changes (db_id, id);
    `);
  },
};
