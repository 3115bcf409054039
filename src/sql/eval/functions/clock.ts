/**
 * UTC_TIMESTAMP(), UTC_DATE(), UTC_TIME() (the statement's clock in UTC, where NOW() and friends give local time)
 * and SLEEP(seconds).
 */
import { SqlError } from '../../../errors/index.ts';
import { formatDateParts, formatDateTimeParts, microsToParts, type DateTimeParts } from '../../../types/datetime.ts';
import type { CompiledExpr } from '../compiled.ts';
import { literal } from '../compiled.ts';
import type { EvalContext } from '../context.ts';
import { toDouble } from '../numeric.ts';
import { T } from '../types.ts';
import { arity, type FunctionImpl } from './helpers.ts';

/** The statement's clock in UTC, to the second (as NOW() is). */
function utcParts(ctx: EvalContext): DateTimeParts {
  return microsToParts(Math.floor(ctx.now() / 1000) * 1_000_000);
}

/**
 * SLEEP(n): StarRocks' BOOLEAN 1 once the statement has waited n seconds (per row it is evaluated for; MySQL's SLEEP
 * returns 0 instead, StarRocks' dialect wins). NULL returns NULL without waiting, as StarRocks'. Never folded to a
 * constant, so it is evaluated, and waited for, once per row. A negative time is an error.
 */
const sleep: FunctionImpl = (args, _call, ctx) => {
  arity('sleep', args, 1);
  const owe = ctx.sleep;
  if (owe === undefined) throw new SqlError(1235, '42000', 'SLEEP() cannot be used here: nothing can wait while this expression is evaluated');
  const arg = (args[0] as CompiledExpr).evaluate;
  return {
    evaluate: (row) => {
      const seconds = toDouble(arg(row));
      if (seconds !== null && (seconds < 0 || !Number.isFinite(seconds))) throw new SqlError(1210, 'HY000', `Incorrect arguments to sleep: ${seconds} is not a number of seconds`);
      if (seconds === null) return null;
      owe.call(ctx, seconds);
      return true;
    },
    type: T.BOOLEAN,
    nullable: true,
    constant: false,
  };
};

export const CLOCK_FUNCTIONS: Readonly<Record<string, FunctionImpl>> = {
  utc_timestamp: (args, _c, ctx) => (arity('utc_timestamp', args, 0, 1), literal(formatDateTimeParts(utcParts(ctx)), T.DATETIME)),
  utc_date: (args, _c, ctx) => (arity('utc_date', args, 0), literal(formatDateParts(utcParts(ctx)), T.DATE)),
  utc_time: (args, _c, ctx) => (arity('utc_time', args, 0, 1), literal(formatDateTimeParts(utcParts(ctx)).slice(11), { name: 'VARCHAR', length: 8 })),
  sleep,
};
