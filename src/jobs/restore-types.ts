import type { ColumnMeta } from '../catalog/model.ts';
import type { RestoreSpec, RestoreTarget } from './steps.ts';

/**
 * What tablevault's RESTORE keeps in the job journal beyond the engine's RestoreSpec / RestorePlan. Everything is
 * plain JSON: these records are persisted with the job and read back after a restart.
 */

/** `jobs.spec` of a RESTORE as the SQL handler writes it (RestoreSpec plus what the steps need). */
export type RestoreJobSpec = RestoreSpec & {
  /** The database recorded in the snapshot's info file (the source database). */
  readonly snapshotDb: string;
  /** True when this RESTORE created the target database; a failed job drops it again if it is still empty. */
  readonly createdDatabase: boolean;
  /**
   * Whether `replication_num` was given. Existing partitions are checked against an explicit value only (StarRocks
   * checks its default of 3 too, which fails every overwrite of a table created with fewer replicas).
   */
  readonly replicationNumExplicit: boolean;
  /** `"source" = "local"`: restore from the kept local snapshot, reading nothing from the repository (restore-local.ts). */
  readonly source?: 'local';
};

/** A restore target with the job it belongs to (names the local snapshot dir). */
export type JobRestoreTarget = RestoreTarget & {
  /** Owning job id. */
  readonly jobId: number;
  /** Local partition receiving the tablet. */
  readonly partitionId: number;
};

/** A view of the snapshot, recreated from its SQL when the restore is published. */
export type RestoreViewPlan = {
  /** Local name (alias or the snapshot name). */
  readonly name: string;
  /** Output columns as recorded at backup. */
  readonly columns: readonly ColumnMeta[];
  /** The defining SELECT, verbatim. */
  readonly definition: string;
  /** View comment. */
  readonly comment: string;
};

/** Row count and content checksum the backup recorded for one partition (the info file's `tablevault` block). */
export type ExpectedPartitionStats = {
  /** Local table name. */
  readonly table: string;
  /** Partition name in the snapshot. */
  readonly partition: string;
  /** Local partition id receiving it. */
  readonly partitionId: number;
  readonly rowCount: number;
  readonly checksum: string;
  /** The rows' content checksum the backup recorded (meta-checksum.ts); absent in snapshots from before it existed. */
  readonly contentChecksum?: string;
};

/** RestorePlan.meta: everything `publish` and `rollback` need. */
export type RestorePlanMeta = {
  /** Target database id. */
  readonly dbId: number;
  /** Where `move` stages each tablet's files (hard links) until publish. */
  readonly stagingDir: string;
  /** Tables created invisibly in PENDING (dropped on rollback, published on success). */
  readonly createdTables: readonly number[];
  /** Partitions added invisibly to existing tables. */
  readonly createdPartitions: readonly number[];
  /** Existing tables put in state RESTORE (set back to NORMAL either way). */
  readonly restoringTables: readonly number[];
  /** Local partition id → version it gets at publish (the snapshot's version). */
  readonly partitionVersions: readonly (readonly [number, number])[];
  /** Views recreated at publish. */
  readonly views: readonly RestoreViewPlan[];
  /** Per-partition checks made before publishing (empty for snapshots written by StarRocks). */
  readonly expected: readonly ExpectedPartitionStats[];
};
