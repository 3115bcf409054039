import { isBrokerError, type Broker } from '../brokers/broker.ts';
import type { Logger } from '../logging/logger.ts';
import { formatDateTime, systemClock, type Clock } from '../util/clock.ts';
import { parseBackupMeta, serializeBackupMeta, type BackupMeta } from './backup-meta.ts';
import { fetchFiles, putFiles, readSmallFiles, type BatchTransferOptions, type FetchItem, type PutItem } from './batch-transfer.ts';
import { locateChecksummed, putChecksummed, readVerified } from './checksummed-files.ts';
import { parseJobInfo, serializeJobInfo, type BackupJobInfo } from './job-info.ts';
import { writeJavaJson } from './java-json.ts';
import {
  decodeChecksummedName,
  jobInfoKey,
  jobInfoPrefix,
  jobInfoTimestamp,
  labelOfSnapshotDir,
  metaKey,
  parseTabletPath,
  PALO_REPOSITORY_PREFIX,
  PREFIX_JOB_INFO,
  PREFIX_SNAPSHOT_DIR,
  repoInfoKey,
  repositoryRoot,
  snapshotContentDir,
  snapshotDir,
  STARROCKS_REPOSITORY_PREFIX,
  tabletDir,
  type RepositoryPrefix,
  type TabletIds,
} from './layout.ts';
import { md5Hex } from './md5.ts';
import { readRepoInfo } from './repo-info.ts';
import {
  DEFAULT_RESERVATION_ROUNDS,
  DEFAULT_SETTLE_MS,
  notRestorableMessage,
  readLabelDirectory,
  releaseReservation,
  reserveLabel,
  snapshotProblems,
  sweepTempFiles,
  verifyReservation,
  type LabelDirectory,
  type ReservationOwner,
  type ReservationTiming,
} from './label-reservation.ts';
import { snapshotDetail, snapshotInfo, snapshotInfos } from './snapshot-rows.ts';
import { fromBrokerError, RepositoryError } from './repository-error.ts';
import {
  collect,
  type AttachResult,
  type RemoteTabletFile,
  type RepositoryOptions,
  type SnapshotDetailRow,
  type SnapshotInfoRow,
  type StoredFile,
  type TransferOptions,
} from './repository-types.ts';

export type { BatchTransferOptions, FetchItem, PutItem } from './batch-transfer.ts';
export type { AttachResult, RemoteTabletFile, RepositoryOptions, SnapshotDetailRow, SnapshotInfoRow, StoredFile, TransferOptions } from './repository-types.ts';
export { parseDateTime } from './repository-types.ts';

/**
 * One StarRocks-layout repository on one broker: the `__repo_info` handshake, the `.part` → `.<md5>` upload protocol
 * with md5 verification on download, snapshot listing for SHOW SNAPSHOT, and the meta / job-info files. It holds no
 * state beyond its identity, so any number of instances (in this process or another tablevault, or StarRocks) may
 * work on the same location.
 */
export class Repository {
  /** Repository name (the `<name>` of `__starrocks_repository_<name>`). */
  readonly name: string;
  /** The storage adapter; owned by the caller (RepositoryManager closes it). */
  readonly broker: Broker;
  /** Which root prefix this repository lives under (palo for Doris/Palo-era repositories). */
  readonly prefix: RepositoryPrefix;
  /** Writes refused when true. */
  readonly readOnly: boolean;
  /** Create time in ms (from `__repo_info` when re-attached). */
  readonly createTime: number;
  readonly #root: string;
  readonly #logger: Logger | undefined;
  readonly #timing: ReservationTiming;

  private constructor(broker: Broker, name: string, prefix: RepositoryPrefix, readOnly: boolean, createTime: number, options: RepositoryOptions) {
    this.broker = broker;
    this.name = name;
    this.prefix = prefix;
    this.readOnly = readOnly;
    this.createTime = createTime;
    this.#root = repositoryRoot(name, prefix);
    this.#logger = options.logger?.child({ component: 'repository', repository: name });
    const clock: Clock = options.clock ?? systemClock;
    const timing = options.labelReservation;
    this.#timing = {
      settleMs: timing?.settleMs ?? DEFAULT_SETTLE_MS,
      rounds: timing?.rounds ?? DEFAULT_RESERVATION_ROUNDS,
      clock,
      random: timing?.random ?? Math.random,
    };
  }

  /**
   * CREATE REPOSITORY's remote half (StarRocks' initRepository): look for `__palo_repository_<name>/__repo_info`,
   * then `__starrocks_repository_<name>/__repo_info`. Exactly one → re-attach and adopt its create_time; more than
   * one → refuse; none → write a new `__repo_info`. Any failure throws RepositoryError whose message starts with
   * `Failed to create repository: `.
   */
  static async attach(broker: Broker, name: string, options: RepositoryOptions = {}): Promise<AttachResult> {
    const clock = options.clock ?? systemClock;
    const readOnly = options.readOnly ?? false;
    const fail = (error: unknown): never => {
      const inner = fromBrokerError(error);
      if (!(inner instanceof RepositoryError)) throw inner;
      throw new RepositoryError(inner.code, `Failed to create repository: ${inner.message}`, { cause: inner, retryable: inner.retryable });
    };
    const adopt = (prefix: RepositoryPrefix, createTime: number): AttachResult => {
      const repository = new Repository(broker, name, prefix, readOnly, createTime, options);
      repository.#logger?.info({ location: broker.location }, 're-attached to an existing repository');
      return { repository, createTime, created: false, reattached: true };
    };
    // The palo attempt does not fail the statement for what it finds (StarRocks: any problem there means "use the new
    // prefix"); a storage that cannot be reached at all fails it at once, rather than after a second deadline.
    try {
      const found = await readRepoInfo(broker, name, PALO_REPOSITORY_PREFIX, options.signal);
      if (found !== null) return adopt(PALO_REPOSITORY_PREFIX, found);
    } catch (error) {
      if (error instanceof Error && error.name === 'AbortError') throw error;
      if (options.signal?.aborted) throw options.signal.reason;
      if (isBrokerError(error) && (error.code === 'UNREACHABLE' || error.code === 'ABORTED')) return fail(error);
    }
    try {
      const found = await readRepoInfo(broker, name, STARROCKS_REPOSITORY_PREFIX, options.signal);
      if (found !== null) return adopt(STARROCKS_REPOSITORY_PREFIX, found);
      const createTime = clock.now();
      if (readOnly) {
        // A READ ONLY repository never writes, not even its __repo_info: it attaches to whatever snapshots appear.
        const repository = new Repository(broker, name, STARROCKS_REPOSITORY_PREFIX, readOnly, createTime, options);
        repository.#logger?.warn({ location: broker.location }, 'read-only repository on a location without __repo_info: nothing written');
        return { repository, createTime, created: false, reattached: false };
      }
      const content = writeJavaJson(new Map([['name', name], ['create_time', formatDateTime(createTime) ?? '']]));
      const key = `${repositoryRoot(name)}/${repoInfoKey()}`;
      // Create-if-absent: when two instances create the repository at once, the second adopts the first one's file.
      if (!(await broker.createIfAbsent(key, Buffer.from(content), { signal: options.signal }))) {
        const raced = await readRepoInfo(broker, name, STARROCKS_REPOSITORY_PREFIX, options.signal);
        if (raced !== null) return adopt(STARROCKS_REPOSITORY_PREFIX, raced);
      }
      const repository = new Repository(broker, name, STARROCKS_REPOSITORY_PREFIX, readOnly, createTime, options);
      repository.#logger?.info({ location: broker.location }, 'created a new repository');
      return { repository, createTime, created: true, reattached: false };
    } catch (error) {
      return fail(error);
    }
  }

  /**
   * Open a repository already known to this instance (after a restart) without touching `__repo_info`: pick the
   * palo prefix when `__palo_repository_<name>` exists, else the StarRocks one (StarRocks' readFields). Never throws
   * for an unreachable storage — ping() reports that.
   */
  static async reopen(broker: Broker, name: string, options: RepositoryOptions & { readonly createTime: number }): Promise<Repository> {
    let prefix: RepositoryPrefix = STARROCKS_REPOSITORY_PREFIX;
    try {
      for await (const _ of broker.list(`${repositoryRoot(name, PALO_REPOSITORY_PREFIX)}/`, { signal: options.signal })) {
        prefix = PALO_REPOSITORY_PREFIX;
        break;
      }
    } catch {
      // Unreachable now: assume the current prefix, as StarRocks does.
    }
    return new Repository(broker, name, prefix, options.readOnly ?? false, options.createTime, options);
  }

  /** The repository root under the location, e.g. `__starrocks_repository_repo1`. */
  get root(): string {
    return this.#root;
  }

  /** Full path for messages: `<location>/<root>/<key>` (the location is secret-free). */
  fullPath(key: string): string {
    const base = `${this.broker.location.replace(/\/+$/, '')}/${this.#root}`;
    return key === '' ? base : `${base}/${key}`;
  }

  #key(key: string): string {
    return `${this.#root}/${key}`;
  }

  #assertWritable(): void {
    if (this.readOnly) throw new RepositoryError('COMMON_ERROR', `Repository ${this.name} is read only`);
  }

  /**
   * Is the repository reachable? Null when its root holds anything; else the error text shown (with a time prefix)
   * in SHOW REPOSITORIES' ErrMsg. A listing rather than a stat, because object stores have no directories.
   */
  async ping(signal?: AbortSignal): Promise<string | null> {
    try {
      for await (const _ of this.broker.list(`${this.#root}/`, { signal })) return null;
      return `remote path does not exist: ${this.fullPath('')}`;
    } catch (error) {
      return fromBrokerError(error).message;
    }
  }

  // ------------------------------------------------------------------------------------------ checksum protocol

  /**
   * Upload a local file as `<key>.<md5>` (`key` relative to the repository root, without checksum; `md5`/`size` as
   * computed when the file was written), through `.part` unless the broker's PUT is atomic (see putChecksummed).
   */
  async uploadFile(localPath: string, key: string, md5: string, size: number, options: TransferOptions = {}): Promise<StoredFile> {
    const opts = { signal: options.signal, size, onProgress: options.onProgress };
    return this.#put(key, md5, size, options.signal, (target) => this.broker.uploadFile(localPath, target, opts));
  }

  /**
   * Upload many local files with the same protocol, resolving once all are durable: one batch and one flush where
   * the broker can (a local directory), else a bounded number of uploads at a time (see batch-transfer.ts).
   */
  async uploadFiles(items: readonly PutItem[], options: BatchTransferOptions): Promise<void> {
    this.#assertWritable();
    await putFiles(this, items, options);
  }

  /**
   * Fetch many stored `<key>.<md5>` files into local paths and return the md5 of what each local file holds (the
   * caller verifies, and makes its file system durable).
   */
  fetchFiles(items: readonly FetchItem[], options: BatchTransferOptions): Promise<string[]> {
    return fetchFiles(this, items, options);
  }

  /** Read small stored `<key>.<md5>` files whole (snapshot headers), md5-verified, in one batch where possible. */
  readSmallFiles(items: readonly { readonly key: string; readonly md5: string }[], signal?: AbortSignal): Promise<Buffer[]> {
    return readSmallFiles(this, items, signal);
  }

  /** Upload in-memory bytes with the same protocol (meta and job-info files); md5 computed here. */
  async uploadBytes(bytes: Uint8Array, key: string, options: TransferOptions = {}): Promise<StoredFile> {
    const opts = { signal: options.signal, size: bytes.length, onProgress: options.onProgress };
    return this.#put(key, md5Hex(bytes), bytes.length, options.signal, (target) => this.broker.write(target, bytes, opts));
  }

  async #put(key: string, md5: string, size: number, signal: AbortSignal | undefined, send: (target: string) => Promise<unknown>): Promise<StoredFile> {
    this.#assertWritable();
    const stored = await putChecksummed(this, key, md5, size, signal, send);
    this.#logger?.debug({ key: stored.key, size }, 'uploaded file');
    return stored;
  }

  /**
   * Find the one stored file for `key` (StarRocks' download lookup): list `key*` in its directory, which must give
   * exactly one file, whose name must carry a 32-character checksum and, without it, be exactly `key`.
   */
  locate(key: string, signal?: AbortSignal): Promise<StoredFile> {
    return locateChecksummed(this, key, signal);
  }

  /** Read a small checksummed file into memory, md5-verified (meta, job info). */
  readVerified(key: string, signal?: AbortSignal): Promise<Buffer> {
    return readVerified(this, key, signal);
  }

  /** Delete one stored file by its full stored key (checksum included), e.g. a stale variant found on resume. */
  async deleteFile(storedKey: string, signal?: AbortSignal): Promise<void> {
    this.#assertWritable();
    try {
      await this.broker.delete(this.#key(storedKey), { signal });
    } catch (error) {
      throw fromBrokerError(error);
    }
  }

  // ------------------------------------------------------------------------------------------ snapshots

  /** Labels of every `__ss_<label>` directory (a failed backup's directory counts: it still blocks the label). */
  async listSnapshots(signal?: AbortSignal): Promise<string[]> {
    try {
      const entries = await collect(this.broker.list(`${this.#root}/${PREFIX_SNAPSHOT_DIR}`, { signal }));
      return entries.filter((e) => e.isDirectory).map((e) => labelOfSnapshotDir(e.name) ?? e.name);
    } catch (error) {
      throw fromBrokerError(error);
    }
  }

  /** True when `__ss_<label>` exists (label uniqueness check of BACKUP). */
  async snapshotExists(label: string, signal?: AbortSignal): Promise<boolean> {
    return (await this.listSnapshots(signal)).includes(label);
  }

  /** SHOW SNAPSHOT ON repo WHERE SNAPSHOT = 'label': exactly one row, existence not pre-checked (as StarRocks). */
  snapshotInfo(label: string, signal?: AbortSignal): Promise<SnapshotInfoRow> {
    return snapshotInfo(this, label, signal);
  }

  /**
   * SHOW SNAPSHOT ON repo [WHERE SNAPSHOT IN (…)]: one row per snapshot directory (filtered to `labels` when given;
   * unknown labels are silently absent). A listing failure throws `Failed to list snapshot in repo: <name>, err: …`.
   */
  snapshotInfos(labels?: readonly string[], signal?: AbortSignal): Promise<SnapshotInfoRow[]> {
    return snapshotInfos(this, labels, signal);
  }

  /** SHOW SNAPSHOT ON repo WHERE SNAPSHOT = 'label' AND TIMESTAMP = 'ts' (DETAIL shape). Never throws. */
  snapshotDetail(label: string, timestamp: string, signal?: AbortSignal): Promise<SnapshotDetailRow> {
    return snapshotDetail(this, label, timestamp, signal);
  }

  /**
   * The job info of snapshot `label` at `timestamp` (looked up as `__info_<timestamp>*`, see locate()). Throws
   * RepositoryError with StarRocks' inner text; RESTORE wraps it as `Failed to get info of snapshot '<label>'
   * because: <text>. Maybe specified wrong backup timestamp`.
   */
  async readJobInfo(label: string, timestamp: string, signal?: AbortSignal): Promise<BackupJobInfo> {
    const bytes = await this.readVerified(jobInfoKey(label, timestamp), signal);
    try {
      return parseJobInfo(bytes.toString('utf8'));
    } catch (error) {
      throw new RepositoryError('COMMON_ERROR', `Failed to create job info from file: ${PREFIX_JOB_INFO}${timestamp}. msg: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Upload `__ss_<label>/__meta.<md5>`. */
  async writeMeta(label: string, meta: BackupMeta, options: TransferOptions = {}): Promise<StoredFile> {
    return this.uploadBytes(Buffer.from(serializeBackupMeta(meta)), metaKey(label), options);
  }

  /**
   * Download and parse `__ss_<label>/__meta.<md5>`, after checking the snapshot is unambiguous: one info file and
   * one meta file (two backups under one label would make RESTORE combine one's data with the other's schema).
   */
  async readMeta(label: string, signal?: AbortSignal): Promise<BackupMeta> {
    const dir = await this.labelDirectory(label, signal);
    const problems = dir.infos.length > 0 ? snapshotProblems(dir) : null;
    if (problems !== null) throw new RepositoryError('COMMON_ERROR', notRestorableMessage(this.name, label, problems));
    const bytes = await this.readVerified(metaKey(label), signal);
    try {
      return parseBackupMeta(bytes.toString('utf8'));
    } catch (error) {
      throw new RepositoryError('COMMON_ERROR', `Failed create backup meta from file: ${this.fullPath(metaKey(label))}, msg: ${(error as Error).message}`, { cause: error });
    }
  }

  /**
   * Upload `__ss_<label>/__info_<ts>.<md5>` (ts from info.backupTime). It must be the last file of a snapshot: its
   * presence is what makes SHOW SNAPSHOT report OK, so this refuses to run before the meta file is in place.
   */
  async writeJobInfo(label: string, info: BackupJobInfo, options: TransferOptions = {}): Promise<StoredFile> {
    this.#assertWritable();
    await this.locate(metaKey(label), options.signal);
    return this.uploadBytes(Buffer.from(serializeJobInfo(info)), jobInfoKey(label, jobInfoTimestamp(info.backupTime)), options);
  }

  /** Files already in one tablet's directory (resume: skip what is there with the right md5). */
  async listTabletFiles(label: string, ids: TabletIds, signal?: AbortSignal): Promise<RemoteTabletFile[]> {
    try {
      const entries = await collect(this.broker.list(`${this.#key(tabletDir(label, ids))}/`, { signal }));
      return entries.filter((e) => !e.isDirectory).map((e) => toTabletFile(e.name, e.size));
    } catch (error) {
      throw fromBrokerError(error);
    }
  }

  /**
   * Every file under `__ss_<label>/__ss_content` in one recursive listing (one paged request stream on S3 instead of
   * one per tablet): resume of a large backup, verification, garbage collection.
   */
  async listSnapshotFiles(label: string, signal?: AbortSignal): Promise<(RemoteTabletFile & { readonly ids: TabletIds })[]> {
    const base = `${this.#key(snapshotContentDir(label))}/`;
    const out: (RemoteTabletFile & { readonly ids: TabletIds })[] = [];
    try {
      for await (const e of this.broker.list(base, { signal, recursive: true })) {
        if (e.isDirectory) continue;
        const parsed = parseTabletPath(e.key.slice(base.length));
        if (parsed === null || parsed.rest === '' || parsed.rest.includes('/')) continue;
        out.push({ ...toTabletFile(parsed.rest, e.size), ids: parsed.ids });
      }
    } catch (error) {
      throw fromBrokerError(error);
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------ label reservation

  /** What `__ss_<label>/` holds, by kind (markers, info files, meta files, the rest). */
  labelDirectory(label: string, signal?: AbortSignal): Promise<LabelDirectory> {
    return readLabelDirectory(this, label, signal);
  }

  /**
   * Reserve `label` for the job holding `token` (BACKUP submission; protocol in label-reservation.ts). Rejects with
   * LabelConflictError('taken') when a snapshot or another backup already has the label.
   */
  async reserveLabel(label: string, token: string, owner: ReservationOwner, signal?: AbortSignal): Promise<void> {
    this.#assertWritable();
    await reserveLabel(this, label, token, owner, this.#timing, signal);
    this.#logger?.info({ label, token }, 'reserved label');
  }

  /**
   * Before the info file is written: the label is still the job's (its marker there; none to check for a job from
   * before reservations, `token` null) and holds no other backup's info or meta (`mine`: the stored names it writes).
   */
  verifyReservation(label: string, token: string | null, mine: { readonly info: string; readonly meta: string }, signal?: AbortSignal): Promise<void> {
    return verifyReservation(this, label, token, mine, signal);
  }

  /** Free the label if the job's marker is all its directory holds (a backup cancelled before uploading). */
  async releaseReservation(label: string, token: string, signal?: AbortSignal): Promise<boolean> {
    this.#assertWritable();
    return releaseReservation(this, label, token, signal);
  }

  /** Delete `.part` and adapter temp files under `__ss_<label>/` (leftovers of interrupted uploads). */
  async sweepTempFiles(label: string, signal?: AbortSignal): Promise<string[]> {
    this.#assertWritable();
    const swept = await sweepTempFiles(this, label, signal);
    if (swept.length > 0) this.#logger?.info({ label, files: swept.length }, 'deleted temp files of interrupted uploads');
    return swept;
  }

  /**
   * Delete snapshot `label` entirely (DROP SNAPSHOT), its reservation markers too. Info files go first, so an
   * interrupted drop leaves a snapshot that SHOW SNAPSHOT reports as broken rather than one that looks restorable
   * with files missing. Returns the number of files deleted.
   */
  async deleteSnapshot(label: string, signal?: AbortSignal): Promise<number> {
    this.#assertWritable();
    try {
      const infos = await this.broker.deletePrefix(this.#key(jobInfoPrefix(label)), { signal });
      // Everything else, label reservation markers included, then temp files listings do not show.
      const rest = await this.broker.deletePrefix(`${this.#key(snapshotDir(label))}/`, { signal });
      const temps = (await sweepTempFiles(this, label, signal)).length;
      this.#logger?.info({ label, files: infos + rest + temps }, 'deleted snapshot');
      return infos + rest + temps;
    } catch (error) {
      throw fromBrokerError(error);
    }
  }
}

function toTabletFile(storedName: string, size: number): RemoteTabletFile {
  const decoded = decodeChecksummedName(storedName);
  return { storedName, fileName: decoded?.name ?? null, md5: decoded?.md5 ?? null, size };
}

/** Re-exported for callers that only need the timestamp format. */
export { jobInfoTimestamp };
