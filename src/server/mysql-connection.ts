import type { Socket } from 'node:net';
import type { Logger } from '../logging/logger.ts';
import { isSqlError, SqlError } from '../errors/index.ts';
import { PacketWriter, ClientGoneError } from './packet-writer.ts';
import { eofPayload, errPayload, okPayload, ServerStatus } from './packets.ts';
import { guardPacketSize } from './packet-guard.ts';
import { packetTooLarge } from '../sql/packet-limit.ts';

/**
 * The ONE module that touches mysql2's server-side Connection. Every trap of stack-notes §1 is handled here:
 * - capability flags without SSL / COMPRESS / DEPRECATE_EOF (0x2AA20F), else the mariadb CLI starts TLS and fails;
 * - sequence ids: mysql2 never resets them, so replies are framed by our PacketWriter and mysql2's counter is put
 *   back to 0 after every command it parses;
 * - an 'error' listener on every connection, else a client disconnect kills the process;
 * - mysql2 emits text `SET …` / `PREPARE …` as 'stmt_prepare' and `EXECUTE …` as 'stmt_execute'. Instead of the
 *   microtask trick, we pair each event with the 'packet' event mysql2 emits synchronously right after it in the same
 *   dispatch call; that event carries the real command code, so pipelined commands cannot be confused;
 * - unknown commands are answered (1047) instead of only being console.log'ged; COM_STMT_PREPARE gets 1295;
 * - ERR packets are written by us with a real SQLSTATE (mysql2 hard-codes `_____`);
 * - mysql2 decodes a binary COM_STMT_EXECUTE before emitting anything, reads a command byte even from an empty
 *   packet, and takes a command starting with 0xff for an ERR sent by the peer: a malformed execute throws inside its
 *   packet handler and a 0xff command ends its command loop (either way the connection drops without a reply), and an
 *   empty packet reads the next packet's bytes. After the handshake, such packets are answered here and never reach
 *   mysql2;
 * - mysql2 decodes client text in the charset of the handshake response, and for utf8mb3 (33, 'cesu8') it uses ONE
 *   iconv-lite decoder shared by every connection of the process, whose end() keeps a cut multi-byte sequence: one
 *   client's malformed text then garbles the next text decoded for anyone else (a user name → 1045). tablevault
 *   speaks utf8 only, so the handshake response's charset is read as utf8mb4, which mysql2 decodes statelessly.
 */

/** The part of mysql2's server Connection we use (its .d.ts lacks most of it, so this is our typing). */
interface RawServerConnection {
  readonly stream: Socket;
  sequenceId: number;
  serverHandshake(args: {
    protocolVersion: number;
    serverVersion: string;
    connectionId: number;
    statusFlags: number;
    characterSet: number;
    capabilityFlags: number;
    authCallback: (params: AuthParams, cb: (err: null, mysqlError?: { message: string; code: number }) => void) => void;
  }): void;
  on(event: 'error', listener: (error: Error & { code?: string }) => void): void;
  on(event: 'query' | 'stmt_prepare' | 'init_db' | 'field_list', listener: (text: string) => void): void;
  on(event: 'stmt_execute', listener: (id: unknown, flags: unknown, iterations: unknown, values: unknown, sql?: string) => void): void;
  on(event: 'ping' | 'quit', listener: () => void): void;
  on(event: 'packet', listener: (packet: RawPacket, known: boolean, commandCode: number) => void): void;
  /** mysql2's per-packet entry point (its parser calls it through `this`, so an own property takes over). */
  handlePacket(packet?: RawPacket): void;
}

interface RawPacket {
  readInt8(): number;
  readInt32(): number;
  /** The byte at the read offset (the command code of a fresh command packet). */
  peekByte(): number;
  /** Header (4 bytes) + payload length. */
  length(): number;
  /** The bytes the packet lies in (header at `start`). */
  readonly buffer: Buffer;
  /** Offset of the packet's header in `buffer`. */
  readonly start: number;
}

/** Bytes of a packet header: a packet of length() <= this has an empty payload. */
const HEADER_BYTES = 4;
/** First byte of an ERR packet; mysql2 reads any packet starting with it as one. */
const ERR_MARKER = 0xff;

interface AuthParams {
  readonly user: string;
  readonly database: string | undefined;
  readonly address: string | undefined;
  readonly authPluginData1: Buffer;
  readonly authPluginData2: Buffer;
  readonly authToken: Buffer;
}

/**
 * LONG_PASSWORD|FOUND_ROWS|LONG_FLAG|CONNECT_WITH_DB|PROTOCOL_41|TRANSACTIONS|SECURE_CONNECTION|MULTI_RESULTS|
 * PLUGIN_AUTH|PLUGIN_AUTH_LENENC_CLIENT_DATA (stack-notes' 0x2AA20F) + SESSION_TRACK (0x800000). SESSION_TRACK is
 * there because of the OK packet's info text (e.g. INSERT's `{'label':…}`): libmariadb always reads it as a
 * length-encoded string (as MySQL sends it), while mysql2 reads it length-encoded only when the server advertises
 * SESSION_TRACK and as rest-of-packet otherwise. Advertising it makes both read the same bytes. We never set
 * SERVER_SESSION_STATE_CHANGED, so no state-change data follows.
 */
export const CAPABILITY_FLAGS = 0xaaa20f;
/** utf8_general_ci: results are always encoded as utf8. */
const CHARSET_UTF8 = 33;
/** utf8mb4_general_ci: how we read every client's text (see the charset trap above). */
const CHARSET_UTF8MB4 = 45;
/** Offset of the character-set byte in a HandshakeResponse41 payload (after capabilities and max packet size). */
const HANDSHAKE_CHARSET_OFFSET = 8;

const Command = {
  QUIT: 0x01,
  INIT_DB: 0x02,
  QUERY: 0x03,
  FIELD_LIST: 0x04,
  STATISTICS: 0x09,
  PROCESS_KILL: 0x0c,
  PING: 0x0e,
  STMT_PREPARE: 0x16,
  STMT_EXECUTE: 0x17,
  STMT_SEND_LONG_DATA: 0x18,
  STMT_CLOSE: 0x19,
  STMT_RESET: 0x1a,
  SET_OPTION: 0x1b,
  STMT_FETCH: 0x1c,
  RESET_CONNECTION: 0x1f,
} as const;

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
}

/** What the server does with each command. Calls are serialized: one command at a time per connection. */
export interface ConnectionHandlers {
  /** Decide whether the login may proceed. */
  readonly authenticate: Authenticate;
  /** Login accepted: set up the session. Throw a SqlError (e.g. 1049 unknown database) to refuse the connection. */
  login(info: LoginInfo): void | Promise<void>;
  /** COM_QUERY text; write the reply through `reply`. */
  query(sql: string, reply: Reply): Promise<void>;
  /** COM_INIT_DB; throw SqlError 1049 when the database does not exist. */
  initDb(database: string): void | Promise<void>;
  /** COM_STATISTICS one-line summary (`Uptime: … Threads: … Questions: …`). */
  statistics(): string;
  /** The session's status flags for OK / EOF packets (IN_TRANS, AUTOCOMMIT); absent: AUTOCOMMIT. */
  serverStatus?(): number;
  /** COM_RESET_CONNECTION: forget session state. */
  resetConnection(): void | Promise<void>;
  /** The socket closed (after COM_QUIT, KILL, or the client vanishing). Called once, after the last command finished. */
  closed(): void;
}

/** The reply channel of one command. */
export interface Reply {
  /** Low-level writer for result sets (row packets with back-pressure). */
  readonly writer: PacketWriter;
  /** Write an OK packet. `more` sets SERVER_MORE_RESULTS_EXISTS (multi-statements). */
  ok(affectedRows: number, info?: string, more?: boolean, warnings?: number): void;
  /** Write an EOF packet (end of column list or rows). */
  eof(more?: boolean, warnings?: number): void;
  /** Write an ERR packet for any thrown value; SqlErrors keep their errno and SQLSTATE. */
  error(error: unknown): void;
  /** Server status flags to put in OK/EOF packets. */
  readonly status: number;
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

/** Protocol-level errors (not from the engine). */
function protocolError(errno: number, sqlState: string, message: string): SqlError {
  return new SqlError(errno, sqlState, message);
}

function preparedNotSupported(): SqlError {
  return protocolError(1295, 'HY000', 'This command is not supported in the prepared statement protocol yet: use text queries');
}

function unknownCommand(code: number): SqlError {
  return protocolError(1047, '08S01', `Unknown command ${code}`);
}

/** MySQL's ER_MALFORMED_PACKET: the command's bytes do not form what the command needs. */
function malformedPacket(): SqlError {
  return protocolError(1835, 'HY000', 'Malformed communication packet.');
}

function errorPacket(error: unknown): Buffer {
  if (isSqlError(error)) return errPayload(error.errno, error.sqlState, error.message);
  const message = error instanceof Error ? error.message : String(error);
  return errPayload(1105, 'HY000', `Internal error: ${message}`);
}

/** Take over a Connection emitted by mysql2's `createServer`: handshake, then serve commands until the socket closes. */
export function acceptMysqlConnection(rawConnection: unknown, options: MysqlConnectionOptions): MysqlConnection {
  const conn = rawConnection as RawServerConnection;
  const socket = conn.stream;
  const { handlers, logger } = options;
  const writer = new PacketWriter(socket);
  let chain: Promise<void> = Promise.resolve();
  let running = 0;
  let closed = false;
  // IN_TRANS / AUTOCOMMIT as the session stands when each packet is written (SessionTransaction, @@autocommit).
  const status = (): number => handlers.serverStatus?.() ?? ServerStatus.AUTOCOMMIT;
  let draining = false;
  // True once mysql2 has parsed the handshake response: every later packet is a command.
  let commandPhase = false;
  // Argument of the event mysql2 emitted just before 'packet' (same synchronous dispatch call).
  let pending: string | undefined;

  conn.on('error', (error) => {
    logger.debug({ code: error.code, err: error.code === undefined ? error : undefined }, 'connection error');
  });
  // Packets mysql2 hands over, counted, so that those after an oversized one (same TCP chunk) are dropped.
  let packetsSeen = 0;
  const guard = guardPacketSize(socket, options.maxPacketBytes, (bytes, lastSequenceId) => {
    logger.debug({ bytes }, 'client packet over max_allowed_packet');
    const error = packetTooLarge(bytes, options.maxPacketBytes());
    if (!commandPhase) {
      // Still in the handshake: nothing to reply on, as MySQL does.
      socket.destroy();
      return;
    }
    enqueue((lastSequenceId + 1) & 0xff, 'packet_too_large', async () => {
      reply.error(error);
      await writer.flush();
      socket.end();
    });
  });
  socket.on('close', () => {
    closed = true;
    writer.discard();
    void chain.then(() => handlers.closed());
  });

  const reply: Reply = {
    writer,
    get status() {
      return status();
    },
    ok(affectedRows, info = '', more = false, warnings = 0) {
      writer.packet(okPayload(affectedRows, status() | (more ? ServerStatus.MORE_RESULTS_EXISTS : 0), warnings, info));
    },
    eof(more = false, warnings = 0) {
      writer.packet(eofPayload(status() | (more ? ServerStatus.MORE_RESULTS_EXISTS : 0), warnings));
    },
    error(error) {
      writer.packet(errorPacket(error));
    },
  };

  /** Run `work` after every earlier command, with replies numbered from `sequenceId`. */
  const enqueue = (sequenceId: number, what: string, work: () => Promise<void> | void): void => {
    running++;
    chain = chain.then(async () => {
      if (closed) return;
      writer.begin(sequenceId);
      try {
        if (draining && what !== 'quit') throw protocolError(1053, '08S01', 'Server shutdown in progress');
        await work();
      } catch (error) {
        if (!(error instanceof ClientGoneError)) {
          if (!isSqlError(error)) logger.error({ err: error, command: what }, 'command failed');
          // An ERR may follow a partly written result set: it ends the reply either way.
          reply.error(error);
        }
      }
      try {
        await writer.flush();
      } catch (error) {
        if (!(error instanceof ClientGoneError)) throw error;
      }
    }).catch((error: unknown) => {
      logger.error({ err: error }, 'connection command chain failed');
    }).finally(() => {
      running--;
    });
  };

  conn.serverHandshake({
    protocolVersion: 10,
    serverVersion: options.serverVersion,
    connectionId: options.connectionId,
    statusFlags: ServerStatus.AUTOCOMMIT,
    characterSet: CHARSET_UTF8,
    capabilityFlags: CAPABILITY_FLAGS,
    authCallback: (params, cb) => {
      commandPhase = true;
      // IPv4 clients of a dual-stack socket appear as ::ffff:a.b.c.d; MySQL shows them as a.b.c.d.
      const host = (params.address ?? 'unknown').replace(/^::ffff:/, '');
      const scramble = Buffer.concat([params.authPluginData1, params.authPluginData2]);
      // The reply to the handshake response goes out with mysql2's counter (2); our ERR must use the same id.
      const sequenceId = conn.sequenceId;
      void (async () => {
        try {
          const allowed = await handlers.authenticate(params.user, host, scramble, params.authToken);
          if (!allowed) {
            const using = params.authToken.length > 0 ? 'YES' : 'NO';
            throw protocolError(1045, '28000', `Access denied for user '${params.user}'@'${host}' (using password: ${using})`);
          }
          await handlers.login({ user: params.user, host, database: params.database || undefined });
          if (closed) return;
          cb(null);
          conn.sequenceId = 0;
        } catch (error) {
          logger.debug({ user: params.user, host, errno: isSqlError(error) ? error.errno : undefined }, 'login refused');
          writer.begin(sequenceId);
          writer.packet(errorPacket(error));
          await writer.flush().catch(() => undefined);
          socket.end();
        }
      })();
    },
  });

  const handlePacket = conn.handlePacket.bind(conn);
  conn.handlePacket = (packet) => {
    if (packet !== undefined && ++packetsSeen > guard.packetsAllowed) return;
    if (!commandPhase && packet !== undefined && packet.length() > HEADER_BYTES + HANDSHAKE_CHARSET_OFFSET) {
      packet.buffer[packet.start + HEADER_BYTES + HANDSHAKE_CHARSET_OFFSET] = CHARSET_UTF8MB4;
    }
    if (commandPhase && packet !== undefined) {
      const code = packet.length() <= HEADER_BYTES ? undefined : packet.peekByte();
      if (code === undefined || code === Command.STMT_EXECUTE || code === ERR_MARKER) {
        // Numbered as if mysql2 had taken it (its counter is 0 between commands).
        const sequenceId = (conn.sequenceId + 1) & 0xff;
        conn.sequenceId = 0;
        const error = code === undefined ? malformedPacket() : code === ERR_MARKER ? unknownCommand(code) : preparedNotSupported();
        return enqueue(sequenceId, 'refused', () => reply.error(error));
      }
    }
    handlePacket(packet);
  };

  conn.on('query', (sql) => (pending = sql));
  conn.on('stmt_prepare', (sql) => (pending = sql));
  conn.on('stmt_execute', (_id, _flags, _iterations, _values, sql) => (pending = sql));
  conn.on('init_db', (database) => (pending = database));
  conn.on('field_list', () => (pending = undefined));
  conn.on('ping', () => undefined);
  conn.on('quit', () => undefined);

  conn.on('packet', (packet, _known, code) => {
    const text = pending;
    pending = undefined;
    // mysql2 has bumped its counter past the command's packets: that is where our reply starts. Reset it so the
    // next command (sequence id 0) does not trigger mysql2's "packets out of order" console warning.
    const sequenceId = conn.sequenceId;
    conn.sequenceId = 0;
    switch (code) {
      case Command.QUERY:
        if (text === undefined) return enqueue(sequenceId, 'query', () => reply.error(protocolError(1065, '42000', 'Query was empty')));
        return enqueue(sequenceId, 'query', () => handlers.query(text, reply));
      case Command.STMT_EXECUTE:
      case Command.STMT_PREPARE:
      case Command.STMT_RESET:
      case Command.STMT_FETCH:
        return enqueue(sequenceId, 'stmt', () => reply.error(preparedNotSupported()));
      case Command.STMT_CLOSE:
      case Command.STMT_SEND_LONG_DATA:
        return; // the protocol defines no reply to these
      case Command.INIT_DB:
        return enqueue(sequenceId, 'init_db', async () => {
          await handlers.initDb(text ?? '');
          reply.ok(0);
        });
      case Command.FIELD_LIST:
        // mariadb's auto-rehash sends one per table; an empty column list is a valid answer.
        return enqueue(sequenceId, 'field_list', () => reply.eof());
      case Command.PING:
        return enqueue(sequenceId, 'ping', () => reply.ok(0));
      case Command.STATISTICS:
        return enqueue(sequenceId, 'statistics', () => writer.packet(Buffer.from(handlers.statistics(), 'utf8')));
      case Command.SET_OPTION:
        return enqueue(sequenceId, 'set_option', () => reply.eof());
      case Command.RESET_CONNECTION:
        return enqueue(sequenceId, 'reset_connection', async () => {
          await handlers.resetConnection();
          reply.ok(0);
        });
      case Command.PROCESS_KILL: {
        // mysqladmin kill: same as the KILL statement. The id must be inside the packet: mysql2 reads past its end.
        if (packet.length() < HEADER_BYTES + 5) return enqueue(sequenceId, 'process_kill', () => reply.error(malformedPacket()));
        packet.readInt8();
        const id = packet.readInt32() >>> 0;
        return enqueue(sequenceId, 'process_kill', () => handlers.query(`KILL ${id}`, reply));
      }
      case Command.QUIT:
        return enqueue(sequenceId, 'quit', () => {
          socket.end();
        });
      default:
        return enqueue(sequenceId, 'unknown', () => reply.error(unknownCommand(code)));
    }
  });

  return {
    socket,
    get busy() {
      return running > 0;
    },
    idle: () => chain,
    drain: () => {
      draining = true;
    },
    close: () => {
      if (!socket.destroyed) socket.destroy();
    },
  };
}
