import type { Readable } from 'node:stream';

/**
 * A Broker is tablevault's adapter to one kind of remote storage (local disk, S3-compatible, HDFS). It knows
 * nothing about tables or snapshots: the repository layer builds StarRocks' layout and checksum protocol on top
 * of these few operations.
 *
 * Paths ("keys") are `/`-separated and relative to the broker's root — the repository location URI the broker was
 * opened on. They never start with `/`. Directories exist only implicitly on object stores, so every operation is
 * defined on keys, and directory entries appear only in non-recursive listings.
 *
 * Every operation takes an AbortSignal; an aborted operation rejects with a BrokerError of code `ABORTED` and leaves
 * no partial object visible under the destination key.
 */
export interface Broker {
  /** The URI scheme this broker serves, e.g. `file`, `s3`, `hdfs`. */
  readonly scheme: string;

  /** The location URI the broker was opened on, secrets removed (safe to log and show). */
  readonly location: string;

  /** What this storage does natively; the repository layer picks its protocol from it. */
  readonly capabilities: BrokerCapabilities;

  /**
   * Entries whose key starts with `prefix` (a plain string prefix, not a glob), in ascending key order.
   * Non-recursive (default): keys are cut at the first `/` after the prefix and returned once as a directory entry,
   * like S3's CommonPrefixes. Recursive: every file under the prefix. A prefix that matches nothing yields nothing
   * (it is not an error). Pages through any number of entries.
   */
  list(prefix: string, options?: ListOptions): AsyncIterable<BrokerEntry>;

  /** The file at `key`, or null when there is none. Directories (where the storage has them) are reported too. */
  stat(key: string, options?: OperationOptions): Promise<BrokerEntry | null>;

  /**
   * A stream of the file's bytes, optionally a byte range `[start, end)`. Rejects with `NOT_FOUND` when the key does
   * not exist. The stream errors (with a BrokerError) if the transfer breaks midway.
   */
  read(key: string, options?: ReadOptions): Promise<Readable>;

  /**
   * Write `body` to `key`, replacing any existing file. Streams with back-pressure; memory use is bounded whatever the
   * size. Resolves once the bytes are durable and visible under `key`.
   */
  write(key: string, body: Readable | Uint8Array, options?: WriteOptions): Promise<WriteResult>;

  /**
   * Upload a local file. Equivalent to `write(key, createReadStream(localPath))` but lets an adapter use a faster path
   * (kernel copy for local disk, parallel multipart for S3).
   */
  uploadFile(localPath: string, key: string, options?: WriteOptions): Promise<WriteResult>;

  /** Download `key` to a local file (written to a temp name and renamed, so a failure leaves no partial file). */
  downloadFile(key: string, localPath: string, options?: OperationOptions): Promise<WriteResult>;

  /**
   * Optional batch form of `uploadFile` (local-directory adapters): put many local files under their keys, each
   * appearing whole, and resolve once every one is durable — one flush for the batch instead of one per file, and
   * the per-file work off the event loop. An item marked `link` may be hard-linked instead of copied.
   */
  uploadFiles?(items: readonly BatchUploadItem[], options?: BatchOptions): Promise<void>;

  /**
   * Optional batch form of `downloadFile`: put many objects into local files, each appearing whole (not yet
   * durable: the caller flushes its own file system). With `hash`, each result carries the md5 of the bytes placed,
   * computed in the same pass as the copy.
   */
  downloadFiles?(items: readonly BatchDownloadItem[], options?: BatchOptions & { readonly hash?: boolean }): Promise<BatchDownloadResult[]>;

  /** Optional: read many small files whole, in one batch off the event loop. Rejects with NOT_FOUND like `read`. */
  readFiles?(keys: readonly string[], options?: OperationOptions): Promise<Uint8Array[]>;

  /**
   * Write `body` to `key` only if no file is there yet: resolves true when this call created it, false when a file
   * already stood under `key` (which is left untouched). Where `capabilities.exclusiveCreate` is true the check and
   * the write are one atomic step against every other writer (link(2) on disk, RENAME on HDFS); elsewhere (object
   * stores) the adapter checks first and asks the server to refuse an existing key (`If-None-Match: *`), which a
   * server may ignore — so two concurrent creators may both see true there. The file appears whole or not at all.
   */
  createIfAbsent(key: string, body: Uint8Array, options?: OperationOptions): Promise<boolean>;

  /** Move `from` to `to`, replacing `to`. On object stores this is copy + delete (see capabilities.cheapRename). */
  rename(from: string, to: string, options?: OperationOptions): Promise<void>;

  /** Delete one file. Deleting a missing key succeeds (idempotent). */
  delete(key: string, options?: OperationOptions): Promise<void>;

  /** Delete every file whose key starts with `prefix`; returns how many were deleted. */
  deletePrefix(prefix: string, options?: DeletePrefixOptions): Promise<number>;

  /** Release connections and sockets. The broker must not be used afterwards. */
  close(): Promise<void>;
}

export interface BrokerCapabilities {
  /** A write becomes visible all at once (object stores' PUT): no `.part` temp name is needed for atomicity. */
  readonly atomicWrite: boolean;
  /** rename is O(1) (local disk, HDFS) rather than a full copy (object stores). */
  readonly cheapRename: boolean;
  /** createIfAbsent is atomic against concurrent writers (local disk, HDFS); false where it is check-then-write. */
  readonly exclusiveCreate: boolean;
}

export interface BrokerEntry {
  /** Key relative to the broker root (directories end without `/`). */
  readonly key: string;
  /** Last path segment of the key. */
  readonly name: string;
  readonly isDirectory: boolean;
  /** Size in bytes (0 for directories). */
  readonly size: number;
  /** Last modification time, when the storage reports one. */
  readonly modifiedAt?: Date;
}

export interface OperationOptions {
  readonly signal?: AbortSignal;
}

export interface ListOptions extends OperationOptions {
  readonly recursive?: boolean;
  /**
   * Also list the adapter's own in-flight temp files (`.tvtmp-…`, normally hidden), so that leftovers of a crashed
   * writer can be found and deleted. Adapters without temp files (object stores) list the same either way.
   */
  readonly includeTemp?: boolean;
}

export interface DeletePrefixOptions extends OperationOptions {
  /** Called whenever the operation moves on (a page listed, files deleted): a deadline can tell slow from stalled. */
  readonly onProgress?: () => void;
}

export interface ReadOptions extends OperationOptions {
  /** First byte to read (inclusive). */
  readonly start?: number;
  /** Byte after the last one to read (exclusive). */
  readonly end?: number;
}

export interface WriteOptions extends OperationOptions {
  /** Size in bytes when known in advance (lets adapters choose single-part vs multipart). */
  readonly size?: number;
  /** Called as bytes are sent, with the running total. */
  readonly onProgress?: (bytesWritten: number) => void;
}

/** One file of uploadFiles. */
export interface BatchUploadItem {
  /** Local file to send. */
  readonly localPath: string;
  /** Destination key. */
  readonly key: string;
  /**
   * The caller gives the file up: it is never modified and its local name is removed once stored, so the adapter
   * may hard-link it instead of copying (on the same file system). Never set for a file anything else still uses:
   * a shared inode would let a change on one side show on the other.
   */
  readonly link?: boolean;
}

/** One file of downloadFiles. */
export interface BatchDownloadItem {
  /** Key to fetch. */
  readonly key: string;
  /** Local destination (replaced if it exists). */
  readonly localPath: string;
}

/** What downloadFiles placed. */
export interface BatchDownloadResult {
  readonly size: number;
  /** md5 of the bytes placed (with `hash`), else null. */
  readonly md5: string | null;
}

export interface BatchOptions extends OperationOptions {
  /** Replace what already exists under a destination (default false: the destinations are new). */
  readonly replace?: boolean;
  /** Called as the batch moves bytes, with the running total. */
  readonly onProgress?: (bytes: number) => void;
  /**
   * Called with an item's index once it is done (uploadFiles: durable; downloadFiles: placed), at the latest just
   * before the batch resolves.
   */
  readonly onItem?: (index: number) => void;
}

export interface WriteResult {
  /** Bytes written. */
  readonly size: number;
}

/** Why a broker operation failed. `retryable` says whether the same call may succeed later. */
export type BrokerErrorCode = 'NOT_FOUND' | 'ACCESS_DENIED' | 'UNREACHABLE' | 'ABORTED' | 'INVALID_ARGUMENT' | 'IO';

export class BrokerError extends Error {
  override name = 'BrokerError';
  readonly code: BrokerErrorCode;
  readonly retryable: boolean;
  /** The key (or prefix) the failed operation was about. */
  readonly key: string | undefined;

  constructor(code: BrokerErrorCode, message: string, options?: { key?: string; retryable?: boolean; cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.code = code;
    this.key = options?.key;
    this.retryable = options?.retryable ?? (code === 'UNREACHABLE' || code === 'IO');
  }
}

export function isBrokerError(error: unknown): error is BrokerError {
  return error instanceof BrokerError;
}
