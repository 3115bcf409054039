import type { BatchDownloadItem, Broker, OperationOptions, ReadOptions } from '../../src/brokers/broker.ts';
import { openBroker } from '../../src/brokers/open-broker.ts';

/** Broker reads that wait while the gate is closed (and give up when the caller's signal aborts). */
export class Gate {
  #open = true;
  #waiters: (() => void)[] = [];
  /** Reads waiting now. */
  waiting = 0;

  close(): void {
    this.#open = false;
  }

  open(): void {
    this.#open = true;
    for (const w of this.#waiters.splice(0)) w();
  }

  async pass(signal: AbortSignal | undefined): Promise<void> {
    if (this.#open) return;
    this.waiting++;
    try {
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => reject(signal?.reason);
        signal?.addEventListener('abort', onAbort, { once: true });
        this.#waiters.push(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    } finally {
      this.waiting--;
    }
  }

  /** Resolves once a read waits at the gate (bounded). */
  async held(): Promise<void> {
    for (let i = 0; this.waiting === 0; i++) {
      if (i > 3000) throw new Error('no read ever reached the gate');
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

/**
 * Gates around a real adapter that hold a RESTORE job in a state deterministically: `meta` holds PENDING (the job
 * reads the snapshot's meta file there; the RESTORE statement's own read — the first after `resetMeta()` — passes),
 * `content` holds DOWNLOADING (every data-file read, streamed, downloaded or in a batch).
 */
export class RestoreGates {
  readonly meta = new Gate();
  readonly content = new Gate();
  #metaReads = 0;

  /** Call before submitting a RESTORE: its statement's meta read passes, the job's waits while `meta` is closed. */
  resetMeta(): void {
    this.#metaReads = 0;
  }

  /** EngineOptions.openBroker. */
  readonly open = async (location: string, properties: Readonly<Record<string, string>>): Promise<Broker> => {
    const inner = await openBroker(location, properties);
    // Every way a job reads the repository: one stream, one file, or a batch (its keys pass the gates first).
    const gate = async (keys: readonly string[], signal: AbortSignal | undefined): Promise<void> => {
      for (const key of keys) {
        if (key.includes('/__meta.') && ++this.#metaReads >= 2) await this.meta.pass(signal);
        if (key.includes('/__ss_content/')) await this.content.pass(signal);
      }
    };
    return new Proxy(inner, {
      get: (target, prop, receiver) => {
        if (prop === 'read') {
          return async (key: string, o?: ReadOptions) => {
            await gate([key], o?.signal);
            return target.read(key, o);
          };
        }
        if (prop === 'downloadFile') {
          return async (key: string, localPath: string, o?: OperationOptions) => {
            await gate([key], o?.signal);
            return target.downloadFile(key, localPath, o);
          };
        }
        if (prop === 'downloadFiles' && target.downloadFiles !== undefined) {
          const batch = target.downloadFiles.bind(target);
          return async (items: readonly BatchDownloadItem[], o?: Parameters<typeof batch>[1]) => {
            await gate(items.map((i) => i.key), o?.signal);
            return batch(items, o);
          };
        }
        if (prop === 'readFiles' && target.readFiles !== undefined) {
          const batch = target.readFiles.bind(target);
          return async (keys: readonly string[], o?: OperationOptions) => {
            await gate(keys, o?.signal);
            return batch(keys, o);
          };
        }
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  };
}
