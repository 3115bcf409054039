import type { Clock } from '../util/clock.ts';
import { systemClock, formatDateTime } from '../util/clock.ts';
import { sqlError } from '../errors/index.ts';
import { showResult, type ResultSet } from '../sql/result.ts';

/**
 * Every live connection (server sockets, and any session the engine wants listed), keyed by connection id. The
 * engine executes KILL, SHOW PROCESSLIST and SHOW STATUS against this registry; the server registers connections in
 * it. It lives below both (it imports nothing from either), so the engine can own one instance and hand it to the
 * server: `startServer(engine, { registry: engine.connections })`.
 */

/** What the registry needs from a connection to list and kill it. */
export interface RegisteredConnection {
  /** Authenticated user. */
  readonly user: string;
  /** Client address as `ip:port`. */
  readonly host: string;
  /** Current database, read at listing time. */
  database(): string | undefined;
  /** Interrupt the statement running now (KILL QUERY). */
  interrupt(): void;
  /** Close the connection (KILL CONNECTION); the running statement is interrupted first by the registry. */
  closeConnection(): void;
}

/** Handle returned by `register`: the connection reports its activity through it. */
export interface ConnectionHandle {
  /** The connection id (MySQL thread id). */
  readonly id: number;
  /** A statement started; shown in SHOW PROCESSLIST's Info column. */
  statementStarted(sql: string): void;
  /** The statement finished (successfully or not). */
  statementFinished(): void;
  /** The connection closed. */
  unregister(): void;
}

interface Entry {
  readonly id: number;
  readonly connection: RegisteredConnection;
  readonly connectedAt: number;
  statement: { readonly sql: string; readonly startedAt: number } | undefined;
  idleSince: number;
}

/** StarRocks' SHOW PROCESSLIST titles. */
export const PROCESSLIST_COLUMNS = ['Id', 'User', 'Host', 'Db', 'Command', 'ConnectionStartTime', 'Time', 'State', 'Info', 'IsPending'] as const;
/** Info is cut to this many characters unless SHOW FULL PROCESSLIST. */
const INFO_PREVIEW = 100;

export class ConnectionRegistry {
  readonly #entries = new Map<number, Entry>();
  readonly #clock: Clock;
  readonly #startedAt: number;
  #nextId = 1;
  #connections = 0;
  #questions = 0;
  #abortedClients = 0;

  constructor(options: { clock?: Clock } = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#startedAt = this.#clock.now();
  }

  /** A fresh connection id; never reused while the process lives (MySQL semantics). */
  nextId(): number {
    return this.#nextId++;
  }

  /** Number of live connections. */
  get size(): number {
    return this.#entries.size;
  }

  /** Add a connection under `id` (from `nextId()`). */
  register(id: number, connection: RegisteredConnection): ConnectionHandle {
    const now = this.#clock.now();
    const entry: Entry = { id, connection, connectedAt: now, statement: undefined, idleSince: now };
    this.#entries.set(id, entry);
    this.#connections++;
    return {
      id,
      statementStarted: (sql) => {
        this.#questions++;
        entry.statement = { sql, startedAt: this.#clock.now() };
      },
      statementFinished: () => {
        entry.statement = undefined;
        entry.idleSince = this.#clock.now();
      },
      unregister: () => {
        if (entry.statement !== undefined) this.#abortedClients++;
        this.#entries.delete(id);
      },
    };
  }

  /**
   * KILL [CONNECTION | QUERY] id. Throws ER_NO_SUCH_THREAD (1094) for an unknown id. Users other than root may only
   * kill their own connections (privileges arrive later; this is MySQL's rule without PROCESS/SUPER).
   */
  kill(id: number, mode: 'CONNECTION' | 'QUERY', requester?: { readonly user: string }): void {
    const entry = this.#entries.get(id);
    if (entry === undefined) throw sqlError('ER_NO_SUCH_THREAD', `Unknown thread id: ${id}`);
    if (requester !== undefined && requester.user !== 'root' && requester.user !== entry.connection.user) {
      throw sqlError('ER_NO_SUCH_THREAD', `You are not owner of thread ${id}`);
    }
    entry.connection.interrupt();
    if (mode === 'CONNECTION') entry.connection.closeConnection();
  }

  /** SHOW [FULL] PROCESSLIST, StarRocks' columns, ordered by id. */
  processList(full = false): ResultSet {
    const now = this.#clock.now();
    const rows = [...this.#entries.values()]
      .sort((a, b) => a.id - b.id)
      .map((e) => {
        const sql = e.statement?.sql;
        const since = e.statement?.startedAt ?? e.idleSince;
        return [
          String(e.id),
          e.connection.user,
          e.connection.host,
          e.connection.database() ?? '',
          sql === undefined ? 'Sleep' : 'Query',
          formatDateTime(e.connectedAt),
          String(Math.max(0, Math.floor((now - since) / 1000))),
          sql === undefined ? '' : 'OK',
          sql === undefined ? '' : full ? sql : sql.slice(0, INFO_PREVIEW),
          'false',
        ];
      });
    return showResult(PROCESSLIST_COLUMNS, rows);
  }

  /** Server-wide counters for SHOW [GLOBAL] STATUS, as `[Variable_name, Value]` sorted by name. */
  statusRows(): readonly (readonly [string, string])[] {
    const running = [...this.#entries.values()].filter((e) => e.statement !== undefined).length;
    const rows: [string, string][] = [
      ['Aborted_clients', String(this.#abortedClients)],
      ['Connections', String(this.#connections)],
      ['Max_used_connections', String(this.#entries.size)],
      ['Questions', String(this.#questions)],
      ['Queries', String(this.#questions)],
      ['Threads_connected', String(this.#entries.size)],
      ['Threads_running', String(running)],
      ['Uptime', String(this.uptimeSeconds())],
    ];
    return rows.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  }

  /** COM_STATISTICS text, as mysqladmin status and the mariadb CLI's `status` print it. */
  statistics(): string {
    const uptime = this.uptimeSeconds();
    const qps = uptime > 0 ? (this.#questions / uptime).toFixed(3) : '0.000';
    return `Uptime: ${uptime}  Threads: ${this.#entries.size}  Questions: ${this.#questions}  Slow queries: 0  Opens: 0  Open tables: 0  Queries per second avg: ${qps}`;
  }

  /** Seconds since the registry (the server process) started. */
  uptimeSeconds(): number {
    return Math.max(0, Math.floor((this.#clock.now() - this.#startedAt) / 1000));
  }
}
