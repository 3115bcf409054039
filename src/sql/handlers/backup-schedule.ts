/**
 * CREATE / ALTER / DROP / PAUSE / RESUME / EXECUTE BACKUP SCHEDULE, SHOW BACKUP SCHEDULES, SHOW CREATE BACKUP
 * SCHEDULE. Schedules fire in the engine's ScheduleRunner (src/jobs/schedules); these handlers define them.
 *
 * Privileges follow BACKUP's (StarRocks: REPOSITORY on SYSTEM and EXPORT on every table backed up): creating or
 * altering needs them for the tables the schedule names, and so do dropping, pausing, resuming, executing and seeing
 * one. A schedule runs as the account that created it, whose privileges are checked again at every run.
 */
import type {
  AlterBackupScheduleStmt,
  BackupRestoreObject,
  CreateBackupScheduleStmt,
  DropBackupScheduleStmt,
  ExecuteBackupScheduleStmt,
  SetBackupScheduleStateStmt,
  ShowBackupSchedulesStmt,
  ShowCreateBackupScheduleStmt,
} from '../../../grammar/ast.ts';
import { getDatabase, listTables } from '../../catalog/index.ts';
import type { JsonValue } from '../../catalog/jobs-types.ts';
import { listScheduleRuns, updateScheduleRun } from '../../catalog/schedule-runs.ts';
import { deleteSchedule, getSchedule, insertSchedule, listSchedules, updateSchedule } from '../../catalog/schedules.ts';
import type { ScheduleRow } from '../../catalog/schedules-types.ts';
import { ddlError } from '../../errors/index.ts';
import { nextFireTime, triggerFrom } from '../../jobs/schedules/trigger.ts';
import { formatDateTime } from '../../util/clock.ts';
import type { ExecutionContext } from '../context.ts';
import { backupRequirements, canSee, checkPrivileges } from '../privileges/index.ts';
import { okResult, showResult, type StatementResult } from '../result.ts';
import { analyzeSchedule, checkScheduleName } from '../schedules/analyze-schedule.ts';
import { scheduleRows, SHOW_BACKUP_SCHEDULES_COLUMNS } from '../schedules/schedule-rows.ts';
import { createScheduleText, scheduleObjects } from '../schedules/schedule-text.ts';
import { applyShowPredicates } from '../show-filter.ts';

function propertyMap(list: readonly { key: string; value: string }[]): Record<string, string> {
  return Object.fromEntries(list.map((p) => [p.key, p.value]));
}

/** The tables a schedule backs up now: its ON list's, or every table of its database. */
export function scheduleTables(ctx: ExecutionContext, s: Pick<ScheduleRow, 'dbName'> & { objects: JsonValue | null }): string[] {
  const objects = s.objects as unknown as readonly BackupRestoreObject[] | null;
  const named = (objects ?? []).flatMap((o) => (o.kind === 'BackupObject' ? [o.name.name] : []));
  if (objects !== null && !objects.some((o) => o.kind === 'AllBackupObjects')) return named;
  const db = getDatabase(ctx.services.catalog, s.dbName);
  return db === undefined ? named : [...new Set([...named, ...listTables(ctx.services.catalog, db.id).map((t) => t.name)])];
}

function requireSchedule(ctx: ExecutionContext, name: string): ScheduleRow {
  checkScheduleName(name);
  const s = getSchedule(ctx.services.catalog, name);
  if (s === null) throw ddlError(`Backup schedule ${name} does not exist; SHOW BACKUP SCHEDULES lists them`);
  checkPrivileges(ctx, backupRequirements(s.dbName, scheduleTables(ctx, s)));
  return s;
}

export async function executeCreateBackupSchedule(ctx: ExecutionContext, node: CreateBackupScheduleStmt): Promise<StatementResult> {
  const { services } = ctx;
  checkScheduleName(node.name);
  if (getSchedule(services.catalog, node.name) !== null) {
    if (node.ifNotExists) return okResult(0);
    throw ddlError(`Backup schedule ${node.name} already exists; change it with ALTER BACKUP SCHEDULE or drop it first`);
  }
  const now = services.clock.now();
  const def = await analyzeSchedule(ctx, {
    name: node.name,
    dbName: node.database,
    objects: node.objects ?? null,
    repoName: node.repository,
    trigger: node.trigger,
    starts: node.starts ?? Math.floor(now / 1000) * 1000,
    properties: propertyMap(node.properties),
  });
  const s = insertSchedule(services.catalog, {
    id: services.catalog.nextId(),
    name: def.name,
    dbName: def.dbName,
    objects: def.objects as unknown as JsonValue,
    repoName: def.repoName,
    triggerKind: def.triggerKind,
    triggerText: def.triggerText,
    startsAt: def.startsAt,
    properties: def.properties,
    ownerUser: ctx.session.user,
    ownerHost: ctx.session.host,
    nextFireAt: nextFireTime(def.trigger, def.startsAt, now),
    createdAt: now,
  });
  services.schedules.changed();
  services.logger.child({ component: 'schedules' }).info({ schedule: s.name, db: s.dbName, repository: s.repoName, next: s.nextFireAt }, 'backup schedule created');
  return okResult(0, `Backup schedule ${s.name} created; next run at ${formatDateTime(s.nextFireAt) ?? 'never'}`);
}

export async function executeAlterBackupSchedule(ctx: ExecutionContext, node: AlterBackupScheduleStmt): Promise<StatementResult> {
  const { services } = ctx;
  const s = requireSchedule(ctx, node.name);
  const properties: Record<string, string> = { ...s.properties };
  for (const p of node.properties) {
    if (p.value.trim() === '') delete properties[p.key];
    else properties[p.key] = p.value;
  }
  // A new database without a new ON list backs up the whole new database (the old list named the old one's tables).
  const objects = node.objects ?? (node.database !== undefined && node.database !== s.dbName ? null : scheduleObjects(s));
  const def = await analyzeSchedule(ctx, {
    name: s.name,
    dbName: node.database ?? s.dbName,
    objects,
    repoName: node.repository ?? s.repoName,
    trigger: node.trigger ?? { kind: s.triggerKind, text: s.triggerText },
    starts: node.starts ?? s.startsAt,
    properties,
  });
  checkPrivileges(ctx, backupRequirements(def.dbName, scheduleTables(ctx, { dbName: def.dbName, objects: def.objects as unknown as JsonValue })));
  const now = services.clock.now();
  const timing = node.trigger !== undefined || node.starts !== undefined;
  const updated = updateSchedule(
    services.catalog,
    s.id,
    {
      dbName: def.dbName,
      objects: def.objects as unknown as JsonValue,
      repoName: def.repoName,
      triggerKind: def.triggerKind,
      triggerText: def.triggerText,
      startsAt: def.startsAt,
      properties: def.properties,
      // The paused / locked state is left as it is: only RESUME makes a schedule fire again.
      ...(timing ? { nextFireAt: nextFireTime(def.trigger, def.startsAt, now) } : {}),
    },
    now,
  );
  services.schedules.changed();
  return okResult(0, `Backup schedule ${s.name} altered; next run at ${formatDateTime(updated?.nextFireAt) ?? 'never'}${updated !== null && updated.state !== 'ACTIVE' ? ` once resumed (it is ${updated.state})` : ''}`);
}

export function executeDropBackupSchedule(ctx: ExecutionContext, node: DropBackupScheduleStmt): StatementResult {
  checkScheduleName(node.name);
  if (node.ifExists && getSchedule(ctx.services.catalog, node.name) === null) return okResult(0);
  const s = requireSchedule(ctx, node.name);
  const now = ctx.services.clock.now();
  ctx.services.catalog.transaction(() => {
    for (const w of listScheduleRuns(ctx.services.catalog, s.id, ['WAITING'])) {
      updateScheduleRun(ctx.services.catalog, w.id, { state: 'SKIPPED', reason: `${w.reason ?? 'waiting'}; the schedule was dropped`, finishedAt: now });
    }
    deleteSchedule(ctx.services.catalog, s.id);
  });
  ctx.services.schedules.changed();
  // A run in progress finishes (its job, its copy); its snapshots and every snapshot the schedule made stay.
  return okResult(0);
}

export function executeSetBackupScheduleState(ctx: ExecutionContext, node: SetBackupScheduleStateStmt): StatementResult {
  const { services } = ctx;
  const s = requireSchedule(ctx, node.name);
  const now = services.clock.now();
  if (node.action === 'PAUSE') {
    if (s.state === 'PAUSED') return okResult(0);
    services.catalog.transaction(() => {
      updateSchedule(services.catalog, s.id, { state: 'PAUSED', stateReason: null }, now);
      for (const w of listScheduleRuns(services.catalog, s.id, ['WAITING'])) {
        updateScheduleRun(services.catalog, w.id, { state: 'SKIPPED', reason: `${w.reason ?? 'waiting'}; the schedule was paused`, finishedAt: now });
      }
    });
    services.schedules.changed();
    return okResult(0, `Backup schedule ${s.name} paused; a run in progress finishes. RESUME BACKUP SCHEDULE ${s.name} starts it again`);
  }
  if (s.state === 'ACTIVE') return okResult(0, `Backup schedule ${s.name} is active; next run at ${formatDateTime(s.nextFireAt) ?? 'never'}`);
  // Resuming starts at the next period after now: periods that passed while paused or locked are not caught up.
  const next = nextFireTime(triggerFrom(s.triggerKind, s.triggerText), s.startsAt, now);
  updateSchedule(services.catalog, s.id, { state: 'ACTIVE', stateReason: null, nextFireAt: next }, now);
  services.schedules.changed();
  return okResult(0, `Backup schedule ${s.name} resumed; next run at ${formatDateTime(next) ?? 'never'}`);
}

export async function executeExecuteBackupSchedule(ctx: ExecutionContext, node: ExecuteBackupScheduleStmt): Promise<StatementResult> {
  const s = requireSchedule(ctx, node.name);
  const run = await ctx.services.schedules.execute(s.name);
  return okResult(0, `BACKUP job ${String(run.jobId)} submitted for backup schedule ${s.name} as ${run.label ?? ''}; follow it with SHOW BACKUP FROM ${s.dbName}`);
}

export function executeShowBackupSchedules(ctx: ExecutionContext, node: ShowBackupSchedulesStmt): StatementResult {
  if (node.database !== undefined && getDatabase(ctx.services.catalog, node.database) === undefined) {
    throw ddlError(`Unknown database '${node.database}'`);
  }
  const visible = listSchedules(ctx.services.catalog).filter(
    (s) => (node.database === undefined || s.dbName === node.database) && canSee(ctx, s.dbName, scheduleTables(ctx, s)),
  );
  return applyShowPredicates(ctx, showResult(SHOW_BACKUP_SCHEDULES_COLUMNS, scheduleRows(ctx.services.catalog, visible)), node);
}

export function executeShowCreateBackupSchedule(ctx: ExecutionContext, node: ShowCreateBackupScheduleStmt): StatementResult {
  const s = requireSchedule(ctx, node.name);
  return showResult(['Schedule', 'Create Schedule'], [[s.name, createScheduleText(s)]]);
}
