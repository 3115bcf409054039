import { setMaxListeners } from 'node:events';
import type { Catalog } from '../catalog/catalog.ts';
import { listTaskFiles, jobFileTotals, markFileDone } from '../catalog/jobs-files.ts';
import { getJob, lastJobOfDb, listLiveJobs } from '../catalog/jobs-read.ts';
import {
  completeTask,
  deleteTasks,
  ensureTasks,
  failTask,
  listTasks,
  markTasksReleased,
  recordTaskAttemptError,
} from '../catalog/jobs-tasks.ts';
import type { JobRow, JobTaskRow, JsonValue } from '../catalog/jobs-types.ts';
import { insertJob, rewindJobToCheckpoint, setJobPlan, updateJobState } from '../catalog/jobs-write.ts';
import { ddlError } from '../errors/index.ts';
import type { Logger } from '../logging/logger.ts';
import type { Clock } from '../util/clock.ts';
import { systemClock } from '../util/clock.ts';
import { BackendWorkers, type BackendWorkersOptions } from './backend-workers.ts';
import type { JobDriver, StateContext, TaskIO } from './driver.ts';
import { JobEvents, ProgressTracker, type ProgressEvent } from './progress.ts';
import { canTransition, IllegalTransitionError, isPersisted, isTerminal, stampFor } from './state-machine.ts';
import { statusFromError, type JobStatus } from './status.ts';
import { SubmitLock } from './submit-lock.ts';

export interface SchedulerOptions {
  readonly catalog: Catalog;
  /** Root logger; each job logs through `child({ jobId, label, state })`. */
  readonly logger: Logger;
  /** One driver per job kind this scheduler runs. */
  readonly drivers: readonly JobDriver[];
  readonly clock?: Clock;
  readonly workers?: BackendWorkersOptions;
  /** How long a submission waits for another one (StarRocks: 10 s). */
  readonly submitLockTimeoutMs?: number;
  /** Delay between retries of a state whose errors are retried (backup UPLOAD_INFO); StarRocks retries each 3 s tick. */
  readonly retryDelayMs?: number;
  /** Job ids; defaults to the catalog's global id sequence. */
  readonly nextId?: () => number;
}

export interface SubmitRequest {
  /** Job kind name (`BACKUP`, `RESTORE`, …); a driver for it must be registered. */
  readonly kind: string;
  /** Database the job works on (`-1` for an external-catalog job: one at a time cluster-wide, as in StarRocks). */
  readonly dbId: number;
  readonly dbName: string;
  readonly label: string;
  readonly repoName: string;
  readonly timeoutMs: number;
  /** Statement properties as given (never secrets). */
  readonly properties: Readonly<Record<string, string>>;
  /** Kind-specific request (BackupSpec / RestoreSpec). */
  readonly spec: JsonValue;
  /**
   * Checks that run under the submit lock after the one-job-per-database check, in StarRocks' order: read-only
   * repository, tables and partitions, label uniqueness, metadata download. Throw a SqlError to refuse the job.
   */
  readonly precheck?: () => Promise<void> | void;
}

export interface RecoveryReport {
  /** Jobs resuming (in their checkpoint state). */
  readonly resumed: readonly JobRow[];
  /** Jobs that could not resume and were cancelled with the reason in their status. */
  readonly cancelled: readonly JobRow[];
  /** Local snapshot dirs still owned by live jobs: the store must keep these and may release every other one. */
  readonly ownedSnapshotDirs: readonly string[];
}

const NO_JOB_MESSAGE: Readonly<Record<string, string>> = {
  BACKUP: 'No backup job is currently running',
  RESTORE: 'No restore is currently running',
};

/** Why a job's signal was aborted. */
export class JobAbortError extends Error {
  override name = 'JobAbortError';
  readonly status: JobStatus | null;

  constructor(message: string, status: JobStatus | null) {
    super(message);
    this.status = status;
  }
}

interface Runtime {
  job: JobRow;
  readonly driver: JobDriver;
  /** Aborts the running step and every task: cancel or shutdown. */
  readonly controller: AbortController;
  /** Aborts the timeout timer and retry sleeps. */
  readonly timers: AbortController;
  readonly inflight: Map<number, Promise<void>>;
  readonly progress: ProgressTracker;
  running: boolean;
  dirty: boolean;
  retryPending: boolean;
  cancelStatus: JobStatus | null;
  loop: Promise<void> | null;
  lastBytesEvent: number;
}

/**
 * The BackupHandler of tablevault: runs every job kind's state machine with at most one unfinished job per
 * database, reacting to task completions at once instead of polling every 3 s (a timer exists only for timeouts and
 * retries). Every state change goes to the catalog first, so SHOW, history and recovery all read the journal.
 */
export class JobScheduler {
  /** Progress, state and done events of every job. */
  readonly events = new JobEvents();
  #catalog: Catalog;
  #logger: Logger;
  #clock: Clock;
  #drivers: Map<string, JobDriver>;
  #workers: BackendWorkers;
  #lock: SubmitLock;
  #lockTimeoutMs: number;
  #retryDelayMs: number;
  #nextId: () => number;
  #runtimes = new Map<number, Runtime>();
  #closed = false;

  constructor(options: SchedulerOptions) {
    this.#catalog = options.catalog;
    this.#logger = options.logger.child({ component: 'jobs' });
    this.#clock = options.clock ?? systemClock;
    this.#drivers = new Map(options.drivers.map((d) => [d.kind.name, d]));
    this.#workers = new BackendWorkers({ clock: this.#clock, ...options.workers });
    this.#lock = new SubmitLock(this.#clock);
    this.#lockTimeoutMs = options.submitLockTimeoutMs ?? 10_000;
    this.#retryDelayMs = options.retryDelayMs ?? 3000;
    this.#nextId = options.nextId ?? (() => this.#catalog.nextId());
  }

  /** Number of jobs whose state loop is running right now plus tasks not yet settled (tests wait for 0). */
  get activity(): { readonly loops: number; readonly tasks: number; readonly queued: number } {
    let loops = 0;
    for (const rt of this.#runtimes.values()) if (rt.running) loops++;
    return { loops, tasks: this.#workers.inflight, queued: this.#workers.queued };
  }

  /** Ids of jobs this process is running. */
  get runningJobIds(): number[] {
    return [...this.#runtimes.keys()];
  }

  /**
   * Submit a job (BackupHandler.process): take the submit lock (`Another backup or restore job is being submitted.
   * Please wait and try again` after the timeout), refuse a second unfinished job in the database, run the caller's
   * prechecks, record the job in PENDING and start it. Resolves with the new row; the job runs in the background.
   */
  async submit(request: SubmitRequest): Promise<JobRow> {
    this.#assertOpen();
    const driver = this.#drivers.get(request.kind);
    if (driver === undefined) throw new Error(`no driver for job kind ${request.kind}`);
    const release = await this.#lock.tryLock(this.#lockTimeoutMs);
    if (release === null) throw ddlError('Another backup or restore job is being submitted. Please wait and try again');
    try {
      const last = lastJobOfDb(this.#catalog, request.dbId);
      if (last !== null && !last.done) {
        throw ddlError(
          request.dbId === -1
            ? 'Can only run one backup or restore job of external catalog'
            : 'Can only run one backup or restore job of a database at same time',
        );
      }
      await request.precheck?.();
      const job = insertJob(this.#catalog, {
        id: this.#nextId(),
        kind: request.kind,
        dbId: request.dbId,
        dbName: request.dbName,
        label: request.label,
        repoName: request.repoName,
        state: driver.kind.initial,
        properties: request.properties,
        spec: request.spec,
        createTime: this.#clock.now(),
        timeoutMs: request.timeoutMs,
      });
      const rt = this.#createRuntime(job, driver);
      this.#log(job).info({ repo: job.repoName, timeoutMs: job.timeoutMs }, 'job submitted');
      this.#armTimeout(rt);
      this.#kick(rt);
      return job;
    } finally {
      release();
    }
  }

  /** Run `fn` under the submit lock (DROP REPOSITORY, DROP SNAPSHOT take it too). */
  async withSubmitLock<T>(fn: () => Promise<T> | T): Promise<T> {
    const release = await this.#lock.tryLock(this.#lockTimeoutMs);
    if (release === null) throw ddlError('Another backup or restore job is being submitted. Please wait and try again');
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /**
   * `CANCEL BACKUP|RESTORE FROM db`: cancel the database's last job if it is of `kind` and not done. Resolves with
   * the CANCELLED row once local snapshots are released and whatever was created invisibly is dropped.
   */
  async cancel(kind: string, dbId: number): Promise<JobRow> {
    this.#assertOpen();
    const job = lastJobOfDb(this.#catalog, dbId);
    if (job === null || job.kind !== kind) {
      throw ddlError(NO_JOB_MESSAGE[kind] ?? `No ${kind.toLowerCase()} job is currently running`);
    }
    if (job.done) {
      throw ddlError(`Failed to cancel job: Job with label ${job.label} can not be cancelled. state: ${job.state}`);
    }
    const driver = this.#drivers.get(job.kind);
    if (driver === undefined) throw new Error(`no driver for job kind ${job.kind}`);
    const rt = this.#runtimes.get(job.id) ?? this.#createRuntime(job, driver);
    this.#requestCancel(rt, driver.kind.userCancelStatus(job.state));
    return this.waitForJob(job.id);
  }

  /** Cancel one job by id with a given status (timeouts, admin tools, tests). No-op for a done job. */
  async cancelJob(jobId: number, status: JobStatus): Promise<JobRow> {
    const job = getJob(this.#catalog, jobId);
    if (job === null) throw new Error(`job ${jobId} does not exist`);
    if (job.done) return job;
    const driver = this.#drivers.get(job.kind);
    if (driver === undefined) throw new Error(`no driver for job kind ${job.kind}`);
    this.#requestCancel(this.#runtimes.get(job.id) ?? this.#createRuntime(job, driver), status);
    return this.waitForJob(jobId);
  }

  /** The job's row now, or null. */
  getJob(jobId: number): JobRow | null {
    return getJob(this.#catalog, jobId);
  }

  /** Resolve with the job's final row (FINISHED or CANCELLED). */
  waitForJob(jobId: number, options: { signal?: AbortSignal } = {}): Promise<JobRow> {
    return this.events.waitFor(jobId, () => getJob(this.#catalog, jobId), options.signal);
  }

  /** Progress events of one job until it is done. */
  watch(jobId: number, options: { signal?: AbortSignal } = {}): AsyncGenerator<ProgressEvent> {
    const job = getJob(this.#catalog, jobId);
    if (job === null) throw new Error(`job ${jobId} does not exist`);
    return this.events.watch(job, (j) => this.progressOf(j), options.signal);
  }

  /** The job's progress now. */
  progressOf(job: JobRow): ProgressEvent {
    const rt = this.#runtimes.get(job.id);
    if (rt !== undefined) return rt.progress.event(job);
    const tracker = new ProgressTracker(this.#clock);
    tracker.setTotals(jobFileTotals(this.#catalog, job.id));
    return tracker.event(job);
  }

  /**
   * At open: resume every unfinished job from its checkpoint (states after it are re-executed; finished files are
   * not transferred again), or cancel it with the reason when it cannot resume (its drivers releases what it
   * holds). Reports the snapshot dirs live jobs still own.
   */
  async recover(): Promise<RecoveryReport> {
    this.#assertOpen();
    const resumed: JobRow[] = [];
    const cancelled: JobRow[] = [];
    for (const stored of listLiveJobs(this.#catalog)) {
      if (this.#runtimes.has(stored.id)) continue;
      const driver = this.#drivers.get(stored.kind);
      if (driver === undefined) {
        this.#log(stored).error('no driver for this job kind; left as is');
        continue;
      }
      const job = stored.state === stored.checkpointState ? stored : rewindJobToCheckpoint(this.#catalog, stored.id);
      const rt = this.#createRuntime(job, driver);
      let reason: string | null;
      try {
        reason = await driver.prepareResume(this.#context(rt), stored.state);
      } catch (error) {
        reason = statusFromError(error).msg;
      }
      if (reason !== null) {
        this.#log(job).warn({ reason, interruptedIn: stored.state }, 'job can not resume; cancelling');
        await this.#cancelNow(rt, { code: 'COMMON_ERROR', msg: `job can not resume after restart: ${reason}` });
        cancelled.push(getJob(this.#catalog, job.id) ?? job);
      } else {
        this.#log(rt.job).info({ interruptedIn: stored.state }, 'job resumed');
        this.#armTimeout(rt);
        this.#kick(rt);
        resumed.push(rt.job);
      }
    }
    return { resumed, cancelled, ownedSnapshotDirs: this.ownedSnapshotDirs() };
  }

  /** Local snapshot dirs that unfinished jobs hold (finished snapshot tasks not yet released). */
  ownedSnapshotDirs(): string[] {
    const dirs: string[] = [];
    for (const job of listLiveJobs(this.#catalog)) {
      for (const t of listTasks(this.#catalog, job.id, 'snapshot')) {
        const dir = t.state === 'done' ? snapshotDirOf(t.result) : null;
        if (dir !== null) dirs.push(dir);
      }
    }
    return dirs;
  }

  /**
   * Stop: abort running steps and tasks (their jobs stay in the journal as they are, to be resumed by `recover`
   * at the next open) and wait for them to settle. The catalog can be closed afterwards.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const settling: Promise<unknown>[] = [];
    for (const rt of this.#runtimes.values()) {
      rt.controller.abort(new JobAbortError('engine is shutting down', null));
      rt.timers.abort();
      if (rt.loop !== null) settling.push(rt.loop);
      settling.push(...rt.inflight.values());
    }
    this.#workers.clear();
    await Promise.allSettled(settling);
    await this.#workers.onIdle();
    this.#runtimes.clear();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('job scheduler is closed');
  }

  #log(job: JobRow): Logger {
    return this.#logger.child({ jobId: job.id, label: job.label, state: job.state });
  }

  #createRuntime(job: JobRow, driver: JobDriver): Runtime {
    // Every in-flight transfer of the job (per-backend queues × concurrency, SDK requests) listens on this signal at
    // once; more than Node's default of 10 is expected, not a leak (each removes its listener when it settles).
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    const rt: Runtime = {
      job,
      driver,
      controller,
      timers: new AbortController(),
      inflight: new Map(),
      progress: new ProgressTracker(this.#clock),
      running: false,
      dirty: false,
      retryPending: false,
      cancelStatus: null,
      loop: null,
      lastBytesEvent: 0,
    };
    rt.progress.setTotals(jobFileTotals(this.#catalog, job.id));
    this.#runtimes.set(job.id, rt);
    return rt;
  }

  #armTimeout(rt: Runtime): void {
    // +1: StarRocks times out when `now - createTime > timeout`, strictly.
    const deadline = rt.job.createTime + rt.job.timeoutMs + 1;
    sleepUntil(this.#clock, deadline, rt.timers.signal).then(
      () => this.#requestCancel(rt, rt.driver.kind.timeoutStatus(rt.job.label)),
      () => {},
    );
  }

  #requestCancel(rt: Runtime, status: JobStatus): void {
    rt.cancelStatus ??= status;
    if (!rt.controller.signal.aborted) rt.controller.abort(new JobAbortError(`job cancelled: ${status.msg}`, status));
    this.#kick(rt);
  }

  /** Ask for the job's state to run again; coalesces with a run in progress. */
  #kick(rt: Runtime): void {
    rt.dirty = true;
    if (rt.running || this.#closed) return;
    rt.running = true;
    rt.loop = this.#loop(rt).finally(() => {
      rt.running = false;
      // A kick that landed between the loop's last check and here would otherwise be lost.
      if (rt.dirty && !this.#closed && this.#runtimes.get(rt.job.id) === rt) this.#kick(rt);
    });
  }

  async #loop(rt: Runtime): Promise<void> {
    while (rt.dirty && !this.#closed && this.#runtimes.get(rt.job.id) === rt) {
      rt.dirty = false;
      try {
        await this.#runOnce(rt);
      } catch (error) {
        // A driver bug (illegal transition) or a catalog failure: stop the job rather than spin.
        this.#log(rt.job).error({ err: error }, 'job runner failed');
        if (rt.cancelStatus !== null || this.#closed) return;
        this.#requestCancel(rt, statusFromError(error));
      }
    }
  }

  async #runOnce(rt: Runtime): Promise<void> {
    const job = getJob(this.#catalog, rt.job.id);
    if (job === null || job.done) return this.#retire(rt, job ?? rt.job);
    rt.job = job;
    const kind = rt.driver.kind;
    if (rt.cancelStatus === null && this.#clock.now() - job.createTime > job.timeoutMs) {
      rt.cancelStatus = kind.timeoutStatus(job.label);
    }
    if (rt.cancelStatus !== null) return this.#cancelNow(rt, rt.cancelStatus);
    let outcome;
    try {
      outcome = await rt.driver.step(this.#context(rt));
    } catch (error) {
      if (rt.controller.signal.aborted || this.#closed) return;
      if ((kind.retryOnError as readonly string[]).includes(job.state)) {
        this.#log(job).warn({ err: error }, 'step failed; will retry');
        this.#retryLater(rt);
        return;
      }
      this.#log(job).error({ err: error }, 'step failed; cancelling job');
      this.#requestCancel(rt, statusFromError(error));
      return;
    }
    if (rt.controller.signal.aborted || this.#closed || outcome.type === 'wait') return;
    this.#move(rt, job, outcome.to, outcome.publish);
    rt.dirty = true;
  }

  #retryLater(rt: Runtime): void {
    if (rt.retryPending) return;
    rt.retryPending = true;
    const wake = (): void => {
      rt.retryPending = false;
      this.#kick(rt);
    };
    if (this.#retryDelayMs <= 0) setImmediate(wake);
    else this.#clock.sleep(this.#retryDelayMs, rt.timers.signal).then(wake, () => {});
  }

  /** Record a transition (and run `publish` in the same transaction). Throws on a move the table forbids. */
  #move(rt: Runtime, job: JobRow, to: string, publish?: () => void, status?: JobStatus): void {
    const kind = rt.driver.kind;
    if (!canTransition(kind, job.state, to)) throw new IllegalTransitionError(kind.name, job.state, to);
    const at = this.#clock.now();
    const write = {
      from: job.state,
      to,
      checkpoint: isPersisted(kind, job.state, to),
      done: isTerminal(kind, to),
      stamp: stampFor(kind, to),
      at,
      ...(status === undefined ? {} : { status }),
    };
    const row = this.#catalog.transaction(() => {
      publish?.();
      const updated = updateJobState(this.#catalog, job.id, write);
      if (updated === null) throw new Error(`job ${job.id} left state ${job.state} under its runner`);
      return updated;
    });
    rt.job = row;
    this.#log(row).info({ from: job.state, status }, `state ${job.state} -> ${to}`);
    this.events.emitState({ jobId: row.id, kind: row.kind, label: row.label, from: job.state, to, at });
    this.events.emitProgress(rt.progress.event(row));
  }

  async #cancelNow(rt: Runtime, status: JobStatus): Promise<void> {
    if (!rt.controller.signal.aborted) rt.controller.abort(new JobAbortError(`job cancelled: ${status.msg}`, status));
    await Promise.allSettled([...rt.inflight.values()]);
    const current = getJob(this.#catalog, rt.job.id);
    if (current === null || current.done) return this.#retire(rt, current ?? rt.job);
    rt.job = current;
    try {
      await rt.driver.cleanup(this.#context(rt, new AbortController().signal));
    } catch (error) {
      this.#log(current).error({ err: error }, 'cleanup of cancelled job failed');
    }
    this.#move(rt, current, rt.driver.kind.cancelled, undefined, status);
    this.#retire(rt, rt.job);
  }

  #retire(rt: Runtime, job: JobRow): void {
    if (this.#runtimes.get(job.id) !== rt) return;
    this.#runtimes.delete(job.id);
    rt.timers.abort();
    if (!rt.controller.signal.aborted) rt.controller.abort(new JobAbortError('job is done', null));
    this.#log(job).info({ status: `${job.statusCode} ${job.statusMsg}` }, 'job done');
    this.events.emitDone(job);
  }

  #context(rt: Runtime, signal: AbortSignal = rt.controller.signal): StateContext {
    const catalog = this.#catalog;
    const id = rt.job.id;
    return {
      get job() {
        return rt.job;
      },
      signal,
      log: this.#log(rt.job),
      clock: this.#clock,
      setPlan: (plan) => {
        setJobPlan(catalog, id, plan);
        rt.job = getJob(catalog, id) ?? rt.job;
      },
      ensureTasks: (tasks) => {
        const rows = ensureTasks(catalog, id, tasks);
        if (tasks.some((t) => (t.files?.length ?? 0) > 0)) rt.progress.setTotals(jobFileTotals(catalog, id));
        for (const row of rows) this.#dispatch(rt, row);
        return rows;
      },
      listTasks: (kind) => listTasks(catalog, id, kind),
      markReleased: (ids) => markTasksReleased(catalog, ids),
      deleteTasks: (kinds) => {
        deleteTasks(catalog, id, kinds);
        rt.progress.setTotals(jobFileTotals(catalog, id));
      },
    };
  }

  #dispatch(rt: Runtime, task: JobTaskRow): void {
    if (task.state !== 'pending' || rt.inflight.has(task.id) || rt.controller.signal.aborted || this.#closed) return;
    const settled = this.#runTask(rt, task).finally(() => {
      rt.inflight.delete(task.id);
      rt.progress.taskSettled(task.id);
    });
    rt.inflight.set(task.id, settled);
  }

  async #runTask(rt: Runtime, task: JobTaskRow): Promise<void> {
    const signal = rt.controller.signal;
    const log = this.#log(rt.job).child({ taskId: task.id, task: task.kind, backendId: task.backendId });
    const catalog = this.#catalog;
    try {
      const result = await this.#workers.run(
        task.backendId,
        (s) => {
          // A retry starts over from the files still pending; bytes of the interrupted file are not done.
          rt.progress.taskSettled(task.id);
          const pendingFiles = listTaskFiles(catalog, task.id, true);
          const sizes = new Map(pendingFiles.map((f) => [`${f.tabletId}/${f.name}`, f.size]));
          const io: TaskIO = {
            signal: s,
            pendingFiles,
            job: rt.job,
            log,
            fileDone: (tabletId, name) => {
              if (!catalog.db.open || !markFileDone(catalog, task.id, tabletId, name)) return;
              rt.progress.fileDone(task.id, sizes.get(`${tabletId}/${name}`) ?? 0);
              this.events.emitProgress(rt.progress.event(rt.job));
            },
            addBytes: (bytes) => {
              rt.progress.addBytes(task.id, bytes);
              // Byte-level events are throttled on wall time: they are for humans watching a bar.
              const now = Date.now();
              if (now - rt.lastBytesEvent < 250) return;
              rt.lastBytesEvent = now;
              this.events.emitProgress(rt.progress.event(rt.job));
            },
          };
          return rt.driver.runTask(task, io);
        },
        {
          signal,
          onAttemptError: (error, attempt, willRetry) => {
            if (!willRetry || signal.aborted) return;
            const msg = statusFromError(error).msg;
            recordTaskAttemptError(catalog, task.id, msg);
            log.warn({ err: error, attempt }, 'task attempt failed; retrying');
          },
        },
      );
      // Record even a result that lands after a cancel: the snapshot exists and cleanup must find it to release it.
      if (!catalog.db.open) return;
      completeTask(catalog, task.id, result);
      if (!signal.aborted && !this.#closed) this.#kick(rt);
    } catch (error) {
      if (signal.aborted || this.#closed) return;
      const status = statusFromError(error);
      failTask(catalog, task.id, status.msg);
      log.error({ err: error }, 'task failed; cancelling job');
      this.#requestCancel(rt, status);
    }
  }
}

/** The `dir` of a snapshot task's result, if it has one. */
export function snapshotDirOf(result: JsonValue | null): string | null {
  if (result === null || typeof result !== 'object' || Array.isArray(result)) return null;
  const dir = (result as { readonly [k: string]: JsonValue })['dir'];
  return typeof dir === 'string' ? dir : null;
}

/** Sleep until `deadline` on `clock`, in steps a timer can hold (setTimeout overflows past ~24.8 days). */
async function sleepUntil(clock: Clock, deadline: number, signal: AbortSignal): Promise<void> {
  const MAX = 2 ** 31 - 1;
  for (let left = deadline - clock.now(); left > 0; left = deadline - clock.now()) {
    await clock.sleep(Math.min(left, MAX), signal);
  }
}
