import type { Logger } from '../logging/logger.ts';
import type { Clock } from '../util/clock.ts';
import type { JobFileRow, JobRow, JobTaskRow, JsonValue, NewTask, TaskKind } from '../catalog/jobs-types.ts';
import type { JobKind } from './state-machine.ts';

/**
 * What a kind's runner plugs into the scheduler. The scheduler owns states, persistence, timeouts, cancellation,
 * tasks and progress; a driver only says what each state does. BACKUP and RESTORE drivers are built from
 * BackupSteps / RestoreSteps (./steps.ts); VERIFY, COPY and DROP SNAPSHOT add their own.
 */
export interface JobDriver {
  /** The state machine this driver runs. */
  readonly kind: JobKind;
  /**
   * Do the current state's action and say what comes next. Called again whenever one of the job's tasks finishes,
   * so a waiting state checks its tasks and returns `wait` until they are all done. Must be idempotent: after a
   * restart the state (or an earlier checkpoint) runs again.
   */
  step(ctx: StateContext): Promise<StateOutcome>;
  /**
   * Run a chunk of tasks of one kind on one backend (the scheduler groups a state's tasks so that thousands of small
   * tablets cost a few calls, not thousands). Report each task with `io.taskDone(taskId, result)` as soon as it is
   * done — a retry after a transient error hands over only the tasks not reported yet. Honour `io.signal`. To let the
   * scheduler record which task failed, throw through `taskError(error, taskId)`.
   */
  runTasks(tasks: readonly JobTaskRow[], io: TaskBatchIO): Promise<void>;
  /**
   * Release what a cancelled job holds (local snapshots, temp dirs) and undo what it created but never published.
   * Idempotent; errors are logged, never block the cancel.
   */
  cleanup(ctx: StateContext): Promise<void>;
  /**
   * Called at recovery, after the job was put back in its checkpoint state (`ctx.job.state`; `interruptedIn` is the
   * state it was in when the process stopped). Prepare the re-execution (e.g. discard the tasks of a PENDING that
   * will run again) and return null to resume, or a reason to cancel the job instead (e.g. snapshots gone).
   */
  prepareResume(ctx: StateContext, interruptedIn: string): Promise<string | null>;
}

/**
 * What the next state is. `publish` runs inside the same catalog transaction that records the move; `after` runs
 * once that transaction committed (what may only go once the move is durable, e.g. files a crash before the commit
 * would still need); its errors are logged.
 */
export type StateOutcome =
  | { readonly type: 'next'; readonly to: string; readonly publish?: () => void; readonly after?: () => Promise<unknown> }
  | { readonly type: 'wait' };

export const WAIT: StateOutcome = { type: 'wait' };

export function next(to: string, publish?: () => void, after?: () => Promise<unknown>): StateOutcome {
  return { type: 'next', to, ...(publish === undefined ? {} : { publish }), ...(after === undefined ? {} : { after }) };
}

/** A driver's view of its job while a state runs. */
export interface StateContext {
  /** The job as persisted right now. */
  readonly job: JobRow;
  /** Aborted when the job is cancelled (user, timeout, failure) or the engine shuts down. */
  readonly signal: AbortSignal;
  /** `logger.child({ jobId, label, state })`. */
  readonly log: Logger;
  readonly clock: Clock;
  /** Persist the job's plan (null clears it). */
  setPlan(plan: JsonValue | null): void;
  /**
   * Create the given tasks unless they exist (by `taskKey`) and queue every one not yet done on its backend.
   * Returns the rows in the given order. When a task finishes, the job's current state runs again.
   */
  ensureTasks(tasks: readonly NewTask[]): JobTaskRow[];
  /** The job's tasks, optionally of one kind, in creation order. */
  listTasks(kind?: TaskKind): JobTaskRow[];
  /** How many tasks of `kind` are neither done nor released (cheap: call it on every step). */
  unfinishedTasks(kind: TaskKind): number;
  /** Mark finished snapshot tasks released (their dirs are no longer owned by the job). */
  markReleased(taskIds: readonly number[]): void;
  /** Delete the job's tasks of the given kinds (and their file journal). */
  deleteTasks(kinds: readonly TaskKind[]): void;
}

/** What a running chunk of tasks can do. */
export interface TaskBatchIO {
  /** Aborted on cancel / shutdown: stop promptly, leave no partial file under a final name. */
  readonly signal: AbortSignal;
  /** The job the tasks belong to. */
  readonly job: JobRow;
  readonly log: Logger;
  /**
   * Whether what these tasks write may already be at its destination: the job resumed after a restart, or this is a
   * retry. False for a job's first attempt, whose label is new: steps then skip looking before writing.
   */
  readonly mayExist: boolean;
  /** A task's files not yet transferred (already-done files are never handed out again). */
  pendingFiles(taskId: number): readonly JobFileRow[];
  /**
   * Record one file as transferred. Call only once the file is durable at its destination: the journal may write
   * it at once, and a restart does not transfer it again.
   */
  fileDone(taskId: number, tabletId: number, name: string): void;
  /** Count bytes sent / received so far for progress (not persisted). */
  addBytes(taskId: number, bytes: number): void;
  /** Record a task done with its result (stored as the task's result JSON). */
  taskDone(taskId: number, result: JsonValue): void;
}

const failedTasks = new WeakMap<object, number>();

/** Mark `error` as the failure of task `taskId` (the scheduler records it on that task); returns the error. */
export function taskError<E>(error: E, taskId: number): E {
  if (typeof error === 'object' && error !== null && !failedTasks.has(error)) failedTasks.set(error, taskId);
  return error;
}

/** The task an error was marked with by `taskError`, if any. */
export function failedTaskOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null ? failedTasks.get(error) : undefined;
}
