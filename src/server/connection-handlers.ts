/**
 * The contract between a MySQL connection (mysql-connection.ts: bytes, framing, command decoding) and the server
 * that owns it (server.ts: sessions, statements): what the connection asks of the server for each command, and the
 * reply channel it hands over.
 */
import type { Socket } from 'node:net';
import type { PreparedQuery } from '../engine.ts';
import type { Logger } from '../logging/logger.ts';
import type { ParameterValue } from '../sql/prepared/parameters.ts';
import type { StreamedResult } from '../sql/row-stream.ts';
import type { ClientCharset } from './charsets.ts';
import type { ChangeUserRequest } from './commands.ts';
import type { PacketWriter } from './packet-writer.ts';
import type { ColumnDefinition } from './packets.ts';

/** Authentication hook: mysql_native_password material; resolve true to let the user in. */
export type Authenticate = (user: string, host: string, scramble: Buffer, authToken: Buffer) => boolean | Promise<boolean>;

/** Who logged in. */
export interface LoginInfo {
  /** User name from the handshake. */
  readonly user: string;
  /** Client address. */
  readonly host: string;
  /** Database requested with CONNECT_WITH_DB, if any. */
  readonly database: string | undefined;
  /** The character set the handshake response declared (the session starts as with SET NAMES of it). */
  readonly charset: ClientCharset;
}

/** The session's character sets, read before each command. */
export interface SessionCharsets {
  /** character_set_client: how statements and string parameters are decoded. */
  readonly client: ClientCharset;
  /** character_set_results: how rows, names and messages are encoded (null: unconverted). */
  readonly results: ClientCharset | null;
}

/** What the server does with each command. Calls are serialized: one command at a time per connection. */
export interface ConnectionHandlers {
  /** Decide whether the login may proceed. */
  readonly authenticate: Authenticate;
  /** Login accepted: set up the session. Throw a SqlError (e.g. 1049 unknown database) to refuse the connection. */
  login(info: LoginInfo): void | Promise<void>;
  /** The session's character sets (utf8mb4 before login). */
  charsets(): SessionCharsets;
  /** COM_QUERY text (and the statements COM_REFRESH, COM_SHUTDOWN, COM_PROCESS_KILL stand for); write the reply. */
  query(sql: string, reply: Reply): Promise<void>;
  /** COM_STMT_PREPARE: parse a statement with `?` markers. */
  prepare(sql: string): Promise<PreparedQuery>;
  /** COM_STMT_EXECUTE: run a prepared statement with these values, results in binary rows. */
  executePrepared(prepared: PreparedQuery, values: readonly ParameterValue[], reply: Reply): Promise<void>;
  /** COM_STMT_EXECUTE with a cursor: run it and hand back its result, rows unread (COM_STMT_FETCH reads them). */
  executeForCursor(prepared: PreparedQuery, values: readonly ParameterValue[]): Promise<StreamedResult>;
  /** max_prepared_stmt_count and max_allowed_packet, for the prepared-statement limits. */
  limits(): { readonly preparedStatements: number; readonly longDataBytes: number };
  /**
   * COM_FIELD_LIST: the columns of `table` in the current database whose names match the LIKE `wildcard` (empty:
   * all), with the privileges a SELECT of the table needs; throw a SqlError (1046, 1146, 1142) otherwise.
   */
  fieldList(table: string, wildcard: string): Promise<readonly ColumnDefinition[]>;
  /** COM_INIT_DB; throw SqlError 1049 when the database does not exist. */
  initDb(database: string): void | Promise<void>;
  /** COM_STATISTICS one-line summary (`Uptime: … Threads: … Questions: …`). */
  statistics(): string;
  /** The session's status flags for OK / EOF packets (IN_TRANS, AUTOCOMMIT); absent: AUTOCOMMIT. */
  serverStatus?(): number;
  /** COM_RESET_CONNECTION: forget session state. */
  resetConnection(): void | Promise<void>;
  /**
   * COM_CHANGE_USER, authenticated already: start a new session as `request.user`. On failure (1049 for an unknown
   * database) the caller keeps the old user; session state is reset either way, as MySQL does.
   */
  changeUser(request: ChangeUserRequest & { readonly host: string }): void | Promise<void>;
  /** A failed COM_CHANGE_USER: reset the session state of the user that stays. */
  resetAfterFailedChangeUser(): void | Promise<void>;
  /** The socket closed (after COM_QUIT, KILL, or the client vanishing). Called once, after the last command finished. */
  closed(): void;
}

/** The reply channel of one command. */
export interface Reply {
  /** Low-level writer for result sets (row packets with back-pressure). */
  readonly writer: PacketWriter;
  /** Write an OK packet. `more` sets SERVER_MORE_RESULTS_EXISTS (multi-statements). */
  ok(affectedRows: number, info?: string, more?: boolean, warnings?: number): void;
  /** Write an EOF packet (end of column list or rows); `extraStatus` adds status flags (cursor states). */
  eof(more?: boolean, warnings?: number, extraStatus?: number): void;
  /** Write an ERR packet for any thrown value; SqlErrors keep their errno and SQLSTATE. */
  error(error: unknown): void;
  /** Server status flags to put in OK/EOF packets. */
  readonly status: number;
  /** character_set_results of the session: how text goes out. */
  readonly charset: ClientCharset | null;
}

/** A live connection, for the server's registry and for shutdown. */
export interface MysqlConnection {
  /** The TCP socket. */
  readonly socket: Socket;
  /** Resolves when no command is running (used by graceful shutdown). */
  idle(): Promise<void>;
  /** True while a command is being processed. */
  readonly busy: boolean;
  /** Close the socket (KILL CONNECTION, shutdown). The command running now finishes; its output is dropped. */
  close(): void;
  /** Shutdown: answer every later command with ER_SERVER_SHUTDOWN (1053) instead of running it. */
  drain(): void;
}

export interface MysqlConnectionOptions {
  readonly connectionId: number;
  readonly serverVersion: string;
  readonly logger: Logger;
  readonly handlers: ConnectionHandlers;
  /** max_allowed_packet in bytes, read at each client packet (the session's once logged in). */
  readonly maxPacketBytes: () => number;
}
