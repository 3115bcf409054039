/** What SHOW BACKUP SCHEDULES and information_schema.backup_schedules say about each schedule. */
import type { Catalog } from '../../catalog/catalog.ts';
import { lastScheduleRun } from '../../catalog/schedule-runs.ts';
import type { ScheduleRow, ScheduleRunRow } from '../../catalog/schedules-types.ts';
import { parseScheduleOptions, type ScheduleOptions } from '../../jobs/schedules/options.ts';
import type { BackupPolicy } from '../../jobs/schedules/policy.ts';
import { formatDateTime } from '../../util/clock.ts';
import { scheduleClause } from './schedule-text.ts';

export const SHOW_BACKUP_SCHEDULES_COLUMNS = [
  'Name',
  'Database',
  'Repository',
  'Schedule',
  'Policy',
  'KeepLast',
  'CopyTo',
  'State',
  'NextRun',
  'LastRun',
  'LastRunState',
  'LastSuccess',
  'ConsecutiveFailures',
  'Reason',
] as const;

/** `full`, `full_every_n(7)`. */
export function policyText(policy: BackupPolicy): string {
  return policy.kind === 'full_every_n' ? `full_every_n(${policy.every})` : policy.kind;
}

/** A schedule with what its runs say: the facts both SHOW and information_schema print. */
export interface ScheduleStatus {
  readonly schedule: ScheduleRow;
  readonly options: ScheduleOptions | null;
  readonly lastRun: ScheduleRunRow | null;
  readonly lastSuccess: ScheduleRunRow | null;
  /** LOCKED's reason, else the last run's reason when it failed or was skipped. */
  readonly reason: string | null;
}

export function scheduleStatus(catalog: Catalog, s: ScheduleRow): ScheduleStatus {
  let options: ScheduleOptions | null = null;
  try {
    options = parseScheduleOptions(s.properties);
  } catch {
    // A definition that no longer reads is LOCKED by the runner with the reason; show what can be shown.
  }
  const lastRun = lastScheduleRun(catalog, s.id);
  const lastSuccess = lastScheduleRun(catalog, s.id, 'SUCCEEDED');
  const reason = s.stateReason ?? (lastRun !== null && (lastRun.state === 'FAILED' || lastRun.state === 'SKIPPED' || lastRun.state === 'WAITING') ? lastRun.reason : null);
  return { schedule: s, options, lastRun, lastSuccess, reason };
}

/** When a run happened for display: its period, or (EXECUTE) when it was decided. */
export function runTime(run: ScheduleRunRow | null): string | null {
  return run === null ? null : formatDateTime(run.periodAt ?? run.decidedAt);
}

export function scheduleRows(catalog: Catalog, schedules: readonly ScheduleRow[]): (string | null)[][] {
  return schedules.map((s) => {
    const st = scheduleStatus(catalog, s);
    return [
      s.name,
      s.dbName,
      s.repoName,
      scheduleClause(s),
      st.options === null ? null : policyText(st.options.policy),
      st.options?.keepLast === null || st.options === null ? null : String(st.options.keepLast),
      st.options?.copyTo ?? null,
      s.state,
      s.state === 'ACTIVE' ? formatDateTime(s.nextFireAt) : null,
      runTime(st.lastRun),
      st.lastRun?.state ?? null,
      st.lastSuccess === null ? null : formatDateTime(st.lastSuccess.finishedAt),
      String(s.consecutiveFailures),
      st.reason,
    ];
  });
}
