/**
 * What a VERIFY job does to the repository and, in restore mode, to a scratch database. The file checks are the
 * pieces of src/jobs/snapshot-verify.ts run per task; restore mode submits a real RESTORE job (the RESTORE
 * statement's code path, src/sql/restore/scratch-restore.ts) into a database named after the VERIFY job, waits for it,
 * compares what it restored with what the snapshot's info file records (meta-checksum.ts's comparison), and drops it.
 *
 * The scratch database is named `__tablevault_verify_<job id>`: CREATE DATABASE refuses a name starting with two
 * underscores, so no user database can collide with it, and SHOW DATABASES does not list it. It is dropped whatever
 * the outcome — finished, failed, cancelled — and, after a crash, by the job's next run (PENDING drops it first).
 */
import type { Catalog } from '../../catalog/catalog.ts';
import { getDatabase, listPartitions, listRowsets, listTables, listTablets } from '../../catalog/index.ts';
import { getJobPlan } from '../../catalog/jobs-write.ts';
import { lastJobOfDb } from '../../catalog/jobs-read.ts';
import { listTasks } from '../../catalog/jobs-tasks.ts';
import type { JobRow } from '../../catalog/jobs-types.ts';
import type { Logger } from '../../logging/logger.ts';
import { readRepositoryIndex, type IndexedFile, type IndexedSnapshot, type RepositoryIndex } from '../../repository/repository-index.ts';
import type { RepositoryManager } from '../../repository/repository-manager.ts';
import type { Repository } from '../../repository/repository.ts';
import { JobAbortError } from '../job-runtime.ts';
import { combineContentStats, contentMismatch, manifestStats, type ContentStats } from '../meta-checksum.ts';
import type { MovedTablet } from '../restore-transfer.ts';
import type { JobRestoreTarget, RestorePlanMeta } from '../restore-types.ts';
import type { JobScheduler } from '../scheduler.ts';
import { checkFile, type VerifyProblem } from '../snapshot-verify.ts';
import { JobStatusError } from '../status.ts';
import type { VerifyRestoreResult, VerifySpec } from './verify-types.ts';

/** Files read at once when a failed restore's cause is looked for. */
const LOCATE_READS = 4;

/** Prefix of scratch database names; two underscores, which CREATE DATABASE refuses. */
export const SCRATCH_DATABASE_PREFIX = '__tablevault_verify_';

/** The scratch database of VERIFY job `jobId`. */
export function scratchDatabaseName(jobId: number): string {
  return `${SCRATCH_DATABASE_PREFIX}${jobId}`;
}

/** Whether `name` is a restore-mode VERIFY's scratch database (hidden from SHOW DATABASES). */
export function isScratchDatabase(name: string): boolean {
  return name.startsWith(SCRATCH_DATABASE_PREFIX);
}

/** What the restore of a restore-mode VERIFY needs submitted. */
export interface ScratchRestoreRequest {
  readonly label: string;
  readonly repository: string;
  readonly timestamp: string;
  /** The scratch database to create and restore into. */
  readonly database: string;
  readonly timeoutMs: number;
}

export interface VerifyStepsDeps {
  readonly catalog: Catalog;
  readonly repositories: RepositoryManager;
  /** The scheduler running the jobs (drivers are made before it exists, hence a function). */
  readonly jobs: () => JobScheduler;
  /** Submit the RESTORE into the scratch database (creates it). */
  readonly submitRestore: (req: ScratchRestoreRequest, signal: AbortSignal) => Promise<JobRow>;
  /** DROP DATABASE of the table store: the catalog rows and, once unheld, the tablet files. */
  readonly dropDatabase: (name: string) => void;
}

/** A job's repository, listing and snapshot, with its files by `<tabletId>/<storedName>` (what job_files keys). */
export interface LoadedSnapshot {
  readonly repo: Repository;
  readonly index: RepositoryIndex;
  readonly snapshot: IndexedSnapshot;
  readonly byKey: ReadonlyMap<string, { readonly file: IndexedFile; readonly order: number }>;
}

export function specOf(job: JobRow): VerifySpec {
  return job.spec as unknown as VerifySpec;
}

export class VerifySteps {
  readonly #deps: VerifyStepsDeps;
  /** The listing per running job: made once in PENDING, re-made by whichever task needs it after a restart. */
  readonly #loaded = new Map<number, Promise<LoadedSnapshot>>();

  constructor(deps: VerifyStepsDeps) {
    this.#deps = deps;
  }

  /** List the repository and find the job's snapshot (`fresh`: list again even if this process did already). */
  load(job: JobRow, signal: AbortSignal, fresh = false): Promise<LoadedSnapshot> {
    let loaded = fresh ? undefined : this.#loaded.get(job.id);
    if (loaded === undefined) {
      loaded = this.#list(job, signal);
      this.#loaded.set(job.id, loaded);
      // A failed listing is not kept: a retry lists again.
      loaded.catch(() => this.#loaded.delete(job.id));
    }
    return loaded;
  }

  /** Forget what `load` kept for the job (it ended). */
  forget(jobId: number): void {
    this.#loaded.delete(jobId);
  }

  async #list(job: JobRow, signal: AbortSignal): Promise<LoadedSnapshot> {
    const spec = specOf(job);
    const repo = await this.#deps.repositories.get(spec.repository);
    const index = await readRepositoryIndex(repo, { signal, labels: [job.label] });
    const snapshot = index.snapshots.find((s) => s.label === job.label && s.timestamp === spec.timestamp);
    if (snapshot === undefined) {
      const problem = index.dirs.get(job.label)?.problem;
      throw new JobStatusError('NOT_FOUND', `snapshot ${job.label} (backup_timestamp ${spec.timestamp}) is no longer restorable in repository ${spec.repository}${problem === null || problem === undefined ? '' : `: ${problem}`}`);
    }
    const byKey = new Map(snapshot.files.map((file, order) => [fileKey(file), { file, order }]));
    return { repo, index, snapshot, byKey };
  }

  /** Check one file (restore mode checks as `files` mode does: its restore reads every byte anyway). */
  check(loaded: LoadedSnapshot, file: IndexedFile, job: JobRow, signal: AbortSignal): ReturnType<typeof checkFile> {
    const mode = specOf(job).mode === 'checksum' ? 'checksum' : 'files';
    return checkFile(loaded.repo, loaded.index, file, mode, signal);
  }

  /**
   * Restore mode: RESTORE into the scratch database, wait, compare, drop it. A cancelled VERIFY cancels its RESTORE
   * (whose own cleanup drops what it created) and drops the database; an engine shutdown leaves both to the next run.
   */
  async restoreAndCompare(job: JobRow, loaded: LoadedSnapshot, log: Logger, signal: AbortSignal): Promise<VerifyRestoreResult> {
    const name = scratchDatabaseName(job.id);
    await this.dropScratch(job.id, log);
    const restore = await this.#deps.submitRestore(
      { label: job.label, repository: specOf(job).repository, timestamp: specOf(job).timestamp, database: name, timeoutMs: job.timeoutMs },
      signal,
    );
    log.info({ restoreJobId: restore.id, database: name }, 'restoring into the scratch database');
    let done: JobRow;
    try {
      done = await this.#deps.jobs().waitForJob(restore.id, { signal });
    } catch (error) {
      const shutdown = signal.reason instanceof JobAbortError && signal.reason.status === null;
      if (!shutdown) await this.dropScratch(job.id, log);
      throw error;
    }
    try {
      const problems = this.#compare(loaded.snapshot, done);
      // A RESTORE that failed for another reason than its stats (a file whose bytes changed after the backup: the
      // listing saw the right size): read the snapshot's files to name the one at fault by its repository path.
      const failed = problems.length === 1 && problems[0]?.path === `RESTORE job ${done.id}`;
      const located = failed ? await this.#locate(loaded, signal) : [];
      return { restoreJobId: restore.id, problems: located.length > 0 ? located : problems };
    } finally {
      await this.dropScratch(job.id, log);
    }
  }

  /** Checksum mode's file checks, a few reads at a time: the problems they find, in the snapshot's file order. */
  async #locate(loaded: LoadedSnapshot, signal: AbortSignal): Promise<VerifyProblem[]> {
    const found: (VerifyProblem | null)[] = loaded.snapshot.files.map(() => null);
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < loaded.snapshot.files.length; i = next++) {
        const r = await checkFile(loaded.repo, loaded.index, loaded.snapshot.files[i] as IndexedFile, 'checksum', signal);
        found[i] = r.problem;
      }
    };
    await Promise.all(Array.from({ length: LOCATE_READS }, worker));
    return found.filter((p): p is VerifyProblem => p !== null);
  }

  /** Cancel the RESTORE still going into the job's scratch database, if any, and drop the database, if there. */
  async dropScratch(jobId: number, log: Logger): Promise<void> {
    const { catalog } = this.#deps;
    const name = scratchDatabaseName(jobId);
    const db = getDatabase(catalog, name);
    if (db === undefined) return;
    const last = lastJobOfDb(catalog, db.id);
    if (last !== null && !last.done) {
      await this.#deps.jobs().cancelJob(last.id, { code: 'COMMON_ERROR', msg: `VERIFY job ${jobId} that restored into ${name} ended` });
    }
    this.#deps.dropDatabase(name);
    log.info({ database: name }, 'scratch database dropped');
  }

  /** What the RESTORE restored against what the info file records, per partition. */
  #compare(snapshot: IndexedSnapshot, restore: JobRow): VerifyProblem[] {
    const recorded = snapshot.info.extension?.partitionStats ?? {};
    if (restore.statusCode !== 'OK' || restore.state !== 'FINISHED') return this.#compareStaged(restore, recorded);
    const { catalog } = this.#deps;
    const db = getDatabase(catalog, restore.dbName);
    const found = new Map<string, ContentStats>();
    for (const table of db === undefined ? [] : listTables(catalog, db.id)) {
      if (table.kind !== 'OLAP') continue;
      for (const p of listPartitions(catalog, table.id)) {
        const tablets = listTablets(catalog, { partitionId: p.id });
        found.set(`${table.name}.${p.name}`, combineContentStats(tablets.map((t) => manifestStats(listRowsets(catalog, t.id, p.visibleVersion)))));
      }
    }
    return compareAll(recorded, found, 'restored');
  }

  /**
   * A RESTORE that failed before publishing: when it got as far as staging the files (its pre-publish check is what
   * failed), compare every partition it staged — its own check stops at the first — else say why it failed.
   */
  #compareStaged(restore: JobRow, recorded: Readonly<Record<string, Readonly<Record<string, ContentStats>>>>): VerifyProblem[] {
    const { catalog } = this.#deps;
    const meta = (getJobPlan(catalog, restore.id) as { meta?: RestorePlanMeta } | null)?.meta;
    const moves = listTasks(catalog, restore.id, 'move').filter((t) => t.state !== 'pending' && t.result !== null);
    const failed: VerifyProblem = { path: `RESTORE job ${restore.id}`, problem: `the restore failed: ${restore.statusMsg === '' ? restore.statusCode : restore.statusMsg}` };
    if (meta === undefined || moves.length === 0) return [failed];
    const names = new Map(meta.expected.map((e) => [e.partitionId, `${e.table}.${e.partition}`]));
    const byPartition = new Map<string, ContentStats[]>();
    for (const t of moves) {
      const target = t.payload as unknown as { target?: JobRestoreTarget };
      const moved = t.result as unknown as MovedTablet;
      const key = target.target === undefined ? undefined : names.get(target.target.partitionId);
      if (key === undefined || moved.stats === undefined) continue;
      const list = byPartition.get(key);
      if (list === undefined) byPartition.set(key, [moved.stats]);
      else list.push(moved.stats);
    }
    const found = new Map([...byPartition].map(([k, v]) => [k, combineContentStats(v)]));
    const problems = compareAll(recorded, found, 'staged');
    return problems.length > 0 ? problems : [failed];
  }
}

/** `<tabletId>/<storedName>`: a file's key in job_files. */
export function fileKey(f: Pick<IndexedFile, 'ids' | 'storedName'>): string {
  return `${f.ids.tabletId}/${f.storedName}`;
}

/** Every recorded partition against what was found (`how`: restored or staged), in the info file's order. */
function compareAll(
  recorded: Readonly<Record<string, Readonly<Record<string, ContentStats>>>>,
  found: ReadonlyMap<string, ContentStats>,
  how: string,
): VerifyProblem[] {
  const problems: VerifyProblem[] = [];
  for (const [table, partitions] of Object.entries(recorded)) {
    for (const [partition, expected] of Object.entries(partitions)) {
      const key = `${table}.${partition}`;
      const got = found.get(key);
      if (got === undefined) {
        problems.push({ path: key, problem: `partition ${partition} of table ${table} is missing from the ${how} data; the snapshot records ${expected.rowCount} rows` });
        continue;
      }
      const diff = contentMismatch(expected, got);
      if (diff !== null) {
        problems.push({ path: key, problem: `${how} partition ${partition} of table ${table}: ${diff.what} ${diff.found}, the snapshot records ${diff.expected}` });
      }
    }
  }
  return problems;
}
