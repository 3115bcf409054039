import { isTtl, parseTtl, type SnapshotTtl } from './snapshot-ttl.ts';

/**
 * A repository's lifecycle settings, set by `ALTER REPOSITORY r SET PROPERTIES (…)` and kept in the catalog:
 *   default_snapshot_ttl   TTL of snapshots written without their own `ttl` (e.g. "30 DAY"); "" removes it.
 *   keep_local_snapshots   How many of the most recent backups of each table keep their local hard-link snapshots
 *                          on the backends for RESTORE … PROPERTIES ("source" = "local"); default 1, 0 keeps none.
 */
export const DEFAULT_SNAPSHOT_TTL = 'default_snapshot_ttl';
export const KEEP_LOCAL_SNAPSHOTS = 'keep_local_snapshots';
export const DEFAULT_KEEP_LOCAL_SNAPSHOTS = 1;

/** The settings in force, parsed. */
export interface RepositorySettings {
  readonly defaultTtl: SnapshotTtl | null;
  readonly keepLocalSnapshots: number;
}

/** Validate ALTER REPOSITORY's properties: the message of the first problem, or null. */
export function settingsError(properties: Readonly<Record<string, string>>): string | null {
  const unknown = Object.keys(properties).filter((k) => k !== DEFAULT_SNAPSHOT_TTL && k !== KEEP_LOCAL_SNAPSHOTS);
  if (unknown.length > 0) {
    return `Unknown repository properties: [${unknown.join(', ')}]. ALTER REPOSITORY sets ${DEFAULT_SNAPSHOT_TTL} and ${KEEP_LOCAL_SNAPSHOTS}; credentials and the location are fixed at CREATE REPOSITORY`;
  }
  const ttl = properties[DEFAULT_SNAPSHOT_TTL];
  if (ttl !== undefined && ttl !== '') {
    const parsed = parseTtl(ttl);
    if (!isTtl(parsed)) return parsed.error.replace('Invalid ttl', `Invalid ${DEFAULT_SNAPSHOT_TTL}`);
  }
  const keep = properties[KEEP_LOCAL_SNAPSHOTS];
  if (keep !== undefined && keep !== '' && !/^\d{1,4}$/.test(keep.trim())) {
    return `Invalid ${KEEP_LOCAL_SNAPSHOTS}: '${keep}'. Write a whole number of backups per table (0 keeps none)`;
  }
  return null;
}

/** Parse stored settings (already validated when they were set). */
export function readSettings(stored: Readonly<Record<string, string>>): RepositorySettings {
  const ttlText = stored[DEFAULT_SNAPSHOT_TTL];
  const ttl = ttlText === undefined ? null : parseTtl(ttlText);
  const keep = stored[KEEP_LOCAL_SNAPSHOTS];
  return {
    defaultTtl: ttl !== null && isTtl(ttl) ? ttl : null,
    keepLocalSnapshots: keep === undefined ? DEFAULT_KEEP_LOCAL_SNAPSHOTS : Number(keep.trim()),
  };
}
