import type { Catalog } from '../catalog/catalog.ts';
import type { FileTotals } from '../catalog/jobs-files.ts';
import type { JobRow, JobTaskRow, TaskKind, TaskState } from '../catalog/jobs-types.ts';
import { getJobPlan, setJobPlan, updateJobState } from '../catalog/jobs-write.ts';
import type { Logger } from '../logging/logger.ts';
import type { Clock } from '../util/clock.ts';
import type { BackendWorkers } from './backend-workers.ts';
import type { JobDriver, StateContext } from './driver.ts';
import { JobJournal } from './job-journal.ts';
import { JobAbortError, newRuntime, type Runtime } from './job-runtime.ts';
import type { JobEvents } from './progress.ts';
import { canTransition, IllegalTransitionError, isPersisted, isTerminal, stampFor } from './state-machine.ts';
import { isFinalError, OK_STATUS, retryingStatus, statusFromError, type JobStatus } from './status.ts';
import { setRunningJobStatus } from '../catalog/jobs-status.ts';
import { backoffDelay } from '../util/backoff.ts';
import { chunkTasks, runTaskChunk, type TaskHost } from './task-execution.ts';
import { TaskTable } from './task-table.ts';

/** A job as the runner holds it in memory (see JobRunner.inspect). */
export interface JobMemory {
  /** The job's state. */
  readonly state: string;
  /** Unfinished tasks (neither done nor released) per kind. */
  readonly unfinished: Readonly<Record<TaskKind, number>>;
  /** Files and bytes done and in all. */
  readonly totals: FileTotals;
  /** Every task's state, by id. */
  readonly taskStates: ReadonlyMap<number, TaskState>;
  /** Files not yet transferred, all tasks together. */
  readonly pendingFiles: number;
}

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
  #journal: JobJournal;

  constructor(options: JobRunnerOptions) {
    this.#catalog = options.catalog;
    this.#logger = options.logger;
    this.#clock = options.clock;
    this.#workers = options.workers;
    this.#events = options.events;
    this.#retryDelayMs = options.retryDelayMs;
    this.#journal = new JobJournal(this.#catalog, this.#logger);
    this.#taskHost = {
      journal: this.#journal,
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

  /**
   * Take over `job`: a runtime holding its tasks in memory. `fresh` for a job just submitted (it has no tasks yet);
   * otherwise its tasks and pending files are loaded from the journal, once.
   */
  create(job: JobRow, driver: JobDriver, fresh = false): Runtime {
    const tasks = fresh ? TaskTable.empty(this.#catalog, job.id) : TaskTable.load(this.#catalog, job.id);
    const plan = fresh ? job.plan : getJobPlan(this.#catalog, job.id);
    const rt = newRuntime({ ...job, plan }, driver, this.#clock, tasks, !fresh);
    rt.progress.setTotals(tasks.totals);
    this.#runtimes.set(job.id, rt);
    return rt;
  }

  /** Write buffered task and file completions to the catalog now (tests and tools that read the catalog). */
  flushJournal(): void {
    this.#journal.flush();
  }

  /** What this process holds in memory about a job it runs (tools, tests), or null. */
  inspect(jobId: number): JobMemory | null {
    const rt = this.#runtimes.get(jobId);
    if (rt === undefined) return null;
    const kinds: TaskKind[] = ['snapshot', 'upload', 'download', 'move', 'release', 'verify', 'copy', 'delete'];
    return {
      state: rt.job.state,
      unfinished: Object.fromEntries(kinds.map((k) => [k, rt.tasks.unfinished(k)])) as Record<TaskKind, number>,
      totals: { ...rt.tasks.totals },
      taskStates: new Map(rt.tasks.list().map((t) => [t.id, t.state])),
      pendingFiles: rt.tasks.list().reduce((n, t) => n + rt.tasks.pendingFiles(t.id).length, 0),
    };
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
    this.#journal.flush();
    const current = rt.job;
    if (current.done || this.#runtimes.get(current.id) !== rt) return this.#retire(rt, current);
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
        rt.job = { ...rt.job, plan };
      },
      ensureTasks: (tasks) => {
        const rows = rt.tasks.ensure(tasks);
        if (tasks.some((t) => (t.files?.length ?? 0) > 0)) rt.progress.setTotals(rt.tasks.totals);
        this.#dispatch(rt, rows);
        return rows;
      },
      listTasks: (kind) => rt.tasks.list(kind),
      unfinishedTasks: (kind) => rt.tasks.unfinished(kind),
      markReleased: (ids) => {
        this.#journal.flush();
        rt.tasks.markReleased(ids);
      },
      deleteTasks: (kinds) => {
        this.#journal.flush();
        rt.tasks.delete(kinds);
        rt.progress.setTotals(rt.tasks.totals);
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
    try {
      this.#journal.flush();
    } catch (error) {
      this.#logger.error({ err: error }, 'job journal write at shutdown failed; the jobs repeat that work when resumed');
    }
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
    // The runtime holds the job as last written; nothing else writes a job this runner runs.
    const job = rt.job;
    if (job.done) return this.#retire(rt, job);
    // Steps read and write tasks through the catalog too (releases, deletions): let it agree with memory first.
    this.#journal.flush();
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
        const retrying = retryingStatus(error, attempt, delay);
        setRunningJobStatus(this.#catalog, job.id, retrying);
        // The runner's copy of the row is what the next transition compares with (it is not read back per step).
        rt.job = { ...rt.job, statusCode: retrying.code, statusMsg: retrying.msg };
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
    // Before the loop runs again (and retires a finished job, telling its waiters): they see the work done.
    if (outcome.after !== undefined) {
      await outcome.after().catch((error: unknown) => this.log(rt.job).error({ err: error }, `work after entering ${outcome.to} failed`));
    }
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
    // Every completion the move depends on is recorded before the move itself.
    this.#journal.flush();
    // A transition that publishes (RESTORE's FINISHED) commits durably: SQLite can only fsync the outermost commit.
    const tx = publish === undefined ? this.#catalog.transaction.bind(this.#catalog) : this.#catalog.durableTransaction.bind(this.#catalog);
    const row = tx(() => {
      publish?.();
      const updated = updateJobState(this.#catalog, job.id, write);
      if (updated === null) throw new Error(`job ${job.id} left state ${job.state} under its runner`);
      return updated;
    });
    // The row read back carries no plan (it lives in its own table): keep the one in memory.
    rt.job = { ...row, plan: rt.job.plan };
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

  /** Queue every pending task of `rows` not yet running, in chunks per backend and kind. */
  #dispatch(rt: Runtime, rows: readonly JobTaskRow[]): void {
    if (rt.controller.signal.aborted || this.#closed) return;
    const ready = rows.filter((t) => t.state === 'pending' && !rt.inflight.has(t.id));
    for (const chunk of chunkTasks(ready, this.#workers.concurrency, (t) => rt.tasks.pendingFiles(t.id).length)) {
      const settled = runTaskChunk(this.#taskHost, rt, chunk).finally(() => {
        for (const t of chunk) rt.inflight.delete(t.id);
      });
      for (const t of chunk) rt.inflight.set(t.id, settled);
    }
  }
}

/** Sleep until `deadline` on `clock`, in steps a timer can hold (setTimeout overflows past ~24.8 days). */
async function sleepUntil(clock: Clock, deadline: number, signal: AbortSignal): Promise<void> {
  const MAX = 2 ** 31 - 1;
  for (let left = deadline - clock.now(); left > 0; left = deadline - clock.now()) {
    await clock.sleep(Math.min(left, MAX), signal);
  }
}
