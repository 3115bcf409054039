import type { StatementResult } from '../sql/result.ts';
import type { StreamedResult } from '../sql/row-stream.ts';
import { isSqlError, SqlError } from '../errors/index.ts';
import { columnCountPayload } from './packets.ts';
import { ClientGoneError } from './packet-writer.ts';
import type { Reply } from './mysql-connection.ts';
import { rowEncoder, type RowFormat } from './row-encoder.ts';
import { shouldYield, yieldTurn } from '../sql/pace.ts';

/** Any result the server writes: finished (library-style) or streamed from the query pipeline. */
type WritableResult = StatementResult | StreamedResult;

/**
 * Write the results of one COM_QUERY. The engine splits and runs the statements (`streamScript`). Every result but
 * the last must carry SERVER_MORE_RESULTS_EXISTS (that is what makes multi-statement clients read on), and that flag
 * sits in the packet that ENDS a result: so a result's rows are written first, then the next statement is started
 * (it runs, or fails), and only then is the ending packet written. A streamed result's rows go out batch by batch
 * as the query produces them, waiting for the socket to drain, so memory stays bounded for any result size.
 *
 * An error ends the reply: what was written before it stays (flagged "more", or rows of an unfinished result set),
 * then the ERR, exactly as MySQL does. Returns the errno of that error, if any, for the statement log line.
 */
export async function writeStatementResults(results: AsyncIterable<WritableResult>, reply: Reply, format: RowFormat = 'text'): Promise<{ errno?: number }> {
  const iterator = results[Symbol.asyncIterator]();
  try {
    let current: IteratorResult<WritableResult, unknown>;
    try {
      current = await iterator.next();
    } catch (error) {
      reply.error(error);
      return errnoOf(error);
    }
    if (current.done) {
      reply.error(new SqlError(1065, '42000', 'Query was empty'));
      return { errno: 1065 };
    }
    for (;;) {
      try {
        await writeRows(current.value, reply, format);
      } catch (error) {
        if (error instanceof ClientGoneError) throw error;
        reply.error(error);
        return errnoOf(error);
      }
      let next: IteratorResult<WritableResult, unknown> | undefined;
      let failure: { error: unknown } | undefined;
      try {
        next = await iterator.next();
      } catch (error) {
        failure = { error };
      }
      writeEnd(current.value, reply, failure !== undefined || (next !== undefined && !next.done));
      if (failure !== undefined) {
        reply.error(failure.error);
        return errnoOf(failure.error);
      }
      if (next === undefined || next.done) return {};
      current = next;
    }
  } finally {
    // The script stops here (error, client gone): its remaining statements never run.
    await iterator.return?.(undefined);
  }
}

/** One whole result: an OK packet, or column definitions + rows + EOF, flushed in chunks with back-pressure. */
export async function writeResult(result: WritableResult, reply: Reply, more: boolean, format: RowFormat = 'text'): Promise<void> {
  await writeRows(result, reply, format);
  writeEnd(result, reply, more);
}

/** Column definitions and every row of a result set (nothing for an OK), in text or binary rows. */
async function writeRows(result: WritableResult, reply: Reply, format: RowFormat): Promise<void> {
  if (result.kind === 'ok') return;
  const { writer } = reply;
  const encoder = rowEncoder(result.columns, result.columnTypes, reply.charset, format);
  writer.packet(columnCountPayload(result.columns.length));
  for (const definition of encoder.definitions) writer.packet(definition);
  reply.eof();
  if (result.kind === 'rows') {
    for (const row of result.rows) {
      writer.packet(encoder.row(row));
      await writer.flushIfFull();
      // A socket that never fills (a fast client) would let a large result hold the event loop: take turns.
      if (shouldYield()) await yieldTurn();
    }
    return;
  }
  // Leaving this loop early (the client went away, KILL QUERY while waiting for the socket) stops the query.
  for await (const batch of result.batches()) {
    for (const row of batch) {
      writer.packet(encoder.row(row));
      await writer.flushIfFull(result.signal);
      if (shouldYield()) await yieldTurn(result.signal);
    }
  }
}

/** The packet that ends a result: OK, or the EOF after the rows; `more` announces another result. */
function writeEnd(result: WritableResult, reply: Reply, more: boolean): void {
  if (result.kind === 'ok') reply.ok(result.affectedRows, result.message ?? '', more, result.warnings ?? 0);
  else reply.eof(more);
}

function errnoOf(error: unknown): { errno?: number } {
  return isSqlError(error) ? { errno: error.errno } : {};
}
