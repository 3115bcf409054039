/**
 * Five-field cron expressions (Vixie cron's dialect): `minute hour day-of-month month day-of-week`, each a list of
 * `*`, `n`, `a-b`, with an optional `/step`, month and weekday names (`JAN`…`DEC`, `SUN`…`SAT`, any case), and
 * weekday 7 as another Sunday. Times are wall-clock times of the process's time zone, like formatDateTime.
 *
 * Day matching follows Vixie cron, quirk included: when either day field starts with `*` (so `*` and `*\/2`), a day
 * must match both fields; when both are restricted, a day matching either one fires (`0 0 1 * MON` fires on the
 * first of the month and on every Monday).
 *
 * A schedule fires at every minute instant whose local fields match. Across a daylight-saving change that means a
 * local time that does not exist never fires, and a local time that happens twice fires twice — what a walk over
 * every minute would find, which is how the property tests check `nextCronTime`.
 */

/** A parsed expression: which values of each field match. */
export interface CronExpression {
  /** The expression as written (trimmed, single spaces). */
  readonly source: string;
  /** Index 0–59. */
  readonly minutes: readonly boolean[];
  /** Index 0–23. */
  readonly hours: readonly boolean[];
  /** Index 1–31 (0 unused). */
  readonly daysOfMonth: readonly boolean[];
  /** Index 1–12 (0 unused). */
  readonly months: readonly boolean[];
  /** Index 0–6, Sunday = 0. */
  readonly daysOfWeek: readonly boolean[];
  /** The day-of-month field starts with `*`. */
  readonly domStar: boolean;
  /** The day-of-week field starts with `*`. */
  readonly dowStar: boolean;
}

/** A cron expression that cannot be parsed; the message names the field and what is wrong with it. */
export class CronSyntaxError extends Error {
  override name = 'CronSyntaxError';
}

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Index of names[0] (1 for months, 0 for weekdays). */
  readonly namesFrom?: number;
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'], namesFrom: 1 },
  // 7 is accepted as Sunday and folded onto 0 after parsing.
  { name: 'day-of-week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'], namesFrom: 0 },
];

function value(text: string, spec: FieldSpec, where: string): number {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n < spec.min || n > spec.max) throw new CronSyntaxError(`${where}: ${text} is out of range ${spec.min}-${spec.max}`);
    return n;
  }
  const i = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  if (i >= 0) return i + (spec.namesFrom ?? 0);
  const hint = spec.names === undefined ? `a number ${spec.min}-${spec.max}` : `a number ${spec.min}-${spec.max} or a name ${spec.names[0]}…${spec.names[spec.names.length - 1]}`;
  throw new CronSyntaxError(`${where}: '${text}' is not ${hint}`);
}

function parseField(text: string, spec: FieldSpec): boolean[] {
  const bits = new Array<boolean>(spec.max + 1).fill(false);
  for (const item of text.split(',')) {
    const where = `${spec.name} field '${text}'`;
    if (item === '') throw new CronSyntaxError(`${where}: empty list item`);
    const [range, stepText, extra] = item.split('/');
    if (extra !== undefined || range === undefined || range === '') throw new CronSyntaxError(`${where}: '${item}' is not a value, range or step`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) < 1) throw new CronSyntaxError(`${where}: step '${stepText}' must be a whole number of at least 1`);
      step = Number(stepText);
    }
    let lo: number;
    let hi: number;
    if (range === '*') {
      lo = spec.min;
      hi = spec.max;
    } else {
      const parts = range.split('-');
      if (parts.length > 2 || parts.some((p) => p === '')) throw new CronSyntaxError(`${where}: '${range}' is not a value or a range a-b`);
      lo = value(parts[0] as string, spec, where);
      // `a/n` means from a to the end of the field, every n (Vixie cron).
      hi = parts.length === 2 ? value(parts[1] as string, spec, where) : stepText !== undefined ? spec.max : lo;
      if (lo > hi) throw new CronSyntaxError(`${where}: range ${range} runs backwards; write the smaller value first`);
    }
    for (let v = lo; v <= hi; v += step) bits[v] = true;
  }
  return bits;
}

/** Parse a five-field expression; throws CronSyntaxError saying which field is wrong. */
export function parseCron(text: string): CronExpression {
  const fields = text.trim().split(/\s+/).filter(Boolean);
  if (fields.length !== 5) {
    throw new CronSyntaxError(
      `expected 5 fields (minute hour day-of-month month day-of-week), found ${fields.length}: '${text.trim()}'`,
    );
  }
  const [minute, hour, dom, month, dow] = fields.map((f, i) => parseField(f, FIELDS[i] as FieldSpec)) as [boolean[], boolean[], boolean[], boolean[], boolean[]];
  if (dow[7] === true) dow[0] = true;
  return {
    source: fields.join(' '),
    minutes: minute,
    hours: hour,
    daysOfMonth: dom,
    months: month,
    daysOfWeek: dow.slice(0, 7),
    domStar: (fields[2] as string).startsWith('*'),
    dowStar: (fields[4] as string).startsWith('*'),
  };
}

function dayMatches(expr: CronExpression, d: Date): boolean {
  const dom = expr.daysOfMonth[d.getDate()] === true;
  const dow = expr.daysOfWeek[d.getDay()] === true;
  return expr.domStar || expr.dowStar ? dom && dow : dom || dow;
}

/** Whether the minute containing `ms` matches (local wall-clock fields). */
export function cronMatches(expr: CronExpression, ms: number): boolean {
  const d = new Date(ms);
  return (
    expr.months[d.getMonth() + 1] === true && dayMatches(expr, d) && expr.hours[d.getHours()] === true && expr.minutes[d.getMinutes()] === true
  );
}

const MINUTE = 60_000;
/** How far ahead to look before deciding an expression never fires (29 February needs up to 8 years). */
const HORIZON = 8 * 366 * 24 * 3_600_000;

/**
 * The first minute instant strictly after `afterMs` that matches, or null when none comes within eight years (an
 * expression such as `0 0 31 2 *`). Walks the real timeline, jumping whole months, days and hours whose local
 * fields cannot match, so a jump never passes over a matching minute: at most a few hundred steps a year.
 */
export function nextCronTime(expr: CronExpression, afterMs: number): number | null {
  let t = Math.floor(afterMs / MINUTE) * MINUTE + MINUTE;
  const limit = afterMs + HORIZON;
  while (t <= limit) {
    const d = new Date(t);
    if (expr.months[d.getMonth() + 1] !== true) {
      t = Math.max(t + MINUTE, new Date(d.getFullYear(), d.getMonth() + 1, 1).getTime());
      continue;
    }
    if (!dayMatches(expr, d)) {
      t = Math.max(t + MINUTE, new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime());
      continue;
    }
    const minute = d.getMinutes();
    if (expr.hours[d.getHours()] !== true) {
      // The next local hour starts (60 - minute) minutes on (offsets are whole minutes); the fields are read again.
      t += (60 - minute) * MINUTE;
      continue;
    }
    if (expr.minutes[minute] === true) return t;
    let m = minute + 1;
    while (m < 60 && expr.minutes[m] !== true) m++;
    t += (m - minute) * MINUTE;
  }
  return null;
}
