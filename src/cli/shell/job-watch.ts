/**
 * Following BACKUP / RESTORE jobs from the shell. After such a statement succeeds the shell finds its job with
 * `SHOW BACKUP|RESTORE FROM db` (the same in both modes: the label is known, the job id is not), then follows it:
 * embedded through the engine's job events (exact, immediate), as a client by polling SHOW every half second.
 */
import { parseStatement, quoteIdentifier } from '../../../grammar/index.ts';
import type { ProgressEvent } from '../../jobs/progress.ts';
import type { StatementResult } from '../../sql/result.ts';
import { abortableSleep } from './abortable-sleep.ts';

/** A job this shell started. */
export interface StartedJob {
  readonly id: number;
  readonly kind: 'BACKUP' | 'RESTORE';
  readonly label: string;
  /** Database the job is listed under (for SHOW … FROM db). */
  readonly db: string;
}

/** The parts of the engine's job scheduler the shell reads (`engine.jobs`). */
export interface EngineJobs {
  /** Progress events of a job until it is done (the last has `done: true`); ends with an AbortError on abort. */
  watch(jobId: number, options?: { signal?: AbortSignal }): AsyncIterable<ProgressEvent>;
}

/** Runs one statement (the shell's own queries: SHOW BACKUP, SELECT DATABASE()). */
export type Execute = (sql: string) => Promise<StatementResult>;

/** What a BACKUP / RESTORE statement names: the kind, the label and where its job may be listed. */
export interface JobStatementInfo {
  readonly kind: 'BACKUP' | 'RESTORE';
  readonly label: string;
  /** Databases to look in, most likely first (undefined entries mean "the current database"). */
  readonly databases: readonly (string | undefined)[];
}

/** Recognise a BACKUP / RESTORE statement (null for anything else, including one that does not parse). */
export function jobStatementInfo(sql: string): JobStatementInfo | null {
  if (!/^\s*(BACKUP|RESTORE)\b/i.test(sql)) return null;
  let stmt;
  try {
    stmt = parseStatement(sql);
  } catch {
    return null;
  }
  if (stmt.kind === 'Backup') {
    if (stmt.externalCatalogs !== undefined) return null;
    return { kind: 'BACKUP', label: stmt.label.name, databases: [stmt.database ?? stmt.label.db] };
  }
  if (stmt.kind === 'Restore') {
    if (stmt.externalCatalogs !== undefined) return null;
    return { kind: 'RESTORE', label: stmt.label.name, databases: unique([stmt.databaseAlias, stmt.label.db, stmt.database, undefined]) };
  }
  return null;
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}


/** The current database, or undefined. */
export async function currentDatabase(execute: Execute): Promise<string | undefined> {
  const r = await execute('SELECT DATABASE()');
  const v = r.kind === 'rows' ? r.rows[0]?.[0] : null;
  return v === null || v === undefined ? undefined : v;
}

interface ShowJobRow {
  readonly id: number;
  readonly label: string;
  readonly db: string;
  readonly state: string;
  readonly progress: string;
  readonly status: string;
}

/** The job row SHOW BACKUP|RESTORE lists for `db` (the database's last job of that kind), or null. */
export async function showJob(execute: Execute, kind: 'BACKUP' | 'RESTORE', db: string): Promise<ShowJobRow | null> {
  const r = await execute(`SHOW ${kind} FROM ${quoteIdentifier(db)}`);
  if (r.kind !== 'rows') return null;
  const col = (name: string): number => r.columns.indexOf(name);
  const [id, label, dbName, state, progress, status] = [col('JobId'), col(kind === 'BACKUP' ? 'SnapshotName' : 'Label'), col('DbName'), col('State'), col('Progress'), col('Status')];
  const row = r.rows[r.rows.length - 1];
  if (row === undefined || id < 0 || state < 0) return null;
  return {
    id: Number(row[id]),
    label: row[label] ?? '',
    db: row[dbName] ?? db,
    state: row[state] ?? '',
    progress: row[progress] ?? '',
    status: row[status] ?? '',
  };
}

/** After a BACKUP / RESTORE statement succeeded: the job it started, or null when none can be found. */
export async function findStartedJob(execute: Execute, info: JobStatementInfo): Promise<StartedJob | null> {
  let current: string | undefined | null = null;
  for (const candidate of info.databases) {
    let db = candidate;
    if (db === undefined) {
      current ??= (await currentDatabase(execute).catch(() => undefined)) ?? undefined;
      db = current ?? undefined;
    }
    if (db === undefined) continue;
    const row = await showJob(execute, info.kind, db).catch(() => null);
    if (row !== null && row.label === info.label) return { id: row.id, kind: info.kind, label: info.label, db: row.db };
  }
  return null;
}

const TERMINAL = new Set(['FINISHED', 'CANCELLED']);

/**
 * Follow a job: progress events until it is done. Ends quietly (without a final event) when `signal` aborts — that
 * is a detach, not an error.
 */
export async function* followJob(job: StartedJob, source: { jobs?: EngineJobs | undefined; execute: Execute; pollMs?: number }, signal: AbortSignal): AsyncGenerator<ProgressEvent> {
  if (source.jobs !== undefined) {
    try {
      for await (const e of source.jobs.watch(job.id, { signal })) yield e;
    } catch (error) {
      if (!signal.aborted) throw error;
    }
    return;
  }
  const pollMs = source.pollMs ?? 500;
  while (!signal.aborted) {
    const row = await showJob(source.execute, job.kind, job.db);
    if (row === null || row.id !== job.id) {
      throw new Error(`${job.kind} job ${job.id} (${job.label}) is no longer listed by SHOW ${job.kind} FROM ${job.db}`);
    }
    const done = TERMINAL.has(row.state);
    yield pollEvent(job, row, done);
    if (done) return;
    await abortableSleep(pollMs, signal);
  }
}

/** A progress event from a SHOW row: the state, and files from the `[taskId: done/total]` entries of Progress. */
function pollEvent(job: StartedJob, row: ShowJobRow, done: boolean): ProgressEvent {
  let filesDone = 0;
  let filesTotal = 0;
  for (const m of row.progress.matchAll(/(\d+)\/(\d+)/g)) {
    filesDone += Number(m[1]);
    filesTotal += Number(m[2]);
  }
  return { jobId: job.id, kind: job.kind, label: job.label, state: row.state, done, filesDone, filesTotal, bytesDone: 0, bytesTotal: 0, rateBytesPerSec: 0, etaSeconds: null };
}
