import { execFile } from 'node:child_process';

/**
 * Make everything written to the file system holding `dir` durable: syncfs(2) through `sync -f` on Linux (one flush
 * of that file system, like `cp -r … && sync -f`), `sync` elsewhere. Why not fsync per file: each fsync commits the
 * file system's journal on its own, so a job of ten thousand small files paid ten thousand commits; a phase's files
 * written first and flushed together pay one.
 */
export function syncFileSystem(dir: string, signal?: AbortSignal): Promise<void> {
  const args = process.platform === 'linux' ? ['-f', dir] : [];
  return new Promise((resolve, reject) => {
    execFile('sync', args, { signal, windowsHide: true }, (error, _stdout, stderr) => {
      if (error === null) resolve();
      else reject(Object.assign(new Error(`sync ${args.join(' ')} failed: ${stderr.trim() || error.message}`), { code: 'EIO', cause: error }));
    });
  });
}

/** One writer's ticket: see SyncBarrier. */
export interface BarrierTicket {
  /** The writer's files are written: resolve once a flush that started after this call has completed. */
  durable(): Promise<void>;
  /** The writer stopped without needing durability (failed, aborted). */
  leave(): void;
}

/**
 * Coalesces the flushes of concurrent writers of one target. Each writer `enter`s before writing and asks for
 * `durable()` when done; a flush starts when no writer is still writing (so one flush covers every batch of a
 * phase) or when the oldest request has waited `maxDelayMs` (so a long phase still makes progress durable, and its
 * journal advances, every so often). Writers that ask while a flush runs wait for the next one: the running flush
 * may have started before their last write.
 */
export class SyncBarrier {
  readonly #flush: () => Promise<void>;
  readonly #maxDelayMs: number;
  #writing = 0;
  #waiting: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  #flushing: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(flush: () => Promise<void>, options: { readonly maxDelayMs?: number } = {}) {
    this.#flush = flush;
    this.#maxDelayMs = options.maxDelayMs ?? 2000;
  }

  /** Start writing. */
  enter(): BarrierTicket {
    this.#writing++;
    let open = true;
    const close = (): void => {
      if (!open) return;
      open = false;
      this.#writing--;
    };
    return {
      durable: () => {
        close();
        const done = new Promise<void>((resolve, reject) => this.#waiting.push({ resolve, reject }));
        this.#schedule();
        return done;
      },
      leave: () => {
        close();
        this.#schedule();
      },
    };
  }

  #schedule(): void {
    if (this.#waiting.length === 0 || this.#flushing !== null) return;
    if (this.#writing === 0) {
      this.#start();
      return;
    }
    this.#timer ??= setTimeout(() => {
      this.#timer = null;
      if (this.#flushing === null && this.#waiting.length > 0) this.#start();
    }, this.#maxDelayMs);
  }

  #start(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    const round = this.#waiting.splice(0);
    this.#flushing = this.#flush().then(
      () => {
        for (const w of round) w.resolve();
      },
      (error: unknown) => {
        for (const w of round) w.reject(error);
      },
    ).finally(() => {
      this.#flushing = null;
      this.#schedule();
    });
  }
}
