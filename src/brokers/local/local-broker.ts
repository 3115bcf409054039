import { link, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import type {
  BatchDownloadItem,
  BatchDownloadResult,
  BatchOptions,
  BatchUploadItem,
  Broker,
  BrokerCapabilities,
  BrokerEntry,
  DeletePrefixOptions,
  ListOptions,
  OperationOptions,
  ReadOptions,
  WriteOptions,
  WriteResult,
} from '../broker.ts';
import { fsPool, FsOpError, type FsOp, type FsResult } from '../../util/fs-pool.ts';
import { SyncBarrier, syncFileSystem } from '../../util/sync-barrier.ts';
import { randomBytes } from 'node:crypto';
import { baseName, checkKey, checkPrefix, dirName, joinKey, tempKeyFor, TEMP_NAME_PREFIX } from '../keys.ts';
import { ByteCounter, checkRange, guardReadStream, throwIfAborted, toReadable } from '../streams.ts';
import { localTempPath } from '../local-download.ts';
import { listLocal } from './local-listing.ts';
import {
  fsyncDirectory,
  fsyncFile,
  kernelCopy,
  mapLocalError,
  mkdirFor,
  pruneEmptyDirectories,
  removeQuietly,
} from './local-files.ts';

/** Attempts for a write whose directory is pruned by a concurrent delete between our mkdir and open. */
const MKDIR_RACE_ATTEMPTS = 5;

/**
 * `file:///abs/path`: local disk or a mounted NFS/CIFS share. Writes go to a temp name beside the destination, are
 * fsynced and renamed, so a reader never sees half a file; copies use the kernel (reflink or copy_file_range).
 * Directories are created on demand and pruned when they become empty, so listings match an object store's.
 */

/** errno codes of a write that found no room (disk, quota, or RLIMIT_FSIZE). */
const LOCAL_NO_SPACE = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);
/** Batches of at most this many files are made durable file by file rather than by a flush of the file system. */
const SMALL_BATCH = 16;

export class LocalBroker implements Broker {
  readonly scheme = 'file';
  readonly location: string;
  readonly capabilities: BrokerCapabilities = { atomicWrite: false, cheapRename: true, exclusiveCreate: true };
  readonly #root: string;
  /** Concurrent batches of this repository share one flush of its file system (see SyncBarrier). */
  readonly #barrier: SyncBarrier;

  /** `rootPath` must be absolute; it is created lazily by the first write. */
  constructor(rootPath: string, location: string) {
    this.#root = path.resolve(rootPath);
    this.location = location;
    this.#barrier = new SyncBarrier(() => syncFileSystem(this.#root));
  }

  #path(key: string): string {
    return key === '' ? this.#root : path.join(this.#root, ...key.split('/'));
  }

  list(prefix: string, options?: ListOptions): AsyncIterable<BrokerEntry> {
    checkPrefix(prefix);
    return listLocal((key) => this.#path(key), prefix, options);
  }

  async stat(key: string, options?: OperationOptions): Promise<BrokerEntry | null> {
    checkKey(key);
    throwIfAborted(options?.signal, key);
    try {
      const s = await stat(this.#path(key));
      if (!s.isFile() && !s.isDirectory()) return null;
      return { key, name: baseName(key), isDirectory: s.isDirectory(), size: s.isDirectory() ? 0 : s.size, modifiedAt: s.mtime };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw mapLocalError(error, key, 'read', options?.signal);
    }
  }

  async read(key: string, options?: ReadOptions): Promise<Readable> {
    checkKey(key);
    const { start, end } = checkRange(key, options?.start, options?.end);
    const signal = options?.signal;
    throwIfAborted(signal, key);
    let handle;
    try {
      handle = await open(this.#path(key), 'r');
      // open(2) succeeds on a directory; a directory is not a file to read.
      if ((await handle.stat()).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    } catch (error) {
      await handle?.close().catch(() => undefined);
      throw mapLocalError(error, key, 'read', signal);
    }
    const mapError = (error: unknown) => mapLocalError(error, key, 'read', signal);
    if (end !== undefined && end === start) {
      await handle.close();
      return Readable.from([]);
    }
    // createReadStream's `end` is inclusive; ours is exclusive.
    const source = handle.createReadStream({ start, ...(end === undefined ? {} : { end: end - 1 }), highWaterMark: 1024 * 1024 });
    return guardReadStream(source, key, mapError, signal);
  }

  async write(key: string, body: Readable | Uint8Array, options?: WriteOptions): Promise<WriteResult> {
    checkKey(key);
    const signal = options?.signal;
    const target = this.#path(key);
    const temp = this.#path(tempKeyFor(key));
    const counter = new ByteCounter(options?.onProgress);
    const source = toReadable(body);
    let handle;
    try {
      throwIfAborted(signal, key);
      handle = await this.#openTemp(temp);
      // flush: fsync before the stream closes the handle (an fs stream with autoClose:false never emits 'close', which
      // would stall pipeline).
      await pipeline(source, counter, handle.createWriteStream({ flush: true, highWaterMark: 1024 * 1024 }), signal ? { signal } : {});
      handle = undefined;
      throwIfAborted(signal, key);
      await rename(temp, target);
      await fsyncDirectory(path.dirname(target));
      return { size: counter.bytes };
    } catch (error) {
      if (!source.destroyed) source.destroy();
      await handle?.close().catch(() => undefined);
      await removeQuietly(temp);
      throw mapLocalError(error, key, 'write', signal);
    }
  }

  async createIfAbsent(key: string, body: Uint8Array, options?: OperationOptions): Promise<boolean> {
    checkKey(key);
    const signal = options?.signal;
    const target = this.#path(key);
    const temp = this.#path(tempKeyFor(key));
    let handle;
    try {
      throwIfAborted(signal, key);
      handle = await this.#openTemp(temp);
      await handle.writeFile(body);
      await handle.sync();
      await handle.close();
      handle = undefined;
      throwIfAborted(signal, key);
      // link(2) fails with EEXIST when the name is taken: the check and the creation are one step, and the file
      // appears whole (it was complete and fsynced under its temp name).
      let created = true;
      try {
        await linkOrExclusiveCopy(temp, target);
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
        created = false;
      }
      await removeQuietly(temp);
      if (created) await fsyncDirectory(path.dirname(target));
      return created;
    } catch (error) {
      await handle?.close().catch(() => undefined);
      await removeQuietly(temp);
      throw mapLocalError(error, key, 'write', signal);
    }
  }

  /** Create the parent directories and open a fresh temp file, retrying if a concurrent prune removes the parent. */
  async #openTemp(temp: string) {
    for (let attempt = 1; ; attempt++) {
      await mkdirFor(temp);
      try {
        return await open(temp, 'wx');
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'ENOENT' || attempt >= MKDIR_RACE_ATTEMPTS) throw error;
      }
    }
  }

  async uploadFile(localPath: string, key: string, options?: WriteOptions): Promise<WriteResult> {
    checkKey(key);
    const target = this.#path(key);
    return this.#copyDurably(localPath, target, this.#path(tempKeyFor(key)), key, options);
  }

  async downloadFile(key: string, localPath: string, options?: OperationOptions): Promise<WriteResult> {
    checkKey(key);
    const target = path.resolve(localPath);
    const temp = localTempPath(target);
    const source = this.#path(key);
    try {
      const s = await stat(source);
      if (!s.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
    } catch (error) {
      throw mapLocalError(error, key, 'read', options?.signal);
    }
    return this.#copyDurably(source, target, temp, key, options);
  }

  /** Kernel copy into `temp`, fsync, rename over `target`: a failure or abort leaves nothing at `target`. */
  async #copyDurably(from: string, target: string, temp: string, key: string, options: WriteOptions | undefined): Promise<WriteResult> {
    const signal = options?.signal;
    try {
      throwIfAborted(signal, key);
      const size = (await stat(from)).size;
      for (let attempt = 1; ; attempt++) {
        await mkdirFor(temp);
        try {
          await kernelCopy(from, temp);
          break;
        } catch (error) {
          const code = (error as { code?: unknown }).code;
          // ENOENT on the *destination* directory (pruned concurrently) is retried; a missing source is not.
          if (code !== 'ENOENT' || attempt >= MKDIR_RACE_ATTEMPTS || !(await exists(from))) throw error;
        }
      }
      // copy_file_range cannot be interrupted; an abort that arrived meanwhile is honoured before the file appears.
      throwIfAborted(signal, key);
      await fsyncFile(temp);
      await rename(temp, target);
      await fsyncDirectory(path.dirname(target));
      options?.onProgress?.(size);
      return { size };
    } catch (error) {
      await removeQuietly(temp);
      const missingSource = !(await exists(from));
      throw mapLocalError(error, key, missingSource ? 'read' : 'write', signal);
    }
  }

  /**
   * Many files in one batch off the event loop: each is kernel-copied (copy_file_range, or a reflink where the file
   * system shares extents) to a temp name and renamed, so it appears whole — or hard-linked when the item allows it;
   * then one flush of the repository's file system (shared with concurrent batches) makes them all durable before
   * this resolves.
   */
  async uploadFiles(items: readonly BatchUploadItem[], options: BatchOptions = {}): Promise<void> {
    const signal = options.signal;
    // One random stem per batch (a random draw per file showed in profiles of many small files).
    const stem = randomBytes(6).toString('hex');
    const ops: FsOp[] = items.map((item, i) => {
      checkKey(item.key);
      const tmp = joinKey(dirName(item.key), `${TEMP_NAME_PREFIX}${stem}${i.toString(36)}-${baseName(item.key)}`.slice(0, 240));
      return { op: 'put', from: item.localPath, to: this.#path(item.key), tmp: this.#path(tmp), replace: options.replace === true, copy: true, link: item.link === true };
    });
    // A small batch (an incremental backup's few new files) fsyncs its own files and directories: a flush of the whole
    // file system would also wait for every other writer's dirty data on a shared disk — seconds, for a few files.
    const small = items.length <= SMALL_BATCH;
    const ticket = small ? { leave: () => undefined, durable: () => this.#fsyncEach(ops) } : this.#barrier.enter();
    let results: FsResult[];
    try {
      throwIfAborted(signal, items[0]?.key ?? '');
      results = await fsPool().run(ops, { ...(signal ? { signal } : {}), ...(options.onProgress ? { onProgress: (_n, bytes) => options.onProgress?.(bytes) } : {}) });
    } catch (error) {
      ticket.leave();
      throw mapLocalError(error, items[0]?.key ?? '', 'write', signal);
    }
    const failed = results.findIndex((r) => !r.ok);
    if (failed >= 0) {
      ticket.leave();
      const r = results[failed] as { code: string; message: string };
      const key = items[failed]?.key ?? '';
      const missingSource = r.code === 'ENOENT' && !(await exists(items[failed]?.localPath ?? ''));
      throw mapLocalError(new FsOpError(r.code, r.message), key, missingSource ? 'read' : 'write', signal);
    }
    try {
      await ticket.durable();
    } catch (error) {
      throw mapLocalError(error, items[0]?.key ?? '', 'write', signal);
    }
    items.forEach((_, i) => options.onItem?.(i));
  }

  /** fsync every target of `ops` (`put`s) and each directory they are in. */
  async #fsyncEach(ops: readonly FsOp[]): Promise<void> {
    const files = ops.flatMap((o) => (o.op === 'put' ? [o.to] : []));
    const paths = [...files, ...new Set(files.map((f) => path.dirname(f)))];
    for (const r of await fsPool().run(paths.map((p): FsOp => ({ op: 'fsync', path: p })))) {
      if (!r.ok) throw new FsOpError(r.code, r.message);
    }
  }

  /**
   * Many objects into local files in one batch off the event loop: copied, with the md5 of the bytes computed in the
   * same pass when `hash` is set (never linked: a restored table must not share an inode with a repository file that
   * someone could modify in place).
   */
  async downloadFiles(items: readonly BatchDownloadItem[], options: BatchOptions & { readonly hash?: boolean } = {}): Promise<BatchDownloadResult[]> {
    const signal = options.signal;
    const ops: FsOp[] = [];
    const stem = randomBytes(6).toString('hex');
    for (const [i, item] of items.entries()) {
      checkKey(item.key);
      const target = path.resolve(item.localPath);
      const tmp = path.join(path.dirname(target), `${TEMP_NAME_PREFIX}${stem}${i.toString(36)}-${path.basename(target)}`.slice(0, 240));
      if (options.hash === true) {
        ops.push({ op: 'copyHash', from: this.#path(item.key), to: target, tmp, replace: options.replace === true });
      } else {
        ops.push({ op: 'put', from: this.#path(item.key), to: target, tmp, replace: options.replace === true, copy: true, link: false });
      }
      ops.push({ op: 'stat', path: target });
    }
    let results: FsResult[];
    try {
      throwIfAborted(signal, items[0]?.key ?? '');
      results = await fsPool().run(ops, { ...(signal ? { signal } : {}), ...(options.onProgress ? { onProgress: (_n, bytes) => options.onProgress?.(bytes) } : {}) });
    } catch (error) {
      throw mapLocalError(error, items[0]?.key ?? '', 'read', signal);
    }
    return items.map((item, i) => {
      for (const r of [results[2 * i], results[2 * i + 1]]) {
        if (r === undefined || !r.ok) {
          const code = r?.ok === false ? r.code : 'EIO';
          // No room to write is the *local* side's failure (reading the repository never gives it): thrown as the
          // file system's error on the local path, so the caller names its own disk, not the repository's.
          if (LOCAL_NO_SPACE.has(code)) throw Object.assign(new FsOpError(code, `${code}: ${r?.ok === false ? r.message : ''}, write '${item.localPath}'`), { path: item.localPath });
          throw mapLocalError(new FsOpError(code, r?.ok === false ? r.message : 'no result'), item.key, code === 'ENOENT' ? 'read' : 'write', signal);
        }
      }
      const copied = (results[2 * i] as { value: { md5?: string } | string }).value;
      const stat = (results[2 * i + 1] as { value: { size: number } }).value;
      options.onItem?.(i);
      return { size: stat.size, md5: typeof copied === 'object' && copied.md5 !== undefined ? copied.md5 : null };
    });
  }

  /** Small files read whole in one batch off the event loop. */
  async readFiles(keys: readonly string[], options: OperationOptions = {}): Promise<Uint8Array[]> {
    const signal = options.signal;
    for (const key of keys) checkKey(key);
    let results: FsResult[];
    try {
      throwIfAborted(signal, keys[0] ?? '');
      results = await fsPool().run(keys.map((key): FsOp => ({ op: 'readBytes', path: this.#path(key) })), signal ? { signal } : {});
    } catch (error) {
      throw mapLocalError(error, keys[0] ?? '', 'read', signal);
    }
    return results.map((r, i) => {
      if (!r.ok) throw mapLocalError(new FsOpError(r.code, r.message), keys[i] ?? '', 'read', signal);
      return r.value as Uint8Array;
    });
  }

  async rename(from: string, to: string, options?: OperationOptions): Promise<void> {
    checkKey(from);
    checkKey(to);
    throwIfAborted(options?.signal, from);
    const source = this.#path(from);
    const target = this.#path(to);
    try {
      if (from === to) {
        await stat(source);
        return;
      }
      for (let attempt = 1; ; attempt++) {
        await mkdirFor(target);
        try {
          await rename(source, target);
          break;
        } catch (error) {
          if ((error as { code?: unknown }).code !== 'ENOENT' || attempt >= MKDIR_RACE_ATTEMPTS || !(await exists(source))) throw error;
        }
      }
    } catch (error) {
      throw mapLocalError(error, from, (await exists(source)) ? 'write' : 'read', options?.signal);
    }
    await fsyncDirectory(path.dirname(target));
    await pruneEmptyDirectories(path.dirname(source), this.#root);
  }

  async delete(key: string, options?: OperationOptions): Promise<void> {
    checkKey(key);
    throwIfAborted(options?.signal, key);
    const filePath = this.#path(key);
    try {
      await unlink(filePath);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      // Missing → idempotent success; a directory is not a file, so there is no file to delete.
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return;
      if (code === 'EPERM' && (await stat(filePath).then((s) => s.isDirectory(), () => false))) return;
      throw mapLocalError(error, key, 'write', options?.signal);
    }
    await pruneEmptyDirectories(path.dirname(filePath), this.#root);
  }

  async deletePrefix(prefix: string, options?: DeletePrefixOptions): Promise<number> {
    checkPrefix(prefix);
    const signal = options?.signal;
    const parents = new Set<string>();
    let deleted = 0;
    for await (const entry of this.list(prefix, { recursive: true, ...(signal ? { signal } : {}) })) {
      throwIfAborted(signal, prefix);
      const filePath = this.#path(entry.key);
      try {
        await unlink(filePath);
        deleted++;
        options?.onProgress?.();
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'ENOENT') throw mapLocalError(error, entry.key, 'write', signal);
      }
      parents.add(path.dirname(filePath));
    }
    // Deepest first, so a parent is tried only after its children had their chance to go.
    for (const dir of [...parents].sort((a, b) => b.length - a.length)) await pruneEmptyDirectories(dir, this.#root);
    return deleted;
  }

  async close(): Promise<void> {
    // Nothing pooled: every operation opens and closes its own file handles.
  }
}

/**
 * link(2) `from` as `to`, failing with EEXIST when `to` exists. Mounts without hard links (some CIFS shares) get an
 * exclusive copy instead: still refused when `to` exists, though a reader could see it being written.
 */
async function linkOrExclusiveCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
    await kernelCopy(from, to); // COPYFILE_EXCL: EEXIST when taken
    await fsyncFile(to);
  }
}

async function exists(filePath: string): Promise<boolean> {
  return stat(filePath).then(
    () => true,
    () => false,
  );
}
