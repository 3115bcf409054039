import { constants as fsConstants } from 'node:fs';
import { copyFile, mkdir, open, readdir, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';

import { BrokerError } from '../broker.ts';
import { abortedError, isAbortError } from '../streams.ts';
import type { TreeChild } from '../tree-walk.ts';

/** Filesystem primitives for the local adapter: durable renames, kernel copies, directory pruning, error mapping. */

/** What a failed filesystem call was doing: a missing path means NOT_FOUND only when we were reading it. */
export type LocalOp = 'read' | 'write';

export function mapLocalError(error: unknown, key: string, op: LocalOp, signal?: AbortSignal): BrokerError {
  if (error instanceof BrokerError) return error;
  if (signal?.aborted || isAbortError(error)) return abortedError(key, error);
  const code = (error as { code?: unknown } | null)?.code;
  const detail = error instanceof Error ? error.message : String(error);
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
    case 'EISDIR':
      if (op === 'read') return new BrokerError('NOT_FOUND', `No such file: ${JSON.stringify(key)}.`, { key, cause: error });
      return new BrokerError('IO', `Could not write ${JSON.stringify(key)}: ${detail}.`, { key, cause: error });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new BrokerError('ACCESS_DENIED', `Permission denied for ${JSON.stringify(key)}: ${detail}. Check the owner and mode of the repository directory.`, {
        key,
        retryable: false,
        cause: error,
      });
    case 'ENOSPC':
    case 'EDQUOT':
      return new BrokerError('IO', `No space left while writing ${JSON.stringify(key)}: ${detail}. Free space on the repository disk.`, {
        key,
        retryable: false,
        cause: error,
      });
    case 'ESTALE':
    case 'ETIMEDOUT':
    case 'EHOSTDOWN':
    case 'ENOTCONN':
      // Network filesystems (NFS/CIFS) report an unreachable server this way.
      return new BrokerError('UNREACHABLE', `The repository filesystem did not respond for ${JSON.stringify(key)}: ${detail}.`, { key, cause: error });
    default:
      return new BrokerError('IO', `Filesystem error on ${JSON.stringify(key)}: ${detail}.`, { key, cause: error });
  }
}

/** Directory levels makeDirectory creates at most (a bound, so a strange file system cannot keep it busy). */
const MAX_DIRECTORY_DEPTH = 256;
/** Walks makeDirectory makes before it calls a refusal permanent. */
const MKDIR_WALKS = 3;

/** Make the parent directory of `filePath` (and its parents). */
export async function mkdirFor(filePath: string): Promise<void> {
  await makeDirectory(path.dirname(filePath));
}

/**
 * `mkdir -p` that always ends. Node's `mkdir(…, { recursive: true })` loops forever (busy, at full CPU) when the
 * parent exists but the file system refuses the child with ENOENT, as /proc and /sys do; here every level is tried
 * at most twice, and a refusal is a permanent BrokerError naming the directory. A regular file in the way (ENOTDIR,
 * EEXIST on a non-directory) is reported as such.
 */
export async function makeDirectory(dirPath: string): Promise<void> {
  // A concurrent delete may prune a level we just made (see pruneEmptyDirectories): a few fresh walks tell that
  // race apart from a file system that never holds the directory.
  for (let attempt = 1; ; attempt++) {
    const refused = await makeOnce(dirPath);
    if (refused === null) return;
    if (attempt >= MKDIR_WALKS) throw cannotCreate(dirPath, refused, 'the file system refuses to create it (is the location on a pseudo file system such as /proc?)');
  }
}

/** One walk up to the first existing level and back down; the level the file system refused, or null when done. */
async function makeOnce(dirPath: string): Promise<string | null> {
  const missing: string[] = [];
  for (let current = dirPath; ; ) {
    const made = await tryMkdir(current);
    if (made !== 'missing-parent') break;
    const parent = path.dirname(current);
    if (parent === current || missing.length >= MAX_DIRECTORY_DEPTH) throw cannotCreate(dirPath, current, 'none of its parent directories exists');
    missing.push(current);
    current = parent;
  }
  for (const dir of missing.reverse()) {
    // The parent exists (or existed a moment ago), so ENOENT means this level was refused or its parent pruned.
    if ((await tryMkdir(dir)) === 'missing-parent') return dir;
  }
  return null;
}

async function tryMkdir(dir: string): Promise<'made' | 'exists' | 'missing-parent'> {
  try {
    await mkdir(dir);
    return 'made';
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') return 'missing-parent';
    if (code === 'EEXIST') {
      const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
      if (isDir) return 'exists';
      throw cannotCreate(dir, dir, 'a file (not a directory) already has that name');
    }
    if (code === 'ENOTDIR') throw cannotCreate(dir, dir, 'a parent of it is a regular file, not a directory');
    throw error;
  }
}

function cannotCreate(wanted: string, failed: string, why: string): BrokerError {
  const where = wanted === failed ? '' : ` (at ${JSON.stringify(failed)})`;
  return new BrokerError('IO', `Cannot create directory ${JSON.stringify(wanted)}${where}: ${why}. Check the repository location.`, {
    key: wanted,
    retryable: false,
  });
}

/** fsync a directory so a rename into it survives a crash. Some network filesystems refuse; that is not fatal. */
export async function fsyncDirectory(dirPath: string): Promise<void> {
  let handle;
  try {
    handle = await open(dirPath, 'r');
    await handle.sync();
  } catch {
    // EINVAL/EISDIR/EBADF on CIFS and some NFS setups: the rename is still as durable as the mount allows.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** fsync a regular file by path. */
export async function fsyncFile(filePath: string): Promise<void> {
  const handle = await open(filePath, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Copy with the kernel's fastest path: a reflink (FICLONE) on filesystems that share extents (btrfs, XFS), else
 * libuv's copy_file_range/sendfile, so the bytes never pass through JavaScript.
 */
export async function kernelCopy(from: string, to: string): Promise<void> {
  await copyFile(from, to, fsConstants.COPYFILE_FICLONE | fsConstants.COPYFILE_EXCL);
}

/** Remove empty directories from `dirPath` upwards, stopping at `rootPath` or the first non-empty directory. */
export async function pruneEmptyDirectories(dirPath: string, rootPath: string): Promise<void> {
  let current = dirPath;
  while (current.length > rootPath.length && current.startsWith(rootPath)) {
    try {
      await rmdir(current);
    } catch {
      return; // ENOTEMPTY (something still lives here), ENOENT (already gone) or a permission problem: stop quietly
    }
    current = path.dirname(current);
  }
}

/** Children of a directory with sizes, or null when it is missing or not a directory. */
export async function readDirectory(dirPath: string): Promise<TreeChild[] | null> {
  let dirents;
  try {
    dirents = await readdir(dirPath, { withFileTypes: true });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
  const children: TreeChild[] = [];
  // Stat in small batches: one dir can hold 10,000 files and we want neither 10,000 serial awaits nor 10,000 at once.
  const BATCH = 64;
  for (let i = 0; i < dirents.length; i += BATCH) {
    const batch = dirents.slice(i, i + BATCH);
    const stats = await Promise.all(
      batch.map(async (d) => {
        try {
          return await stat(path.join(dirPath, d.name));
        } catch {
          return null; // deleted since readdir, or a dangling symlink
        }
      }),
    );
    batch.forEach((d, j) => {
      const s = stats[j];
      if (s === null || s === undefined) return;
      if (!s.isDirectory() && !s.isFile()) return;
      children.push({ name: d.name, isDirectory: s.isDirectory(), size: s.isDirectory() ? 0 : s.size, modifiedAt: s.mtime });
    });
  }
  return children;
}

/** Remove a file, ignoring its absence. */
export async function removeQuietly(filePath: string): Promise<void> {
  await rm(filePath, { force: true }).catch(() => undefined);
}
