/**
 * Row loops that may run long (join build and probe, set operations) stop when the statement is killed and give
 * the event loop a turn now and then, so other sessions keep being answered. One `pass()` per row; `await` its
 * result only when it is a promise (the common case costs a counter increment).
 */
import { throwIfAborted } from './row-source.ts';

/** Rows between two checks. */
const EVERY = 1024;
/** Longest stretch of rows without giving the event loop a turn. */
const SLICE_MS = 20;

export interface RowCheckpoint {
  /** Count one row; every EVERY rows check the signal, and after SLICE_MS of work return a promise to await. */
  pass(): Promise<void> | undefined;
}

export function rowCheckpoint(signal: AbortSignal | undefined): RowCheckpoint {
  let n = 0;
  let sliceStart = performance.now();
  return {
    pass() {
      if (++n < EVERY) return undefined;
      n = 0;
      throwIfAborted(signal);
      const now = performance.now();
      if (now - sliceStart < SLICE_MS) return undefined;
      sliceStart = now;
      return new Promise<void>((resolve) => setImmediate(resolve));
    },
  };
}
