/**
 * Orphan sweep, run by TableStore.open and only there. A load writes its segment files into tablet directories
 * before its catalog commit makes them referenced, so while loads may be running, "unreferenced" does not mean
 * "orphan". At open no load of this process can be in flight yet, and a crashed process's half loads are exactly
 * the unreferenced files. (One process owns a data dir at a time: the data-dir lock.) Snapshot directories are left
 * alone: the jobs layer decides which are owned (listSnapshotDirs / releaseSnapshot).
 *
 * The sweep deletes only what it can prove is its own: a backend directory whose OWNER file names this data dir's
 * identity (a directory shared with another data dir — a copy's symlink — is skipped and reported), and inside it
 * only names the store itself makes: `tmp/*.tmp`, `data/<tabletId>/` and `data/<tabletId>/<rowsetId>_<n>.dat`.
 * Anything else found there is logged and left in place.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { StoreContext } from './context.ts';
import { readdirSafe } from './fs-util.ts';
import { readOwner } from './identity.ts';
import { DATA_DIR, TMP_DIR } from './layout.ts';

/** What a sweep removed (and left). */
export interface SweepReport {
  /** Temp files removed. */
  readonly tempFiles: number;
  /** Unreferenced segment files removed. */
  readonly orphanFiles: number;
  /** Tablet directories removed (no replica of the tablet on that backend). */
  readonly orphanTabletDirs: number;
  /** Entries left alone because the store does not make such names (or the backend is not provably ours). */
  readonly foreignEntries: number;
}

const TABLET_DIR = /^\d+$/;
const SEGMENT_FILE = /^\d+_\d+\.dat$/;
const TEMP_FILE = /\.tmp$/;

export async function sweepOrphans(ctx: StoreContext): Promise<SweepReport> {
  let tempFiles = 0;
  let orphanFiles = 0;
  let orphanTabletDirs = 0;
  const foreign: string[] = [];
  for (const [backendId, be] of ctx.backendDirs) {
    const owner = await readOwner(be);
    if (owner !== ctx.identity) {
      ctx.logger.warn({ backend: be, owner, identity: ctx.identity }, 'backend directory is not provably ours: not swept');
      foreign.push(be);
      continue;
    }
    for (const name of await readdirSafe(path.join(be, TMP_DIR))) {
      if (!TEMP_FILE.test(name)) {
        foreign.push(path.join(be, TMP_DIR, name));
        continue;
      }
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
      const dir = path.join(data, entry);
      if (!TABLET_DIR.test(entry)) {
        foreign.push(dir);
        continue;
      }
      const keep = referenced.get(Number(entry));
      const files = await readdirSafe(dir);
      const strangers = files.filter((f) => !SEGMENT_FILE.test(f));
      if (keep === undefined && strangers.length === 0) {
        await fsp.rm(dir, { recursive: true, force: true });
        orphanTabletDirs++;
        continue;
      }
      for (const file of files) {
        if (!SEGMENT_FILE.test(file)) {
          foreign.push(path.join(dir, file));
          continue;
        }
        if (keep?.has(file) === true) continue;
        await fsp.rm(path.join(dir, file), { force: true });
        orphanFiles++;
      }
    }
  }
  if (foreign.length > 0) ctx.logger.warn({ entries: foreign.slice(0, 20), count: foreign.length }, 'left unknown entries in backend directories alone');
  const report = { tempFiles, orphanFiles, orphanTabletDirs, foreignEntries: foreign.length };
  if (tempFiles + orphanFiles + orphanTabletDirs > 0) ctx.logger.info(report, 'swept orphan files');
  return report;
}
