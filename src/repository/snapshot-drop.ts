import { hostname } from 'node:os';

import type { Logger } from '../logging/logger.ts';
import { dropMarkerKey, FILE_DROP_MARKER, objectKey, parseObjectKey, PREFIX_JOB_INFO, PREFIX_SNAPSHOT_DIR, snapshotDir } from './layout.ts';
import type { Repository } from './repository.ts';
import { fromBrokerError, RepositoryError } from './repository-error.ts';
import { labelOfKey, type RepositoryIndex } from './repository-index.ts';

/**
 * DROP SNAPSHOT with references: deleting a snapshot deletes exactly the files no remaining snapshot needs, and no
 * remaining snapshot ever loses a file. Incremental snapshots reference content stored by others (their own tablet
 * dirs, or the shared object area `__tv_objects/<md5[0..2]>/<md5>_<size>`); when a snapshot whose files others still
 * reference is dropped, those files are MOVED to the object area instead of deleted, and a reference whose key is
 * gone resolves to the object key of its content (RepositoryIndex.resolve). So there is no chain: any snapshot can
 * be dropped in any order.
 *
 * Crash safety — a snapshot is either listed and restorable, or gone:
 *   1. `__ss_<label>/__dropping` is written: from here the snapshot is gone for SHOW SNAPSHOT, RESTORE and the
 *      index (and a later run knows to finish the job);
 *   2. its info file is deleted (StarRocks, which ignores the marker, no longer lists it as OK either);
 *   3. files other snapshots reference are moved to the object area (a rename; on object stores copy then delete,
 *      so the content always exists in at least one place a reference resolves to);
 *   4. every other file of the directory, then objects no remaining snapshot references, are deleted;
 *   5. what is left of the directory — the marker last — is deleted.
 * An interrupted drop leaves its marker; planDrop() always includes directories with a marker, so the next drop (or
 * the expiry task) finishes it, and also deletes objects nothing references any more.
 *
 * Callers (src/sql/handlers/drop-snapshot.ts, the expiry task, automation's keep_last) run this under the job
 * scheduler's submit lock and refuse labels a live job writes or reads; see that handler for the checks.
 */

/** One key the drop deletes. */
export interface DropDelete {
  /** Repository-relative stored key. */
  readonly key: string;
  readonly size: number;
}

/** A file kept for surviving snapshots: moved from a dropped directory to the shared object area. */
export interface DropMove {
  readonly from: string;
  readonly to: string;
  readonly size: number;
}

/** What one dropped directory (or the object area, `label` null) contributes. */
export interface DropSummary {
  /** Label, or null for the shared object area. */
  readonly label: string | null;
  /** The snapshot's timestamp when it was restorable; null for a broken directory or an interrupted drop. */
  readonly timestamp: string | null;
  /** Files deleted and their bytes (what is reclaimed). */
  readonly files: number;
  readonly bytes: number;
  /** Files moved to the object area because other snapshots still reference them. */
  readonly moved: number;
  readonly movedBytes: number;
}

/** Everything one drop does, computed from an index before anything is touched (DRY RUN shows exactly this). */
export interface DropPlan {
  /** Directories dropped: the ones asked for plus interrupted drops found (their markers). */
  readonly labels: readonly string[];
  /** Info files, deleted right after the markers are written. */
  readonly infos: readonly DropDelete[];
  readonly moves: readonly DropMove[];
  /** Everything else deleted (snapshot files, then unreferenced objects), markers excluded. */
  readonly deletes: readonly DropDelete[];
  /** Per label, then the object area. */
  readonly summaries: readonly DropSummary[];
  /** Sum of deleted bytes (moves excluded). */
  readonly bytesReclaimed: number;
  readonly filesDeleted: number;
}

/**
 * An object-area `.part` older than this is an interrupted COPY's leftover, not one being written: drops run under
 * the submit lock and are refused while a COPY into the repository runs, so the age only guards against another
 * process sharing the repository.
 */
export const STALE_OBJECT_PART_MS = 60 * 60 * 1000;

/**
 * Plan dropping `labels` (snapshot directories; any label without a directory is ignored — check existence first).
 * Directories with a drop marker are always added (finishing an interrupted drop); objects that no surviving
 * snapshot references are always deleted, and (given `now`) object-area `.part` leftovers of interrupted COPYs older
 * than STALE_OBJECT_PART_MS.
 */
export function planDrop(index: RepositoryIndex, labels: readonly string[], now?: number): DropPlan {
  const dropped = new Set(labels.filter((l) => index.dirs.has(l)));
  for (const d of index.dirs.values()) if (d.dropping) dropped.add(d.label);
  // What surviving snapshots read from a dropped directory or the object area, by key → content.
  const needed = new Map<string, { readonly md5: string; readonly size: number }>();
  for (const s of index.snapshots) {
    if (dropped.has(s.label)) continue;
    for (const f of s.files) {
      const at = index.resolve(f);
      if (at === null || f.size < 0) continue;
      const label = labelOfKey(at);
      if ((label !== null && dropped.has(label)) || parseObjectKey(at) !== null) needed.set(at, { md5: f.md5, size: f.size });
    }
  }
  const infos: DropDelete[] = [];
  const moves: DropMove[] = [];
  const deletes: DropDelete[] = [];
  const summaries: DropSummary[] = [];
  const targets = new Set<string>();
  const order = [...dropped].sort();
  for (const label of order) {
    const dir = index.dirs.get(label);
    if (dir === undefined) continue;
    const top = `${PREFIX_SNAPSHOT_DIR}${label}/`;
    let files = 0;
    let bytes = 0;
    let moved = 0;
    let movedBytes = 0;
    for (const key of dir.keys) {
      const size = index.stored.get(key) ?? 0;
      if (key === `${top}${FILE_DROP_MARKER}`) continue;
      const need = needed.get(key);
      if (need !== undefined) {
        const to = objectKey(need.md5, need.size);
        if (index.stored.get(to) !== need.size && !targets.has(to)) {
          targets.add(to);
          moves.push({ from: key, to, size });
          moved++;
          movedBytes += size;
          continue;
        }
      }
      (key.slice(top.length).startsWith(PREFIX_JOB_INFO) ? infos : deletes).push({ key, size });
      files++;
      bytes += size;
    }
    summaries.push({ label, timestamp: dir.snapshot?.timestamp ?? null, files, bytes, moved, movedBytes });
  }
  let objFiles = 0;
  let objBytes = 0;
  for (const key of index.objects) {
    if (needed.has(key) || targets.has(key)) continue;
    const size = index.stored.get(key) ?? 0;
    deletes.push({ key, size });
    objFiles++;
    objBytes += size;
  }
  for (const part of index.objectLeftovers) {
    if (now === undefined || part.modifiedAt === null || now - part.modifiedAt < STALE_OBJECT_PART_MS) continue;
    deletes.push({ key: part.key, size: part.size });
    objFiles++;
    objBytes += part.size;
  }
  if (objFiles > 0) summaries.push({ label: null, timestamp: null, files: objFiles, bytes: objBytes, moved: 0, movedBytes: 0 });
  const all = [...infos, ...deletes];
  return {
    labels: order,
    infos,
    moves,
    deletes,
    summaries,
    bytesReclaimed: all.reduce((n, d) => n + d.size, 0),
    filesDeleted: all.length,
  };
}

export interface ExecuteDropOptions {
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  /** Written into each drop marker for operators. */
  readonly now?: number;
  /** Called after each step with the number of keys done so far (progress, tests that crash mid-way). */
  readonly onStep?: (done: number, step: 'marker' | 'info' | 'move' | 'delete' | 'finish') => void | Promise<void>;
}

/** Carry out a plan (see the crash-safety steps above). Throws RepositoryError; a re-planned drop finishes it. */
export async function executeDrop(repo: Repository, plan: DropPlan, options: ExecuteDropOptions = {}): Promise<void> {
  if (repo.readOnly) throw new RepositoryError('COMMON_ERROR', `Repository ${repo.name} is read only`);
  const { signal } = options;
  const broker = repo.broker;
  const at = (key: string): string => `${repo.root}/${key}`;
  let done = 0;
  const step = async (kind: 'marker' | 'info' | 'move' | 'delete' | 'finish'): Promise<void> => {
    done++;
    await options.onStep?.(done, kind);
  };
  try {
    const body = Buffer.from(JSON.stringify({ dropped_at: options.now ?? Date.now(), host: hostname(), pid: process.pid }));
    for (const label of plan.labels) {
      await broker.write(at(dropMarkerKey(label)), body, { signal });
      await step('marker');
    }
    for (const d of plan.infos) {
      await broker.delete(at(d.key), { signal });
      await step('info');
    }
    for (const m of plan.moves) {
      await broker.rename(at(m.from), at(m.to), { signal });
      await step('move');
    }
    for (const d of plan.deletes) {
      await broker.delete(at(d.key), { signal });
      await step('delete');
    }
    for (const label of plan.labels) {
      // Whatever is left (the marker, label markers, temp files, empty directories): the directory goes.
      await broker.deletePrefix(`${at(snapshotDir(label))}/`, { signal });
      await broker.delete(at(dropMarkerKey(label)), { signal });
      await step('finish');
    }
  } catch (error) {
    throw fromBrokerError(error);
  }
  options.logger?.info(
    { repository: repo.name, labels: plan.labels, deleted: plan.filesDeleted, moved: plan.moves.length, bytes: plan.bytesReclaimed },
    'dropped snapshots',
  );
}
