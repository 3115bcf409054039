/** The runs of backup schedules (migration 0008): every decision a schedule made, one function per operation. */
import type { Catalog } from './catalog.ts';
import {
  decodeScheduleRun,
  type NewScheduleRun,
  type RawScheduleRun,
  type ScheduleRunPatch,
  type ScheduleRunRow,
} from './schedules-types.ts';

const COLUMN: Readonly<Record<keyof ScheduleRunPatch, string>> = {
  state: 'state',
  backupType: 'backup_type',
  jobId: 'job_id',
  copyJobId: 'copy_job_id',
  reason: 'reason',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  droppedAt: 'dropped_at',
};

/** Record a decision. Throws on a second decision for the same (schedule, period): the caller's transaction rolls back. */
export function insertScheduleRun(catalog: Catalog, run: NewScheduleRun): ScheduleRunRow {
  const row = catalog
    .prepare<unknown[], RawScheduleRun>(
      `INSERT INTO schedule_runs (schedule_id, schedule_name, db_name, period_at, trigger, state, backup_type, label, repo_name, copy_to,
                                  reason, decided_at, finished_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    )
    .get(
      run.scheduleId, run.scheduleName, run.dbName, run.periodAt, run.trigger, run.state, run.backupType, run.label, run.repoName, run.copyTo,
      run.reason, run.decidedAt, run.finishedAt ?? null,
    );
  if (row === undefined) throw new Error('insertScheduleRun returned no row');
  return decodeScheduleRun(row);
}

/** Change some columns of a run; returns the new row. */
export function updateScheduleRun(catalog: Catalog, id: number, patch: ScheduleRunPatch): ScheduleRunRow {
  const keys = (Object.keys(patch) as (keyof ScheduleRunPatch)[]).filter((k) => patch[k] !== undefined);
  const params: Record<string, unknown> = { id };
  for (const k of keys) params[k] = patch[k];
  const sql =
    keys.length === 0
      ? 'SELECT * FROM schedule_runs WHERE id = @id'
      : `UPDATE schedule_runs SET ${keys.map((k) => `${COLUMN[k]} = @${k}`).join(', ')} WHERE id = @id RETURNING *`;
  const row = catalog.prepare<[Record<string, unknown>], RawScheduleRun>(sql).get(params);
  if (row === undefined) throw new Error(`schedule run ${id} does not exist`);
  return decodeScheduleRun(row);
}

export function getScheduleRun(catalog: Catalog, id: number): ScheduleRunRow | null {
  const row = catalog.prepare<[number], RawScheduleRun>('SELECT * FROM schedule_runs WHERE id = ?').get(id);
  return row === undefined ? null : decodeScheduleRun(row);
}

/** Runs not yet done (WAITING, DECIDED, RUNNING, COPYING), oldest first: what the runner drives on after a restart. */
export function listLiveScheduleRuns(catalog: Catalog): ScheduleRunRow[] {
  return catalog
    .prepare<[], RawScheduleRun>("SELECT * FROM schedule_runs WHERE state IN ('WAITING', 'DECIDED', 'RUNNING', 'COPYING') ORDER BY id")
    .all()
    .map(decodeScheduleRun);
}

/** A schedule's runs, oldest first (optionally only some states). */
export function listScheduleRuns(catalog: Catalog, scheduleId: number, states?: readonly string[]): ScheduleRunRow[] {
  const rows = catalog
    .prepare<[number], RawScheduleRun>('SELECT * FROM schedule_runs WHERE schedule_id = ? ORDER BY id')
    .all(scheduleId)
    .map(decodeScheduleRun);
  return states === undefined ? rows : rows.filter((r) => states.includes(r.state));
}

/** Every run, oldest first (information_schema). */
export function listAllScheduleRuns(catalog: Catalog): ScheduleRunRow[] {
  return catalog.prepare<[], RawScheduleRun>('SELECT * FROM schedule_runs ORDER BY id').all().map(decodeScheduleRun);
}

/** The run that started job `jobId` (as its backup or its copy), or null. */
export function scheduleRunOfJob(catalog: Catalog, jobId: number): ScheduleRunRow | null {
  const row = catalog
    .prepare<[number, number], RawScheduleRun>('SELECT * FROM schedule_runs WHERE job_id = ? OR copy_job_id = ? ORDER BY id DESC LIMIT 1')
    .get(jobId, jobId);
  return row === undefined ? null : decodeScheduleRun(row);
}

/**
 * The newest job of `kind` on `repoName` with `label` created at or after `createdSince`, or null: how a run that was decided but whose job id was
 * never recorded (a crash in between) finds the job it did start, so it is never started twice.
 */
export function findJobIdByLabel(catalog: Catalog, kind: string, repoName: string, label: string, createdSince = 0): number | null {
  const row = catalog
    .prepare<[string, string, string, number], { id: number }>(
      'SELECT id FROM jobs WHERE kind = ? AND repo_name = ? AND label = ? AND create_time >= ? ORDER BY id DESC LIMIT 1',
    )
    .get(kind, repoName, label, createdSince);
  return row?.id ?? null;
}

/** A run whose BACKUP job FINISHED, with what retention and the policy need. */
export interface BackedUpRun {
  readonly runId: number;
  readonly label: string;
  readonly backupType: 'FULL' | 'INCREMENTAL';
  readonly repoName: string;
  readonly copyTo: string | null;
  /** When its BACKUP job finished. */
  readonly finishedAt: number;
  readonly droppedAt: number | null;
}

/**
 * A schedule's runs whose BACKUP job FINISHED (whatever happened to their copy), oldest first, optionally only
 * those written to `repoName`: the history the policy counts and retention keeps or drops.
 */
export function listBackedUpRuns(catalog: Catalog, scheduleId: number, repoName?: string): BackedUpRun[] {
  return catalog
    .prepare<[Record<string, unknown>], { id: number; label: string; backup_type: 'FULL' | 'INCREMENTAL'; repo_name: string; copy_to: string | null; finished_time: number; dropped_at: number | null }>(
      `SELECT r.id, r.label, r.backup_type, r.repo_name, r.copy_to, j.finished_time, r.dropped_at
       FROM schedule_runs r JOIN jobs j ON j.id = r.job_id
       WHERE r.schedule_id = @id AND j.state = 'FINISHED' AND r.label IS NOT NULL AND r.backup_type IS NOT NULL
         AND (@repo IS NULL OR r.repo_name = @repo)
       ORDER BY r.id`,
    )
    .all({ id: scheduleId, repo: repoName ?? null })
    .map((r) => ({
      runId: r.id,
      label: r.label,
      backupType: r.backup_type,
      repoName: r.repo_name,
      copyTo: r.copy_to,
      finishedAt: r.finished_time,
      droppedAt: r.dropped_at,
    }));
}

/** A schedule's newest run (optionally of one state), or null. */
export function lastScheduleRun(catalog: Catalog, scheduleId: number, state?: string): ScheduleRunRow | null {
  const row = catalog
    .prepare<[Record<string, unknown>], RawScheduleRun>(
      'SELECT * FROM schedule_runs WHERE schedule_id = @id AND (@state IS NULL OR state = @state) ORDER BY id DESC LIMIT 1',
    )
    .get({ id: scheduleId, state: state ?? null });
  return row === undefined ? null : decodeScheduleRun(row);
}
