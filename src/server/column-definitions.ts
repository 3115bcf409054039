import type { ColumnType } from '../types/column-type.ts';
import { TYPE_LIMITS } from '../types/column-type.ts';
import { ColumnFlag, type ColumnDefinition } from './packets.ts';

/** MySQL type codes (`enum_field_types`) the server sends. */
export const MysqlType = {
  TINY: 1,
  SHORT: 2,
  LONG: 3,
  FLOAT: 4,
  DOUBLE: 5,
  LONGLONG: 8,
  DATE: 10,
  DATETIME: 12,
  NEWDECIMAL: 246,
  VAR_STRING: 253,
} as const;

const UTF8_GENERAL_CI = 33;
/** MySQL's MAX_ALIAS_NAME: the longest column name sent. */
const MAX_COLUMN_NAME = 256;
const BINARY_COLLATION = 63;
/** utf8 (utf8mb3) reserves 3 bytes per character in column lengths, as MySQL reports them. */
const UTF8_MAX_BYTES = 3;

function numeric(columnType: number, columnLength: number, decimals = 0): Omit<ColumnDefinition, 'schema' | 'table' | 'name'> {
  return { characterSet: BINARY_COLLATION, columnLength, columnType, flags: ColumnFlag.BINARY | ColumnFlag.NUM, decimals };
}

/**
 * Wire metadata for one tablevault column type. Numbers go out as numeric columns with the binary collation and
 * BINARY|NUM flags, so clients (mysql2, JDBC) hand back numbers, not strings.
 *
 * LARGEINT (128-bit) goes out as NEWDECIMAL(40, 0): still numeric for GUI tools and JDBC (BigDecimal), and lossless
 * for mysql2, which returns NEWDECIMAL as a string unless the caller opts into `decimalNumbers`. (StarRocks' FE
 * falls through to MYSQL_TYPE_STRING for LARGEINT, which loses the "numeric" property for no gain.)
 */
export function columnDefinition(name: string, type: ColumnType, schema = '', table = ''): ColumnDefinition {
  // An unaliased expression is titled by its text; MySQL cuts such names at 256 characters (MAX_ALIAS_NAME), and a
  // 10 MiB literal must not become a 10 MiB column definition.
  const base = { schema, table, name: name.length > MAX_COLUMN_NAME ? name.slice(0, MAX_COLUMN_NAME) : name };
  switch (type.name) {
    case 'BOOLEAN':
      return { ...base, ...numeric(MysqlType.TINY, 1) };
    case 'TINYINT':
      return { ...base, ...numeric(MysqlType.TINY, 4) };
    case 'SMALLINT':
      return { ...base, ...numeric(MysqlType.SHORT, 6) };
    case 'INT':
      return { ...base, ...numeric(MysqlType.LONG, 11) };
    case 'BIGINT':
      return { ...base, ...numeric(MysqlType.LONGLONG, 20) };
    case 'LARGEINT':
      return { ...base, ...numeric(MysqlType.NEWDECIMAL, 40) };
    case 'FLOAT':
      return { ...base, ...numeric(MysqlType.FLOAT, 12, 31) };
    case 'DOUBLE':
      return { ...base, ...numeric(MysqlType.DOUBLE, 22, 31) };
    case 'DECIMAL':
      // Length counts digits, the sign and (when scale > 0) the decimal point, as MySQL does.
      return { ...base, ...numeric(MysqlType.NEWDECIMAL, type.precision + (type.scale > 0 ? 2 : 1), type.scale) };
    case 'DATE':
      return { ...base, characterSet: BINARY_COLLATION, columnLength: 10, columnType: MysqlType.DATE, flags: ColumnFlag.BINARY, decimals: 0 };
    case 'DATETIME':
      return { ...base, characterSet: BINARY_COLLATION, columnLength: 26, columnType: MysqlType.DATETIME, flags: ColumnFlag.BINARY, decimals: 6 };
    case 'CHAR':
    case 'VARCHAR':
      return { ...base, characterSet: UTF8_GENERAL_CI, columnLength: type.length * UTF8_MAX_BYTES, columnType: MysqlType.VAR_STRING, flags: 0, decimals: 0 };
    case 'STRING':
      return { ...base, characterSet: UTF8_GENERAL_CI, columnLength: TYPE_LIMITS.stringLength * UTF8_MAX_BYTES, columnType: MysqlType.VAR_STRING, flags: 0, decimals: 0 };
  }
}
