import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Catalog } from '../catalog/catalog.ts';
import { findKeptSnapshot, type LocalSnapshotRow } from '../catalog/local-snapshots.ts';
import { parseBackupMeta, type BackupMeta } from '../repository/backup-meta.ts';
import { parseJobInfo, type BackupJobInfo } from '../repository/job-info.ts';
import { PREFIX_JOB_INFO } from '../repository/layout.ts';
import { md5Hex } from '../repository/md5.ts';
import { fsPool, type FsOp } from '../util/fs-pool.ts';
import { keptMetaDir } from './local-snapshots.ts';
import { downloadedName } from './restore-transfer.ts';
import { JobStatusError } from './status.ts';
import type { RestoreTarget, TabletSnapshot, TransferIO } from './steps.ts';

/**
 * `RESTORE … PROPERTIES ("source" = "local")`: the same job as a restore from the repository — plan, download
 * directory, COMMIT checks, one publish transaction — except that the snapshot's info and meta files are the copies
 * kept beside the local snapshot (local-snapshots.ts) and "downloading" hard-links the kept files into the job's
 * download directory. Nothing is read from the repository. A snapshot that is not kept, or no longer complete, fails
 * with a message that says to restore from the repository instead.
 */

/** The value of the `source` property that selects a local restore. */
export const LOCAL_SOURCE = 'local';

/** What a local restore reads instead of the repository. */
export interface LocalSnapshotSource {
  readonly info: BackupJobInfo;
  readonly meta: BackupMeta;
  /** Kept tablet snapshots by the snapshot's tablet id. */
  readonly tablets: ReadonlyMap<number, LocalSnapshotRow>;
}

const fromRepository = 'Restore from the repository instead (leave out "source" = "local")';

function notKept(label: string, timestamp: string, why: string): JobStatusError {
  return new JobStatusError('COMMON_ERROR', `The local snapshot of ${label} (backup_timestamp ${timestamp}) ${why}. ${fromRepository}`, { final: true });
}

/** The kept snapshot of `label` at `timestamp` (a prefix, as backup_timestamp is): info, meta and tablets. */
export async function readLocalSnapshot(catalog: Catalog, dataDir: string, repoName: string, label: string, timestamp: string): Promise<LocalSnapshotSource> {
  const rows = findKeptSnapshot(catalog, repoName, label, timestamp);
  if (rows.length === 0) throw notKept(label, timestamp, `is not kept on this instance (keep_local_snapshots of repository ${repoName} keeps the most recent backups of each table)`);
  const dir = keptMetaDir(dataDir, (rows[0] as LocalSnapshotRow).jobId);
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  const infoName = names.find((n) => n.startsWith(`${PREFIX_JOB_INFO}${timestamp}`));
  if (infoName === undefined || !names.includes('__meta')) throw notKept(label, timestamp, `is incomplete: its info or meta file is gone from ${dir}`);
  try {
    const info = parseJobInfo(await fsp.readFile(path.join(dir, infoName), 'utf8'));
    const meta = parseBackupMeta(await fsp.readFile(path.join(dir, '__meta'), 'utf8'));
    return { info, meta, tablets: new Map(rows.map((r) => [r.tabletId, r])) };
  } catch (error) {
    throw notKept(label, timestamp, `is incomplete: its info or meta file cannot be read (${(error as Error).message})`);
  }
}

/** The kept row of a restore target's tablet, or a final error naming it. */
function rowOf(source: LocalSnapshotSource, label: string, timestamp: string, t: RestoreTarget): LocalSnapshotRow {
  const row = source.tablets.get(t.remoteTabletId);
  if (row === undefined) throw notKept(label, timestamp, `is incomplete: tablet ${t.remoteTabletId} was not kept`);
  return row;
}

/**
 * DOWNLOADING from the kept snapshot: hard-link each pending file into the job's download directory (a copy where a
 * link is impossible), check its size, make the directories durable, then report the files done.
 */
export async function linkKeptTablets(
  source: LocalSnapshotSource,
  dataDir: string,
  names: { readonly label: string; readonly timestamp: string },
  tablets: readonly TabletSnapshot<RestoreTarget>[],
  io: TransferIO,
): Promise<void> {
  const ops: FsOp[] = [];
  const done: { tabletId: number; name: string; size: number }[] = [];
  for (const t of tablets) {
    const row = rowOf(source, names.label, names.timestamp, t.target);
    for (const f of io.pending.get(t.target.tabletId) ?? []) {
      const kept = row.files.find((k) => k.name === f.name && k.md5 === f.md5 && k.size === f.size);
      if (kept === undefined) throw notKept(names.label, names.timestamp, `is incomplete: file ${f.name} of tablet ${t.target.remoteTabletId} was not kept`);
      const to = path.join(t.snapshot.dir, downloadedName(t.target.tabletId, f.name));
      ops.push({ op: 'put', from: path.join(dataDir, row.dir, f.name), to, tmp: `${to}.tmp`, replace: true, copy: true, link: true });
      done.push({ tabletId: t.target.tabletId, name: f.name, size: f.size });
    }
  }
  if (ops.length === 0) return;
  const results = await fsPool().run(ops, { signal: io.signal });
  const failed = results.findIndex((r) => !r.ok);
  if (failed >= 0) {
    const r = results[failed] as { code: string; message: string };
    const what = done[failed];
    throw notKept(names.label, names.timestamp, `is incomplete: file ${what?.name ?? '?'} of tablet ${what?.tabletId ?? '?'} cannot be linked (${r.code}: ${r.message})`);
  }
  const stats = await fsPool().run(ops.map((o): FsOp => ({ op: 'stat', path: (o as { to: string }).to })));
  stats.forEach((r, i) => {
    const st = r.ok ? (r.value as { size: number } | null) : null;
    const want = done[i];
    if (want !== undefined && st?.size !== want.size) {
      throw notKept(names.label, names.timestamp, `is incomplete: file ${want.name} has ${st?.size ?? 'no'} bytes, expected ${want.size}`);
    }
  });
  // The links are new names of durable files: making their directories durable makes them durable.
  const dirs = [...new Set(tablets.map((t) => t.snapshot.dir))];
  for (const r of await fsPool().run(dirs.map((d): FsOp => ({ op: 'fsync', path: d })))) if (!r.ok) throw new Error(`fsync ${r.message}`);
  for (const d of done) {
    io.addBytes(d.size, d.tabletId);
    io.fileDone(d.tabletId, d.name);
  }
}

/** COMMITTING's header reads, from the kept snapshot (md5-checked, as the repository's would be). */
export function keptHeaderReader(
  source: LocalSnapshotSource,
  dataDir: string,
  names: { readonly label: string; readonly timestamp: string },
  items: readonly TabletSnapshot<RestoreTarget>[],
): { readSmallFiles(files: readonly { key: string; md5: string }[], signal?: AbortSignal): Promise<Buffer[]> } {
  const byKey = new Map<string, string>();
  for (const t of items) {
    const row = rowOf(source, names.label, names.timestamp, t.target);
    for (const f of row.files) byKey.set(`${t.target.remoteDir}/${f.name}`, path.join(dataDir, row.dir, f.name));
  }
  return {
    async readSmallFiles(files) {
      return Promise.all(
        files.map(async (f) => {
          const at = byKey.get(f.key);
          const bytes = at === undefined ? null : await fsp.readFile(at).catch(() => null);
          if (bytes === null || md5Hex(bytes) !== f.md5) {
            throw notKept(names.label, names.timestamp, `is incomplete: ${path.basename(f.key)} is missing or changed`);
          }
          return bytes;
        }),
      );
    },
  };
}
