/** The JSON a COPY job keeps in the journal: its request (spec), its plan, its tasks' payloads. */
import type { TabletIds } from '../../repository/layout.ts';

/** `jobs.spec` of a COPY. */
export type CopySpec = {
  /** Source repository. */
  readonly from: string;
  /** Destination repository (also the job's repo_name). */
  readonly to: string;
  /** The info file's timestamp (`yyyy-MM-dd-HH-mm-ss-SSS`) chosen at submit. */
  readonly timestamp: string;
  /** The job's label reservation token in the destination (label-reservation.ts), as BACKUP keeps its own. */
  readonly reservation: string;
};

/** One content file of the snapshot. */
export type CopyFile = {
  readonly tabletId: number;
  /** Stored name, checksum included (`10005_0_1.dat.<md5>`). */
  readonly storedName: string;
  readonly md5: string;
  readonly size: number;
};

/** What PENDING decided. */
export type CopyPlan = {
  /** Tablet directories, by tablet id. */
  readonly tablets: Readonly<Record<string, TabletIds>>;
  /** Files the destination lacks (same path, md5 and size), to copy. */
  readonly files: readonly CopyFile[];
  /** Files the destination already holds and that are not sent again. */
  readonly reusedFiles: number;
  readonly reusedBytes: number;
  /** Every content file of the snapshot, referenced ones included. */
  readonly totalFiles: number;
  readonly totalBytes: number;
  /**
   * Referenced files (incremental snapshots) the destination cannot resolve: `<tabletId>/<storedName>` → the key the
   * info file records. Copied to the destination's shared object area, where RESTORE resolves a reference whose
   * key does not hold the content (absent in plans journaled before references were copied).
   */
  readonly references?: Readonly<Record<string, string>>;
};

/** `job_tasks.payload` of a copy task: where its tablets' files live (the files themselves are in job_files). */
export type CopyTaskPayload = {
  readonly tablets: Readonly<Record<string, TabletIds>>;
  /** The task's referenced files, as in CopyPlan.references. */
  readonly references?: Readonly<Record<string, string>>;
};
