/**
 * A Session: parses text, runs statements one at a time, tracks what runs now (SHOW PROCESSLIST) and lets KILL
 * interrupt it. Shared by the library, the server (one per connection) and the shell.
 */
import {
  hasComment, redactStatement, redactUnparsed, sqlOfText, scrubSecrets, secretSpans, secretTexts, shiftPosition, StatementScanner, type Statement, type StatementSpan,
} from '../../grammar/index.ts';
import type { Session } from '../engine.ts';
import { isSqlError, SqlError, sqlError } from '../errors/index.ts';
import type { Logger } from '../logging/logger.ts';
import type { EngineServices, ExecutionContext, SessionState } from './context.ts';
import { executeStatement } from './executor.ts';
import { useDatabase } from './handlers/database.ts';
import { checkStatementSize, maxAllowedPacket } from './packet-limit.ts';
import { yieldTurn } from './pace.ts';
import { parseLimitsOf, parseStatementBounded } from './parse/statement-parser.ts';
import { okResult, type StatementResult } from './result.ts';
import { isRowStream, RowStream, type HandlerResult, type StreamedResult, type TextRow } from './row-stream.ts';
import { startDeadline } from './statement-deadline.ts';
import { SessionVariables } from './variables/index.ts';
import { beginStatement, endStatement } from './diagnostics.ts';
import { forgive, pay } from './sleep-debt.ts';
import { prepareStatement, type PreparedStatement } from './prepared/prepared-statement.ts';
import type { ParameterValue } from './prepared/parameters.ts';
import type { PreparedQuery } from '../engine.ts';
import { autocommit, SessionTransaction } from './transaction/session-transaction.ts';

/** Texts longer than this get event-loop turns between the passes made over them (each pass ~10 ms per MB). */
const LARGE_TEXT = 1024 * 1024;
/** Characters scanned per turn when splitting a script (a few milliseconds' work). */
const SCAN_SLICE = 256 * 1024;

export class EngineSession implements Session {
  readonly #services: EngineServices;
  readonly #state: SessionState;
  readonly #logger: Logger;
  readonly #onClose: () => void;
  readonly #killListeners: (() => void)[] = [];
  /** The result stream of the last statement while its reader has not finished it. */
  #open: RowStream | undefined;
  /** Ends #open's statement (running statement, deadline, diagnostics, log line); once. */
  #endOpen: (() => void) | undefined;
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
      transaction: new SessionTransaction(),
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

  /** What the OK / EOF packets' IN_TRANS and AUTOCOMMIT status flags report. */
  get transactionStatus(): { readonly inTransaction: boolean; readonly autocommit: boolean } {
    return { inTransaction: this.#state.transaction.inTransaction, autocommit: autocommit({ session: this.#state }) };
  }

  get maxAllowedPacket(): number {
    return maxAllowedPacket(this.#state.variables);
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
    // Each result is read whole before the next statement runs, so it is not the session's open stream: a statement
    // of a concurrent execute() on this session (a library caller may overlap them) must not close it mid-read.
    for await (const result of this.#streamScript(sql, true)) yield result.kind === 'stream' ? await result.collect() : result;
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

  streamScript(sql: string): AsyncGenerator<StreamedResult, void, void> {
    return this.#streamScript(sql, false);
  }

  async *#streamScript(sql: string, collected: boolean): AsyncGenerator<StreamedResult, void, void> {
    this.#checkOpen();
    checkStatementSize(sql, this.#state.variables);
    // A large text has just been received and decoded: take a turn before scanning it, and between slices of it.
    if (sql.length > LARGE_TEXT) await yieldTurn();
    // MySQL's executable comments: executed ones become plain SQL, the others blanks (same offsets and lines), so
    // statements are cut from the expanded text.
    const text = sqlOfText(sql);
    // The scan stops at a statement past parse_tokens_limit: it is refused when its turn comes.
    const scanner = new StatementScanner(text, Number(this.#state.variables.get('parse_tokens_limit')));
    while (!scanner.scan(SCAN_SLICE)) await yieldTurn();
    // Only comments (`/*M!100616 SET … */`, a `/*!99999 … */` of a later version): MySQL's empty statement, an OK.
    if (scanner.spans.length === 0 && hasComment(sql)) yield okResult(0);
    for (const span of scanner.spans) yield await this.#run(text.slice(span.start, span.end), span, collected);
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
    const results = (values: readonly ParameterValue[]): AsyncGenerator<StreamedResult, void, void> => this.#runPrepared(prepared, values, false);
    return {
      text: prepared.text,
      parameterCount: prepared.parameterCount,
      columns: prepared.columns,
      results,
      cursor: async (values) => {
        let result: StreamedResult | undefined;
        for await (const r of results(values)) result = r;
        if (result === undefined) throw sqlError('ER_EMPTY_QUERY', 'Query was empty');
        // A cursor's statement ends with its execute, as in MySQL: the session's next statements leave its rows
        // alone (several cursors may be open at once); its reader closes it (COM_STMT_RESET / CLOSE, connection end).
        if (result.kind === 'stream' && this.#open === result) {
          const end = this.#endOpen;
          this.#open = undefined;
          this.#endOpen = undefined;
          end?.();
        }
        return result;
      },
      // Rows collected for the library caller, like execute(): not the session's open stream.
      execute: async (values) => {
        let last: StatementResult | undefined;
        for await (const result of this.#runPrepared(prepared, values, true)) last = result.kind === 'stream' ? await result.collect() : result;
        return last as StatementResult;
      },
    };
  }

  /** One execution of a prepared statement: bound (a wrong value count is the statement's error), then run. */
  async *#runPrepared(prepared: PreparedStatement, values: readonly ParameterValue[], collected: boolean): AsyncGenerator<StreamedResult, void, void> {
    this.#checkOpen();
    let bound;
    try {
      bound = prepared.bind(values);
    } catch (error) {
      // The statement that failed to bind never ran: the last one's stream is done with all the same.
      await this.#open?.close();
      this.#open = undefined;
      this.#endOpen = undefined;
      beginStatement(this.#state);
      endStatement(this.#state, undefined, undefined, error);
      throw error;
    }
    yield await this.#run(bound.text, undefined, collected, bound.statement);
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
    void this.#open?.close();
    // Closing a connection rolls its transaction back (its files are deleted) and releases its table locks.
    void this.#state.transaction.abandon({ services: this.#services, session: this.#state });
    this.#onClose();
  }

  /**
   * Run one statement: `text` is parsed here (on the parser thread, within the session's limits), unless `parsed` is
   * given (a prepared statement's bound AST, whose `text` is the literal form shown and logged). A statement that
   * streams rows stays the session's running statement (SHOW PROCESSLIST, KILL, query_timeout) until its reader
   * finishes or closes the stream; one left unread is closed before the next starts. Its diagnostics (SHOW WARNINGS)
   * and its SLEEP() debt are settled when the stream ends. `collected`: the caller reads the result whole right away
   * (execute), so it is never the one left unread — a concurrent execute() on this session must not close it.
   */
  async #run(text: string, span: StatementSpan | undefined, collected: boolean, parsed?: Statement): Promise<StreamedResult> {
    await this.#open?.close();
    this.#open = undefined;
    this.#endOpen = undefined;
    const abort = new AbortController();
    const startedAt = this.#services.clock.now();
    // Until the statement is parsed there is no AST to say which literals are credentials: SHOW PROCESSLIST shows it
    // with every quoted token masked (the unparseable-text rule), from a bounded head.
    let shown =
      parsed === undefined
        ? shownText(redactUnparsed(text.length > MAX_SHOWN_TEXT ? text.slice(0, MAX_SHOWN_TEXT + 1) : text), MAX_SHOWN_TEXT)
        : shownText(redactStatement(text, parsed), MAX_SHOWN_TEXT);
    let current = { text: shown, startedAt, abort };
    this.#state.current = current;
    // query_timeout covers the whole statement, parsing included; KILL QUERY aborts the same signal.
    const deadline = startDeadline(this.#services.clock, this.#state.variables, abort);
    const finish = (): void => {
      deadline.stop();
      if (this.#state.current === current) this.#state.current = undefined;
    };
    let statement: Statement | undefined = parsed;
    let ctx: ExecutionContext | undefined;
    let result: HandlerResult;
    beginStatement(this.#state);
    try {
      if (statement === undefined) {
        // Masking the head (above) and copying the text to the parser thread are each a pass over it: one per turn.
        if (text.length > LARGE_TEXT) await yieldTurn(abort.signal);
        try {
          statement = await parseStatementBounded(text, parseLimitsOf(this.#state.variables), abort.signal, span);
        } catch (error) {
          throw span === undefined ? error : shiftPosition(error, span.position);
        }
        // The only form of the text that leaves this method: SHOW PROCESSLIST shows it to other users and the log
        // keeps it, so the credential literals the parser marked (IDENTIFIED BY, secret PROPERTIES, URL userinfo) are masked.
        shown = shownText(redactStatement(text, statement), MAX_SHOWN_TEXT);
        current = { text: shown, startedAt, abort };
        this.#state.current = current;
      }
      if (statement.kind === 'Select') deadline.limitSelect();
      this.#services.stats.questions++;
      ctx = { services: this.#services, session: this.#state, signal: abort.signal, text };
      result = await executeStatement(ctx, statement);
      // SLEEP() in the statement: its time passes before the result is handed over (a stream's, once its rows are out).
      if (!isRowStream(result)) await pay(this.#state, this.#services.clock, abort.signal);
    } catch (error) {
      finish();
      forgive(this.#state);
      const failure = this.#failure(error, abort.signal, text, statement, shown);
      endStatement(this.#state, statement, ctx, failure);
      throw failure;
    }
    const done = statement;
    const context = ctx;
    const logDone = (): void => {
      this.#logger.debug({ statement: done.kind, sql: shownText(shown, MAX_LOGGED_TEXT), ms: this.#services.clock.now() - startedAt }, 'statement');
    };
    if (!isRowStream(result)) {
      finish();
      logDone();
      const warnings = endStatement(this.#state, done, context);
      if (result.kind === 'rows') return RowStream.of(result);
      return warnings > 0 ? { ...result, warnings } : result;
    }
    // The rows are produced while the reader pulls them: the statement ends with the stream.
    const rows = result;
    let failed: { error: unknown } | undefined;
    const failure = (error: unknown): unknown => {
      forgive(this.#state);
      failed = { error: this.#failure(error, abort.signal, text, done, shown) };
      return failed.error;
    };
    const settle = (): Promise<void> => pay(this.#state, this.#services.clock, abort.signal);
    const tracked = new RowStream(rows.columns, rows.columnTypes, trackedBatches(rows, failure, settle), { signal: abort.signal });
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      finish();
      forgive(this.#state);
      if (this.#open === tracked) {
        this.#open = undefined;
        this.#endOpen = undefined;
      }
      endStatement(this.#state, done, context, failed?.error);
      logDone();
    };
    tracked.onDone(end);
    // A result its caller reads whole at once (execute) is not left open for the next statement to close.
    if (!collected) {
      this.#open = tracked;
      this.#endOpen = end;
    }
    return tracked;
  }

  /** The error the client sees: why the statement was stopped, or what failed (internals logged, secrets scrubbed). */
  #failure(error: unknown, signal: AbortSignal, text: string, statement: Statement | undefined, shown: string): unknown {
    if (signal.aborted) {
      // Whatever a loop threw once KILL or the deadline fired, the client learns which of the two it was.
      const reason: unknown = signal.reason;
      if (isSqlError(reason) && (!isSqlError(error) || error.errno === reason.errno || error.errno === 1317)) return reason;
      if (!isSqlError(error)) return sqlError('ER_QUERY_INTERRUPTED', 'Query execution was interrupted');
    }
    const kind = statement?.kind;
    // A message may quote what it was given (a driver echoing an endpoint, a value): never a credential. A statement
    // that did not parse has no marked literals; its syntax error quotes it through the unparseable-text rule.
    const secrets = statement === undefined ? [] : secretTexts(text, secretSpans(statement));
    if (!isSqlError(error)) {
      // An internal failure: log it whole, tell the client what failed without leaking internals.
      const message = scrubSecrets((error as Error).message ?? String(error), secrets);
      const stack = (error as Error).stack === undefined ? undefined : scrubSecrets(String((error as Error).stack), secrets);
      this.#logger.error({ err: { type: (error as Error).name, message, stack }, statement: kind, sql: shownText(shown, MAX_LOGGED_TEXT) }, 'statement failed unexpectedly');
      return sqlError('ER_UNKNOWN_ERROR', `Internal error while executing ${kind ?? 'the statement'}: ${message}`, secrets.length === 0 ? { cause: error } : {});
    }
    this.#logger.debug({ statement: kind, sql: shownText(shown, MAX_LOGGED_TEXT), errno: error.errno }, 'statement error');
    return scrubbed(error, secrets);
  }

  #checkOpen(): void {
    if (this.#closed) throw sqlError('ER_UNKNOWN_ERROR', 'Session is closed');
  }
}

/**
 * A handler's batches, its failures mapped by `failure` (as for any statement), `settle` awaited after the last
 * batch (the statement's SLEEP() time, before the reader sees the end), its stream closed at the end.
 */
async function* trackedBatches(rows: RowStream, failure: (error: unknown) => unknown, settle: () => Promise<void>): AsyncGenerator<readonly TextRow[], void, void> {
  try {
    yield* rows.batches();
    await settle();
  } catch (error) {
    throw failure(error);
  } finally {
    await rows.close();
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
