/**
 * How long one statement may run: StarRocks' `query_timeout` (seconds, every statement, default 300) and MySQL's
 * `max_execution_time` (milliseconds, SELECT only, 0 = no limit), whichever ends first. The deadline aborts the
 * statement's signal with the matching error; CPU-bound loops see it within a slice (src/sql/pace.ts).
 */
import { SqlError } from '../errors/index.ts';
import type { Clock } from '../util/clock.ts';
import type { SessionVariables } from './variables/index.ts';

/** StarRocks' ERR_TIMEOUT, as its FE reports a query that ran past query_timeout. */
export function queryTimeoutError(seconds: number): SqlError {
  return new SqlError(5024, '53400', `Query reached its timeout of ${seconds} seconds, please increase the 'query_timeout' session variable and retry`);
}

/** MySQL's ER_QUERY_TIMEOUT (3024) for max_execution_time. */
export function maxExecutionTimeError(): SqlError {
  return new SqlError(3024, 'HY000', 'Query execution was interrupted, maximum statement execution time exceeded');
}

/** A running statement's deadline; `stop()` when the statement ends. */
export interface Deadline {
  /** Also apply max_execution_time (known once the statement is parsed and is a SELECT). */
  limitSelect(): void;
  stop(): void;
}

/** Arm query_timeout for the statement whose controller is `abort`. */
export function startDeadline(clock: Clock, variables: SessionVariables, abort: AbortController): Deadline {
  const started = clock.now();
  const timers: AbortController[] = [];
  const arm = (ms: number, error: SqlError): void => {
    const timer = new AbortController();
    timers.push(timer);
    clock.sleep(ms, timer.signal).then(
      () => {
        if (!abort.signal.aborted) abort.abort(error);
      },
      () => undefined, // stopped: the statement ended first
    );
  };
  const seconds = Number(variables.get('query_timeout'));
  arm(seconds * 1000, queryTimeoutError(seconds));
  return {
    limitSelect: () => {
      const ms = Number(variables.get('max_execution_time'));
      if (ms > 0) arm(Math.max(0, ms - (clock.now() - started)), maxExecutionTimeError());
    },
    stop: () => {
      for (const t of timers) t.abort();
    },
  };
}
