/** What the metrics endpoint reads from the job journal and the schedules' runs at each scrape. */
import type { Catalog } from './catalog.ts';

/** How many jobs of one kind ended in one state with one status code. */
export interface JobOutcomeCount {
  /** Job kind: BACKUP, RESTORE, COPY… */
  readonly kind: string;
  /** Terminal state: FINISHED or CANCELLED. */
  readonly state: string;
  /** Status code (StarRocks Status.ErrCode name): OK for a FINISHED job, the failure's code for a CANCELLED one. */
  readonly statusCode: string;
  readonly count: number;
}

/** Done jobs counted by kind, terminal state and status code (the journal keeps every job, so counts never drop). */
export function jobOutcomeCounts(catalog: Catalog): JobOutcomeCount[] {
  return catalog
    .prepare<[], { kind: string; state: string; status_code: string; n: number }>(
      'SELECT kind, state, status_code, COUNT(*) AS n FROM jobs WHERE done = 1 GROUP BY kind, state, status_code ORDER BY kind, state, status_code',
    )
    .all()
    .map((r) => ({ kind: r.kind, state: r.state, statusCode: r.status_code, count: r.n }));
}

/** Jobs not yet done, by kind. */
export function runningJobCounts(catalog: Catalog): Map<string, number> {
  const rows = catalog.prepare<[], { kind: string; n: number }>('SELECT kind, COUNT(*) AS n FROM jobs WHERE done = 0 GROUP BY kind').all();
  return new Map(rows.map((r) => [r.kind, r.n]));
}

/** The newest good backup of a database, per schedule that makes them ('' = BACKUPs typed by hand). */
export interface LastGoodBackup {
  readonly database: string;
  /** Schedule name, or '' for backups no schedule started. */
  readonly schedule: string;
  /**
   * When the newest FINISHED BACKUP ended (epoch ms). For a schedule that has never succeeded: when it was created,
   * so its age grows from there and an alert on it fires.
   */
  readonly since: number;
}

/**
 * One row per existing schedule and one per database with a FINISHED BACKUP typed by hand. A dropped schedule's
 * series goes with it (its backups are not re-counted under '').
 */
export function lastGoodBackups(catalog: Catalog): LastGoodBackup[] {
  const scheduled = catalog
    .prepare<[], { database: string; schedule: string; since: number }>(
      `SELECT s.db_name AS database, s.name AS schedule,
              COALESCE((SELECT MAX(j.finished_time) FROM schedule_runs r JOIN jobs j ON j.id = r.job_id
                        WHERE r.schedule_id = s.id AND j.kind = 'BACKUP' AND j.state = 'FINISHED'), s.created_at) AS since
       FROM backup_schedules s ORDER BY s.name`,
    )
    .all();
  const manual = catalog
    .prepare<[], { database: string; since: number }>(
      `SELECT j.db_name AS database, MAX(j.finished_time) AS since FROM jobs j
       WHERE j.kind = 'BACKUP' AND j.state = 'FINISHED' AND NOT EXISTS (SELECT 1 FROM schedule_runs r WHERE r.job_id = j.id)
       GROUP BY j.db_name ORDER BY j.db_name`,
    )
    .all();
  return [...scheduled, ...manual.map((m) => ({ ...m, schedule: '' }))];
}
