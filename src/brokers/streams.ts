import { Readable, Transform, type TransformCallback } from 'node:stream';

import { BrokerError, isBrokerError } from './broker.ts';

/** Stream and abort helpers shared by the adapters. */

/** Reject with `ABORTED` when the signal has already fired (checked before and between steps of an operation). */
export function throwIfAborted(signal: AbortSignal | undefined, key?: string): void {
  if (signal?.aborted) throw abortedError(key, signal.reason);
}

export function abortedError(key: string | undefined, cause?: unknown): BrokerError {
  return new BrokerError('ABORTED', `The operation${key === undefined ? '' : ` on ${JSON.stringify(key)}`} was aborted.`, {
    key,
    retryable: false,
    cause,
  });
}

/** Whether an error is an abort from Node (AbortError / ABORT_ERR), fetch, the AWS SDK or lib-storage. */
export function isAbortError(error: unknown): boolean {
  if (isBrokerError(error)) return error.code === 'ABORTED';
  if (typeof error !== 'object' || error === null) return false;
  const { name, code } = error as { name?: unknown; code?: unknown };
  return name === 'AbortError' || code === 'ABORT_ERR';
}

/** The body of a write as a Readable (a Uint8Array becomes a one-chunk stream). */
export function toReadable(body: Readable | Uint8Array): Readable {
  return body instanceof Uint8Array ? Readable.from([body], { objectMode: false }) : body;
}

/**
 * A pass-through that counts bytes and reports the running total. Placing it in the pipeline (rather than counting
 * at the sink) keeps back-pressure intact: it never buffers more than one chunk.
 */
export class ByteCounter extends Transform {
  #bytes = 0;
  readonly #onProgress: ((bytes: number) => void) | undefined;

  constructor(onProgress?: (bytes: number) => void) {
    super();
    this.#onProgress = onProgress;
  }

  /** Bytes that have passed through so far. */
  get bytes(): number {
    return this.#bytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#bytes += chunk.length;
    this.#onProgress?.(this.#bytes);
    callback(null, chunk);
  }
}

/**
 * Wrap a download stream so that (1) any error it emits reaches the consumer as a BrokerError (mapped by `mapError`),
 * and (2) the signal destroys it with `ABORTED`. Back-pressure is preserved: the wrapper pulls from the source only
 * as fast as it is read.
 */
export function guardReadStream(
  source: Readable,
  key: string,
  mapError: (error: unknown) => BrokerError,
  signal?: AbortSignal,
): Readable {
  async function* pump(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of source) yield chunk as Buffer;
    } catch (error) {
      throw signal?.aborted ? abortedError(key, signal.reason) : isBrokerError(error) ? error : mapError(error);
    }
  }
  const guarded = Readable.from(pump(), { objectMode: false, highWaterMark: 64 * 1024 });
  if (signal !== undefined) {
    const onAbort = (): void => {
      const error = abortedError(key, signal.reason);
      // Before the consumer pulls (signal already aborted, or aborted while the caller awaited), nothing listens on
      // `source`: its 'error' would be an uncaught exception that kills the process. The consumer gets `guarded`'s.
      source.on('error', () => undefined);
      source.destroy(error);
      guarded.destroy(error);
    };
    if (signal.aborted) onAbort();
    else {
      signal.addEventListener('abort', onAbort, { once: true });
      guarded.once('close', () => signal.removeEventListener('abort', onAbort));
    }
  }
  // A consumer that gives up early (destroy) must release the source's socket or file descriptor.
  guarded.once('close', () => {
    if (!source.destroyed) source.destroy();
  });
  return guarded;
}

/** Check and normalise a `[start, end)` read range; `end` may run past the end of the file (it is clamped). */
export function checkRange(key: string, start: number | undefined, end: number | undefined): { start: number; end: number | undefined } {
  const from = start ?? 0;
  if (!Number.isSafeInteger(from) || from < 0) {
    throw new BrokerError('INVALID_ARGUMENT', `Invalid read range start ${String(start)} for ${JSON.stringify(key)}: it must be an integer >= 0.`, { key });
  }
  if (end !== undefined && (!Number.isSafeInteger(end) || end < from)) {
    throw new BrokerError('INVALID_ARGUMENT', `Invalid read range end ${String(end)} for ${JSON.stringify(key)}: it must be an integer >= start (${from}).`, { key });
  }
  return { start: from, end };
}
