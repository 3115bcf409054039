import { Readable } from 'node:stream';

import type { Logger } from 'pino';

import { backoffDelay, type RandomSource } from '../util/backoff.ts';
import { systemClock, type Clock } from '../util/clock.ts';
import {
  BrokerError,
  isBrokerError,
  type BatchDownloadItem,
  type BatchDownloadResult,
  type BatchOptions,
  type BatchUploadItem,
  type Broker,
  type BrokerCapabilities,
  type BrokerEntry,
  type DeletePrefixOptions,
  type ListOptions,
  type OperationOptions,
  type ReadOptions,
  type WriteOptions,
  type WriteResult,
} from './broker.ts';
import { DEFAULT_BROKER_POLICY, MIN_TRANSFER_BYTES_PER_MS, type BrokerPolicy } from './broker-policy.ts';
import { compareKeys, walkOrderName } from './keys.ts';
import { streamToLocalFile } from './local-download.ts';
import { abortedError } from './streams.ts';

/** One retry about to happen, for logs and tests. */
export interface RetryNotice {
  /** Broker operation, e.g. `uploadFile`. */
  readonly op: string;
  readonly key: string;
  /** The attempt that failed (1-based). */
  readonly attempt: number;
  /** How long the broker waits before the next attempt. */
  readonly delayMs: number;
  readonly error: BrokerError;
}

export interface ResilientBrokerOptions {
  /** Deadlines and retries (defaults: DEFAULT_BROKER_POLICY). */
  readonly policy?: Partial<BrokerPolicy>;
  /** Time source of deadlines and backoff (tests drive a ManualClock). */
  readonly clock?: Clock;
  /** Jitter source (tests pass a seeded one). */
  readonly random?: RandomSource;
  /** Told before every retry. */
  readonly onRetry?: (notice: RetryNotice) => void;
  /** Logs each retry at warn level (keys only; no secret reaches a broker message). */
  readonly logger?: Logger;
}

/** `request`: an answer is due within requestTimeoutMs; `stall`: progress is due within stallTimeoutMs. */
type DeadlineKind = 'request' | 'stall';

/** A read stream and the controller that cancels it (aborted when the read ends). */
interface OpenRead {
  readonly stream: Readable;
  readonly controller: AbortController;
}

/** Why an attempt was abandoned by its own deadline (as opposed to the caller's abort). */
class DeadlineExceeded extends Error {
  override name = 'DeadlineExceeded';
}

/**
 * Wraps any adapter so that every operation has a deadline and transient failures are retried with backoff and
 * jitter, whatever the storage. Request-sized calls get `requestTimeoutMs`; transfers are watched for progress and
 * abandoned after `stallTimeoutMs` without any (a black-holed server, a hung NFS mount), so a caller always gets an
 * answer. A retry happens only where the call can be replayed: a streamed write body is consumed by the first
 * attempt, so that one fails at once and its caller (a job task) retries with the file. Reads resume from the
 * byte they broke at; listings resume after the last key they yielded.
 */
export class ResilientBroker implements Broker {
  readonly #inner: Broker;
  readonly #policy: BrokerPolicy;
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #onRetry: ((notice: RetryNotice) => void) | undefined;
  readonly #logger: Logger | undefined;

  constructor(inner: Broker, options: ResilientBrokerOptions = {}) {
    this.#inner = inner;
    this.#policy = { ...DEFAULT_BROKER_POLICY, ...options.policy };
    this.scheme = inner.scheme;
    this.location = inner.location;
    this.capabilities = inner.capabilities;
    this.policy = this.#policy;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#onRetry = options.onRetry;
    this.#logger = options.logger;
    // The batch forms exist only where the adapter has them (callers test for them); each batch is watched for
    // progress like a transfer, and not retried here: its caller (a job task) retries with what is left.
    const { uploadFiles, downloadFiles, readFiles } = inner;
    if (uploadFiles !== undefined) {
      this.uploadFiles = (items, o) => this.#batch('uploadFiles', items[0]?.key ?? '', o, (f) => uploadFiles.call(inner, items, f));
    }
    if (downloadFiles !== undefined) {
      this.downloadFiles = (items, o) => this.#batch('downloadFiles', items[0]?.key ?? '', o, (f) => downloadFiles.call(inner, items, { ...f, ...(o?.hash === undefined ? {} : { hash: o.hash }) }));
    }
    if (readFiles !== undefined) {
      this.readFiles = (keys, o) => this.#batch('readFiles', keys[0] ?? '', o, (f) => readFiles.call(inner, keys, { ...(f.signal === undefined ? {} : { signal: f.signal }) }));
    }
  }

  /** The adapter's batch upload, when it has one (see Broker.uploadFiles). */
  readonly uploadFiles?: (items: readonly BatchUploadItem[], options?: BatchOptions) => Promise<void>;
  /** The adapter's batch download, when it has one (see Broker.downloadFiles). */
  readonly downloadFiles?: (items: readonly BatchDownloadItem[], options?: BatchOptions & { readonly hash?: boolean }) => Promise<BatchDownloadResult[]>;
  /** The adapter's batch read of small files, when it has one (see Broker.readFiles). */
  readonly readFiles?: (keys: readonly string[], options?: OperationOptions) => Promise<Uint8Array[]>;

  /** One batch under a stall deadline fed by its progress and finished items; not retried (see the constructor). */
  async #batch<T>(op: string, key: string, options: BatchOptions | undefined, call: (options: BatchOptions) => Promise<T>): Promise<T> {
    const signal = options?.signal;
    const controller = linkedController(signal);
    const watch = this.#watchdog(controller, 'stall');
    const forwarded: BatchOptions = {
      ...options,
      signal: controller.signal,
      onProgress: (bytes) => {
        watch.progress();
        options?.onProgress?.(bytes);
      },
      onItem: (index) => {
        watch.progress();
        options?.onItem?.(index);
      },
    };
    try {
      return await this.#race(op, key, controller, signal, watch, call(forwarded));
    } finally {
      watch.stop();
      controller.abort(new DeadlineExceeded(`${op} finished`));
    }
  }

  // Plain fields, not getters over #inner: callers may wrap the broker in a Proxy (getters would then run with the
  // proxy as `this`, which has no private fields).
  readonly scheme: string;
  readonly location: string;
  readonly capabilities: BrokerCapabilities;
  /** The deadlines and retries in force. */
  readonly policy: BrokerPolicy;

  list(prefix: string, options?: ListOptions): AsyncIterable<BrokerEntry> {
    // Asked once now (and dropped unread) so that argument errors surface exactly when and as the adapter raises them.
    this.#inner.list(prefix, options);
    return this.#listWithRetries(prefix, options);
  }

  async *#listWithRetries(prefix: string, options: ListOptions | undefined): AsyncGenerator<BrokerEntry> {
    const signal = options?.signal;
    // Entries come in ascending key order (directories sort as `name/`), so a retried listing skips what was yielded.
    let last: string | undefined;
    for (let attempt = 1; ; attempt++) {
      const controller = linkedController(signal);
      const iterator = this.#inner.list(prefix, { ...options, signal: controller.signal })[Symbol.asyncIterator]();
      try {
        for (;;) {
          const step = await this.#withDeadline('list', prefix, controller, signal, 'request', () => iterator.next());
          if (step.done === true) return;
          const order = walkOrderName(step.value.key, step.value.isDirectory);
          if (last !== undefined && compareKeys(order, last) <= 0) continue;
          last = order;
          yield step.value;
        }
      } catch (error) {
        await this.#beforeRetry('list', prefix, attempt, true, error, signal);
      } finally {
        controller.abort(new DeadlineExceeded('listing finished'));
        void Promise.resolve(iterator.return?.()).catch(() => undefined);
      }
    }
  }

  stat(key: string, options?: OperationOptions): Promise<BrokerEntry | null> {
    return this.#request('stat', key, options?.signal, (signal) => this.#inner.stat(key, { signal }));
  }

  async read(key: string, options?: ReadOptions): Promise<Readable> {
    const signal = options?.signal;
    const start = options?.start ?? 0;
    const end = options?.end;
    const first = await this.#openRead(key, start, end, signal);
    return Readable.from(this.#pumpRead(key, first, start, end, signal), { objectMode: false, highWaterMark: 64 * 1024 });
  }

  /** Open a read at `from` under the request deadline, retried; the stream lives as long as its controller. */
  async #openRead(key: string, from: number, end: number | undefined, signal: AbortSignal | undefined): Promise<OpenRead> {
    for (let attempt = 1; ; attempt++) {
      const controller = linkedController(signal);
      try {
        const stream = await this.#withDeadline('read', key, controller, signal, 'request', () =>
          this.#inner.read(key, { signal: controller.signal, start: from, ...(end === undefined ? {} : { end }) }),
        );
        // Errors reach the reader through the iterator in #pumpRead; one emitted while nobody iterates (an abort
        // before the first read, or after the last) must not become an uncaught exception.
        stream.on('error', () => undefined);
        return { stream, controller };
      } catch (error) {
        controller.abort(new DeadlineExceeded('read failed'));
        await this.#beforeRetry('read', key, attempt, true, error, signal);
      }
    }
  }

  /** Chunks of a read, each awaited under the stall deadline; a transient break reopens at the next byte. */
  async *#pumpRead(key: string, first: OpenRead, start: number, end: number | undefined, signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
    let offset = start;
    let current = first;
    try {
      for (let attempt = 1; ; attempt++) {
        const iterator = current.stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
        try {
          for (;;) {
            const step = await this.#withDeadline('read', key, current.controller, signal, 'stall', () => iterator.next());
            if (step.done === true) return;
            offset += step.value.length;
            yield step.value;
          }
        } catch (error) {
          current.stream.destroy();
          current.controller.abort(new DeadlineExceeded('read broke'));
          await this.#beforeRetry('read', key, attempt, true, error, signal);
          if (end !== undefined && offset >= end) return;
          current = await this.#openRead(key, offset, end, signal);
        }
      }
    } finally {
      // Ended, failed, or the consumer stopped reading: release the adapter's stream either way.
      if (!current.stream.destroyed) current.stream.destroy();
      current.controller.abort(new DeadlineExceeded('read finished'));
    }
  }

  write(key: string, body: Readable | Uint8Array, options?: WriteOptions): Promise<WriteResult> {
    const size = options?.size ?? (body instanceof Uint8Array ? body.length : 0);
    return this.#transfer('write', key, options, size, body instanceof Uint8Array, (o) => this.#inner.write(key, body, o));
  }

  uploadFile(localPath: string, key: string, options?: WriteOptions): Promise<WriteResult> {
    return this.#transfer('uploadFile', key, options, options?.size ?? 0, true, (o) => this.#inner.uploadFile(localPath, key, o));
  }

  async downloadFile(key: string, localPath: string, options?: OperationOptions): Promise<WriteResult> {
    // Through read(): its stall deadline and resume-at-offset cover the download, whatever the adapter.
    const source = await this.read(key, options);
    return streamToLocalFile(source, localPath, (error) => (isBrokerError(error) ? error : new BrokerError('IO', `Could not save ${JSON.stringify(key)} locally: ${(error as Error).message}.`, { key, retryable: false, cause: error })));
  }

  createIfAbsent(key: string, body: Uint8Array, options?: OperationOptions): Promise<boolean> {
    // A retry after an attempt that created the file but lost the answer sees it present (false): callers that must
    // know read the file back (a marker's content names its writer).
    return this.#request('createIfAbsent', key, options?.signal, (signal) => this.#inner.createIfAbsent(key, body, { signal }));
  }

  async rename(from: string, to: string, options?: OperationOptions): Promise<void> {
    let attempts = 0;
    return this.#request('rename', from, options?.signal, async (signal) => {
      attempts++;
      try {
        await this.#inner.rename(from, to, { signal });
      } catch (error) {
        // An earlier attempt may have moved the file and lost the answer: the source is gone, the target there.
        if (attempts > 1 && isBrokerError(error) && error.code === 'NOT_FOUND' && (await this.#inner.stat(to, { signal })) !== null) return;
        throw error;
      }
    });
  }

  delete(key: string, options?: OperationOptions): Promise<void> {
    return this.#request('delete', key, options?.signal, (signal) => this.#inner.delete(key, { signal }));
  }

  async deletePrefix(prefix: string, options?: DeletePrefixOptions): Promise<number> {
    const signal = options?.signal;
    for (let attempt = 1; ; attempt++) {
      const controller = linkedController(signal);
      const watch = this.#watchdog(controller, 'request');
      try {
        return await this.#race(
          'deletePrefix',
          prefix,
          controller,
          signal,
          watch,
          this.#inner.deletePrefix(prefix, {
            signal: controller.signal,
            onProgress: () => {
              watch.progress();
              options?.onProgress?.();
            },
          }),
        );
      } catch (error) {
        await this.#beforeRetry('deletePrefix', prefix, attempt, true, error, signal);
      } finally {
        watch.stop();
      }
    }
  }

  async close(): Promise<void> {
    return this.#inner.close();
  }

  /** A request-sized call: one deadline per attempt, retried when the failure may go away. */
  async #request<T>(op: string, key: string, signal: AbortSignal | undefined, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const controller = linkedController(signal);
      try {
        return await this.#withDeadline(op, key, controller, signal, 'request', () => call(controller.signal));
      } catch (error) {
        await this.#beforeRetry(op, key, attempt, true, error, signal);
      } finally {
        controller.abort(new DeadlineExceeded(`${op} finished`));
      }
    }
  }

  /** A transfer: watched for progress; `size / MIN rate` is added while it has reported none. */
  async #transfer(
    op: string,
    key: string,
    options: WriteOptions | undefined,
    size: number,
    replayable: boolean,
    call: (options: WriteOptions) => Promise<WriteResult>,
  ): Promise<WriteResult> {
    const signal = options?.signal;
    const allowance = Math.ceil(size / MIN_TRANSFER_BYTES_PER_MS);
    for (let attempt = 1; ; attempt++) {
      const controller = linkedController(signal);
      const watch = this.#watchdog(controller, 'stall', allowance);
      const forwarded: WriteOptions = {
        signal: controller.signal,
        ...(options?.size === undefined ? {} : { size: options.size }),
        onProgress: (bytes) => {
          watch.progress();
          options?.onProgress?.(bytes);
        },
      };
      try {
        return await this.#race(op, key, controller, signal, watch, call(forwarded));
      } catch (error) {
        await this.#beforeRetry(op, key, attempt, replayable, error, signal);
      } finally {
        watch.stop();
      }
    }
  }

  async #withDeadline<T>(
    op: string,
    key: string,
    controller: AbortController,
    signal: AbortSignal | undefined,
    kind: DeadlineKind,
    call: () => Promise<T>,
  ): Promise<T> {
    const watch = this.#watchdog(controller, kind);
    try {
      return await this.#race(op, key, controller, signal, watch, call());
    } finally {
      watch.stop();
    }
  }

  /**
   * Settle with `work`, or reject as soon as the deadline fires or the caller aborts — even if the adapter ignores
   * its signal (a syscall on a hung mount cannot be interrupted; its promise is left behind, its result dropped).
   */
  async #race<T>(op: string, key: string, controller: AbortController, signal: AbortSignal | undefined, watch: Watchdog, work: Promise<T>): Promise<T> {
    let abandoned = false;
    // A result that arrives after we gave up is nobody's: a stream it opened is closed, and its error (the adapter
    // destroys it for the aborted signal) must not become an uncaught exception.
    work.then(
      (value) => {
        if (abandoned && value instanceof Readable) {
          value.on('error', () => undefined);
          value.destroy();
        }
      },
      () => undefined,
    );
    let onAbort: (() => void) | undefined;
    const stopped = new Promise<never>((_, reject) => {
      onAbort = (): void => {
        abandoned = true;
        reject(controller.signal.reason);
      };
      if (controller.signal.aborted) onAbort();
      else controller.signal.addEventListener('abort', onAbort, { once: true });
    });
    stopped.catch(() => undefined);
    try {
      return await Promise.race([work, stopped]);
    } catch (error) {
      if (watch.fired) throw this.#timeoutError(op, key, watch);
      if (signal?.aborted) throw abortedError(key, signal.reason);
      throw error;
    } finally {
      if (onAbort !== undefined) controller.signal.removeEventListener('abort', onAbort);
    }
  }

  #timeoutError(op: string, key: string, watch: Watchdog): BrokerError {
    const what = watch.kind === 'stall' ? `made no progress for ${watch.windowMs} ms` : `gave no answer within ${watch.windowMs} ms`;
    const property = watch.kind === 'stall' ? 'tablevault.stall_timeout_ms' : 'tablevault.request_timeout_ms';
    return new BrokerError('UNREACHABLE', `${op} of ${JSON.stringify(key)} on ${this.location} ${what} (deadline: repository property "${property}").`, {
      key,
      retryable: true,
    });
  }

  /** Rethrow `error` unless another attempt is due; otherwise report it and wait the backoff. */
  async #beforeRetry(op: string, key: string, attempt: number, replayable: boolean, error: unknown, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) throw abortedError(key, signal.reason);
    const failure = isBrokerError(error) ? error : new BrokerError('IO', `${op} of ${JSON.stringify(key)} failed: ${error instanceof Error ? error.message : String(error)}.`, { key, cause: error });
    const max = this.#policy.maxAttempts;
    if (!replayable || !failure.retryable || failure.code === 'ABORTED' || attempt >= max) {
      if (attempt <= 1 || !failure.retryable) throw failure;
      throw new BrokerError(failure.code, `${failure.message} (gave up after ${attempt} attempts)`, { key: failure.key, retryable: true, cause: failure });
    }
    const delayMs = backoffDelay({ baseDelayMs: this.#policy.retryBaseMs, maxDelayMs: this.#policy.retryMaxMs }, attempt, this.#random);
    this.#onRetry?.({ op, key, attempt, delayMs, error: failure });
    this.#logger?.warn({ op, key, attempt, delayMs, err: failure.message }, 'repository storage call failed; retrying');
    try {
      if (delayMs > 0) await this.#clock.sleep(delayMs, signal);
    } catch {
      throw abortedError(key, signal?.reason);
    }
  }

  #watchdog(controller: AbortController, kind: DeadlineKind, allowanceMs = 0): Watchdog {
    const windowMs = kind === 'stall' ? this.#policy.stallTimeoutMs : this.#policy.requestTimeoutMs;
    return new Watchdog(this.#clock, controller, kind, windowMs, allowanceMs);
  }
}

/**
 * Aborts `controller` when no progress was reported for `windowMs` (plus `allowanceMs` until the first progress).
 * One timer at a time: a progress report only moves a timestamp; the timer re-arms for what is left when it fires.
 */
class Watchdog {
  readonly #clock: Clock;
  readonly #controller: AbortController;
  readonly #stop = new AbortController();
  /** Which deadline this is (named in the timeout message). */
  readonly kind: DeadlineKind;
  readonly windowMs: number;
  #allowanceMs: number;
  #lastProgress: number;
  #fired = false;

  constructor(clock: Clock, controller: AbortController, kind: DeadlineKind, windowMs: number, allowanceMs: number) {
    this.#clock = clock;
    this.#controller = controller;
    this.kind = kind;
    this.windowMs = windowMs;
    this.#allowanceMs = allowanceMs;
    this.#lastProgress = clock.now();
    this.#arm(windowMs + allowanceMs);
  }

  /** True once the deadline passed (and aborted the controller). */
  get fired(): boolean {
    return this.#fired;
  }

  progress(): void {
    this.#lastProgress = this.#clock.now();
    this.#allowanceMs = 0;
  }

  stop(): void {
    this.#stop.abort();
  }

  #arm(ms: number): void {
    this.#clock.sleep(ms, this.#stop.signal).then(
      () => {
        if (this.#stop.signal.aborted) return;
        const left = this.#lastProgress + this.windowMs + this.#allowanceMs - this.#clock.now();
        if (left > 0) return this.#arm(left);
        this.#fired = true;
        this.#controller.abort(new DeadlineExceeded(`no progress for ${this.windowMs} ms`));
      },
      () => undefined,
    );
  }
}

/** An AbortController that also aborts when `parent` does. */
function linkedController(parent: AbortSignal | undefined): AbortController {
  const controller = new AbortController();
  if (parent === undefined) return controller;
  if (parent.aborted) controller.abort(parent.reason);
  else {
    const onAbort = (): void => controller.abort(parent.reason);
    parent.addEventListener('abort', onAbort, { once: true });
    controller.signal.addEventListener('abort', () => parent.removeEventListener('abort', onAbort), { once: true });
  }
  return controller;
}
