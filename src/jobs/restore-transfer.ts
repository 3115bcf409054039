import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { createWriteStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Repository } from '../repository/repository.ts';
import { HashTap } from '../repository/md5.ts';
import { readSnapshotHeader, type SnapshotHeader } from '../storage/index.ts';
import { isBrokerError } from '../brokers/broker.ts';
import { fsyncDir, hashFile, linkOrCopy, localWriteError } from '../storage/fs-util.ts';
import { manifestStats, type ContentStats } from './meta-checksum.ts';
import type { FileEntry, LocalSnapshot, RestoreTarget, TabletSnapshot, TransferIO } from './steps.ts';
import { JobStatusError } from './status.ts';

/**
 * RESTORE's file work: download a tablet's files into its local snapshot dir (md5-verified, temp name then rename,
 * resumable), then stage them — hard links plus the header and the tablet's content stats — in a directory the
 * store's orphan sweep never touches, so a crash between COMMIT and FINISHED loses nothing and publish can link
 * them into the replicas synchronously.
 */

/** File names inside a staged tablet directory. */
export const STAGED_HEADER = 'header.json';
export const STAGED_STATS = 'stats.json';
/** Written last: a staged tablet without it is incomplete and staged again. */
export const STAGED_READY = 'READY';

/** Whether `file` already holds exactly `entry` (a download finished before a crash, not yet journaled). */
async function alreadyThere(file: string, entry: FileEntry): Promise<boolean> {
  const stat = await fsp.stat(file).catch(() => null);
  if (stat === null || !stat.isFile() || (entry.size > 0 && stat.size !== entry.size)) return false;
  return (await hashFile(file)).md5 === entry.md5;
}

/**
 * Download every pending file of `tablets` (BE's SnapshotLoader::download): `<repo>/<remoteDir>/<name>.<md5>` →
 * `<snapshot dir>/<name>`, verifying the md5 in the same pass. A mismatch is permanent (`invalid md5 of downloaded
 * file: …`); broker errors keep their `retryable` flag so the engine retries transient ones.
 */
export async function downloadTablets(
  repo: Repository,
  tablets: readonly TabletSnapshot<RestoreTarget>[],
  io: TransferIO,
): Promise<void> {
  // Every concurrent download of the job (and each broker call) listens on the one job signal: not a leak.
  setMaxListeners(0, io.signal);
  for (const t of tablets) {
    const files = io.pending.get(t.target.tabletId) ?? [];
    if (files.length > 0) await fsp.mkdir(t.snapshot.dir, { recursive: true });
    for (const f of files) {
      io.signal.throwIfAborted();
      const local = path.join(t.snapshot.dir, f.name);
      if (await alreadyThere(local, f)) {
        io.fileDone(t.target.tabletId, f.name);
        continue;
      }
      const key = `${repo.root}/${t.target.remoteDir}/${f.name}.${f.md5}`;
      const tmp = `${local}.${randomBytes(4).toString('hex')}.tmp`;
      let reported = 0;
      const tap = new HashTap((total) => {
        io.addBytes(total - reported);
        reported = total;
      });
      try {
        const source = await repo.broker.read(key, { signal: io.signal });
        // An abort that lands after the stream ended (another task of the job failed) destroys it with an error
        // nobody listens to any more; swallow that one — the pipeline has its own listeners while it runs.
        source.on('error', () => undefined);
        await pipeline(source, tap, createWriteStream(tmp), { signal: io.signal });
        const got = tap.digest();
        if (got !== f.md5) {
          throw new JobStatusError('BAD_FILE', `invalid md5 of downloaded file: ${local}, expected: ${f.md5}, get: ${got}`);
        }
        const handle = await fsp.open(tmp, 'r');
        await handle.sync().finally(() => handle.close());
        await fsp.rename(tmp, local);
      } catch (error) {
        await fsp.rm(tmp, { force: true });
        // A full or read-only local disk is named as such (and is not retried); the repository's errors stay as they are.
        throw isBrokerError(error) ? error : localWriteError(error, local);
      }
      io.fileDone(t.target.tabletId, f.name);
    }
  }
}

/** The one `.hdr` of a downloaded tablet. */
async function headerOf(dir: string): Promise<SnapshotHeader> {
  const names = (await fsp.readdir(dir)).filter((n) => n.endsWith('.hdr'));
  if (names.length !== 1) {
    throw new JobStatusError('BAD_FILE', `downloaded tablet dir ${dir} must hold exactly one .hdr file, found ${names.length}`);
  }
  return readSnapshotHeader(path.join(dir, names[0] as string));
}

/**
 * Manifest stats of a staged tablet (rows and file md5s from its header), the same as BACKUP recorded for it; the
 * files themselves were md5-verified when downloaded and their sizes are checked while staging.
 */
function stagedStats(header: SnapshotHeader): ContentStats {
  return manifestStats(header.rowsets);
}

/**
 * COMMITTING, per tablet: hard-link the downloaded files into `<staging>/<tabletId>/`, with the header and the
 * tablet's content stats; READY last. Idempotent: a staged tablet is left as is.
 */
export async function stageTablet(
  stagingDir: string,
  target: RestoreTarget,
  snapshot: LocalSnapshot,
  signal: AbortSignal,
): Promise<void> {
  const dir = path.join(stagingDir, String(target.tabletId));
  if ((await fsp.stat(path.join(dir, STAGED_READY)).catch(() => null)) !== null) return;
  await fsp.rm(dir, { recursive: true, force: true });
  await fsp.mkdir(dir, { recursive: true });
  const header = await headerOf(snapshot.dir);
  for (const rowset of header.rowsets) {
    for (const f of rowset.files) {
      signal.throwIfAborted();
      const from = path.join(snapshot.dir, f.name);
      const stat = await fsp.stat(from).catch(() => null);
      if (stat === null) throw new JobStatusError('BAD_FILE', `snapshot file ${f.name} is missing in ${snapshot.dir}`);
      if (stat.size !== f.size) throw new JobStatusError('BAD_FILE', `snapshot file ${f.name} has ${stat.size} bytes, expected ${f.size}`);
      await linkOrCopy(from, path.join(dir, f.name));
    }
  }
  const stats = stagedStats(header);
  try {
    await fsp.writeFile(path.join(dir, STAGED_HEADER), JSON.stringify(header));
    await fsp.writeFile(path.join(dir, STAGED_STATS), JSON.stringify(stats));
    await fsyncDir(dir);
    const ready = await fsp.open(path.join(dir, STAGED_READY), 'w');
    await ready.sync().finally(() => ready.close());
    await fsyncDir(dir);
  } catch (error) {
    throw localWriteError(error, dir);
  }
}
