/** COPY as a driver: one function per state, as backup-job.ts does for BACKUP. */
import type { JsonValue, NewTask } from '../../catalog/jobs-types.ts';
import { next, taskError, WAIT, type JobDriver, type StateContext, type StateOutcome } from '../driver.ts';
import { COPY_JOB, COPY_QUEUE, type CopyState } from './copy-kind.ts';
import type { CopySteps } from './copy-steps.ts';
import type { CopyPlan, CopyTaskPayload } from './copy-types.ts';

/** Files per copy task: few tasks for the journal, yet enough of them to keep the queue's slots busy. */
const FILES_PER_TASK = 64;

function planOf(ctx: StateContext): CopyPlan {
  if (ctx.job.plan === null) throw new Error(`copy job ${ctx.job.id} has no plan in state ${ctx.job.state}`);
  return ctx.job.plan as unknown as CopyPlan;
}

/** The plan's files in tasks of FILES_PER_TASK, keyed by position (stable across re-sends). */
function copyTasks(plan: CopyPlan): NewTask[] {
  const tasks: NewTask[] = [];
  for (let i = 0; i < plan.files.length; i += FILES_PER_TASK) {
    const files = plan.files.slice(i, i + FILES_PER_TASK);
    const tablets: Record<string, CopyPlan['tablets'][string]> = {};
    const references: Record<string, string> = {};
    for (const f of files) {
      const ref = plan.references?.[`${f.tabletId}/${f.storedName}`];
      if (ref !== undefined) {
        references[`${f.tabletId}/${f.storedName}`] = ref;
        continue;
      }
      const ids = plan.tablets[String(f.tabletId)];
      if (ids !== undefined) tablets[String(f.tabletId)] = ids;
    }
    const payload: CopyTaskPayload = Object.keys(references).length > 0 ? { tablets, references } : { tablets };
    tasks.push({
      taskKey: `copy:${i / FILES_PER_TASK}`,
      kind: 'copy',
      backendId: COPY_QUEUE,
      tabletId: null,
      payload: payload as unknown as JsonValue,
      files: files.map((f) => ({ tabletId: f.tabletId, name: f.storedName, size: f.size, md5: f.md5 })),
    });
  }
  return tasks;
}

export function copyDriver(steps: CopySteps): JobDriver {
  const byState: Readonly<Record<Exclude<CopyState, 'FINISHED' | 'CANCELLED'>, (ctx: StateContext) => Promise<StateOutcome> | StateOutcome>> = {
    async PENDING(ctx) {
      ctx.setPlan((await steps.plan(ctx.job, ctx.signal)) as unknown as JsonValue);
      return next('COPY_SNAPSHOT');
    },
    COPY_SNAPSHOT(ctx) {
      ctx.ensureTasks(copyTasks(planOf(ctx)));
      return next('COPYING');
    },
    COPYING(ctx) {
      return ctx.unfinishedTasks('copy') === 0 ? next('UPLOAD_META') : WAIT;
    },
    async UPLOAD_META(ctx) {
      await steps.copyMeta(ctx.job, ctx.signal);
      return next('UPLOAD_INFO');
    },
    async UPLOAD_INFO(ctx) {
      await steps.copyInfo(ctx.job, ctx.signal);
      return next('FINISHED');
    },
  };

  return {
    kind: COPY_JOB,
    async step(ctx) {
      const fn = (byState as Partial<Record<string, (ctx: StateContext) => Promise<StateOutcome> | StateOutcome>>)[ctx.job.state];
      if (fn === undefined) throw new Error(`copy job ${ctx.job.id} cannot run state ${ctx.job.state}`);
      return fn(ctx);
    },
    async runTasks(tasks, io) {
      // One task at a time: its files stream one after another; the copy queue runs several tasks side by side.
      for (const task of tasks) {
        if (task.kind !== 'copy') throw new Error(`copy job has no ${task.kind} tasks`);
        const payload = task.payload as unknown as CopyTaskPayload;
        const pending = io.pendingFiles(task.id);
        try {
          await steps.copyFiles(io.job, payload, pending, {
            signal: io.signal,
            fileDone: (tabletId, name) => io.fileDone(task.id, tabletId, name),
            addBytes: (n) => io.addBytes(task.id, n),
          });
        } catch (error) {
          throw taskError(error, task.id);
        }
        io.taskDone(task.id, { copied: pending.length });
      }
    },
    async cleanup(ctx) {
      await steps.discard(ctx.job);
    },
    async prepareResume() {
      // PENDING plans again; COPY_SNAPSHOT re-sends the tasks (copied files are skipped); the rest run again as is.
      return null;
    },
  };
}
