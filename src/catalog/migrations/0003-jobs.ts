import type { Migration } from './migration.ts';

/**
 * The job journal: one row per BACKUP / RESTORE (and later VERIFY, COPY, DROP SNAPSHOT, scheduled) job, its tasks
 * per backend, and the files each transfer task moves. Rows are never deleted when a newer job of the same database
 * replaces an older one: SHOW BACKUP / SHOW RESTORE pick the last job per database, history queries see them all.
 *
 * Times are epoch milliseconds, `-1` when unset (StarRocks' convention, shown as NULL). JSON columns are read whole.
 * `state` is the state shown to users (written at every transition); `checkpoint_state` is the state a restarted
 * process resumes from (written only at the kind's persisted transitions, like StarRocks' edit log).
 */
export const migration0003: Migration = {
  id: 3,
  name: 'jobs',
  up(db) {
    db.exec(`
      CREATE TABLE jobs (
        id                     INTEGER PRIMARY KEY,
        kind                   TEXT NOT NULL,
        db_id                  INTEGER NOT NULL,
        db_name                TEXT NOT NULL,
        label                  TEXT NOT NULL,
        repo_name              TEXT NOT NULL,
        state                  TEXT NOT NULL,
        checkpoint_state       TEXT NOT NULL,
        done                   INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
        properties             TEXT NOT NULL DEFAULT '{}',
        spec                   TEXT NOT NULL DEFAULT '{}',
        plan                   TEXT,
        status_code            TEXT NOT NULL DEFAULT 'OK',
        status_msg             TEXT NOT NULL DEFAULT '',
        create_time            INTEGER NOT NULL,
        meta_prepared_time     INTEGER NOT NULL DEFAULT -1,
        snapshot_finished_time INTEGER NOT NULL DEFAULT -1,
        transfer_finished_time INTEGER NOT NULL DEFAULT -1,
        finished_time          INTEGER NOT NULL DEFAULT -1,
        timeout_ms             INTEGER NOT NULL
      );
      CREATE INDEX jobs_by_db ON jobs (db_id, id);
      CREATE INDEX jobs_live ON jobs (id) WHERE done = 0;

      CREATE TABLE job_tasks (
        id          INTEGER PRIMARY KEY,
        job_id      INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        task_key    TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('snapshot', 'upload', 'download', 'move', 'release', 'verify', 'copy', 'delete')),
        backend_id  INTEGER NOT NULL,
        tablet_id   INTEGER,
        state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed', 'released')),
        error       TEXT,
        attempts    INTEGER NOT NULL DEFAULT 0,
        payload     TEXT NOT NULL DEFAULT '{}',
        result      TEXT,
        UNIQUE (job_id, task_key)
      );

      CREATE TABLE job_files (
        task_id    INTEGER NOT NULL REFERENCES job_tasks(id) ON DELETE CASCADE,
        job_id     INTEGER NOT NULL,
        tablet_id  INTEGER NOT NULL,
        name       TEXT NOT NULL,
        size       INTEGER NOT NULL,
        md5        TEXT NOT NULL,
        state      TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done')),
        bytes_done INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (task_id, tablet_id, name)
      );
      CREATE INDEX job_files_by_job ON job_files (job_id, state);
    `);
  },
};
