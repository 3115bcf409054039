/**
 * Key-model merging of a tablet's rowsets (applied in version order, rows within a segment in write order):
 * DUPLICATE keeps every row; PRIMARY and UNIQUE keep the last row per key; AGGREGATE folds value columns per key
 * with SUM / MIN / MAX / REPLACE / REPLACE_IF_NOT_NULL. NULL is ignored by SUM/MIN/MAX (all-NULL stays NULL).
 * Integer SUM wraps at the column width, as StarRocks' C++ arithmetic does.
 */
import type { AggregateFunction, KeyModel } from '../catalog/model.ts';
import type { ColumnType, Value } from '../types/index.ts';
// MIN/MAX must order exactly as SELECT's MIN/MAX and ORDER BY do, so merging uses the one total order of src/types.
import { compareValues } from '../types/compare.ts';
import { formatScaled } from '../types/decimal.ts';

/** What merging a table's rows needs to know about its schema. */
export interface MergeSpec {
  /** The table's key model. */
  readonly keyModel: KeyModel;
  /** Indexes of the key columns. */
  readonly keyIndexes: readonly number[];
  /** Aggregate function per column (null for keys; non-key columns without one behave as REPLACE). */
  readonly aggregates: readonly (AggregateFunction | null)[];
  /** Column types. */
  readonly types: readonly ColumnType[];
}

type Key = Value;

function keyOf(row: readonly Value[], keys: readonly number[]): Key {
  if (keys.length === 1) return row[keys[0]!]!;
  let s = '';
  for (const k of keys) {
    const v = row[k]!;
    // Type tag + length prefix: no two different key tuples map to the same string.
    if (v === null) s += 'n|';
    else if (typeof v === 'string') s += `s${v.length}:${v}|`;
    else s += `${typeof v === 'bigint' ? 'b' : typeof v === 'number' ? (Object.is(v, -0) ? 'z' : 'd') : 'o'}${String(v)}|`;
  }
  return s;
}

const WIDTH: Partial<Record<ColumnType['name'], number>> = { TINYINT: 8, SMALLINT: 16, INT: 32 };

function decimalToBig(s: string, scale: number): bigint {
  const dot = s.indexOf('.');
  if (dot < 0) return BigInt(s) * 10n ** BigInt(scale);
  const frac = s.slice(dot + 1).padEnd(scale, '0').slice(0, scale);
  const int = s.slice(0, dot);
  const neg = int.startsWith('-');
  const mag = BigInt((neg ? int.slice(1) : int) || '0') * 10n ** BigInt(scale) + BigInt(frac || '0');
  return neg ? -mag : mag;
}

function add(a: Value, b: Value, t: ColumnType): Value {
  if (typeof a === 'bigint' && typeof b === 'bigint') return BigInt.asIntN(t.name === 'LARGEINT' ? 128 : 64, a + b);
  if (typeof a === 'number' && typeof b === 'number') {
    const w = WIDTH[t.name];
    return w === undefined ? a + b : (((a + b) << (32 - w)) >> (32 - w));
  }
  if (typeof a === 'string' && typeof b === 'string' && t.name === 'DECIMAL') {
    return formatScaled(decimalToBig(a, t.scale) + decimalToBig(b, t.scale), t.scale);
  }
  throw new TypeError(`storage: cannot SUM ${typeof a} and ${typeof b} of type ${t.name}`);
}

function combine(old: Value, next: Value, fn: AggregateFunction | null, t: ColumnType): Value {
  switch (fn) {
    case 'SUM':
      return next === null ? old : old === null ? next : add(old, next, t);
    case 'MIN':
      return next === null ? old : old === null ? next : compareValues(next, old, t) < 0 ? next : old;
    case 'MAX':
      return next === null ? old : old === null ? next : compareValues(next, old, t) > 0 ? next : old;
    case 'REPLACE_IF_NOT_NULL':
      return next === null ? old : next;
    case 'REPLACE':
    case null:
      return next;
  }
}

/**
 * Accumulates a tablet's rows in version order and yields the merged rows. DUPLICATE tables never come here: the
 * scan streams them without holding a tablet in memory.
 */
export class TabletMerger {
  readonly #spec: MergeSpec;
  readonly #rows = new Map<Key, Value[]>();

  constructor(spec: MergeSpec) {
    this.#spec = spec;
  }

  /** Fold in one decoded segment (all columns, column-major). */
  add(columns: readonly (readonly Value[])[], rowCount: number): void {
    const spec = this.#spec;
    const width = columns.length;
    for (let r = 0; r < rowCount; r++) {
      const row = new Array<Value>(width);
      for (let c = 0; c < width; c++) row[c] = columns[c]![r]!;
      const key = keyOf(row, spec.keyIndexes);
      const old = this.#rows.get(key);
      if (old === undefined || spec.keyModel !== 'AGGREGATE') {
        this.#rows.set(key, row);
        continue;
      }
      for (let c = 0; c < width; c++) {
        const fn = spec.aggregates[c] ?? null;
        if (fn === null && spec.keyIndexes.includes(c)) continue;
        old[c] = combine(old[c]!, row[c]!, fn, spec.types[c]!);
      }
    }
  }

  /** Merged rows, column-major, restricted to `projection` (column indexes). */
  result(projection: readonly number[]): { rowCount: number; columns: Value[][] } {
    const rows = [...this.#rows.values()];
    return { rowCount: rows.length, columns: projection.map((c) => rows.map((row) => row[c]!)) };
  }
}
