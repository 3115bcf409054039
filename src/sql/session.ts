/**
 * A Session: parses text, runs statements one at a time, tracks what runs now (SHOW PROCESSLIST) and lets KILL
 * interrupt it. Shared by the library, the server (one per connection) and the shell.
 */
import { quotedEnd, shiftPosition, StatementScanner, type Statement, type StatementSpan } from '../../grammar/index.ts';
import type { Session } from '../engine.ts';
import { isSqlError, SqlError, sqlError } from '../errors/index.ts';
import type { Logger } from '../logging/logger.ts';
import { sqlDigest } from '../logging/sql-digest.ts';
import type { EngineServices, ExecutionContext, SessionState } from './context.ts';
import { executeStatement } from './executor.ts';
import { useDatabase } from './handlers/database.ts';
import type { StatementResult } from './result.ts';
import { checkStatementSize, maxAllowedPacket } from './packet-limit.ts';
import { parseLimitsOf, parseStatementBounded } from './parse/statement-parser.ts';
import { startDeadline } from './statement-deadline.ts';
import { yieldTurn } from './pace.ts';
import { SessionVariables } from './variables/index.ts';

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
    this.#checkOpen();
    checkStatementSize(sql, this.#state.variables);
    // A large text has just been received and decoded: take a turn before scanning it, and between slices of it.
    if (sql.length > LARGE_TEXT) await yieldTurn();
    // The scan stops at a statement past parse_tokens_limit: it is refused when its turn comes.
    const scanner = new StatementScanner(sql, Number(this.#state.variables.get('parse_tokens_limit')));
    while (!scanner.scan(SCAN_SLICE)) await yieldTurn();
    for (const span of scanner.spans) yield await this.#run(sql.slice(span.start, span.end), span);
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

  async #run(text: string, span: StatementSpan): Promise<StatementResult> {
    const abort = new AbortController();
    const startedAt = this.#services.clock.now();
    // SHOW PROCESSLIST shows this to other users: secrets (IDENTIFIED BY, secret PROPERTIES) are masked here.
    this.#state.current = { text: processlistText(text), startedAt, abort };
    // query_timeout covers the whole statement, parsing included; KILL QUERY aborts the same signal.
    const deadline = startDeadline(this.#services.clock, this.#state.variables, abort);
    let kind: Statement['kind'] | undefined;
    try {
      // Masking the text (above) and copying it to the parser thread are each a pass over it: one per turn.
      if (text.length > LARGE_TEXT) await yieldTurn(abort.signal);
      let statement: Statement;
      try {
        statement = await parseStatementBounded(text, parseLimitsOf(this.#state.variables), abort.signal, span);
      } catch (error) {
        throw shiftPosition(error, span.position);
      }
      kind = statement.kind;
      if (kind === 'Select') deadline.limitSelect();
      this.#services.stats.questions++;
      const ctx: ExecutionContext = { services: this.#services, session: this.#state, signal: abort.signal, text };
      const result = await executeStatement(ctx, statement);
      this.#logger.debug({ statement: kind, ms: this.#services.clock.now() - startedAt }, 'statement');
      return result;
    } catch (error) {
      throw this.#failure(error, abort.signal, kind);
    } finally {
      deadline.stop();
      this.#state.current = undefined;
    }
  }

  /** The error the client sees: why the statement was stopped, or what failed (internals logged, not leaked). */
  #failure(error: unknown, signal: AbortSignal, kind: Statement['kind'] | undefined): unknown {
    if (signal.aborted) {
      // Whatever a loop threw once KILL or the deadline fired, the client learns which of the two it was.
      const reason: unknown = signal.reason;
      if (isSqlError(reason) && (!isSqlError(error) || error.errno === reason.errno || error.errno === 1317)) return reason;
      if (!isSqlError(error)) return sqlError('ER_QUERY_INTERRUPTED', 'Query execution was interrupted');
    }
    if (!isSqlError(error)) {
      // An internal failure: log it whole, tell the client what failed without leaking internals.
      this.#logger.error({ err: error, statement: kind }, 'statement failed unexpectedly');
      return sqlError('ER_UNKNOWN_ERROR', `Internal error while executing ${kind ?? 'the statement'}: ${(error as Error).message ?? String(error)}`, { cause: error });
    }
    this.#logger.debug({ statement: kind, errno: error.errno }, 'statement error');
    return error;
  }

  #checkOpen(): void {
    if (this.#closed) throw sqlError('ER_UNKNOWN_ERROR', 'Session is closed');
  }
}

/** What SHOW PROCESSLIST shows of a statement: at most this many characters. */
const PROCESSLIST_TEXT = 64 * 1024;

/**
 * The statement as SHOW PROCESSLIST shows it: secrets masked, cut to PROCESSLIST_TEXT. A huge statement is masked
 * from a prefix only (masking is a pass over the whole text otherwise); a quoted literal the prefix cuts open is
 * left out whole, so a secret can never be shown in part.
 */
function processlistText(text: string): string {
  if (text.length <= 2 * PROCESSLIST_TEXT) return sqlDigest(text, PROCESSLIST_TEXT);
  let prefix = text.slice(0, 2 * PROCESSLIST_TEXT);
  // Next position of each quote character at or after i (cached: each is searched for once per skip past it).
  const quotes = ["'", '"', '`'];
  const next = [-1, -1, -1];
  for (let i = 0; ; ) {
    let open = Infinity;
    quotes.forEach((q, k) => {
      if ((next[k] as number) < i) next[k] = prefix.indexOf(q, i) >>> 0; // -1 (none) becomes 2^32 - 1
      open = Math.min(open, next[k] as number);
    });
    if (open >= prefix.length) break;
    const close = quotedEnd(prefix, open, prefix.charCodeAt(open));
    if (close < 0) {
      prefix = prefix.slice(0, open);
      break;
    }
    i = close;
  }
  return `${sqlDigest(prefix, PROCESSLIST_TEXT)}${prefix.length <= PROCESSLIST_TEXT ? '…' : ''}`;
}
