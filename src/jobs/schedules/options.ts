/**
 * A backup schedule's PROPERTIES: what they may be, their defaults, and the label a run backs up to. Checked when a
 * schedule is created or altered (ScheduleDefinitionError says what to write instead) and read again at every run.
 */
import { type BackupPolicy, POLICY_NAMES } from './policy.ts';
import { ScheduleDefinitionError } from './trigger.ts';

/** MRS Manager: a run more than this late is skipped to the next period. */
export const DEFAULT_MISFIRE_GRACE_MS = 120_000;
/** StarRocks' minimum BACKUP timeout (600 s). */
const MIN_TIMEOUT_SECONDS = 600;

/** The property keys a schedule accepts. */
export const SCHEDULE_PROPERTY_KEYS = [
  'policy',
  'full_every',
  'keep_last',
  'ttl',
  'timeout',
  'misfire_grace',
  'copy_to',
  'on_previous_running',
] as const;

/** What the properties mean, with defaults applied. */
export interface ScheduleOptions {
  readonly policy: BackupPolicy;
  /** Snapshots the schedule keeps (its newest); null keeps all. */
  readonly keepLast: number | null;
  /** Snapshots older than this are dropped (never the newest); null: no age limit. */
  readonly ttlMs: number | null;
  /** The BACKUP job's timeout in seconds; null: BACKUP's default (one day). */
  readonly timeoutSeconds: number | null;
  /** How late a run may start; later, the period is skipped. */
  readonly misfireGraceMs: number;
  /** A second repository every successful run's snapshot is copied to. */
  readonly copyTo: string | null;
  /** When the database already has a job (or the schedule's previous run is still going): skip the period, or wait. */
  readonly onPreviousRunning: 'skip' | 'wait';
}

function integer(key: string, value: string, min: number): number {
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value.trim())) || Number(value.trim()) < min) {
    throw new ScheduleDefinitionError(`Invalid ${key} '${value}': write a whole number of at least ${min}`);
  }
  return Number(value.trim());
}

const UNIT_MS: Readonly<Record<string, number>> = { SECOND: 1000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000, WEEK: 604_800_000 };

/** `3600`, `'7 DAY'`, `'12 hours'` → milliseconds. */
export function parseDuration(key: string, value: string): number {
  const m = /^\s*(\d{1,9})\s*(?:(SECOND|MINUTE|HOUR|DAY|WEEK)S?)?\s*$/i.exec(value);
  if (m === null || Number(m[1]) < 1) {
    throw new ScheduleDefinitionError(`Invalid ${key} '${value}': write seconds, or a number and SECOND, MINUTE, HOUR, DAY or WEEK, e.g. '7 DAY'`);
  }
  return Number(m[1]) * (UNIT_MS[(m[2] ?? 'SECOND').toUpperCase()] ?? 1000);
}

/** Read and check a schedule's properties (unknown keys and bad values are refused). */
export function parseScheduleOptions(properties: Readonly<Record<string, string>>): ScheduleOptions {
  const unknown = Object.keys(properties).filter((k) => !(SCHEDULE_PROPERTY_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new ScheduleDefinitionError(`Unknown backup schedule properties: [${unknown.join(', ')}]; known: ${SCHEDULE_PROPERTY_KEYS.join(', ')}`);
  }
  const p = (key: (typeof SCHEDULE_PROPERTY_KEYS)[number]): string | undefined => {
    const v = properties[key];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const policyName = (p('policy') ?? 'full').toLowerCase();
  if (!(POLICY_NAMES as readonly string[]).includes(policyName)) {
    throw new ScheduleDefinitionError(`Invalid policy '${p('policy') ?? ''}': use ${POLICY_NAMES.join(', ')}`);
  }
  const fullEvery = p('full_every');
  let policy: BackupPolicy;
  if (policyName === 'full_every_n') {
    if (fullEvery === undefined) throw new ScheduleDefinitionError(`policy full_every_n needs full_every: how many runs make one cycle (a full backup, then full_every - 1 incremental ones)`);
    policy = { kind: 'full_every_n', every: integer('full_every', fullEvery, 1) };
  } else {
    if (fullEvery !== undefined) throw new ScheduleDefinitionError(`full_every only applies to policy full_every_n (this schedule's policy is ${policyName})`);
    policy = { kind: policyName as 'full' | 'incremental' | 'full_then_incremental' };
  }
  const keepLast = p('keep_last');
  const ttl = p('ttl');
  const timeout = p('timeout');
  if (timeout !== undefined && integer('timeout', timeout, 0) < MIN_TIMEOUT_SECONDS) throw new ScheduleDefinitionError('timeout must be at least 10 min');
  const grace = p('misfire_grace');
  const onPrevious = (p('on_previous_running') ?? 'skip').toLowerCase();
  if (onPrevious !== 'skip' && onPrevious !== 'wait') {
    throw new ScheduleDefinitionError(`Invalid on_previous_running '${p('on_previous_running') ?? ''}': use skip or wait`);
  }
  return {
    policy,
    keepLast: keepLast === undefined ? null : integer('keep_last', keepLast, 1),
    ttlMs: ttl === undefined ? null : parseDuration('ttl', ttl),
    timeoutSeconds: timeout === undefined ? null : integer('timeout', timeout, MIN_TIMEOUT_SECONDS),
    misfireGraceMs: grace === undefined ? DEFAULT_MISFIRE_GRACE_MS : integer('misfire_grace', grace, 0) * 1000,
    copyTo: p('copy_to') ?? null,
    onPreviousRunning: onPrevious,
  };
}

/** Labels are StarRocks' `[-\w]{1,128}`; a schedule's name leaves room for `_yyyyMMddHHmmss`. */
export const SCHEDULE_NAME_REGEX = /^[-\w]{1,113}$/;

/** `<schedule>_<yyyyMMddHHmmss>` of `ms` in local time: the label a run backs up to. */
export function runLabel(scheduleName: string, ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${scheduleName}_${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}
