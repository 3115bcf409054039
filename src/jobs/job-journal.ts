import type { Catalog } from '../catalog/catalog.ts';
import { applyJournal, type JournalEntry } from '../catalog/jobs-tasks.ts';
import type { Logger } from '../logging/logger.ts';

/**
 * Completions of tasks and files, written to the catalog in batches: everything recorded within one turn of the
 * event loop goes in one transaction, at the next turn or earlier when the runner needs the catalog to agree with
 * memory (before a state transition, a state step, a cancel, shutdown). A crash loses at most the last unflushed
 * batch, which only makes a restarted job repeat those tasks and files: nothing is ever recorded before it is done
 * (a file is reported only once it is durable at its destination).
 */
export class JobJournal {
  readonly #catalog: Catalog;
  readonly #logger: Logger;
  #entries: JournalEntry[] = [];
  #scheduled = false;

  constructor(catalog: Catalog, logger: Logger) {
    this.#catalog = catalog;
    this.#logger = logger;
  }

  /** Entries recorded and not yet written. */
  get pending(): number {
    return this.#entries.length;
  }

  /** Buffer one entry; it is written at the next turn of the event loop at the latest. */
  record(entry: JournalEntry): void {
    this.#entries.push(entry);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      try {
        this.flush();
      } catch (error) {
        this.#logger.error({ err: error }, 'job journal write failed; the entries are retried at the next flush');
      }
    });
  }

  /** Write every buffered entry now, in one transaction. Throws (keeping the entries) when the catalog refuses. */
  flush(): void {
    if (this.#entries.length === 0) return;
    if (!this.#catalog.db.open) {
      // Closed under us (engine shutdown after a crash of its owner): nothing can be written any more.
      this.#entries = [];
      return;
    }
    const batch = this.#entries;
    this.#entries = [];
    try {
      applyJournal(this.#catalog, batch);
    } catch (error) {
      this.#entries = batch.concat(this.#entries);
      throw error;
    }
  }
}
