import path from 'node:path';
import type { JsonValue } from '../catalog/jobs-types.ts';
import type { Repository, FetchItem } from '../repository/repository.ts';
import type { SnapshotHeader } from '../storage/index.ts';
import { fsPool, unwrap, type FsOp } from '../util/fs-pool.ts';
import type { SyncBarrier } from '../util/sync-barrier.ts';
import { isBrokerError } from '../brokers/broker.ts';
import { localWriteError } from '../storage/fs-util.ts';
import { hashSegmentFiles } from '../storage/segment/content-hash-worker.ts';
import { manifestStats, type ContentStats } from './meta-checksum.ts';
import type { FileEntry, RestoreTarget, TabletSnapshot, TransferIO } from './steps.ts';
import { JobStatusError } from './status.ts';

/**
 * RESTORE's file work: download the files of a chunk of tablets into the job's download directory of each backend
 * (md5-verified, one batch, one file-system flush before any is reported done), then check each tablet's files
 * against its header. The download directory is a snapshot directory the store's orphan sweep never touches, so a
 * crash anywhere up to the publish loses nothing; the files are linked into the replicas only just before publish.
 */

/** Name of a downloaded file in the job's download directory (shared by the tablets of a backend). */
export function downloadedName(tabletId: number, name: string): string {
  return `${tabletId}-${name}`;
}

/**
 * Download every pending file of `tablets` (BE's SnapshotLoader::download): `<repo>/<remoteDir>/<name>.<md5>` →
 * `<download dir>/<tabletId>-<name>`, copied with the md5 of every byte computed in the same pass off the event loop. A mismatch is permanent (`invalid md5 of
 * downloaded file: …`); broker errors keep their `retryable` flag so the engine retries transient ones. Files are
 * reported done once `barrier` flushed them.
 */
export async function downloadTablets(
  repo: Repository,
  tablets: readonly TabletSnapshot<RestoreTarget>[],
  io: TransferIO,
  barrier: SyncBarrier,
): Promise<void> {
  const items: FetchItem[] = [];
  const owners: { tabletId: number; name: string }[] = [];
  for (const t of tablets) {
    // Files an incremental snapshot references are read where the reference resolved (FileEntry.source).
    const sources = new Map(t.target.files.flatMap((f) => (f.source === undefined ? [] : [[f.name, f.source] as const])));
    for (const f of io.pending.get(t.target.tabletId) ?? []) {
      const source = sources.get(f.name);
      items.push({
        key: `${t.target.remoteDir}/${f.name}`,
        md5: f.md5,
        localPath: path.join(t.snapshot.dir, downloadedName(t.target.tabletId, f.name)),
        ...(source === undefined ? {} : { storedKey: source }),
      });
      owners.push({ tabletId: t.target.tabletId, name: f.name });
    }
  }
  if (items.length === 0) return;
  const ticket = barrier.enter();
  let got: string[];
  try {
    let reported = 0;
    got = await repo.fetchFiles(items, {
      signal: io.signal,
      mayExist: true,
      onBytes: (bytes) => {
        if (bytes > reported) io.addBytes(bytes - reported);
        reported = Math.max(reported, bytes);
      },
    });
    const bad = items.findIndex((item, i) => got[i] !== item.md5);
    if (bad >= 0) {
      const item = items[bad] as FetchItem;
      await fsPool().run([{ op: 'unlink', path: item.localPath }]);
      throw new JobStatusError('BAD_FILE', `invalid md5 of downloaded file: ${item.localPath}, expected: ${item.md5}, get: ${got[bad] ?? ''}`);
    }
  } catch (error) {
    ticket.leave();
    // A full or read-only local disk is named as such (and is not retried); the repository's errors stay as they are.
    throw isBrokerError(error) || error instanceof JobStatusError ? error : localWriteError(error, path.dirname(items[0]?.localPath ?? '.'));
  }
  await ticket.durable();
  owners.forEach((o) => io.fileDone(o.tabletId, o.name));
}

/** What the move task of a tablet records: what publishing it takes, checked against its downloaded files. */
export type MovedTablet = {
  /** The download directory holding `<tabletId>-<name>` files. */
  readonly dir: string;
  /** Version in the snapshot header. */
  readonly version: number;
  /** The header's rowsets (source file names, sizes, md5s, rows). */
  readonly rowsets: SnapshotHeader['rowsets'];
  /** Rows and content checksum recomputed from the downloaded files, and the sum of their md5s (meta-checksum.ts). */
  readonly stats: ContentStats;
  /** The header's column ids in order (the source table's numbering, which the segment files use). */
  readonly columns?: readonly { readonly id?: number }[];
};

/** Whether a snapshot file is a tablet header (read at COMMIT straight from the repository, never downloaded). */
export function isHeaderFile(name: string): boolean {
  return name.endsWith('.hdr');
}

/**
 * COMMITTING, for a chunk of tablets: read each tablet's header from the repository (md5-verified; small, so it is
 * never written locally), check that every file it lists was downloaded with its size (each was md5-verified
 * when downloaded), in one batch each, and recompute every segment's rows and content hash from its bytes (one read
 * of the local, just-written files on the hashing worker). Nothing is written.
 */
export async function checkDownloaded(
  repo: Pick<Repository, 'readSmallFiles'>,
  items: readonly TabletSnapshot<RestoreTarget>[],
  signal: AbortSignal,
  checkSchema?: (tablet: TabletSnapshot<RestoreTarget>, header: SnapshotHeader, headerName: string, localPath: (name: string) => string) => Promise<void>,
): Promise<JsonValue[]> {
  const headerOf = (t: TabletSnapshot<RestoreTarget>): FileEntry => {
    const headers = t.target.files.filter((f) => isHeaderFile(f.name));
    if (headers.length !== 1) {
      throw new JobStatusError('BAD_FILE', `snapshot tablet ${t.target.remoteTabletId} must hold exactly one .hdr file, found ${headers.length}`);
    }
    return headers[0] as FileEntry;
  };
  const texts = await repo.readSmallFiles(
    items.map((t) => {
      const h = headerOf(t);
      return { key: `${t.target.remoteDir}/${h.name}`, md5: h.md5, ...(h.source === undefined ? {} : { storedKey: h.source }) };
    }),
    signal,
  );
  const headers = items.map((t, i) => {
    const header = JSON.parse((texts[i] as Buffer).toString('utf8')) as SnapshotHeader;
    if (header.format !== 'tablevault-tablet-snapshot' || header.formatVersion !== 1) {
      throw new JobStatusError('BAD_FILE', `the header of snapshot tablet ${t.target.remoteTabletId} is not a tablevault tablet snapshot header`);
    }
    return header;
  });
  const stats: FsOp[] = [];
  items.forEach((t, i) => {
    for (const r of (headers[i] as SnapshotHeader).rowsets) {
      for (const f of r.files) stats.push({ op: 'stat', path: path.join(t.snapshot.dir, downloadedName(t.target.tabletId, f.name)) });
    }
  });
  const sizes = await fsPool().run(stats, { signal });
  let k = 0;
  items.forEach((t, i) => {
    for (const r of (headers[i] as SnapshotHeader).rowsets) {
      for (const f of r.files) {
        const st = unwrap<{ size: number } | null>(sizes[k++]);
        if (st === null) throw new JobStatusError('BAD_FILE', `snapshot file ${f.name} is missing in ${t.snapshot.dir}`);
        if (st.size !== f.size) throw new JobStatusError('BAD_FILE', `snapshot file ${f.name} has ${st.size} bytes, expected ${f.size}`);
      }
    }
  });
  // The rows themselves: every segment's rows and content hash recomputed from the downloaded bytes (on the hashing
  // worker), summed per tablet; the partition sums are compared with the backup's record before anything is placed.
  const hashes = await hashSegmentFiles(stats.map((op) => (op as { path: string }).path), signal);
  k = 0;
  const moved = items.map((t, i) => {
    const header = headers[i] as SnapshotHeader;
    const rowsets = header.rowsets.map((r) => ({
      ...r,
      files: r.files.map((f) => {
        const h = hashes[k++];
        if (h === undefined || !h.ok) {
          throw new JobStatusError('BAD_FILE', `snapshot file ${f.name} of tablet ${t.target.remoteTabletId} cannot be read as a segment: ${h?.ok === false ? h.message : 'no result'}`);
        }
        return { ...f, rows: h.value.rows, contentHash: h.value.hash };
      }),
    }));
    const one: MovedTablet = {
      // The manifest keeps what was recomputed from the files (their md5s were verified as they were downloaded).
      dir: t.snapshot.dir, version: header.version, rowsets, stats: manifestStats(rowsets),
      columns: header.columns.map((c) => (c.id === undefined ? {} : { id: c.id })),
    };
    return one as unknown as JsonValue;
  });
  // Every file is there with its size: now the schema its header and segments carry (an edited __meta is refused).
  if (checkSchema !== undefined) {
    for (const [i, t] of items.entries()) {
      signal.throwIfAborted();
      await checkSchema(t, headers[i] as SnapshotHeader, headerOf(t).name, (name) => path.join(t.snapshot.dir, downloadedName(t.target.tabletId, name)));
    }
  }
  return moved;
}
