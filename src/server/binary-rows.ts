/**
 * What the server sends in the binary protocol: the COM_STMT_PREPARE reply's first packet and parameter definitions,
 * and binary result rows. Values go out in the binary form of their column's wire type (column-definitions.ts):
 * BOOLEAN and TINYINT as 1 byte, SMALLINT 2, INT 4, BIGINT 8, FLOAT and DOUBLE as IEEE floats, DECIMAL and LARGEINT as
 * decimal text, DATE and DATETIME as the length-prefixed date/time structure, text as length-encoded bytes in the
 * results charset. Layouts: MySQL's Protocol::COM_STMT_PREPARE_OK and Binary Protocol Resultset Row / Value.
 */
import { encodeResultText, type ClientCharset } from './charsets.ts';
import { MysqlType } from './column-definitions.ts';
import { ColumnFlag, type ColumnDefinition } from './packets.ts';

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
