/**
 * A Session: parses text, runs statements one at a time, tracks what runs now (SHOW PROCESSLIST) and lets KILL
 * interrupt it. Shared by the library, the server (one per connection) and the shell.
 */
import { parseStatement, redactStatement, scrubSecrets, secretSpans, secretTexts, splitSql } from '../../grammar/index.ts';
import type { Statement } from '../../grammar/ast.ts';
import type { Session } from '../engine.ts';
import { isSqlError, SqlError, sqlError } from '../errors/index.ts';
import type { Logger } from '../logging/logger.ts';
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
    // The only form of the text that leaves this method: SHOW PROCESSLIST shows it to other users and the log keeps
    // it, so the credential literals the parser marked (IDENTIFIED BY, secret PROPERTIES, URL userinfo) are masked.
    const shown = shownText(redactStatement(text, statement), MAX_SHOWN_TEXT);
    this.#state.current = { text: shown, startedAt, abort };
    this.#services.stats.questions++;
    const ctx: ExecutionContext = { services: this.#services, session: this.#state, signal: abort.signal, text };
    beginStatement(this.#state);
    try {
      const result = await executeStatement(ctx, statement);
      // SLEEP() in the statement: its time passes before the result is handed over.
      await pay(this.#state, this.#services.clock, abort.signal);
      this.#logger.debug({ statement: statement.kind, sql: shownText(shown, MAX_LOGGED_TEXT), ms: this.#services.clock.now() - startedAt }, 'statement');
      const warnings = endStatement(this.#state, statement, ctx);
      return warnings > 0 && result.kind === 'ok' ? { ...result, warnings } : result;
    } catch (error) {
      forgive(this.#state);
      const failure = this.#failure(error, abort.signal, statement, text, shown);
      endStatement(this.#state, statement, ctx, failure);
      throw failure;
    } finally {
      this.#state.current = undefined;
    }
  }

  /**
   * What the caller sees of a failure: SqlErrors as they are (credentials the statement holds scrubbed from the
   * message), an interruption as 1317, anything else as 1105 (logged whole, scrubbed).
   */
  #failure(error: unknown, signal: AbortSignal, statement: Statement, text: string, shown: string): unknown {
    if (signal.aborted && !isSqlError(error)) return sqlError('ER_QUERY_INTERRUPTED', 'Query execution was interrupted');
    // A message may quote what it was given (a driver echoing an endpoint, a value): never a credential.
    const secrets = secretTexts(text, secretSpans(statement));
    if (!isSqlError(error)) {
      // An internal failure: log it whole, tell the client what failed without leaking internals.
      const message = scrubSecrets((error as Error).message ?? String(error), secrets);
      const stack = (error as Error).stack === undefined ? undefined : scrubSecrets(String((error as Error).stack), secrets);
      this.#logger.error({ err: { type: (error as Error).name, message, stack }, statement: statement.kind, sql: shownText(shown, MAX_LOGGED_TEXT) }, 'statement failed unexpectedly');
      return sqlError('ER_UNKNOWN_ERROR', `Internal error while executing ${statement.kind}: ${message}`, secrets.length === 0 ? { cause: error } : {});
    }
    this.#logger.debug({ statement: statement.kind, sql: shownText(shown, MAX_LOGGED_TEXT), errno: error.errno }, 'statement error');
    return scrubbed(error, secrets);
  }

  #checkOpen(): void {
    if (this.#closed) throw sqlError('ER_UNKNOWN_ERROR', 'Session is closed');
  }
}

/** How much of a statement SHOW FULL PROCESSLIST shows, and how much a log line keeps. */
const MAX_SHOWN_TEXT = 64 * 1024;
const MAX_LOGGED_TEXT = 1024;

function shownText(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The error with every secret value of its statement masked in its message (the cause, which may quote it, dropped). */
function scrubbed(error: SqlError, secrets: readonly string[]): SqlError {
  if (secrets.length === 0) return error;
  const message = scrubSecrets(error.message, secrets);
  if (message === error.message) return error;
  const position = error.line === undefined || error.column === undefined ? undefined : { line: error.line, column: error.column };
  return new SqlError(error.errno, error.sqlState, message, position);
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
