import { EventEmitter, on } from 'node:events';
import type { JobRow } from '../catalog/jobs-types.ts';
import type { Clock } from '../util/clock.ts';

/** A snapshot of one job's progress, sent on every state change and every transferred file (and while bytes move). */
export interface ProgressEvent {
  readonly jobId: number;
  readonly kind: string;
  readonly label: string;
  readonly state: string;
  /** True on the last event of a job (FINISHED / CANCELLED). */
  readonly done: boolean;
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  /** Average transfer rate since this process started moving the job's bytes; 0 before any. */
  readonly rateBytesPerSec: number;
  /** Remaining bytes / rate, rounded up; null while the rate is unknown. */
  readonly etaSeconds: number | null;
}

/** A job's state changed. */
export interface StateEvent {
  readonly jobId: number;
  readonly kind: string;
  readonly label: string;
  readonly from: string;
  readonly to: string;
  readonly at: number;
}

/**
 * The engine's job event bus, for the library (`engine.jobs.on('progress', …)`), the shell's progress bar and
 * the metrics endpoint. `watch` and `waitFor` turn it into an async iterator / a promise per job.
 */
export class JobEvents {
  #emitter = new EventEmitter();

  constructor() {
    // Every waiter and watcher is one listener; many concurrent waiters are normal, not a leak.
    this.#emitter.setMaxListeners(0);
  }

  on(event: 'progress', listener: (e: ProgressEvent) => void): () => void;
  on(event: 'state', listener: (e: StateEvent) => void): () => void;
  on(event: 'done', listener: (job: JobRow) => void): () => void;
  /** Subscribe; returns the unsubscribe function. */
  on(event: 'progress' | 'state' | 'done', listener: (e: never) => void): () => void {
    const fn = listener as (...args: unknown[]) => void;
    this.#emitter.on(event, fn);
    return () => this.#emitter.off(event, fn);
  }

  emitProgress(e: ProgressEvent): void {
    this.#emitter.emit('progress', e);
  }

  emitState(e: StateEvent): void {
    this.#emitter.emit('state', e);
  }

  emitDone(job: JobRow): void {
    this.#emitter.emit('done', job);
  }

  /**
   * Progress events of one job until it is done (the last event has `done: true`). `current` is the job's row now:
   * a job already done yields one final event and ends.
   */
  async *watch(current: JobRow, progressOf: (job: JobRow) => ProgressEvent, signal?: AbortSignal): AsyncGenerator<ProgressEvent> {
    if (current.done) {
      yield progressOf(current);
      return;
    }
    // node:events `on` buffers events between pulls, so a slow consumer misses nothing.
    const events = on(this.#emitter, 'progress', signal === undefined ? {} : { signal });
    yield progressOf(current);
    for await (const [e] of events as AsyncIterable<[ProgressEvent]>) {
      if (e.jobId !== current.id) continue;
      yield e;
      if (e.done) return;
    }
  }

  /** Resolve with the job's final row once it is done. `isDone` is checked after subscribing, so no race is lost. */
  waitFor(jobId: number, current: () => JobRow | null, signal?: AbortSignal): Promise<JobRow> {
    return new Promise((resolve, reject) => {
      const cleanup = (): void => {
        off();
        signal?.removeEventListener('abort', onAbort);
      };
      const off = this.on('done', (job) => {
        if (job.id !== jobId) return;
        cleanup();
        resolve(job);
      });
      const onAbort = (): void => {
        cleanup();
        reject(signal?.reason);
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      const row = current();
      if (row === null) {
        cleanup();
        reject(new Error(`job ${jobId} does not exist`));
      } else if (row.done) {
        cleanup();
        resolve(row);
      }
    });
  }
}

/**
 * Running totals of one job's transfer: done files and bytes come from the journal (so they survive restarts),
 * bytes of files in flight from the workers (lost on restart — the file is transferred again).
 */
export class ProgressTracker {
  #clock: Clock;
  #filesDone = 0;
  #filesTotal = 0;
  #bytesDoneFiles = 0;
  #bytesTotal = 0;
  #inflight = new Map<number, number>();
  /** Sum of #inflight, kept as it changes: an event per file must not walk every task in flight. */
  #inflightTotal = 0;
  #startedAt: number | null = null;
  #bytesAtStart = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Reset totals from the journal. */
  setTotals(t: { filesDone: number; filesTotal: number; bytesDone: number; bytesTotal: number }): void {
    this.#filesDone = t.filesDone;
    this.#filesTotal = t.filesTotal;
    this.#bytesDoneFiles = t.bytesDone;
    this.#bytesTotal = t.bytesTotal;
  }

  /** Bytes moved by a running task (its in-flight file). */
  addBytes(taskId: number, bytes: number): void {
    this.#start();
    this.#inflight.set(taskId, (this.#inflight.get(taskId) ?? 0) + bytes);
    this.#inflightTotal += bytes;
  }

  /** A file of `size` bytes finished: its bytes move from in-flight to done. */
  fileDone(taskId: number, size: number): void {
    this.#start();
    const inflight = this.#inflight.get(taskId) ?? 0;
    const left = Math.max(0, inflight - size);
    if (inflight > 0) this.#inflight.set(taskId, left);
    this.#inflightTotal -= inflight - left;
    this.#filesDone++;
    this.#bytesDoneFiles += size;
  }

  /** A task stopped (done, failed, aborted): whatever it had in flight is not done. */
  taskSettled(taskId: number): void {
    this.#inflightTotal -= this.#inflight.get(taskId) ?? 0;
    this.#inflight.delete(taskId);
  }

  event(job: JobRow): ProgressEvent {
    const inflight = this.#inflightTotal;
    const bytesDone = Math.min(this.#bytesTotal, this.#bytesDoneFiles + inflight);
    const elapsed = this.#startedAt === null ? 0 : (this.#clock.now() - this.#startedAt) / 1000;
    const rate = elapsed > 0 ? Math.max(0, bytesDone - this.#bytesAtStart) / elapsed : 0;
    return {
      jobId: job.id,
      kind: job.kind,
      label: job.label,
      state: job.state,
      done: job.done,
      filesDone: this.#filesDone,
      filesTotal: this.#filesTotal,
      bytesDone,
      bytesTotal: this.#bytesTotal,
      rateBytesPerSec: rate,
      etaSeconds: rate > 0 ? Math.ceil((this.#bytesTotal - bytesDone) / rate) : null,
    };
  }

  #start(): void {
    if (this.#startedAt !== null) return;
    this.#startedAt = this.#clock.now();
    this.#bytesAtStart = this.#bytesDoneFiles;
  }
}
