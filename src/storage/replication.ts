/**
 * Changing a partition's replica count for real (ALTER TABLE … SET ("replication_num" = "n")): a new replica gets
 * every file of its tablet linked (or copied) from a healthy replica into its backend's tablet directory, fsynced,
 * before the catalog lists it; a removed replica is unlisted first and its directory deleted by garbage collection
 * once no reader holds it. Backends are chosen least-loaded first among those not holding the tablet.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { listReplicas } from '../catalog/ops/list-replicas.ts';
import { listTablets } from '../catalog/ops/list-tablets.ts';
import { setReplicas } from '../catalog/ops/set-replicas.ts';
import { ddlError } from '../errors/index.ts';
import type { RowsetRow } from '../catalog/rows.ts';
import type { SegmentFileMeta } from '../catalog/model.ts';
import { backendDir, type StoreContext } from './context.ts';
import { fsyncDir, linkOrCopy } from './fs-util.ts';
import { tabletDir } from './layout.ts';

/** Give every tablet of `partitionIds` exactly `n` replicas. The caller holds the table lock (no load runs). */
export async function setReplicationNum(ctx: StoreContext, partitionIds: readonly number[], n: number): Promise<{ added: number; removed: number }> {
  const catalog = ctx.catalog;
  const backends = [...ctx.backendDirs.keys()];
  if (!Number.isInteger(n) || n < 1) throw ddlError(`Invalid replication_num: ${n}. It must be a positive integer.`);
  if (n > backends.length) {
    throw ddlError(
      `Table replication num should be less than or equal to the number of available BE nodes. Current alive backend is [${backends.length}], ` +
        `replication_num is ${n}. Use at most ${backends.length} or start tablevault with more backends (--backends).`,
    );
  }
  const load = new Map(backends.map((b) => [b, 0]));
  for (const r of catalog.prepare<[], { backend_id: number; n: number }>('SELECT backend_id, count(*) AS n FROM replicas GROUP BY backend_id').all()) {
    load.set(r.backend_id, r.n);
  }
  // A tablet directory still queued for deletion (a replica removed before) must not receive a new replica: the
  // collection would delete its files.
  const trashed = new Set(
    catalog.prepare<[], { backend_id: number; path: string }>('SELECT backend_id, path FROM trash').all().map((t) => `${t.backend_id}:${t.path}`),
  );
  const added: { tabletId: number; backendId: number; version: number; files: string[]; from: string }[] = [];
  const removed: number[] = [];
  for (const partitionId of partitionIds) {
    const version = catalog.prepare<[number], { visible_version: number }>('SELECT visible_version FROM partitions WHERE id = ?').get(partitionId)?.visible_version;
    if (version === undefined) throw ddlError(`Partition ${partitionId} was dropped`);
    for (const tablet of listTablets(catalog, { partitionId })) {
      const replicas = listReplicas(catalog, { tabletId: tablet.id });
      if (replicas.length > n) {
        // Unhealthy replicas go first, then the newest.
        const order = [...replicas].sort((a, b) => (a.version >= version ? 1 : 0) - (b.version >= version ? 1 : 0) || b.id - a.id);
        for (const r of order.slice(0, replicas.length - n)) {
          removed.push(r.id);
          load.set(r.backendId, (load.get(r.backendId) ?? 1) - 1);
        }
        continue;
      }
      if (replicas.length === n) continue;
      const source = replicas.find((r) => r.version >= version);
      if (source === undefined) throw ddlError(`tablet ${tablet.id} has no healthy replica to copy from at version ${version}`);
      const files = catalog
        .prepare<[number], Pick<RowsetRow, 'files'>>('SELECT files FROM rowsets WHERE tablet_id = ?')
        .all(tablet.id)
        .flatMap((r) => (JSON.parse(r.files) as SegmentFileMeta[]).map((f) => f.name));
      const holding = new Set(replicas.map((r) => r.backendId));
      for (let k = replicas.length; k < n; k++) {
        const free = backends.filter((b) => !holding.has(b) && !trashed.has(`${b}:data/${tablet.id}`));
        const backendId = free.sort((a, b) => (load.get(a) ?? 0) - (load.get(b) ?? 0) || a - b)[0];
        if (backendId === undefined) {
          throw ddlError(`tablet ${tablet.id} cannot get another replica until the replica removed from it is collected; run the ALTER again in a moment`);
        }
        holding.add(backendId);
        load.set(backendId, (load.get(backendId) ?? 0) + 1);
        added.push({ tabletId: tablet.id, backendId, version, files, from: tabletDir(backendDir(ctx, source.backendId), tablet.id) });
      }
    }
  }
  const created: string[] = [];
  try {
    for (const a of added) {
      const dir = tabletDir(backendDir(ctx, a.backendId), a.tabletId);
      await fsp.mkdir(dir, { recursive: true });
      for (const f of a.files) {
        const to = path.join(dir, f);
        created.push(to);
        await linkOrCopy(path.join(a.from, f), to);
      }
      await fsyncDir(dir);
    }
    setReplicas(catalog, {
      partitionIds,
      replicationNum: n,
      added: added.map(({ tabletId, backendId, version }) => ({ tabletId, backendId, version })),
      removed,
    });
  } catch (error) {
    await Promise.all(created.map((f) => fsp.rm(f, { force: true })));
    throw error;
  }
  if (removed.length > 0) ctx.requestGc();
  return { added: added.length, removed: removed.length };
}
