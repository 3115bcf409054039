import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { cronMatches, CronSyntaxError, nextCronTime, parseCron } from '../../../src/jobs/schedules/cron.ts';

/**
 * nextCronTime against the obvious oracle: walk the timeline minute by minute and stop at the first minute whose
 * local fields match. Run in three zones: UTC, one with daylight saving (New York) and one whose daylight saving
 * moves the clock by 30 minutes (Lord Howe Island), where skipped and repeated local times are easy to get wrong.
 */

const MINUTE = 60_000;
const savedTz = process.env['TZ'];
afterAll(() => {
  if (savedTz === undefined) delete process.env['TZ'];
  else process.env['TZ'] = savedTz;
});

function walk(expr: ReturnType<typeof parseCron>, after: number, maxMinutes: number): number | null {
  let t = Math.floor(after / MINUTE) * MINUTE + MINUTE;
  for (let i = 0; i < maxMinutes; i++, t += MINUTE) if (cronMatches(expr, t)) return t;
  return null;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** One list item of a field whose values run min..max (names optional). */
function item(min: number, max: number, names?: readonly string[], namesFrom = 0): fc.Arbitrary<string> {
  const v = fc.integer({ min, max }).chain((n) => {
    const name = names?.[n - namesFrom];
    return name === undefined ? fc.constant(String(n)) : fc.constantFrom(String(n), name, name.toLowerCase());
  });
  const range = fc.tuple(fc.integer({ min, max }), fc.integer({ min, max })).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`);
  const step = fc.integer({ min: 1, max: Math.max(1, Math.ceil((max - min + 1) / 2)) });
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant('*') },
    { weight: 2, arbitrary: step.map((s) => `*/${s}`) },
    { weight: 3, arbitrary: v },
    { weight: 2, arbitrary: range },
    { weight: 1, arbitrary: fc.tuple(range, step).map(([r, s]) => `${r}/${s}`) },
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min, max }), step).map(([a, s]) => `${a}/${s}`) },
  );
}

function field(min: number, max: number, names?: readonly string[], namesFrom = 0): fc.Arbitrary<string> {
  return fc.array(item(min, max, names, namesFrom), { minLength: 1, maxLength: 3 }).map((xs) => xs.join(','));
}

/** Expressions dense enough that the walker finds most fire times within its horizon. */
const expression = fc
  .tuple(field(0, 59), field(0, 23), field(1, 31), field(1, 12, MONTHS, 1), field(0, 7, DAYS, 0))
  .map((f) => f.join(' '));

/** From 2025 to 2030, biased to daylight-saving changes (second Sunday of March, first of November, April, October). */
const instant = fc.oneof(
  fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2030, 0, 1) }),
  fc.constantFrom(Date.UTC(2026, 2, 8, 5), Date.UTC(2026, 10, 1, 4), Date.UTC(2026, 3, 4, 14), Date.UTC(2026, 9, 3, 15)).chain((t) =>
    fc.integer({ min: t - 6 * 3_600_000, max: t + 6 * 3_600_000 }),
  ),
);

const HORIZON_MINUTES = 45 * 24 * 60;

for (const tz of ['UTC', 'America/New_York', 'Australia/Lord_Howe']) {
  describe(`nextCronTime in ${tz}`, () => {
    it('finds exactly the minute a minute-by-minute walk finds, three fires in a row', () => {
      process.env['TZ'] = tz;
      fc.assert(
        fc.property(expression, instant, (text, start) => {
          const expr = parseCron(text);
          let after = start;
          for (let i = 0; i < 3; i++) {
            const expected = walk(expr, after, HORIZON_MINUTES);
            const got = nextCronTime(expr, after);
            if (expected === null) {
              // Nothing within the walker's horizon: the fast search must not invent one there either.
              expect(got === null || got > after + HORIZON_MINUTES * MINUTE).toBe(true);
              return;
            }
            expect(got).toBe(expected);
            after = expected;
          }
        }),
        { numRuns: 60 },
      );
    });

    it('fires every matching minute of a dense expression over a day around the spring change', () => {
      process.env['TZ'] = tz;
      const expr = parseCron('*/7 0-3,22 * * *');
      let a = Date.UTC(2026, 2, 7);
      let b = a;
      for (let i = 0; i < 60; i++) {
        const x = walk(expr, a, 3 * 24 * 60);
        const y = nextCronTime(expr, b);
        expect(y).toBe(x);
        if (x === null) break;
        a = x;
        b = x;
      }
    });
  });
}

describe('parseCron', () => {
  it('reads names, ranges, steps and lists', () => {
    const e = parseCron(' 0,30  2-4/2 1,15 jan-MAR mon-fri ');
    expect(e.source).toBe('0,30 2-4/2 1,15 jan-MAR mon-fri');
    expect(e.minutes.flatMap((b, i) => (b ? [i] : []))).toEqual([0, 30]);
    expect(e.hours.flatMap((b, i) => (b ? [i] : []))).toEqual([2, 4]);
    expect(e.months.flatMap((b, i) => (b ? [i] : []))).toEqual([1, 2, 3]);
    expect(e.daysOfWeek.flatMap((b, i) => (b ? [i] : []))).toEqual([1, 2, 3, 4, 5]);
    expect(parseCron('0 0 * * 7').daysOfWeek[0]).toBe(true);
    expect(parseCron('5/20 * * * *').minutes.flatMap((b, i) => (b ? [i] : []))).toEqual([5, 25, 45]);
  });

  it('ORs restricted day fields and ANDs when one starts with *', () => {
    process.env['TZ'] = 'UTC';
    // 2026-01-05 is a Monday; 2026-01-01 a Thursday.
    const either = parseCron('0 0 1 * MON');
    expect(cronMatches(either, Date.UTC(2026, 0, 1))).toBe(true);
    expect(cronMatches(either, Date.UTC(2026, 0, 5))).toBe(true);
    expect(cronMatches(either, Date.UTC(2026, 0, 6))).toBe(false);
    const both = parseCron('0 0 */2 * MON');
    expect(cronMatches(both, Date.UTC(2026, 0, 5))).toBe(true);
    expect(cronMatches(both, Date.UTC(2026, 0, 12))).toBe(false);
  });

  it.each([
    ['* * * *', /expected 5 fields/],
    ['60 * * * *', /minute field '60': 60 is out of range 0-59/],
    ['* 24 * * *', /hour field/],
    ['* * 0 * *', /day-of-month field/],
    ['* * * FOO *', /month field 'FOO': 'FOO' is not a number 1-12 or a name JAN…DEC/],
    ['* * * * 8', /day-of-week field/],
    ['5-1 * * * *', /runs backwards/],
    ['*/0 * * * *', /step '0' must be a whole number of at least 1/],
    ['1,,2 * * * *', /empty list item/],
    ['1-2-3 * * * *', /is not a value or a range/],
  ])('refuses %s', (text, message) => {
    expect(() => parseCron(text)).toThrow(CronSyntaxError);
    expect(() => parseCron(text)).toThrow(message);
  });

  it('says when an expression never fires', () => {
    expect(nextCronTime(parseCron('0 0 31 2 *'), Date.UTC(2026, 0, 1))).toBeNull();
    process.env['TZ'] = 'UTC';
    expect(nextCronTime(parseCron('0 0 29 2 *'), Date.UTC(2026, 0, 1))).toBe(Date.UTC(2028, 1, 29));
  });
});
