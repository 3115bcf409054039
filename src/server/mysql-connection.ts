import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Logger } from '../logging/logger.ts';
import { isSqlError, SqlError } from '../errors/index.ts';
import { PacketWriter, ClientGoneError } from './packet-writer.ts';
import { columnDefinitionPayload, eofPayload, errPayload, okPayload, ServerStatus } from './packets.ts';
import { charsetFromCollationId, decodeClientText, type ClientCharset } from './charsets.ts';
import { fieldListRequest, killTarget, readChangeUser, refreshStatement } from './commands.ts';
import type { ConnectionHandlers, MysqlConnection, MysqlConnectionOptions, Reply, SessionCharsets } from './connection-handlers.ts';

export type { Authenticate, ConnectionHandlers, LoginInfo, MysqlConnection, MysqlConnectionOptions, Reply, SessionCharsets } from './connection-handlers.ts';
import { StatementCommands } from './statement-commands.ts';
import { guardPacketSize } from './packet-guard.ts';
import { packetTooLarge } from '../sql/packet-limit.ts';

/**
 * The ONE module that touches mysql2's server-side Connection. mysql2 does the handshake (greeting, reading the
 * handshake response); every command after it is read and answered here, never by mysql2. The traps of
 * stack-notes §1 and why:
 * - capability flags without SSL / COMPRESS / DEPRECATE_EOF (0x2AA20F), else the mariadb CLI starts TLS and fails;
 * - sequence ids: mysql2 never resets them, so replies are framed by our PacketWriter, numbered from the command's
 *   own sequence id;
 * - an 'error' listener on every connection, else a client disconnect kills the process;
 * - mysql2's command dispatch has the flaws that made us take it over: `SET …` / `PREPARE …` text arrives as
 *   'stmt_prepare', unknown commands are only console.log'ged, a malformed COM_STMT_EXECUTE throws inside its packet
 *   handler, a 0xff command ends its command loop, an empty packet reads the next packet's bytes, ERR packets carry
 *   `#_____` for SQLSTATE, there is no binary protocol, no COM_CHANGE_USER, and client text is decoded with a
 *   decoder that cannot report invalid bytes;
 * - mysql2 decodes the handshake response's user and database in the charset it declares, and for utf8mb3 (33,
 *   'cesu8') it uses ONE iconv-lite decoder shared by every connection of the process, whose end() keeps a cut
 *   multi-byte sequence: one client's malformed text then garbles the next text decoded for anyone else (a user
 *   name → 1045). So mysql2 is told utf8mb4 (decoded statelessly); the declared charset is kept for the session.
 *
 * Client text (statements, names, string parameters) is decoded here in the session's character_set_client, and
 * bytes that are not valid in it are MySQL's 1366, never U+FFFD; results go out in character_set_results.
 */

/** The part of mysql2's server Connection we use (its .d.ts lacks most of it, so this is our typing). */
interface RawServerConnection {
  readonly stream: Socket;
  sequenceId: number;
  /** The parsed handshake response (set by mysql2 before it calls authCallback). */
  readonly clientHelloReply?: { readonly clientFlags?: number };
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
  /** mysql2's per-packet entry point (its parser calls it through `this`, so an own property takes over). */
  handlePacket(packet?: RawPacket): void;
}

interface RawPacket {
  /** Sequence id of the packet's (first) frame. */
  readonly sequenceId: number;
  /** How many frames it was split into (a 16 MB payload continues in further frames). */
  readonly numPackets: number;
  /** Header (4 bytes) + payload length. */
  length(): number;
  /** The bytes the packet lies in (header at `start`). */
  readonly buffer: Buffer;
  /** Offset of the packet's header in `buffer`. */
  readonly start: number;
}

/** Bytes of a packet header: a packet of length() <= this has an empty payload. */
const HEADER_BYTES = 4;

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
 * there because of the OK packet's info text (e.g. INSERT's `{'label':…}`): libmariadb always reads it as a length-encoded string (as MySQL sends it),
 * while mysql2 reads it length-encoded only when the server advertises SESSION_TRACK and as rest-of-packet
 * otherwise. Advertising it makes both read the same bytes. We never set SERVER_SESSION_STATE_CHANGED, so no
 * state-change data follows.
 */
export const CAPABILITY_FLAGS = 0xaaa20f;
/** utf8_general_ci: the greeting's server charset. */
const CHARSET_UTF8 = 33;
/** utf8mb4_general_ci: how mysql2 reads the handshake response (see the charset trap above). */
const CHARSET_UTF8MB4 = 45;
/** Offset of the character-set byte in a HandshakeResponse41 payload (after capabilities and max packet size). */
const HANDSHAKE_CHARSET_OFFSET = 8;
/** First byte of an ERR packet. */
const ERR_MARKER = 0xff;
/** The default-value field a COM_FIELD_LIST column definition ends with: NULL. */
const FIELD_LIST_NO_DEFAULT = Buffer.from([0xfb]);
const NATIVE_PASSWORD = 'mysql_native_password';

const Command = {
  QUIT: 0x01,
  INIT_DB: 0x02,
  QUERY: 0x03,
  FIELD_LIST: 0x04,
  REFRESH: 0x07,
  SHUTDOWN: 0x08,
  STATISTICS: 0x09,
  PROCESS_INFO: 0x0a,
  PROCESS_KILL: 0x0c,
  PING: 0x0e,
  CHANGE_USER: 0x11,
  STMT_PREPARE: 0x16,
  STMT_EXECUTE: 0x17,
  STMT_SEND_LONG_DATA: 0x18,
  STMT_CLOSE: 0x19,
  STMT_RESET: 0x1a,
  SET_OPTION: 0x1b,
  STMT_FETCH: 0x1c,
  RESET_CONNECTION: 0x1f,
} as const;

/** Protocol-level errors (not from the engine). */
function protocolError(errno: number, sqlState: string, message: string): SqlError {
  return new SqlError(errno, sqlState, message);
}

function unknownCommand(code: number): SqlError {
  return protocolError(1047, '08S01', `Unknown command ${code}`);
}

/** MySQL's ER_MALFORMED_PACKET: the command's bytes do not form what the command needs. */
function malformedPacket(): SqlError {
  return protocolError(1835, 'HY000', 'Malformed communication packet.');
}

function errorPacket(error: unknown, charset: ClientCharset | null): Buffer {
  if (isSqlError(error)) return errPayload(error.errno, error.sqlState, error.message, charset);
  const message = error instanceof Error ? error.message : String(error);
  return errPayload(1105, 'HY000', `Internal error: ${message}`, charset);
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
  // True once mysql2 has parsed the handshake response: every later packet is a command, read here.
  let commandPhase = false;
  // The collation id the handshake response declared (mysql2 is told utf8mb4).
  let declaredCharset = CHARSET_UTF8MB4;
  // The greeting's 20-byte scramble, which COM_CHANGE_USER proofs are made with.
  let scramble = Buffer.alloc(0);
  let host = 'unknown';
  // Set while COM_CHANGE_USER waits for the client's answer to an AuthSwitchRequest.
  let authSwitch: ((payload: Buffer, sequenceId: number) => void) | undefined;

  const charsets = (): SessionCharsets => {
    try {
      return handlers.charsets();
    } catch {
      return { client: 'utf8mb4', results: 'utf8mb4' };
    }
  };

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
    // Open cursors stop their queries with the connection.
    void chain.then(() => {
      statements.clear();
      return handlers.closed();
    });
  });

  const reply: Reply = {
    writer,
    get status() {
      return status();
    },
    get charset() {
      return charsets().results;
    },
    ok(affectedRows, info = '', more = false, warnings = 0) {
      writer.packet(okPayload(affectedRows, status() | (more ? ServerStatus.MORE_RESULTS_EXISTS : 0), warnings, info));
    },
    eof(more = false, warnings = 0, extraStatus = 0) {
      writer.packet(eofPayload(status() | extraStatus | (more ? ServerStatus.MORE_RESULTS_EXISTS : 0), warnings));
    },
    error(error) {
      writer.packet(errorPacket(error, charsets().results));
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
      host = (params.address ?? 'unknown').replace(/^::ffff:/, '');
      scramble = Buffer.concat([params.authPluginData1, params.authPluginData2]);
      // The reply to the handshake response goes out with mysql2's counter (2); our ERR must use the same id.
      const sequenceId = conn.sequenceId;
      // In the command chain: a command the client pipelines behind its login waits for the session.
      running++;
      chain = chain.then(async () => {
        try {
          const allowed = await handlers.authenticate(params.user, host, scramble, params.authToken);
          if (!allowed) throw accessDenied(params.user, params.authToken);
          await handlers.login({ user: params.user, host, database: params.database || undefined, charset: charsetFromCollationId(declaredCharset) });
          if (closed) return;
          cb(null);
        } catch (error) {
          logger.debug({ user: params.user, host, errno: isSqlError(error) ? error.errno : undefined }, 'login refused');
          writer.begin(sequenceId);
          writer.packet(errorPacket(error, 'utf8mb4'));
          await writer.flush().catch(() => undefined);
          socket.end();
        }
      }).finally(() => {
        running--;
      });
    },
  });

  const statements = new StatementCommands({ reply, handlers, charsets, logger });

  const accessDenied = (user: string, token: Buffer): SqlError =>
    protocolError(1045, '28000', `Access denied for user '${user}'@'${host}' (using password: ${token.length > 0 ? 'YES' : 'NO'})`);

  const handlePacket = conn.handlePacket.bind(conn);
  conn.handlePacket = (packet) => {
    if (packet !== undefined && ++packetsSeen > guard.packetsAllowed) return;
    if (!commandPhase) {
      if (packet !== undefined && packet.length() > HEADER_BYTES + HANDSHAKE_CHARSET_OFFSET) {
        const at = packet.start + HEADER_BYTES + HANDSHAKE_CHARSET_OFFSET;
        declaredCharset = packet.buffer[at] as number;
        packet.buffer[at] = CHARSET_UTF8MB4;
      }
      handlePacket(packet);
      return;
    }
    // mysql2 calls handlePacket() without a packet only to start a queued command of its own: there are none.
    if (packet === undefined) return;
    const payload = Buffer.from(packet.buffer.subarray(packet.start + HEADER_BYTES, packet.start + packet.length()));
    if (authSwitch !== undefined) {
      // An answer within COM_CHANGE_USER's exchange: the reply continues its numbering.
      const resume = authSwitch;
      authSwitch = undefined;
      resume(payload, (packet.sequenceId + packet.numPackets) & 0xff);
      return;
    }
    // A command starts a new exchange at sequence id 0 (MySQL resets its counter for every command), whatever id the
    // client put on it: the reply follows the command's last frame. mysql2's own counter is not used any more.
    dispatch(payload, packet.numPackets & 0xff);
  };

  const changeUser = async (payload: Buffer, sequenceId: number): Promise<void> => {
    const request = readChangeUser(payload, conn.clientHelloReply?.clientFlags ?? 0, charsets().client);
    let proof = request.authToken;
    let proofScramble = scramble;
    if (request.plugin !== undefined && request.plugin !== NATIVE_PASSWORD) {
      // The client made its proof for another plugin: ask for a mysql_native_password one (AuthSwitchRequest).
      proofScramble = Buffer.from(randomBytes(20).map((b) => (b & 0x7f) || 1));
      writer.packet(Buffer.concat([Buffer.from([0xfe]), Buffer.from(`${NATIVE_PASSWORD}\0`, 'latin1'), proofScramble, Buffer.from([0])]));
      const answered = new Promise<{ payload: Buffer; sequenceId: number }>((resolve) => {
        authSwitch = (answer, next) => resolve({ payload: answer, sequenceId: next });
      });
      await writer.flush();
      const answer = await answered;
      proof = answer.payload;
      writer.begin(answer.sequenceId);
    }
    statements.clear();
    if (!(await handlers.authenticate(request.user, host, proofScramble, proof))) {
      await handlers.resetAfterFailedChangeUser();
      throw accessDenied(request.user, proof);
    }
    try {
      await handlers.changeUser({ ...request, host });
    } catch (error) {
      await handlers.resetAfterFailedChangeUser();
      throw error;
    }
    logger.debug({ user: request.user, host, sequenceId }, 'user changed');
    reply.ok(0);
  };

  const dispatch = (payload: Buffer, sequenceId: number): void => {
    const code = payload[0];
    if (code === undefined) return enqueue(sequenceId, 'empty', () => reply.error(malformedPacket()));
    const text = (): string => decodeClientText(payload.subarray(1), charsets().client);
    switch (code) {
      case Command.QUERY:
        if (payload.length === 1) return enqueue(sequenceId, 'query', () => reply.error(protocolError(1065, '42000', 'Query was empty')));
        return enqueue(sequenceId, 'query', () => handlers.query(text(), reply));
      case Command.STMT_PREPARE:
        return enqueue(sequenceId, 'stmt_prepare', () => statements.prepare(text()));
      case Command.STMT_EXECUTE:
        return enqueue(sequenceId, 'stmt_execute', () => statements.execute(payload));
      case Command.STMT_FETCH:
        return enqueue(sequenceId, 'stmt_fetch', () => statements.fetch(payload));
      case Command.STMT_SEND_LONG_DATA:
        return enqueue(sequenceId, 'stmt_send_long_data', () => statements.sendLongData(payload));
      case Command.STMT_CLOSE:
        return enqueue(sequenceId, 'stmt_close', () => statements.close(payload));
      case Command.STMT_RESET:
        return enqueue(sequenceId, 'stmt_reset', () => statements.reset(payload));
      case Command.INIT_DB:
        return enqueue(sequenceId, 'init_db', async () => {
          await handlers.initDb(text());
          reply.ok(0);
        });
      case Command.FIELD_LIST:
        // mariadb's auto-rehash sends one per table for column-name completion; mariadb-show -v shows the columns.
        return enqueue(sequenceId, 'field_list', async () => {
          const { table, wildcard } = fieldListRequest(payload, charsets().client);
          for (const field of await handlers.fieldList(table, wildcard)) {
            // COM_FIELD_LIST definitions carry one more field, the default value: NULL (0xfb), none is recorded.
            writer.packet(Buffer.concat([columnDefinitionPayload(field, reply.charset), FIELD_LIST_NO_DEFAULT]));
          }
          reply.eof();
        });
      case Command.PING:
        return enqueue(sequenceId, 'ping', () => reply.ok(0));
      case Command.STATISTICS:
        return enqueue(sequenceId, 'statistics', () => writer.packet(Buffer.from(handlers.statistics(), 'utf8')));
      case Command.PROCESS_INFO:
        return enqueue(sequenceId, 'process_info', () => handlers.query('SHOW PROCESSLIST', reply));
      case Command.REFRESH:
        return enqueue(sequenceId, 'refresh', () => handlers.query(refreshStatement(payload), reply));
      case Command.SHUTDOWN:
        // mariadb-admin shutdown; the statement checks the privilege and asks the server to stop after this reply.
        return enqueue(sequenceId, 'shutdown', () => handlers.query('SHUTDOWN', reply));
      case Command.SET_OPTION:
        return enqueue(sequenceId, 'set_option', () => reply.eof());
      case Command.RESET_CONNECTION:
        return enqueue(sequenceId, 'reset_connection', async () => {
          statements.clear();
          await handlers.resetConnection();
          reply.ok(0);
        });
      case Command.CHANGE_USER:
        return enqueue(sequenceId, 'change_user', () => changeUser(payload, sequenceId));
      case Command.PROCESS_KILL:
        // mysqladmin kill: same as the KILL statement.
        return enqueue(sequenceId, 'process_kill', () => handlers.query(`KILL ${killTarget(payload)}`, reply));
      case Command.QUIT:
        return enqueue(sequenceId, 'quit', () => {
          socket.end();
        });
      case ERR_MARKER:
      default:
        return enqueue(sequenceId, 'unknown', () => reply.error(unknownCommand(code)));
    }
  };

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
