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
import { SessionVariables } from './variables/index.ts';
import { beginStatement, endStatement } from './diagnostics.ts';
import { forgive, pay } from './sleep-debt.ts';
import { prepareStatement, type PreparedStatement } from './prepared/prepared-statement.ts';
import type { ParameterValue } from './prepared/parameters.ts';
import type { PreparedQuery } from '../engine.ts';

export class EngineSession implements Session {
  readonly #services: EngineServices;
  readonly #state: SessionState;
  readonly #logger: Logger;
  readonly #onClose: () => void;
  readonly #killListeners: (() => void)[] = [];
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
    this.#checkOpen();
    for (const fragment of splitSql(sql)) {
      let statement;
      try {
        statement = parseStatement(fragment.text);
      } catch (error) {
        endStatement(this.#state, undefined, undefined, error);
        throw shiftPosition(error, fragment.position);
      }
      yield await this.#run(statement, fragment.text);
    }
  }

  async prepare(sql: string): Promise<PreparedQuery> {
    this.#checkOpen();
    beginStatement(this.#state);
    const ctx: ExecutionContext = { services: this.#services, session: this.#state, signal: new AbortController().signal, text: sql };
    let prepared: PreparedStatement;
    try {
      prepared = await prepareStatement(ctx, sql, { describe: true });
      endStatement(this.#state, prepared.statement, ctx);
    } catch (error) {
      endStatement(this.#state, undefined, ctx, error);
      throw error;
    }
    const results = (values: readonly ParameterValue[]): AsyncGenerator<StatementResult, void, void> => this.#runPrepared(prepared, values);
    return {
      text: prepared.text,
      parameterCount: prepared.parameterCount,
      columns: prepared.columns,
      results,
      execute: async (values) => {
        let last: StatementResult | undefined;
        for await (const result of results(values)) last = result;
        return last as StatementResult;
      },
    };
  }

  /** One execution of a prepared statement: bound (a wrong value count is the statement's error), then run. */
  async *#runPrepared(prepared: PreparedStatement, values: readonly ParameterValue[]): AsyncGenerator<StatementResult, void, void> {
    this.#checkOpen();
    let bound;
    try {
      bound = prepared.bind(values);
    } catch (error) {
      endStatement(this.#state, undefined, undefined, error);
      throw error;
    }
    yield await this.#run(bound.statement, bound.text);
  }

  systemVariable(name: string): bigint | string | null {
    return this.#state.variables.get(name);
  }

  setNames(charset: string): void {
    this.#state.variables.setNames(charset);
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
    this.#onClose();
  }

  async #run(statement: Parameters<typeof executeStatement>[1], text: string): Promise<StatementResult> {
    const abort = new AbortController();
    const startedAt = this.#services.clock.now();
    // SHOW PROCESSLIST shows this to other users: secrets (IDENTIFIED BY, secret PROPERTIES) are masked here.
    this.#state.current = { text: sqlDigest(text, 64 * 1024), startedAt, abort };
    this.#services.stats.questions++;
    const ctx: ExecutionContext = { services: this.#services, session: this.#state, signal: abort.signal, text };
    beginStatement(this.#state);
    try {
      const result = await executeStatement(ctx, statement);
      // SLEEP() in the statement: its time passes before the result is handed over.
      await pay(this.#state, this.#services.clock, abort.signal);
      this.#logger.debug({ statement: statement.kind, ms: this.#services.clock.now() - startedAt }, 'statement');
      const warnings = endStatement(this.#state, statement, ctx);
      return warnings > 0 && result.kind === 'ok' ? { ...result, warnings } : result;
    } catch (error) {
      forgive(this.#state);
      const failure = this.#failure(error, abort.signal, statement.kind);
      endStatement(this.#state, statement, ctx, failure);
      throw failure;
    } finally {
      this.#state.current = undefined;
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
