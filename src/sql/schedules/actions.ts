/**
 * What the schedule runner (src/jobs/schedules) asks of the SQL layer: submit a run's BACKUP as the schedule's owner
 * — through the same parser, privilege checks, analysis and prechecks as a typed BACKUP —, submit the copy to
 * `copy_to`, and drop a snapshot for retention under the submit lock, as DROP SNAPSHOT does.
 */
import { getDatabase } from '../../catalog/index.ts';
import { listLiveJobs } from '../../catalog/jobs-read.ts';
import { findJobIdByLabel } from '../../catalog/schedule-runs.ts';
import { isSqlError } from '../../errors/index.ts';
import { DEFAULT_COPY_TIMEOUT_MS, submitCopy } from '../../jobs/copy/submit-copy.ts';
import { parseScheduleOptions } from '../../jobs/schedules/options.ts';
import { ScheduleBlockedError, type ScheduleActions } from '../../jobs/schedules/schedule-runner.ts';
import { jobInfoTimestamp } from '../../repository/layout.ts';
import { fromBrokerError } from '../../repository/repository-error.ts';
import type { EngineServices } from '../context.ts';
import { EngineSession } from '../session.ts';
import { backupText } from './schedule-text.ts';

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
      const repo = await sv.repositories.get(repoName);
      await sv.jobs.withSubmitLock(async () => {
        const busy = listLiveJobs(sv.catalog).find((j) => j.label === label && (j.repoName === repoName || (j.spec as { from?: string }).from === repoName));
        if (busy !== undefined) throw new Error(`Can not drop snapshot ${label}: ${busy.kind} job ${busy.id} is using it`);
        try {
          await repo.deleteSnapshot(label, signal);
        } catch (error) {
          throw new Error(`Failed to delete snapshot ${label} in repository ${repoName}: ${fromBrokerError(error).message}`);
        }
      });
    },
  };
}
