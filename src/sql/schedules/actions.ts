/**
 * What the schedule runner (src/jobs/schedules) asks of the SQL layer: submit a run's BACKUP as the schedule's owner
 * — through the same parser, privilege checks, analysis and prechecks as a typed BACKUP —, submit the copy to
 * `copy_to`, and drop a snapshot for retention under the submit lock, as DROP SNAPSHOT does.
 */
import { getDatabase } from '../../catalog/index.ts';
import { listLiveJobs } from '../../catalog/jobs-read.ts';
import type { JobRow } from '../../catalog/jobs-types.ts';
import { findJobIdByLabel } from '../../catalog/schedule-runs.ts';
import { isSqlError } from '../../errors/index.ts';
import { DEFAULT_COPY_TIMEOUT_MS, submitCopy } from '../../jobs/copy/submit-copy.ts';
import { parseScheduleOptions } from '../../jobs/schedules/options.ts';
import { dropSnapshots, type RetentionDeps } from '../../jobs/snapshot-retention.ts';
import { ScheduleBlockedError, type ScheduleActions } from '../../jobs/schedules/schedule-runner.ts';
import { jobInfoTimestamp } from '../../repository/layout.ts';
import type { EngineServices } from '../context.ts';
import { EngineSession } from '../session.ts';
import { backupText } from './schedule-text.ts';

/** How lifecycle's drop refuses a snapshot a live job uses (src/jobs/snapshot-retention.ts, jobConflict). */
const JOB_CONFLICT = 'Can not drop snapshot ';
const RETENTION_ATTEMPTS = 5;
const RETENTION_WAIT_MS = 90_000;

/** Live jobs that read or write `repoName` (a COPY reads its source, spec.from). */
function liveJobsOf(catalog: EngineServices['catalog'], repoName: string): JobRow[] {
  return listLiveJobs(catalog).filter((j) => j.repoName === repoName || (j.spec as { from?: unknown } | null)?.from === repoName);
}

/** Privilege denials: the owner lost what a schedule needs, so every later run would fail the same way. */
const DENIED = new Set([1044, 1142, 1227]);

export function createScheduleActions(services: () => EngineServices, nextConnectionId: () => number): ScheduleActions {
  return {
    async startBackup(s, run) {
      const sv = services();
      const fix = `; fix it (or ALTER BACKUP SCHEDULE ${s.name}), then RESUME BACKUP SCHEDULE ${s.name}`;
      if (getDatabase(sv.catalog, s.dbName) === undefined) throw new ScheduleBlockedError(`database ${s.dbName} does not exist${fix}`);
      for (const repo of [s.repoName, ...(run.copyTo === null ? [] : [run.copyTo])]) {
        if (!sv.repositories.has(repo)) throw new ScheduleBlockedError(`repository ${repo} does not exist${fix}`);
        if (sv.repositories.info(repo)?.readOnly === true) throw new ScheduleBlockedError(`repository ${repo} is read only${fix}`);
      }
      if (sv.access.resolve(s.ownerUser, s.ownerHost) === undefined) {
        throw new ScheduleBlockedError(`its owner '${s.ownerUser}'@'${s.ownerHost}' no longer exists; recreate the schedule as another user`);
      }
      const options = parseScheduleOptions(s.properties);
      const session = new EngineSession(sv, { connectionId: nextConnectionId(), user: s.ownerUser, host: s.ownerHost, database: undefined }, () => undefined);
      try {
        await session.execute(backupText(s, run.label as string, run.backupType ?? 'FULL', options.timeoutSeconds));
      } catch (error) {
        if (isSqlError(error) && DENIED.has(error.errno)) {
          throw new ScheduleBlockedError(`its owner '${s.ownerUser}'@'${s.ownerHost}' may not back it up: ${error.message}`);
        }
        throw error;
      } finally {
        session.close();
      }
      const id = findJobIdByLabel(sv.catalog, 'BACKUP', s.repoName, run.label as string, run.decidedAt);
      if (id === null) throw new Error(`BACKUP ${run.label ?? ''} was accepted but its job is not in the catalog`);
      return id;
    },

    async startCopy(run, backup) {
      const sv = services();
      const job = await submitCopy(sv, {
        label: run.label as string,
        from: run.repoName,
        to: run.copyTo as string,
        timestamp: jobInfoTimestamp(backup.createTime),
        timeoutMs: Math.max(DEFAULT_COPY_TIMEOUT_MS, backup.timeoutMs),
        properties: {},
      });
      return job.id;
    },

    async dropSnapshot(repoName, label, signal) {
      const sv = services();
      if (!sv.repositories.has(repoName)) return;
      const deps: RetentionDeps = {
        catalog: sv.catalog,
        repositories: sv.repositories,
        withSubmitLock: (fn) => sv.jobs.withSubmitLock(fn),
        dataDir: sv.dataDir,
        logger: sv.logger,
        clock: sv.clock,
      };
      // The time retention waits for jobs that make lifecycle refuse the drop: short of the default misfire grace,
      // since the runner fires nothing else meanwhile. Past it, the next successful run tries again.
      const waitUntil = AbortSignal.any([signal, AbortSignal.timeout(RETENTION_WAIT_MS)]);
      for (let attempt = 1; ; attempt++) {
        try {
          // Lifecycle's reference-aware drop, with all its checks (submit lock, live jobs reading or writing the
          // label or referencing its files, any incremental BACKUP or COPY into the repository): files other
          // snapshots reference move to the shared object area instead of going, so dropping the oldest of a
          // full_then_incremental chain never breaks a newer incremental. FORCE: the schedule made this label (a
          // failed run's partial directory records no cluster id at all).
          await dropSnapshots(deps, { repository: repoName, labels: [label], force: true, dryRun: false, signal, reason: 'retention', ignoreMissing: true });
          return;
        } catch (error) {
          // Refused for a running job (typically another schedule's incremental BACKUP to the same repository, run
          // the same night): wait for the repository's live jobs to end, then try again.
          const busy = liveJobsOf(sv.catalog, repoName);
          if (!isSqlError(error) || !error.message.startsWith(JOB_CONFLICT) || busy.length === 0 || attempt >= RETENTION_ATTEMPTS || waitUntil.aborted) throw error;
          try {
            for (const job of busy) await sv.jobs.waitForJob(job.id, { signal: waitUntil });
          } catch {
            throw error;
          }
        }
      }
    },
  };
}
