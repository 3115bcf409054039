/**
 * The schedule runner: fires backup schedules by their triggers and drives each run through BACKUP, the copy to
 * `copy_to` and retention. One per engine.
 *
 * Every decision is recorded before it is acted on: a period's run (with its label) is inserted, and the schedule's
 * next fire time advanced, in one durable transaction keyed by (schedule, period) — so a period is decided once,
 * also across a crash — and only then is its BACKUP submitted. A restarted runner finds a decided run's job by its
 * label instead of submitting it again. Everything the runner does goes through one queue, so a tick, a job that
 * finished and an EXECUTE never interleave their catalog reads and writes.
 */
import { EventEmitter } from 'node:events';
import type { Catalog } from '../../catalog/catalog.ts';
import { getJob, lastJobOfDb } from '../../catalog/jobs-read.ts';
import type { JobRow } from '../../catalog/jobs-types.ts';
import { getDatabase } from '../../catalog/ops/get-database.ts';
import {
  findJobIdByLabel,
  getScheduleRun,
  insertScheduleRun,
  listLiveScheduleRuns,
  listScheduleRuns,
  scheduleRunOfJob,
  updateScheduleRun,
} from '../../catalog/schedule-runs.ts';
import { getSchedule, getScheduleById, listSchedules, updateSchedule } from '../../catalog/schedules.ts';
import type { NewScheduleRun, ScheduleRow, ScheduleRunPatch, ScheduleRunRow } from '../../catalog/schedules-types.ts';
import { ddlError } from '../../errors/index.ts';
import type { Logger } from '../../logging/logger.ts';
import type { Clock } from '../../util/clock.ts';
import type { JobScheduler } from '../scheduler.ts';
import { formatStatus } from '../status.ts';
import { decidePeriod, duePeriods, missedReason } from './firing.ts';
import { parseScheduleOptions, runLabel, type ScheduleOptions } from './options.ts';
import { nextTypeOf, retain, type RetentionHost } from './retention.ts';
import { triggerFrom } from './trigger.ts';

/** A run that cannot start until someone fixes the schedule (its database, repository or owner is gone, or denied). */
export class ScheduleBlockedError extends Error {
  override name = 'ScheduleBlockedError';
}

/** What the runner asks of the layers above it (the engine wires the SQL layer in). */
export interface ScheduleActions {
  /**
   * Submit the run's BACKUP (`run.label`, `run.backupType`) as the schedule's owner, with the privilege checks,
   * analysis and prechecks a typed BACKUP gets; resolve with the job id. Throw ScheduleBlockedError when the
   * schedule cannot run until fixed, anything else for a failure of this run only.
   */
  startBackup(schedule: ScheduleRow, run: ScheduleRunRow): Promise<number>;
  /** Submit the COPY of the finished run's snapshot to `run.copyTo`; resolve with the job id. */
  startCopy(run: ScheduleRunRow, backup: JobRow): Promise<number>;
  /** Drop snapshot `label` from `repoName` (retention); succeed when it is already gone. */
  dropSnapshot(repoName: string, label: string, signal: AbortSignal): Promise<void>;
}

export interface ScheduleRunnerOptions {
  readonly catalog: Catalog;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly jobs: JobScheduler;
  readonly actions: ScheduleActions;
  /** Fire schedules by their triggers (default true). False still drives EXECUTE's runs and runs already decided. */
  readonly fire?: boolean;
}

/** Schedules as the library and tools see them (`engine.schedules`). */
export interface ScheduleEventsSource {
  /** Every change of a run (decided, started, copying, succeeded, failed, skipped). */
  on(event: 'run', listener: (run: ScheduleRunRow) => void): () => void;
  /** Resolves when nothing is due, nothing queued and no run is in progress. */
  idle(): Promise<void>;
}

const ACTIVE_RUN = ['DECIDED', 'RUNNING', 'COPYING'];

export class ScheduleRunner implements ScheduleEventsSource {
  #catalog: Catalog;
  #clock: Clock;
  #log: Logger;
  #jobs: JobScheduler;
  #actions: ScheduleActions;
  #fire: boolean;
  #events = new EventEmitter();
  /** Everything the runner does runs through this chain, one step at a time. */
  #queue: Promise<void> = Promise.resolve();
  #pending = 0;
  #idleWaiters: (() => void)[] = [];
  #wake: AbortController | null = null;
  #shutdown = new AbortController();
  #loop: Promise<void> | null = null;
  #offDone: (() => void) | null = null;
  #started = false;

  constructor(options: ScheduleRunnerOptions) {
    this.#catalog = options.catalog;
    this.#clock = options.clock;
    this.#log = options.logger.child({ component: 'schedules' });
    this.#jobs = options.jobs;
    this.#actions = options.actions;
    this.#fire = options.fire ?? true;
    this.#events.setMaxListeners(0);
  }

  /** Drive on the runs a previous process left unfinished, then fire schedules as they come due. Call once jobs recovered. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#offDone = this.#jobs.events.on('done', (job) => void this.#serial(() => this.#onJobDone(job)));
    void this.#serial(() => this.#recover());
    if (this.#fire) this.#loop = this.#runLoop();
  }

  /** A schedule was created, altered, resumed or dropped: look at the fire times again. */
  changed(): void {
    this.#wake?.abort();
    this.#checkIdle();
  }

  on(event: 'run', listener: (run: ScheduleRunRow) => void): () => void {
    this.#events.on(event, listener);
    return () => this.#events.off(event, listener);
  }

  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.#idleWaiters.push(resolve);
      this.#checkIdle();
    });
  }

  /**
   * EXECUTE BACKUP SCHEDULE: a run now, outside the periods (the schedule may be paused). Refused while the schedule's
   * previous run or another job of its database is going. Resolves once its BACKUP is submitted; throws the reason
   * when it could not start (the run is recorded FAILED).
   */
  execute(name: string): Promise<ScheduleRunRow> {
    return this.#serial(async () => {
      const s = getSchedule(this.#catalog, name);
      if (s === null) throw ddlError(`Backup schedule ${name} does not exist`);
      const live = listScheduleRuns(this.#catalog, s.id, [...ACTIVE_RUN, 'WAITING'])[0];
      if (live !== undefined) throw ddlError(`Backup schedule ${name} is already running: ${live.label ?? 'its run'} is ${live.state}. Wait for it to finish`);
      const busy = this.#databaseBusy(s);
      if (busy !== null) throw ddlError(`Can only run one backup or restore job of a database at same time: ${busy}`);
      const options = parseScheduleOptions(s.properties);
      const now = this.#clock.now();
      const label = runLabel(s.name, now);
      if (listScheduleRuns(this.#catalog, s.id).some((r) => r.label === label)) {
        throw ddlError(`Backup schedule ${name} already has a run labelled ${label}; run it again in a second`);
      }
      const run = this.#record({
        scheduleId: s.id, scheduleName: s.name, dbName: s.dbName, periodAt: null, trigger: 'MANUAL', state: 'DECIDED',
        backupType: nextTypeOf(this.#catalog, s, options), label, repoName: s.repoName, copyTo: options.copyTo, reason: null, decidedAt: now,
      });
      const after = await this.#start(s, run, false);
      if (after.state === 'FAILED') throw ddlError(`Backup schedule ${name} could not start its run: ${after.reason ?? ''}`);
      return after;
    });
  }

  /** Stop firing and wait for the step in progress (jobs themselves are stopped by the job scheduler). */
  async close(): Promise<void> {
    this.#shutdown.abort();
    this.#wake?.abort();
    this.#offDone?.();
    await this.#loop;
    await this.#queue;
  }

  // ---------------------------------------------------------------------------------------------------------------

  #serial<T>(fn: () => Promise<T> | T): Promise<T> {
    this.#pending++;
    const result = this.#queue.then(fn);
    this.#queue = result
      .then(
        () => undefined,
        (error: unknown) => {
          // EXECUTE's refusals reach its caller; anything else is a runner failure worth a log line.
          if (!(error instanceof Error && error.name === 'SqlError')) this.#log.error({ err: error }, 'schedule runner step failed');
        },
      )
      .finally(() => {
        this.#pending--;
        this.#checkIdle();
      });
    return result;
  }

  #checkIdle(): void {
    if (this.#idleWaiters.length === 0 || this.#pending > 0) return;
    if (listLiveScheduleRuns(this.#catalog).length > 0) return;
    if (this.#fire && !this.#shutdown.signal.aborted) {
      const now = this.#clock.now();
      if (listSchedules(this.#catalog).some((s) => s.state === 'ACTIVE' && s.nextFireAt !== null && s.nextFireAt <= now)) return;
    }
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  async #runLoop(): Promise<void> {
    while (!this.#shutdown.signal.aborted) {
      await this.#serial(() => this.#tick()).catch(() => undefined);
      if (this.#shutdown.signal.aborted) return;
      const due = listSchedules(this.#catalog)
        .filter((s) => s.state === 'ACTIVE' && s.nextFireAt !== null)
        .reduce<number | null>((min, s) => (min === null || (s.nextFireAt as number) < min ? s.nextFireAt : min), null);
      const wake = new AbortController();
      this.#wake = wake;
      await sleepUntil(this.#clock, due, AbortSignal.any([wake.signal, this.#shutdown.signal])).catch(() => undefined);
    }
  }

  async #tick(): Promise<void> {
    const now = this.#clock.now();
    for (const s of listSchedules(this.#catalog)) {
      if (s.state !== 'ACTIVE' || s.nextFireAt === null || s.nextFireAt > now) continue;
      await this.#firePeriods(s, now);
    }
  }

  async #firePeriods(s: ScheduleRow, now: number): Promise<void> {
    let options: ScheduleOptions;
    let due;
    try {
      options = parseScheduleOptions(s.properties);
      due = duePeriods(triggerFrom(s.triggerKind, s.triggerText), s.startsAt, s.nextFireAt as number, now);
    } catch (error) {
      this.#lock(s, `its definition can no longer be read: ${(error as Error).message}`);
      return;
    }
    const decision = decidePeriod({
      periodAt: due.latest, now, following: due.following, misfireGraceMs: options.misfireGraceMs,
      busy: this.#busy(s), onPreviousRunning: options.onPreviousRunning,
    });
    const base = { scheduleId: s.id, scheduleName: s.name, dbName: s.dbName, periodAt: due.latest, trigger: 'SCHEDULED' as const, repoName: s.repoName, copyTo: options.copyTo, decidedAt: now };
    const changed: ScheduleRunRow[] = [];
    const run = this.#catalog.durableTransaction(() => {
      if (due.missed > 0) {
        changed.push(insertScheduleRun(this.#catalog, { ...base, periodAt: due.firstMissed, state: 'SKIPPED', backupType: null, label: null, reason: missedReason(due), finishedAt: now }));
      }
      for (const w of listScheduleRuns(this.#catalog, s.id, ['WAITING'])) {
        changed.push(updateScheduleRun(this.#catalog, w.id, { state: 'SKIPPED', reason: `${w.reason ?? 'waiting'}; still waiting when the next period came`, finishedAt: now }));
      }
      const label = runLabel(s.name, due.latest);
      const inserted =
        decision.kind === 'run'
          ? insertScheduleRun(this.#catalog, { ...base, state: 'DECIDED', backupType: nextTypeOf(this.#catalog, s, options), label, reason: null })
          : decision.kind === 'wait'
            ? insertScheduleRun(this.#catalog, { ...base, state: 'WAITING', backupType: null, label, reason: decision.reason })
            : insertScheduleRun(this.#catalog, { ...base, state: 'SKIPPED', backupType: null, label: null, reason: decision.reason, finishedAt: now });
      changed.push(inserted);
      updateSchedule(this.#catalog, s.id, { nextFireAt: due.following }, now);
      return inserted;
    });
    for (const r of changed) this.#emit(r);
    if (run.state === 'SKIPPED') this.#log.info({ schedule: s.name, reason: run.reason }, 'period skipped');
    if (run.state === 'DECIDED') await this.#start(s, run, true);
  }

  /** Submit a decided run's BACKUP (or find the one a previous process submitted) and follow it. */
  async #start(s: ScheduleRow, run: ScheduleRunRow, scheduled: boolean): Promise<ScheduleRunRow> {
    const label = run.label as string;
    let jobId = findJobIdByLabel(this.#catalog, 'BACKUP', run.repoName, label, run.decidedAt);
    if (jobId === null) {
      try {
        jobId = await this.#actions.startBackup(s, run);
      } catch (error) {
        jobId = findJobIdByLabel(this.#catalog, 'BACKUP', run.repoName, label, run.decidedAt);
        if (jobId === null) {
          const blocked = scheduled && error instanceof ScheduleBlockedError;
          return this.#fail(run, (error as Error).message, blocked);
        }
      }
    }
    const running = this.#update(run.id, { state: 'RUNNING', jobId, startedAt: this.#clock.now() });
    this.#log.info({ schedule: s.name, label, jobId, type: run.backupType }, 'scheduled backup started');
    const job = getJob(this.#catalog, jobId);
    if (job?.done === true) return this.#advance(running, job);
    return running;
  }

  async #onJobDone(job: JobRow): Promise<void> {
    const run = scheduleRunOfJob(this.#catalog, job.id);
    if (run !== null && ((run.state === 'RUNNING' && run.jobId === job.id) || (run.state === 'COPYING' && run.copyJobId === job.id))) {
      await this.#advance(run, job);
    }
    await this.#drainWaiting();
  }

  /** A run's job finished: copy, or succeed (and apply retention), or fail. */
  async #advance(run: ScheduleRunRow, job: JobRow): Promise<ScheduleRunRow> {
    const status = formatStatus({ code: job.statusCode, msg: job.statusMsg });
    if (run.state === 'RUNNING') {
      if (job.state !== 'FINISHED') return this.#fail(run, `BACKUP job ${job.id} ended ${job.state}: ${status}`, false);
      if (run.copyTo === null) return this.#succeed(run);
      let copyId = findJobIdByLabel(this.#catalog, 'COPY', run.copyTo, run.label as string, run.decidedAt);
      if (copyId === null) {
        try {
          copyId = await this.#actions.startCopy(run, job);
        } catch (error) {
          return this.#fail(run, `the snapshot is in ${run.repoName}, but its copy to ${run.copyTo} could not start: ${(error as Error).message}`, false);
        }
      }
      const copying = this.#update(run.id, { state: 'COPYING', copyJobId: copyId });
      const copy = getJob(this.#catalog, copyId);
      return copy?.done === true ? this.#advance(copying, copy) : copying;
    }
    if (job.state !== 'FINISHED') {
      return this.#fail(run, `the snapshot is in ${run.repoName}, but COPY job ${job.id} to ${run.copyTo ?? ''} ended ${job.state}: ${status}`, false);
    }
    return this.#succeed(run);
  }

  async #succeed(run: ScheduleRunRow): Promise<ScheduleRunRow> {
    const now = this.#clock.now();
    const done = this.#catalog.durableTransaction(() => {
      const r = updateScheduleRun(this.#catalog, run.id, { state: 'SUCCEEDED', finishedAt: now });
      const s = getScheduleById(this.#catalog, run.scheduleId);
      if (s !== null && s.consecutiveFailures !== 0) updateSchedule(this.#catalog, s.id, { consecutiveFailures: 0 }, now);
      return r;
    });
    this.#emit(done);
    this.#log.info({ schedule: run.scheduleName, label: run.label }, 'scheduled run succeeded');
    const s = getScheduleById(this.#catalog, run.scheduleId);
    if (s !== null) await retain(this.#retentionHost(), s);
    return getScheduleRun(this.#catalog, run.id) ?? done;
  }

  #fail(run: ScheduleRunRow, reason: string, lock: boolean): ScheduleRunRow {
    const now = this.#clock.now();
    const failed = this.#catalog.durableTransaction(() => {
      const r = updateScheduleRun(this.#catalog, run.id, { state: 'FAILED', reason, finishedAt: now });
      const s = getScheduleById(this.#catalog, run.scheduleId);
      if (s !== null) {
        updateSchedule(this.#catalog, s.id, { consecutiveFailures: s.consecutiveFailures + 1, ...(lock ? { state: 'LOCKED' as const, stateReason: reason } : {}) }, now);
      }
      return r;
    });
    this.#emit(failed);
    this.#log.warn({ schedule: run.scheduleName, label: run.label, reason, locked: lock }, 'scheduled run failed');
    return failed;
  }

  #lock(s: ScheduleRow, reason: string): void {
    updateSchedule(this.#catalog, s.id, { state: 'LOCKED', stateReason: reason }, this.#clock.now());
    this.#log.warn({ schedule: s.name, reason }, 'schedule locked');
  }

  /** Start WAITING runs whose database became free (skip those whose schedule is no longer active). */
  async #drainWaiting(): Promise<void> {
    for (const w of listLiveScheduleRuns(this.#catalog)) {
      if (w.state !== 'WAITING') continue;
      const s = getScheduleById(this.#catalog, w.scheduleId);
      if (s === null || s.state !== 'ACTIVE') {
        this.#update(w.id, { state: 'SKIPPED', reason: `${w.reason ?? 'waiting'}; the schedule is ${s === null ? 'dropped' : s.state}`, finishedAt: this.#clock.now() });
        continue;
      }
      if (this.#busy(s) !== null) continue;
      const options = parseScheduleOptions(s.properties);
      const decided = this.#catalog.durableTransaction(() =>
        updateScheduleRun(this.#catalog, w.id, {
          state: 'DECIDED',
          backupType: nextTypeOf(this.#catalog, s, options),
          reason: `${w.reason ?? ''}; started after ${Math.floor((this.#clock.now() - w.decidedAt) / 1000)} s`,
        }),
      );
      this.#emit(decided);
      await this.#start(s, decided, true);
    }
  }

  /** After a restart: drive every run the previous process left unfinished one step on. */
  async #recover(): Promise<void> {
    const now = this.#clock.now();
    for (const run of listLiveScheduleRuns(this.#catalog)) {
      const s = getScheduleById(this.#catalog, run.scheduleId);
      if (run.state === 'DECIDED') {
        const jobId = findJobIdByLabel(this.#catalog, 'BACKUP', run.repoName, run.label as string, run.decidedAt);
        if (jobId !== null || s === null) {
          if (s !== null) await this.#start(s, run, run.trigger === 'SCHEDULED');
          else this.#fail(run, 'the schedule was dropped before its run started', false);
          continue;
        }
        const grace = parseScheduleOptions(s.properties).misfireGraceMs;
        const late = now - (run.periodAt ?? run.decidedAt);
        if (run.trigger === 'SCHEDULED' && late > grace) {
          this.#update(run.id, {
            state: 'SKIPPED',
            reason: `misfire: the engine stopped after deciding this run and before starting its BACKUP; at the restart the period was ${Math.floor(late / 1000)} s past, more than misfire_grace (${Math.floor(grace / 1000)} s)`,
            finishedAt: now,
          });
          continue;
        }
        await this.#start(s, run, run.trigger === 'SCHEDULED');
      } else if (run.state === 'RUNNING' || run.state === 'COPYING') {
        const job = getJob(this.#catalog, (run.state === 'RUNNING' ? run.jobId : run.copyJobId) as number);
        if (job === null) this.#fail(run, `its ${run.state === 'RUNNING' ? 'BACKUP' : 'COPY'} job is gone from the catalog`, false);
        else if (job.done) await this.#advance(run, job);
      }
    }
    await this.#drainWaiting();
  }

  /** Why a new run of `s` cannot start now (its database's job, or its own previous run), or null. */
  #busy(s: ScheduleRow): string | null {
    const own = listScheduleRuns(this.#catalog, s.id, ACTIVE_RUN)[0];
    if (own !== undefined) return `the previous run ${own.label ?? ''} is still ${own.state}`;
    return this.#databaseBusy(s);
  }

  #databaseBusy(s: ScheduleRow): string | null {
    const db = getDatabase(this.#catalog, s.dbName);
    if (db === undefined) return null;
    const last = lastJobOfDb(this.#catalog, db.id);
    return last !== null && !last.done ? `database ${s.dbName} already has a job running: ${last.kind} job ${last.id} (${last.label}) is ${last.state}` : null;
  }

  #record(run: NewScheduleRun): ScheduleRunRow {
    const row = this.#catalog.durableTransaction(() => insertScheduleRun(this.#catalog, run));
    this.#emit(row);
    return row;
  }

  #update(id: number, patch: ScheduleRunPatch): ScheduleRunRow {
    const row = updateScheduleRun(this.#catalog, id, patch);
    this.#emit(row);
    return row;
  }

  #emit(run: ScheduleRunRow): void {
    this.#events.emit('run', run);
  }

  #retentionHost(): RetentionHost {
    return {
      catalog: this.#catalog,
      clock: this.#clock,
      log: this.#log,
      signal: this.#shutdown.signal,
      drop: (repo, label, signal) => this.#actions.dropSnapshot(repo, label, signal),
      markDropped: (runId, at) => this.#update(runId, { droppedAt: at }),
    };
  }
}

/** Sleep until `deadline` on `clock` (null: until aborted), in steps a timer can hold. */
async function sleepUntil(clock: Clock, deadline: number | null, signal: AbortSignal): Promise<void> {
  if (deadline === null) {
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    return;
  }
  const MAX = 2 ** 31 - 1;
  for (let left = deadline - clock.now(); left > 0 && !signal.aborted; left = deadline - clock.now()) {
    await clock.sleep(Math.min(left, MAX), signal);
  }
}
