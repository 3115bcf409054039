import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  BrokerError,
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
import { abortedError, toReadable } from './streams.ts';

/** The Broker operations a fault can target. */
export type BrokerOperation =
  | 'list'
  | 'stat'
  | 'read'
  | 'write'
  | 'uploadFile'
  | 'downloadFile'
  | 'createIfAbsent'
  | 'rename'
  | 'delete'
  | 'deletePrefix';

export interface FaultOptions {
  /** Fail the n-th call (1-based) of `op` (or of any operation when `op` is omitted). */
  readonly failNthCall?: { readonly op?: BrokerOperation; readonly n: number };
  /** Fail this fraction (0..1) of calls, drawn from the seeded generator. */
  readonly failFraction?: number;
  /** Operations `failFraction`, `latencyMs` and `cutStreamAfterBytes` apply to (default: all). */
  readonly ops?: readonly BrokerOperation[];
  /** Delay added before every call, in ms. */
  readonly latencyMs?: number;
  /** Break read and write streams after this many bytes (the stream errors; the write must leave nothing). */
  readonly cutStreamAfterBytes?: number;
  /** `retryable` (default) injects a retryable IO error (like a dropped connection); `permanent` an ACCESS_DENIED. */
  readonly errorKind?: 'retryable' | 'permanent';
  /** Seed for `failFraction` (default 1): the same seed gives the same failures. */
  readonly seed?: number;
  /**
   * Calls that never answer (a black-holed server): the `count` calls (default 1) of `op` (or of any operation)
   * starting with call number `from` (1-based) wait until their signal aborts, then reject with ABORTED.
   */
  readonly hangCalls?: { readonly op?: BrokerOperation; readonly from: number; readonly count?: number };
}

/** What the wrapper did, for assertions. */
export interface FaultStats {
  /** Calls seen per operation. */
  readonly calls: Readonly<Record<string, number>>;
  /** Faults injected (failed calls and cut streams). */
  readonly injected: number;
}

/**
 * Wraps any Broker and makes it misbehave on purpose, deterministically (seeded), so the layers above can be
 * tested for retries, cleanup and resumption against a real adapter underneath.
 */
export class FaultInjectingBroker implements Broker {
  readonly #inner: Broker;
  readonly #options: FaultOptions;
  readonly #calls: Record<string, number> = {};
  #total = 0;
  #injected = 0;
  #hangAll = false;
  #random: () => number;
  /**
   * Present when the inner broker has it. Items go one at a time (each counts, waits and may fail as one
   * `uploadFile`), so faults and latency land between files as they would for single calls.
   */
  readonly uploadFiles?: Broker['uploadFiles'];
  /** Present when the inner broker has it; one item at a time, each counting as one `read` of its object. */
  readonly downloadFiles?: Broker['downloadFiles'];
  /** Present when the inner broker has it; each key counts as one `read`. */
  readonly readFiles?: Broker['readFiles'];

  constructor(inner: Broker, options: FaultOptions = {}) {
    this.#inner = inner;
    this.#options = options;
    this.#random = mulberry32(options.seed ?? 1);
    const upload = inner.uploadFiles?.bind(inner);
    if (upload !== undefined) {
      this.uploadFiles = async (items, opts = {}) => {
        for (const [i, item] of items.entries()) {
          await this.#before('uploadFile', item.key, opts.signal);
          await upload([item], { ...opts, onItem: () => opts.onItem?.(i) });
        }
      };
    }
    const readFiles = inner.readFiles?.bind(inner);
    if (readFiles !== undefined) {
      this.readFiles = async (keys, opts = {}) => {
        for (const key of keys) await this.#before('read', key, opts.signal);
        return readFiles(keys, opts);
      };
    }
    const download = inner.downloadFiles?.bind(inner);
    if (download !== undefined) {
      this.downloadFiles = async (items, opts = {}) => {
        const out = [];
        for (const [i, item] of items.entries()) {
          await this.#before('read', item.key, opts.signal);
          out.push(...(await download([item], { ...opts, onItem: () => opts.onItem?.(i) })));
        }
        return out;
      };
    }
  }

  get scheme(): string {
    return this.#inner.scheme;
  }

  get location(): string {
    return this.#inner.location;
  }

  get capabilities(): BrokerCapabilities {
    return this.#inner.capabilities;
  }

  /** Counters so far. */
  get stats(): FaultStats {
    return { calls: { ...this.#calls }, injected: this.#injected };
  }

  /** Make every call from now on hang (true) or answer again (false), whatever `hangCalls` says. */
  setHanging(hanging: boolean): void {
    this.#hangAll = hanging;
  }

  #applies(op: BrokerOperation): boolean {
    return this.#options.ops === undefined || this.#options.ops.includes(op);
  }

  /** Count the call, wait the latency, and throw if this call is chosen to fail. */
  async #before(op: BrokerOperation, key: string, signal: AbortSignal | undefined): Promise<void> {
    const count = (this.#calls[op] ?? 0) + 1;
    this.#calls[op] = count;
    this.#total++;
    const latency = this.#applies(op) ? (this.#options.latencyMs ?? 0) : 0;
    if (latency > 0) {
      try {
        await sleep(latency, undefined, signal ? { signal } : {});
      } catch {
        throw abortedError(key, signal?.reason);
      }
    }
    const hang = this.#options.hangCalls;
    const n = hang?.op === undefined ? this.#total : count;
    const hangHit = hang !== undefined && (hang.op === undefined || hang.op === op) && n >= hang.from && n < hang.from + (hang.count ?? 1);
    if (hangHit || this.#hangAll) {
      this.#injected++;
      await new Promise<void>((_, reject) => {
        const fail = (): void => reject(abortedError(key, signal?.reason));
        if (signal?.aborted) return fail();
        signal?.addEventListener('abort', fail, { once: true });
      });
    }
    const nth = this.#options.failNthCall;
    const nthHit = nth !== undefined && (nth.op === undefined ? this.#total === nth.n : nth.op === op && count === nth.n);
    // Draw for every applicable call (hit or not) so the sequence of failures depends only on the seed and call order.
    const fraction = this.#options.failFraction ?? 0;
    const drawHit = fraction > 0 && this.#applies(op) && this.#random() < fraction;
    if (nthHit || drawHit) {
      this.#injected++;
      throw this.#fault(`${op} call ${count}`, key);
    }
  }

  #fault(what: string, key: string): BrokerError {
    return this.#options.errorKind === 'permanent'
      ? new BrokerError('ACCESS_DENIED', `Injected permanent fault (${what}).`, { key, retryable: false })
      : new BrokerError('IO', `Injected retryable fault (${what}).`, { key, retryable: true });
  }

  /** A stream that passes `cutStreamAfterBytes` bytes and then errors, when cutting applies to `op`. */
  #maybeCut(op: BrokerOperation, stream: Readable, key: string): Readable {
    const limit = this.#options.cutStreamAfterBytes;
    if (limit === undefined || !this.#applies(op)) return stream;
    const fail = (): BrokerError => {
      this.#injected++;
      return this.#fault(`${op} stream cut after ${limit} bytes`, key);
    };
    async function* cut(): AsyncGenerator<Buffer> {
      let remaining = limit ?? 0;
      for await (const chunk of stream) {
        const bytes = chunk as Buffer;
        if (bytes.length <= remaining) {
          remaining -= bytes.length;
          yield bytes;
          continue;
        }
        if (remaining > 0) yield bytes.subarray(0, remaining);
        remaining = 0;
        throw fail();
      }
    }
    // highWaterMark 0: the generator runs (and throws) only when the consumer asks for more, so the bytes before the
    // cut are delivered rather than dropped with the buffer when the stream is destroyed.
    return Readable.from(cut(), { objectMode: false, highWaterMark: 0 });
  }

  list(prefix: string, options?: ListOptions): AsyncIterable<BrokerEntry> {
    // Created now so argument errors surface exactly as the inner broker raises them.
    const inner = this.#inner.list(prefix, options);
    const before = (): Promise<void> => this.#before('list', prefix, options?.signal);
    return {
      async *[Symbol.asyncIterator]() {
        await before();
        yield* inner;
      },
    };
  }

  async stat(key: string, options?: OperationOptions): Promise<BrokerEntry | null> {
    await this.#before('stat', key, options?.signal);
    return this.#inner.stat(key, options);
  }

  async read(key: string, options?: ReadOptions): Promise<Readable> {
    await this.#before('read', key, options?.signal);
    return this.#maybeCut('read', await this.#inner.read(key, options), key);
  }

  async write(key: string, body: Readable | Uint8Array, options?: WriteOptions): Promise<WriteResult> {
    await this.#before('write', key, options?.signal);
    const cut = this.#options.cutStreamAfterBytes !== undefined && this.#applies('write');
    return this.#inner.write(key, cut ? this.#maybeCut('write', toReadable(body), key) : body, options);
  }

  async uploadFile(localPath: string, key: string, options?: WriteOptions): Promise<WriteResult> {
    await this.#before('uploadFile', key, options?.signal);
    return this.#inner.uploadFile(localPath, key, options);
  }

  async downloadFile(key: string, localPath: string, options?: OperationOptions): Promise<WriteResult> {
    await this.#before('downloadFile', key, options?.signal);
    return this.#inner.downloadFile(key, localPath, options);
  }

  async createIfAbsent(key: string, body: Uint8Array, options?: OperationOptions): Promise<boolean> {
    await this.#before('createIfAbsent', key, options?.signal);
    return this.#inner.createIfAbsent(key, body, options);
  }

  async rename(from: string, to: string, options?: OperationOptions): Promise<void> {
    await this.#before('rename', from, options?.signal);
    return this.#inner.rename(from, to, options);
  }

  async delete(key: string, options?: OperationOptions): Promise<void> {
    await this.#before('delete', key, options?.signal);
    return this.#inner.delete(key, options);
  }

  async deletePrefix(prefix: string, options?: DeletePrefixOptions): Promise<number> {
    await this.#before('deletePrefix', prefix, options?.signal);
    return this.#inner.deletePrefix(prefix, options);
  }

  async close(): Promise<void> {
    return this.#inner.close();
  }
}

/** Small, fast, seedable PRNG (public-domain mulberry32): deterministic fault sequences across runs. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
