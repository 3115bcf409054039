/** Durable file primitives: write-fsync-rename, directory fsync, link-or-copy, tolerant directory listing. */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { sqlError } from '../errors/index.ts';

/** Size and md5 of a file as written. */
export interface WrittenFile {
  /** Bytes written. */
  readonly size: number;
  /** Lower-case hex md5. */
  readonly md5: string;
}

/**
 * Write `chunks` to `tmpDir/<random>.tmp`, fsync, and rename to `finalPath`. The md5 is computed over the chunks as
 * they are written (never by re-reading). A crash leaves either no final file or a complete one; at worst a stray
 * temp file, which the open-time sweep deletes.
 */
export async function writeFileDurable(tmpDir: string, finalPath: string, chunks: readonly Uint8Array[]): Promise<WrittenFile> {
  const hash = createHash('md5');
  let size = 0;
  for (const c of chunks) {
    hash.update(c);
    size += c.length;
  }
  const tmp = path.join(tmpDir, `${randomBytes(8).toString('hex')}.tmp`);
  try {
    await fsp.mkdir(tmpDir, { recursive: true });
    const handle = await fsp.open(tmp, 'wx');
    try {
      // writev takes at most IOV_MAX buffers per call; write in slices.
      for (let i = 0; i < chunks.length; i += 512) {
        const slice = chunks.slice(i, i + 512);
        const expected = slice.reduce((n, c) => n + c.length, 0);
        let { bytesWritten } = await handle.writev(slice as Uint8Array[]);
        if (bytesWritten !== expected) {
          // Short writev (rare): fall back to writing the rest chunk by chunk.
          const rest = Buffer.concat(slice).subarray(bytesWritten);
          let off = 0;
          while (off < rest.length) {
            const r = await handle.write(rest, off, rest.length - off);
            off += r.bytesWritten;
            bytesWritten += r.bytesWritten;
          }
        }
      }
      await handle.sync();
    } finally {
      await handle.close().catch(() => {});
    }
    await fsp.mkdir(path.dirname(finalPath), { recursive: true });
    await fsp.rename(tmp, finalPath);
  } catch (error) {
    await fsp.rm(tmp, { force: true }).catch(() => {});
    throw localWriteError(error, finalPath);
  }
  return { size, md5: hash.digest('hex') };
}

/** errno codes meaning "no room": the disk, a quota, or a file-size limit (RLIMIT_FSIZE gives EFBIG). */
const NO_SPACE = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'SQLITE_FULL']);
/** errno codes meaning "not allowed to write here". */
const NOT_WRITABLE = new Set(['EROFS', 'EACCES', 'EPERM', 'SQLITE_READONLY', 'SQLITE_READONLY_DIRECTORY', 'SQLITE_CANTOPEN']);

/**
 * A local write that failed for lack of space or of permission, as a SqlError that names the path and says what to
 * do (ER_DISK_FULL 1021 / ER_ERROR_ON_WRITE 1026); any other error is returned as it is. Callers undo what they
 * wrote before rethrowing, so the message can promise that nothing was made visible.
 */
export function localWriteError(error: unknown, file: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return error;
  const detail = (error as Error).message.replace(/, [a-z]+ '.*'$/, '');
  if (NO_SPACE.has(code)) {
    return sqlError(
      'ER_DISK_FULL',
      `Disk full writing '${file}' (${detail}): free space on that file system, or stop tablevault and move the data dir ` +
        'to a bigger one (a data dir can be moved as a whole), then run it again; nothing of what failed was made visible',
      { cause: error },
    );
  }
  if (NOT_WRITABLE.has(code)) {
    return sqlError(
      'ER_ERROR_ON_WRITE',
      `Cannot write '${file}' (${detail}): the file system is read-only or tablevault's user may not write there; make the ` +
        'data dir writable, then run it again; nothing of what failed was made visible',
      { cause: error },
    );
  }
  return error;
}

/** fsync a directory so renames and links in it survive a power loss. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fsp.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Hard-link `from` to `to`; copy when they are on different file systems (EXDEV) or links are refused. */
export async function linkOrCopy(from: string, to: string): Promise<'link' | 'copy'> {
  try {
    await fsp.mkdir(path.dirname(to), { recursive: true });
    try {
      await fsp.link(from, to);
      return 'link';
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP') throw error;
      await fsp.copyFile(from, to);
      const handle = await fsp.open(to, 'r');
      await handle.sync().finally(() => handle.close());
      return 'copy';
    }
  } catch (error) {
    // A half-copied file must not stay under its final name.
    if ((error as { code?: unknown }).code !== 'EEXIST') await fsp.rm(to, { force: true }).catch(() => {});
    throw localWriteError(error, to);
  }
}

/** md5 and size of an existing file (streaming). */
export async function hashFile(file: string): Promise<WrittenFile> {
  const hash = createHash('md5');
  let size = 0;
  const handle = await fsp.open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
      size += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return { size, md5: hash.digest('hex') };
}

/** A directory's entries, or none when it does not exist (sweeps and snapshot listings run before dirs are made). */
export async function readdirSafe(dir: string): Promise<string[]> {
  try {
    return await fsp.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
