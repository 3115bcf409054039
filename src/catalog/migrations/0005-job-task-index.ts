import type { Migration } from './migration.ts';

/**
 * A job's state runs again after every task completion and asks how many tasks of a kind are still open; with
 * tens of thousands of tablets that count must be an index lookup, not a scan of the job's tasks.
 */
export const migration0005: Migration = {
  id: 5,
  name: 'job-task-index',
  up(db) {
    db.exec('CREATE INDEX job_tasks_by_state ON job_tasks (job_id, kind, state)');
  },
};
