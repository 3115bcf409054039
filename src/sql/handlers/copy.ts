/**
 * COPY SNAPSHOT, SHOW COPY, CANCEL COPY: copying a snapshot to another repository for disaster recovery (a local
 * disk repository to S3, say). The job runs in the background (src/jobs/copy); SHOW COPY follows it the way SHOW
 * BACKUP follows a backup: the last copy into each repository, with StarRocks-style states, times and status.
 */
import type { CancelCopyStmt, CopySnapshotStmt, ShowCopyStmt } from '../../../grammar/ast.ts';
import { jobFileTotals } from '../../catalog/jobs-files.ts';
import { getJobPlan } from '../../catalog/jobs-write.ts';
import { lastJobPerDb, listLiveJobs } from '../../catalog/jobs-read.ts';
import type { JobRow } from '../../catalog/jobs-types.ts';
import { listTaskSummaries } from '../../catalog/jobs-tasks.ts';
import { analysisError, ddlError } from '../../errors/index.ts';
import type { CopyPlan, CopySpec } from '../../jobs/copy/copy-types.ts';
import { DEFAULT_COPY_TIMEOUT_MS, submitCopy } from '../../jobs/copy/submit-copy.ts';
import { formatStatus } from '../../jobs/status.ts';
import { formatDateTime } from '../../util/clock.ts';
import type { ExecutionContext } from '../context.ts';
import { okResult, showResult, type StatementResult } from '../result.ts';
import { applyShowPredicates } from '../show-filter.ts';

export const SHOW_COPY_COLUMNS = [
  'JobId',
  'SnapshotName',
  'Timestamp',
  'DbName',
  'FromRepository',
  'ToRepository',
  'State',
  'CreateTime',
  'CopyFinishedTime',
  'FinishedTime',
  'CopiedFiles',
  'CopiedBytes',
  'ReusedFiles',
  'TaskErrMsg',
  'Status',
  'Timeout',
] as const;

const MIN_TIMEOUT_SECONDS = 600;

export async function executeCopySnapshot(ctx: ExecutionContext, node: CopySnapshotStmt): Promise<StatementResult> {
  let timestamp: string | undefined;
  let timeoutMs = DEFAULT_COPY_TIMEOUT_MS;
  const unknown: string[] = [];
  for (const { key, value } of node.properties) {
    if (key === 'backup_timestamp') timestamp = value;
    else if (key === 'timeout') {
      if (!/^\d+$/.test(value.trim())) throw analysisError(`Invalid timeout format: ${value}`);
      if (Number(value.trim()) < MIN_TIMEOUT_SECONDS) throw analysisError('timeout must be at least 10 min');
      timeoutMs = Number(value.trim()) * 1000;
    } else unknown.push(key);
  }
  if (unknown.length > 0) throw analysisError(`Unknown copy job properties: [${unknown.join(', ')}]; known: backup_timestamp, timeout`);
  const job = await submitCopy(
    ctx.services,
    {
      label: node.snapshot,
      from: node.from,
      to: node.to,
      ...(timestamp === undefined ? {} : { timestamp }),
      timeoutMs,
      properties: Object.fromEntries(node.properties.map((p) => [p.key, p.value])),
    },
    ctx.signal,
  );
  return okResult(0, `COPY job ${job.id} submitted; follow it with SHOW COPY ON ${node.to}`);
}

/** One SHOW COPY row. */
export function showCopyRow(ctx: ExecutionContext, job: JobRow): (string | null)[] {
  const spec = job.spec as unknown as Partial<CopySpec>;
  // Rows read from `jobs` carry no plan (it lives in job_plans): read it for the ReusedFiles column.
  const plan = (job.plan ?? getJobPlan(ctx.services.catalog, job.id)) as unknown as Partial<CopyPlan> | null;
  const totals = jobFileTotals(ctx.services.catalog, job.id);
  const errors = listTaskSummaries(ctx.services.catalog, job.id)
    .filter((t) => t.error !== null && t.state !== 'done')
    .map((t) => `[${t.id}: ${t.error ?? ''}]`)
    .join(', ');
  return [
    String(job.id),
    job.label,
    spec.timestamp ?? '',
    job.dbName,
    spec.from ?? '',
    spec.to ?? job.repoName,
    job.state,
    formatDateTime(job.createTime),
    formatDateTime(job.transferFinishedTime),
    formatDateTime(job.finishedTime),
    `${totals.filesDone}/${totals.filesTotal}`,
    `${totals.bytesDone}/${totals.bytesTotal}`,
    plan === null || plan.reusedFiles === undefined ? '' : String(plan.reusedFiles),
    errors,
    formatStatus({ code: job.statusCode, msg: job.statusMsg }),
    String(Math.trunc(job.timeoutMs / 1000)),
  ];
}

export function executeShowCopy(ctx: ExecutionContext, node: ShowCopyStmt): StatementResult {
  if (node.repository !== undefined && !ctx.services.repositories.has(node.repository)) {
    throw analysisError(`Repository [${node.repository}] does not exist`);
  }
  const jobs = lastJobPerDb(ctx.services.catalog).filter((j) => j.kind === 'COPY' && (node.repository === undefined || j.repoName === node.repository));
  return applyShowPredicates(ctx, showResult(SHOW_COPY_COLUMNS, jobs.map((j) => showCopyRow(ctx, j))), node);
}

/** CANCEL COPY [ON repo]: what was copied is removed from the destination (never a snapshot it already showed). */
export async function executeCancelCopy(ctx: ExecutionContext, node: CancelCopyStmt): Promise<StatementResult> {
  const { services } = ctx;
  let repo = node.repository;
  if (repo === undefined) {
    const live = listLiveJobs(services.catalog).filter((j) => j.kind === 'COPY');
    if (live.length === 0) throw ddlError('No copy job is currently running');
    if (live.length > 1) throw ddlError(`${live.length} copy jobs are running (into ${live.map((j) => j.repoName).join(', ')}); name one: CANCEL COPY ON <repository>`);
    repo = (live[0] as JobRow).repoName;
  }
  const id = services.repositories.info(repo)?.id;
  if (id === undefined) throw ddlError(`Repository ${repo} does not exist`);
  await services.jobs.cancel('COPY', id);
  return okResult(0);
}
