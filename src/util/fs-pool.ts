import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { fsWorkerMain, type FromWorker, type FsOp, type FsResult, type ToWorker } from './fs-pool-worker.ts';

export type { FsOp, FsResult, TreeListing } from './fs-pool-worker.ts';

/**
 * A few worker threads that run batches of file operations (links, kernel copies, small writes, md5 of whole files)
 * with synchronous calls. Why: BACKUP and RESTORE touch thousands of small files, and from the main thread every
 * call is a round trip through libuv's pool and the event loop that also answers clients — under load each trip
 * waits behind every statement in the queue. A batch is one message each way, and the bytes (hashing, copying) never
 * touch the statement loop. File descriptors stay bounded: a worker holds at most two at a time.
 */
export class FsPool {
  readonly #size: number;
  #workers: PoolWorker[] = [];
  #queue: Batch[] = [];
  #nextId = 1;
  #closed = false;

  /** `size` threads (default: the machine's parallelism, between 2 and 4). */
  constructor(size = Math.max(2, Math.min(4, os.availableParallelism()))) {
    this.#size = size;
  }

  /**
   * Run `ops` in order on one thread and resolve with one result per op (an op's failure does not stop the next).
   * An abort stops the batch between two ops; ops not run then fail with `ABORT_ERR`. `onProgress` is told, about
   * every 100 ms, how many ops ran and how many bytes they moved.
   */
  run(ops: readonly FsOp[], options: { signal?: AbortSignal; onProgress?: (ops: number, bytes: number) => void } = {}): Promise<FsResult[]> {
    if (this.#closed) return Promise.reject(new Error('fs pool is closed'));
    if (ops.length === 0) return Promise.resolve([]);
    const { signal, onProgress } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<FsResult[]>((resolve, reject) => {
      const cancel = new Int32Array(new SharedArrayBuffer(4));
      const onAbort = (): void => {
        Atomics.store(cancel, 0, 1);
        const queued = this.#queue.indexOf(batch);
        if (queued >= 0) {
          this.#queue.splice(queued, 1);
          reject(signal?.reason);
        }
      };
      const batch: Batch = {
        id: this.#nextId++,
        ops,
        cancel,
        onProgress,
        settle: (results, error) => {
          signal?.removeEventListener('abort', onAbort);
          if (error !== undefined) reject(error);
          else if (signal?.aborted && results?.some((r) => !r.ok && r.code === 'ABORT_ERR')) reject(signal.reason);
          else resolve([...(results ?? [])]);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(batch);
      this.#pump();
    });
  }

  /** Start every thread now (they idle unreferenced), so the first batches do not wait for them. */
  warm(): void {
    while (!this.#closed && this.#workers.length < this.#size) this.#spawn();
  }

  /** Stop every thread (batches in flight fail). The shared pool never needs this: idle threads do not hold the process. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const b of this.#queue.splice(0)) b.settle(null, new Error('fs pool is closed'));
    await Promise.all(this.#workers.map((w) => w.thread.terminate()));
    this.#workers = [];
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      let worker = this.#workers.find((w) => w.busy === null);
      if (worker === undefined && this.#workers.length < this.#size) worker = this.#spawn();
      if (worker === undefined) return;
      const batch = this.#queue.shift() as Batch;
      worker.busy = batch;
      worker.thread.ref();
      worker.thread.postMessage({ id: batch.id, ops: batch.ops, cancel: batch.cancel } satisfies ToWorker);
    }
  }

  #spawn(): PoolWorker {
    // __name: esbuild (tsx, vitest) wraps named functions in a helper the eval'd source does not have.
    const source = `"use strict";var __name=(f)=>f;(${fsWorkerMain.toString()})();`;
    const thread = new Worker(source, { eval: true });
    const worker: PoolWorker = { thread, busy: null };
    thread.on('message', (message: FromWorker) => {
      const batch = worker.busy;
      if (batch === null || batch.id !== message.id) return;
      if (message.type === 'progress') {
        batch.onProgress?.(message.ops, message.bytes);
        return;
      }
      worker.busy = null;
      thread.unref();
      batch.settle(message.results as FsResult[]);
      this.#pump();
    });
    const fail = (error: Error): void => {
      this.#workers = this.#workers.filter((w) => w !== worker);
      const batch = worker.busy;
      worker.busy = null;
      batch?.settle(null, error);
      this.#pump();
    };
    thread.on('error', fail);
    thread.on('exit', (code) => fail(new Error(`fs pool worker exited with code ${code}`)));
    // After the listeners: adding a 'message' listener refs the thread's port again (Node 20), and an idle thread that
    // holds the process kept `tablevault serve` alive after SIGTERM or SHUTDOWN.
    thread.unref();
    this.#workers.push(worker);
    return worker;
  }
}

interface Batch {
  readonly id: number;
  readonly ops: readonly FsOp[];
  readonly cancel: Int32Array;
  readonly onProgress: ((ops: number, bytes: number) => void) | undefined;
  settle(results: readonly FsResult[] | null, error?: Error): void;
}

interface PoolWorker {
  readonly thread: Worker;
  busy: Batch | null;
}

let shared: FsPool | undefined;

/** The process-wide pool (created on first use; its idle threads never keep the process alive). */
export function fsPool(): FsPool {
  shared ??= new FsPool();
  return shared;
}

/** An fs error as Node reports one (`code`, message), so callers map it as they map a failed fs call. */
export class FsOpError extends Error {
  override name = 'FsOpError';
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** The value of a result, or its error thrown. */
export function unwrap<T>(result: FsResult | undefined): T {
  if (result === undefined) throw new FsOpError('EIO', 'fs pool returned no result');
  if (!result.ok) throw new FsOpError(result.code, result.message);
  return result.value as T;
}

/** Run `ops` and throw the first failure; resolves with every value otherwise. */
export async function runAll(ops: readonly FsOp[], options: { signal?: AbortSignal } = {}): Promise<unknown[]> {
  const results = await fsPool().run(ops, options);
  return results.map((r) => unwrap<unknown>(r));
}
