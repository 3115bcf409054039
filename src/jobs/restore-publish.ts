import { closeSync, copyFileSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Catalog } from '../catalog/catalog.ts';
import {
  commitIngest, createTable, dropTable, getTable, listReplicas, publishInvisible, setTableState,
} from '../catalog/index.ts';
import type { IngestedTablet } from '../catalog/ops/commit-ingest.ts';
import type { SegmentFileMeta } from '../catalog/model.ts';
import type { SnapshotHeader, TableStore } from '../storage/index.ts';
import { segmentFileName, tabletDir } from '../storage/layout.ts';
import { combineContentStats, type ContentStats } from './meta-checksum.ts';
import { STAGED_HEADER, STAGED_READY, STAGED_STATS } from './restore-transfer.ts';
import type { JobRestoreTarget, RestorePlanMeta } from './restore-types.ts';
import type { RestorePlan } from './steps.ts';
import { JobStatusError } from './status.ts';

/**
 * The publish transaction of RESTORE (runs inside the catalog transaction that records FINISHED, so it is
 * synchronous): verify the staged content against the backup's row counts and checksums, link the staged files into
 * every replica under fresh rowset ids, then commit the rowsets, publish the invisible tables and partitions, put
 * existing tables back to NORMAL and recreate the views. Anything thrown here rolls the whole transaction back and
 * cancels the job: no table is ever half-published.
 */

interface Staged {
  readonly target: JobRestoreTarget;
  readonly dir: string;
  readonly header: SnapshotHeader;
  readonly stats: ContentStats;
}

function readStaged(meta: RestorePlanMeta, target: JobRestoreTarget): Staged {
  const dir = path.join(meta.stagingDir, String(target.tabletId));
  if (!existsSync(path.join(dir, STAGED_READY))) {
    throw new JobStatusError('COMMON_ERROR', `restored files of tablet ${target.tabletId} are missing in ${dir}; run the RESTORE again`);
  }
  return {
    target,
    dir,
    header: JSON.parse(readFileSync(path.join(dir, STAGED_HEADER), 'utf8')) as SnapshotHeader,
    stats: JSON.parse(readFileSync(path.join(dir, STAGED_STATS), 'utf8')) as ContentStats,
  };
}

/** Compare each partition's restored rows with the backup's record; the first mismatch fails the job. */
export function verifyStaged(meta: RestorePlanMeta, staged: readonly Staged[]): void {
  for (const e of meta.expected) {
    const got = combineContentStats(staged.filter((s) => s.target.partitionId === e.partitionId).map((s) => s.stats));
    if (got.rowCount !== e.rowCount || got.checksum !== e.checksum) {
      throw new JobStatusError(
        'BAD_FILE',
        `restored content of partition ${e.partition} of table ${e.table} does not match the backup: rows ${got.rowCount}, checksum ${got.checksum}; the backup recorded rows ${e.rowCount}, checksum ${e.checksum}`,
      );
    }
  }
}

function fsyncDirSync(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function linkSyncOrCopy(from: string, to: string): void {
  rmSync(to, { force: true });
  try {
    linkSync(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP') throw error;
    copyFileSync(from, to);
  }
}

export interface PublishDeps {
  readonly catalog: Catalog;
  readonly store: TableStore;
}

/** Everything of the publish transaction; `plan.meta` is a RestorePlanMeta. */
export function publishRestore(deps: PublishDeps, plan: RestorePlan): void {
  const { catalog, store } = deps;
  const meta = plan.meta as unknown as RestorePlanMeta;
  const targets = plan.targets as readonly JobRestoreTarget[];
  const staged = targets.map((t) => readStaged(meta, t));
  verifyStaged(meta, staged);

  const backendDirs = new Map(store.backends.map((b) => [b.id, b.dir]));
  const created: string[] = [];
  try {
    const tablets: IngestedTablet[] = staged.map((s) => {
      const n = s.header.rowsets.length;
      const first = n > 0 ? catalog.nextId(n) : 0;
      const rowsets = s.header.rowsets.map((r, i) => ({
        rowsetId: first + i,
        version: r.version,
        kind: r.kind,
        sources: r.files.map((f) => f.name),
        files: r.files.map((f, k): SegmentFileMeta => ({ ...f, name: segmentFileName(first + i, k) })),
      }));
      for (const replica of listReplicas(catalog, { tabletId: s.target.tabletId })) {
        const be = backendDirs.get(replica.backendId);
        if (be === undefined) throw new Error(`restore: unknown backend ${replica.backendId}`);
        const dir = tabletDir(be, s.target.tabletId);
        mkdirSync(dir, { recursive: true });
        for (const r of rowsets) {
          r.files.forEach((f, k) => {
            const to = path.join(dir, f.name);
            created.push(to);
            linkSyncOrCopy(path.join(s.dir, r.sources[k] as string), to);
          });
        }
        fsyncDirSync(dir);
      }
      return { tabletId: s.target.tabletId, rowsets: rowsets.map(({ sources: _, ...r }) => r) };
    });
    commitIngest(catalog, { tablets, partitionVersions: new Map(meta.partitionVersions.map(([p, v]) => [p, v])) });
    publishInvisible(catalog, { tableIds: meta.createdTables, partitionIds: meta.createdPartitions });
    for (const id of meta.restoringTables) {
      if (getTable(catalog, { id }) !== undefined) setTableState(catalog, id, 'NORMAL');
    }
    for (const v of meta.views) {
      const existing = getTable(catalog, { dbId: meta.dbId, name: v.name }, { includeInvisible: true });
      if (existing !== undefined) dropTable(catalog, existing.id);
      createTable(catalog, { dbId: meta.dbId, name: v.name, kind: 'VIEW', columns: v.columns, viewDefinition: v.definition, comment: v.comment });
    }
  } catch (error) {
    // The transaction rolls back; the links it made would be swept at the next open anyway, but go now.
    for (const f of created) rmSync(f, { force: true });
    throw error;
  }
}
