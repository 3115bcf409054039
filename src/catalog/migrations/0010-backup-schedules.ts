import type { Migration } from './migration.ts';

/**
 * Backup schedules and the record of every period they decided (issue 13).
 *
 * `backup_schedules`: one row per CREATE BACKUP SCHEDULE. `objects` is the ON list as JSON (NULL: the whole
 * database), `properties` the PROPERTIES as written (normalised keys). The schedule runs as its owner
 * (`owner_user`@`owner_host`), whose privileges are checked again at every run. `next_fire_at` is the first period
 * not yet decided; advancing it and recording the decision happen in one durable transaction, so a period is decided
 * once, also across a crash. `state` is ACTIVE, PAUSED (by PAUSE) or LOCKED (by the engine, when a run cannot even be
 * submitted: its database, repository or owner is gone); neither of the last two runs by itself.
 *
 * `schedule_runs`: one row per decision — a run (with the label it backs up to and the job it started), a skip and
 * its reason, a failure. Kept after DROP BACKUP SCHEDULE (history); `UNIQUE (schedule_id, period_at)` is the
 * "never twice for one period" key (manual runs have no period). Times are epoch ms; NULL when unset.
 */
export const migration0010: Migration = {
  id: 10,
  name: 'backup-schedules',
  up(db) {
    db.exec(`
      CREATE TABLE backup_schedules (
        id                   INTEGER PRIMARY KEY,
        name                 TEXT NOT NULL UNIQUE,
        db_name              TEXT NOT NULL,
        objects              TEXT,
        repo_name            TEXT NOT NULL,
        trigger_kind         TEXT NOT NULL CHECK (trigger_kind IN ('EVERY', 'CRON')),
        trigger_text         TEXT NOT NULL,
        starts_at            INTEGER NOT NULL,
        properties           TEXT NOT NULL DEFAULT '{}',
        owner_user           TEXT NOT NULL,
        owner_host           TEXT NOT NULL,
        state                TEXT NOT NULL DEFAULT 'ACTIVE' CHECK (state IN ('ACTIVE', 'PAUSED', 'LOCKED')),
        state_reason         TEXT,
        next_fire_at         INTEGER,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        created_at           INTEGER NOT NULL,
        updated_at           INTEGER NOT NULL
      );

      CREATE TABLE schedule_runs (
        id            INTEGER PRIMARY KEY,
        schedule_id   INTEGER NOT NULL,
        schedule_name TEXT NOT NULL,
        db_name       TEXT NOT NULL,
        period_at     INTEGER,
        trigger       TEXT NOT NULL CHECK (trigger IN ('SCHEDULED', 'MANUAL')),
        state         TEXT NOT NULL CHECK (state IN ('WAITING', 'DECIDED', 'RUNNING', 'COPYING', 'SUCCEEDED', 'FAILED', 'SKIPPED')),
        backup_type   TEXT CHECK (backup_type IN ('FULL', 'INCREMENTAL')),
        label         TEXT,
        repo_name     TEXT NOT NULL,
        copy_to       TEXT,
        job_id        INTEGER,
        copy_job_id   INTEGER,
        reason        TEXT,
        decided_at    INTEGER NOT NULL,
        started_at    INTEGER,
        finished_at   INTEGER,
        dropped_at    INTEGER,
        UNIQUE (schedule_id, period_at)
      );
      CREATE INDEX schedule_runs_by_schedule ON schedule_runs (schedule_id, id);
      CREATE INDEX schedule_runs_live ON schedule_runs (id) WHERE state IN ('WAITING', 'DECIDED', 'RUNNING', 'COPYING');
      CREATE INDEX schedule_runs_by_job ON schedule_runs (job_id);
      CREATE INDEX schedule_runs_by_copy_job ON schedule_runs (copy_job_id);
    `);
  },
};
