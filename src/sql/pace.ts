/**
 * Cooperative scheduling for CPU-bound statement loops (scans, filters, aggregation, sorting, formatting).
 *
 * Every connection is served by one event loop. An `await` on an already-settled value only queues a microtask,
 * so a loop over millions of rows never lets the loop reach I/O: other clients wait, and neither KILL QUERY
 * (another connection's statement) nor the query_timeout timer can run. Loops therefore ask `shouldYield()` per
 * row or batch — cheap, it reads the clock only every few calls — and, when a slice of SLICE_MS has been used,
 * `await yieldTurn(signal)`: a macrotask turn (setImmediate) lets pending I/O and timers run, then the statement's
 * signal is checked, so a KILL or a timeout that fired meanwhile ends the statement right there.
 */
import { isSqlError, sqlError } from '../errors/index.ts';

/** Longest run of synchronous statement work between two turns of the event loop. */
export const SLICE_MS = 10;

let sliceStart = performance.now();
let calls = 0;
// Clock reads are spread over several calls when rows are cheap, and made every call once a row is slow.
let stride = 64;
let lastRead = sliceStart;

/** True when the current slice is used up: the caller should `await yieldTurn(signal)`. */
export function shouldYield(): boolean {
  if (++calls < stride) return false;
  calls = 0;
  const now = performance.now();
  const gap = now - lastRead;
  lastRead = now;
  if (gap > 1) stride = 1;
  else if (gap < 0.1 && stride < 64) stride *= 2;
  return now - sliceStart >= SLICE_MS;
}

/** Let the event loop run pending I/O and timers, then throw if the statement was interrupted meanwhile. */
export async function yieldTurn(signal?: AbortSignal): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  sliceStart = performance.now();
  lastRead = sliceStart;
  throwIfInterrupted(signal);
}

/** `if (shouldYield()) await yieldTurn(signal)` for loops that already await per item. */
export async function pace(signal?: AbortSignal): Promise<void> {
  if (shouldYield()) await yieldTurn(signal);
}

/**
 * Throw why the statement was stopped: the signal's reason when it is a SqlError (KILL QUERY's 1317, a query
 * timeout's 5024 / 3024), else MySQL's 1317 "Query execution was interrupted".
 */
export function throwIfInterrupted(signal: AbortSignal | undefined): void {
  if (signal?.aborted !== true) return;
  if (isSqlError(signal.reason)) throw signal.reason;
  throw sqlError('ER_QUERY_INTERRUPTED', 'Query execution was interrupted', { cause: signal.reason });
}

/** Sorted runs this long are sorted synchronously (a few ms each); longer inputs are merged run by run. */
const RUN = 4096;

/**
 * Array.prototype.sort semantics (stable, in place, returns the array) without holding the event loop: runs of
 * RUN items are sorted one at a time, then merged pairwise in passes, yielding between slices of work.
 */
export async function sortPaced<T>(items: T[], compare: (a: T, b: T) => number, signal?: AbortSignal): Promise<T[]> {
  if (items.length <= RUN) return items.sort(compare);
  for (let start = 0; start < items.length; start += RUN) {
    const run = items.slice(start, start + RUN).sort(compare);
    for (let i = 0; i < run.length; i++) items[start + i] = run[i] as T;
    if (shouldYield()) await yieldTurn(signal);
  }
  let from = items;
  let to = new Array<T>(items.length);
  for (let width = RUN; width < items.length; width *= 2) {
    for (let lo = 0; lo < items.length; lo += 2 * width) {
      const mid = Math.min(lo + width, items.length);
      const hi = Math.min(lo + 2 * width, items.length);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        // `<= 0` takes from the left run on ties: the merge stays stable.
        to[k++] = compare(from[i] as T, from[j] as T) <= 0 ? (from[i++] as T) : (from[j++] as T);
        if ((k & 1023) === 0 && shouldYield()) await yieldTurn(signal);
      }
      while (i < mid) to[k++] = from[i++] as T;
      while (j < hi) to[k++] = from[j++] as T;
    }
    [from, to] = [to, from];
  }
  if (from !== items) for (let i = 0; i < items.length; i++) items[i] = from[i] as T;
  return items;
}
