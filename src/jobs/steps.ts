import type { JobRow, JsonValue } from '../catalog/jobs-types.ts';

/**
 * The seams between the job engine and the table store / repository. backup-job.ts and restore-job.ts run their
 * state machines against these interfaces only; wiring the real store and repository means implementing them.
 * Every type here is plain JSON, because plans and task payloads are persisted in the job journal.
 */

/** A file as the store knows it from the moment it was written (no re-reading to learn size or md5). */
export type FileEntry = {
  /** Name inside the tablet (snapshot) directory, e.g. `10005_0_1.dat`. */
  readonly name: string;
  readonly size: number;
  /** Hex md5 of the content. */
  readonly md5: string;
  /**
   * Restore only: the repository-relative stored key to read the file from, when it is not the tablet dir's
   * `<name>.<md5>` — a reference of an incremental snapshot, resolved when the restore was planned.
   */
  readonly source?: string;
};

/** A local snapshot: hard links of a tablet's files at one version, in a directory of one backend. */
export type LocalSnapshot = {
  /** Absolute snapshot directory (owned by the job until released). */
  readonly dir: string;
  readonly files: readonly FileEntry[];
};

/** One tablet replica to snapshot at a pinned version (backup), and where its files go in the repository. */
export type SnapshotTarget = {
  readonly backendId: number;
  readonly tabletId: number;
  /** The replica chosen on that backend. */
  readonly replicaId: number;
  /** The partition's visible version pinned at PENDING. */
  readonly version: number;
  readonly tableId: number;
  readonly partitionId: number;
  readonly indexId: number;
};

/** What BACKUP decided at PENDING. */
export type BackupPlan = {
  /** One entry per tablet of every backed-up partition: the replica and version to snapshot. */
  readonly targets: readonly SnapshotTarget[];
  /** Copied table metadata for the meta file (store-defined JSON). */
  readonly meta: JsonValue;
};

/** A snapshot that is (being) uploaded, with the target that produced it. */
export type TabletSnapshot<T> = {
  readonly target: T;
  readonly snapshot: LocalSnapshot;
};

/** Progress and cancellation for one transfer (upload / download) of a chunk of tablets. */
export interface TransferIO {
  /** Aborted when the job is cancelled or the engine stops. */
  readonly signal: AbortSignal;
  /**
   * Whether files may already be at their destination (the job resumed after a restart, or this is a retry): look
   * before writing then. False (the label is new, nothing was written yet) skips the look — no listing per tablet.
   * Absent means true.
   */
  readonly mayExist?: boolean;
  /** Files still to transfer, by tablet; files already done are absent. */
  readonly pending: ReadonlyMap<number, readonly FileEntry[]>;
  /**
   * Call after a file is durably in place (uploaded under `.<md5>`, or downloaded and verified) — durable: its
   * directory entry and bytes survive a power loss (a barrier flush for the whole chunk counts).
   */
  fileDone(tabletId: number, name: string): void;
  /** Call as bytes move, for progress and rate (optionally saying which tablet's file they belong to). */
  addBytes(bytes: number, tabletId?: number): void;
}

export interface BackupSteps {
  /**
   * PENDING: under the store's read lock re-check the tables/partitions of `job.spec`, pin each partition's visible
   * version, choose one healthy replica per tablet (StarRocks: lowest replica id with version ≥ visible version) and
   * copy the table metadata. Throw with StarRocks' message when a replica cannot be chosen
   * (`failed to choose replica to make snapshot for tablet <id>. visible version: <v>`).
   */
  prepare(job: JobRow, signal: AbortSignal): Promise<BackupPlan>;
  /** SNAPSHOTING, per tablet: `makeSnapshot(replica, version)` — hard links, files with size and md5. */
  snapshot(target: SnapshotTarget, signal: AbortSignal): Promise<LocalSnapshot>;
  /**
   * UPLOAD_SNAPSHOT, before the upload tasks are made (optional; everything is uploaded without it): the tablets
   * with only the files to upload. An incremental backup leaves out files whose content (md5 and size) the
   * repository already holds and records them as references (src/jobs/backup-reuse.ts); tablets with nothing left
   * to upload are left out. Runs again when the job resumes from its SNAPSHOTING checkpoint.
   */
  selectUploads?(job: JobRow, tablets: readonly TabletSnapshot<SnapshotTarget>[], signal: AbortSignal): Promise<readonly TabletSnapshot<SnapshotTarget>[]>;
  /**
   * SNAPSHOTING for a chunk of tablets of one backend at once (optional; `snapshot` per target otherwise). Results
   * in the order of `targets`. Snapshots need not be durable yet: `syncSnapshots` runs before the checkpoint.
   */
  snapshotMany?(job: JobRow, targets: readonly SnapshotTarget[], signal: AbortSignal): Promise<LocalSnapshot[]>;
  /** Make the job's snapshots durable, once, before SNAPSHOTING's checkpoint is recorded (optional). */
  syncSnapshots?(job: JobRow, signal: AbortSignal): Promise<void>;
  /**
   * Remove every local snapshot of the job, also those no task recorded (a crash before their completion was
   * journaled): before PENDING runs again, and on cancel (optional).
   */
  discardSnapshots?(job: JobRow): Promise<void>;
  /**
   * UPLOADING, per batch of tablets of one backend: upload each pending file with the `.part` → `.<md5>` protocol to
   * the repository's tablet dir of `job`, calling `io.fileDone` after each rename. Throw a retryable BrokerError for
   * transient failures (the engine retries the task with the remaining files).
   */
  upload(job: JobRow, tablets: readonly TabletSnapshot<SnapshotTarget>[], io: TransferIO): Promise<void>;
  /** SAVE_META: write the meta file and the job-info file (`__info_<createTime ts>`) locally, from plan + snapshots. */
  saveMeta(job: JobRow, plan: BackupPlan, snapshots: readonly TabletSnapshot<SnapshotTarget>[]): Promise<void>;
  /**
   * UPLOAD_INFO: upload the meta file, then the info file last (the snapshot becomes visible then). Errors are
   * retried by the engine until the job times out, as in StarRocks. Then delete the local job dir.
   */
  uploadInfo(job: JobRow, signal: AbortSignal): Promise<void>;
  /** Release local snapshots (idempotent; releasing a missing dir succeeds). */
  release(snapshots: readonly LocalSnapshot[]): Promise<void>;
  /**
   * SAVE_META: keep the job's local snapshots for RESTORE … ("source" = "local") instead of releasing them (the
   * repository's keep_local_snapshots); true when kept — they are then no longer the job's to release.
   */
  keepLocal?(job: JobRow, snapshots: readonly TabletSnapshot<SnapshotTarget>[]): Promise<boolean>;
  /** Whether a local snapshot is still intact (checked before resuming after a restart). */
  snapshotExists(snapshot: LocalSnapshot): Promise<boolean>;
  /** Whether the local meta/info files of SAVE_META are still there (resuming UPLOAD_INFO needs them). */
  savedMetaExists(job: JobRow): Promise<boolean>;
  /** Delete the job's local working dir, if any (cancel). Idempotent. */
  discard(job: JobRow): Promise<void>;
}

/** One local replica to fill from one remote tablet (restore). */
export type RestoreTarget = {
  readonly backendId: number;
  /** Local tablet / replica receiving the data (possibly created invisibly at PENDING). */
  readonly tabletId: number;
  readonly replicaId: number;
  /** Tablet id in the snapshot; the remote dir is `…/__<remoteTabletId>`. */
  readonly remoteTabletId: number;
  /** Repository-relative tablet dir holding `<file>.<md5>` files. */
  readonly remoteDir: string;
  /** Version the partition gets when published. */
  readonly version: number;
  /** The files the job-info file lists for the remote tablet. */
  readonly files: readonly FileEntry[];
};

/** What RESTORE decided at PENDING. */
export type RestorePlan = {
  readonly targets: readonly RestoreTarget[];
  /** Store-defined JSON: created tables/partitions (for rollback), overwritten partitions, versions to publish. */
  readonly meta: JsonValue;
};

export interface RestoreSteps {
  /**
   * PENDING: StarRocks' checkAndPrepareMeta — read the snapshot meta, check compatibility with existing tables
   * (exact §5.1 messages), create missing tables / partitions / replicas *invisibly*, mark existing ones RESTORE,
   * and map local tablets to remote ones by ordinal. Everything it creates must be undone by `rollback`.
   */
  prepare(job: JobRow, signal: AbortSignal): Promise<RestorePlan>;
  /** SNAPSHOTING, per local replica: an empty snapshot dir that will receive the download. */
  snapshot(target: RestoreTarget, signal: AbortSignal): Promise<LocalSnapshot>;
  /** SNAPSHOTING for a chunk of targets at once (optional). Results in the order of `targets`. */
  snapshotMany?(job: JobRow, targets: readonly RestoreTarget[], signal: AbortSignal): Promise<LocalSnapshot[]>;
  /** Remove every local snapshot of the job, also those no task recorded (optional; see BackupSteps). */
  discardSnapshots?(job: JobRow): Promise<void>;
  /**
   * The files of a target DOWNLOADING transfers and journals (optional; default every file of the target). Files
   * left out are the steps' own business (tablevault reads the small headers straight from the repository at COMMIT).
   */
  downloadFilesOf?(target: RestoreTarget): readonly FileEntry[];
  /**
   * DOWNLOADING, per batch of one backend: download each pending file into its snapshot dir (verify md5, temp name
   * then rename), calling `io.fileDone` after each. Retryable BrokerErrors are retried by the engine.
   */
  download(job: JobRow, tablets: readonly TabletSnapshot<RestoreTarget>[], io: TransferIO): Promise<void>;
  /**
   * COMMITTING, per replica: check the downloaded files of the (still invisible) replica's tablet and say what
   * publishing them takes; the JSON returned is the move task's result, handed to `place`. Idempotent.
   */
  move(job: JobRow, target: RestoreTarget, snapshot: LocalSnapshot, signal: AbortSignal): Promise<JsonValue | void>;
  /** COMMITTING for a chunk of tablets at once (optional). Results in the order of `items`. */
  moveMany?(job: JobRow, items: readonly TabletSnapshot<RestoreTarget>[], signal: AbortSignal): Promise<JsonValue[]>;
  /**
   * Before publish, asynchronously: put the files in place without making anything visible (file I/O that must not
   * run inside the synchronous publish transaction); `moved` holds each move task's result by local tablet id.
   * Runs again if the job resumes in COMMITTING. Optional.
   */
  place?(job: JobRow, plan: RestorePlan, moved: ReadonlyMap<number, JsonValue>, signal: AbortSignal): Promise<void>;
  /**
   * Make the restore visible: publish created tables/partitions, set versions, tables back to NORMAL. Synchronous
   * catalog writes only — the engine runs it inside the same SQLite transaction that records FINISHED, so a crash
   * leaves either nothing visible or everything.
   */
  publish(job: JobRow, plan: RestorePlan): void;
  /** Undo `prepare`: drop invisible tables/partitions it created, set tables back to NORMAL. Idempotent. */
  rollback(job: JobRow, plan: RestorePlan | null): Promise<void>;
  /** Release local snapshots (idempotent). */
  release(snapshots: readonly LocalSnapshot[]): Promise<void>;
  /** Whether a local snapshot (and what was downloaded into it) is still intact. */
  snapshotExists(snapshot: LocalSnapshot): Promise<boolean>;
}

/** A table of a BACKUP statement (BackupObjs). */
export type BackupObject = {
  readonly table: string;
  /** Explicit PARTITION list; empty = every partition. */
  readonly partitions: readonly string[];
};

/** `jobs.spec` of a BACKUP. */
export type BackupSpec = {
  readonly objects: readonly BackupObject[];
  /** `FULL` (a complete, independent copy) or `INCREMENTAL` (new content only, references for the rest). */
  readonly type: string;
  /** The `ttl` property, normalised (`7 DAY`); absent: the repository's default_snapshot_ttl, if any, applies. */
  readonly ttl?: string;
  /**
   * Token of the job's label reservation marker `__ss_<label>/__label_<token>` (written at submission, checked
   * before the info file is written). Absent in jobs submitted before reservations existed.
   */
  readonly reservation?: string;
};

/** A table of the snapshot being restored, after ON-clause filtering (RestoreObjs). */
export type RestoreObject = {
  readonly table: string;
  /** Partitions restored (names equal to the table's are its single partition). */
  readonly partitions: readonly string[];
  /** `AS alias`, or null. */
  readonly alias: string | null;
};

/** `jobs.spec` of a RESTORE. */
export type RestoreSpec = {
  readonly objects: readonly RestoreObject[];
  /** The `backup_timestamp` property, verbatim. */
  readonly timestamp: string;
  readonly allowLoad: boolean;
  readonly replicationNum: number;
};
