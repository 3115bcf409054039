import type { Catalog } from '../catalog/catalog.ts';
import { jobFileTotals } from '../catalog/jobs-files.ts';
import { getJob, lastJobOfDb } from '../catalog/jobs-read.ts';
import type { JobRow, JsonValue } from '../catalog/jobs-types.ts';
import { insertJob } from '../catalog/jobs-write.ts';
import { ddlError } from '../errors/index.ts';
import type { Logger } from '../logging/logger.ts';
import type { Clock } from '../util/clock.ts';
import { systemClock } from '../util/clock.ts';
import { BackendWorkers, type BackendWorkersOptions } from './backend-workers.ts';
import type { JobDriver } from './driver.ts';
import { JobRunner, type JobMemory } from './job-runner.ts';
import { JobEvents, ProgressTracker, type ProgressEvent } from './progress.ts';
import { ownedSnapshotDirs, recoverJobs, type RecoveryReport } from './recovery.ts';
import type { JobStatus } from './status.ts';
import { SubmitLock } from './submit-lock.ts';

// The job engine is split by concept: this facade (submission, cancel, queries), the per-job runtime loop
// (job-runner.ts, job-runtime.ts), task execution (task-execution.ts) and restart recovery (recovery.ts).
export { JobAbortError } from './job-runtime.ts';
export { snapshotDirOf, type RecoveryReport } from './recovery.ts';
export type { JobMemory } from './job-runner.ts';

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

const NO_JOB_MESSAGE: Readonly<Record<string, string>> = {
  BACKUP: 'No backup job is currently running',
  RESTORE: 'No restore is currently running',
};

/**
 * The BackupHandler of tablevault: runs every job kind's state machine with at most one unfinished job per
 * database, reacting to task completions at once instead of polling every 3 s (a timer exists only for timeouts and
 * retries). Every state change goes to the catalog first, so SHOW, history and recovery all read the journal.
 */
export class JobScheduler {
  /** Progress, state and done events of every job. */
  readonly events = new JobEvents();
  #catalog: Catalog;
  #clock: Clock;
  #drivers: Map<string, JobDriver>;
  #runner: JobRunner;
  #lock: SubmitLock;
  #lockTimeoutMs: number;
  #nextId: () => number;

  constructor(options: SchedulerOptions) {
    this.#catalog = options.catalog;
    this.#clock = options.clock ?? systemClock;
    this.#drivers = new Map(options.drivers.map((d) => [d.kind.name, d]));
    this.#runner = new JobRunner({
      catalog: this.#catalog,
      logger: options.logger.child({ component: 'jobs' }),
      clock: this.#clock,
      workers: new BackendWorkers({ clock: this.#clock, ...options.workers }),
      events: this.events,
      retryDelayMs: options.retryDelayMs ?? 3000,
    });
    this.#lock = new SubmitLock(this.#clock);
    this.#lockTimeoutMs = options.submitLockTimeoutMs ?? 10_000;
    this.#nextId = options.nextId ?? (() => this.#catalog.nextId());
  }

  /** Number of jobs whose state loop is running right now plus tasks not yet settled (tests wait for 0). */
  get activity(): { readonly loops: number; readonly tasks: number; readonly queued: number } {
    return this.#runner.activity;
  }

  /** Ids of jobs this process is running. */
  get runningJobIds(): number[] {
    return this.#runner.jobIds;
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
      const rt = this.#runner.create(job, driver, true);
      this.#runner.log(job).info({ repo: job.repoName, timeoutMs: job.timeoutMs }, 'job submitted');
      this.#runner.start(rt);
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
    const rt = this.#runner.get(job.id) ?? this.#runner.create(job, driver);
    this.#runner.requestCancel(rt, driver.kind.userCancelStatus(job.state));
    return this.waitForJob(job.id);
  }

  /** Cancel one job by id with a given status (timeouts, admin tools, tests). No-op for a done job. */
  async cancelJob(jobId: number, status: JobStatus): Promise<JobRow> {
    const job = getJob(this.#catalog, jobId);
    if (job === null) throw new Error(`job ${jobId} does not exist`);
    if (job.done) return job;
    const driver = this.#drivers.get(job.kind);
    if (driver === undefined) throw new Error(`no driver for job kind ${job.kind}`);
    this.#runner.requestCancel(this.#runner.get(job.id) ?? this.#runner.create(job, driver), status);
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
    const rt = this.#runner.get(job.id);
    if (rt !== undefined) return rt.progress.event(job);
    this.#runner.flushJournal();
    const tracker = new ProgressTracker(this.#clock);
    tracker.setTotals(jobFileTotals(this.#catalog, job.id));
    return tracker.event(job);
  }

  /**
   * At open: resume every unfinished job from its checkpoint (states after it are re-executed; finished files are
   * not transferred again), or cancel it with the reason when it cannot resume (its drivers releases what it
   * holds). Reports the snapshot dirs live jobs still own; `beforeStart` runs with them before any job starts
   * (release the snapshot dirs nobody owns there).
   */
  async recover(options: { readonly beforeStart?: (ownedSnapshotDirs: readonly string[]) => Promise<void> } = {}): Promise<RecoveryReport> {
    this.#assertOpen();
    return recoverJobs(this.#catalog, this.#runner, this.#drivers, options.beforeStart);
  }

  /** Local snapshot dirs that unfinished jobs hold (finished snapshot tasks not yet released). */
  ownedSnapshotDirs(): string[] {
    this.#runner.flushJournal();
    return ownedSnapshotDirs(this.#catalog);
  }

  /** Write buffered task and file completions to the catalog now (tools and tests that read it directly). */
  flushJournal(): void {
    this.#runner.flushJournal();
  }

  /** What this process holds in memory about a job it runs (counters, task states), or null (tools, tests). */
  inspect(jobId: number): JobMemory | null {
    return this.#runner.inspect(jobId);
  }

  /**
   * Stop: abort running steps and tasks (their jobs stay in the journal as they are, to be resumed by `recover`
   * at the next open) and wait for them to settle. The catalog can be closed afterwards.
   */
  async close(): Promise<void> {
    return this.#runner.close();
  }

  #assertOpen(): void {
    if (this.#runner.closed) throw new Error('job scheduler is closed');
  }
}
