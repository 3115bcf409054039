import type { Migration } from './migration.ts';

/**
 * Repositories known to this instance (CREATE REPOSITORY). `sealed_config` holds the location and PROPERTIES
 * encrypted by the repository layer's SecretBox (credentials never sit here in plain text); `location` is the
 * secret-free display form. Ping outcomes feed SHOW REPOSITORIES' ErrMsg.
 */
export const migration0002: Migration = {
  id: 2,
  name: 'repositories',
  up(db) {
    db.exec(`
      CREATE TABLE repositories (
        id              INTEGER PRIMARY KEY,
        name            TEXT NOT NULL UNIQUE,
        location        TEXT NOT NULL,
        broker_name     TEXT NOT NULL DEFAULT '',
        read_only       INTEGER NOT NULL CHECK (read_only IN (0, 1)),
        sealed_config   TEXT NOT NULL,
        create_time     INTEGER NOT NULL,
        last_ping_error TEXT,
        last_ping_time  INTEGER
      );
    `);
  },
};
