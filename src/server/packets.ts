/**
 * MySQL wire payloads, encoded here rather than with mysql2's writers because those cannot do three things we need:
 * a real SQLSTATE in ERR packets (mysql2 hard-codes `#_____`), status flags on every EOF (MORE_RESULTS for
 * multi-statements), and back-pressure (writePacket writes straight to the socket). Only payloads live here;
 * framing (length + sequence id) is the PacketWriter's job.
 */
import { encodeResultText, isUtf8Results, type ClientCharset } from './charsets.ts';

/** Server status flags (MySQL `SERVER_STATUS_*`). */
export const ServerStatus = {
  IN_TRANS: 0x0001,
  AUTOCOMMIT: 0x0002,
  MORE_RESULTS_EXISTS: 0x0008,
  /** A COM_STMT_EXECUTE opened a cursor: rows come with COM_STMT_FETCH. */
  CURSOR_EXISTS: 0x0040,
  /** COM_STMT_FETCH sent the cursor's last row. */
  LAST_ROW_SENT: 0x0080,
} as const;

/** Column definition flags (MySQL `*_FLAG`). */
export const ColumnFlag = {
  NOT_NULL: 0x0001,
  UNSIGNED: 0x0020,
  BINARY: 0x0080,
  NUM: 0x8000,
} as const;

/** One column of a result set's metadata (Protocol::ColumnDefinition41). */
export interface ColumnDefinition {
  /** Schema the column comes from; '' for computed columns. */
  readonly schema: string;
  /** Table alias; '' for computed columns. */
  readonly table: string;
  /** Column title as the client shows it. */
  readonly name: string;
  /** MySQL collation id: 33 (utf8_general_ci) for text, 63 (binary) for numbers and dates. */
  readonly characterSet: number;
  /** Maximum display length in bytes. */
  readonly columnLength: number;
  /** MySQL type code (`MYSQL_TYPE_*`). */
  readonly columnType: number;
  /** ColumnFlag bits. */
  readonly flags: number;
  /** Fraction digits (DECIMAL scale; 31 means "not fixed" for FLOAT/DOUBLE). */
  readonly decimals: number;
}

const SMALL_INTS: readonly Buffer[] = Array.from({ length: 0xfb }, (_, i) => Buffer.from([i]));

function lengthEncodedInt(n: number): Buffer {
  if (n < 0xfb) return SMALL_INTS[n]!;
  if (n < 0x10000) return Buffer.from([0xfc, n & 0xff, (n >> 8) & 0xff]);
  if (n < 0x1000000) return Buffer.from([0xfd, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff]);
  const b = Buffer.alloc(9);
  b[0] = 0xfe;
  b.writeBigUInt64LE(BigInt(n), 1);
  return b;
}

function lengthEncodedString(s: string, charset: ClientCharset | null = 'utf8'): Buffer {
  const bytes = encodeResultText(s, charset);
  return Buffer.concat([lengthEncodedInt(bytes.length), bytes]);
}

/** OK packet: affected rows, last insert id, status, warnings, info text (length-encoded, see CAPABILITY_FLAGS). */
export function okPayload(affectedRows: number, status: number, warnings = 0, info = ''): Buffer {
  const tail = Buffer.alloc(4);
  tail.writeUInt16LE(status, 0);
  tail.writeUInt16LE(warnings, 2);
  const parts = [Buffer.from([0x00]), lengthEncodedInt(affectedRows), lengthEncodedInt(0), tail];
  if (info !== '') parts.push(lengthEncodedString(info));
  return Buffer.concat(parts);
}

/** EOF packet (we never advertise DEPRECATE_EOF, so result sets end with one). */
export function eofPayload(status: number, warnings = 0): Buffer {
  const b = Buffer.alloc(5);
  b[0] = 0xfe;
  b.writeUInt16LE(warnings, 1);
  b.writeUInt16LE(status, 3);
  return b;
}

/** ERR packet with a real SQLSTATE: `0xff, errno LE16, '#', state(5), message` (in the results charset). */
export function errPayload(errno: number, sqlState: string, message: string, charset: ClientCharset | null = 'utf8'): Buffer {
  const state = /^[0-9A-Z]{5}$/.test(sqlState) ? sqlState : 'HY000';
  const head = Buffer.alloc(3);
  head[0] = 0xff;
  head.writeUInt16LE(errno & 0xffff, 1);
  return Buffer.concat([head, Buffer.from(`#${state}`, 'latin1'), encodeResultText(message, charset)]);
}

/** The column-count packet that opens a result set. */
export function columnCountPayload(count: number): Buffer {
  return lengthEncodedInt(count);
}

/** Protocol::ColumnDefinition41; names in the results charset. */
export function columnDefinitionPayload(c: ColumnDefinition, charset: ClientCharset | null = 'utf8'): Buffer {
  const fixed = Buffer.alloc(13);
  fixed[0] = 0x0c;
  fixed.writeUInt16LE(c.characterSet, 1);
  fixed.writeUInt32LE(Math.min(c.columnLength, 0xffffffff), 3);
  fixed[7] = c.columnType;
  fixed.writeUInt16LE(c.flags, 8);
  fixed[10] = c.decimals;
  return Buffer.concat([
    lengthEncodedString('def'),
    lengthEncodedString(c.schema, charset),
    lengthEncodedString(c.table, charset),
    lengthEncodedString(c.table, charset),
    lengthEncodedString(c.name, charset),
    lengthEncodedString(c.name, charset),
    fixed,
  ]);
}

/**
 * A text-protocol row: each value length-encoded, NULL as 0xfb. Sized first and written once: this is the hot path.
 * Values go out in the results charset (UTF-8 unless the client asked for latin1 or ascii).
 */
export function textRowPayload(row: readonly (string | null)[], charset: ClientCharset | null = 'utf8'): Buffer {
  if (!isUtf8Results(charset)) return Buffer.concat(row.map((v) => (v === null ? Buffer.from([0xfb]) : lengthEncodedString(v, charset))));
  let size = 0;
  for (const value of row) {
    if (value === null) size += 1;
    else {
      const n = Buffer.byteLength(value, 'utf8');
      size += n + (n < 0xfb ? 1 : n < 0x10000 ? 3 : n < 0x1000000 ? 4 : 9);
    }
  }
  const out = Buffer.allocUnsafe(size);
  let o = 0;
  for (const value of row) {
    if (value === null) {
      out[o++] = 0xfb;
      continue;
    }
    const n = Buffer.byteLength(value, 'utf8');
    const prefix = lengthEncodedInt(n);
    prefix.copy(out, o);
    o += prefix.length;
    o += out.write(value, o, 'utf8');
  }
  return out;
}
