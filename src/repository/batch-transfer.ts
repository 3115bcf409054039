import { isBrokerError, type Broker } from '../brokers/broker.ts';
import { fsPool, unwrap } from '../util/fs-pool.ts';
import { putChecksummed } from './checksummed-files.ts';
import { checksummedKey } from './layout.ts';
import type { Repository } from './repository.ts';
import { md5Hex } from './md5.ts';
import { fromBrokerError, RepositoryError } from './repository-error.ts';
import { readAll } from './repository-types.ts';

/**
 * Many files to or from a repository at once. Where the broker offers a batch form (a local directory: one batch off
 * the event loop, hard links where allowed, one flush), the whole batch goes through it; otherwise files go one by
 * one through the checksummed-file protocol, a bounded number at a time (each remote call is its own request).
 */

/** A local file to store as `<key>.<md5>` (key relative to the repository root, without checksum). */
export interface PutItem {
  readonly localPath: string;
  readonly key: string;
  readonly md5: string;
  readonly size: number;
  /** The caller gives the local file up (see BatchUploadItem.link): it may be hard-linked instead of copied. */
  readonly link?: boolean;
}

/** A stored `<key>.<md5>` to fetch into a local file. */
export interface FetchItem {
  readonly key: string;
  readonly md5: string;
  readonly localPath: string;
}

export interface BatchTransferOptions {
  readonly signal?: AbortSignal;
  /**
   * Something may already be stored under these names (a resumed job, a retry): replace it. False for a new
   * label's first attempt, where the protocol's deletes of `.part` and older variants are skipped.
   */
  readonly mayExist: boolean;
  /** Each file once it is durable in the repository (put) or placed locally (fetch). */
  readonly onFile?: (index: number) => void;
  /** Running byte count of the batch. */
  readonly onBytes?: (bytes: number) => void;
}

/**
 * Files in flight at once per repository when they go one by one (an object store, HDFS), whatever the number of
 * batches running: each holds a socket and, downloading, a local file — bounded, so a job of any size stays within
 * the process's file descriptors.
 */
const REMOTE_CONCURRENCY = 16;

/** A counting semaphore per repository (shared by every batch of every job on it). */
const lanes = new WeakMap<Repository, { free: number; waiting: (() => void)[] }>();

async function withLane<T>(repo: Repository, work: () => Promise<T>): Promise<T> {
  let lane = lanes.get(repo);
  if (lane === undefined) lanes.set(repo, (lane = { free: REMOTE_CONCURRENCY, waiting: [] }));
  const l = lane;
  if (l.free > 0) l.free--;
  else await new Promise<void>((resolve) => l.waiting.push(resolve));
  try {
    return await work();
  } finally {
    const next = l.waiting.shift();
    if (next !== undefined) next();
    else l.free++;
  }
}

/** Store `items` (see PutItem); resolves once every one is durable. */
export async function putFiles(repo: Repository, items: readonly PutItem[], options: BatchTransferOptions): Promise<void> {
  const { signal, mayExist } = options;
  const broker: Broker = repo.broker;
  if (items.length === 0) return;
  if (broker.uploadFiles !== undefined) {
    const reported = new Set<number>();
    const report = (i: number): void => {
      if (reported.has(i)) return;
      reported.add(i);
      options.onFile?.(i);
    };
    try {
      await broker.uploadFiles(
        items.map((i) => ({ localPath: i.localPath, key: `${repo.root}/${checksummedKey(i.key, i.md5)}`, ...(i.link === true ? { link: true } : {}) })),
        {
          replace: mayExist,
          onItem: report,
          ...(signal ? { signal } : {}),
          ...(options.onBytes ? { onProgress: options.onBytes } : {}),
        },
      );
    } catch (error) {
      throw fromBrokerError(error);
    }
    items.forEach((_, i) => report(i));
    return;
  }
  let sent = 0;
  await eachBounded(items.length, REMOTE_CONCURRENCY, signal, (i) => withLane(repo, async () => {
    const item = items[i] as PutItem;
    let mine = 0;
    await putChecksummed(
      repo,
      item.key,
      item.md5,
      item.size,
      signal,
      (target) =>
        broker.uploadFile(item.localPath, target, {
          size: item.size,
          ...(signal ? { signal } : {}),
          onProgress: (bytes) => {
            if (bytes > mine) options.onBytes?.((sent += bytes - mine));
            mine = Math.max(mine, bytes);
          },
        }),
      { fresh: !mayExist },
    );
    if (item.size > mine) options.onBytes?.((sent += item.size - mine));
    options.onFile?.(i);
  }));
}

/**
 * Fetch `items` into their local paths (replacing what is there) and return the md5 of what each holds now; the
 * caller compares it with the expected one and makes the local files durable (its own file system). Hashing runs
 * off the event loop either way.
 */
export async function fetchFiles(repo: Repository, items: readonly FetchItem[], options: BatchTransferOptions): Promise<string[]> {
  const { signal } = options;
  const broker: Broker = repo.broker;
  if (items.length === 0) return [];
  const stored = (i: FetchItem): string => `${repo.root}/${checksummedKey(i.key, i.md5)}`;
  if (broker.downloadFiles !== undefined) {
    let results;
    try {
      results = await broker.downloadFiles(
        items.map((i) => ({ key: stored(i), localPath: i.localPath })),
        { replace: true, hash: true, ...(signal ? { signal } : {}), ...(options.onBytes ? { onProgress: options.onBytes } : {}) },
      );
    } catch (error) {
      throw localOrRepositoryError(error);
    }
    // Progress comes about every 100 ms while the batch runs: the total is told once it ends.
    options.onBytes?.(results.reduce((n, r) => n + r.size, 0));
    items.forEach((_, i) => options.onFile?.(i));
    return results.map((r) => r.md5 ?? '');
  }
  let received = 0;
  await eachBounded(items.length, REMOTE_CONCURRENCY, signal, (i) => withLane(repo, async () => {
    const item = items[i] as FetchItem;
    try {
      const written = await broker.downloadFile(stored(item), item.localPath, signal ? { signal } : {});
      options.onBytes?.((received += written.size));
    } catch (error) {
      throw localOrRepositoryError(error);
    }
  }));
  const hashed = await fsPool().run(items.map((i) => ({ op: 'md5', path: i.localPath })), signal ? { signal } : {});
  items.forEach((_, i) => options.onFile?.(i));
  return hashed.map((r) => unwrap<{ md5: string }>(r).md5);
}

/**
 * A download's error as the repository's, except a failure to write the local file (it carries the file system's
 * errno code and is not a broker error): that one is the data dir's disk, which the caller names as such.
 */
function localOrRepositoryError(error: unknown): unknown {
  if (!isBrokerError(error) && typeof (error as { code?: unknown } | null)?.code === 'string' && !(error instanceof RepositoryError)) return error;
  return fromBrokerError(error);
}

/**
 * Read small stored `<key>.<md5>` files whole (snapshot headers), each md5-verified: BAD_FILE `md5sum does not
 * equal` on a mismatch, like readVerified.
 */
export async function readSmallFiles(repo: Repository, items: readonly { readonly key: string; readonly md5: string }[], signal?: AbortSignal): Promise<Buffer[]> {
  const broker: Broker = repo.broker;
  const keys = items.map((i) => `${repo.root}/${checksummedKey(i.key, i.md5)}`);
  let bytes: Uint8Array[];
  try {
    if (broker.readFiles !== undefined) {
      bytes = await broker.readFiles(keys, signal ? { signal } : {});
    } else {
      bytes = new Array<Uint8Array>(keys.length);
      await eachBounded(keys.length, REMOTE_CONCURRENCY, signal, (i) => withLane(repo, async () => {
        bytes[i] = await readAll(await broker.read(keys[i] as string, signal ? { signal } : {}));
      }));
    }
  } catch (error) {
    throw fromBrokerError(error);
  }
  return bytes.map((b, i) => {
    const buffer = Buffer.from(b.buffer, b.byteOffset, b.length);
    const local = md5Hex(buffer);
    const expected = items[i]?.md5 ?? '';
    if (local !== expected) throw new RepositoryError('BAD_FILE', `md5sum does not equal. local: ${local}, remote: ${expected}`);
    return buffer;
  });
}

/** Run `work(i)` for i in [0, n) with at most `limit` at once; the first failure stops new starts and is thrown. */
async function eachBounded(n: number, limit: number, signal: AbortSignal | undefined, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < n) {
      signal?.throwIfAborted();
      const i = next++;
      try {
        await work(i);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, lane));
}
