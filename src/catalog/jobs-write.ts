import type { Catalog } from './catalog.ts';
import type { JobRow, JobTimeField, JsonValue, NewJob, RawJob } from './jobs-types.ts';
import { decodeJob } from './jobs-types.ts';

const TIME_COLUMN: Readonly<Record<JobTimeField, string>> = {
  metaPreparedTime: 'meta_prepared_time',
  snapshotFinishedTime: 'snapshot_finished_time',
  transferFinishedTime: 'transfer_finished_time',
  finishedTime: 'finished_time',
};

/** Record a newly submitted job in its initial state (which is also its first checkpoint). */
export function insertJob(catalog: Catalog, job: NewJob): JobRow {
  const row = catalog
    .prepare<unknown[], RawJob>(
      `INSERT INTO jobs (id, kind, db_id, db_name, label, repo_name, state, checkpoint_state, properties, spec,
                         create_time, timeout_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    )
    .get(
      job.id ?? null,
      job.kind,
      job.dbId,
      job.dbName,
      job.label,
      job.repoName,
      job.state,
      job.state,
      JSON.stringify(job.properties),
      JSON.stringify(job.spec),
      job.createTime,
      job.timeoutMs,
    );
  if (row === undefined) throw new Error('insertJob returned no row');
  return decodeJob(row);
}

export interface TransitionWrite {
  readonly from: string;
  readonly to: string;
  /** Advance the checkpoint (a persisted transition). */
  readonly checkpoint: boolean;
  /** Whether `to` is terminal. */
  readonly done: boolean;
  /** Timestamp column to set to `at`, if entering `to` stamps one. */
  readonly stamp: JobTimeField | null;
  readonly at: number;
  /** New status, when the transition carries one (cancellation). */
  readonly status?: { readonly code: string; readonly msg: string };
}

/**
 * Move a job from `from` to `to` — compare-and-set on the current state, so a stale runner (one that lost a race
 * with cancel) cannot overwrite a newer state. Returns the updated row, or null when the job was no longer in `from`.
 */
export function updateJobState(catalog: Catalog, jobId: number, write: TransitionWrite): JobRow | null {
  const stampSql = write.stamp === null ? '' : `, ${TIME_COLUMN[write.stamp]} = @at`;
  const statusSql = write.status === undefined ? '' : ', status_code = @code, status_msg = @msg';
  const row = catalog
    .prepare<[Record<string, unknown>], RawJob>(
      `UPDATE jobs SET state = @to, done = @done,
              checkpoint_state = CASE WHEN @checkpoint = 1 THEN @to ELSE checkpoint_state END
              ${stampSql}${statusSql}
       WHERE id = @id AND state = @from RETURNING *`,
    )
    .get({
      id: jobId,
      from: write.from,
      to: write.to,
      done: write.done ? 1 : 0,
      checkpoint: write.checkpoint ? 1 : 0,
      at: write.at,
      code: write.status?.code ?? null,
      msg: write.status?.msg ?? null,
    });
  return row === undefined ? null : decodeJob(row);
}

/**
 * After a restart, put a job back in its checkpoint state: transitions that were not persisted are re-executed,
 * as StarRocks does after an FE failover. Not a transition of the kind's table, hence its own operation.
 */
export function rewindJobToCheckpoint(catalog: Catalog, jobId: number): JobRow {
  const row = catalog
    .prepare<[number], RawJob>('UPDATE jobs SET state = checkpoint_state WHERE id = ? RETURNING *')
    .get(jobId);
  if (row === undefined) throw new Error(`job ${jobId} does not exist`);
  return decodeJob(row);
}

/**
 * Store the plan a job made when leaving PENDING (null clears it, e.g. before PENDING is re-run). Plans live in
 * `job_plans` (migration 0007), out of the `jobs` row that every transition rewrites and every SHOW reads.
 */
export function setJobPlan(catalog: Catalog, jobId: number, plan: JsonValue | null): void {
  if (plan === null) {
    catalog.prepare('DELETE FROM job_plans WHERE job_id = ?').run(jobId);
    return;
  }
  catalog
    .prepare('INSERT INTO job_plans (job_id, plan) VALUES (?, ?) ON CONFLICT (job_id) DO UPDATE SET plan = excluded.plan')
    .run(jobId, JSON.stringify(plan));
}

/** The plan of a job (what a process taking the job over needs), or null before PENDING made one. */
export function getJobPlan(catalog: Catalog, jobId: number): JsonValue | null {
  const row = catalog.prepare<[number], { plan: string }>('SELECT plan FROM job_plans WHERE job_id = ?').get(jobId);
  return row === undefined ? null : (JSON.parse(row.plan) as JsonValue);
}
