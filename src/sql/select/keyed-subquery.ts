/**
 * Decorrelated subqueries at run time (decorrelate.ts plans them): the keyed query's rows hashed once per statement,
 * then one lookup per enclosing row.
 */
import { sqlError } from '../../errors/index.ts';
import type { ColumnType } from '../../types/column-type.ts';
import type { Row, Value } from '../../types/value.ts';
import { compileExpr, type CompileEnv, type SubqueryNode } from '../eval/compile.ts';
import type { CompiledExpr } from '../eval/compiled.ts';
import { compositeKey, equalityKeyFor, type EqualityKey } from '../eval/equality-key.ts';
import { exprToSql } from '../eval/expr-to-sql.ts';
import { rowCheckpoint } from './checkpoint.ts';
import type { KeyedPlan } from './decorrelate.ts';
import { EMPTY_SET, inResult, type InSet } from './in-set.ts';
import { HASH_ENTRY_BYTES, keyBytes, Reservation, valueBytes, type MemoryTracker } from './memory.ts';

/** A keyed plan, and once compiled, the enclosing side's key expressions and the key functions of each pair. */
export type KeyedState = KeyedPlan & { outer?: readonly CompiledExpr[]; keys?: readonly EqualityKey[] };

/** Prepared rows by key: EXISTS keeps the keys, IN a value set per key, a scalar subquery its value. */
export type Keyed = Set<string | number> | Map<string | number, InSet | Value | typeof TWO_ROWS>;

/** Marks a key with two rows for a scalar subquery (1242 when read). */
const TWO_ROWS: unique symbol = Symbol('two rows');

/** A decorrelated subquery's value for the enclosing row: its key looked up in the prepared table (`read`). */
export function keyedLookup(
  node: SubqueryNode,
  k: KeyedState,
  env: CompileEnv,
  result: { readonly type: ColumnType; readonly nullable: boolean; readonly probe?: CompiledExpr; readonly valueKey?: EqualityKey },
  read: () => Keyed | undefined,
): CompiledExpr {
  const offset = k.hasValue ? 1 : 0;
  if (k.outer === undefined) {
    const outer = k.outerKeys.map((e) => compileExpr(e, env));
    k.outer = outer;
    k.keys = outer.map((o, i) => equalityKeyFor((k.source.columns[offset + i] as { type: CompiledExpr['type'] }).type, o.type));
  }
  const evs = k.outer.map((o) => o.evaluate);
  const keys = k.keys as readonly EqualityKey[];
  const keyOf = (row: Row): string | number | undefined => compositeKey(evs.map((ev, i) => {
    const v = ev(row);
    return v === null ? undefined : (keys[i] as EqualityKey)(v);
  }));
  const probe = result.probe?.evaluate;
  const valueKey = result.valueKey;
  const empty = k.aggregate ? k.aggregate.empty : null;
  return {
    evaluate: (row) => {
      const table = read();
      if (table === undefined) return null;
      const key = keyOf(row);
      if (node.kind === 'Exists') return key !== undefined && (table as Set<string | number>).has(key);
      const hit = key === undefined ? undefined : (table as Map<string | number, InSet | Value | typeof TWO_ROWS>).get(key);
      if (node.kind === 'InSubquery') return inResult((probe as (r: Row) => Value)(row), (hit as InSet | undefined) ?? EMPTY_SET, valueKey as EqualityKey, node.not);
      if (hit === TWO_ROWS) throw sqlError('ER_SUBQUERY_NO_1_ROW', 'Subquery returns more than 1 row');
      return hit === undefined ? empty : (hit as Value);
    },
    type: result.type,
    nullable: result.nullable,
    constant: false,
  };
}

/** A decorrelated subquery's rows, hashed by key (keys with a NULL or no comparable form can match nothing). */
export async function prepareKeyed(node: SubqueryNode, k: KeyedState, valueKey: EqualityKey | undefined, tracker: MemoryTracker, signal: AbortSignal | undefined): Promise<Keyed> {
  const keys = k.keys as readonly EqualityKey[];
  const offset = k.hasValue ? 1 : 0;
  const reservation = new Reservation(tracker, `Subquery hash table of '${exprToSql(node)}'.`);
  const check = rowCheckpoint(signal);
  const set = new Set<string | number>();
  const map = new Map<string | number, InSet | Value | typeof TWO_ROWS>();
  for await (const batch of k.source.scan(signal ? { signal } : {})) {
    for (const row of batch) {
      const wait = check.pass();
      if (wait) await wait;
      const key = compositeKey(keys.map((f, i) => {
        const v = row[offset + i] ?? null;
        return v === null ? undefined : f(v);
      }));
      if (key === undefined) continue;
      if (node.kind === 'Exists') {
        if (!set.has(key)) {
          set.add(key);
          reservation.add(HASH_ENTRY_BYTES + keyBytes(key));
        }
        continue;
      }
      const value = row[0] ?? null;
      const known = map.get(key);
      if (node.kind === 'InSubquery') {
        let entry = known as { keys: Set<string | number>; unknown: boolean; size: number } | undefined;
        if (entry === undefined) {
          entry = { keys: new Set(), unknown: false, size: 0 };
          map.set(key, entry);
          reservation.add(2 * HASH_ENTRY_BYTES + keyBytes(key));
        }
        entry.size++;
        const vk = value === null ? undefined : (valueKey as EqualityKey)(value);
        if (vk === undefined) entry.unknown = true;
        else if (!entry.keys.has(vk)) {
          entry.keys.add(vk);
          reservation.add(HASH_ENTRY_BYTES + keyBytes(vk));
        }
        continue;
      }
      if (known === undefined) {
        map.set(key, value);
        reservation.add(HASH_ENTRY_BYTES + keyBytes(key) + valueBytes(value));
      } else map.set(key, TWO_ROWS);
    }
  }
  return node.kind === 'Exists' ? set : map;
}
