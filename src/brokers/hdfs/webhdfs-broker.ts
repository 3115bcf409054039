import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import {
  BrokerError,
  type Broker,
  type BrokerCapabilities,
  type BrokerEntry,
  type DeletePrefixOptions,
  type ListOptions,
  type OperationOptions,
  type ReadOptions,
  type WriteOptions,
  type WriteResult,
} from '../broker.ts';
import { baseName, checkKey, checkPrefix, dirName, tempKeyFor } from '../keys.ts';
import { ByteCounter, checkRange, guardReadStream, throwIfAborted, toReadable } from '../streams.ts';
import { walkTree, type TreeChild } from '../tree-walk.ts';
import { streamToLocalFile } from '../local-download.ts';
import { WebHdfsClient, mapFetchError, type HdfsFileStatus } from './webhdfs-client.ts';

/** Deletes in flight during deletePrefix (each is one NameNode round trip). */
const DELETE_CONCURRENCY = 8;

export interface WebHdfsBrokerConfig {
  readonly host: string;
  readonly port: number;
  /** Absolute HDFS directory the keys are relative to. */
  readonly rootPath: string;
  readonly user: string | undefined;
  readonly location: string;
}

/**
 * `hdfs://namenode:port/path` through the WebHDFS REST API. HDFS shows a file while it is being written, so writes
 * go to a temp name and are renamed into place (RENAME does not replace, so an existing target is deleted first).
 * Directories are pruned when a delete or rename empties them, so listings match the other adapters.
 */
export class WebHdfsBroker implements Broker {
  readonly scheme = 'hdfs';
  readonly location: string;
  readonly capabilities: BrokerCapabilities = { atomicWrite: false, cheapRename: true, exclusiveCreate: true };
  readonly #client: WebHdfsClient;
  readonly #root: string;

  constructor(config: WebHdfsBrokerConfig) {
    this.#client = new WebHdfsClient({ host: config.host, port: config.port, user: config.user });
    this.#root = config.rootPath === '/' ? '' : config.rootPath;
    this.location = config.location;
  }

  #path(key: string): string {
    return key === '' ? this.#root || '/' : `${this.#root}/${key}`;
  }

  async #status(key: string, signal?: AbortSignal): Promise<HdfsFileStatus | null> {
    try {
      const body = await this.#client.json<{ FileStatus: HdfsFileStatus }>('GET', this.#path(key), 'GETFILESTATUS', {}, key, signal);
      return body.FileStatus;
    } catch (error) {
      if (error instanceof BrokerError && error.code === 'NOT_FOUND') return null;
      throw error;
    }
  }

  /** A directory's children, paging with LISTSTATUS_BATCH (NameNodes cap one answer at dfs.ls.limit = 1000). */
  async #listDirectory(dirKey: string, signal?: AbortSignal): Promise<TreeChild[] | null> {
    const children: TreeChild[] = [];
    let startAfter: string | undefined;
    for (;;) {
      throwIfAborted(signal, dirKey);
      let statuses: readonly HdfsFileStatus[];
      let remaining: number;
      try {
        const body = await this.#client.json<{ DirectoryListing: { partialListing: { FileStatuses: { FileStatus: HdfsFileStatus[] } }; remainingEntries: number } }>(
          'GET',
          this.#path(dirKey),
          'LISTSTATUS_BATCH',
          startAfter === undefined ? {} : { startAfter },
          dirKey,
          signal,
        );
        statuses = body.DirectoryListing.partialListing.FileStatuses.FileStatus;
        remaining = body.DirectoryListing.remainingEntries;
      } catch (error) {
        if (error instanceof BrokerError && error.code === 'NOT_FOUND') return null;
        throw error;
      }
      // A file path lists as itself, with an empty suffix: it has no children.
      if (statuses.length === 1 && statuses[0]?.pathSuffix === '') return null;
      for (const s of statuses) {
        if (s.type === 'SYMLINK') continue;
        children.push({ name: s.pathSuffix, isDirectory: s.type === 'DIRECTORY', size: s.type === 'DIRECTORY' ? 0 : s.length, modifiedAt: new Date(s.modificationTime) });
      }
      const last = statuses[statuses.length - 1];
      if (remaining <= 0 || last === undefined) return children;
      startAfter = last.pathSuffix;
    }
  }

  list(prefix: string, options?: ListOptions): AsyncIterable<BrokerEntry> {
    checkPrefix(prefix);
    const signal = options?.signal;
    return walkTree((dirKey) => this.#listDirectory(dirKey, signal), prefix, options?.recursive === true, options?.includeTemp === true);
  }

  async stat(key: string, options?: OperationOptions): Promise<BrokerEntry | null> {
    checkKey(key);
    throwIfAborted(options?.signal, key);
    const s = await this.#status(key, options?.signal);
    if (s === null || s.type === 'SYMLINK') return null;
    const isDirectory = s.type === 'DIRECTORY';
    return { key, name: baseName(key), isDirectory, size: isDirectory ? 0 : s.length, modifiedAt: new Date(s.modificationTime) };
  }

  async read(key: string, options?: ReadOptions): Promise<Readable> {
    checkKey(key);
    const { start, end } = checkRange(key, options?.start, options?.end);
    const signal = options?.signal;
    throwIfAborted(signal, key);
    // The status gives NOT_FOUND for a missing file before any DataNode is involved, and the size to clamp the
    // range to (a DataNode rejects an offset past the end instead of returning nothing).
    const s = await this.#status(key, signal);
    if (s === null || s.type !== 'FILE') throw new BrokerError('NOT_FOUND', `No such file in HDFS: ${JSON.stringify(key)}.`, { key, retryable: false });
    const stop = Math.min(end ?? s.length, s.length);
    if (start >= stop) return Readable.from([]);
    const source = await this.#client.open(this.#path(key), start, stop - start, key, signal);
    return guardReadStream(source, key, (error) => mapFetchError(error, key, signal), signal);
  }

  async write(key: string, body: Readable | Uint8Array, options?: WriteOptions): Promise<WriteResult> {
    checkKey(key);
    const signal = options?.signal;
    throwIfAborted(signal, key);
    const temp = tempKeyFor(key);
    const counter = new ByteCounter(options?.onProgress);
    const source = toReadable(body);
    pipeline(source, counter).catch(() => undefined); // forwards the body's errors to the request body
    try {
      await this.#client.create(this.#path(temp), counter, key, signal);
      throwIfAborted(signal, key);
      await this.#replace(temp, key, signal);
      return { size: counter.bytes };
    } catch (error) {
      if (!source.destroyed) source.destroy();
      // No signal: the cleanup must run even though the caller's signal has fired.
      await this.#client.json('DELETE', this.#path(temp), 'DELETE', { recursive: 'false' }, temp).catch(() => undefined);
      throw error instanceof BrokerError ? error : mapFetchError(error, key, signal);
    }
  }

  /** Move `from` over `to`: HDFS RENAME refuses an existing destination, so delete it first. */
  async #replace(from: string, to: string, signal: AbortSignal | undefined): Promise<void> {
    await this.#client.json('DELETE', this.#path(to), 'DELETE', { recursive: 'false' }, to, signal);
    const parent = dirName(to);
    // Two attempts: a concurrent delete may prune the freshly made parent before our RENAME reaches it.
    for (let attempt = 1; attempt <= 2; attempt++) {
      if (parent !== dirName(from)) await this.#client.json('PUT', this.#path(parent), 'MKDIRS', {}, to, signal);
      const { boolean: renamed } = await this.#client.json<{ boolean: boolean }>('PUT', this.#path(from), 'RENAME', { destination: this.#path(to) }, to, signal);
      if (renamed) return;
    }
    throw new BrokerError('IO', `HDFS refused to rename ${JSON.stringify(from)} to ${JSON.stringify(to)}.`, { key: to });
  }

  async createIfAbsent(key: string, body: Uint8Array, options?: OperationOptions): Promise<boolean> {
    checkKey(key);
    const signal = options?.signal;
    throwIfAborted(signal, key);
    const temp = tempKeyFor(key);
    try {
      await this.#client.create(this.#path(temp), toReadable(body), key, signal);
      throwIfAborted(signal, key);
      // HDFS RENAME refuses an existing destination (answers false): the NameNode decides atomically, and the file
      // appears complete. Any other reason for false (a pruned parent) is retried once after MKDIRS.
      for (let attempt = 1; attempt <= 2; attempt++) {
        const parent = dirName(key);
        if (parent !== dirName(temp) || attempt > 1) await this.#client.json('PUT', this.#path(parent), 'MKDIRS', {}, key, signal);
        const { boolean: renamed } = await this.#client.json<{ boolean: boolean }>('PUT', this.#path(temp), 'RENAME', { destination: this.#path(key) }, key, signal);
        if (renamed) return true;
        if ((await this.#status(key, signal)) !== null) return false;
      }
      throw new BrokerError('IO', `HDFS refused to create ${JSON.stringify(key)}.`, { key });
    } catch (error) {
      throw error instanceof BrokerError ? error : mapFetchError(error, key, signal);
    } finally {
      // No signal: the temp file must go even when the caller gave up. Deleting a renamed temp is a no-op.
      await this.#client.json('DELETE', this.#path(temp), 'DELETE', { recursive: 'false' }, temp).catch(() => undefined);
    }
  }

  async uploadFile(localPath: string, key: string, options?: WriteOptions): Promise<WriteResult> {
    return this.write(key, createReadStream(localPath, { highWaterMark: 1024 * 1024 }), options);
  }

  async downloadFile(key: string, localPath: string, options?: OperationOptions): Promise<WriteResult> {
    const source = await this.read(key, options);
    return streamToLocalFile(source, localPath, (error) => mapFetchError(error, key, options?.signal));
  }

  async rename(from: string, to: string, options?: OperationOptions): Promise<void> {
    checkKey(from);
    checkKey(to);
    const signal = options?.signal;
    throwIfAborted(signal, from);
    const s = await this.#status(from, signal);
    if (s === null || s.type !== 'FILE') throw new BrokerError('NOT_FOUND', `No such file in HDFS: ${JSON.stringify(from)}.`, { key: from, retryable: false });
    if (from === to) return;
    await this.#replace(from, to, signal);
    await this.#prune(dirName(from));
  }

  async delete(key: string, options?: OperationOptions): Promise<void> {
    checkKey(key);
    throwIfAborted(options?.signal, key);
    const s = await this.#status(key, options?.signal);
    if (s === null || s.type === 'DIRECTORY') return; // idempotent; a directory is not a file
    await this.#client.json('DELETE', this.#path(key), 'DELETE', { recursive: 'false' }, key, options?.signal);
    await this.#prune(dirName(key));
  }

  async deletePrefix(prefix: string, options?: DeletePrefixOptions): Promise<number> {
    checkPrefix(prefix);
    const signal = options?.signal;
    const keys: string[] = [];
    for await (const entry of this.list(prefix, { recursive: true, ...(signal ? { signal } : {}) })) {
      keys.push(entry.key);
      if (keys.length % 100 === 0) options?.onProgress?.();
    }
    let deleted = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < keys.length) {
        const key = keys[next++] ?? '';
        throwIfAborted(signal, prefix);
        const { boolean: gone } = await this.#client.json<{ boolean: boolean }>('DELETE', this.#path(key), 'DELETE', { recursive: 'false' }, key, signal);
        if (gone) deleted++;
        options?.onProgress?.();
      }
    };
    await Promise.all(Array.from({ length: Math.min(DELETE_CONCURRENCY, keys.length) }, worker));
    const parents = [...new Set(keys.map(dirName))].sort((a, b) => b.length - a.length);
    for (const parent of parents) await this.#prune(parent);
    return deleted;
  }

  /** Remove empty directories from `dirKey` up to (not including) the root; a non-recursive DELETE refuses non-empty ones. */
  async #prune(dirKey: string): Promise<void> {
    for (let current = dirKey; current !== ''; current = dirName(current)) {
      try {
        const { boolean: gone } = await this.#client.json<{ boolean: boolean }>('DELETE', this.#path(current), 'DELETE', { recursive: 'false' }, current);
        if (!gone) return;
      } catch {
        return; // PathIsNotEmptyDirectoryException: something still lives here
      }
    }
  }

  async close(): Promise<void> {
    // fetch's global pool owns the sockets; idle ones time out on their own.
  }
}
