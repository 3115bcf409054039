import type { Catalog } from '../catalog/catalog.ts';
import { getJob, listLiveJobs } from '../catalog/jobs-read.ts';
import { listTasks } from '../catalog/jobs-tasks.ts';
import type { JobRow, JsonValue } from '../catalog/jobs-types.ts';
import { rewindJobToCheckpoint } from '../catalog/jobs-write.ts';
import type { JobDriver } from './driver.ts';
import type { JobRunner } from './job-runner.ts';
import type { Runtime } from './job-runtime.ts';
import { statusFromError } from './status.ts';

export interface RecoveryReport {
  /** Jobs resuming (in their checkpoint state). */
  readonly resumed: readonly JobRow[];
  /** Jobs that could not resume and were cancelled with the reason in their status. */
  readonly cancelled: readonly JobRow[];
  /** Local snapshot dirs still owned by live jobs: the store must keep these and may release every other one. */
  readonly ownedSnapshotDirs: readonly string[];
}

/**
 * Resume every unfinished job of the journal that `runner` does not run yet from its checkpoint, or cancel it with
 * the reason when its driver says it cannot resume. Jobs start only after `beforeStart` has run with the snapshot
 * dirs they own: the engine releases every other snapshot dir there, and a job already running would be making new
 * dirs that such a sweep would take for leftovers (a kill in SNAPSHOTING used to lose its re-made links that way).
 */
export async function recoverJobs(
  catalog: Catalog,
  runner: JobRunner,
  drivers: ReadonlyMap<string, JobDriver>,
  beforeStart?: (ownedSnapshotDirs: readonly string[]) => Promise<void>,
): Promise<RecoveryReport> {
  const resumed: JobRow[] = [];
  const cancelled: JobRow[] = [];
  const toStart: Runtime[] = [];
  for (const stored of listLiveJobs(catalog)) {
    if (runner.get(stored.id) !== undefined) continue;
    const driver = drivers.get(stored.kind);
    if (driver === undefined) {
      runner.log(stored).error('no driver for this job kind; left as is');
      continue;
    }
    const job = stored.state === stored.checkpointState ? stored : rewindJobToCheckpoint(catalog, stored.id);
    const rt = runner.create(job, driver);
    let reason: string | null;
    try {
      reason = await driver.prepareResume(runner.context(rt), stored.state);
    } catch (error) {
      reason = statusFromError(error).msg;
    }
    if (reason !== null) {
      runner.log(job).warn({ reason, interruptedIn: stored.state }, 'job can not resume; cancelling');
      await runner.cancelNow(rt, { code: 'COMMON_ERROR', msg: `job can not resume after restart: ${reason}` });
      cancelled.push(getJob(catalog, job.id) ?? job);
    } else {
      runner.log(rt.job).info({ interruptedIn: stored.state }, 'job resumed');
      toStart.push(rt);
      resumed.push(rt.job);
    }
  }
  runner.flushJournal();
  const owned = ownedSnapshotDirs(catalog);
  await beforeStart?.(owned);
  for (const rt of toStart) runner.start(rt);
  return { resumed, cancelled, ownedSnapshotDirs: owned };
}

/** Local snapshot dirs that unfinished jobs hold (finished snapshot tasks not yet released). */
export function ownedSnapshotDirs(catalog: Catalog): string[] {
  const dirs: string[] = [];
  for (const job of listLiveJobs(catalog)) {
    for (const t of listTasks(catalog, job.id, 'snapshot')) {
      const dir = t.state === 'done' ? snapshotDirOf(t.result) : null;
      if (dir !== null) dirs.push(dir);
    }
  }
  return dirs;
}

/** The `dir` of a snapshot task's result, if it has one. */
export function snapshotDirOf(result: JsonValue | null): string | null {
  if (result === null || typeof result !== 'object' || Array.isArray(result)) return null;
  const dir = (result as { readonly [k: string]: JsonValue })['dir'];
  return typeof dir === 'string' ? dir : null;
}
