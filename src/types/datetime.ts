/**
 * DATE and DATETIME parsing, validation and calendar arithmetic on canonical strings (value.ts). Everything is done
 * in proleptic Gregorian days/microseconds with no time zone, like StarRocks' DATE/DATETIME (they carry no zone).
 */

/** Broken-down date-time; `micro` is 0‥999999. */
export interface DateTimeParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly micro: number;
}

const DATE_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const COMPACT_RE = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2}))?$/;
const DATETIME_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?$/;

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeapYear(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** Parse and validate date/datetime text; undefined when malformed or not a real calendar moment. */
export function parseDateTimeText(text: string): DateTimeParts | undefined {
  const t = text.trim();
  let m = DATETIME_RE.exec(t);
  let parts: number[];
  let fraction = '';
  if (m) {
    parts = [m[1], m[2], m[3], m[4], m[5], m[6]].map((x) => (x === undefined ? 0 : Number(x)));
    fraction = m[7] ?? '';
  } else {
    m = COMPACT_RE.exec(t);
    if (!m) return undefined;
    parts = [m[1], m[2], m[3], m[4], m[5], m[6]].map((x) => (x === undefined ? 0 : Number(x)));
  }
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = parts;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const micro = fraction === '' ? 0 : Number(fraction.slice(0, 6).padEnd(6, '0'));
  return { year, month, day, hour, minute, second, micro };
}

/** True when the text is a date without a time part. */
export function isDateOnlyText(text: string): boolean {
  const t = text.trim();
  return DATE_RE.test(t) || /^\d{8}$/.test(t);
}

const p2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

export function formatDateParts(p: Pick<DateTimeParts, 'year' | 'month' | 'day'>): string {
  return `${String(p.year).padStart(4, '0')}-${p2(p.month)}-${p2(p.day)}`;
}

export function formatDateTimeParts(p: DateTimeParts): string {
  const base = `${formatDateParts(p)} ${p2(p.hour)}:${p2(p.minute)}:${p2(p.second)}`;
  return p.micro === 0 ? base : `${base}.${String(p.micro).padStart(6, '0')}`;
}

/** Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm; exact for every year). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(z: number): { year: number; month: number; day: number } {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

const MICROS_PER_DAY = 86_400_000_000;

/** Microseconds since the epoch (as a double: exact to the microsecond for years 0‥9999). */
export function partsToMicros(p: DateTimeParts): number {
  return daysFromCivil(p.year, p.month, p.day) * MICROS_PER_DAY + ((p.hour * 60 + p.minute) * 60 + p.second) * 1_000_000 + p.micro;
}

export function microsToParts(us: number): DateTimeParts {
  const days = Math.floor(us / MICROS_PER_DAY);
  let rest = us - days * MICROS_PER_DAY;
  const c = civilFromDays(days);
  const micro = rest % 1_000_000;
  rest = (rest - micro) / 1_000_000;
  return { ...c, hour: Math.floor(rest / 3600), minute: Math.floor(rest / 60) % 60, second: rest % 60, micro };
}

/** The supported calendar range of DATE/DATETIME (StarRocks: 0000-01-01 ‥ 9999-12-31). */
export function inDateRange(p: Pick<DateTimeParts, 'year'>): boolean {
  return p.year >= 0 && p.year <= 9999;
}

/** Add months, clamping the day to the end of the target month (MySQL DATE_ADD semantics). */
export function addMonths(p: DateTimeParts, months: number): DateTimeParts {
  const total = p.year * 12 + (p.month - 1) + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  return { ...p, year, month, day: Math.min(p.day, daysInMonth(year, month)) };
}

/** Milliseconds since the epoch → local-time parts (the session clock is local time, like StarRocks' FE). */
export function localPartsFromMillis(ms: number): DateTimeParts {
  const d = new Date(ms);
  return {
    year: d.getFullYear(),
    month: d.getMonth() + 1,
    day: d.getDate(),
    hour: d.getHours(),
    minute: d.getMinutes(),
    second: d.getSeconds(),
    micro: 0,
  };
}

/** Local-time parts → milliseconds since the epoch. */
export function millisFromLocalParts(p: DateTimeParts): number {
  return new Date(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, Math.floor(p.micro / 1000)).getTime();
}
