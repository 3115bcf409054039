/**
 * The backup automation tables of information_schema (issue 13), kept apart from the catalog-browsing ones:
 *
 * - `backup_jobs`: every BACKUP, RESTORE, COPY (and later VERIFY) job of this instance — the job journal never
 *   forgets a job —, every scheduled run that never became a job (skipped, refused, waiting) with its reason, and
 *   every snapshot a schedule's retention dropped (kind DROP, one row per repository, no job id).
 *   SHOW BACKUP / SHOW RESTORE keep StarRocks' "last job per database"; this is the whole history, survives restarts
 *   and is plain SQL (`WHERE state = 'CANCELLED' AND create_time > …`).
 * - `backup_schedules`: each schedule with its next run, last run, last success and consecutive failures.
 */
import type { Catalog } from '../../catalog/catalog.ts';
import { listJobHistory, transferredByJob } from '../../catalog/job-history.ts';
import { listAllScheduleRuns } from '../../catalog/schedule-runs.ts';
import { listSchedules } from '../../catalog/schedules.ts';
import type { ScheduleRunRow } from '../../catalog/schedules-types.ts';
import type { ColumnType } from '../../types/column-type.ts';
import type { Row } from '../../types/value.ts';
import { formatDateTime } from '../../util/clock.ts';
import { policyText, runTime, scheduleStatus } from '../schedules/schedule-rows.ts';
import { onClause, scheduleClause, scheduleObjects } from '../schedules/schedule-text.ts';
import { LOCAL_SNAPSHOTS_COLUMNS, localSnapshotRows } from './information-schema-local-snapshots.ts';

const S: ColumnType = { name: 'VARCHAR', length: 512 };
const N: ColumnType = { name: 'BIGINT' };
const cols = (spec: string): { name: string; type: ColumnType }[] =>
  spec.split(/\s+/).filter(Boolean).map((c) => (c.endsWith(':n') ? { name: c.slice(0, -2), type: N } : { name: c, type: S }));

const BACKUP_JOBS = cols(`job_id:n kind database_name label schedule_name backup_type repository source_repository state
  create_time meta_prepared_time snapshot_finished_time transfer_finished_time finished_time bytes:n files:n status error`);
const BACKUP_SCHEDULES = cols(`schedule_name database_name objects repository copy_to schedule starts policy keep_last:n ttl
  misfire_grace:n on_previous_running owner state state_reason next_run last_run last_run_state last_run_label last_run_reason
  last_success last_success_label consecutive_failures:n create_time`);

/** Lower-case names of the tables this module serves. */
export const AUTOMATION_TABLES = ['backup_jobs', 'backup_schedules', 'local_snapshots'] as const;

/** The table by (lower-case) name, or undefined. */
export function automationTable(catalog: Catalog, name: string): { columns: typeof BACKUP_JOBS; rows: Row[] } | undefined {
  if (name === 'backup_jobs') return { columns: BACKUP_JOBS, rows: backupJobRows(catalog) };
  if (name === 'backup_schedules') return { columns: BACKUP_SCHEDULES, rows: backupScheduleRows(catalog) };
  // Kept local snapshots and their disk cost (information-schema-local-snapshots.ts).
  if (name === 'local_snapshots') return { columns: LOCAL_SNAPSHOTS_COLUMNS, rows: localSnapshotRows(catalog) };
  return undefined;
}

const big = (n: number | null | undefined): bigint | null => (n === null || n === undefined ? null : BigInt(n));

function backupJobRows(catalog: Catalog): Row[] {
  const runs = listAllScheduleRuns(catalog);
  const runOfJob = new Map<number, ScheduleRunRow>();
  for (const r of runs) {
    if (r.jobId !== null) runOfJob.set(r.jobId, r);
    if (r.copyJobId !== null) runOfJob.set(r.copyJobId, r);
  }
  const moved = transferredByJob(catalog);
  const rows: { at: number; order: number; row: Row }[] = listJobHistory(catalog).map((j) => {
    const run = runOfJob.get(j.id);
    const spec = j.spec as { type?: unknown; from?: unknown } | null;
    const type = run !== undefined && run.jobId === j.id ? run.backupType : j.kind === 'BACKUP' && typeof spec?.type === 'string' ? spec.type : null;
    const m = moved.get(j.id);
    return {
      at: j.createTime,
      order: j.id,
      row: [
        BigInt(j.id), j.kind, j.dbName, j.label, run?.scheduleName ?? null, type, j.repoName,
        j.kind === 'COPY' && typeof spec?.from === 'string' ? spec.from : null, j.state,
        formatDateTime(j.createTime), formatDateTime(j.metaPreparedTime), formatDateTime(j.snapshotFinishedTime),
        formatDateTime(j.transferFinishedTime), formatDateTime(j.finishedTime), BigInt(m?.bytes ?? 0), BigInt(m?.files ?? 0),
        j.statusCode, j.statusCode === 'OK' && j.statusMsg === '' ? null : j.statusMsg,
      ],
    };
  });
  // Scheduled runs without a job: the periods a schedule skipped (and why), runs refused at submission, waiting ones.
  for (const r of runs) {
    if (r.jobId !== null) continue;
    rows.push({
      at: r.decidedAt,
      order: Number.MAX_SAFE_INTEGER,
      row: [
        null, 'BACKUP', r.dbName, r.label, r.scheduleName, r.backupType, r.repoName, null, r.state,
        formatDateTime(r.periodAt ?? r.decidedAt), null, null, null, formatDateTime(r.finishedAt), 0n, 0n,
        r.state === 'SKIPPED' ? 'SKIPPED' : r.state === 'FAILED' ? 'COMMON_ERROR' : 'OK', r.reason,
      ],
    });
  }
  // Retention's drops (keep_last, ttl, a failed run's partial snapshot): one row per repository the label left.
  for (const r of runs) {
    if (r.droppedAt === null || r.label === null) continue;
    for (const repo of [r.repoName, ...(r.copyTo === null ? [] : [r.copyTo])]) {
      rows.push({
        at: r.droppedAt,
        order: Number.MAX_SAFE_INTEGER,
        row: [
          null, 'DROP', r.dbName, r.label, r.scheduleName, r.backupType, repo, null, 'FINISHED',
          formatDateTime(r.droppedAt), null, null, null, formatDateTime(r.droppedAt), 0n, 0n, 'OK', null,
        ],
      });
    }
  }
  return rows.sort((a, b) => a.at - b.at || a.order - b.order).map((r) => r.row);
}

function backupScheduleRows(catalog: Catalog): Row[] {
  return listSchedules(catalog).map((s) => {
    const st = scheduleStatus(catalog, s);
    const o = st.options;
    return [
      s.name, s.dbName, onClause(scheduleObjects(s)).replace(/^ ON /, '') || null, s.repoName, o?.copyTo ?? null, scheduleClause(s),
      formatDateTime(s.startsAt), o === null ? null : policyText(o.policy), big(o?.keepLast), s.properties['ttl'] ?? null,
      o === null ? null : BigInt(Math.floor(o.misfireGraceMs / 1000)), o?.onPreviousRunning ?? null, `'${s.ownerUser}'@'${s.ownerHost}'`,
      s.state, s.stateReason, s.state === 'ACTIVE' ? formatDateTime(s.nextFireAt) : null, runTime(st.lastRun), st.lastRun?.state ?? null,
      st.lastRun?.label ?? null, st.lastRun?.reason ?? null, st.lastSuccess === null ? null : formatDateTime(st.lastSuccess.finishedAt),
      st.lastSuccess?.label ?? null, BigInt(s.consecutiveFailures), formatDateTime(s.createdAt),
    ];
  });
}
