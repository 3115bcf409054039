import type { Migration } from './migration.ts';

/**
 * The table store: backends, databases, tables, partitions, tablets, replicas, rowsets, the global id sequence and
 * the trash queue. JSON columns hold immutable descriptions (columns, bounds, files) that are always read whole.
 * Names compare with BINARY collation: table and database names are case-sensitive, like StarRocks.
 */
export const migration0001: Migration = {
  id: 1,
  name: 'table-store',
  up(db) {
    db.exec(`
      CREATE TABLE id_sequence (
        name    TEXT PRIMARY KEY,
        next_id INTEGER NOT NULL
      );
      INSERT INTO id_sequence (name, next_id) VALUES ('global', 10001);

      CREATE TABLE backends (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL UNIQUE,
        dir        TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );

      CREATE TABLE databases (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL UNIQUE,
        properties TEXT NOT NULL DEFAULT '{}',
        created_at INTEGER NOT NULL
      );

      CREATE TABLE tables (
        id             INTEGER PRIMARY KEY,
        db_id          INTEGER NOT NULL REFERENCES databases(id) ON DELETE CASCADE,
        name           TEXT NOT NULL,
        kind           TEXT NOT NULL CHECK (kind IN ('OLAP', 'VIEW')),
        columns        TEXT NOT NULL,
        key_model      TEXT NOT NULL CHECK (key_model IN ('DUPLICATE', 'PRIMARY', 'UNIQUE', 'AGGREGATE')),
        key_columns    TEXT NOT NULL,
        partition_info TEXT NOT NULL,
        distribution   TEXT NOT NULL,
        properties     TEXT NOT NULL DEFAULT '{}',
        view_def       TEXT,
        comment        TEXT NOT NULL DEFAULT '',
        base_index_id  INTEGER NOT NULL,
        state          TEXT NOT NULL DEFAULT 'NORMAL' CHECK (state IN ('NORMAL', 'RESTORE')),
        visible        INTEGER NOT NULL DEFAULT 1,
        created_at     INTEGER NOT NULL,
        UNIQUE (db_id, name)
      );

      CREATE TABLE partitions (
        id                   INTEGER PRIMARY KEY,
        table_id             INTEGER NOT NULL REFERENCES tables(id) ON DELETE CASCADE,
        name                 TEXT NOT NULL,
        bounds               TEXT NOT NULL,
        visible_version      INTEGER NOT NULL DEFAULT 1,
        visible_version_time INTEGER NOT NULL,
        replication_num      INTEGER NOT NULL,
        buckets              INTEGER NOT NULL,
        visible              INTEGER NOT NULL DEFAULT 1,
        created_at           INTEGER NOT NULL,
        UNIQUE (table_id, name)
      );

      CREATE TABLE tablets (
        id           INTEGER PRIMARY KEY,
        partition_id INTEGER NOT NULL REFERENCES partitions(id) ON DELETE CASCADE,
        index_id     INTEGER NOT NULL,
        ordinal      INTEGER NOT NULL,
        -- Versions below this were merged away (a base rowset superseded them and they were collected).
        min_readable_version INTEGER NOT NULL DEFAULT 1,
        UNIQUE (partition_id, index_id, ordinal)
      );

      CREATE TABLE replicas (
        id         INTEGER PRIMARY KEY,
        tablet_id  INTEGER NOT NULL REFERENCES tablets(id) ON DELETE CASCADE,
        backend_id INTEGER NOT NULL REFERENCES backends(id),
        version    INTEGER NOT NULL DEFAULT 1,
        UNIQUE (tablet_id, backend_id)
      );
      CREATE INDEX replicas_by_backend ON replicas (backend_id);

      -- One row per rowset of a tablet; every replica holds the same files (hard links of one write).
      CREATE TABLE rowsets (
        id         INTEGER PRIMARY KEY,
        tablet_id  INTEGER NOT NULL REFERENCES tablets(id) ON DELETE CASCADE,
        version    INTEGER NOT NULL,
        kind       TEXT NOT NULL CHECK (kind IN ('delta', 'base')),
        files      TEXT NOT NULL,
        num_rows   INTEGER NOT NULL,
        data_size  INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (tablet_id, version)
      );

      -- Files or tablet directories to delete once no reader holds them (drops, superseded rowsets).
      CREATE TABLE trash (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        backend_id INTEGER NOT NULL,
        path       TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
    `);
  },
};
