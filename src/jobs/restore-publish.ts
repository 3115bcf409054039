import { promises as fsp, rmSync } from 'node:fs';
import path from 'node:path';
import type { Catalog } from '../catalog/catalog.ts';
import {
  commitIngest, createTable, dropTable, getTable, listReplicas, publishInvisible, setTableState,
} from '../catalog/index.ts';
import type { IngestedTablet } from '../catalog/ops/commit-ingest.ts';
import type { ColumnMeta, SegmentFileMeta } from '../catalog/model.ts';
import { segmentColumnCount, translateColumnIds } from '../storage/schema-map.ts';
import type { SnapshotHeader, TableStore } from '../storage/index.ts';
import { fsyncDir, linkOrCopy } from '../storage/fs-util.ts';
import { segmentFileName, tabletDir } from '../storage/layout.ts';
import { combineContentStats, type ContentStats } from './meta-checksum.ts';
import { STAGED_HEADER, STAGED_READY, STAGED_STATS } from './restore-transfer.ts';
import type { JobRestoreTarget, RestorePlanMeta } from './restore-types.ts';
import type { RestorePlan } from './steps.ts';
import { JobStatusError } from './status.ts';

/**
 * RESTORE's publish, in two parts:
 * 1. placeRestore (async, before the transaction): verify the staged content against the backup's row counts and
 *    checksums, and link the staged files into every replica under fresh rowset ids. Like a load's files before its
 *    commit, they are unreferenced until the catalog commit, so nothing is visible yet; a crash leaves orphans the
 *    next open sweeps, and a resumed job places again.
 * 2. publishRestore (synchronous, inside the catalog transaction that records FINISHED): commit the rowsets,
 *    publish the invisible tables and partitions, put existing tables back to NORMAL and recreate the views.
 *    Anything thrown rolls the whole transaction back and cancels the job: no table is ever half-published.
 * Only catalog writes run inside the transaction, so the event loop (and every client of the server) is never
 * blocked by file I/O while a large restore commits.
 */

interface Staged {
  readonly target: JobRestoreTarget;
  readonly dir: string;
  readonly header: SnapshotHeader;
  readonly stats: ContentStats;
}

async function readStaged(meta: RestorePlanMeta, target: JobRestoreTarget): Promise<Staged> {
  const dir = path.join(meta.stagingDir, String(target.tabletId));
  const ready = await fsp.stat(path.join(dir, STAGED_READY)).catch(() => null);
  if (ready === null) {
    throw new JobStatusError('COMMON_ERROR', `restored files of tablet ${target.tabletId} are missing in ${dir}; run the RESTORE again`);
  }
  return {
    target,
    dir,
    header: JSON.parse(await fsp.readFile(path.join(dir, STAGED_HEADER), 'utf8')) as SnapshotHeader,
    stats: JSON.parse(await fsp.readFile(path.join(dir, STAGED_STATS), 'utf8')) as ContentStats,
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

export interface PublishDeps {
  readonly catalog: Catalog;
  readonly store: TableStore;
}

/** Files placed by placeRestore, waiting for the publish transaction. */
export interface PlacedRestore {
  /** The rowsets to commit, per tablet. */
  readonly tablets: readonly IngestedTablet[];
  /** Every file linked into a tablet dir (removed again if the transaction fails). */
  readonly created: readonly string[];
}

/** Tablets placed at once: enough to keep the disk busy, few enough to bound open file handles. */
const PLACE_CONCURRENCY = 16;

function targetColumns(catalog: Catalog, partitionId: number): readonly ColumnMeta[] {
  const row = catalog.prepare<[number], { table_id: number }>('SELECT table_id FROM partitions WHERE id = ?').get(partitionId);
  const table = row === undefined ? undefined : getTable(catalog, { id: row.table_id });
  if (table === undefined) throw new JobStatusError('COMMON_ERROR', `partition ${partitionId} has been dropped`);
  return table.columns;
}

/** Part 1 (async): verify the staged content and link it into every replica under fresh rowset ids. */
export async function placeRestore(deps: PublishDeps, plan: RestorePlan): Promise<PlacedRestore> {
  const { catalog, store } = deps;
  const meta = plan.meta as unknown as RestorePlanMeta;
  const targets = plan.targets as readonly JobRestoreTarget[];
  const staged = await Promise.all(targets.map((t) => readStaged(meta, t)));
  verifyStaged(meta, staged);
  const backendDirs = new Map(store.backends.map((b) => [b.id, b.dir]));
  const created: string[] = [];
  const tablets: IngestedTablet[] = new Array(staged.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < staged.length; i = next++) {
      const s = staged[i] as Staged;
      const n = s.header.rowsets.length;
      const first = n > 0 ? catalog.nextId(n) : 0;
      // Segment files name their columns by the source table's ids; map them to the target's (schema-map.ts).
      const target = targetColumns(catalog, s.target.partitionId);
      const rowsets = await Promise.all(s.header.rowsets.map(async (r, j) => ({
        rowsetId: first + j,
        version: r.version,
        kind: r.kind,
        sources: r.files.map((f) => f.name),
        files: await Promise.all(r.files.map(async (f, k): Promise<SegmentFileMeta> => {
          const ids = f.columnIds ?? Array.from({ length: await segmentColumnCount(path.join(s.dir, f.name)) }, (_, c) => c + 1);
          return { ...f, name: segmentFileName(first + j, k), columnIds: translateColumnIds(ids, s.header.columns, target) };
        })),
      })));
      for (const replica of listReplicas(catalog, { tabletId: s.target.tabletId })) {
        const be = backendDirs.get(replica.backendId);
        if (be === undefined) throw new Error(`restore: unknown backend ${replica.backendId}`);
        const dir = tabletDir(be, s.target.tabletId);
        await fsp.mkdir(dir, { recursive: true });
        for (const r of rowsets) {
          for (const [k, f] of r.files.entries()) {
            const to = path.join(dir, f.name);
            created.push(to);
            await fsp.rm(to, { force: true });
            await linkOrCopy(path.join(s.dir, r.sources[k] as string), to);
          }
        }
        await fsyncDir(dir);
      }
      tablets[i] = { tabletId: s.target.tabletId, rowsets: rowsets.map(({ sources: _, ...r }) => r) };
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(PLACE_CONCURRENCY, staged.length) }, worker));
  } catch (error) {
    await Promise.all(created.map((f) => fsp.rm(f, { force: true })));
    throw error;
  }
  return { tablets, created };
}

/** Part 2 (synchronous, inside the FINISHED transaction): catalog writes only; `plan.meta` is a RestorePlanMeta. */
export function publishRestore(deps: PublishDeps, plan: RestorePlan, placed: PlacedRestore): void {
  const { catalog } = deps;
  const meta = plan.meta as unknown as RestorePlanMeta;
  try {
    const tablets = placed.tablets;
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
    // The transaction rolls back; the placed links would be swept at the next open anyway, but go now.
    for (const f of placed.created) rmSync(f, { force: true });
    throw error;
  }
}
