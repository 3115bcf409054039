/** Backup schedules (migration 0008): one function per operation, each taking the Catalog first. */
import type { Catalog } from './catalog.ts';
import { decodeSchedule, type NewSchedule, type RawSchedule, type ScheduleRow, type SchedulePatch } from './schedules-types.ts';

const COLUMN: Readonly<Record<keyof SchedulePatch, string>> = {
  dbName: 'db_name',
  objects: 'objects',
  repoName: 'repo_name',
  triggerKind: 'trigger_kind',
  triggerText: 'trigger_text',
  startsAt: 'starts_at',
  properties: 'properties',
  state: 'state',
  stateReason: 'state_reason',
  nextFireAt: 'next_fire_at',
  consecutiveFailures: 'consecutive_failures',
};

function encode(key: keyof SchedulePatch, value: unknown): unknown {
  if (key === 'objects') return value === null ? null : JSON.stringify(value);
  if (key === 'properties') return JSON.stringify(value);
  return value;
}

/** Record a new schedule (the caller checked the name is free). */
export function insertSchedule(catalog: Catalog, s: NewSchedule): ScheduleRow {
  const row = catalog
    .prepare<unknown[], RawSchedule>(
      `INSERT INTO backup_schedules (id, name, db_name, objects, repo_name, trigger_kind, trigger_text, starts_at, properties,
                                     owner_user, owner_host, next_fire_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    )
    .get(
      s.id, s.name, s.dbName, s.objects === null ? null : JSON.stringify(s.objects), s.repoName, s.triggerKind, s.triggerText,
      s.startsAt, JSON.stringify(s.properties), s.ownerUser, s.ownerHost, s.nextFireAt, s.createdAt, s.createdAt,
    );
  if (row === undefined) throw new Error('insertSchedule returned no row');
  return decodeSchedule(row);
}

/** A schedule by name (names are case-sensitive, like labels), or null. */
export function getSchedule(catalog: Catalog, name: string): ScheduleRow | null {
  const row = catalog.prepare<[string], RawSchedule>('SELECT * FROM backup_schedules WHERE name = ?').get(name);
  return row === undefined ? null : decodeSchedule(row);
}

export function getScheduleById(catalog: Catalog, id: number): ScheduleRow | null {
  const row = catalog.prepare<[number], RawSchedule>('SELECT * FROM backup_schedules WHERE id = ?').get(id);
  return row === undefined ? null : decodeSchedule(row);
}

/** Every schedule, by name. */
export function listSchedules(catalog: Catalog): ScheduleRow[] {
  return catalog.prepare<[], RawSchedule>('SELECT * FROM backup_schedules ORDER BY name').all().map(decodeSchedule);
}

/** Change some columns (and updated_at); returns the new row, or null when the schedule is gone. */
export function updateSchedule(catalog: Catalog, id: number, patch: SchedulePatch, at: number): ScheduleRow | null {
  const keys = (Object.keys(patch) as (keyof SchedulePatch)[]).filter((k) => patch[k] !== undefined);
  const sets = keys.map((k) => `${COLUMN[k]} = @${k}`);
  const params: Record<string, unknown> = { id, at };
  for (const k of keys) params[k] = encode(k, patch[k]);
  const row = catalog
    .prepare<[Record<string, unknown>], RawSchedule>(
      `UPDATE backup_schedules SET ${[...sets, 'updated_at = @at'].join(', ')} WHERE id = @id RETURNING *`,
    )
    .get(params);
  return row === undefined ? null : decodeSchedule(row);
}

/** Forget a schedule (its runs stay as history). */
export function deleteSchedule(catalog: Catalog, id: number): boolean {
  return catalog.prepare('DELETE FROM backup_schedules WHERE id = ?').run(id).changes > 0;
}
