import PQueue from 'p-queue';
import { isBrokerError } from '../brokers/broker.ts';
import { backoffDelay, type RandomSource } from '../util/backoff.ts';
import type { Clock } from '../util/clock.ts';
import { systemClock } from '../util/clock.ts';

/** How transient task failures are retried. */
export interface RetryPolicy {
  /** Attempts in total, the first included (≥ 1). */
  readonly maxAttempts: number;
  /** Delay before the first retry; doubles for each further one, with jitter (util/backoff.ts). 0 retries at once. */
  readonly baseDelayMs: number;
  /** Upper bound of one delay. */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 30_000 };

export interface BackendWorkersOptions {
  /** Tasks one backend runs at once (StarRocks' upload/download_worker_count). Default 4. */
  readonly concurrency?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Time source for backoff delays. */
  readonly clock?: Clock;
  /** Jitter source of backoff delays (tests pass a seeded one). */
  readonly random?: RandomSource;
}

export interface RunOptions {
  /** Cancels a queued task (removed from the queue) or a running one (passed to it), and stops retrying. */
  readonly signal: AbortSignal;
  /** Told about each failed attempt, and whether it will be retried (for TaskErrMsg and logs). */
  readonly onAttemptError?: (error: unknown, attempt: number, willRetry: boolean) => void;
}

/**
 * Whether a failure may go away on its own: a BrokerError marked retryable (network, I/O), or any error carrying
 * `retryable: true`. Everything else (not found, access denied, bad md5) is permanent and stops the job at once.
 */
export function isTransient(error: unknown): boolean {
  if (isBrokerError(error)) return error.retryable && error.code !== 'ABORTED';
  return typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === true;
}

/**
 * The backends' task runners: one bounded queue per backend, like a StarRocks BE's worker pool, so one slow
 * backend never starves another and no backend is flooded. A transient failure gives its slot back while it waits
 * to retry, so the other tasks of that backend keep moving.
 */
export class BackendWorkers {
  #queues = new Map<number, PQueue>();
  #concurrency: number;
  #retry: RetryPolicy;
  #clock: Clock;
  #random: RandomSource;
  #inflight = 0;

  constructor(options: BackendWorkersOptions = {}) {
    this.#concurrency = options.concurrency ?? 4;
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    if (this.#retry.maxAttempts < 1) throw new Error('retry.maxAttempts must be at least 1');
  }

  /** Tasks one backend runs at once. */
  get concurrency(): number {
    return this.#concurrency;
  }

  /** Tasks submitted and not yet settled (queued, running or waiting to retry). */
  get inflight(): number {
    return this.#inflight;
  }

  /** Tasks waiting in a queue for a free slot, all backends together. */
  get queued(): number {
    let n = 0;
    for (const q of this.#queues.values()) n += q.size;
    return n;
  }

  /** Queued + running tasks of one backend. */
  load(backendId: number): { queued: number; running: number } {
    const q = this.#queues.get(backendId);
    return { queued: q?.size ?? 0, running: q?.pending ?? 0 };
  }

  /** Run `work` on `backendId`'s queue, retrying transient failures per the policy. */
  async run<T>(backendId: number, work: (signal: AbortSignal) => Promise<T>, options: RunOptions): Promise<T> {
    const { signal } = options;
    this.#inflight++;
    try {
      for (let attempt = 1; ; attempt++) {
        signal.throwIfAborted();
        try {
          return await this.#queue(backendId).add(({ signal: s }) => work(s ?? signal), { signal });
        } catch (error) {
          if (signal.aborted) throw signal.reason;
          const willRetry = attempt < this.#retry.maxAttempts && isTransient(error);
          options.onAttemptError?.(error, attempt, willRetry);
          if (!willRetry) throw error;
          // Exponential with jitter: the tasks a storage outage failed together do not all come back together.
          const delay = backoffDelay(this.#retry, attempt, this.#random);
          if (delay > 0) await this.#clock.sleep(delay, signal);
        }
      }
    } finally {
      this.#inflight--;
    }
  }

  /** Resolve when every queue is idle. */
  async onIdle(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((q) => q.onIdle()));
  }

  /** Drop queued (not running) tasks of every backend; their callers see an abort through their own signals. */
  clear(): void {
    for (const q of this.#queues.values()) q.clear();
  }

  #queue(backendId: number): PQueue {
    let q = this.#queues.get(backendId);
    if (q === undefined) {
      q = new PQueue({ concurrency: this.#concurrency });
      this.#queues.set(backendId, q);
    }
    return q;
  }
}
