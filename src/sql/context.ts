/**
 * What a statement handler can reach: the engine's services (shared by every session) and the calling session.
 * Handlers are plain functions `(ctx, node) → result`; this interface is the whole of their world.
 */
import type { Catalog } from '../catalog/index.ts';
import type { TableStore } from '../storage/index.ts';
import type { RepositoryManager } from '../repository/repository-manager.ts';
import type { JobScheduler } from '../jobs/scheduler.ts';
import type { ScheduleRunner } from '../jobs/schedules/schedule-runner.ts';
import type { KeyedMutex } from '../util/keyed-mutex.ts';
import type { Logger } from '../logging/logger.ts';
import type { Clock } from '../util/clock.ts';
import type { Value } from '../types/value.ts';
import type { GlobalVariables, SessionVariables } from './variables/index.ts';
import type { AccessControl } from './privileges/access-control.ts';
import type { ShutdownRequests } from './shutdown-requests.ts';
import type { SessionTransaction } from './transaction/session-transaction.ts';

/** Engine-wide services. Later layers (repositories, jobs, users) join here as additions. */
export interface EngineServices {
  /** The data directory the engine was opened on. */
  readonly dataDir: string;
  /** Catalog handle (SQLite); the same one the store uses. */
  readonly catalog: Catalog;
  /** The table store: loads, scans, snapshots. */
  readonly store: TableStore;
  /**
   * Per-table write lock (key: table id). INSERT, DELETE and TRUNCATE of one table run one at a time, so a DELETE's
   * rewrite never drops rows a concurrent INSERT committed after the DELETE read the table.
   */
  readonly tableLocks: KeyedMutex<number>;
  /** Engine time. */
  readonly clock: Clock;
  /** Root logger; handlers take children. */
  readonly logger: Logger;
  /** Live sessions, for SHOW PROCESSLIST and KILL. */
  readonly sessions: SessionDirectory;
  /** Server-wide system variables (SET GLOBAL). */
  readonly globals: GlobalVariables;
  /** Counters for SHOW STATUS. */
  readonly stats: EngineStats;
  /** Repositories: CREATE / DROP / SHOW REPOSITORIES and connected Repository objects for jobs. */
  readonly repositories: RepositoryManager;
  /** The BACKUP / RESTORE job scheduler (one live job per database, journaled in the catalog). */
  readonly jobs: JobScheduler;
  /** Accounts, roles and grants: logins and privilege checks (src/sql/privileges). */
  readonly access: AccessControl;
  /** SHUTDOWN asks the server serving this engine (if any) to stop. */
  readonly shutdownRequests: ShutdownRequests;
  /** Backup schedules: fires them, drives their runs (backup, copy_to, retention) and EXECUTE BACKUP SCHEDULE. */
  readonly schedules: ScheduleRunner;
}

/** Engine-wide counters (SHOW STATUS). */
export interface EngineStats {
  /** When the engine opened (ms). */
  readonly startedAt: number;
  /** Statements executed. */
  questions: number;
  /** Sessions opened. */
  connections: number;
  /** Statements prepared (binary protocol and PREPARE), MySQL's Com_stmt_prepare. */
  stmtPrepare?: number;
  /** Prepared statement executions (binary protocol and EXECUTE), MySQL's Com_stmt_execute. */
  stmtExecute?: number;
}

/** Read access to the live sessions of an engine. */
export interface SessionDirectory {
  /** Every open session. */
  list(): readonly SessionState[];
  /** The session with this connection id. */
  get(connectionId: number): SessionState | undefined;
  /**
   * KILL: abort the session's running statement; unless `queryOnly`, also close its connection (the session's
   * kill listeners run). False when there is no such session.
   */
  kill(connectionId: number, queryOnly: boolean): boolean;
}

/** Mutable per-session state (one per connection or library session). */
export interface SessionState {
  /** Connection id (SHOW PROCESSLIST, KILL, CONNECTION_ID()). */
  readonly connectionId: number;
  /** Authenticated user name. */
  readonly user: string;
  /** Client host. */
  readonly host: string;
  /** Current database, changed by USE. */
  database: string | undefined;
  /** System variables as this session sees them. */
  readonly variables: SessionVariables;
  /** User variables (`@x`). */
  readonly userVariables: Map<string, Value>;
  /** When the session started (ms). */
  readonly connectedAt: number;
  /**
   * The statement running now, for SHOW PROCESSLIST and information_schema.PROCESSLIST. `text` is the statement with
   * its credential literals masked (grammar/secrets.ts `redactStatement`), never the raw text: any user may see it.
   */
  current: { readonly text: string; readonly startedAt: number; readonly abort: AbortController } | undefined;
  /** Set by KILL CONNECTION: the owner (server) closes the connection. */
  killed: boolean;
  /** The open transaction and LOCK TABLES locks (src/sql/transaction). */
  readonly transaction: SessionTransaction;
}

/** Everything one statement execution sees. */
export interface ExecutionContext {
  readonly services: EngineServices;
  readonly session: SessionState;
  /** Aborted by KILL QUERY / interrupt(). */
  readonly signal: AbortSignal;
  /**
   * The statement's own text, raw: it may hold passwords and keys. Never show, log or store it; what may be shown
   * is `redactStatement(text, statement)` (the session keeps that as `session.current.text`).
   */
  readonly text: string;
}
