/**
 * The binary half of the MySQL protocol, hand-built (mysql2's server mode has none, stack-notes §1): what a client
 * sends. COM_STMT_EXECUTE's parameter block (NULL bitmap, types, values) decoded into typed parameter values, in the
 * layout of MySQL's COM_STMT_EXECUTE and Binary Protocol Value. What the server sends is in binary-rows.ts.
 */
import { SqlError } from '../errors/index.ts';
import type { ParameterValue } from '../sql/prepared/parameters.ts';
import { decodeClientText, type ClientCharset } from './charsets.ts';
import { FieldType, malformedPacket, PayloadReader } from './payload-reader.ts';

/** COM_STMT_EXECUTE flags: a read-only cursor is asked for (rows then come by COM_STMT_FETCH). */
export const CURSOR_TYPE_READ_ONLY = 0x01;

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

