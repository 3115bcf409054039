/**
 * MRS Manager's execution rules for one period of a schedule, as pure functions (the runner feeds them the catalog's
 * state; the tests feed them anything):
 *
 * - periods that passed while the engine was not running are skipped, all at once, and said so;
 * - a run that would start more than `misfire_grace` after its period is skipped to the next period;
 * - a period whose next period comes 120 s or less after it is skipped (a periodic task runs by itself only when its
 *   interval is longer than 120 s);
 * - when the database already has a job, or the schedule's previous run is still going, the period is skipped — or
 *   waits, with `on_previous_running = wait`, until the database is free (at most until the next period).
 */
import { formatDateTime } from '../../util/clock.ts';
import { MIN_PERIOD_MS, nextFireTime, type Trigger } from './trigger.ts';

/** The periods due at `now`, from the first one not yet decided. */
export interface DuePeriods {
  /** The newest period at or before `now`: the one to decide. */
  readonly latest: number;
  /** Older due periods, which can only be skipped (the engine was not running when they came). */
  readonly missed: number;
  readonly firstMissed: number | null;
  readonly lastMissed: number | null;
  /** The period after `latest` (the schedule's next fire time once `latest` is decided); null if none. */
  readonly following: number | null;
}

/** How many fire times a catch-up walks before giving up on counting (a year of 2-minute periods is 262,800). */
const MAX_CATCH_UP = 1_000_000;

/** Walk from `nextFireAt` (≤ now) to the newest period ≤ now. */
export function duePeriods(trigger: Trigger, startsAt: number, nextFireAt: number, now: number): DuePeriods {
  let latest = nextFireAt;
  let missed = 0;
  let firstMissed: number | null = null;
  let lastMissed: number | null = null;
  let following = nextFireTime(trigger, startsAt, latest);
  for (let i = 0; following !== null && following <= now && i < MAX_CATCH_UP; i++) {
    missed++;
    firstMissed ??= latest;
    lastMissed = latest;
    latest = following;
    following = nextFireTime(trigger, startsAt, latest);
  }
  return { latest, missed, firstMissed, lastMissed, following };
}

/** What happens to one period. */
export type PeriodDecision =
  | { readonly kind: 'run' }
  | { readonly kind: 'wait'; readonly reason: string }
  | { readonly kind: 'skip'; readonly reason: string };

export interface PeriodFacts {
  readonly periodAt: number;
  readonly now: number;
  /** The period after this one (null: none). */
  readonly following: number | null;
  readonly misfireGraceMs: number;
  /** Why the database or the schedule is busy (its running job or unfinished run), or null when free. */
  readonly busy: string | null;
  readonly onPreviousRunning: 'skip' | 'wait';
}

/** Decide one due period (rules in order: misfire, period length, previous run). */
export function decidePeriod(f: PeriodFacts): PeriodDecision {
  const next = f.following === null ? 'the schedule has no further period' : `next run at ${formatDateTime(f.following) ?? ''}`;
  const late = f.now - f.periodAt;
  if (late > f.misfireGraceMs) {
    return {
      kind: 'skip',
      reason: `misfire: ${Math.floor(late / 1000)} s after the period, more than misfire_grace (${Math.floor(f.misfireGraceMs / 1000)} s); ${next}`,
    };
  }
  if (f.following !== null && f.following - f.periodAt <= MIN_PERIOD_MS) {
    return {
      kind: 'skip',
      reason: `the next period comes ${Math.floor((f.following - f.periodAt) / 1000)} s later: a schedule runs by itself only when its period is longer than ${MIN_PERIOD_MS / 1000} s`,
    };
  }
  if (f.busy !== null) {
    return f.onPreviousRunning === 'wait'
      ? { kind: 'wait', reason: `waiting: ${f.busy}` }
      : { kind: 'skip', reason: `${f.busy} (on_previous_running = skip); ${next}` };
  }
  return { kind: 'run' };
}

/** The reason recorded for periods that passed while the engine was not running. */
export function missedReason(due: DuePeriods): string {
  const from = formatDateTime(due.firstMissed) ?? '';
  const to = formatDateTime(due.lastMissed) ?? '';
  return due.missed === 1
    ? `missed: the engine was not running at ${from}`
    : `missed ${due.missed} periods from ${from} to ${to}: the engine was not running`;
}
