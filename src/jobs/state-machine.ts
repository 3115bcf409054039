import type { JobTimeField, TaskKind } from '../catalog/jobs-types.ts';
import type { JobStatus } from './status.ts';

/** How SHOW prints one unfinished task (StarRocks keys its maps differently per task type). */
export type UnfinishedFormat = 'tablet=backend' | 'task=backend' | 'task=tablet';

/**
 * A kind of job as data: its states, the legal moves between them, which moves are durable checkpoints, which
 * timestamps they stamp, and what SHOW prints. The scheduler knows nothing else about a kind; BACKUP and RESTORE are
 * the first two, VERIFY / COPY / DROP SNAPSHOT are added by defining another.
 */
export interface JobKind<S extends string = string> {
  /** Stored in `jobs.kind`, e.g. `BACKUP`. */
  readonly name: string;
  /** Every state, in display order. */
  readonly states: readonly S[];
  /** The state a job is created in. */
  readonly initial: S;
  /** The successful terminal state. */
  readonly finished: S;
  /** The cancelled terminal state (reachable from every non-terminal state). */
  readonly cancelled: S;
  /** Forward moves from each state (cancel is implicit and not listed). Terminal states map to []. */
  readonly transitions: Readonly<Record<S, readonly S[]>>;
  /**
   * Moves that are durable checkpoints (StarRocks' edit-logged transitions). After a restart a job resumes from
   * the target of the last one; the states after it are re-executed. Creation and cancel are always persisted.
   */
  readonly persisted: readonly (readonly [S, S])[];
  /** Timestamp set when entering a state (the terminal states always set finishedTime). */
  readonly stamps: Partial<Readonly<Record<S, JobTimeField>>>;
  /** The task kind a waiting state waits for: SHOW's UnfinishedTasks / Progress list those tasks then. */
  readonly phaseTasks: Partial<Readonly<Record<S, TaskKind>>>;
  /** How SHOW's UnfinishedTasks prints each task kind. */
  readonly unfinishedFormat: Partial<Readonly<Record<TaskKind, UnfinishedFormat>>>;
  /** States whose step errors are retried (with backoff, until the timeout) instead of cancelling the job. */
  readonly retryOnError: readonly S[];
  /** Status for `CANCEL …` by a user, given the state the job was in. */
  userCancelStatus(state: S): JobStatus;
  /** Status for a job that ran past its timeout. */
  timeoutStatus(label: string): JobStatus;
}

/** Thrown on a move the kind's table does not allow: always a bug in the caller, never user input. */
export class IllegalTransitionError extends Error {
  override name = 'IllegalTransitionError';
  readonly kind: string;
  readonly from: string;
  readonly to: string;

  constructor(kind: string, from: string, to: string) {
    super(`illegal ${kind} job transition ${from} -> ${to}`);
    this.kind = kind;
    this.from = from;
    this.to = to;
  }
}

export function isTerminal(kind: JobKind, state: string): boolean {
  return state === kind.finished || state === kind.cancelled;
}

function isState<S extends string>(kind: JobKind<S>, state: string): state is S {
  return (kind.states as readonly string[]).includes(state);
}

/** Whether `from → to` is legal: listed in the table, or a cancel from a non-terminal state. */
export function canTransition(kind: JobKind, from: string, to: string): boolean {
  if (!isState(kind, from) || !isState(kind, to) || isTerminal(kind, from)) return false;
  if (to === kind.cancelled) return true;
  return kind.transitions[from]?.includes(to) ?? false;
}

/** Whether `from → to` advances the checkpoint. */
export function isPersisted(kind: JobKind, from: string, to: string): boolean {
  if (to === kind.cancelled || isTerminal(kind, to)) return true;
  return kind.persisted.some(([a, b]) => a === from && b === to);
}

/** The timestamp column entering `to` sets, if any. */
export function stampFor(kind: JobKind, to: string): JobTimeField | null {
  if (isTerminal(kind, to)) return 'finishedTime';
  return isState(kind, to) ? (kind.stamps[to] ?? null) : null;
}

/** Check a job definition once, at registration: a malformed table is a programming error worth failing early. */
export function defineJobKind<S extends string>(kind: JobKind<S>): JobKind<S> {
  const fail = (why: string): never => {
    throw new Error(`job kind ${kind.name}: ${why}`);
  };
  const states = new Set<string>(kind.states);
  if (states.size !== kind.states.length) fail('duplicate states');
  for (const s of [kind.initial, kind.finished, kind.cancelled]) if (!states.has(s)) fail(`unknown state ${s}`);
  for (const s of kind.states) {
    const next = kind.transitions[s];
    if (next === undefined) fail(`no transitions listed for ${s}`);
    if (isTerminal(kind, s) && next.length > 0) fail(`terminal state ${s} has transitions`);
    for (const t of next) if (!states.has(t)) fail(`transition ${s} -> ${t} to an unknown state`);
  }
  for (const [a, b] of kind.persisted) if (!kind.transitions[a].includes(b)) fail(`persisted ${a} -> ${b} is not a transition`);
  // Every state must be reachable from the initial one, and reach the finished one: no dead ends, no orphans.
  const reach = (from: S, edges: (s: S) => readonly S[]): Set<S> => {
    const seen = new Set<S>([from]);
    const todo = [from];
    for (let s = todo.pop(); s !== undefined; s = todo.pop()) {
      for (const t of edges(s)) if (!seen.has(t)) (seen.add(t), todo.push(t));
    }
    return seen;
  };
  const forward = reach(kind.initial, (s) => kind.transitions[s]);
  for (const s of kind.states) {
    if (s !== kind.cancelled && !forward.has(s)) fail(`state ${s} is unreachable`);
    if (!isTerminal(kind, s) && !reach(s, (x) => kind.transitions[x]).has(kind.finished)) fail(`${s} cannot finish`);
  }
  return kind;
}

const registry = new Map<string, JobKind>();

/** Make a kind known to `transition()`, recovery and SHOW (idempotent for the same object). */
export function registerJobKind(kind: JobKind): void {
  const existing = registry.get(kind.name);
  if (existing !== undefined && existing !== kind) throw new Error(`job kind ${kind.name} is already registered`);
  registry.set(kind.name, kind);
}

export function getJobKind(name: string): JobKind {
  const kind = registry.get(name);
  if (kind === undefined) throw new Error(`unknown job kind ${name}`);
  return kind;
}

/** The state after moving `job` to `to`; throws IllegalTransitionError if its kind's table forbids the move. */
export function transition(job: { readonly kind: string; readonly state: string }, to: string): string {
  if (!canTransition(getJobKind(job.kind), job.state, to)) throw new IllegalTransitionError(job.kind, job.state, to);
  return to;
}

export type BackupState =
  | 'PENDING'
  | 'SNAPSHOTING'
  | 'UPLOAD_SNAPSHOT'
  | 'UPLOADING'
  | 'SAVE_META'
  | 'UPLOAD_INFO'
  | 'FINISHED'
  | 'CANCELLED';

/** StarRocks' BackupJob (reference §3.2). */
export const BACKUP_JOB: JobKind<BackupState> = defineJobKind<BackupState>({
  name: 'BACKUP',
  states: ['PENDING', 'SNAPSHOTING', 'UPLOAD_SNAPSHOT', 'UPLOADING', 'SAVE_META', 'UPLOAD_INFO', 'FINISHED', 'CANCELLED'],
  initial: 'PENDING',
  finished: 'FINISHED',
  cancelled: 'CANCELLED',
  transitions: {
    PENDING: ['SNAPSHOTING'],
    SNAPSHOTING: ['UPLOAD_SNAPSHOT'],
    UPLOAD_SNAPSHOT: ['UPLOADING'],
    UPLOADING: ['SAVE_META'],
    SAVE_META: ['UPLOAD_INFO'],
    UPLOAD_INFO: ['FINISHED'],
    FINISHED: [],
    CANCELLED: [],
  },
  // StarRocks logs these; PENDING→SNAPSHOTING ("snapshot tasks will be re-generated") and UPLOAD_SNAPSHOT→UPLOADING
  // ("upload tasks will be resend") are re-executed after a restart — with our per-file journal the re-sent upload
  // tasks skip every file already uploaded.
  persisted: [
    ['SNAPSHOTING', 'UPLOAD_SNAPSHOT'],
    ['UPLOADING', 'SAVE_META'],
    ['SAVE_META', 'UPLOAD_INFO'],
    ['UPLOAD_INFO', 'FINISHED'],
  ],
  stamps: { UPLOAD_SNAPSHOT: 'snapshotFinishedTime', SAVE_META: 'transferFinishedTime' },
  phaseTasks: { SNAPSHOTING: 'snapshot', UPLOADING: 'upload' },
  unfinishedFormat: { snapshot: 'tablet=backend', upload: 'task=backend' },
  retryOnError: ['UPLOAD_INFO'],
  userCancelStatus: () => ({ code: 'COMMON_ERROR', msg: 'user cancelled' }),
  timeoutStatus: () => ({ code: 'TIMEOUT', msg: '' }),
});

export type RestoreState =
  | 'PENDING'
  | 'SNAPSHOTING'
  | 'DOWNLOAD'
  | 'DOWNLOADING'
  | 'COMMIT'
  | 'COMMITTING'
  | 'FINISHED'
  | 'CANCELLED';

/** StarRocks' RestoreJob (reference §3.3). */
export const RESTORE_JOB: JobKind<RestoreState> = defineJobKind<RestoreState>({
  name: 'RESTORE',
  states: ['PENDING', 'SNAPSHOTING', 'DOWNLOAD', 'DOWNLOADING', 'COMMIT', 'COMMITTING', 'FINISHED', 'CANCELLED'],
  initial: 'PENDING',
  finished: 'FINISHED',
  cancelled: 'CANCELLED',
  transitions: {
    PENDING: ['SNAPSHOTING'],
    SNAPSHOTING: ['DOWNLOAD'],
    DOWNLOAD: ['DOWNLOADING'],
    DOWNLOADING: ['COMMIT'],
    COMMIT: ['COMMITTING'],
    COMMITTING: ['FINISHED'],
    FINISHED: [],
    CANCELLED: [],
  },
  // "PENDING state restore job will redo this method"; DOWNLOAD and COMMIT re-send their tasks.
  persisted: [
    ['SNAPSHOTING', 'DOWNLOAD'],
    ['DOWNLOADING', 'COMMIT'],
    ['COMMITTING', 'FINISHED'],
  ],
  stamps: { SNAPSHOTING: 'metaPreparedTime', DOWNLOAD: 'snapshotFinishedTime', COMMIT: 'transferFinishedTime' },
  phaseTasks: { SNAPSHOTING: 'snapshot', DOWNLOADING: 'download', COMMITTING: 'move' },
  unfinishedFormat: { snapshot: 'task=tablet', download: 'task=backend', move: 'task=tablet' },
  retryOnError: [],
  userCancelStatus: (state) => ({ code: 'COMMON_ERROR', msg: `user cancelled, current state: ${state}` }),
  // Two spaces before "timeout." — StarRocks' wording, kept for scripts that grep for it.
  timeoutStatus: (label) => ({ code: 'TIMEOUT', msg: `restore job with label: ${label}  timeout.` }),
});

registerJobKind(BACKUP_JOB);
registerJobKind(RESTORE_JOB);
