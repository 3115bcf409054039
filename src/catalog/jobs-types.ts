/**
 * Rows of the job journal (migration 0003) as the rest of the engine sees them: camelCase, JSON decoded, immutable.
 * Kind-specific meaning (which states exist, what a plan holds) lives in src/jobs; the catalog only stores it.
 */

/** Any value JSON can carry; plans, specs and task payloads are of this type. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** What a task does on its backend. `verify`, `copy`, `delete` are reserved for the next job kinds. */
export type TaskKind = 'snapshot' | 'upload' | 'download' | 'move' | 'release' | 'verify' | 'copy' | 'delete';

/** `released` marks a finished snapshot task whose local snapshot has since been released. */
export type TaskState = 'pending' | 'done' | 'failed' | 'released';

/** The per-state timestamps a job records (SHOW BACKUP / SHOW RESTORE columns). */
export type JobTimeField = 'metaPreparedTime' | 'snapshotFinishedTime' | 'transferFinishedTime' | 'finishedTime';

export interface JobRow {
  /** Job id (from the catalog's global id sequence when available). */
  readonly id: number;
  /** Job kind name, e.g. `BACKUP`, `RESTORE`. */
  readonly kind: string;
  /** Id of the database the job works on (the key of "one active job per database"). */
  readonly dbId: number;
  /** Name of that database when the job was submitted. */
  readonly dbName: string;
  /** Snapshot label. */
  readonly label: string;
  /** Repository name. */
  readonly repoName: string;
  /** Current state, as shown by SHOW. */
  readonly state: string;
  /** State a restarted process resumes from (advanced only at persisted transitions). */
  readonly checkpointState: string;
  /** True once the job is FINISHED or CANCELLED (or another terminal state of its kind). */
  readonly done: boolean;
  /** User properties of the statement, as given (secrets never stored here). */
  readonly properties: Readonly<Record<string, string>>;
  /** Kind-specific request: objects to back up / restore, backup timestamp, replication num… */
  readonly spec: JsonValue;
  /**
   * Kind-specific plan made when the job left PENDING (pinned versions, chosen replicas); null before. Rows read
   * from the `jobs` table carry null: the plan lives in `job_plans` and is loaded (getJobPlan) by the process that
   * runs the job, which keeps it in memory.
   */
  readonly plan: JsonValue | null;
  /** Status code (StarRocks Status.ErrCode name). */
  readonly statusCode: string;
  /** Status message ('' when OK). */
  readonly statusMsg: string;
  readonly createTime: number;
  /** Epoch ms or -1 (unset) — likewise for the following times. */
  readonly metaPreparedTime: number;
  readonly snapshotFinishedTime: number;
  /** Upload-finished (backup) or download-finished (restore) time. */
  readonly transferFinishedTime: number;
  readonly finishedTime: number;
  readonly timeoutMs: number;
}

export interface JobTaskRow {
  /** Task id; also the task "signature" SHOW prints. */
  readonly id: number;
  readonly jobId: number;
  /** Unique per job; makes task creation idempotent when a state is re-executed after a restart. */
  readonly taskKey: string;
  readonly kind: TaskKind;
  readonly backendId: number;
  /** The tablet for per-tablet tasks (snapshot, move); null for batched transfer tasks. */
  readonly tabletId: number | null;
  readonly state: TaskState;
  /** Last error message (kept while retrying; shown in TaskErrMsg). */
  readonly error: string | null;
  /** Failed attempts so far. */
  readonly attempts: number;
  /** What to do (kind-specific JSON). */
  readonly payload: JsonValue;
  /** What came out (kind-specific JSON, e.g. a snapshot's dir and files); null until done. */
  readonly result: JsonValue | null;
}

export interface JobFileRow {
  readonly taskId: number;
  readonly jobId: number;
  readonly tabletId: number;
  /** File name inside the tablet's directory. */
  readonly name: string;
  readonly size: number;
  /** Hex md5, known from the moment the file was written. */
  readonly md5: string;
  readonly state: 'pending' | 'done';
  readonly bytesDone: number;
}

export interface NewJob {
  /** Explicit id (from the catalog id sequence); omitted → SQLite assigns one. */
  readonly id?: number;
  readonly kind: string;
  readonly dbId: number;
  readonly dbName: string;
  readonly label: string;
  readonly repoName: string;
  readonly state: string;
  readonly properties: Readonly<Record<string, string>>;
  readonly spec: JsonValue;
  readonly createTime: number;
  readonly timeoutMs: number;
}

export interface NewTask {
  /** Unique per job, stable across re-executions of the state that creates it. */
  readonly taskKey: string;
  readonly kind: TaskKind;
  readonly backendId: number;
  readonly tabletId: number | null;
  readonly payload: JsonValue;
  /** Files the task moves, for per-file resume and progress. */
  readonly files?: readonly NewTaskFile[];
}

export interface NewTaskFile {
  readonly tabletId: number;
  readonly name: string;
  readonly size: number;
  readonly md5: string;
}

/** Raw column shapes, for the decoders below. */
export interface RawJob {
  id: number;
  kind: string;
  db_id: number;
  db_name: string;
  label: string;
  repo_name: string;
  state: string;
  checkpoint_state: string;
  done: number;
  properties: string;
  spec: string;
  plan: string | null;
  status_code: string;
  status_msg: string;
  create_time: number;
  meta_prepared_time: number;
  snapshot_finished_time: number;
  transfer_finished_time: number;
  finished_time: number;
  timeout_ms: number;
}

export interface RawTask {
  id: number;
  job_id: number;
  task_key: string;
  kind: TaskKind;
  backend_id: number;
  tablet_id: number | null;
  state: TaskState;
  error: string | null;
  attempts: number;
  payload: string;
  result: string | null;
}

export interface RawFile {
  task_id: number;
  job_id: number;
  tablet_id: number;
  name: string;
  size: number;
  md5: string;
  state: 'pending' | 'done';
  bytes_done: number;
}

export function decodeJob(r: RawJob): JobRow {
  return {
    id: r.id,
    kind: r.kind,
    dbId: r.db_id,
    dbName: r.db_name,
    label: r.label,
    repoName: r.repo_name,
    state: r.state,
    checkpointState: r.checkpoint_state,
    done: r.done === 1,
    properties: JSON.parse(r.properties) as Record<string, string>,
    spec: JSON.parse(r.spec) as JsonValue,
    plan: r.plan === null ? null : (JSON.parse(r.plan) as JsonValue),
    statusCode: r.status_code,
    statusMsg: r.status_msg,
    createTime: r.create_time,
    metaPreparedTime: r.meta_prepared_time,
    snapshotFinishedTime: r.snapshot_finished_time,
    transferFinishedTime: r.transfer_finished_time,
    finishedTime: r.finished_time,
    timeoutMs: r.timeout_ms,
  };
}

export function decodeTask(r: RawTask): JobTaskRow {
  return {
    id: r.id,
    jobId: r.job_id,
    taskKey: r.task_key,
    kind: r.kind,
    backendId: r.backend_id,
    tabletId: r.tablet_id,
    state: r.state,
    error: r.error,
    attempts: r.attempts,
    payload: JSON.parse(r.payload) as JsonValue,
    result: r.result === null ? null : (JSON.parse(r.result) as JsonValue),
  };
}

export function decodeFile(r: RawFile): JobFileRow {
  return {
    taskId: r.task_id,
    jobId: r.job_id,
    tabletId: r.tablet_id,
    name: r.name,
    size: r.size,
    md5: r.md5,
    state: r.state,
    bytesDone: r.bytes_done,
  };
}
