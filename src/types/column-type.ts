import type { DataTypeName, DataTypeNode } from '../../grammar/ast.ts';

/**
 * A resolved column type: every parameter filled in with StarRocks' defaults. This is what the catalog stores,
 * what storage encodes by, and what the executor coerces values to.
 */
export type ColumnType =
  | { readonly name: 'BOOLEAN' | 'TINYINT' | 'SMALLINT' | 'INT' | 'BIGINT' | 'LARGEINT' | 'FLOAT' | 'DOUBLE' | 'STRING' | 'DATE' | 'DATETIME' }
  | {
      readonly name: 'CHAR' | 'VARCHAR';
      readonly length: number;
      /**
       * Compared case-insensitively (MySQL's `_general_ci`): only information_schema's text columns, where MySQL
       * clients rely on it (`IF(IS_NULLABLE = 'yes', 1, 0)`). Table columns compare by code point, as in StarRocks.
       */
      readonly caseInsensitive?: boolean;
    }
  | { readonly name: 'DECIMAL'; readonly precision: number; readonly scale: number };

/** StarRocks' limits and defaults for parameterised types. */
export const TYPE_LIMITS = {
  charMaxLength: 255,
  varcharMaxLength: 1_048_576,
  varcharDefaultLength: 1,
  charDefaultLength: 1,
  /** STRING is VARCHAR(65533) in StarRocks. */
  stringLength: 65_533,
  decimalMaxPrecision: 38,
  decimalDefaultPrecision: 10,
  decimalDefaultScale: 0,
} as const;

/** Integer types and their inclusive ranges. LARGEINT is 128-bit. */
export const INTEGER_RANGES: Readonly<Record<'TINYINT' | 'SMALLINT' | 'INT' | 'BIGINT' | 'LARGEINT', readonly [bigint, bigint]>> = {
  TINYINT: [-128n, 127n],
  SMALLINT: [-32768n, 32767n],
  INT: [-2147483648n, 2147483647n],
  BIGINT: [-9223372036854775808n, 9223372036854775807n],
  LARGEINT: [-(2n ** 127n), 2n ** 127n - 1n],
};

export function isIntegerType(t: ColumnType): t is { readonly name: 'TINYINT' | 'SMALLINT' | 'INT' | 'BIGINT' | 'LARGEINT' } {
  return t.name === 'TINYINT' || t.name === 'SMALLINT' || t.name === 'INT' || t.name === 'BIGINT' || t.name === 'LARGEINT';
}

/** Integer types whose values are JS bigints rather than numbers. */
export function isBigIntType(t: ColumnType): boolean {
  return t.name === 'BIGINT' || t.name === 'LARGEINT';
}

export function isStringType(t: ColumnType): boolean {
  return t.name === 'CHAR' || t.name === 'VARCHAR' || t.name === 'STRING';
}

export function isNumericType(t: ColumnType): boolean {
  return isIntegerType(t) || t.name === 'FLOAT' || t.name === 'DOUBLE' || t.name === 'DECIMAL' || t.name === 'BOOLEAN';
}

/**
 * Resolve a written type to a full ColumnType. Returns a message (not a type) when parameters are out of range, so
 * the caller can raise it with the context it has (column name, statement).
 */
export function resolveDataType(node: DataTypeNode): ColumnType | { readonly error: string } {
  switch (node.name) {
    case 'CHAR': {
      const length = node.length ?? TYPE_LIMITS.charDefaultLength;
      if (length < 1 || length > TYPE_LIMITS.charMaxLength) return { error: `Char size must be between 1 and ${TYPE_LIMITS.charMaxLength}, but got ${length}` };
      return { name: 'CHAR', length };
    }
    case 'VARCHAR': {
      const length = node.length ?? TYPE_LIMITS.varcharDefaultLength;
      if (length < 1 || length > TYPE_LIMITS.varcharMaxLength) return { error: `Varchar size must be between 1 and ${TYPE_LIMITS.varcharMaxLength}, but got ${length}` };
      return { name: 'VARCHAR', length };
    }
    case 'DECIMAL': {
      const precision = node.precision ?? TYPE_LIMITS.decimalDefaultPrecision;
      const scale = node.scale ?? TYPE_LIMITS.decimalDefaultScale;
      if (precision < 1 || precision > TYPE_LIMITS.decimalMaxPrecision) return { error: `DECIMAL's precision should range from 1 to ${TYPE_LIMITS.decimalMaxPrecision}, but got ${precision}` };
      if (scale < 0 || scale > precision) return { error: `DECIMAL's scale should range from 0 to precision ${precision}, but got ${scale}` };
      return { name: 'DECIMAL', precision, scale };
    }
    default:
      return { name: node.name satisfies Exclude<DataTypeName, 'CHAR' | 'VARCHAR' | 'DECIMAL'> };
  }
}

/** How SHOW CREATE TABLE and DESC spell a type (StarRocks' lower-case forms, e.g. `int(11)`, `varchar(32)`). */
export function formatColumnType(t: ColumnType): string {
  switch (t.name) {
    case 'BOOLEAN':
      return 'boolean';
    case 'TINYINT':
      return 'tinyint(4)';
    case 'SMALLINT':
      return 'smallint(6)';
    case 'INT':
      return 'int(11)';
    case 'BIGINT':
      return 'bigint(20)';
    case 'LARGEINT':
      return 'largeint(40)';
    case 'FLOAT':
      return 'float';
    case 'DOUBLE':
      return 'double';
    case 'DECIMAL':
      return `decimal(${t.precision}, ${t.scale})`;
    case 'CHAR':
      return `char(${t.length})`;
    case 'VARCHAR':
      return `varchar(${t.length})`;
    case 'STRING':
      return `varchar(${TYPE_LIMITS.stringLength})`;
    case 'DATE':
      return 'date';
    case 'DATETIME':
      return 'datetime';
  }
}

/** Stable, comparable identity of a type (used in schema comparisons on restore). */
export function columnTypeKey(t: ColumnType): string {
  return formatColumnType(t);
}
