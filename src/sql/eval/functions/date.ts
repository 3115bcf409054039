import type { IntervalExpr } from '../../../../grammar/ast.ts';
import type { ColumnType } from '../../../types/column-type.ts';
import {
  addMonths,
  daysFromCivil,
  daysInMonth,
  formatDateParts,
  formatDateTimeParts,
  inDateRange,
  localPartsFromMillis,
  microsToParts,
  millisFromLocalParts,
  parseDateTimeText,
  partsToMicros,
  type DateTimeParts,
} from '../../../types/datetime.ts';
import type { Value } from '../../../types/value.ts';
import { literal, makeExpr, type CompiledExpr } from '../compiled.ts';
import type { EvalContext } from '../context.ts';
import { toBigInt, toDouble } from '../numeric.ts';
import { T, categoryOf } from '../types.ts';
import { arity, noMatchingFunction, strict, text, type FunctionImpl } from './helpers.ts';
import { formatDate, parseWithFormat } from './date-format.ts';

/**
 * Date functions over canonical DATE/DATETIME text. Text arguments are parsed (an invalid date gives NULL, as in
 * StarRocks); now() and friends read the statement's clock once through EvalContext.
 */

export type IntervalUnit = IntervalExpr['unit'];

/** Parts of any date-like value, or null when it is not a valid date/time. */
export function toParts(v: Value): DateTimeParts | null {
  if (v === null || typeof v === 'boolean') return null;
  return parseDateTimeText(typeof v === 'string' ? v : String(v)) ?? null;
}

const UNIT_MICROS: Partial<Record<IntervalUnit, number>> = {
  WEEK: 7 * 86_400_000_000,
  DAY: 86_400_000_000,
  HOUR: 3_600_000_000,
  MINUTE: 60_000_000,
  SECOND: 1_000_000,
  MILLISECOND: 1000,
  MICROSECOND: 1,
};

/** Add `n` units to a moment; null when the result leaves 0000‥9999. */
export function addInterval(p: DateTimeParts, n: number, unit: IntervalUnit): DateTimeParts | null {
  let out: DateTimeParts;
  if (unit === 'YEAR') out = addMonths(p, n * 12);
  else if (unit === 'QUARTER') out = addMonths(p, n * 3);
  else if (unit === 'MONTH') out = addMonths(p, n);
  else out = microsToParts(partsToMicros(p) + n * (UNIT_MICROS[unit] ?? 0));
  return inDateRange(out) ? out : null;
}

const DATE_UNITS: ReadonlySet<IntervalUnit> = new Set(['YEAR', 'QUARTER', 'MONTH', 'WEEK', 'DAY']);

/**
 * `d ± INTERVAL n unit` / date_add family. A DATE input with a day-or-larger unit stays DATE; everything else
 * (DATETIME or text input, time units) yields DATETIME, like StarRocks.
 */
export function compileDateAdd(d: CompiledExpr, amount: CompiledExpr, unit: IntervalUnit, sign: 1 | -1): CompiledExpr {
  const asDate = categoryOf(d.type) === 'date' && DATE_UNITS.has(unit);
  const type: ColumnType = asDate ? T.DATE : T.DATETIME;
  return strict(
    [d, amount],
    type,
    ([v, n]) => {
      const p = toParts(v ?? null);
      const k = toDouble(n ?? null);
      if (!p || k === null) return null;
      const r = addInterval(p, sign * Math.trunc(k), unit);
      return r === null ? null : asDate ? formatDateParts(r) : formatDateTimeParts(r);
    },
    true,
  );
}

function part(name: string, type: ColumnType, fn: (p: DateTimeParts) => Value): FunctionImpl {
  return (args) => (arity(name, args, 1), strict(args, type, ([v]) => {
    const p = toParts(v ?? null);
    return p ? fn(p) : null;
  }, true));
}

function dayNumber(p: DateTimeParts): number {
  return daysFromCivil(p.year, p.month, p.day);
}

/** 1 = Sunday … 7 = Saturday (MySQL DAYOFWEEK). 1970-01-01 was a Thursday. */
export function dayOfWeek(p: DateTimeParts): number {
  return ((((dayNumber(p) + 4) % 7) + 7) % 7) + 1;
}

export function dayOfYear(p: DateTimeParts): number {
  return dayNumber(p) - daysFromCivil(p.year, 1, 1) + 1;
}

function nowParts(ctx: EvalContext): DateTimeParts {
  return localPartsFromMillis(ctx.now());
}

function addFn(name: string, sign: 1 | -1, unit?: IntervalUnit): FunctionImpl {
  return (args) => {
    arity(name, args, 2);
    return compileDateAdd(args[0] as CompiledExpr, args[1] as CompiledExpr, unit ?? 'DAY', sign);
  };
}

const TRUNC_UNITS = ['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second'] as const;

function truncate(p: DateTimeParts, unit: (typeof TRUNC_UNITS)[number]): DateTimeParts {
  const zero = { hour: 0, minute: 0, second: 0, micro: 0 };
  switch (unit) {
    case 'year':
      return { ...p, ...zero, month: 1, day: 1 };
    case 'quarter':
      return { ...p, ...zero, month: Math.floor((p.month - 1) / 3) * 3 + 1, day: 1 };
    case 'month':
      return { ...p, ...zero, day: 1 };
    case 'week':
      return microsToParts(partsToMicros({ ...p, ...zero }) - ((dayOfWeek(p) + 5) % 7) * 86_400_000_000);
    case 'day':
      return { ...p, ...zero };
    case 'hour':
      return { ...p, minute: 0, second: 0, micro: 0 };
    case 'minute':
      return { ...p, second: 0, micro: 0 };
    case 'second':
      return { ...p, micro: 0 };
  }
}

export const DATE_FUNCTIONS: Readonly<Record<string, FunctionImpl>> = {
  now: (args, _c, ctx) => (arity('now', args, 0, 1), literal(formatDateTimeParts(nowParts(ctx)), T.DATETIME)),
  current_timestamp: (args, _c, ctx) => (arity('current_timestamp', args, 0, 1), literal(formatDateTimeParts(nowParts(ctx)), T.DATETIME)),
  localtime: (args, _c, ctx) => (arity('localtime', args, 0), literal(formatDateTimeParts(nowParts(ctx)), T.DATETIME)),
  localtimestamp: (args, _c, ctx) => (arity('localtimestamp', args, 0), literal(formatDateTimeParts(nowParts(ctx)), T.DATETIME)),
  curdate: (args, _c, ctx) => (arity('curdate', args, 0), literal(formatDateParts(nowParts(ctx)), T.DATE)),
  current_date: (args, _c, ctx) => (arity('current_date', args, 0), literal(formatDateParts(nowParts(ctx)), T.DATE)),
  curtime: (args, _c, ctx) => (arity('curtime', args, 0), literal(formatDateTimeParts(nowParts(ctx)).slice(11), { name: 'VARCHAR', length: 8 })),
  current_time: (args, _c, ctx) => (arity('current_time', args, 0), literal(formatDateTimeParts(nowParts(ctx)).slice(11), { name: 'VARCHAR', length: 8 })),
  date: part('date', T.DATE, (p) => formatDateParts(p)),
  to_date: part('to_date', T.DATE, (p) => formatDateParts(p)),
  year: part('year', T.INT, (p) => p.year),
  quarter: part('quarter', T.INT, (p) => Math.floor((p.month - 1) / 3) + 1),
  month: part('month', T.INT, (p) => p.month),
  day: part('day', T.INT, (p) => p.day),
  dayofmonth: part('dayofmonth', T.INT, (p) => p.day),
  dayofweek: part('dayofweek', T.INT, dayOfWeek),
  weekday: part('weekday', T.INT, (p) => (dayOfWeek(p) + 5) % 7),
  dayofyear: part('dayofyear', T.INT, dayOfYear),
  hour: part('hour', T.INT, (p) => p.hour),
  minute: part('minute', T.INT, (p) => p.minute),
  second: part('second', T.INT, (p) => p.second),
  last_day: part('last_day', T.DATE, (p) => formatDateParts({ ...p, day: daysInMonth(p.year, p.month) })),
  date_add: addFn('date_add', 1),
  adddate: addFn('adddate', 1),
  days_add: addFn('days_add', 1),
  date_sub: addFn('date_sub', -1),
  subdate: addFn('subdate', -1),
  days_sub: addFn('days_sub', -1),
  months_add: addFn('months_add', 1, 'MONTH'),
  months_sub: addFn('months_sub', -1, 'MONTH'),
  years_add: addFn('years_add', 1, 'YEAR'),
  years_sub: addFn('years_sub', -1, 'YEAR'),
  hours_add: addFn('hours_add', 1, 'HOUR'),
  minutes_add: addFn('minutes_add', 1, 'MINUTE'),
  seconds_add: addFn('seconds_add', 1, 'SECOND'),
  datediff: (args) => (
    arity('datediff', args, 2),
    strict(
      args,
      T.INT,
      ([a, b]) => {
        const x = toParts(a ?? null);
        const y = toParts(b ?? null);
        return x && y ? dayNumber(x) - dayNumber(y) : null;
      },
      true,
    )
  ),
  date_format: (args) => (
    arity('date_format', args, 2),
    strict(
      args,
      T.VARCHAR,
      ([d, f]) => {
        const p = toParts(d ?? null);
        return p ? formatDate(p, text(f ?? '')) : null;
      },
      true,
    )
  ),
  str_to_date: (args) => {
    arity('str_to_date', args, 2);
    const f = args[1] as CompiledExpr;
    const fmt = f.constant ? f.evaluate([]) : null;
    const dateOnly = typeof fmt === 'string' && !/%[HhIiklSsTrfp]/.test(fmt);
    const type = dateOnly ? T.DATE : T.DATETIME;
    return strict(
      args,
      type,
      ([s, fm]) => {
        const p = parseWithFormat(text(s ?? ''), text(fm ?? ''));
        return p === null ? null : dateOnly ? formatDateParts(p) : formatDateTimeParts(p);
      },
      true,
    );
  },
  unix_timestamp: (args, _c, ctx) => {
    arity('unix_timestamp', args, 0, 1);
    if (args.length === 0) return literal(BigInt(Math.floor(ctx.now() / 1000)), T.BIGINT);
    return strict(
      args,
      T.BIGINT,
      ([v]) => {
        const p = toParts(v ?? null);
        return p ? BigInt(Math.floor(millisFromLocalParts(p) / 1000)) : null;
      },
      true,
    );
  },
  from_unixtime: (args) => {
    arity('from_unixtime', args, 1, 2);
    return strict(
      args,
      T.VARCHAR,
      ([n, f]) => {
        const secs = toBigInt(n ?? null);
        if (secs === null || secs < 0n) return null;
        const p = localPartsFromMillis(Number(secs) * 1000);
        return f === undefined ? formatDateTimeParts(p) : formatDate(p, text(f));
      },
      true,
    );
  },
  date_trunc: (args, call) => {
    arity('date_trunc', args, 2);
    const [u, d] = args as [CompiledExpr, CompiledExpr];
    const unit = u.constant ? String(u.evaluate([])).toLowerCase() : '';
    if (!(TRUNC_UNITS as readonly string[]).includes(unit)) throw noMatchingFunction(call.name, args, `date_trunc unit must be one of ${TRUNC_UNITS.join(', ')}`);
    const keepDate = categoryOf(d.type) === 'date';
    return makeExpr(
      (row) => {
        const p = toParts(d.evaluate(row));
        if (!p) return null;
        const t = truncate(p, unit as (typeof TRUNC_UNITS)[number]);
        return keepDate ? formatDateParts(t) : formatDateTimeParts(t);
      },
      keepDate ? T.DATE : T.DATETIME,
      [d],
    );
  },
};
