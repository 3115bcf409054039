/**
 * Row loops that may run long (join build and probe, set operations, keyed subqueries) stop when the statement is
 * killed or times out and give the event loop a turn now and then, so other sessions keep being answered. One
 * `pass()` per row; `await` its result only when it is a promise (the common case costs a counter increment).
 * The slices are the statement pacing's (src/sql/pace.ts): the signal can only fire during a turn of the event
 * loop, so it is checked right after each one.
 */
import { shouldYield, yieldTurn } from '../pace.ts';

export interface RowCheckpoint {
  /** Count one row; once the current slice of work is used up, return a promise to await (a turn, then the check). */
  pass(): Promise<void> | undefined;
}

export function rowCheckpoint(signal: AbortSignal | undefined): RowCheckpoint {
  return {
    pass: () => (shouldYield() ? yieldTurn(signal) : undefined),
  };
}
