import type { StatementResult } from '../sql/result.ts';
import { isSqlError, SqlError } from '../errors/index.ts';
import { columnCountPayload, columnDefinitionPayload, textRowPayload } from './packets.ts';
import { columnDefinition } from './column-definitions.ts';
import type { Reply } from './mysql-connection.ts';
import { shouldYield, yieldTurn } from '../sql/pace.ts';

/**
 * Write the results of one COM_QUERY. The engine splits and runs the statements (`executeScript`); we look one
 * result ahead so that every result but the last carries SERVER_MORE_RESULTS_EXISTS, which is what makes
 * multi-statement clients read on. An error ends the reply: the results before it are sent (flagged "more"), then
 * the ERR, exactly as MySQL does. Returns the errno of that error, if any, for the statement log line.
 */
export async function writeStatementResults(results: AsyncIterable<StatementResult>, reply: Reply): Promise<{ errno?: number }> {
  const iterator = results[Symbol.asyncIterator]();
  let current: IteratorResult<StatementResult, unknown>;
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
    let next: IteratorResult<StatementResult, unknown> | undefined;
    let failure: { error: unknown } | undefined;
    try {
      next = await iterator.next();
    } catch (error) {
      failure = { error };
    }
    const more = failure !== undefined || (next !== undefined && !next.done);
    await writeResult(current.value, reply, more);
    if (failure !== undefined) {
      reply.error(failure.error);
      return errnoOf(failure.error);
    }
    if (next === undefined || next.done) return {};
    current = next;
  }
}

/** One result: an OK packet, or column definitions + rows + EOF, flushed in chunks with back-pressure. */
export async function writeResult(result: StatementResult, reply: Reply, more: boolean): Promise<void> {
  if (result.kind === 'ok') {
    reply.ok(result.affectedRows, result.message ?? '', more, result.warnings ?? 0);
    return;
  }
  const { writer } = reply;
  writer.packet(columnCountPayload(result.columns.length));
  result.columns.forEach((name, i) => {
    const type = result.columnTypes[i] ?? { name: 'VARCHAR', length: 255 };
    writer.packet(columnDefinitionPayload(columnDefinition(name, type)));
  });
  reply.eof();
  for (const row of result.rows) {
    writer.packet(textRowPayload(row));
    await writer.flushIfFull();
    // A socket that never fills (a fast client) would let a large result hold the event loop: take turns.
    if (shouldYield()) await yieldTurn();
  }
  reply.eof(more);
}

function errnoOf(error: unknown): { errno?: number } {
  return isSqlError(error) ? { errno: error.errno } : {};
}
