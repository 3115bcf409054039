import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Catalog } from '../catalog/catalog.ts';
import {
  commitIngest, createTable, dropTable, getTable, listReplicas, publishInvisible, setTableState,
} from '../catalog/index.ts';
import type { IngestedTablet } from '../catalog/ops/commit-ingest.ts';
import type { JsonValue } from '../catalog/jobs-types.ts';
import type { ColumnMeta, SegmentFileMeta } from '../catalog/model.ts';
import { segmentColumnCount, translateColumnIds } from '../storage/schema-map.ts';
import type { TableStore } from '../storage/index.ts';
import { segmentFileName, tabletDir } from '../storage/layout.ts';
import { fsPool, unwrap, type FsOp } from '../util/fs-pool.ts';
import { combineContentStats, compareContentStats, type ContentStats } from './meta-checksum.ts';
import { downloadedName, type MovedTablet } from './restore-transfer.ts';
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
  readonly moved: MovedTablet;
  readonly stats: ContentStats;
}

/**
 * Compare each partition's restored content — rows and content checksum recomputed from the downloaded files, file
 * checksum from their md5s — with the backup's record; the first mismatch fails the job before anything is published.
 */
export function verifyStaged(meta: RestorePlanMeta, staged: readonly Pick<Staged, 'target' | 'stats'>[]): void {
  const byPartition = new Map<number, ContentStats[]>();
  for (const s of staged) {
    const list = byPartition.get(s.target.partitionId);
    if (list === undefined) byPartition.set(s.target.partitionId, [s.stats]);
    else list.push(s.stats);
  }
  for (const e of meta.expected) {
    const got = combineContentStats(byPartition.get(e.partitionId) ?? []);
    const problem = compareContentStats(e, got);
    if (problem !== undefined) {
      throw new JobStatusError(
        'BAD_FILE',
        `restored content of partition ${e.partition} of table ${e.table} does not match the backup: ${problem}. The snapshot's data was changed after the backup; restore another snapshot`,
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

/** Links made per batch: bounds a batch's memory, not the parallelism (the pool's threads are few anyway). */
const PLACE_BATCH = 4096;

function targetColumns(catalog: Catalog, partitionId: number): readonly ColumnMeta[] {
  const row = catalog.prepare<[number], { table_id: number }>('SELECT table_id FROM partitions WHERE id = ?').get(partitionId);
  const table = row === undefined ? undefined : getTable(catalog, { id: row.table_id });
  if (table === undefined) throw new JobStatusError('COMMON_ERROR', `partition ${partitionId} has been dropped`);
  return table.columns;
}

/**
 * Part 1 (async): verify the moved tablets against the backup's row counts and checksums, and link their downloaded
 * files into every replica under fresh rowset ids — batches off the event loop, file descriptors bounded by the
 * pool's threads whatever the tablet count — then make the links durable with one flush of the data dir's file
 * system (`sync`), before the catalog commit that makes them visible.
 */
export async function placeRestore(
  deps: PublishDeps,
  plan: RestorePlan,
  moved: ReadonlyMap<number, JsonValue>,
  sync: () => Promise<void>,
  signal?: AbortSignal,
): Promise<PlacedRestore> {
  const { catalog, store } = deps;
  const meta = plan.meta as unknown as RestorePlanMeta;
  const targets = plan.targets as readonly JobRestoreTarget[];
  const staged: Staged[] = targets.map((target) => {
    const m = moved.get(target.tabletId) as unknown as MovedTablet | undefined;
    if (m === undefined || !Array.isArray(m.rowsets)) {
      throw new JobStatusError('COMMON_ERROR', `restored files of tablet ${target.tabletId} are missing; run the RESTORE again`);
    }
    return { target, moved: m, stats: m.stats };
  });
  verifyStaged(meta, staged);
  const backendDirs = new Map(store.backends.map((b) => [b.id, b.dir]));
  // Segment files name their columns by the source table's ids (files from before schema change: 1..n by position);
  // the target's ids of the same positions replace them (schema-map.ts). Read before the catalog transaction.
  const fileIds = await Promise.all(staged.map(async (s) => {
    const target = targetColumns(catalog, s.target.partitionId);
    const source = s.moved.columns ?? target;
    return Promise.all(s.moved.rowsets.map((r) => Promise.all(r.files.map(async (f) => {
      const ids = f.columnIds ?? Array.from({ length: await segmentColumnCount(path.join(s.moved.dir, downloadedName(s.target.tabletId, f.name))) }, (_, c) => c + 1);
      return translateColumnIds(ids, source, target);
    }))));
  }));
  const total = staged.reduce((n, s) => n + s.moved.rowsets.length, 0);
  let nextRowset = total > 0 ? catalog.nextId(total) : 0;
  const ops: FsOp[] = [];
  // One read transaction for the replica lookups of every tablet.
  const tablets: IngestedTablet[] = catalog.db.transaction(() => staged.map((s, i) => {
    const rowsets = s.moved.rowsets.map((r, j) => {
      const rowsetId = nextRowset++;
      const ids = fileIds[i]?.[j] ?? [];
      return {
        rowsetId,
        version: r.version,
        kind: r.kind,
        sources: r.files.map((f) => f.name),
        files: r.files.map((f, k): SegmentFileMeta => ({ ...f, name: segmentFileName(rowsetId, k), columnIds: ids[k] as number[] })),
      };
    });
    for (const replica of listReplicas(catalog, { tabletId: s.target.tabletId })) {
      const be = backendDirs.get(replica.backendId);
      if (be === undefined) throw new Error(`restore: unknown backend ${replica.backendId}`);
      const dir = tabletDir(be, s.target.tabletId);
      ops.push({ op: 'mkdirp', path: dir });
      for (const r of rowsets) {
        for (const [k, f] of r.files.entries()) {
          const to = path.join(dir, f.name);
          const from = path.join(s.moved.dir, downloadedName(s.target.tabletId, r.sources[k] as string));
          ops.push({ op: 'put', from, to, tmp: `${to}.tmp`, replace: true, copy: true, link: true });
        }
      }
    }
    return { tabletId: s.target.tabletId, rowsets: rowsets.map(({ sources: _, ...r }) => r) };
  })).deferred();
  const created = ops.flatMap((op) => (op.op === 'put' ? [op.to] : []));
  try {
    for (let i = 0; i < ops.length; i += PLACE_BATCH) {
      const results = await fsPool().run(ops.slice(i, i + PLACE_BATCH), signal === undefined ? {} : { signal });
      for (const r of results) unwrap(r);
    }
    await sync();
  } catch (error) {
    await fsPool().run(created.map((f) => ({ op: 'unlink', path: f }))).catch(() => undefined);
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
