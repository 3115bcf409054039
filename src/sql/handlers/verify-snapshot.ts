/**
 * VERIFY SNAPSHOT label ON repo [PROPERTIES ("backup_timestamp" = "…", "mode" = "files" | "checksum" | "restore",
 * "timeout" = "seconds")], SHOW VERIFY [ON repo], CANCEL VERIFY [ON repo].
 *
 * VERIFY runs as a job (src/jobs/verify): observable with SHOW VERIFY and the job events (the shell draws its
 * progress), cancellable with CANCEL VERIFY, resumed after a restart. The statement itself waits for the job and
 * answers with its report, as an interactive check should; killing the statement (KILL QUERY, Ctrl-C) cancels the
 * job, while a dropped connection leaves it to finish (SHOW VERIFY shows its result).
 */
import type { CancelVerifyStmt, ShowVerifyStmt, VerifySnapshotStmt } from '../../../grammar/ast.ts';
import { getDatabase } from '../../catalog/index.ts';
import { jobFileTotals } from '../../catalog/jobs-files.ts';
import { lastJobOfDb, lastJobPerDb, listLiveJobs } from '../../catalog/jobs-read.ts';
import { listTaskSummaries } from '../../catalog/jobs-tasks.ts';
import type { JobRow } from '../../catalog/jobs-types.ts';
import { getJobPlan } from '../../catalog/jobs-write.ts';
import { analysisError, ddlError } from '../../errors/index.ts';
import { VERIFY_MODES, type VerifyMode } from '../../jobs/snapshot-verify.ts';
import { formatStatus } from '../../jobs/status.ts';
import { verifyKeyOf } from '../../jobs/verify/verify-kind.ts';
import { scratchDatabaseName } from '../../jobs/verify/verify-steps.ts';
import type { VerifyPlan, VerifySpec } from '../../jobs/verify/verify-types.ts';
import { fromBrokerError } from '../../repository/repository-error.ts';
import { formatDateTime } from '../../util/clock.ts';
import type { ExecutionContext } from '../context.ts';
import { okResult, showResult, type StatementResult } from '../result.ts';
import { applyShowPredicates } from '../show-filter.ts';

/**
 * One row per problem (Status `PROBLEM`, the path and what is wrong), then the summary row: Status `OK` or
 * `FAILED`, the tables, partitions, files and bytes checked, and how many problems were found.
 */
export const VERIFY_COLUMNS = ['Status', 'Tables', 'Partitions', 'Files', 'Bytes', 'Path', 'Problem'] as const;

/** SHOW VERIFY: the last VERIFY of each repository (documented in docs/lifecycle.md). */
export const SHOW_VERIFY_COLUMNS = [
  'JobId',
  'SnapshotName',
  'Timestamp',
  'DbName',
  'Repository',
  'Mode',
  'State',
  'CreateTime',
  'FinishedTime',
  'CheckedFiles',
  'CheckedBytes',
  'RestoreJobId',
  'Result',
  'Problems',
  'TaskErrMsg',
  'Status',
  'Timeout',
] as const;

/** StarRocks' backup_job_default_timeout_ms: a verify reads as many bytes as the backup wrote. */
const DEFAULT_VERIFY_TIMEOUT_MS = 86_400_000;
const MIN_TIMEOUT_SECONDS = 600;

export async function executeVerifySnapshot(ctx: ExecutionContext, node: VerifySnapshotStmt): Promise<StatementResult> {
  const { repositories, jobs } = ctx.services;
  if (!repositories.has(node.repository)) throw analysisError(`Repository [${node.repository}] does not exist`);
  const props = new Map(node.properties.map((p) => [p.key.toLowerCase(), p.value.trim()]));
  const unknown = [...props.keys()].filter((k) => k !== 'backup_timestamp' && k !== 'mode' && k !== 'timeout');
  if (unknown.length > 0) throw analysisError(`Unknown VERIFY SNAPSHOT properties: [${unknown.join(', ')}]. Use backup_timestamp, mode and timeout`);
  const modeText = (props.get('mode') ?? 'files').toLowerCase();
  if (!(VERIFY_MODES as readonly string[]).includes(modeText)) {
    throw analysisError(`Invalid VERIFY SNAPSHOT mode: '${modeText}'. Use "files" (sizes, no data read), "checksum" (reads every file) or "restore" (restores into a scratch database and compares)`);
  }
  let timeoutMs = DEFAULT_VERIFY_TIMEOUT_MS;
  const timeout = props.get('timeout');
  if (timeout !== undefined) {
    if (!/^\d+$/.test(timeout)) throw analysisError(`Invalid timeout format: ${timeout}`);
    if (Number(timeout) < MIN_TIMEOUT_SECONDS) throw analysisError('timeout must be at least 10 min');
    timeoutMs = Number(timeout) * 1000;
  }
  const repoId = repositories.info(node.repository)?.id;
  if (repoId === undefined) throw analysisError(`Repository [${node.repository}] does not exist`);
  const live = lastJobOfDb(ctx.services.catalog, verifyKeyOf(repoId));
  if (live !== null && !live.done) {
    throw ddlError(`Can only run one VERIFY on a repository at a time: VERIFY job ${live.id} (${live.label}) on ${node.repository} is ${live.state}; wait for it or CANCEL VERIFY ON ${node.repository}`);
  }
  const repo = await repositories.get(node.repository);
  const { timestamp, database } = await chooseBackup(repo, node, props.get('backup_timestamp'), ctx.signal);
  const spec: VerifySpec = { repository: node.repository, timestamp, mode: modeText as VerifyMode };
  const job = await jobs.submit({
    kind: 'VERIFY',
    dbId: verifyKeyOf(repoId),
    dbName: database,
    label: node.snapshot,
    repoName: node.repository,
    timeoutMs,
    properties: Object.fromEntries(node.properties.map((p) => [p.key, p.value])),
    spec,
  });
  let done: JobRow;
  try {
    done = await jobs.waitForJob(job.id, { signal: ctx.signal });
  } catch (error) {
    if (!ctx.signal.aborted) throw error;
    // KILL QUERY (Ctrl-C in the shell) of the waiting statement cancels the job, as it cancelled the check before it
    // was a job. A closed session (the client went away, or the engine shuts down) leaves the job running: it ends on
    // its own (or is resumed after the restart) and SHOW VERIFY has its result.
    await new Promise((resolve) => setImmediate(resolve));
    if (ctx.services.sessions.get(ctx.session.connectionId) !== undefined) {
      await jobs.cancelJob(job.id, { code: 'COMMON_ERROR', msg: 'the VERIFY SNAPSHOT statement was killed' }).catch(() => undefined);
    }
    throw error;
  }
  const report = (getJobPlan(ctx.services.catalog, job.id) as unknown as VerifyPlan | null)?.report;
  if (done.state !== 'FINISHED' || report === undefined) {
    throw ddlError(`VERIFY SNAPSHOT ${node.snapshot} failed: VERIFY job ${job.id} was cancelled: ${formatStatus({ code: done.statusCode, msg: done.statusMsg })}`);
  }
  const rows: (string | null)[][] = report.problems.map((p) => ['PROBLEM', null, null, null, null, p.path, p.problem]);
  const n = report.problems.length;
  rows.push([
    n === 0 ? 'OK' : 'FAILED',
    String(report.tables),
    String(report.partitions),
    String(report.files),
    String(report.bytes),
    null,
    n === 0 ? null : `${n} problem${n === 1 ? '' : 's'} found; RESTORE this snapshot would fail. Restore another snapshot, or back up again`,
  ]);
  return showResult(VERIFY_COLUMNS, rows);
}

/** The backup of the label to verify (its full timestamp), and the database it holds, as COPY SNAPSHOT chooses. */
async function chooseBackup(
  repo: Awaited<ReturnType<ExecutionContext['services']['repositories']['get']>>,
  node: VerifySnapshotStmt,
  wanted: string | undefined,
  signal: AbortSignal,
): Promise<{ timestamp: string; database: string }> {
  const info = await repo.snapshotInfo(node.snapshot, signal);
  if (info.timestamp === null) throw ddlError(`Failed to list snapshots in repository ${node.repository}: ${info.status.replace(/^ERROR: /, '')}`);
  if (info.status === 'ERROR: no snapshot') throw ddlError(`Snapshot does not exist in repository ${node.repository}: ${node.snapshot}`);
  if (info.status !== 'OK') throw ddlError(`Snapshot ${node.snapshot} in repository ${node.repository} is ${info.status.replace(/^ERROR: /, '')}`);
  const stamps = info.timestamp.split('\n').filter((t) => !t.startsWith('Invalid: '));
  let timestamp: string;
  if (wanted !== undefined) {
    const matching = stamps.filter((t) => t.startsWith(wanted));
    if (matching.length !== 1) {
      throw ddlError(`Snapshot ${node.snapshot} in repository ${node.repository} has no backup at timestamp ${wanted}; its timestamp${stamps.length === 1 ? ' is' : 's are'} ${stamps.join(', ')}`);
    }
    timestamp = matching[0] as string;
  } else if (stamps.length === 1) {
    timestamp = stamps[0] as string;
  } else {
    throw ddlError(`Snapshot ${node.snapshot} in repository ${node.repository} holds ${stamps.length} backups (${stamps.join(', ')}): choose one with PROPERTIES ("backup_timestamp" = "…")`);
  }
  try {
    return { timestamp, database: (await repo.readJobInfo(node.snapshot, timestamp, signal)).database };
  } catch (error) {
    throw ddlError(`Failed to get info of snapshot '${node.snapshot}' because: ${fromBrokerError(error).message}`);
  }
}

/** One SHOW VERIFY row. */
export function showVerifyRow(ctx: ExecutionContext, job: JobRow): (string | null)[] {
  const { catalog } = ctx.services;
  const spec = job.spec as unknown as Partial<VerifySpec>;
  // Rows read from `jobs` carry no plan (it lives in job_plans).
  const plan = (job.plan ?? getJobPlan(catalog, job.id)) as unknown as VerifyPlan | null;
  const totals = jobFileTotals(catalog, job.id);
  let restoreJobId = plan?.restoreJobId;
  if (restoreJobId === undefined && !job.done) {
    const scratch = getDatabase(catalog, scratchDatabaseName(job.id));
    const restore = scratch === undefined ? null : lastJobOfDb(catalog, scratch.id);
    if (restore !== null) restoreJobId = restore.id;
  }
  const errors = listTaskSummaries(catalog, job.id)
    .filter((t) => t.error !== null && t.state !== 'done')
    .map((t) => `[${t.id}: ${t.error ?? ''}]`)
    .join(', ');
  const report = plan?.report;
  return [
    String(job.id),
    job.label,
    spec.timestamp ?? '',
    job.dbName,
    job.repoName,
    spec.mode ?? '',
    job.state,
    formatDateTime(job.createTime),
    formatDateTime(job.finishedTime),
    `${totals.filesDone}/${totals.filesTotal}`,
    `${totals.bytesDone}/${totals.bytesTotal}`,
    restoreJobId === undefined ? '' : String(restoreJobId),
    report === undefined ? '' : report.problems.length === 0 ? 'OK' : 'FAILED',
    report === undefined ? '' : String(report.problems.length),
    errors,
    formatStatus({ code: job.statusCode, msg: job.statusMsg }),
    String(Math.trunc(job.timeoutMs / 1000)),
  ];
}

export function executeShowVerify(ctx: ExecutionContext, node: ShowVerifyStmt): StatementResult {
  if (node.repository !== undefined && !ctx.services.repositories.has(node.repository)) {
    throw analysisError(`Repository [${node.repository}] does not exist`);
  }
  const jobs = lastJobPerDb(ctx.services.catalog).filter((j) => j.kind === 'VERIFY' && (node.repository === undefined || j.repoName === node.repository));
  return applyShowPredicates(ctx, showResult(SHOW_VERIFY_COLUMNS, jobs.map((j) => showVerifyRow(ctx, j))), node);
}

/** CANCEL VERIFY [ON repo]: the running VERIFY stops; restore mode's scratch database is dropped. */
export async function executeCancelVerify(ctx: ExecutionContext, node: CancelVerifyStmt): Promise<StatementResult> {
  const { services } = ctx;
  let repo = node.repository;
  if (repo === undefined) {
    const live = listLiveJobs(services.catalog).filter((j) => j.kind === 'VERIFY');
    if (live.length === 0) throw ddlError('No verify job is currently running');
    if (live.length > 1) throw ddlError(`${live.length} verify jobs are running (on ${live.map((j) => j.repoName).join(', ')}); name one: CANCEL VERIFY ON <repository>`);
    repo = (live[0] as JobRow).repoName;
  }
  const id = services.repositories.info(repo)?.id;
  if (id === undefined) throw ddlError(`Repository ${repo} does not exist`);
  await services.jobs.cancel('VERIFY', verifyKeyOf(id));
  return okResult(0);
}
