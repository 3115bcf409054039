import type { JsonValue } from '../catalog/jobs-types.ts';
import { next, WAIT, type JobDriver, type StateContext, type StateOutcome } from './driver.ts';
import { BACKUP_JOB, type BackupState } from './state-machine.ts';
import type { BackupPlan, BackupSteps, LocalSnapshot, SnapshotTarget } from './steps.ts';
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

export interface BackupJobOptions {
  /** StarRocks' `max_upload_task_per_be`: ≤ 0 sends one upload task per tablet. */
  readonly maxUploadTasksPerBackend?: number;
}

function planOf(ctx: StateContext): BackupPlan {
  if (ctx.job.plan === null) throw new Error(`backup job ${ctx.job.id} has no plan in state ${ctx.job.state}`);
  return ctx.job.plan as unknown as BackupPlan;
}

/** BACKUP as a driver over BackupSteps: one function per state, as in StarRocks' BackupJob.run(). */
export function backupDriver(steps: BackupSteps, options: BackupJobOptions = {}): JobDriver {
  const maxPerBackend = options.maxUploadTasksPerBackend ?? 0;

  /** Pin versions, choose replicas, copy meta; send snapshot tasks. Not persisted: re-run after a restart. */
  function pending(ctx: StateContext): Promise<StateOutcome> {
    return planAndSnapshot(ctx, (job, signal) => steps.prepare(job, signal));
  }

  /** Wait for every tablet's snapshot; make them durable together before the checkpoint. */
  async function snapshoting(ctx: StateContext): Promise<StateOutcome> {
    if (ctx.unfinishedTasks('snapshot') !== 0) return WAIT;
    await steps.syncSnapshots?.(ctx.job, ctx.signal);
    return next('UPLOAD_SNAPSHOT');
  }

  /** Send upload tasks per backend (re-sent after a restart; files already uploaded are skipped). */
  async function uploadSnapshot(ctx: StateContext): Promise<StateOutcome> {
    const snapshots = finishedSnapshots<SnapshotTarget>(ctx).map((s) => s.value);
    // An incremental backup uploads only what the repository does not hold yet (see BackupSteps.selectUploads).
    const toUpload = steps.selectUploads === undefined ? snapshots : await steps.selectUploads(ctx.job, snapshots, ctx.signal);
    ctx.ensureTasks(transferTasks('upload', toUpload, (t) => t.snapshot.files, maxPerBackend));
    return next('UPLOADING');
  }

  /** Wait for every upload. */
  function uploading(ctx: StateContext): StateOutcome {
    return ctx.unfinishedTasks('upload') === 0 ? next('SAVE_META') : WAIT;
  }

  /**
   * Write meta + info locally, then release the local snapshots (StarRocks does it here, fire-and-forget) — or keep
   * them for a local restore (keep_local_snapshots): then they are the kept rows', no longer the job's.
   */
  async function saveMeta(ctx: StateContext): Promise<StateOutcome> {
    const finished = finishedSnapshots<SnapshotTarget>(ctx);
    const snapshots = finished.map((s) => s.value);
    await steps.saveMeta(ctx.job, planOf(ctx), snapshots);
    if (steps.keepLocal !== undefined && (await steps.keepLocal(ctx.job, snapshots))) {
      ctx.markReleased(finished.filter((s) => s.task.state === 'done').map((s) => s.task.id));
    } else {
      await releaseSnapshots(ctx, (s) => steps.release(s));
    }
    return next('UPLOAD_INFO');
  }

  /** Upload meta, then info (the snapshot becomes visible). Errors here are retried until the timeout. */
  async function uploadInfo(ctx: StateContext): Promise<StateOutcome> {
    await steps.uploadInfo(ctx.job, ctx.signal);
    return next('FINISHED');
  }

  const byState: Readonly<Record<Exclude<BackupState, 'FINISHED' | 'CANCELLED'>, StateFn>> = {
    PENDING: pending,
    SNAPSHOTING: snapshoting,
    UPLOAD_SNAPSHOT: uploadSnapshot,
    UPLOADING: uploading,
    SAVE_META: saveMeta,
    UPLOAD_INFO: uploadInfo,
  };

  return {
    kind: BACKUP_JOB,
    step: stepByState('backup', byState),
    async runTasks(tasks, io) {
      const kind = tasks[0]?.kind;
      if (kind === 'snapshot') {
        const many = steps.snapshotMany;
        return runEachTask<SnapshotTarget, LocalSnapshot>(
          tasks,
          io,
          (target) => steps.snapshot(target, io.signal),
          many === undefined ? undefined : (targets) => many.call(steps, io.job, targets, io.signal),
          (snapshot) => snapshot as unknown as JsonValue,
        );
      }
      if (kind === 'upload') {
        return runTransferTasks<SnapshotTarget>(tasks, io, (job, tablets, tio) => steps.upload(job, tablets, tio));
      }
      throw new Error(`backup job has no ${String(kind)} tasks`);
    },
    async cleanup(ctx) {
      await releaseSnapshots(ctx, (s) => steps.release(s));
      await steps.discardSnapshots?.(ctx.job);
      await steps.discard(ctx.job);
    },
    async prepareResume(ctx) {
      switch (ctx.job.state as BackupState) {
        case 'PENDING':
          // StarRocks regenerates every snapshot task; ours would pin possibly newer versions, so start clean —
          // including snapshots whose tasks finished but were not journaled before the process stopped.
          await releaseSnapshots(ctx, (s) => steps.release(s));
          await steps.discardSnapshots?.(ctx.job);
          ctx.deleteTasks(['snapshot', 'upload']);
          ctx.setPlan(null);
          return null;
        case 'UPLOAD_SNAPSHOT':
          return missingSnapshot(ctx, (s) => steps.snapshotExists(s));
        case 'UPLOAD_INFO':
          return (await steps.savedMetaExists(ctx.job)) ? null : 'the local meta and info files are gone';
        default:
          return null;
      }
    },
  };
}
