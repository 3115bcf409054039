/** The JSON a VERIFY job keeps in the journal: its request (spec), its plan with the report, its tasks' payloads. */
import type { ContentStats } from '../meta-checksum.ts';
import type { VerifyMode, VerifyProblem } from '../snapshot-verify.ts';

/** `jobs.spec` of a VERIFY. */
export type VerifySpec = {
  /** Repository (also the job's repo_name). */
  readonly repository: string;
  /** The info file's timestamp (`yyyy-MM-dd-HH-mm-ss-SSS`) chosen at submit. */
  readonly timestamp: string;
  readonly mode: VerifyMode;
};

/** What the run found, kept in the plan once REPORTING is done (what the statement and SHOW VERIFY print). */
export type VerifyReportJson = {
  readonly tables: number;
  readonly partitions: number;
  /** Files checked. */
  readonly files: number;
  /** Bytes of the files checked. */
  readonly bytes: number;
  readonly problems: readonly VerifyProblem[];
};

/** What PENDING decided, and (from REPORTING on) the report. */
export type VerifyPlan = {
  readonly tables: number;
  readonly partitions: number;
  /** Files the check tasks look at (the meta file is checked in REPORTING, in checksum mode). */
  readonly files: number;
  /** Restore mode: the scratch database the snapshot is restored into, and the RESTORE job doing it. */
  readonly scratchDatabase?: string;
  readonly restoreJobId?: number;
  readonly report?: VerifyReportJson;
};

/** `job_tasks.result` of a check task. */
export type VerifyTaskResult = {
  /** Problems, each with the file's position in the snapshot (the report keeps the snapshot's file order). */
  readonly problems: readonly (VerifyProblem & { readonly order: number })[];
  /** Bytes checked. */
  readonly bytes: number;
  /** Checksum mode: the stats of each tablet header read intact, with its physical partition id. */
  readonly stats: readonly { readonly partitionId: number; readonly stats: ContentStats }[];
};

/** `job_tasks.result` of the restore task. */
export type VerifyRestoreResult = {
  readonly restoreJobId: number;
  readonly problems: readonly VerifyProblem[];
};
