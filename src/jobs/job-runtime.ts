import { setMaxListeners } from 'node:events';
import type { JobRow } from '../catalog/jobs-types.ts';
import type { Clock } from '../util/clock.ts';
import type { JobDriver } from './driver.ts';
import { ProgressTracker } from './progress.ts';
import type { JobStatus } from './status.ts';
import type { TaskTable } from './task-table.ts';

/** Why a job's signal was aborted. */
export class JobAbortError extends Error {
  override name = 'JobAbortError';
  readonly status: JobStatus | null;

  constructor(message: string, status: JobStatus | null) {
    super(message);
    this.status = status;
  }
}

/** What this process holds for one job it runs: its signals, in-flight tasks, progress and loop flags. */
export interface Runtime {
  /** The job as last written to the catalog (this process is its only writer while it runs it). */
  job: JobRow;
  /** The job's tasks and files still to transfer, in memory (the catalog is written through / journaled). */
  readonly tasks: TaskTable;
  /**
   * Taken over from the journal (restart, or a cancel of a job no runner held) rather than submitted here: what its
   * tasks write may then exist already.
   */
  readonly resumed: boolean;
  /** The driver of the job's kind. */
  readonly driver: JobDriver;
  /** Aborts the running step and every task: cancel or shutdown. */
  readonly controller: AbortController;
  /** Aborts the timeout timer and retry sleeps. */
  readonly timers: AbortController;
  /** Settlement of the chunk each dispatched task runs in, by task id. */
  readonly inflight: Map<number, Promise<void>>;
  /** Files and bytes done, for progress events. */
  readonly progress: ProgressTracker;
  /** The state loop is running. */
  running: boolean;
  /** The state must run again (a kick arrived). */
  dirty: boolean;
  /** A retry sleep is pending. */
  retryPending: boolean;
  /** Set once a cancel is requested: the first status wins. */
  cancelStatus: JobStatus | null;
  /** The running (or last) state loop. */
  loop: Promise<void> | null;
  /** Wall time of the last byte-level progress event (throttling). */
  lastBytesEvent: number;
}

/** A fresh runtime for `job` (its progress totals are set by the caller from the task table). */
export function newRuntime(job: JobRow, driver: JobDriver, clock: Clock, tasks: TaskTable, resumed: boolean): Runtime {
  // Every in-flight transfer of the job (per-backend queues × concurrency, SDK requests) listens on this signal at
  // once; more than Node's default of 10 is expected, not a leak (each removes its listener when it settles).
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return {
    job,
    tasks,
    resumed,
    driver,
    controller,
    timers: new AbortController(),
    inflight: new Map(),
    progress: new ProgressTracker(clock),
    running: false,
    dirty: false,
    retryPending: false,
    cancelStatus: null,
    loop: null,
    lastBytesEvent: 0,
  };
}
