import type { Catalog } from './catalog.ts';

/**
 * The `local_snapshots` table (migration 0008): the hard-link snapshots a BACKUP keeps on the backends for
 * `RESTORE … PROPERTIES ("source" = "local")` (repository property keep_local_snapshots; src/jobs/local-snapshots.ts
 * decides what is kept and pruned). One row per (backup job, tablet); `pending` from SAVE_META until the snapshot is
 * visible in the repository, then `kept`. Rows of two jobs may name the same files (an unchanged tablet of an
 * incremental backup is kept as the snapshot an earlier backup made of it): a file goes only when no row names it.
 */

/** One kept tablet snapshot. */
export interface LocalSnapshotRow {
  readonly jobId: number;
  readonly repoName: string;
  readonly label: string;
  /** The snapshot's `backup_timestamp`. */
  readonly timestamp: string;
  readonly tableId: number;
  /** The tablet as the backup saw it (the snapshot's tablet id). */
  readonly tabletId: number;
  readonly backendId: number;
  /** Directory holding the files, relative to the data dir (a data dir is movable). */
  readonly dir: string;
  /** Every file of the tablet's snapshot, header included. */
  readonly files: readonly { readonly name: string; readonly size: number; readonly md5: string }[];
  readonly state: 'pending' | 'kept';
  readonly createdAt: number;
}

interface Raw {
  job_id: number;
  repo_name: string;
  label: string;
  timestamp: string;
  table_id: number;
  tablet_id: number;
  backend_id: number;
  dir: string;
  files: string;
  state: 'pending' | 'kept';
  created_at: number;
}

const COLUMNS = 'job_id, repo_name, label, timestamp, table_id, tablet_id, backend_id, dir, files, state, created_at';

function fromRaw(r: Raw): LocalSnapshotRow {
  return {
    jobId: r.job_id,
    repoName: r.repo_name,
    label: r.label,
    timestamp: r.timestamp,
    tableId: r.table_id,
    tabletId: r.tablet_id,
    backendId: r.backend_id,
    dir: r.dir,
    files: JSON.parse(r.files) as LocalSnapshotRow['files'],
    state: r.state,
    createdAt: r.created_at,
  };
}

/** Record a job's snapshots as pending (replacing what an earlier attempt of the same job recorded). */
export function insertPendingLocalSnapshots(catalog: Catalog, jobId: number, rows: readonly Omit<LocalSnapshotRow, 'jobId' | 'state'>[]): void {
  catalog.transaction(() => {
    catalog.prepare('DELETE FROM local_snapshots WHERE job_id = ?').run(jobId);
    const insert = catalog.prepare(`INSERT INTO local_snapshots (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`);
    for (const r of rows) {
      insert.run(jobId, r.repoName, r.label, r.timestamp, r.tableId, r.tabletId, r.backendId, r.dir, JSON.stringify(r.files), r.createdAt);
    }
  });
}

/** The job's snapshot is visible in the repository: its rows become kept. */
export function markLocalSnapshotsKept(catalog: Catalog, jobId: number): void {
  catalog.prepare("UPDATE local_snapshots SET state = 'kept' WHERE job_id = ?").run(jobId);
}

/** Every row, optionally of one job or one state. */
export function listLocalSnapshots(catalog: Catalog, filter: { readonly jobId?: number; readonly state?: 'pending' | 'kept' } = {}): LocalSnapshotRow[] {
  const where: string[] = [];
  const args: (number | string)[] = [];
  if (filter.jobId !== undefined) {
    where.push('job_id = ?');
    args.push(filter.jobId);
  }
  if (filter.state !== undefined) {
    where.push('state = ?');
    args.push(filter.state);
  }
  return catalog
    .prepare<(number | string)[], Raw>(`SELECT ${COLUMNS} FROM local_snapshots ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`} ORDER BY job_id, tablet_id`)
    .all(...args)
    .map(fromRaw);
}

/** The kept rows of one snapshot (repository, label, timestamp). */
export function findKeptSnapshot(catalog: Catalog, repoName: string, label: string, timestamp: string): LocalSnapshotRow[] {
  return catalog
    .prepare<[string, string, string], Raw>(
      `SELECT ${COLUMNS} FROM local_snapshots WHERE repo_name = ? AND label = ? AND timestamp = ? AND state = 'kept' ORDER BY tablet_id`,
    )
    .all(repoName, label, timestamp)
    .map(fromRaw);
}

/** Delete rows: all of a job, or its rows of some tables. */
export function deleteLocalSnapshots(catalog: Catalog, jobId: number, tableIds?: readonly number[]): void {
  catalog.transaction(() => {
    if (tableIds === undefined) {
      catalog.prepare('DELETE FROM local_snapshots WHERE job_id = ?').run(jobId);
      return;
    }
    const del = catalog.prepare('DELETE FROM local_snapshots WHERE job_id = ? AND table_id = ?');
    for (const t of tableIds) del.run(jobId, t);
  });
}
