/**
 * The COM_STMT_* commands of one connection: PREPARE (the reply with parameter and column definitions), EXECUTE
 * (typed parameters in, binary rows out, or a read-only cursor), FETCH, SEND_LONG_DATA, RESET and CLOSE, over the
 * connection's statement registry. The connection reads the packets and frames the replies; this is what they mean.
 */
import type { PreparedQuery } from '../engine.ts';
import type { Logger } from '../logging/logger.ts';
import { SqlError } from '../errors/index.ts';
import { readExecute, statementIdOf } from './binary-protocol.ts';
import { binaryRowPayload, PARAMETER_DEFINITION, prepareOkPayload } from './binary-rows.ts';
import { readFetch, readLongData } from './commands.ts';
import type { ConnectionHandlers, Reply, SessionCharsets } from './connection-handlers.ts';
import { columnCountPayload, columnDefinitionPayload, ServerStatus } from './packets.ts';
import { StatementRegistry } from './prepared-statements.ts';
import { OpenCursor } from './open-cursor.ts';
import { wireColumns } from './row-encoder.ts';

/** What the statement commands use of their connection. */
export interface StatementCommandDeps {
  readonly reply: Reply;
  readonly handlers: Pick<ConnectionHandlers, 'prepare' | 'executePrepared' | 'executeForCursor' | 'limits'>;
  readonly charsets: () => SessionCharsets;
  readonly logger: Logger;
}

export class StatementCommands {
  readonly #deps: StatementCommandDeps;
  readonly #statements = new StatementRegistry();

  constructor(deps: StatementCommandDeps) {
    this.#deps = deps;
  }

  /** COM_STMT_PREPARE: the OK header, the parameter definitions, the result column definitions. */
  async prepare(sql: string): Promise<void> {
    const { handlers } = this.#deps;
    const prepared = await handlers.prepare(sql);
    const statement = this.#statements.add(prepared, handlers.limits().preparedStatements);
    this.#writePrepareOk(statement.id, prepared);
  }

  #writePrepareOk(id: number, prepared: PreparedQuery): void {
    const { reply } = this.#deps;
    const charset = this.#deps.charsets().results;
    const columns = wireColumns(prepared.columns.map((c) => c.name), prepared.columns.map((c) => c.type), charset);
    reply.writer.packet(prepareOkPayload(id, columns.length, prepared.parameterCount, 0));
    if (prepared.parameterCount > 0) {
      for (let i = 0; i < prepared.parameterCount; i++) reply.writer.packet(columnDefinitionPayload(PARAMETER_DEFINITION, charset));
      reply.eof();
    }
    if (columns.length > 0) {
      for (const c of columns) reply.writer.packet(columnDefinitionPayload(c, charset));
      reply.eof();
    }
  }

  /** COM_STMT_EXECUTE: results in binary rows, or with a cursor the column definitions only. */
  async execute(payload: Buffer): Promise<void> {
    const { reply, handlers } = this.#deps;
    const statements = this.#statements;
    const client = this.#deps.charsets().client;
    const request = readExecute(payload, (id) => {
      const statement = statements.get(id, 'mysqld_stmt_execute');
      if (statement.longDataError !== undefined) {
        const error = statement.longDataError;
        statements.reset(statement);
        throw error;
      }
      return { parameterCount: statement.prepared.parameterCount, previousTypes: statement.previousTypes, longData: statements.longDataOf(statement), charset: client };
    });
    const statement = statements.get(request.statementId, 'mysqld_stmt_execute');
    statement.previousTypes = request.types;
    // Long data serves one execution, as in MySQL; a new execute also closes the cursor of the last one.
    statements.reset(statement);
    if (!request.cursor) return handlers.executePrepared(statement.prepared, request.values, reply);
    const result = await handlers.executeForCursor(statement.prepared, request.values);
    if (result.kind === 'ok') return reply.ok(result.affectedRows, result.message ?? '', false, result.warnings ?? 0);
    const charset = this.#deps.charsets().results;
    const definitions = wireColumns(result.columns, result.columnTypes, charset);
    reply.writer.packet(columnCountPayload(definitions.length));
    for (const c of definitions) reply.writer.packet(columnDefinitionPayload(c, charset));
    reply.eof(false, 0, ServerStatus.CURSOR_EXISTS);
    // The rows stay in the query until fetched.
    statement.cursor = new OpenCursor(result, definitions);
  }

  /** COM_STMT_FETCH: up to the asked number of the cursor's rows, then EOF (LAST_ROW_SENT once they are all sent). */
  async fetch(payload: Buffer): Promise<void> {
    const { reply } = this.#deps;
    const request = readFetch(payload);
    const statement = this.#statements.get(request.statementId, 'mysqld_stmt_fetch');
    const cursor = statement.cursor;
    if (cursor === undefined) throw new SqlError(1421, 'HY000', `The statement (${request.statementId}) has no open cursor.`);
    const charset = this.#deps.charsets().results;
    let read;
    try {
      read = await cursor.read(request.rows);
    } catch (error) {
      // The query failed while producing these rows: the cursor is gone, the fetch answers with the error.
      if (statement.cursor === cursor) statement.cursor = undefined;
      await cursor.close();
      throw error;
    }
    for (const row of read.rows) {
      reply.writer.packet(binaryRowPayload(row, cursor.definitions, charset));
      await reply.writer.flushIfFull();
    }
    const last = read.last;
    if (last && statement.cursor === cursor) statement.cursor = undefined;
    reply.eof(false, 0, ServerStatus.CURSOR_EXISTS | (last ? ServerStatus.LAST_ROW_SENT : 0));
  }

  /** COM_STMT_SEND_LONG_DATA: no reply by protocol, also when malformed; a problem surfaces at the execute. */
  sendLongData(payload: Buffer): void {
    try {
      const { statementId, parameter, data } = readLongData(payload);
      this.#statements.appendLongData(statementId, parameter, data, this.#deps.handlers.limits().longDataBytes);
    } catch (error) {
      this.#deps.logger.debug({ err: error }, 'malformed COM_STMT_SEND_LONG_DATA ignored');
    }
  }

  /** COM_STMT_RESET: long data and cursor gone, OK. */
  reset(payload: Buffer): void {
    this.#statements.reset(this.#statements.get(statementIdOf(payload), 'mysqld_stmt_reset'));
    this.#deps.reply.ok(0);
  }

  /** COM_STMT_CLOSE: no reply by protocol. */
  close(payload: Buffer): void {
    if (payload.length >= 5) this.#statements.close(statementIdOf(payload));
  }

  /** COM_RESET_CONNECTION / COM_CHANGE_USER: every statement goes. */
  clear(): void {
    this.#statements.clear();
  }
}
