import type { Migration } from './migration.ts';

/**
 * A job's plan (every tablet it backs up or restores, with their files: megabytes for thousands of tablets) moves
 * out of the `jobs` row into its own table. Why: SQLite rewrites a whole row on any update, so every state
 * transition rewrote the plan, and every SHOW BACKUP / SHOW RESTORE (which read `jobs` rows) copied it out.
 */
export const migration0007: Migration = {
  id: 7,
  name: 'job-plans',
  up(db) {
    db.exec(`
      CREATE TABLE job_plans (
        job_id INTEGER PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
        plan   TEXT NOT NULL
      );
      INSERT INTO job_plans (job_id, plan) SELECT id, plan FROM jobs WHERE plan IS NOT NULL;
      UPDATE jobs SET plan = NULL WHERE plan IS NOT NULL;
    `);
  },
};
