/**
 * The public facade. The MySQL server, the shell and library users all go through Engine and Session, so the three
 * doors behave alike. Signatures here are fixed by DESIGN.md §4; implementation lands incrementally.
 */
import type { Logger } from './logging/logger.ts';
import type { Clock } from './util/clock.ts';
import type { StatementResult } from './sql/result.ts';
import { sqlError } from './errors/index.ts';

export interface EngineOptions {
  /** Directory holding the catalog and the backends' data. Created if missing. */
  readonly dataDir: string;
  /** Number of backends (storage nodes) on first open; default 3. Later opens use what the data dir has. */
  readonly backends?: number;
  /** Root logger; defaults to a pino logger on stderr. */
  readonly logger?: Logger;
  /** Time source; defaults to the system clock. */
  readonly clock?: Clock;
}

export interface SessionOptions {
  /** Authenticated user name; default `root`. */
  readonly user?: string;
  /** Client host as seen by the server; default `localhost`. */
  readonly host?: string;
  /** Current database. */
  readonly database?: string;
  /** Connection id shown by SHOW PROCESSLIST and used by KILL; assigned by the engine when absent. */
  readonly connectionId?: number;
}

/** A user's conversation with the engine: current database, variables, identity. Not safe for concurrent use. */
export interface Session {
  readonly connectionId: number;
  readonly user: string;
  readonly host: string;
  /** Current database (USE), or undefined. */
  readonly database: string | undefined;
  /** Execute one or more `;`-separated statements; resolves to the last statement's result. */
  execute(sql: string): Promise<StatementResult>;
  /** Execute `;`-separated statements one by one, yielding each result; stops (throws SqlError) at the first error. */
  executeScript(sql: string): AsyncGenerator<StatementResult, void, void>;
  /** Change the current database (COM_INIT_DB); throws SqlError 1049 if it does not exist. */
  useDatabase(name: string): void;
  /** Interrupt the statement running now, if any (KILL QUERY). */
  interrupt(): void;
  /** Forget the session (connection closed). Jobs it started keep running. */
  close(): void;
}

export class Engine {
  static async open(_options: EngineOptions): Promise<Engine> {
    throw sqlError('ER_UNKNOWN_ERROR', 'Engine.open is being implemented');
  }

  session(_options: SessionOptions = {}): Session {
    throw sqlError('ER_UNKNOWN_ERROR', 'Engine.session is being implemented');
  }

  async close(): Promise<void> {}
}
