/** VERIFY as a driver: one function per state, as copy-job.ts does for COPY. */
import type { JsonValue, NewTask } from '../../catalog/jobs-types.ts';
import { next, taskError, WAIT, type JobDriver, type StateContext, type StateOutcome } from '../driver.ts';
import type { ContentStats } from '../meta-checksum.ts';
import { checkMetaFile, partitionProblems, snapshotShape, type VerifyProblem } from '../snapshot-verify.ts';
import { VERIFY_JOB, VERIFY_QUEUE, type VerifyState } from './verify-kind.ts';
import { specOf, type LoadedSnapshot, type VerifySteps } from './verify-steps.ts';
import type { VerifyPlan, VerifyReportJson, VerifyRestoreResult, VerifyTaskResult } from './verify-types.ts';

/** Files per check task: few tasks for the journal, yet enough of them to keep the queue's slots busy. */
const FILES_PER_TASK = 64;
/** Files read at once within a task in checksum mode: the read of one overlaps the hashing of another. */
const READS_IN_FLIGHT = 4;
/** The restore task's key (restore mode). */
const RESTORE_TASK = 'restore';

function planOf(ctx: StateContext): VerifyPlan {
  if (ctx.job.plan === null) throw new Error(`verify job ${ctx.job.id} has no plan in state ${ctx.job.state}`);
  return ctx.job.plan as unknown as VerifyPlan;
}

/** The snapshot's files in tasks of FILES_PER_TASK, keyed by position (stable for one listing). */
function checkTasks(loaded: LoadedSnapshot): NewTask[] {
  const files = loaded.snapshot.files;
  const tasks: NewTask[] = [];
  for (let i = 0; i < files.length; i += FILES_PER_TASK) {
    tasks.push({
      taskKey: `check:${i / FILES_PER_TASK}`,
      kind: 'verify',
      backendId: VERIFY_QUEUE,
      tabletId: null,
      payload: {},
      files: files.slice(i, i + FILES_PER_TASK).map((f) => ({ tabletId: f.ids.tabletId, name: f.storedName, size: Math.max(0, f.size), md5: f.md5 })),
    });
  }
  return tasks;
}

export function verifyDriver(steps: VerifySteps): JobDriver {
  /**
   * What each running check task found so far, by task id: a retried attempt is handed only the files not yet
   * done, so what the done ones found must outlive the attempt (a restart runs the whole job again instead).
   */
  const found = new Map<number, { problems: (VerifyProblem & { order: number })[]; bytes: number; stats: { partitionId: number; stats: ContentStats }[] }>();

  const byState: Readonly<Record<Exclude<VerifyState, 'FINISHED' | 'CANCELLED'>, (ctx: StateContext) => Promise<StateOutcome> | StateOutcome>> = {
    async PENDING(ctx) {
      // A run interrupted by a crash may have left its scratch database (and RESTORE) behind: they go first.
      await steps.dropScratch(ctx.job.id, ctx.log);
      const loaded = await steps.load(ctx.job, ctx.signal, true);
      const shape = snapshotShape(loaded.snapshot);
      const plan: VerifyPlan = { tables: shape.tables, partitions: shape.partitions.size, files: loaded.snapshot.files.length };
      ctx.setPlan(plan as unknown as JsonValue);
      ctx.ensureTasks(checkTasks(loaded));
      return next('CHECKING');
    },
    CHECKING(ctx) {
      if (ctx.unfinishedTasks('verify') > 0) return WAIT;
      return next(specOf(ctx.job).mode === 'restore' ? 'RESTORING' : 'REPORTING');
    },
    RESTORING(ctx) {
      // A snapshot with files missing or damaged cannot restore: what is wrong is already named, file by file.
      const damaged = ctx.listTasks('verify').some((t) => ((t.result as unknown as VerifyTaskResult | null)?.problems.length ?? 0) > 0);
      if (damaged) return next('REPORTING');
      ctx.ensureTasks([{ taskKey: RESTORE_TASK, kind: 'verify', backendId: VERIFY_QUEUE, tabletId: null, payload: { restore: true } }]);
      return ctx.unfinishedTasks('verify') > 0 ? WAIT : next('REPORTING');
    },
    async REPORTING(ctx) {
      const plan = planOf(ctx);
      const loaded = await steps.load(ctx.job, ctx.signal);
      const problems: (VerifyProblem & { order: number })[] = [];
      const stats = new Map<number, ContentStats[]>();
      let files = plan.files;
      let bytes = 0;
      let restore: VerifyRestoreResult | null = null;
      for (const t of ctx.listTasks('verify')) {
        if (t.taskKey === RESTORE_TASK) {
          restore = t.result as unknown as VerifyRestoreResult;
          continue;
        }
        const r = t.result as unknown as VerifyTaskResult;
        problems.push(...r.problems);
        bytes += r.bytes;
        for (const s of r.stats) {
          const list = stats.get(s.partitionId);
          if (list === undefined) stats.set(s.partitionId, [s.stats]);
          else list.push(s.stats);
        }
      }
      const report: VerifyProblem[] = problems.sort((a, b) => a.order - b.order).map(({ path, problem }) => ({ path, problem }));
      if (specOf(ctx.job).mode === 'checksum') {
        const meta = await checkMetaFile(loaded.repo, loaded.index, loaded.snapshot, ctx.signal);
        files++;
        bytes += meta.bytes;
        if (meta.problem !== null) report.push(meta.problem);
        report.push(...partitionProblems(loaded.repo, loaded.index, loaded.snapshot, stats, new Set(report.map((p) => p.path))));
      }
      if (restore !== null) report.push(...restore.problems);
      const result: VerifyReportJson = { tables: plan.tables, partitions: plan.partitions, files, bytes, problems: report };
      ctx.setPlan({ ...plan, ...(restore === null ? {} : { restoreJobId: restore.restoreJobId }), report: result } as unknown as JsonValue);
      return next('FINISHED', undefined, async () => steps.forget(ctx.job.id));
    },
  };

  return {
    kind: VERIFY_JOB,
    async step(ctx) {
      const fn = (byState as Partial<Record<string, (ctx: StateContext) => Promise<StateOutcome> | StateOutcome>>)[ctx.job.state];
      if (fn === undefined) throw new Error(`verify job ${ctx.job.id} cannot run state ${ctx.job.state}`);
      return fn(ctx);
    },
    async runTasks(tasks, io) {
      for (const task of tasks) {
        if (task.kind !== 'verify') throw new Error(`verify job has no ${task.kind} tasks`);
        try {
          const loaded = await steps.load(io.job, io.signal);
          if (task.taskKey === RESTORE_TASK) {
            io.taskDone(task.id, (await steps.restoreAndCompare(io.job, loaded, io.log, io.signal)) as unknown as JsonValue);
            continue;
          }
          const mine = found.get(task.id) ?? { problems: [], bytes: 0, stats: [] };
          found.set(task.id, mine);
          const pending = [...io.pendingFiles(task.id)];
          const worker = async (): Promise<void> => {
            for (let f = pending.shift(); f !== undefined; f = pending.shift()) {
              const entry = loaded.byKey.get(`${f.tabletId}/${f.name}`);
              if (entry === undefined) throw new Error(`verify task lists a file the snapshot does not have: ${f.tabletId}/${f.name}`);
              const r = await steps.check(loaded, entry.file, io.job, io.signal);
              if (r.problem !== null) mine.problems.push({ ...r.problem, order: entry.order });
              if (r.stats !== null) mine.stats.push({ partitionId: entry.file.ids.partitionId, stats: r.stats });
              mine.bytes += r.bytes;
              io.fileDone(task.id, f.tabletId, f.name);
            }
          };
          const reads = specOf(io.job).mode === 'checksum' ? READS_IN_FLIGHT : 1;
          await Promise.all(Array.from({ length: reads }, worker));
          const result: VerifyTaskResult = mine;
          io.taskDone(task.id, result as unknown as JsonValue);
          found.delete(task.id);
        } catch (error) {
          throw taskError(error, task.id);
        }
      }
    },
    async cleanup(ctx) {
      for (const t of ctx.listTasks('verify')) found.delete(t.id);
      steps.forget(ctx.job.id);
      await steps.dropScratch(ctx.job.id, ctx.log);
    },
    async prepareResume(ctx) {
      // Checking is read-only and cheap to repeat: the whole job runs again, from a fresh listing (PENDING also drops
      // the interrupted run's scratch database). What the interrupted run found is not reported half.
      ctx.deleteTasks(['verify']);
      ctx.setPlan(null);
      return null;
    },
  };
}

