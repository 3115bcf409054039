import type { JsonValue } from '../catalog/jobs-types.ts';
import { taskError } from './driver.ts';
import { next, WAIT, type JobDriver, type StateContext, type StateOutcome } from './driver.ts';
import { RESTORE_JOB, type RestoreState } from './state-machine.ts';
import type { LocalSnapshot, RestorePlan, RestoreSteps, RestoreTarget, TabletSnapshot } from './steps.ts';
import {
  finishedSnapshots,
  missingSnapshot,
  planAndSnapshot,
  releaseSnapshots,
  runEachTask,
  runTransferTasks,
  stepByState,
  transferTasks,
  type StateFn,
} from './task-plans.ts';

export interface RestoreJobOptions {
  /** StarRocks' `max_download_task_per_be`: ≤ 0 sends one download task per tablet. */
  readonly maxDownloadTasksPerBackend?: number;
}

function planOf(ctx: StateContext): RestorePlan | null {
  return ctx.job.plan as unknown as RestorePlan | null;
}

function requirePlan(ctx: StateContext): RestorePlan {
  const plan = planOf(ctx);
  if (plan === null) throw new Error(`restore job ${ctx.job.id} has no plan in state ${ctx.job.state}`);
  return plan;
}

/** RESTORE as a driver over RestoreSteps: one function per state, as in StarRocks' RestoreJob.run(). */
export function restoreDriver(steps: RestoreSteps, options: RestoreJobOptions = {}): JobDriver {
  const maxPerBackend = options.maxDownloadTasksPerBackend ?? 0;
  const snapshots = (ctx: StateContext): TabletSnapshot<RestoreTarget>[] =>
    finishedSnapshots<RestoreTarget>(ctx).map((s) => s.value);

  /** checkAndPrepareMeta: create invisible objects, map tablets; send restore-mode snapshot tasks. Re-run after restart. */
  function pending(ctx: StateContext): Promise<StateOutcome> {
    return planAndSnapshot(ctx, (job, signal) => steps.prepare(job, signal));
  }

  function snapshoting(ctx: StateContext): StateOutcome {
    return ctx.unfinishedTasks('snapshot') === 0 ? next('DOWNLOAD') : WAIT;
  }

  /** Send download tasks per backend (re-sent after a restart; files already downloaded are skipped). */
  function download(ctx: StateContext): StateOutcome {
    const filesOf = (t: TabletSnapshot<RestoreTarget>) => steps.downloadFilesOf?.(t.target) ?? t.target.files;
    ctx.ensureTasks(transferTasks('download', snapshots(ctx), filesOf, maxPerBackend));
    return next('DOWNLOADING');
  }

  function downloading(ctx: StateContext): StateOutcome {
    return ctx.unfinishedTasks('download') === 0 ? next('COMMIT') : WAIT;
  }

  /** One move task per replica: place the downloaded files into the still-invisible tablet. */
  function commit(ctx: StateContext): StateOutcome {
    ctx.ensureTasks(
      snapshots(ctx).map((s) => ({
        taskKey: `move:${s.target.tabletId}@${s.target.backendId}`,
        kind: 'move' as const,
        backendId: s.target.backendId,
        tabletId: s.target.tabletId,
        payload: s,
      })),
    );
    return next('COMMITTING');
  }

  /** All moved: place the files, publish in the very transaction that records FINISHED, then release the downloads. */
  async function committing(ctx: StateContext): Promise<StateOutcome> {
    if (ctx.unfinishedTasks('move') !== 0) return WAIT;
    const plan = requirePlan(ctx);
    const job = ctx.job;
    const moved = new Map<number, JsonValue>();
    for (const t of ctx.listTasks('move')) if (t.tabletId !== null && t.result !== null) moved.set(t.tabletId, t.result);
    await steps.place?.(job, plan, moved, ctx.signal);
    // The downloads stay until FINISHED is committed: a crash before that places them again.
    return next('FINISHED', () => steps.publish(job, plan), () => releaseSnapshots(ctx, (s) => steps.release(s)));
  }

  const byState: Readonly<Record<Exclude<RestoreState, 'FINISHED' | 'CANCELLED'>, StateFn>> = {
    PENDING: pending,
    SNAPSHOTING: snapshoting,
    DOWNLOAD: download,
    DOWNLOADING: downloading,
    COMMIT: commit,
    COMMITTING: committing,
  };

  return {
    kind: RESTORE_JOB,
    step: stepByState('restore', byState),
    async runTasks(tasks, io) {
      const kind = tasks[0]?.kind;
      switch (kind) {
        case 'snapshot': {
          const many = steps.snapshotMany;
          return runEachTask<RestoreTarget, LocalSnapshot>(
            tasks,
            io,
            (target) => steps.snapshot(target, io.signal),
            many === undefined ? undefined : (targets) => many.call(steps, io.job, targets, io.signal),
            (snapshot) => snapshot as unknown as JsonValue,
          );
        }
        case 'download':
          return runTransferTasks<RestoreTarget>(tasks, io, (job, tablets, tio) => steps.download(job, tablets, tio));
        case 'move': {
          const many = steps.moveMany;
          if (many !== undefined) {
            const results = await many.call(steps, io.job, tasks.map((t) => t.payload as unknown as TabletSnapshot<RestoreTarget>), io.signal);
            tasks.forEach((t, i) => io.taskDone(t.id, results[i] ?? { moved: true }));
            return;
          }
          for (const t of tasks) {
            const s = t.payload as unknown as TabletSnapshot<RestoreTarget>;
            let result;
            try {
              result = await steps.move(io.job, s.target, s.snapshot, io.signal);
            } catch (error) {
              throw taskError(error, t.id);
            }
            io.taskDone(t.id, result ?? { moved: true });
          }
          return;
        }
        default:
          throw new Error(`restore job has no ${String(kind)} tasks`);
      }
    },
    async cleanup(ctx) {
      await releaseSnapshots(ctx, (s) => steps.release(s));
      await steps.discardSnapshots?.(ctx.job);
      await steps.rollback(ctx.job, planOf(ctx));
    },
    async prepareResume(ctx) {
      switch (ctx.job.state as RestoreState) {
        case 'PENDING':
          // "PENDING state restore job will redo this method": undo the first attempt's invisible objects first.
          await releaseSnapshots(ctx, (s) => steps.release(s));
          await steps.discardSnapshots?.(ctx.job);
          await steps.rollback(ctx.job, planOf(ctx));
          ctx.deleteTasks(['snapshot', 'download', 'move']);
          ctx.setPlan(null);
          return null;
        case 'DOWNLOAD':
        case 'COMMIT':
          return missingSnapshot(ctx, (s) => steps.snapshotExists(s));
        default:
          return null;
      }
    },
  };
}
