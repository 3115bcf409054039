/**
 * How a tablevault column type is described to MySQL clients in information_schema.COLUMNS and SHOW COLUMNS: MySQL's
 * DATA_TYPE / COLUMN_TYPE spellings (`int(11)`, `decimal(10,2)`, `varchar(20)`) and numeric / character facets.
 *
 * Where StarRocks' own spelling is not a MySQL type, MySQL's nearest exact type is reported:
 * - BOOLEAN is `tinyint(1)` (MySQL's BOOLEAN);
 * - LARGEINT (128-bit) is `decimal(39,0)`: every LARGEINT value fits, and it matches what the wire sends
 *   (NEWDECIMAL). StarRocks reports `bigint(20) unsigned`, which cannot hold negative values or values of 2^64 and
 *   up, so a client that trusted it would mis-handle them;
 * - STRING is `varchar(65533)`, as StarRocks stores it.
 */
import type { ColumnType } from '../../../types/column-type.ts';
import { TYPE_LIMITS } from '../../../types/column-type.ts';

export interface MysqlColumnType {
  /** DATA_TYPE: `int`, `decimal`, `varchar`, … */
  readonly dataType: string;
  /** COLUMN_TYPE: `int(11)`, `decimal(10,2)`, `varchar(20)`, … */
  readonly columnType: string;
  readonly characterMaximumLength: bigint | null;
  readonly characterOctetLength: bigint | null;
  readonly numericPrecision: bigint | null;
  readonly numericScale: bigint | null;
  readonly datetimePrecision: bigint | null;
  readonly characterSet: string | null;
  readonly collation: string | null;
}

/** Bytes per character of the utf8 (utf8mb3) the server reports for text. */
const UTF8_MAX_BYTES = 3n;

export function mysqlColumnType(t: ColumnType): MysqlColumnType {
  const none = { characterMaximumLength: null, characterOctetLength: null, numericPrecision: null, numericScale: null, datetimePrecision: null, characterSet: null, collation: null };
  const integer = (dataType: string, width: number, digits: number): MysqlColumnType => ({
    ...none, dataType, columnType: `${dataType}(${width})`, numericPrecision: BigInt(digits), numericScale: 0n,
  });
  const text = (dataType: string, length: number): MysqlColumnType => ({
    ...none, dataType, columnType: `${dataType}(${length})`, characterMaximumLength: BigInt(length), characterOctetLength: BigInt(length) * UTF8_MAX_BYTES,
    characterSet: 'utf8', collation: 'utf8_general_ci',
  });
  switch (t.name) {
    case 'BOOLEAN':
      return integer('tinyint', 1, 3);
    case 'TINYINT':
      return integer('tinyint', 4, 3);
    case 'SMALLINT':
      return integer('smallint', 6, 5);
    case 'INT':
      return integer('int', 11, 10);
    case 'BIGINT':
      return integer('bigint', 20, 19);
    case 'LARGEINT':
      return { ...none, dataType: 'decimal', columnType: 'decimal(39,0)', numericPrecision: 39n, numericScale: 0n };
    case 'FLOAT':
      return { ...none, dataType: 'float', columnType: 'float', numericPrecision: 12n };
    case 'DOUBLE':
      return { ...none, dataType: 'double', columnType: 'double', numericPrecision: 22n };
    case 'DECIMAL':
      return { ...none, dataType: 'decimal', columnType: `decimal(${t.precision},${t.scale})`, numericPrecision: BigInt(t.precision), numericScale: BigInt(t.scale) };
    case 'CHAR':
      return text('char', t.length);
    case 'VARCHAR':
      return text('varchar', t.length);
    case 'STRING':
      return text('varchar', TYPE_LIMITS.stringLength);
    case 'DATE':
      return { ...none, dataType: 'date', columnType: 'date' };
    case 'DATETIME':
      return { ...none, dataType: 'datetime', columnType: 'datetime', datetimePrecision: 0n };
  }
}

/** COLUMN_DEFAULT: the default as text, unquoted (MySQL 8); NULL when the column has none or defaults to NULL. */
export function columnDefault(stored: string | null): string | null {
  if (stored === null || stored === 'NULL') return null;
  return stored;
}
