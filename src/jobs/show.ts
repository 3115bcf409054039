import type { Catalog } from '../catalog/catalog.ts';
import { taskFileCounts } from '../catalog/jobs-files.ts';
import { lastJobPerDb } from '../catalog/jobs-read.ts';
import { listTaskSummaries, type JobTaskSummary } from '../catalog/jobs-tasks.ts';
import type { JobRow } from '../catalog/jobs-types.ts';
import { formatDateTime } from '../util/clock.ts';
import { getJobKind, isTerminal, type JobKind } from './state-machine.ts';
import { formatStatus } from './status.ts';
import type { BackupSpec, RestoreSpec } from './steps.ts';

/** `SHOW BACKUP` columns, StarRocks' order (reference §2.1). */
export const SHOW_BACKUP_COLUMNS = [
  'JobId',
  'SnapshotName',
  'DbName',
  'State',
  'BackupObjs',
  'CreateTime',
  'SnapshotFinishedTime',
  'UploadFinishedTime',
  'FinishedTime',
  'UnfinishedTasks',
  'Progress',
  'TaskErrMsg',
  'Status',
  'Timeout',
] as const;

/** `SHOW RESTORE` columns, StarRocks' order (reference §2.2). */
export const SHOW_RESTORE_COLUMNS = [
  'JobId',
  'Label',
  'Timestamp',
  'DbName',
  'State',
  'AllowLoad',
  'ReplicationNum',
  'RestoreObjs',
  'CreateTime',
  'MetaPreparedTime',
  'SnapshotFinishedTime',
  'DownloadFinishedTime',
  'FinishedTime',
  'UnfinishedTasks',
  'Progress',
  'TaskErrMsg',
  'Status',
  'Timeout',
] as const;

export type ShowRow = (string | null)[];

/** Which database(s): SHOW … FROM db passes its id; without FROM, every database's last job. */
export interface ShowFilter {
  /** Only the job of this database. */
  readonly dbId?: number;
  /**
   * Only jobs the caller may see, given the job's database and tables (StarRocks: SHOW BACKUP silently omits jobs
   * whose tables the user lacks EXPORT on). The SQL layer passes its privilege check; absent means every job.
   */
  readonly visible?: (dbName: string, tables: readonly string[]) => boolean;
}

/** One row per database whose last job is a BACKUP (0 or 1 row with a dbId). */
export function showBackupRows(catalog: Catalog, filter: ShowFilter = {}): ShowRow[] {
  return lastJobs(catalog, 'BACKUP', filter).map((job) => {
    const spec = job.spec as unknown as Partial<BackupSpec>;
    return [
      String(job.id),
      job.label,
      job.dbName,
      job.state,
      (spec.objects ?? []).map((o) => `[${backupObject(o.table, o.partitions)}]`).join(', '),
      formatDateTime(job.createTime),
      formatDateTime(job.snapshotFinishedTime),
      ...trailingColumns(catalog, job),
    ];
  });
}

/** One row per database whose last job is a RESTORE. */
export function showRestoreRows(catalog: Catalog, filter: ShowFilter = {}): ShowRow[] {
  return lastJobs(catalog, 'RESTORE', filter).map((job) => {
    const spec = job.spec as unknown as Partial<RestoreSpec>;
    return [
      String(job.id),
      job.label,
      spec.timestamp ?? '',
      job.dbName,
      job.state,
      String(spec.allowLoad ?? false),
      String(spec.replicationNum ?? 3),
      (spec.objects ?? []).map((o) => restoreObject(o.table, o.partitions)).join(', '),
      formatDateTime(job.createTime),
      formatDateTime(job.metaPreparedTime),
      formatDateTime(job.snapshotFinishedTime),
      ...trailingColumns(catalog, job),
    ];
  });
}

/**
 * The seven columns SHOW BACKUP and SHOW RESTORE both end with: Upload/DownloadFinishedTime, FinishedTime,
 * UnfinishedTasks, Progress, TaskErrMsg, Status, Timeout (seconds).
 */
function trailingColumns(catalog: Catalog, job: JobRow): ShowRow {
  const tasks = taskColumns(catalog, job);
  return [
    formatDateTime(job.transferFinishedTime),
    formatDateTime(job.finishedTime),
    tasks.unfinished,
    tasks.progress,
    tasks.errors,
    formatStatus({ code: job.statusCode, msg: job.statusMsg }),
    String(Math.trunc(job.timeoutMs / 1000)),
  ];
}

function lastJobs(catalog: Catalog, kind: string, filter: ShowFilter): JobRow[] {
  return lastJobPerDb(catalog).filter(
    (j) =>
      j.kind === kind &&
      (filter.dbId === undefined || j.dbId === filter.dbId) &&
      (filter.visible === undefined || filter.visible(j.dbName, jobTables(j))),
  );
}

/** Tables a job names in its spec (BACKUP and RESTORE specs both list `objects[].table`). */
export function jobTables(job: JobRow): string[] {
  const objects = (job.spec as { objects?: readonly { table?: string }[] } | null)?.objects ?? [];
  return objects.flatMap((o) => (typeof o.table === 'string' ? [o.table] : []));
}

/** TableRef as BackupObjs prints it: `tbl` or `tbl PARTITION (p1, p2)`. */
function backupObject(table: string, partitions: readonly string[] | undefined): string {
  return partitions !== undefined && partitions.length > 0 ? `${table} PARTITION (${partitions.join(', ')})` : table;
}

/** BackupJobInfo.getInfo(): `tbl PARTITIONS [p1, p2]`, a partition named like its table (unpartitioned) omitted. */
function restoreObject(table: string, partitions: readonly string[] | undefined): string {
  const named = (partitions ?? []).filter((p) => p !== table);
  return named.length > 0 ? `${table} PARTITIONS [${named.join(', ')}]` : table;
}

/**
 * UnfinishedTasks / Progress / TaskErrMsg as StarRocks fills them: the unfinished tasks of the phase the job is
 * waiting in (`key=value` joined by ", "), `[taskId: done/total]` for its transfer tasks, and `[key: msg]` for
 * tasks with an error. Terminal jobs keep only TaskErrMsg (why it stopped).
 */
function taskColumns(catalog: Catalog, job: JobRow): { unfinished: string; progress: string; errors: string } {
  const kind: JobKind = getJobKind(job.kind);
  const done = isTerminal(kind, job.state);
  // A finished job shows only its task errors: read those, not every task and file (SHOW lists every job).
  const tasks = listTaskSummaries(catalog, job.id, { failedOnly: done });
  const phase = done ? undefined : (kind.phaseTasks as Partial<Record<string, string>>)[job.state];
  const current = phase === undefined ? [] : tasks.filter((t) => t.kind === phase);
  const counts = current.length === 0 ? new Map<number, { done: number; total: number }>() : taskFileCounts(catalog, job.id);
  const unfinished = current
    .filter((t) => t.state === 'pending' || t.state === 'failed')
    .map((t) => unfinishedEntry(kind, t))
    .join(', ');
  const progress = current
    .filter((t) => t.kind === 'upload' || t.kind === 'download')
    .map((t) => {
      const c = counts.get(t.id) ?? { done: 0, total: 0 };
      return `[${t.id}: ${c.done}/${c.total}]`;
    })
    .join(', ');
  const errors = tasks
    .filter((t) => t.error !== null && t.state !== 'done' && t.state !== 'released')
    .map((t) => `[${errorKey(kind, t)}: ${t.error ?? ''}]`)
    .join(', ');
  return { unfinished, progress, errors };
}

function unfinishedEntry(kind: JobKind, t: JobTaskSummary): string {
  switch (kind.unfinishedFormat[t.kind] ?? 'task=backend') {
    case 'tablet=backend':
      return `${t.tabletId ?? t.id}=${t.backendId}`;
    case 'task=tablet':
      return `${t.id}=${t.tabletId ?? ''}`;
    case 'task=backend':
      return `${t.id}=${t.backendId}`;
  }
}

/** StarRocks keys backup snapshot errors by tablet id, everything else by task signature. */
function errorKey(kind: JobKind, t: JobTaskSummary): string {
  return kind.unfinishedFormat[t.kind] === 'tablet=backend' ? String(t.tabletId ?? t.id) : String(t.id);
}
