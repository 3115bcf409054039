import type { Catalog } from '../catalog/catalog.ts';
import { jobFileTotals } from '../catalog/jobs-files.ts';
import { getJob } from '../catalog/jobs-read.ts';
import { deleteTasks, ensureTasks, listTasks, countUnfinishedTasks, markTasksReleased } from '../catalog/jobs-tasks.ts';
import type { JobRow, JobTaskRow } from '../catalog/jobs-types.ts';
import { setJobPlan, updateJobState } from '../catalog/jobs-write.ts';
import type { Logger } from '../logging/logger.ts';
import type { Clock } from '../util/clock.ts';
import type { BackendWorkers } from './backend-workers.ts';
import type { JobDriver, StateContext } from './driver.ts';
import { JobAbortError, newRuntime, type Runtime } from './job-runtime.ts';
import type { JobEvents } from './progress.ts';
import { canTransition, IllegalTransitionError, isPersisted, isTerminal, stampFor } from './state-machine.ts';
import { isFinalError, OK_STATUS, retryingStatus, statusFromError, type JobStatus } from './status.ts';
import { setRunningJobStatus } from '../catalog/jobs-status.ts';
import { backoffDelay } from '../util/backoff.ts';
import { runJobTask, type TaskHost } from './task-execution.ts';

/** What the runner needs from the scheduler that owns it. */
export interface JobRunnerOptions {
  /** The job journal. */
  readonly catalog: Catalog;
  /** The scheduler's `jobs` logger. */
  readonly logger: Logger;
  /** Time source for timeouts, retries and transition stamps. */
  readonly clock: Clock;
  /** Per-backend task queues. */
  readonly workers: BackendWorkers;
  /** Where progress, state and done events go. */
  readonly events: JobEvents;
  /** Delay between retries of a state whose errors are retried. */
  readonly retryDelayMs: number;
}

/**
 * The runtime loop of every job this process runs: one coalescing state loop per job, woken by task completions,
 * cancels, timeouts and retries; each transition recorded in the catalog before anything observes it. The
 * scheduler decides which jobs exist; this runs them.
 */
export class JobRunner {
  #catalog: Catalog;
  #logger: Logger;
  #clock: Clock;
  #workers: BackendWorkers;
  #events: JobEvents;
  #retryDelayMs: number;
  #runtimes = new Map<number, Runtime>();
  /** Consecutive failures of the current state of each job whose state errors are retried (for Status). */
  #stateRetries = new Map<number, number>();
  #closed = false;
  #taskHost: TaskHost;

  constructor(options: JobRunnerOptions) {
    this.#catalog = options.catalog;
    this.#logger = options.logger;
    this.#clock = options.clock;
    this.#workers = options.workers;
    this.#events = options.events;
    this.#retryDelayMs = options.retryDelayMs;
    this.#taskHost = {
      catalog: this.#catalog,
      workers: this.#workers,
      events: this.#events,
      isClosed: () => this.#closed,
      log: (job) => this.log(job),
      kick: (rt) => this.kick(rt),
      requestCancel: (rt, status) => this.requestCancel(rt, status),
    };
  }

  /** True once `close` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Running state loops, unsettled tasks and queued tasks. */
  get activity(): { readonly loops: number; readonly tasks: number; readonly queued: number } {
    let loops = 0;
    for (const rt of this.#runtimes.values()) if (rt.running) loops++;
    return { loops, tasks: this.#workers.inflight, queued: this.#workers.queued };
  }

  /** Ids of jobs this process is running. */
  get jobIds(): number[] {
    return [...this.#runtimes.keys()];
  }

  /** The runtime of a job this process runs. */
  get(jobId: number): Runtime | undefined {
    return this.#runtimes.get(jobId);
  }

  /** The job's logger: `child({ jobId, label, state })`. */
  log(job: JobRow): Logger {
    return this.#logger.child({ jobId: job.id, label: job.label, state: job.state });
  }

  /** Take over `job`: a runtime with progress totals from the file journal. */
  create(job: JobRow, driver: JobDriver): Runtime {
    const rt = newRuntime(job, driver, this.#clock);
    rt.progress.setTotals(jobFileTotals(this.#catalog, job.id));
    this.#runtimes.set(job.id, rt);
    return rt;
  }

  /** Arm the job's timeout and run its state. */
  start(rt: Runtime): void {
    this.#armTimeout(rt);
    this.kick(rt);
  }

  /** Ask the job to cancel with `status` (the first status asked for wins) and abort what it runs. */
  requestCancel(rt: Runtime, status: JobStatus): void {
    rt.cancelStatus ??= status;
    if (!rt.controller.signal.aborted) rt.controller.abort(new JobAbortError(`job cancelled: ${status.msg}`, status));
    this.kick(rt);
  }

  /** Ask for the job's state to run again; coalesces with a run in progress. */
  kick(rt: Runtime): void {
    rt.dirty = true;
    if (rt.running || this.#closed) return;
    rt.running = true;
    rt.loop = this.#loop(rt).finally(() => {
      rt.running = false;
      // A kick that landed between the loop's last check and here would otherwise be lost.
      if (rt.dirty && !this.#closed && this.#runtimes.get(rt.job.id) === rt) this.kick(rt);
    });
  }

  /** Cancel at once: abort, let tasks settle, run the driver's cleanup, record the cancelled state and retire. */
  async cancelNow(rt: Runtime, status: JobStatus): Promise<void> {
    if (!rt.controller.signal.aborted) rt.controller.abort(new JobAbortError(`job cancelled: ${status.msg}`, status));
    await Promise.allSettled([...rt.inflight.values()]);
    const current = getJob(this.#catalog, rt.job.id);
    if (current === null || current.done) return this.#retire(rt, current ?? rt.job);
    rt.job = current;
    try {
      await rt.driver.cleanup(this.context(rt, new AbortController().signal));
    } catch (error) {
      this.log(current).error({ err: error }, 'cleanup of cancelled job failed');
    }
    this.#move(rt, current, rt.driver.kind.cancelled, undefined, status);
    this.#retire(rt, rt.job);
  }

  /** The driver's view of the job while a state runs (`signal` defaults to the job's cancel signal). */
  context(rt: Runtime, signal: AbortSignal = rt.controller.signal): StateContext {
    const catalog = this.#catalog;
    const id = rt.job.id;
    return {
      get job() {
        return rt.job;
      },
      signal,
      log: this.log(rt.job),
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
      unfinishedTasks: (kind) => countUnfinishedTasks(catalog, id, kind),
      markReleased: (ids) => markTasksReleased(catalog, ids),
      deleteTasks: (kinds) => {
        deleteTasks(catalog, id, kinds);
        rt.progress.setTotals(jobFileTotals(catalog, id));
      },
    };
  }

  /**
   * Stop: abort running steps and tasks (their jobs stay in the journal as they are, to be resumed at the next
   * open) and wait for them to settle.
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

  #armTimeout(rt: Runtime): void {
    // +1: StarRocks times out when `now - createTime > timeout`, strictly.
    const deadline = rt.job.createTime + rt.job.timeoutMs + 1;
    sleepUntil(this.#clock, deadline, rt.timers.signal).then(
      () => this.requestCancel(rt, rt.driver.kind.timeoutStatus(rt.job.label)),
      () => {},
    );
  }

  async #loop(rt: Runtime): Promise<void> {
    while (rt.dirty && !this.#closed && this.#runtimes.get(rt.job.id) === rt) {
      rt.dirty = false;
      try {
        await this.#runOnce(rt);
      } catch (error) {
        // A driver bug (illegal transition) or a catalog failure: stop the job rather than spin.
        this.log(rt.job).error({ err: error }, 'job runner failed');
        if (rt.cancelStatus !== null || this.#closed) return;
        this.requestCancel(rt, statusFromError(error));
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
    if (rt.cancelStatus !== null) return this.cancelNow(rt, rt.cancelStatus);
    let outcome;
    try {
      outcome = await rt.driver.step(this.context(rt));
    } catch (error) {
      if (rt.controller.signal.aborted || this.#closed) return;
      if ((kind.retryOnError as readonly string[]).includes(job.state) && !isFinalError(error)) {
        // Retried until the job's timeout, as StarRocks does; meanwhile Status says what fails (not only the log).
        const attempt = (this.#stateRetries.get(job.id) ?? 0) + 1;
        this.#stateRetries.set(job.id, attempt);
        const delay = backoffDelay({ baseDelayMs: this.#retryDelayMs, maxDelayMs: this.#retryDelayMs }, 1);
        setRunningJobStatus(this.#catalog, job.id, retryingStatus(error, attempt, delay));
        this.log(job).warn({ err: error, attempt, delayMs: delay }, 'step failed; will retry');
        this.#retryLater(rt, delay);
        return;
      }
      this.log(job).error({ err: error }, 'step failed; cancelling job');
      this.requestCancel(rt, statusFromError(error));
      return;
    }
    if (rt.controller.signal.aborted || this.#closed || outcome.type === 'wait') return;
    this.#move(rt, job, outcome.to, outcome.publish);
    rt.dirty = true;
  }

  #retryLater(rt: Runtime, delayMs: number): void {
    if (rt.retryPending) return;
    rt.retryPending = true;
    const wake = (): void => {
      rt.retryPending = false;
      this.kick(rt);
    };
    if (delayMs <= 0) setImmediate(wake);
    else this.#clock.sleep(delayMs, rt.timers.signal).then(wake, () => {});
  }

  /** Record a transition (and run `publish` in the same transaction). Throws on a move the table forbids. */
  #move(rt: Runtime, job: JobRow, to: string, publish?: () => void, status?: JobStatus): void {
    const kind = rt.driver.kind;
    if (!canTransition(kind, job.state, to)) throw new IllegalTransitionError(kind.name, job.state, to);
    const at = this.#clock.now();
    // A state that passed after retries leaves its retry status behind: back to OK (a cancel brings its own).
    this.#stateRetries.delete(job.id);
    const shown = status ?? (job.statusCode === 'OK' ? undefined : OK_STATUS);
    const write = {
      from: job.state,
      to,
      checkpoint: isPersisted(kind, job.state, to),
      done: isTerminal(kind, to),
      stamp: stampFor(kind, to),
      at,
      ...(shown === undefined ? {} : { status: shown }),
    };
    // A transition that publishes (RESTORE's FINISHED) commits durably: SQLite can only fsync the outermost commit.
    const tx = publish === undefined ? this.#catalog.transaction.bind(this.#catalog) : this.#catalog.durableTransaction.bind(this.#catalog);
    const row = tx(() => {
      publish?.();
      const updated = updateJobState(this.#catalog, job.id, write);
      if (updated === null) throw new Error(`job ${job.id} left state ${job.state} under its runner`);
      return updated;
    });
    rt.job = row;
    this.log(row).info({ from: job.state, status }, `state ${job.state} -> ${to}`);
    this.#events.emitState({ jobId: row.id, kind: row.kind, label: row.label, from: job.state, to, at });
    this.#events.emitProgress(rt.progress.event(row));
  }

  #retire(rt: Runtime, job: JobRow): void {
    if (this.#runtimes.get(job.id) !== rt) return;
    this.#runtimes.delete(job.id);
    this.#stateRetries.delete(job.id);
    rt.timers.abort();
    if (!rt.controller.signal.aborted) rt.controller.abort(new JobAbortError('job is done', null));
    this.log(job).info({ status: `${job.statusCode} ${job.statusMsg}` }, 'job done');
    this.#events.emitDone(job);
  }

  #dispatch(rt: Runtime, task: JobTaskRow): void {
    if (task.state !== 'pending' || rt.inflight.has(task.id) || rt.controller.signal.aborted || this.#closed) return;
    const settled = runJobTask(this.#taskHost, rt, task).finally(() => {
      rt.inflight.delete(task.id);
      rt.progress.taskSettled(task.id);
    });
    rt.inflight.set(task.id, settled);
  }
}

/** Sleep until `deadline` on `clock`, in steps a timer can hold (setTimeout overflows past ~24.8 days). */
async function sleepUntil(clock: Clock, deadline: number, signal: AbortSignal): Promise<void> {
  const MAX = 2 ** 31 - 1;
  for (let left = deadline - clock.now(); left > 0; left = deadline - clock.now()) {
    await clock.sleep(Math.min(left, MAX), signal);
  }
}
