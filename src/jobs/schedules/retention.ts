/**
 * A schedule's own snapshots: the history its policy counts, and retention (`keep_last`, `ttl`) after each
 * successful run. Only snapshots the schedule made are ever dropped — from the repository they were written to and
 * from the `copy_to` repository they were copied to — and only in the repository the schedule writes to now.
 */
import type { Catalog } from '../../catalog/catalog.ts';
import { listBackedUpRuns, listScheduleRuns } from '../../catalog/schedule-runs.ts';
import type { BackupType, ScheduleRow, ScheduleRunRow } from '../../catalog/schedules-types.ts';
import { getJob } from '../../catalog/jobs-read.ts';
import type { Logger } from '../../logging/logger.ts';
import type { Clock } from '../../util/clock.ts';
import type { ScheduleOptions } from './options.ts';
import { parseScheduleOptions } from './options.ts';
import { nextBackupType, snapshotsToDrop } from './policy.ts';

/** The backup type of a schedule's next run: its policy over the successful backups written to its current repository. */
export function nextTypeOf(catalog: Catalog, s: ScheduleRow, options: ScheduleOptions): BackupType {
  // Runs into another repository do not count: a new repository starts with a full backup (MRS: changing the
  // target path forces a full backup).
  return nextBackupType(options.policy, listBackedUpRuns(catalog, s.id, s.repoName).map((r) => r.backupType));
}

/** What retention needs from the runner. */
export interface RetentionHost {
  readonly catalog: Catalog;
  readonly clock: Clock;
  readonly log: Logger;
  readonly signal: AbortSignal;
  /** Drop a snapshot from a repository (fine when already gone). */
  drop(repoName: string, label: string, signal: AbortSignal): Promise<void>;
  /** Record that a run's snapshot was dropped. */
  markDropped(runId: number, at: number): ScheduleRunRow;
}

/**
 * After a successful run: drop what `keep_last` / `ttl` no longer keep, and what the schedule's failed BACKUP jobs
 * left half-written. A drop that fails (a RESTORE is reading the snapshot, the repository is unreachable) is logged
 * and tried again after the next successful run.
 */
export async function retain(host: RetentionHost, s: ScheduleRow): Promise<void> {
  const options = parseScheduleOptions(s.properties);
  const now = host.clock.now();
  const kept = listBackedUpRuns(host.catalog, s.id, s.repoName).filter((r) => r.droppedAt === null);
  const expired = snapshotsToDrop(kept, { keepLast: options.keepLast, ttlMs: options.ttlMs }, now);
  const victims: { runId: number; label: string; repos: string[]; why: string }[] = expired.map((e) => {
    const r = kept.find((k) => k.label === e.label && k.finishedAt === e.finishedAt);
    return { runId: r?.runId ?? -1, label: e.label, repos: [s.repoName, ...(r?.copyTo === null || r?.copyTo === undefined ? [] : [r.copyTo])], why: 'retention' };
  });
  // Failed BACKUP jobs of this schedule leave a partial `__ss_<label>` behind (StarRocks makes you DROP … FORCE it).
  for (const run of listScheduleRuns(host.catalog, s.id, ['FAILED'])) {
    if (run.droppedAt !== null || run.jobId === null || run.label === null || run.repoName !== s.repoName) continue;
    const job = getJob(host.catalog, run.jobId);
    if (job === null || job.state === 'FINISHED' || !job.done) continue;
    victims.push({ runId: run.id, label: run.label, repos: [run.repoName, ...(run.copyTo === null ? [] : [run.copyTo])], why: 'failed run' });
  }
  for (const v of victims) {
    if (v.runId < 0 || host.signal.aborted) continue;
    try {
      for (const repo of v.repos) await host.drop(repo, v.label, host.signal);
      host.markDropped(v.runId, host.clock.now());
      host.log.info({ schedule: s.name, label: v.label, repositories: v.repos, why: v.why }, 'dropped snapshot');
    } catch (error) {
      host.log.warn({ err: error, schedule: s.name, label: v.label }, 'could not drop snapshot; will try again after the next successful run');
    }
  }
}
