import type { Migration } from './migration.ts';
import { migration0001 } from './0001-table-store.ts';
import { migration0002 } from './0002-repositories.ts';
import { migration0003 } from './0003-jobs.ts';
import { migration0004 } from './0004-users.ts';
import { migration0005 } from './0005-job-task-index.ts';
import { migration0006 } from './0006-data-dir-identity.ts';
import { migration0007 } from './0007-job-plans.ts';
import { migration0008 } from './0008-snapshot-lifecycle.ts';
import { migration0009 } from './0009-schema-change.ts';
import { migration0010 } from './0010-backup-schedules.ts';

export type { Migration } from './migration.ts';

/**
 * Every migration in order. Adding one = a new file `NNNN-name.ts` exporting `migrationNNNN` plus one line here.
 * Reserved: 0002 repositories, 0003 jobs, 0004 users (owned by other engineers).
 */
export const MIGRATIONS: readonly Migration[] = [
  migration0001,
  migration0002,
  migration0003,
  migration0004,
  migration0005,
  migration0006,
  migration0007,
  migration0008,
  migration0009,
  migration0010,
];
