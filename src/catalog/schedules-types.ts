/**
 * Rows of migration 0008 (backup schedules and their runs) as the rest of the engine sees them: camelCase, JSON
 * decoded, immutable. What a trigger or a policy means lives in src/jobs/schedules; the catalog only stores it.
 */
import type { JsonValue } from './jobs-types.ts';

/** ACTIVE fires by itself; PAUSED (PAUSE BACKUP SCHEDULE) and LOCKED (the engine, after a run that could not even start) do not. */
export type ScheduleState = 'ACTIVE' | 'PAUSED' | 'LOCKED';

/**
 * Where a run is: WAITING for its database (on_previous_running = wait), DECIDED (recorded, job not yet known),
 * RUNNING its BACKUP, COPYING to `copy_to`; SUCCEEDED, FAILED or SKIPPED once done.
 */
export type RunState = 'WAITING' | 'DECIDED' | 'RUNNING' | 'COPYING' | 'SUCCEEDED' | 'FAILED' | 'SKIPPED';

/** States a run leaves only by being driven on (the runner resumes them after a restart). */
export const LIVE_RUN_STATES: readonly RunState[] = ['WAITING', 'DECIDED', 'RUNNING', 'COPYING'];

export type RunTrigger = 'SCHEDULED' | 'MANUAL';
export type BackupType = 'FULL' | 'INCREMENTAL';

export interface ScheduleRow {
  /** From the catalog's global id sequence. */
  readonly id: number;
  readonly name: string;
  /** The database backed up, by name (resolved at each run). */
  readonly dbName: string;
  /** The ON list (the AST's BackupRestoreObject[] as JSON), or null for the whole database. */
  readonly objects: JsonValue | null;
  readonly repoName: string;
  readonly triggerKind: 'EVERY' | 'CRON';
  /** `1 DAY` or the cron expression. */
  readonly triggerText: string;
  /** STARTS (epoch ms): EVERY's anchor; no CRON fire before it. */
  readonly startsAt: number;
  /** PROPERTIES as written, keys lower-case. */
  readonly properties: Readonly<Record<string, string>>;
  /** The account runs act as (its privileges are checked at every run). */
  readonly ownerUser: string;
  readonly ownerHost: string;
  readonly state: ScheduleState;
  /** Why it is LOCKED (or what PAUSE said), else null. */
  readonly stateReason: string | null;
  /** The first period not yet decided; null when the trigger never fires again. */
  readonly nextFireAt: number | null;
  /** Failed runs since the last success. */
  readonly consecutiveFailures: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A schedule as CREATE BACKUP SCHEDULE records it (the rest starts at its defaults). */
export type NewSchedule = Pick<
  ScheduleRow,
  'id' | 'name' | 'dbName' | 'objects' | 'repoName' | 'triggerKind' | 'triggerText' | 'startsAt' | 'properties' | 'ownerUser' | 'ownerHost' | 'nextFireAt' | 'createdAt'
>;

/** The mutable columns of a schedule (ALTER, PAUSE / RESUME, the runner). */
export type SchedulePatch = Partial<
  Pick<
    ScheduleRow,
    'dbName' | 'objects' | 'repoName' | 'triggerKind' | 'triggerText' | 'startsAt' | 'properties' | 'state' | 'stateReason' | 'nextFireAt' | 'consecutiveFailures'
  >
>;

export interface ScheduleRunRow {
  readonly id: number;
  readonly scheduleId: number;
  readonly scheduleName: string;
  /** The database the schedule backed up when this run was decided. */
  readonly dbName: string;
  /** The period (fire time) this run belongs to; null for EXECUTE BACKUP SCHEDULE. */
  readonly periodAt: number | null;
  readonly trigger: RunTrigger;
  readonly state: RunState;
  /** What the policy chose; null for a skip. */
  readonly backupType: BackupType | null;
  /** `<schedule>_<yyyyMMddHHmmss>`; null for a skip. */
  readonly label: string | null;
  readonly repoName: string;
  /** The disaster-recovery repository the snapshot is copied to after the backup, if any. */
  readonly copyTo: string | null;
  readonly jobId: number | null;
  readonly copyJobId: number | null;
  /** Why it was skipped or failed (or what happened on the way). */
  readonly reason: string | null;
  readonly decidedAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  /** When keep_last / ttl dropped this run's snapshot. */
  readonly droppedAt: number | null;
}

/** A run as it is first recorded: the row's decided fields (the rest start null), `finishedAt` for a skip. */
export type NewScheduleRun = Pick<
  ScheduleRunRow,
  'scheduleId' | 'scheduleName' | 'dbName' | 'periodAt' | 'trigger' | 'state' | 'backupType' | 'label' | 'repoName' | 'copyTo' | 'reason' | 'decidedAt'
> &
  Partial<Pick<ScheduleRunRow, 'finishedAt'>>;

export type ScheduleRunPatch = Partial<Pick<ScheduleRunRow, 'state' | 'backupType' | 'jobId' | 'copyJobId' | 'reason' | 'startedAt' | 'finishedAt' | 'droppedAt'>>;

export interface RawSchedule {
  id: number;
  name: string;
  db_name: string;
  objects: string | null;
  repo_name: string;
  trigger_kind: 'EVERY' | 'CRON';
  trigger_text: string;
  starts_at: number;
  properties: string;
  owner_user: string;
  owner_host: string;
  state: ScheduleState;
  state_reason: string | null;
  next_fire_at: number | null;
  consecutive_failures: number;
  created_at: number;
  updated_at: number;
}

export interface RawScheduleRun {
  id: number;
  schedule_id: number;
  schedule_name: string;
  db_name: string;
  period_at: number | null;
  trigger: RunTrigger;
  state: RunState;
  backup_type: BackupType | null;
  label: string | null;
  repo_name: string;
  copy_to: string | null;
  job_id: number | null;
  copy_job_id: number | null;
  reason: string | null;
  decided_at: number;
  started_at: number | null;
  finished_at: number | null;
  dropped_at: number | null;
}

export function decodeSchedule(r: RawSchedule): ScheduleRow {
  return {
    id: r.id,
    name: r.name,
    dbName: r.db_name,
    objects: r.objects === null ? null : (JSON.parse(r.objects) as JsonValue),
    repoName: r.repo_name,
    triggerKind: r.trigger_kind,
    triggerText: r.trigger_text,
    startsAt: r.starts_at,
    properties: JSON.parse(r.properties) as Record<string, string>,
    ownerUser: r.owner_user,
    ownerHost: r.owner_host,
    state: r.state,
    stateReason: r.state_reason,
    nextFireAt: r.next_fire_at,
    consecutiveFailures: r.consecutive_failures,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function decodeScheduleRun(r: RawScheduleRun): ScheduleRunRow {
  return {
    id: r.id,
    scheduleId: r.schedule_id,
    scheduleName: r.schedule_name,
    dbName: r.db_name,
    periodAt: r.period_at,
    trigger: r.trigger,
    state: r.state,
    backupType: r.backup_type,
    label: r.label,
    repoName: r.repo_name,
    copyTo: r.copy_to,
    jobId: r.job_id,
    copyJobId: r.copy_job_id,
    reason: r.reason,
    decidedAt: r.decided_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    droppedAt: r.dropped_at,
  };
}
