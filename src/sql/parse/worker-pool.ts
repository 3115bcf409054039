/**
 * Parsing off the event loop. tablevault's chevrotain parser costs tens of microseconds and about a kilobyte per
 * token, and it recurses once per nesting level: a 100 KB statement held the loop for a second, and nesting a
 * few hundred parentheses deep overflowed the main thread's stack. Statements that are not small are therefore
 * parsed by one worker thread (started on first use, ~1–3 s, then kept; it holds the process open only while a
 * parse is pending), with a bounded heap and a larger stack. Other connections are served meanwhile; a statement whose parse
 * runs past KILL QUERY or query_timeout is stopped by terminating the worker (a fresh one starts for the next).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ParseLimits, Statement } from '../../../grammar/index.ts';
import { freeze } from '../../../grammar/index.ts';
import { SqlError } from '../../errors/index.ts';
import { throwIfInterrupted } from '../pace.ts';

/** What the worker is asked. The text travels as UTF-8 bytes in a transferred buffer: no copy of a large string. */
export interface ParseRequest {
  readonly id: number;
  readonly utf8: Uint8Array;
  readonly limits: ParseLimits;
}

/** What the worker answers: the statement, or the SqlError's fields. */
export type ParseReply =
  | { readonly id: number; readonly statement: Statement }
  | {
      readonly id: number;
      readonly error: { errno: number; sqlState: string; message: string; line?: number | undefined; column?: number | undefined };
    };

/** The worker's heap: a statement needing more is refused (1041), the process is not harmed. */
export const PARSER_MEMORY_MB = 512;
/** The worker's stack: deep (legal) nesting parses here that would overflow the main thread's ~1 MB stack. */
const PARSER_STACK_MB = 32;

interface Job {
  readonly id: number;
  readonly text: string;
  readonly limits: ParseLimits;
  readonly resolve: (statement: Statement) => void;
  readonly reject: (error: unknown) => void;
  readonly signal: AbortSignal;
  readonly onAbort: () => void;
}

/** Loads tsx in the worker when the sources run as TypeScript (tests, `bin/tablevault.js`); the build needs none. */
const BOOT = `
const { workerData } = require('node:worker_threads');
(async () => {
  // tsx's hooks are only needed to load the entry's module graph; left registered, they keep the process alive.
  const unregister = workerData.loader === undefined ? undefined : (await import(workerData.loader)).register();
  await import(workerData.entry);
  await unregister?.();
})();
`;

/** `grammarValidated`: the main thread has built (and so validated) the grammar; see grammar/parser.ts. */
function workerData(): { entry: string; loader?: string; grammarValidated: true } {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return { entry: new URL('./parse-worker.js', self).href, grammarValidated: true };
  const tsxPackage = createRequire(self).resolve('tsx/package.json');
  // tsx's documented ESM API entry (package.json exports "./esm/api" → import).
  const loader = pathToFileURL(path.join(path.dirname(tsxPackage), 'dist/esm/api/index.mjs')).href;
  return { entry: new URL('./parse-worker.ts', self).href, loader, grammarValidated: true };
}

function failure(error: unknown): SqlError {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new SqlError(
      1041,
      'HY000',
      `Out of memory while parsing the statement: the parser may use ${PARSER_MEMORY_MB} MB. Send a shorter statement, or split it into several`,
    );
  }
  const detail = error instanceof Error ? error.message : `exit code ${String(error)}`;
  return new SqlError(1105, 'HY000', `Internal error: the parser thread failed (${detail})`, undefined, { cause: error });
}

/** One parser thread serving parse requests in order. */
export class ParseWorker {
  #worker: Worker | undefined;
  #running: Job | undefined;
  readonly #queue: Job[] = [];
  #nextId = 1;

  /** Parse `text` (one statement) within `limits`; rejects with the statement's SqlError, or the signal's reason. */
  parse(text: string, limits: ParseLimits, signal: AbortSignal): Promise<Statement> {
    return new Promise<Statement>((resolve, reject) => {
      try {
        throwIfInterrupted(signal);
      } catch (error) {
        reject(error);
        return;
      }
      const job: Job = { id: this.#nextId++, text, limits, resolve, reject, signal, onAbort: () => this.#abort(job) };
      signal.addEventListener('abort', job.onAbort, { once: true });
      this.#queue.push(job);
      this.#pump();
    });
  }

  /** Start the thread now (it takes a second or more), so the first large statement does not wait for it. */
  warm(): void {
    this.#spawn();
  }

  /** Stop the thread (tests; the process may also simply exit: the thread is unref'd). */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker !== undefined) await worker.terminate();
  }

  #pump(): void {
    if (this.#running !== undefined) return;
    const job = this.#queue.shift();
    if (job === undefined) return;
    this.#running = job;
    const worker = this.#spawn();
    // While a parse is pending the thread holds the process open (the caller awaits it); idle, it does not.
    worker.ref();
    const utf8 = Buffer.from(job.text, 'utf8');
    // Buffer.from may hand out a slice of a shared pool; only a buffer of its own can be transferred.
    const bytes = utf8.byteOffset === 0 && utf8.byteLength === utf8.buffer.byteLength ? utf8 : Uint8Array.prototype.slice.call(utf8);
    const request: ParseRequest = { id: job.id, utf8: bytes, limits: job.limits };
    worker.postMessage(request, [bytes.buffer as ArrayBuffer]);
  }

  #spawn(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    const worker = new Worker(BOOT, {
      eval: true,
      workerData: workerData(),
      resourceLimits: { maxOldGenerationSizeMb: PARSER_MEMORY_MB, stackSizeMb: PARSER_STACK_MB },
    });
    worker.on('message', (reply: ParseReply | { ready: true }) => this.#onReply(worker, reply));
    worker.on('error', (error) => this.#onFailure(worker, error));
    worker.on('exit', (code) => this.#onFailure(worker, code));
    // Idle until a job runs (after the listeners: attaching a 'message' listener refs the worker's port again).
    worker.unref();
    this.#worker = worker;
    return worker;
  }

  #settle(job: Job): void {
    job.signal.removeEventListener('abort', job.onAbort);
    if (this.#running === job) {
      this.#running = undefined;
      this.#worker?.unref();
    }
  }

  #onReply(worker: Worker, reply: ParseReply | { ready: true }): void {
    if (worker !== this.#worker || 'ready' in reply) return;
    const job = this.#running;
    if (job === undefined || job.id !== reply.id) return;
    this.#settle(job);
    if ('statement' in reply) job.resolve(freeze(reply.statement));
    else {
      const { errno, sqlState, message, line, column } = reply.error;
      job.reject(new SqlError(errno, sqlState, message, line !== undefined && column !== undefined ? { line, column } : undefined));
    }
    this.#pump();
  }

  #onFailure(worker: Worker, error: unknown): void {
    if (worker !== this.#worker) return; // an old thread we terminated on purpose
    this.#worker = undefined;
    const job = this.#running;
    if (job !== undefined) {
      this.#settle(job);
      job.reject(failure(error));
    }
    this.#pump();
  }

  #abort(job: Job): void {
    const queued = this.#queue.indexOf(job);
    if (queued >= 0) this.#queue.splice(queued, 1);
    else if (this.#running === job) {
      // A parse cannot be interrupted from outside: the thread goes, and a new one serves what is queued.
      const worker = this.#worker;
      this.#worker = undefined;
      void worker?.terminate();
    }
    this.#settle(job);
    try {
      throwIfInterrupted(job.signal);
    } catch (error) {
      job.reject(error);
    }
    this.#pump();
  }
}

/** The process's parser thread. */
export const parseWorker = new ParseWorker();
