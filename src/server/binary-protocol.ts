/**
 * The binary half of the MySQL protocol, hand-built (mysql2's server mode has none, stack-notes §1): the
 * COM_STMT_PREPARE reply, COM_STMT_EXECUTE's parameter block, and binary result rows. Layouts follow the MySQL
 * protocol reference (Protocol::COM_STMT_PREPARE_OK, COM_STMT_EXECUTE, Binary Protocol Resultset Row, Binary
 * Protocol Value).
 *
 * Values go out in the binary form of their column's wire type (column-definitions.ts): BOOLEAN and TINYINT as 1
 * byte, SMALLINT 2, INT 4, BIGINT 8, FLOAT and DOUBLE as IEEE floats, DECIMAL and LARGEINT as decimal text, DATE and
 * DATETIME as the length-prefixed date/time structure, text as length-encoded bytes in the results charset.
 */
import { SqlError } from '../errors/index.ts';
import type { ParameterValue } from '../sql/prepared/parameters.ts';
import { decodeClientText, encodeResultText, type ClientCharset } from './charsets.ts';
import { MysqlType } from './column-definitions.ts';
import { ColumnFlag, type ColumnDefinition } from './packets.ts';

/** `enum_field_types` codes a client may use for parameters (beyond MysqlType, which is what we send). */
export const FieldType = {
  DECIMAL: 0,
  TINY: 1,
  SHORT: 2,
  LONG: 3,
  FLOAT: 4,
  DOUBLE: 5,
  NULL: 6,
  TIMESTAMP: 7,
  LONGLONG: 8,
  INT24: 9,
  DATE: 10,
  TIME: 11,
  DATETIME: 12,
  YEAR: 13,
  NEWDATE: 14,
  VARCHAR: 15,
  BIT: 16,
  JSON: 245,
  NEWDECIMAL: 246,
  ENUM: 247,
  SET: 248,
  TINY_BLOB: 249,
  MEDIUM_BLOB: 250,
  LONG_BLOB: 251,
  BLOB: 252,
  VAR_STRING: 253,
  STRING: 254,
  GEOMETRY: 255,
} as const;

/** COM_STMT_EXECUTE flags: a read-only cursor is asked for (rows then come by COM_STMT_FETCH). */
export const CURSOR_TYPE_READ_ONLY = 0x01;

/** MySQL's ER_MALFORMED_PACKET. */
export function malformedPacket(detail?: string): SqlError {
  return new SqlError(1835, 'HY000', `Malformed communication packet.${detail === undefined ? '' : ` ${detail}`}`);
}

/** A cursor over a packet payload; every read is bounds-checked (a short packet is 1835, never garbage). */
export class PayloadReader {
  readonly #bytes: Buffer;
  #offset: number;

  constructor(bytes: Buffer, offset = 0) {
    this.#bytes = bytes;
    this.#offset = offset;
  }

  get offset(): number {
    return this.#offset;
  }

  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  #need(n: number): number {
    if (n < 0 || this.#offset + n > this.#bytes.length) throw malformedPacket();
    const at = this.#offset;
    this.#offset += n;
    return at;
  }

  u8(): number {
    return this.#bytes.readUInt8(this.#need(1));
  }

  u16(): number {
    return this.#bytes.readUInt16LE(this.#need(2));
  }

  u32(): number {
    return this.#bytes.readUInt32LE(this.#need(4));
  }

  bytes(n: number): Buffer {
    const at = this.#need(n);
    return this.#bytes.subarray(at, at + n);
  }

  rest(): Buffer {
    return this.bytes(this.remaining);
  }

  /** A length-encoded integer (must fit a JS number: lengths and counts). */
  lengthEncoded(): number {
    const first = this.u8();
    if (first < 0xfb) return first;
    if (first === 0xfc) return this.u16();
    if (first === 0xfd) return this.u16() | (this.u8() << 16);
    if (first === 0xfe) {
      const n = this.#bytes.readBigUInt64LE(this.#need(8));
      if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw malformedPacket();
      return Number(n);
    }
    throw malformedPacket();
  }

  lengthEncodedBytes(): Buffer {
    return this.bytes(this.lengthEncoded());
  }

  /** Bytes up to (not including) the next NUL, which is consumed; the rest of the packet when there is none. */
  nulTerminated(): Buffer {
    const end = this.#bytes.indexOf(0, this.#offset);
    if (end < 0) return this.rest();
    const out = this.#bytes.subarray(this.#offset, end);
    this.#offset = end + 1;
    return out;
  }

  int(type: number, unsigned: boolean): bigint {
    switch (type) {
      case FieldType.TINY: {
        const v = this.u8();
        return BigInt(unsigned || v < 0x80 ? v : v - 0x100);
      }
      case FieldType.SHORT:
      case FieldType.YEAR: {
        const at = this.#need(2);
        return BigInt(unsigned ? this.#bytes.readUInt16LE(at) : this.#bytes.readInt16LE(at));
      }
      case FieldType.LONG:
      case FieldType.INT24: {
        const at = this.#need(4);
        return BigInt(unsigned ? this.#bytes.readUInt32LE(at) : this.#bytes.readInt32LE(at));
      }
      default: {
        const at = this.#need(8);
        return unsigned ? this.#bytes.readBigUInt64LE(at) : this.#bytes.readBigInt64LE(at);
      }
    }
  }

  float(): number {
    return this.#bytes.readFloatLE(this.#need(4));
  }

  double(): number {
    return this.#bytes.readDoubleLE(this.#need(8));
  }
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Binary DATE / DATETIME / TIMESTAMP: a length (0, 4, 7 or 11), then year, month, day, hour, minute, second, micros. */
function readDateTime(r: PayloadReader, type: number): ParameterValue {
  const length = r.u8();
  if (length !== 0 && length !== 4 && length !== 7 && length !== 11) throw malformedPacket('a date parameter has a length of ' + length);
  const year = length >= 4 ? r.u16() : 0;
  const month = length >= 4 ? r.u8() : 0;
  const day = length >= 4 ? r.u8() : 0;
  const date = `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
  if (type === FieldType.DATE || type === FieldType.NEWDATE) {
    if (length > 4) r.bytes(length - 4);
    return { kind: 'date', text: date };
  }
  const hour = length >= 7 ? r.u8() : 0;
  const minute = length >= 7 ? r.u8() : 0;
  const second = length >= 7 ? r.u8() : 0;
  const micros = length === 11 ? r.u32() : 0;
  const time = `${pad2(hour)}:${pad2(minute)}:${pad2(second)}${micros === 0 ? '' : `.${String(micros).padStart(6, '0')}`}`;
  return { kind: 'datetime', text: `${date} ${time}` };
}

/** Binary TIME: a length (0, 8 or 12), then sign, days, hours, minutes, seconds, micros. */
function readTime(r: PayloadReader): ParameterValue {
  const length = r.u8();
  if (length !== 0 && length !== 8 && length !== 12) throw malformedPacket('a time parameter has a length of ' + length);
  if (length === 0) return { kind: 'time', text: '00:00:00' };
  const negative = r.u8() === 1;
  const days = r.u32();
  const hours = r.u8() + days * 24;
  const minute = r.u8();
  const second = r.u8();
  const micros = length === 12 ? r.u32() : 0;
  return { kind: 'time', text: `${negative ? '-' : ''}${pad2(hours)}:${pad2(minute)}:${pad2(second)}${micros === 0 ? '' : `.${String(micros).padStart(6, '0')}`}` };
}

/** The bytes of a text or blob parameter as text in the client's charset (1366 when they are not text in it). */
export function textParameter(bytes: Uint8Array, index: number, charset: ClientCharset): ParameterValue {
  return { kind: 'string', text: decodeClientText(bytes, charset, `parameter ${index + 1}`) };
}

/** Decode one parameter value of `type` (the second type byte's 0x80 bit = unsigned). */
export function readParameter(r: PayloadReader, type: number, unsigned: boolean, index: number, charset: ClientCharset): ParameterValue {
  switch (type) {
    case FieldType.NULL:
      return null;
    case FieldType.TINY:
    case FieldType.SHORT:
    case FieldType.YEAR:
    case FieldType.LONG:
    case FieldType.INT24:
    case FieldType.LONGLONG:
      return r.int(type, unsigned);
    case FieldType.FLOAT:
      return { kind: 'double', value: r.float() };
    case FieldType.DOUBLE:
      return { kind: 'double', value: r.double() };
    case FieldType.DECIMAL:
    case FieldType.NEWDECIMAL:
      return { kind: 'decimal', text: r.lengthEncodedBytes().toString('latin1') };
    case FieldType.DATE:
    case FieldType.NEWDATE:
    case FieldType.DATETIME:
    case FieldType.TIMESTAMP:
      return readDateTime(r, type);
    case FieldType.TIME:
      return readTime(r);
    case FieldType.VARCHAR:
    case FieldType.VAR_STRING:
    case FieldType.STRING:
    case FieldType.TINY_BLOB:
    case FieldType.MEDIUM_BLOB:
    case FieldType.LONG_BLOB:
    case FieldType.BLOB:
    case FieldType.JSON:
    case FieldType.ENUM:
    case FieldType.SET:
      return textParameter(r.lengthEncodedBytes(), index, charset);
    case FieldType.BIT: {
      let n = 0n;
      for (const b of r.lengthEncodedBytes()) n = (n << 8n) | BigInt(b);
      return n;
    }
    default:
      throw new SqlError(1210, 'HY000', `Incorrect arguments to mysqld_stmt_execute: parameter ${index + 1} has type ${type}, which this server does not take`);
  }
}

/** What a COM_STMT_EXECUTE asks for. */
export interface ExecuteRequest {
  readonly statementId: number;
  /** A read-only cursor: reply with the column definitions only; rows follow COM_STMT_FETCH. */
  readonly cursor: boolean;
  readonly values: readonly ParameterValue[];
  /** The parameter types this execution used (reused by the next one when it does not resend them). */
  readonly types: readonly number[];
}

/** What the server knows of a statement when an execute for it arrives. */
export interface ExecuteContext {
  readonly parameterCount: number;
  /** Types the previous execution bound (two bytes each: type, flags), for `new_params_bound_flag` = 0. */
  readonly previousTypes: readonly number[] | undefined;
  /** Parameters that received COM_STMT_SEND_LONG_DATA: their value is that data, not in this packet. */
  readonly longData: ReadonlyMap<number, Buffer>;
  readonly charset: ClientCharset;
}

/** The statement id of a COM_STMT_EXECUTE / SEND_LONG_DATA / CLOSE / RESET / FETCH payload (after the command byte). */
export function statementIdOf(payload: Buffer): number {
  return new PayloadReader(payload, 1).u32();
}

/**
 * Decode a COM_STMT_EXECUTE payload (command byte included): flags, iteration count, NULL bitmap, the
 * new-params-bound flag with the types, then one value per parameter that is neither NULL nor long data.
 */
export function readExecute(payload: Buffer, lookup: (statementId: number) => ExecuteContext): ExecuteRequest {
  const r = new PayloadReader(payload, 1);
  const statementId = r.u32();
  const flags = r.u8();
  r.u32(); // iteration count, always 1
  const statement = lookup(statementId);
  const n = statement.parameterCount;
  if (n === 0) return { statementId, cursor: (flags & CURSOR_TYPE_READ_ONLY) !== 0, values: [], types: [] };
  const nullBitmap = r.bytes((n + 7) >> 3);
  const newBound = r.u8();
  let types: number[];
  if (newBound === 1) {
    types = [];
    for (let i = 0; i < n; i++) types.push(r.u16());
  } else if (statement.previousTypes !== undefined) {
    types = [...statement.previousTypes];
  } else {
    throw malformedPacket('the first execution of a statement must send its parameter types');
  }
  const values: ParameterValue[] = [];
  for (let i = 0; i < n; i++) {
    const type = (types[i] as number) & 0xff;
    const unsigned = ((types[i] as number) & 0x8000) !== 0;
    const long = statement.longData.get(i);
    if (((nullBitmap[i >> 3] as number) & (1 << (i & 7))) !== 0) values.push(null);
    else if (long !== undefined) values.push(longDataValue(long, type, i, statement.charset));
    else values.push(readParameter(r, type, unsigned, i, statement.charset));
  }
  return { statementId, cursor: (flags & CURSOR_TYPE_READ_ONLY) !== 0, values, types };
}

/** A parameter sent with COM_STMT_SEND_LONG_DATA: its bytes, read as its declared type (text for strings and blobs). */
function longDataValue(bytes: Buffer, type: number, index: number, charset: ClientCharset): ParameterValue {
  if (type === FieldType.DECIMAL || type === FieldType.NEWDECIMAL) return { kind: 'decimal', text: bytes.toString('latin1') };
  return textParameter(bytes, index, charset);
}

/** Protocol::COM_STMT_PREPARE_OK's first packet. */
export function prepareOkPayload(statementId: number, columnCount: number, parameterCount: number, warnings: number): Buffer {
  const b = Buffer.alloc(12);
  b[0] = 0x00;
  b.writeUInt32LE(statementId, 1);
  b.writeUInt16LE(columnCount, 5);
  b.writeUInt16LE(parameterCount, 7);
  b[9] = 0x00;
  b.writeUInt16LE(warnings, 10);
  return b;
}

/** How each parameter is described in the prepare reply (MySQL describes them this way: a binary VAR_STRING). */
export const PARAMETER_DEFINITION: ColumnDefinition = {
  schema: '',
  table: '',
  name: '?',
  characterSet: 63,
  columnLength: 0,
  columnType: MysqlType.VAR_STRING,
  flags: ColumnFlag.BINARY,
  decimals: 0,
};

function lengthEncodedLength(n: number): number {
  return n < 0xfb ? 1 : n < 0x10000 ? 3 : n < 0x1000000 ? 4 : 9;
}

function writeLengthEncoded(out: Buffer, o: number, n: number): number {
  if (n < 0xfb) {
    out[o] = n;
    return o + 1;
  }
  if (n < 0x10000) {
    out[o] = 0xfc;
    out.writeUInt16LE(n, o + 1);
    return o + 3;
  }
  if (n < 0x1000000) {
    out[o] = 0xfd;
    out.writeUIntLE(n, o + 1, 3);
    return o + 4;
  }
  out[o] = 0xfe;
  out.writeBigUInt64LE(BigInt(n), o + 1);
  return o + 9;
}

const DATE_PARTS = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?)?$/;

/** The binary form of one non-NULL value of a column of wire type `columnType`. */
function encodeValue(text: string, columnType: number, charset: ClientCharset | null): Buffer {
  switch (columnType) {
    case MysqlType.TINY: {
      const b = Buffer.alloc(1);
      b.writeInt8(Number(text));
      return b;
    }
    case MysqlType.SHORT: {
      const b = Buffer.alloc(2);
      b.writeInt16LE(Number(text));
      return b;
    }
    case MysqlType.LONG: {
      const b = Buffer.alloc(4);
      b.writeInt32LE(Number(text));
      return b;
    }
    case MysqlType.LONGLONG: {
      const b = Buffer.alloc(8);
      b.writeBigInt64LE(BigInt(text));
      return b;
    }
    case MysqlType.FLOAT: {
      const b = Buffer.alloc(4);
      b.writeFloatLE(numberOf(text));
      return b;
    }
    case MysqlType.DOUBLE: {
      const b = Buffer.alloc(8);
      b.writeDoubleLE(numberOf(text));
      return b;
    }
    case MysqlType.DATE:
    case MysqlType.DATETIME: {
      const m = DATE_PARTS.exec(text);
      if (m === null) return Buffer.from([0]);
      const [year, month, day, hour, minute, second] = m.slice(1, 7).map((p) => Number(p ?? 0)) as [number, number, number, number, number, number];
      const micros = m[7] === undefined ? 0 : Number(m[7].padEnd(6, '0'));
      const length = columnType === MysqlType.DATE ? 4 : micros !== 0 ? 11 : hour !== 0 || minute !== 0 || second !== 0 ? 7 : 4;
      const b = Buffer.alloc(1 + length);
      b[0] = length;
      b.writeUInt16LE(year, 1);
      b[3] = month;
      b[4] = day;
      if (length >= 7) {
        b[5] = hour;
        b[6] = minute;
        b[7] = second;
      }
      if (length === 11) b.writeUInt32LE(micros, 8);
      return b;
    }
    default: {
      // NEWDECIMAL (digits) and text: length-encoded bytes.
      const bytes = columnType === MysqlType.NEWDECIMAL ? Buffer.from(text, 'latin1') : encodeResultText(text, charset);
      const out = Buffer.allocUnsafe(lengthEncodedLength(bytes.length) + bytes.length);
      bytes.copy(out, writeLengthEncoded(out, 0, bytes.length));
      return out;
    }
  }
}

/** MySQL prints doubles' infinities as inf / -inf and NaN as nan. */
function numberOf(text: string): number {
  if (text === 'inf') return Infinity;
  if (text === '-inf') return -Infinity;
  if (text === 'nan') return NaN;
  return Number(text);
}

/** A binary result row: 0x00, the NULL bitmap (offset 2), then each non-NULL value in its column's binary form. */
export function binaryRowPayload(row: readonly (string | null)[], columns: readonly ColumnDefinition[], charset: ClientCharset | null): Buffer {
  const bitmap = Buffer.alloc((columns.length + 7 + 2) >> 3);
  const values: Buffer[] = [];
  for (let i = 0; i < columns.length; i++) {
    const v = row[i] ?? null;
    if (v === null) {
      const bit = i + 2;
      bitmap[bit >> 3] = (bitmap[bit >> 3] as number) | (1 << (bit & 7));
    } else {
      values.push(encodeValue(v, (columns[i] as ColumnDefinition).columnType, charset));
    }
  }
  return Buffer.concat([Buffer.from([0x00]), bitmap, ...values]);
}
