import { INTEGER_RANGES, type ColumnType } from '../../types/column-type.ts';
import { coerceValue } from '../../types/coerce.ts';
import { makeExpr, type CompiledExpr } from './compiled.ts';

/** How a type behaves in arithmetic and comparison. */
export type TypeCategory = 'bool' | 'int' | 'decimal' | 'double' | 'string' | 'date' | 'datetime';

export function categoryOf(t: ColumnType): TypeCategory {
  switch (t.name) {
    case 'BOOLEAN':
      return 'bool';
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'LARGEINT':
      return 'int';
    case 'DECIMAL':
      return 'decimal';
    case 'FLOAT':
    case 'DOUBLE':
      return 'double';
    case 'DATE':
      return 'date';
    case 'DATETIME':
      return 'datetime';
    default:
      return 'string';
  }
}

export const T = {
  BOOLEAN: { name: 'BOOLEAN' },
  TINYINT: { name: 'TINYINT' },
  SMALLINT: { name: 'SMALLINT' },
  INT: { name: 'INT' },
  BIGINT: { name: 'BIGINT' },
  LARGEINT: { name: 'LARGEINT' },
  DOUBLE: { name: 'DOUBLE' },
  DATE: { name: 'DATE' },
  DATETIME: { name: 'DATETIME' },
  STRING: { name: 'STRING' },
  VARCHAR: { name: 'VARCHAR', length: 65533 },
} as const satisfies Record<string, ColumnType>;

const INT_ORDER = ['BOOLEAN', 'TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'LARGEINT'] as const;
const INT_DIGITS: Record<string, number> = { BOOLEAN: 1, TINYINT: 3, SMALLINT: 5, INT: 10, BIGINT: 19, LARGEINT: 38 };

/** An integer or boolean type viewed as DECIMAL(p, 0), for decimal arithmetic. */
export function asDecimal(t: ColumnType): { precision: number; scale: number } {
  if (t.name === 'DECIMAL') return { precision: t.precision, scale: t.scale };
  return { precision: INT_DIGITS[t.name] ?? 38, scale: 0 };
}

/** The smallest integer type holding n (StarRocks types integer literals this way). */
export function integerLiteralType(n: bigint): ColumnType | undefined {
  for (const name of ['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'LARGEINT'] as const) {
    const [lo, hi] = INTEGER_RANGES[name];
    if (n >= lo && n <= hi) return { name };
  }
  return undefined;
}

/** Type name for messages and function signatures, e.g. `varchar`, `decimal(10,2)`. */
export function typeLabel(t: ColumnType): string {
  return t.name === 'DECIMAL' ? `decimal(${t.precision},${t.scale})` : t.name.toLowerCase();
}

/**
 * The type that several branches share (CASE, IF, COALESCE, GREATEST, UNION-like contexts): integers widen, any
 * double wins over decimals, decimals widen to hold every integer digit and scale, DATE + DATETIME → DATETIME, and
 * anything mixed with text becomes text. NULL literals do not vote.
 */
export function commonType(exprs: readonly CompiledExpr[]): ColumnType {
  const types = exprs.filter((e) => !e.isNull).map((e) => e.type);
  if (types.length === 0) return T.BOOLEAN;
  const cats = new Set(types.map(categoryOf));
  if (cats.size === 1) {
    const [first] = types as [ColumnType, ...ColumnType[]];
    const cat = categoryOf(first);
    if (cat === 'int' || cat === 'bool') {
      let best = 0;
      for (const t of types) best = Math.max(best, INT_ORDER.indexOf(t.name as (typeof INT_ORDER)[number]));
      return { name: INT_ORDER[best] ?? 'BIGINT' } as ColumnType;
    }
    if (cat === 'string') {
      if (types.some((t) => t.name === 'STRING')) return T.STRING;
      const length = Math.max(...types.map((t) => ('length' in t ? t.length : 1)));
      return { name: 'VARCHAR', length };
    }
    if (cat === 'double') return types.every((t) => t.name === 'FLOAT') ? { name: 'FLOAT' } : T.DOUBLE;
    if (cat !== 'decimal') return first;
  }
  if ([...cats].every((c) => c === 'date' || c === 'datetime')) return T.DATETIME;
  if ([...cats].every((c) => c === 'int' || c === 'bool' || c === 'decimal')) {
    let intDigits = 0;
    let scale = 0;
    for (const t of types) {
      const d = asDecimal(t);
      intDigits = Math.max(intDigits, d.precision - d.scale);
      scale = Math.max(scale, d.scale);
    }
    return { name: 'DECIMAL', precision: Math.min(38, intDigits + scale), scale };
  }
  if ([...cats].every((c) => c === 'int' || c === 'bool' || c === 'decimal' || c === 'double')) return T.DOUBLE;
  return T.VARCHAR;
}

function sameType(a: ColumnType, b: ColumnType): boolean {
  if (a.name !== b.name) return false;
  if (a.name === 'DECIMAL' && b.name === 'DECIMAL') return a.scale === b.scale && a.precision === b.precision;
  return true;
}

/** Wrap an expression so it yields values of `type` (CAST semantics: a value that does not convert is NULL). */
export function castTo(e: CompiledExpr, type: ColumnType): CompiledExpr {
  if (sameType(e.type, type) || e.isNull) return e.isNull ? { ...e, type } : e;
  const cat = categoryOf(type);
  // Widening between text types or into a wider text type needs no conversion of the value.
  if (cat === 'string' && categoryOf(e.type) === 'string') return { ...e, type };
  const inner = e.evaluate;
  return makeExpr((row) => coerceValue(inner(row), type, { mode: 'cast' }), type, [e]);
}
