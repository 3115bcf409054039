import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Catalog } from '../catalog/catalog.ts';
import {
  deleteLocalSnapshots,
  insertPendingLocalSnapshots,
  listLocalSnapshots,
  markLocalSnapshotsKept,
  type LocalSnapshotRow,
} from '../catalog/local-snapshots.ts';
import type { JobRow } from '../catalog/jobs-types.ts';
import type { Logger } from '../logging/logger.ts';
import { readOwner, type TableStore } from '../storage/index.ts';
import { fsPool, type FsOp } from '../util/fs-pool.ts';
import { isLinkedSnapshot } from './backup-info.ts';
import type { SnapshotTarget, TabletSnapshot } from './steps.ts';

/**
 * Local quick recovery (MRS Manager's "local backup"): a FINISHED BACKUP keeps its hard-link snapshots on the
 * backends — the most recent `keep_local_snapshots` backups of each table to each repository — so that
 * `RESTORE … PROPERTIES ("source" = "local")` restores without reading the repository (restore-local.ts).
 *
 * - SAVE_META records the job's tablets as `pending` rows instead of releasing them, and keeps copies of the meta
 *   and info files in `<dataDir>/local-snapshots/<jobId>/`. A tablet an incremental backup did not link (its
 *   content was already in the repository) is kept as the row of an earlier kept snapshot of the same tablet with
 *   the same files, when there is one; else the local snapshot lacks it and a local restore says so.
 * - Once the snapshot is visible in the repository, the rows become `kept` and each table's older backups beyond the
 *   limit are pruned. A CANCELLED job's pending rows and directories go with the job's cleanup.
 * - Pruning deletes a file only when no remaining row names it. Every file is a hard link: deleting it never takes
 *   data from a live tablet (which holds its own link) or from a restore (which links what it reads into its own
 *   download directory before it reads it). A backend directory this data dir does not provably own (a copy's shared
 *   directory, identity.ts) is never touched.
 * - Rows of tables that no longer exist (DROP TABLE / DATABASE) are released at the next prune and when the engine
 *   opens; the engine's open-time release of unowned snapshot directories keeps every directory a row names.
 */

export interface LocalSnapshotDeps {
  readonly catalog: Catalog;
  readonly store: TableStore;
  readonly dataDir: string;
  readonly logger: Logger;
}

/** Where a kept snapshot's meta and info files are. */
export function keptMetaDir(dataDir: string, jobId: number): string {
  return path.join(dataDir, 'local-snapshots', String(jobId));
}

const sameFiles = (a: LocalSnapshotRow['files'], b: readonly { name: string; md5: string; size: number }[]): boolean =>
  a.length === b.length && a.every((f) => b.some((g) => g.name === f.name && g.md5 === f.md5 && g.size === f.size));

/** SAVE_META: record the job's tablets as pending local snapshots (see above). Returns how many tablets are kept. */
export function recordPending(
  deps: LocalSnapshotDeps,
  job: JobRow,
  timestamp: string,
  snapshots: readonly TabletSnapshot<SnapshotTarget>[],
  now: number,
): number {
  const kept = listLocalSnapshots(deps.catalog, { state: 'kept' });
  const rows: Parameters<typeof insertPendingLocalSnapshots>[2][number][] = [];
  for (const s of snapshots) {
    let dir: string | null = path.relative(deps.dataDir, s.snapshot.dir);
    if (!isLinkedSnapshot(s.snapshot)) {
      // Nothing linked for it: an earlier kept snapshot of the tablet with the same files stands for it.
      const earlier = kept.filter((r) => r.tabletId === s.target.tabletId && sameFiles(r.files, s.snapshot.files)).at(-1);
      dir = earlier?.dir ?? null;
    }
    if (dir === null) continue;
    rows.push({
      repoName: job.repoName,
      label: job.label,
      timestamp,
      tableId: s.target.tableId,
      tabletId: s.target.tabletId,
      backendId: s.target.backendId,
      dir,
      files: s.snapshot.files.map((f) => ({ name: f.name, size: f.size, md5: f.md5 })),
      createdAt: now,
    });
  }
  insertPendingLocalSnapshots(deps.catalog, job.id, rows);
  return rows.length;
}

/** The snapshot is visible: keep the job's rows, then prune every table of the repository to `keep` backups. */
export async function keepAndPrune(deps: LocalSnapshotDeps, job: JobRow, keep: number): Promise<void> {
  markLocalSnapshotsKept(deps.catalog, job.id);
  await pruneLocalSnapshots(deps, { repoName: job.repoName, keep });
}

/** A cancelled job: forget its pending rows (its own snapshot directories are removed by the job's cleanup). */
export async function discardPending(deps: LocalSnapshotDeps, jobId: number): Promise<void> {
  deleteLocalSnapshots(deps.catalog, jobId);
  await fsp.rm(keptMetaDir(deps.dataDir, jobId), { recursive: true, force: true });
}

/**
 * Drop kept rows beyond `keep` backups per table of `repoName` (when given) and rows of tables that no longer exist,
 * then delete the files no remaining row names. Returns the number of files deleted.
 */
export async function pruneLocalSnapshots(deps: LocalSnapshotDeps, options: { readonly repoName?: string; readonly keep?: number } = {}): Promise<number> {
  const { catalog } = deps;
  const all = listLocalSnapshots(catalog);
  const tables = new Set(catalog.prepare<[], { id: number }>('SELECT id FROM tables').all().map((r) => r.id));
  const drop = new Map<number, Set<number>>(); // job → tables
  const mark = (jobId: number, tableId: number): void => {
    const set = drop.get(jobId) ?? new Set<number>();
    set.add(tableId);
    drop.set(jobId, set);
  };
  for (const r of all) if (r.state === 'kept' && !tables.has(r.tableId)) mark(r.jobId, r.tableId);
  if (options.repoName !== undefined && options.keep !== undefined) {
    const jobsByTable = new Map<number, Set<number>>();
    for (const r of all) {
      if (r.state !== 'kept' || r.repoName !== options.repoName) continue;
      const set = jobsByTable.get(r.tableId) ?? new Set<number>();
      set.add(r.jobId);
      jobsByTable.set(r.tableId, set);
    }
    for (const [tableId, jobs] of jobsByTable) {
      for (const jobId of [...jobs].sort((a, b) => b - a).slice(options.keep)) mark(jobId, tableId);
    }
  }
  if (drop.size === 0) return 0;
  const gone = (r: LocalSnapshotRow): boolean => drop.get(r.jobId)?.has(r.tableId) === true;
  catalog.transaction(() => {
    for (const [jobId, tableIds] of drop) deleteLocalSnapshots(catalog, jobId, [...tableIds]);
  });
  const pathOf = (r: LocalSnapshotRow, name: string): string => path.join(deps.dataDir, r.dir, name);
  const stillNamed = new Set(all.filter((r) => !gone(r)).flatMap((r) => r.files.map((f) => pathOf(r, f.name))));
  const owned = new Map<number, boolean>();
  for (const b of deps.store.backends) owned.set(b.id, (await readOwner(b.dir)) === deps.store.identity.id);
  const unlink: FsOp[] = [];
  const dirs = new Set<string>();
  for (const r of all) {
    if (!gone(r)) continue;
    if (owned.get(r.backendId) !== true) {
      deps.logger.warn({ jobId: r.jobId, dir: r.dir }, 'kept local snapshot on a backend directory this data dir does not own: its files are left alone');
      continue;
    }
    for (const f of r.files) {
      const p = pathOf(r, f.name);
      if (stillNamed.has(p)) continue;
      unlink.push({ op: 'unlink', path: p });
      dirs.add(path.dirname(p));
    }
  }
  if (unlink.length > 0) await fsPool().run(unlink);
  // A directory no row names any more is empty now (or holds what a crash left): remove it when empty.
  if (dirs.size > 0) await fsPool().run([...dirs].map((dir): FsOp => ({ op: 'rmdir', path: dir })));
  const liveJobs = new Set(listLocalSnapshots(catalog).map((r) => r.jobId));
  for (const jobId of drop.keys()) {
    if (!liveJobs.has(jobId)) await fsp.rm(keptMetaDir(deps.dataDir, jobId), { recursive: true, force: true });
  }
  deps.logger.info({ jobs: [...drop.keys()], files: unlink.length }, 'pruned kept local snapshots');
  return unlink.length;
}

/** Directories (absolute) that rows name: the engine's open-time release of unowned snapshot dirs keeps these. */
export function keptSnapshotDirs(catalog: Catalog, dataDir: string): string[] {
  return [...new Set(listLocalSnapshots(catalog).map((r) => path.join(dataDir, r.dir)))];
}
