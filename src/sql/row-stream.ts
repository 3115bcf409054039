import type { ColumnType } from '../types/column-type.ts';
import type { OkResult, ResultSet, StatementResult } from './result.ts';
import { sqlError } from '../errors/index.ts';

/** One row as every door sends it: text per column, SQL NULL as null. */
export type TextRow = readonly (string | null)[];

/** A streamed statement's result: rows still to be read, or an OK. */
export type StreamedResult = RowStream | OkResult;

/** What a statement handler returns: a finished result, or rows that the reader pulls from the query. */
export type HandlerResult = StatementResult | RowStream;

/**
 * A result set read while the query produces it. SELECT hands its row batches to the reader one at a time, so a
 * result of any size needs memory for one batch, and a reader that stops pulling (a slow client) pauses the query
 * instead of letting rows pile up.
 *
 * Read it once: row by row (`for await (const row of stream)`), or batch by batch (`stream.batches()`). Leaving the
 * loop early (break, return, throw) or calling `close()` stops the query and releases what it holds. A session runs
 * one statement at a time: it closes a stream nobody finished before its next statement.
 */
export class RowStream {
  readonly kind = 'stream' as const;
  /** Column names in order. */
  readonly columns: readonly string[];
  /** Column types, for wire metadata. */
  readonly columnTypes: readonly ColumnType[];
  /**
   * Aborted when the statement is interrupted (KILL QUERY, session closed). A reader waiting on something of its own
   * (a socket that does not drain) should stop waiting; the next batch it pulls then fails with 1317.
   */
  readonly signal: AbortSignal | undefined;
  readonly #source: AsyncIterable<readonly TextRow[]>;
  #iterator: AsyncIterator<readonly TextRow[]> | undefined;
  #taken = false;
  #done = false;
  readonly #onDone: (() => void)[] = [];

  constructor(
    columns: readonly string[],
    columnTypes: readonly ColumnType[],
    batches: AsyncIterable<readonly TextRow[]>,
    options: { readonly signal?: AbortSignal | undefined } = {},
  ) {
    this.columns = columns;
    this.columnTypes = columnTypes;
    this.#source = batches;
    this.signal = options.signal;
  }

  /** A finished result set (SHOW, DESCRIBE, …) presented as a stream. */
  static of(result: ResultSet, batchSize = 1024): RowStream {
    const rows = result.rows;
    return new RowStream(result.columns, result.columnTypes, (async function* () {
      for (let i = 0; i < rows.length; i += batchSize) yield rows.slice(i, i + batchSize);
    })());
  }

  /** True once the rows are exhausted, the reader stopped, or the query failed. */
  get done(): boolean {
    return this.#done;
  }

  /** The rows in the batches the query produces them. Once per stream. */
  async *batches(): AsyncGenerator<readonly TextRow[], void, void> {
    if (this.#taken) throw new Error('a RowStream can be read only once');
    this.#taken = true;
    if (this.#done) return;
    const iterator = this.#source[Symbol.asyncIterator]();
    this.#iterator = iterator;
    try {
      for (;;) {
        const next = await iterator.next();
        // Closed by someone else while this reader waited (the session's next statement, KILL, the connection's
        // end): the rows stop here, and a reader must not take what it got for the whole result.
        if (this.#done) throw sqlError('ER_QUERY_INTERRUPTED', 'Query execution was interrupted: the result was closed while it was being read');
        if (next.done) break;
        if (next.value.length > 0) yield next.value;
      }
      this.#iterator = undefined;
    } finally {
      await this.close();
    }
  }

  /** Row by row. */
  async *[Symbol.asyncIterator](): AsyncGenerator<TextRow, void, void> {
    for await (const batch of this.batches()) yield* batch;
  }

  /** Every remaining row (what `session.execute` returns). */
  async collect(): Promise<ResultSet> {
    const rows: TextRow[] = [];
    for await (const batch of this.batches()) for (const row of batch) rows.push(row);
    return { kind: 'rows', columns: this.columns, columnTypes: this.columnTypes, rows };
  }

  /** Stop the query (if it still runs) and release what it holds. Idempotent; safe before reading started. */
  async close(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    const iterator = this.#iterator;
    this.#iterator = undefined;
    try {
      await iterator?.return?.();
    } finally {
      for (const listener of this.#onDone.splice(0)) listener();
    }
  }

  /** Run `listener` once when the stream ends (exhausted, closed or failed): the statement is over then. */
  onDone(listener: () => void): void {
    if (this.#done) listener();
    else this.#onDone.push(listener);
  }
}

/** Whether a handler's result is a stream. */
export function isRowStream(result: HandlerResult): result is RowStream {
  return result.kind === 'stream';
}
