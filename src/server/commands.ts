/**
 * Decoding of the commands whose payload is more than a text: COM_CHANGE_USER, COM_FIELD_LIST, COM_REFRESH's flags,
 * COM_PROCESS_KILL, * COM_STMT_FETCH / SEND_LONG_DATA headers. A payload too short for what it must hold is MySQL's 1835.
 */
import { SqlError } from '../errors/index.ts';
import type { FlushOption } from '../../grammar/ast.ts';
import { PayloadReader } from './payload-reader.ts';
import { charsetFromCollationId, decodeClientText, type ClientCharset } from './charsets.ts';

/** Client capability bits the change-user packet layout depends on. */
const CLIENT_PROTOCOL_41 = 0x200;
const CLIENT_SECURE_CONNECTION = 0x8000;
const CLIENT_PLUGIN_AUTH = 0x80000;

/** What COM_CHANGE_USER asks for. */
export interface ChangeUserRequest {
  readonly user: string;
  /** The mysql_native_password proof (empty for an empty password). */
  readonly authToken: Buffer;
  /** The database to start in, when one is named. */
  readonly database: string | undefined;
  /** The connection's new character set, when the client sends one. */
  readonly charset: ClientCharset | undefined;
  /** The auth plugin the token was made for (absent from old clients: mysql_native_password). */
  readonly plugin: string | undefined;
}

/**
 * COM_CHANGE_USER (command byte included): user NUL, auth response (1-byte length with SECURE_CONNECTION, else NUL
 * terminated), database NUL, then, when present, charset (2 bytes), plugin name NUL, connection attributes (ignored).
 * `clientFlags` are the capabilities the client announced in its handshake response.
 */
export function readChangeUser(payload: Buffer, clientFlags: number, charset: ClientCharset): ChangeUserRequest {
  const r = new PayloadReader(payload, 1);
  const user = decodeClientText(r.nulTerminated(), charset, 'user name');
  const authToken = Buffer.from((clientFlags & CLIENT_SECURE_CONNECTION) !== 0 ? r.bytes(r.u8()) : r.nulTerminated());
  const databaseBytes = r.remaining > 0 ? r.nulTerminated() : Buffer.alloc(0);
  const database = databaseBytes.length === 0 ? undefined : decodeClientText(databaseBytes, charset, 'database name');
  let newCharset: ClientCharset | undefined;
  if (r.remaining >= 2 && (clientFlags & CLIENT_PROTOCOL_41) !== 0) newCharset = charsetFromCollationId(r.u16());
  let plugin: string | undefined;
  if (r.remaining > 0 && (clientFlags & CLIENT_PLUGIN_AUTH) !== 0) plugin = r.nulTerminated().toString('latin1') || undefined;
  return { user, authToken, database, charset: newCharset, plugin };
}

/** COM_REFRESH's sub-command bits and the FLUSH option each stands for. */
const REFRESH_FLAGS: readonly (readonly [number, FlushOption])[] = [
  [0x01, 'PRIVILEGES'],
  [0x02, 'LOGS'],
  [0x04, 'TABLES'],
  [0x08, 'HOSTS'],
  [0x10, 'STATUS'],
  [0x20, 'THREADS'],
];
const REFRESH_REPLICATION = 0x40 | 0x80;

/**
 * COM_FIELD_LIST (command byte included): the table name NUL-terminated, then a LIKE wildcard for the column names
 * (absent or empty: every column). Old clients omit the NUL when no wildcard follows.
 */
export function fieldListRequest(payload: Buffer, charset: ClientCharset): { readonly table: string; readonly wildcard: string } {
  const body = payload.subarray(1);
  const nul = body.indexOf(0);
  const table = decodeClientText(nul < 0 ? body : body.subarray(0, nul), charset, 'table name');
  const wildcard = nul < 0 ? '' : decodeClientText(body.subarray(nul + 1), charset, 'column wildcard');
  return { table, wildcard };
}

/**
 * COM_REFRESH (mariadb-admin refresh, flush-threads): the FLUSH statement its flags stand for, which the engine
 * runs with its privilege check. Replication flags (SLAVE, MASTER) are refused: there is no replication.
 */
export function refreshStatement(payload: Buffer): string {
  const flags = new PayloadReader(payload, 1).u8();
  if ((flags & REFRESH_REPLICATION) !== 0) {
    throw new SqlError(1235, '42000', 'This version of tablevault doesn\'t yet support COM_REFRESH of replication state (REFRESH_SLAVE / REFRESH_MASTER): there is no replication');
  }
  const options = REFRESH_FLAGS.filter(([bit]) => (flags & bit) !== 0).map(([, option]) => option);
  // No flag: nothing to refresh, but still a RELOAD-class command, checked as one.
  return `FLUSH ${(options.length === 0 ? ['THREADS'] : options).join(', ')}`;
}

/** COM_PROCESS_KILL's connection id. */
export function killTarget(payload: Buffer): number {
  return new PayloadReader(payload, 1).u32();
}

/** COM_STMT_FETCH: statement id and how many rows to send. */
export function readFetch(payload: Buffer): { readonly statementId: number; readonly rows: number } {
  const r = new PayloadReader(payload, 1);
  return { statementId: r.u32(), rows: r.u32() };
}

/** COM_STMT_SEND_LONG_DATA: statement id, parameter index, the data. */
export function readLongData(payload: Buffer): { readonly statementId: number; readonly parameter: number; readonly data: Buffer } {
  const r = new PayloadReader(payload, 1);
  return { statementId: r.u32(), parameter: r.u16(), data: r.rest() };
}
