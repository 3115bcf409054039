import type { Catalog } from '../catalog/catalog.ts';
import { listLiveJobs } from '../catalog/jobs-read.ts';
import type { JobRow } from '../catalog/jobs-types.ts';
import { ddlError } from '../errors/index.ts';
import type { Logger } from '../logging/logger.ts';
import { labelOfKey, readRepositoryIndex, type RepositoryIndex } from '../repository/repository-index.ts';
import { fromBrokerError } from '../repository/repository-error.ts';
import type { Repository } from '../repository/repository.ts';
import { executeDrop, planDrop, type DropPlan, type ExecuteDropOptions } from '../repository/snapshot-drop.ts';
import type { Clock } from '../util/clock.ts';
import { clusterIdOf } from './backup-info.ts';
import type { BackupSpec } from './steps.ts';

/**
 * Dropping snapshots with every check — the one entry point for `DROP SNAPSHOT` (single and bulk, DRY RUN), the TTL
 * expiry task and automation's retention (keep_last). Never races a job: it runs under the scheduler's submit lock
 * (no job can be submitted meanwhile) and refuses labels a live job writes or reads, including snapshots a live
 * RESTORE / VERIFY reads through references into the dropped ones, and any drop while an incremental BACKUP to the
 * same repository runs (it may be choosing those files as references right now).
 *
 *   const outcome = await dropSnapshots(deps, { repository: 'repo', labels: ['snap1'], force: false, dryRun: true });
 *   outcome.plan.summaries  // per label: files deleted, bytes reclaimed, files moved for surviving snapshots
 */

/** What dropSnapshots needs from the engine. */
export interface RetentionDeps {
  readonly catalog: Catalog;
  /** Connected repositories by name (RepositoryManager). */
  readonly repositories: { has(name: string): boolean; get(name: string): Promise<Repository> };
  /** The job scheduler's submit lock (JobScheduler.withSubmitLock). */
  withSubmitLock<T>(fn: () => Promise<T>): Promise<T>;
  /** Data dir (this instance's cluster id lives there: ownership without FORCE). */
  readonly dataDir: string;
  readonly logger: Logger;
  readonly clock: Clock;
}

export interface DropRequest {
  readonly repository: string;
  /** Snapshot directories to drop (each must exist). */
  readonly labels: readonly string[];
  /** Skip the ownership check (StarRocks' FORCE); also allows dropping directories that are not restorable. */
  readonly force: boolean;
  /** Plan only: report what would go. */
  readonly dryRun: boolean;
  /** Cancels the listing, the reads and the deletes (a re-run finishes an interrupted drop). */
  readonly signal?: AbortSignal;
  /** For the log line: who asked. */
  readonly reason?: 'user' | 'ttl' | 'retention';
  /** Labels without a directory are skipped instead of refused (automation's retention: already gone is fine). */
  readonly ignoreMissing?: boolean;
  /** Test hook: called after each step of the drop (see executeDrop). */
  readonly onStep?: ExecuteDropOptions['onStep'];
}

export interface DropOutcome {
  readonly plan: DropPlan;
  /** The index the plan was made from (callers list rows from it). */
  readonly index: RepositoryIndex;
  /** False for DRY RUN. */
  readonly executed: boolean;
}

/** Refuse when `repository` is missing or read-only (StarRocks v4.2's messages). */
export async function writableRepository(deps: RetentionDeps, repository: string): Promise<Repository> {
  if (!deps.repositories.has(repository)) throw ddlError(`Repository does not exist: ${repository}`);
  const repo = await deps.repositories.get(repository);
  if (repo.readOnly) throw ddlError(`Repository ${repository} is read only`);
  return repo;
}

/** Read the repository's index, with StarRocks' message on failure. */
export async function indexOf(repo: Repository, signal?: AbortSignal): Promise<RepositoryIndex> {
  try {
    return await readRepositoryIndex(repo, signal === undefined ? {} : { signal });
  } catch (error) {
    throw ddlError(`Failed to list snapshots in repository ${repo.name}: ${fromBrokerError(error).message}`);
  }
}

/** Plan (and unless dryRun, carry out) dropping `labels` of one repository; see the module comment. */
export async function dropSnapshots(deps: RetentionDeps, request: DropRequest): Promise<DropOutcome> {
  const repo = await writableRepository(deps, request.repository);
  return deps.withSubmitLock(async () => {
    const index = await indexOf(repo, request.signal);
    const labels = request.ignoreMissing === true ? request.labels.filter((l) => index.dirs.has(l)) : request.labels;
    for (const label of labels) {
      if (!index.dirs.has(label)) throw ddlError(`Snapshot does not exist in repository ${request.repository}: ${label}`);
    }
    // Nothing left to drop: do not collect garbage either (that is for a drop someone asked for).
    if (labels.length === 0 && request.labels.length > 0) return { plan: planDrop(index, [], deps.clock.now()), index, executed: false };
    checkNoJobUses(deps.catalog, index, request.repository, labels);
    if (!request.force) await checkOwnership(deps, index, request.repository, labels);
    const plan = planDrop(index, labels, deps.clock.now());
    if (request.dryRun) return { plan, index, executed: false };
    try {
      await executeDrop(repo, plan, {
        logger: deps.logger,
        now: deps.clock.now(),
        ...(request.signal === undefined ? {} : { signal: request.signal }),
        ...(request.onStep === undefined ? {} : { onStep: request.onStep }),
      });
    } catch (error) {
      const what = labels.length === 1 ? `snapshot ${labels[0]}` : `snapshots ${labels.join(', ')}`;
      throw ddlError(`Failed to delete ${what} in repository ${request.repository}: ${fromBrokerError(error).message}`);
    }
    deps.logger.child({ component: 'retention' }).info(
      { repository: request.repository, labels: plan.labels, bytes: plan.bytesReclaimed, reason: request.reason ?? 'user', force: request.force },
      'dropped snapshots',
    );
    return { plan, index, executed: true };
  });
}

/** The live jobs of a repository that a drop of `labels` would race, as the message refusing it, or null. */
export function jobConflict(catalog: Catalog, index: RepositoryIndex, repository: string, labels: readonly string[]): string | null {
  const dropped = new Set(labels);
  for (const job of listLiveJobs(catalog)) {
    if (job.kind === 'COPY') {
      const copy = copyConflict(job, index, repository, dropped);
      if (copy !== null) return copy;
      continue;
    }
    if (job.repoName !== repository) continue;
    if (job.kind === 'BACKUP') {
      if (dropped.has(job.label)) return `Can not drop snapshot ${job.label}: a backup is writing it`;
      if (isIncremental(job)) {
        const first = labels[0] ?? '';
        return `Can not drop snapshot ${first}: an incremental backup (${job.label}, job ${job.id}) to repository ${repository} is running and may reference its files; try again when it is done`;
      }
      continue;
    }
    const verb = job.kind === 'RESTORE' ? 'a restore is reading' : `a ${job.kind.toLowerCase()} job is reading`;
    if (dropped.has(job.label)) return `Can not drop snapshot ${job.label}: ${verb} it`;
    const read = index.dirs.get(job.label)?.snapshot;
    if (read === undefined || read === null) continue;
    for (const f of read.files) {
      const at = index.resolve(f);
      const owner = at === null ? null : labelOfKey(at);
      if (owner !== null && dropped.has(owner)) {
        return `Can not drop snapshot ${owner}: ${verb} snapshot ${job.label}, which references its files`;
      }
    }
  }
  return null;
}

/**
 * A live COPY reads its label (and, through references, other snapshots' files) in its source repository, and in
 * its destination (its repo_name) it writes the label and counts on content already there — other snapshots' files
 * or shared objects it resolved the snapshot's references to, or copied to the object area, which no info file
 * names until the copy's own is written last — so any drop there waits for it, as for an incremental BACKUP.
 */
function copyConflict(job: JobRow, index: RepositoryIndex, repository: string, dropped: ReadonlySet<string>): string | null {
  const from = (job.spec as { from?: unknown } | null)?.from;
  if (job.repoName === repository) {
    if (dropped.has(job.label)) return `Can not drop snapshot ${job.label}: a copy job is writing it`;
    const first = [...dropped][0] ?? '';
    return `Can not drop snapshot ${first}: a copy (${job.label}, job ${job.id}) into repository ${repository} is running and may reference its files; try again when it is done`;
  }
  if (from !== repository) return null;
  if (dropped.has(job.label)) return `Can not drop snapshot ${job.label}: a copy job is reading it`;
  const read = index.dirs.get(job.label)?.snapshot;
  for (const f of read?.files ?? []) {
    const at = index.resolve(f);
    const owner = at === null ? null : labelOfKey(at);
    if (owner !== null && dropped.has(owner)) return `Can not drop snapshot ${owner}: a copy job is reading snapshot ${job.label}, which references its files`;
  }
  return null;
}

function checkNoJobUses(catalog: Catalog, index: RepositoryIndex, repository: string, labels: readonly string[]): void {
  const conflict = jobConflict(catalog, index, repository, labels);
  if (conflict !== null) throw ddlError(conflict);
}

function isIncremental(job: JobRow): boolean {
  return String((job.spec as Partial<BackupSpec> | null)?.type ?? '').toUpperCase() === 'INCREMENTAL';
}

/** StarRocks v4.2: without FORCE, every info file must name this instance's cluster id. */
async function checkOwnership(deps: RetentionDeps, index: RepositoryIndex, repository: string, labels: readonly string[]): Promise<void> {
  const me = await clusterIdOf(deps.dataDir);
  const force = 'Use DROP SNAPSHOT ... FORCE to drop it anyway';
  for (const label of labels) {
    const dir = index.dirs.get(label);
    if (dir?.dropping === true) continue; // an interrupted drop: finishing it is no new decision
    const owner = dir?.snapshot?.info.extension?.clusterId ?? null;
    if (owner === null) {
      throw ddlError(`Snapshot ${label} in repository ${repository} does not record which cluster created it, and this cluster is ${me}. ${force}`);
    }
    if (owner !== me) {
      throw ddlError(`Snapshot ${label} in repository ${repository} was created by cluster ${owner}, and this cluster is ${me}. ${force}`);
    }
  }
}
