/**
 * A read-only cursor of a prepared statement (COM_STMT_EXECUTE with CURSOR_TYPE_READ_ONLY): the statement's row
 * stream, read as COM_STMT_FETCH asks. Rows are pulled from the query a batch at a time, never collected whole;
 * one batch is read ahead so the fetch that sends the last row can say so (SERVER_STATUS_LAST_ROW_SENT).
 */
import type { RowStream, TextRow } from '../sql/row-stream.ts';
import type { ColumnDefinition } from './packets.ts';

export class OpenCursor {
  /** The result's wire column definitions (sent at the execute; each fetched row is encoded with them). */
  readonly definitions: readonly ColumnDefinition[];
  readonly #stream: RowStream;
  #batches: AsyncGenerator<readonly TextRow[], void, void> | undefined;
  /** The batch being sent, from #next on. */
  #batch: readonly TextRow[] = [];
  #next = 0;
  #exhausted = false;

  constructor(stream: RowStream, definitions: readonly ColumnDefinition[]) {
    this.#stream = stream;
    this.definitions = definitions;
  }

  /** Up to `count` rows; `last` once the query has no more (the stream is then finished). Query errors are thrown. */
  async read(count: number): Promise<{ readonly rows: readonly TextRow[]; readonly last: boolean }> {
    const rows: TextRow[] = [];
    while (rows.length < count && (await this.#fill())) {
      const take = Math.min(count - rows.length, this.#batch.length - this.#next);
      for (let i = 0; i < take; i++) rows.push(this.#batch[this.#next + i] as TextRow);
      this.#next += take;
    }
    return { rows, last: !(await this.#fill()) };
  }

  /** Whether a row is ready to send, pulling the next batch when the current one is used up. */
  async #fill(): Promise<boolean> {
    while (this.#next >= this.#batch.length) {
      if (this.#exhausted) return false;
      this.#batches ??= this.#stream.batches();
      const next = await this.#batches.next();
      if (next.done === true) {
        this.#exhausted = true;
        return false;
      }
      this.#batch = next.value;
      this.#next = 0;
    }
    return true;
  }

  /** Stop the query and release what it holds (COM_STMT_RESET / CLOSE, a new execute, the connection's end). */
  async close(): Promise<void> {
    this.#exhausted = true;
    this.#batch = [];
    await this.#stream.close();
  }
}
