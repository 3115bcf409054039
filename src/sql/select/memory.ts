/**
 * The memory a query holds in hash tables and buffers (join build sides, set-operation and DISTINCT state,
 * subquery results), counted against StarRocks' per-query limit so a big input fails with a clear error instead of
 * exhausting the Node.js heap.
 *
 * Sizes are estimates of V8's real cost (measured in bench/, not exact): a row array's header and slots, each
 * string's header and characters, a boxed bigint, plus each hash entry's share of its table.
 */
import { getHeapStatistics } from 'node:v8';
import { sqlError } from '../../errors/index.ts';
import type { Row, Value } from '../../types/value.ts';
import type { EvalContext } from '../eval/context.ts';

/** Per-query accounting; `reserve` throws StarRocks' "exceed limit" error once the total would pass the limit. */
export interface MemoryTracker {
  /** Bytes currently reserved. */
  readonly used: number;
  /** The limit in bytes the query runs under. */
  readonly limit: number;
  /** Count `bytes` more for `what` (a short operator description used in the error). */
  reserve(bytes: number, what: string): void;
  /** Give `bytes` back (an operator finished or was abandoned). */
  release(bytes: number): void;
}

/** Fraction of the V8 heap one query may hold at most, whatever the session asks: the process must stay up. */
const HEAP_SHARE = 0.5;

const trackers = new WeakMap<EvalContext, MemoryTracker>();

/**
 * The tracker of the statement `ctx` belongs to (one EvalContext per statement, shared by its subqueries and
 * views), created on first use from the session's `query_mem_limit` (0 = use `exec_mem_limit`, StarRocks' older
 * name, default 2 GiB), capped at half of the heap.
 */
export function memoryTracker(ctx: EvalContext): MemoryTracker {
  let tracker = trackers.get(ctx);
  if (tracker === undefined) {
    tracker = createMemoryTracker(configuredLimit(ctx), getHeapStatistics().heap_size_limit * HEAP_SHARE);
    trackers.set(ctx, tracker);
  }
  return tracker;
}

function variable(ctx: EvalContext, name: string): number {
  try {
    const v = ctx.systemVariable(name, 'DEFAULT');
    const n = typeof v === 'bigint' || typeof v === 'number' ? Number(v) : Number.NaN;
    return Number.isFinite(n) && n > 0 ? n : 0;
  } catch {
    return 0;
  }
}

function configuredLimit(ctx: EvalContext): number {
  return variable(ctx, 'query_mem_limit') || variable(ctx, 'exec_mem_limit') || Infinity;
}

/** A tracker with an explicit limit; `heapCap` bounds it (and is named in the error when it is what binds). */
export function createMemoryTracker(limit: number, heapCap = Infinity): MemoryTracker {
  const effective = Math.min(limit, heapCap);
  let used = 0;
  return {
    get used() {
      return used;
    },
    limit: effective,
    reserve(bytes, what) {
      if (used + bytes > effective) {
        const capped =
          effective < limit
            ? ` The limit is capped at half of the Node.js heap (${Math.floor(effective)} bytes): start tablevault with NODE_OPTIONS=--max-old-space-size=<MiB> to raise it.`
            : '';
        throw sqlError(
          'ER_STARROCKS_ANALYSIS',
          `Memory of query exceed limit. ${what} Used: ${Math.ceil(used + bytes)}, Limit: ${Math.floor(effective)}. ` +
            `Mem usage has exceed the limit of single query, You can change the limit by set session variable query_mem_limit.${capped}`,
        );
      }
      used += bytes;
    },
    release(bytes) {
      used = Math.max(0, used - bytes);
    },
  };
}

/** Estimated heap bytes of one value held in a row. */
export function valueBytes(v: Value): number {
  switch (typeof v) {
    case 'string':
      return 24 + v.length * 2;
    case 'bigint':
      return 24;
    case 'number':
      return 16;
    default:
      return 0;
  }
}

/** Estimated heap bytes of a row kept in memory (array header, slots, values). */
export function rowBytes(row: Row): number {
  let n = 48 + 8 * row.length;
  for (const v of row) n += valueBytes(v);
  return n;
}

/** Estimated bytes of one hash-table entry beyond its key and value objects. */
export const HASH_ENTRY_BYTES = 96;

/** Estimated bytes of a hash key (a string key, or a primitive). */
export function keyBytes(key: unknown): number {
  // (Numbers are small integers or heap numbers; symbols and others are shared.)
  return typeof key === 'string' ? 24 + key.length * 2 : 16;
}

/**
 * Reservations of one operator run, released together when the run ends (normally, by error, or when the consumer
 * stops early), so a query's total only counts live state.
 */
export class Reservation {
  readonly #tracker: MemoryTracker;
  readonly #what: string;
  #held = 0;

  constructor(tracker: MemoryTracker, what: string) {
    this.#tracker = tracker;
    this.#what = what;
  }

  /** Count `bytes` more. */
  add(bytes: number): void {
    this.#tracker.reserve(bytes, this.#what);
    this.#held += bytes;
  }

  /** Give everything back. */
  release(): void {
    this.#tracker.release(this.#held);
    this.#held = 0;
  }
}
