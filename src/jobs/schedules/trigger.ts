/**
 * When a backup schedule fires: `EVERY 'n HOUR|DAY|WEEK'` from its start time, or a `CRON` expression at or after its
 * start time. Each fire time is one period; a period is decided (run or skipped) once.
 *
 * `EVERY n HOUR` is a fixed interval. `EVERY n DAY|WEEK` keeps the wall-clock time of the start in the process's time
 * zone (a nightly 02:00 backup stays at 02:00 across daylight-saving changes); a day whose 02:00 does not exist fires
 * at the local time JavaScript gives that wall-clock time (03:00).
 */
import { CronSyntaxError, nextCronTime, parseCron, type CronExpression } from './cron.ts';

/** Parsed `EVERY` / `CRON` clause. */
export type Trigger =
  | { readonly kind: 'EVERY'; readonly amount: number; readonly unit: 'HOUR' | 'DAY' | 'WEEK' }
  | { readonly kind: 'CRON'; readonly cron: CronExpression };

/** A schedule definition that cannot be accepted; the message says what to write instead. */
export class ScheduleDefinitionError extends Error {
  override name = 'ScheduleDefinitionError';
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** MRS Manager: a periodic task runs by itself only when its period is longer than this. */
export const MIN_PERIOD_MS = 120_000;

/** `'1 DAY'`, `'12 hours'`, `'2 WEEK'`. */
export function parseEvery(text: string): Trigger {
  const m = /^\s*(\d{1,6})\s*(HOUR|DAY|WEEK)S?\s*$/i.exec(text);
  if (m === null || Number(m[1]) < 1) {
    throw new ScheduleDefinitionError(`Invalid EVERY '${text}': write a whole number of at least 1 and HOUR, DAY or WEEK, e.g. EVERY '1 DAY'`);
  }
  return { kind: 'EVERY', amount: Number(m[1]), unit: (m[2] as string).toUpperCase() as 'HOUR' | 'DAY' | 'WEEK' };
}

/** A cron expression as a trigger (CronSyntaxError becomes a ScheduleDefinitionError naming the clause). */
export function parseCronTrigger(text: string): Trigger {
  try {
    return { kind: 'CRON', cron: parseCron(text) };
  } catch (error) {
    if (error instanceof CronSyntaxError) throw new ScheduleDefinitionError(`Invalid CRON '${text}': ${error.message}`);
    throw error;
  }
}

/** The clause as SHOW CREATE prints it: `EVERY '1 DAY'` or `CRON '0 2 * * *'`. */
export function formatTrigger(trigger: Trigger): string {
  return trigger.kind === 'EVERY' ? `EVERY '${trigger.amount} ${trigger.unit}'` : `CRON '${trigger.cron.source}'`;
}

/** The text stored in the catalog (`1 DAY` or the cron source), read back with `triggerFrom`. */
export function triggerText(trigger: Trigger): string {
  return trigger.kind === 'EVERY' ? `${trigger.amount} ${trigger.unit}` : trigger.cron.source;
}

/** Rebuild a stored trigger. */
export function triggerFrom(kind: 'EVERY' | 'CRON', text: string): Trigger {
  return kind === 'EVERY' ? parseEvery(text) : parseCronTrigger(text);
}

function calendarFire(startMs: number, days: number, k: number): number {
  const s = new Date(startMs);
  return new Date(s.getFullYear(), s.getMonth(), s.getDate() + k * days, s.getHours(), s.getMinutes(), s.getSeconds(), s.getMilliseconds()).getTime();
}

/**
 * The first fire time strictly after `afterMs` and not before `startMs`, or null when there is none (a cron
 * expression that never matches). `EVERY` fires at start, start + period, …; `CRON` at its matching minutes.
 */
export function nextFireTime(trigger: Trigger, startMs: number, afterMs: number): number | null {
  if (trigger.kind === 'CRON') return nextCronTime(trigger.cron, Math.max(afterMs, startMs - 1));
  if (afterMs < startMs) return startMs;
  if (trigger.unit === 'HOUR') {
    const step = trigger.amount * HOUR;
    return startMs + (Math.floor((afterMs - startMs) / step) + 1) * step;
  }
  const days = trigger.amount * (trigger.unit === 'WEEK' ? 7 : 1);
  // Estimate k from elapsed time, then correct for days that are 23 or 25 hours long.
  let k = Math.max(0, Math.floor((afterMs - startMs) / (days * DAY)));
  while (k > 0 && calendarFire(startMs, days, k) > afterMs) k--;
  while (calendarFire(startMs, days, k) <= afterMs) k++;
  return calendarFire(startMs, days, k);
}

/**
 * Refuse a trigger that would never run by itself: a cron expression with no fire time in eight years, or one
 * whose every period (over its next 1,000 fire times) is 120 s or shorter (MRS Manager's rule; see firing rules).
 */
export function checkTrigger(trigger: Trigger, startMs: number, nowMs: number): void {
  if (trigger.kind !== 'CRON') return;
  const text = `CRON '${trigger.cron.source}'`;
  let t = nextFireTime(trigger, startMs, nowMs);
  if (t === null) throw new ScheduleDefinitionError(`${text} never fires: no date matches it in the next eight years`);
  for (let i = 0; i < 1000; i++) {
    const next = nextFireTime(trigger, startMs, t);
    if (next === null || next - t > MIN_PERIOD_MS) return;
    t = next;
  }
  throw new ScheduleDefinitionError(
    `${text} fires every ${MIN_PERIOD_MS / 1000} s or more often, and a periodic backup schedule runs only when its period is longer than ${MIN_PERIOD_MS / 1000} s; use a longer period, or EXECUTE BACKUP SCHEDULE to run it by hand`,
  );
}

/** `yyyy-MM-dd HH:mm:ss` (seconds optional) in local time → epoch ms; a date that does not exist is refused. */
export function parseStartTime(text: string): number {
  const m = /^\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?\s*$/.exec(text);
  const fail = (): never => {
    throw new ScheduleDefinitionError(`Invalid STARTS '${text}': write a local time as yyyy-MM-dd HH:mm:ss, e.g. STARTS '2026-01-01 02:00:00'`);
  };
  if (m === null) return fail();
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? '0')) as [number, number, number, number, number, number];
  const date = new Date(y, mo - 1, d, h, mi, s);
  if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d || h > 23 || mi > 59 || s > 59) return fail();
  return date.getTime();
}
