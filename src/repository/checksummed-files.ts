import type { BrokerEntry } from '../brokers/broker.ts';
import { checksummedKey, decodeChecksummedName, tempKey } from './layout.ts';
import { md5Hex } from './md5.ts';
import type { Repository } from './repository.ts';
import { fromBrokerError, RepositoryError } from './repository-error.ts';
import { collect, readAll, type StoredFile } from './repository-types.ts';

/**
 * StarRocks' checksummed-file protocol over a repository's broker: files stored as `<key>.<md5>`, written through
 * `<key>.part`, found by listing `<key>*`, md5-verified on the way back. Keys are relative to the repository root.
 */

/**
 * Store a file as `<key>.<md5>` by `send(target)` (`md5`/`size` as computed when the file was written — storage
 * keeps them, so nothing is re-read here). The caller checks the repository is writable.
 *
 * StarRocks' protocol: delete `<key>.part` and `<key>.<md5>` (this may be a retry), upload to `.part`, rename to
 * `.<md5>`. The `.part` step exists so that no reader ever sees a partial file under a checksummed name. Where a
 * write is atomic (object-store PUT: the object appears whole or not at all; an interrupted multipart upload leaves
 * nothing visible) and rename is a full server-side copy, writing `<key>.<md5>` directly gives exactly that same
 * guarantee at half the cost, and a retry's PUT simply replaces the object. A `.part` left by an earlier writer
 * (a crashed StarRocks, a disk-like mount) is still deleted first: lookups list `<key>*` and must find one file.
 */
export async function putChecksummed(
  repo: Repository,
  key: string,
  md5: string,
  size: number,
  signal: AbortSignal | undefined,
  send: (target: string) => Promise<unknown>,
  options: { readonly fresh?: boolean } = {},
): Promise<StoredFile> {
  const broker = repo.broker;
  const finalKey = checksummedKey(key, md5);
  const tmp = `${repo.root}/${tempKey(key)}`;
  // fresh: the caller knows nothing can be there yet (a new label's first attempt): skip the two deletes.
  const fresh = options.fresh === true;
  try {
    if (!fresh) await broker.delete(tmp, { signal });
    if (broker.capabilities.atomicWrite && !broker.capabilities.cheapRename) {
      await send(`${repo.root}/${finalKey}`);
    } else {
      if (!fresh) await broker.delete(`${repo.root}/${finalKey}`, { signal });
      await send(tmp);
      await broker.rename(tmp, `${repo.root}/${finalKey}`, { signal });
    }
  } catch (error) {
    throw fromBrokerError(error);
  }
  return { key: finalKey, md5, size };
}

/**
 * Find the one stored file for `key` (StarRocks' download lookup): list `key*` in its directory, which must give
 * exactly one file, whose name must carry a 32-character checksum and, without it, be exactly `key`.
 */
export async function locateChecksummed(repo: Repository, key: string, signal?: AbortSignal): Promise<StoredFile> {
  let entries: BrokerEntry[];
  try {
    entries = await collect(repo.broker.list(`${repo.root}/${key}`, { signal }));
  } catch (error) {
    throw fromBrokerError(error);
  }
  const path = repo.fullPath(key);
  if (entries.length !== 1) throw new RepositoryError('COMMON_ERROR', `Expected one file with path: ${path}. get: ${entries.length}`);
  const entry = entries[0] as BrokerEntry;
  if (entry.isDirectory) throw new RepositoryError('COMMON_ERROR', `Expected file with path: ${path}. but get dir`);
  const dir = key.lastIndexOf('/') >= 0 ? key.slice(0, key.lastIndexOf('/') + 1) : '';
  const withChecksum = dir + entry.name;
  const decoded = decodeChecksummedName(withChecksum);
  if (decoded === null) throw new RepositoryError('COMMON_ERROR', `file name should contains checksum: ${repo.fullPath(withChecksum)}`);
  if (decoded.name !== key) throw new RepositoryError('COMMON_ERROR', `File does not exist: ${path}`);
  return { key: withChecksum, md5: decoded.md5, size: entry.size };
}

/** Read a small checksummed file into memory, md5-verified (meta, job info). */
export async function readVerified(repo: Repository, key: string, signal?: AbortSignal): Promise<Buffer> {
  const found = await locateChecksummed(repo, key, signal);
  let bytes: Buffer;
  try {
    bytes = await readAll(await repo.broker.read(`${repo.root}/${found.key}`, { signal }));
  } catch (error) {
    throw fromBrokerError(error);
  }
  const local = md5Hex(bytes);
  if (local !== found.md5) throw new RepositoryError('BAD_FILE', `md5sum does not equal. local: ${local}, remote: ${found.md5}`);
  return bytes;
}
