/**
 * The SQL a schedule stands for: SHOW CREATE BACKUP SCHEDULE's statement, and the BACKUP statement each run executes
 * as the schedule's owner (so a scheduled backup is analysed, checked and submitted exactly as a typed one).
 */
import type { BackupRestoreObject } from '../../../grammar/ast.ts';
import type { BackupType, ScheduleRow } from '../../catalog/schedules-types.ts';
import { formatDateTime } from '../../util/clock.ts';
import { quoteIdentifier as quoteName } from '../../../grammar/quote.ts';

/** A double-quoted string literal (PROPERTIES values). */
function quoteString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const TYPE_WORD: Readonly<Record<BackupRestoreObject['objectType'], [string, string]>> = {
  TABLE: ['TABLE', 'TABLES'],
  VIEW: ['VIEW', 'VIEWS'],
  MATERIALIZED_VIEW: ['MATERIALIZED VIEW', 'MATERIALIZED VIEWS'],
  FUNCTION: ['FUNCTION', 'FUNCTIONS'],
};

/** The `ON (…)` clause of BACKUP for `objects` ('' for the whole database). */
export function onClause(objects: readonly BackupRestoreObject[] | null): string {
  if (objects === null || objects.length === 0) return '';
  const items = objects.map((o) => {
    if (o.kind === 'AllBackupObjects') return `ALL ${TYPE_WORD[o.objectType][1]}`;
    const name = o.name.db === undefined ? quoteName(o.name.name) : `${quoteName(o.name.db)}.${quoteName(o.name.name)}`;
    const parts = o.partitions === undefined ? '' : ` ${o.partitions.temporary ? 'TEMPORARY ' : ''}PARTITION (${o.partitions.names.map(quoteName).join(', ')})`;
    return `${o.keyword ? `${TYPE_WORD[o.objectType][0]} ` : ''}${name}${parts}`;
  });
  return ` ON (${items.join(', ')})`;
}

export function propertiesClause(properties: Readonly<Record<string, string>>): string {
  const entries = Object.entries(properties);
  return entries.length === 0 ? '' : ` PROPERTIES (${entries.map(([k, v]) => `${quoteString(k)} = ${quoteString(v)}`).join(', ')})`;
}

/** The schedule's ON list, or null for the whole database. */
export function scheduleObjects(s: ScheduleRow): readonly BackupRestoreObject[] | null {
  return s.objects as unknown as readonly BackupRestoreObject[] | null;
}

/** `EVERY '1 DAY'` / `CRON '0 2 * * *'`. */
export function scheduleClause(s: ScheduleRow): string {
  return `${s.triggerKind} '${s.triggerText}'`;
}

/** SHOW CREATE BACKUP SCHEDULE. */
export function createScheduleText(s: ScheduleRow): string {
  return (
    `CREATE BACKUP SCHEDULE ${quoteName(s.name)} FOR DATABASE ${quoteName(s.dbName)}${onClause(scheduleObjects(s))} TO ${quoteName(s.repoName)}` +
    `\n${scheduleClause(s)} STARTS '${formatDateTime(s.startsAt) ?? ''}'${propertiesClause(s.properties).replace(/^ /, '\n')}`
  );
}

/** The BACKUP a run executes: the schedule's database and objects, the run's label and type, the schedule's timeout. */
export function backupText(s: ScheduleRow, label: string, type: BackupType, timeoutSeconds: number | null): string {
  const props: Record<string, string> = { type };
  if (timeoutSeconds !== null) props['timeout'] = String(timeoutSeconds);
  return `BACKUP DATABASE ${quoteName(s.dbName)} SNAPSHOT ${quoteName(label)} TO ${quoteName(s.repoName)}${onClause(scheduleObjects(s))}${propertiesClause(props)}`;
}
