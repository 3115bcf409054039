/**
 * Orphan sweep, run by TableStore.open and only there. A load writes its segment files into tablet directories
 * before its catalog commit makes them referenced, so while loads may be running, "unreferenced" does not mean
 * "orphan". At open no load of this process can be in flight yet, and a crashed process's half loads are exactly
 * the unreferenced files. (One process owns a data dir at a time.) Snapshot directories are left alone: the jobs
 * layer decides which are owned (listSnapshotDirs / releaseSnapshot).
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { StoreContext } from './context.ts';
import { readdirSafe } from './fs-util.ts';
import { DATA_DIR, TMP_DIR } from './layout.ts';

/** What a sweep removed. */
export interface SweepReport {
  /** Temp files removed. */
  readonly tempFiles: number;
  /** Unreferenced segment files removed. */
  readonly orphanFiles: number;
  /** Tablet directories removed (no replica of the tablet on that backend). */
  readonly orphanTabletDirs: number;
}

export async function sweepOrphans(ctx: StoreContext): Promise<SweepReport> {
  let tempFiles = 0;
  let orphanFiles = 0;
  let orphanTabletDirs = 0;
  for (const [backendId, be] of ctx.backendDirs) {
    for (const name of await readdirSafe(path.join(be, TMP_DIR))) {
      await fsp.rm(path.join(be, TMP_DIR, name), { recursive: true, force: true });
      tempFiles++;
    }
    const referenced = new Map<number, Set<string>>();
    for (const r of ctx.catalog
      .prepare<[number], { tablet_id: number }>('SELECT tablet_id FROM replicas WHERE backend_id = ?')
      .all(backendId)) {
      referenced.set(r.tablet_id, new Set());
    }
    const rows = ctx.catalog
      .prepare<[number], { tablet_id: number; name: string }>(
        `SELECT rs.tablet_id, json_extract(f.value, '$.name') AS name
         FROM rowsets rs JOIN replicas r ON r.tablet_id = rs.tablet_id, json_each(rs.files) f WHERE r.backend_id = ?`,
      )
      .all(backendId);
    for (const row of rows) referenced.get(row.tablet_id)?.add(row.name);
    const data = path.join(be, DATA_DIR);
    for (const entry of await readdirSafe(data)) {
      const keep = referenced.get(Number(entry));
      const dir = path.join(data, entry);
      if (keep === undefined || !/^\d+$/.test(entry)) {
        await fsp.rm(dir, { recursive: true, force: true });
        orphanTabletDirs++;
        continue;
      }
      for (const file of await readdirSafe(dir)) {
        if (keep.has(file)) continue;
        await fsp.rm(path.join(dir, file), { recursive: true, force: true });
        orphanFiles++;
      }
    }
  }
  const report = { tempFiles, orphanFiles, orphanTabletDirs };
  if (tempFiles + orphanFiles + orphanTabletDirs > 0) ctx.logger.info(report, 'swept orphan files');
  return report;
}
