/**
 * A Session: parses text, runs statements one at a time, tracks what runs now (SHOW PROCESSLIST) and lets KILL
 * interrupt it. Shared by the library, the server (one per connection) and the shell.
 */
import { parseStatement, splitSql } from '../../grammar/index.ts';
import type { Session } from '../engine.ts';
import { isSqlError, SqlError, sqlError } from '../errors/index.ts';
import type { Logger } from '../logging/logger.ts';
import { sqlDigest } from '../logging/sql-digest.ts';
import type { EngineServices, ExecutionContext, SessionState } from './context.ts';
import { executeStatement } from './executor.ts';
import { useDatabase } from './handlers/database.ts';
import type { StatementResult } from './result.ts';
import { isRowStream, RowStream, type HandlerResult, type StreamedResult, type TextRow } from './row-stream.ts';
import { SessionVariables } from './variables/index.ts';

export class EngineSession implements Session {
  readonly #services: EngineServices;
  readonly #state: SessionState;
  readonly #logger: Logger;
  readonly #onClose: () => void;
  readonly #killListeners: (() => void)[] = [];
  /** The result stream of the last statement while its reader has not finished it. */
  #open: RowStream | undefined;
  #closed = false;

  constructor(services: EngineServices, init: { connectionId: number; user: string; host: string; database: string | undefined }, onClose: () => void) {
    this.#services = services;
    this.#state = {
      connectionId: init.connectionId,
      user: init.user,
      host: init.host,
      database: undefined,
      variables: new SessionVariables(services.globals),
      userVariables: new Map(),
      connectedAt: services.clock.now(),
      current: undefined,
      killed: false,
    };
    this.#logger = services.logger.child({ connectionId: init.connectionId, user: init.user });
    this.#onClose = onClose;
    if (init.database !== undefined) useDatabase({ services, session: this.#state }, init.database);
  }

  get connectionId(): number {
    return this.#state.connectionId;
  }

  get user(): string {
    return this.#state.user;
  }

  get host(): string {
    return this.#state.host;
  }

  get database(): string | undefined {
    return this.#state.database;
  }

  /** The session's mutable state, for the engine's session directory. */
  get state(): SessionState {
    return this.#state;
  }

  async execute(sql: string): Promise<StatementResult> {
    let last: StatementResult | undefined;
    for await (const result of this.executeScript(sql)) last = result;
    if (last === undefined) throw sqlError('ER_EMPTY_QUERY', 'Query was empty');
    return last;
  }

  async *executeScript(sql: string): AsyncGenerator<StatementResult, void, void> {
    for await (const result of this.streamScript(sql)) yield result.kind === 'stream' ? await result.collect() : result;
  }

  async stream(sql: string): Promise<StreamedResult> {
    let last: StreamedResult | undefined;
    // Earlier statements' rows are not wanted: their streams are closed (a result set has nothing left to do once
    // nobody reads it); the last statement's result is handed over unread.
    for await (const result of this.streamScript(sql)) {
      if (last?.kind === 'stream') await last.close();
      last = result;
    }
    if (last === undefined) throw sqlError('ER_EMPTY_QUERY', 'Query was empty');
    return last;
  }

  async *streamScript(sql: string): AsyncGenerator<StreamedResult, void, void> {
    this.#checkOpen();
    for (const fragment of splitSql(sql)) {
      let statement;
      try {
        statement = parseStatement(fragment.text);
      } catch (error) {
        throw shiftPosition(error, fragment.position);
      }
      yield await this.#run(statement, fragment.text);
    }
  }

  useDatabase(name: string): void {
    this.#checkOpen();
    useDatabase({ services: this.#services, session: this.#state }, name);
  }

  interrupt(): void {
    this.#state.current?.abort.abort(sqlError('ER_QUERY_INTERRUPTED', 'Query execution was interrupted'));
  }

  /** Called by the engine on KILL CONNECTION. */
  kill(queryOnly: boolean): void {
    this.interrupt();
    if (queryOnly) return;
    this.#state.killed = true;
    for (const listener of this.#killListeners.splice(0)) listener();
  }

  /** Run `listener` when KILL CONNECTION targets this session (the server closes the socket). */
  onKill(listener: () => void): void {
    this.#killListeners.push(listener);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.interrupt();
    void this.#open?.close();
    this.#onClose();
  }

  /**
   * Run one statement. A statement that streams rows stays the session's running statement (SHOW PROCESSLIST, KILL)
   * until its reader finishes or closes the stream; one left unread is closed before the next statement starts.
   */
  async #run(statement: Parameters<typeof executeStatement>[1], text: string): Promise<StreamedResult> {
    await this.#open?.close();
    this.#open = undefined;
    const abort = new AbortController();
    const startedAt = this.#services.clock.now();
    // SHOW PROCESSLIST shows this to other users: secrets (IDENTIFIED BY, secret PROPERTIES) are masked here.
    const current = { text: sqlDigest(text, 64 * 1024), startedAt, abort };
    this.#state.current = current;
    this.#services.stats.questions++;
    const ctx: ExecutionContext = { services: this.#services, session: this.#state, signal: abort.signal, text };
    const finish = (): void => {
      if (this.#state.current === current) this.#state.current = undefined;
    };
    let result: HandlerResult;
    try {
      result = await executeStatement(ctx, statement);
    } catch (error) {
      finish();
      throw this.#failure(error, abort.signal, statement.kind);
    }
    if (!isRowStream(result)) {
      finish();
      this.#logger.debug({ statement: statement.kind, ms: this.#services.clock.now() - startedAt }, 'statement');
      return result.kind === 'rows' ? RowStream.of(result) : result;
    }
    // The rows are produced while the reader pulls them: the statement ends with the stream.
    const rows = result;
    const tracked = new RowStream(rows.columns, rows.columnTypes, this.#tracked(rows, abort.signal, statement.kind), { signal: abort.signal });
    tracked.onDone(() => {
      finish();
      if (this.#open === tracked) this.#open = undefined;
      this.#logger.debug({ statement: statement.kind, ms: this.#services.clock.now() - startedAt }, 'statement');
    });
    this.#open = tracked;
    return tracked;
  }

  /** The handler's batches, with failures mapped as for any statement and the handler's stream closed at the end. */
  async *#tracked(rows: RowStream, signal: AbortSignal, kind: string): AsyncGenerator<readonly TextRow[], void, void> {
    try {
      yield* rows.batches();
    } catch (error) {
      throw this.#failure(error, signal, kind);
    } finally {
      await rows.close();
    }
  }

  /** What the caller sees of a failure: SqlErrors as they are, an interruption as 1317, anything else as 1105. */
  #failure(error: unknown, signal: AbortSignal, kind: string): unknown {
    if (signal.aborted && !isSqlError(error)) return sqlError('ER_QUERY_INTERRUPTED', 'Query execution was interrupted');
    if (!isSqlError(error)) {
      // An internal failure: log it whole, tell the client what failed without leaking internals.
      this.#logger.error({ err: error, statement: kind }, 'statement failed unexpectedly');
      return sqlError('ER_UNKNOWN_ERROR', `Internal error while executing ${kind}: ${(error as Error).message ?? String(error)}`, { cause: error });
    }
    this.#logger.debug({ statement: kind, errno: error.errno }, 'statement error');
    return error;
  }

  #checkOpen(): void {
    if (this.#closed) throw sqlError('ER_UNKNOWN_ERROR', 'Session is closed');
  }
}

/** Make a syntax error's position absolute within the whole script. */
function shiftPosition(error: unknown, start: { readonly line: number; readonly column: number }): unknown {
  if (!(error instanceof SqlError) || error.line === undefined || error.column === undefined) return error;
  const line = error.line + start.line - 1;
  const column = error.line === 1 ? error.column + start.column - 1 : error.column;
  if (line === error.line && column === error.column) return error;
  const message = error.message.replace(`line ${error.line}, column ${error.column}`, `line ${line}, column ${column}`);
  return new SqlError(error.errno, error.sqlState, message, { line, column }, { cause: error.cause });
}
