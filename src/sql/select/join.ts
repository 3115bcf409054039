/**
 * The join operator. One side is built into memory (a hash table on the equality keys, or a plain list when there
 * are none: nested loop), the other side streams past it. RIGHT joins (and RIGHT SEMI/ANTI) build the left side and
 * stream the right one, every other kind builds the right side, so the preserved side of an outer join always
 * streams and FULL joins finish with the build rows nothing matched. Output rows are `[left…, right…, merged…]`
 * (semi and anti joins: the kept side's row).
 *
 * The build side is counted against the query's memory limit; both loops check for KILL and yield to the event
 * loop (rowCheckpoint).
 */
import type { JoinType } from '../../../grammar/ast.ts';
import { coerceValue } from '../../types/coerce.ts';
import type { ColumnType } from '../../types/column-type.ts';
import type { Row, Value } from '../../types/value.ts';
import type { CompiledExpr } from '../eval/compiled.ts';
import type { EqualityKey } from '../eval/equality-key.ts';
import { toBool } from '../eval/numeric.ts';
import { rowCheckpoint } from './checkpoint.ts';
import { HASH_ENTRY_BYTES, keyBytes, Reservation, rowBytes, type MemoryTracker } from './memory.ts';
import type { RowSource, SourceColumn } from './row-source.ts';

/** One equality of the join condition: `left = right` (or `<=>` when nullSafe), each side over its own rows. */
export interface JoinKey {
  readonly left: CompiledExpr;
  readonly right: CompiledExpr;
  /** Canonical hash key of a non-null value, consistent with `=` between the two types. */
  readonly key: EqualityKey;
  /** `<=>`: NULL matches NULL. */
  readonly nullSafe: boolean;
}

/** A USING column shown once: which of the two values it takes. Indexes are into `[left…, right…]`. */
export interface MergedColumn {
  readonly left: number;
  readonly right: number;
  readonly pick: 'left' | 'right' | 'coalesce';
  readonly type: ColumnType;
}

export interface JoinSpec {
  readonly type: JoinType;
  readonly left: RowSource;
  readonly right: RowSource;
  readonly leftWidth: number;
  readonly rightWidth: number;
  readonly keys: readonly JoinKey[];
  /** ON conjuncts that read only the left row. */
  readonly leftFilter?: CompiledExpr;
  /** ON conjuncts that read only the right row. */
  readonly rightFilter?: CompiledExpr;
  /** The rest of ON, over `[left…, right…]`, checked for each pair the keys matched. */
  readonly residual?: CompiledExpr;
  readonly merged: readonly MergedColumn[];
  /** The output columns (what the scope above sees). */
  readonly columns: readonly SourceColumn[];
  readonly memory: MemoryTracker;
}

const OUT_BATCH = 1024;
/** The hash key of SQL NULL under `<=>` (never produced by an EqualityKey). */
const NULL_KEY: unique symbol = Symbol('NULL');
type HashKey = string | number | typeof NULL_KEY;

/** Build the combined key of a row, or undefined when it cannot match anything (a NULL under `=`, or no key form). */
function keyReader(exprs: readonly CompiledExpr[], keys: readonly JoinKey[]): (row: Row) => HashKey | undefined {
  if (exprs.length === 1) {
    const ev = (exprs[0] as CompiledExpr).evaluate;
    const k = keys[0] as JoinKey;
    return (row) => {
      const v = ev(row);
      if (v === null) return k.nullSafe ? NULL_KEY : undefined;
      return k.key(v);
    };
  }
  const evs = exprs.map((e) => e.evaluate);
  return (row) => {
    let out = '';
    for (let i = 0; i < evs.length; i++) {
      const v = (evs[i] as (r: Row) => Value)(row);
      const k = keys[i] as JoinKey;
      if (v === null) {
        if (!k.nullSafe) return undefined;
        out += 'N';
        continue;
      }
      const part = k.key(v);
      if (part === undefined) return undefined;
      // Length-prefixed, so no two different key tuples concatenate to the same text.
      const text = String(part);
      out += `V${text.length}:${text}`;
    }
    return out;
  };
}

export function joinRowSource(spec: JoinSpec): RowSource {
  const buildLeft = spec.type === 'RIGHT' || spec.type === 'RIGHT SEMI' || spec.type === 'RIGHT ANTI';
  const semi = spec.type.endsWith('SEMI');
  const anti = spec.type.endsWith('ANTI');
  /** The streamed side's rows without a match are output null-extended. */
  const probeOuter = spec.type === 'LEFT' || spec.type === 'RIGHT' || spec.type === 'FULL';
  /** The built side's rows without a match are output too (FULL). */
  const buildOuter = spec.type === 'FULL';
  const build = buildLeft ? spec.left : spec.right;
  const probe = buildLeft ? spec.right : spec.left;
  const buildFilter = (buildLeft ? spec.leftFilter : spec.rightFilter)?.evaluate;
  const probeFilter = (buildLeft ? spec.rightFilter : spec.leftFilter)?.evaluate;
  const buildKey = spec.keys.length === 0 ? undefined : keyReader(spec.keys.map((k) => (buildLeft ? k.left : k.right)), spec.keys);
  const probeKey = spec.keys.length === 0 ? undefined : keyReader(spec.keys.map((k) => (buildLeft ? k.right : k.left)), spec.keys);
  const residual = spec.residual?.evaluate;
  const nullLeft: Row = new Array<Value>(spec.leftWidth).fill(null);
  const nullRight: Row = new Array<Value>(spec.rightWidth).fill(null);
  const merged = spec.merged;
  const what = `${spec.type} JOIN ${spec.keys.length > 0 ? 'hash table' : 'nested-loop'} build side (${buildLeft ? 'left' : 'right'} input).`;

  /** `[left…, right…]` plus the merged USING values. */
  const combine = (l: Row, r: Row): Row => {
    const row = l.concat(r);
    for (const m of merged) {
      const a = row[m.left] ?? null;
      const b = row[m.right] ?? null;
      // Only COALESCE mixes two types; a picked side already has the merged column's type.
      row.push(m.pick === 'left' ? a : m.pick === 'right' ? b : a === null && b === null ? null : coerceValue(a ?? b, m.type, { mode: 'cast' }));
    }
    return row;
  };

  return {
    columns: spec.columns,
    async *scan(options) {
      const signal = options.signal;
      const check = rowCheckpoint(signal);
      const reservation = new Reservation(spec.memory, what);
      try {
        // Build. Rows that can never match stay only when they must be output unmatched (FULL).
        const rows: Row[] = [];
        // A key's build rows: one row index, or an array of them once the key repeats (most keys are unique).
        const table = new Map<HashKey, number | number[]>();
        const all: number[] = [];
        for await (const batch of build.scan(signal ? { signal } : {})) {
          for (const row of batch) {
            const wait = check.pass();
            if (wait) await wait;
            const passes = buildFilter === undefined || toBool(buildFilter(row)) === true;
            const key = passes && buildKey ? buildKey(row) : undefined;
            const matchable = passes && (buildKey === undefined || key !== undefined);
            if (!matchable && !buildOuter) continue;
            const index = rows.length;
            rows.push(row);
            let bytes = rowBytes(row) + 8;
            if (matchable) {
              if (key === undefined) all.push(index);
              else {
                const bucket = table.get(key);
                if (bucket === undefined) {
                  table.set(key, index);
                  bytes += HASH_ENTRY_BYTES + keyBytes(key);
                } else if (typeof bucket === 'number') {
                  table.set(key, [bucket, index]);
                  bytes += 48;
                } else bucket.push(index);
              }
            }
            reservation.add(bytes);
          }
        }
        const matched = buildOuter ? new Uint8Array(rows.length) : undefined;
        const single = [0];

        // Probe.
        let out: Row[] = [];
        for await (const batch of probe.scan(signal ? { signal } : {})) {
          for (const row of batch) {
            const wait = check.pass();
            if (wait) await wait;
            let candidates: readonly number[] | number | undefined;
            if (probeFilter === undefined || toBool(probeFilter(row)) === true) {
              if (probeKey === undefined) candidates = all;
              else {
                const key = probeKey(row);
                candidates = key === undefined ? undefined : table.get(key);
              }
            }
            if (typeof candidates === 'number') {
              single[0] = candidates;
              candidates = single;
            }
            let found = false;
            if (candidates !== undefined) {
              for (const index of candidates) {
                // Candidates count as work too: a nested loop can spend long on one probe row.
                const waitPair = check.pass();
                if (waitPair) await waitPair;
                const other = rows[index] as Row;
                const pair = buildLeft ? combine(other, row) : combine(row, other);
                if (residual !== undefined && toBool(residual(pair)) !== true) continue;
                found = true;
                if (semi || anti) break;
                if (matched) matched[index] = 1;
                out.push(pair);
                if (out.length >= OUT_BATCH) {
                  yield out;
                  out = [];
                }
              }
            }
            if (semi ? found : anti ? !found : !found && probeOuter) {
              out.push(semi || anti ? row : buildLeft ? combine(nullLeft, row) : combine(row, nullRight));
              if (out.length >= OUT_BATCH) {
                yield out;
                out = [];
              }
            }
          }
        }
        if (matched) {
          for (let index = 0; index < rows.length; index++) {
            if (matched[index] === 1) continue;
            const wait = check.pass();
            if (wait) await wait;
            out.push(buildLeft ? combine(rows[index] as Row, nullRight) : combine(nullLeft, rows[index] as Row));
            if (out.length >= OUT_BATCH) {
              yield out;
              out = [];
            }
          }
        }
        if (out.length > 0) yield out;
      } finally {
        reservation.release();
      }
    },
  };
}
