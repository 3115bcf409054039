import type { JobRow, JobTaskRow, JsonValue, NewTask, TaskKind } from '../catalog/jobs-types.ts';
import { next, taskError, type JobDriver, type StateContext, type StateOutcome, type TaskBatchIO } from './driver.ts';
import type { FileEntry, LocalSnapshot, TabletSnapshot, TransferIO } from './steps.ts';

/**
 * What backup and restore share: the PENDING step, state dispatch, per-tablet snapshot tasks, per-backend transfer
 * batches and tasks, snapshot bookkeeping.
 */

interface OnBackend {
  readonly backendId: number;
  readonly tabletId: number;
}

/** One snapshot task per (tablet, backend): the task key is stable, so re-sending after a restart finds it. */
export function snapshotTasks<T extends OnBackend & JsonValue>(targets: readonly T[]): NewTask[] {
  return targets.map((t) => ({
    taskKey: `snapshot:${t.tabletId}@${t.backendId}`,
    kind: 'snapshot' as const,
    backendId: t.backendId,
    tabletId: t.tabletId,
    payload: t,
  }));
}

/** What one state of a driver does. */
export type StateFn = (ctx: StateContext) => StateOutcome | Promise<StateOutcome>;

/** A driver's `step`: run the function of the job's state; a state without one is a driver bug. */
export function stepByState(jobName: string, byState: { readonly [state: string]: StateFn | undefined }): JobDriver['step'] {
  return async (ctx) => {
    const run = byState[ctx.job.state];
    if (run === undefined) throw new Error(`${jobName} job ${ctx.job.id} has no step for state ${ctx.job.state}`);
    return run(ctx);
  };
}

/**
 * PENDING of both kinds: build the plan, persist it and send one snapshot task per target, then SNAPSHOTING. Not
 * persisted: after a restart it runs again from a clean slate (prepareResume discards the first attempt).
 */
export async function planAndSnapshot<T extends OnBackend & JsonValue>(
  ctx: StateContext,
  prepare: (job: JobRow, signal: AbortSignal) => Promise<{ readonly targets: readonly T[] }>,
): Promise<StateOutcome> {
  const plan = await prepare(ctx.job, ctx.signal);
  ctx.setPlan(plan as unknown as JsonValue);
  ctx.ensureTasks(snapshotTasks(plan.targets));
  return next('SNAPSHOTING');
}

/**
 * Group tablets into transfer tasks per backend with StarRocks' batching: `max ≤ 0` → one task per tablet; else
 * `batchNum = min(total, max)`, `perBatch = max(floor(total / batchNum), 1)`, the last batch takes the remainder.
 * Deterministic in the input order, so keys (and the per-file journal behind them) survive a re-execution.
 */
export function transferTasks<T extends OnBackend & JsonValue>(
  kind: Extract<TaskKind, 'upload' | 'download'>,
  tablets: readonly TabletSnapshot<T>[],
  filesOf: (t: TabletSnapshot<T>) => readonly FileEntry[],
  maxPerBackend: number,
): NewTask[] {
  const byBackend = new Map<number, TabletSnapshot<T>[]>();
  for (const t of tablets) {
    const list = byBackend.get(t.target.backendId) ?? [];
    list.push(t);
    byBackend.set(t.target.backendId, list);
  }
  const tasks: NewTask[] = [];
  for (const [backendId, list] of [...byBackend].sort((a, b) => a[0] - b[0])) {
    const batchNum = maxPerBackend > 0 ? Math.min(list.length, maxPerBackend) : list.length;
    const perBatch = Math.max(Math.floor(list.length / batchNum), 1);
    for (let b = 0; b < batchNum; b++) {
      const batch = b === batchNum - 1 ? list.slice(b * perBatch) : list.slice(b * perBatch, (b + 1) * perBatch);
      if (batch.length === 0) continue;
      tasks.push({
        taskKey: `${kind}:${backendId}:${b}`,
        kind,
        backendId,
        tabletId: batch.length === 1 ? (batch[0]?.target.tabletId ?? null) : null,
        payload: { tablets: batch },
        files: batch.flatMap((t) => filesOf(t).map((f) => ({ tabletId: t.target.tabletId, ...f }))),
      });
    }
  }
  return tasks;
}

/** Finished snapshot tasks with their snapshots (released ones too: their results are still the record). */
export function finishedSnapshots<T>(ctx: StateContext): { task: JobTaskRow; value: TabletSnapshot<T> }[] {
  return ctx
    .listTasks('snapshot')
    .filter((t) => t.state === 'done' || t.state === 'released')
    .map((t) => ({ task: t, value: { target: t.payload as T, snapshot: t.result as unknown as LocalSnapshot } }));
}

/** Release the job's unreleased local snapshots and record it; returns how many. */
export async function releaseSnapshots(
  ctx: StateContext,
  release: (snapshots: readonly LocalSnapshot[]) => Promise<void>,
): Promise<number> {
  const held = finishedSnapshots(ctx).filter((s) => s.task.state === 'done');
  if (held.length === 0) return 0;
  await release(held.map((s) => s.value.snapshot));
  ctx.markReleased(held.map((s) => s.task.id));
  return held.length;
}

/** The first held snapshot whose dir is gone, as a reason to cancel, or null. */
export async function missingSnapshot(
  ctx: StateContext,
  exists: (snapshot: LocalSnapshot) => Promise<boolean>,
): Promise<string | null> {
  for (const s of finishedSnapshots(ctx)) {
    if (s.task.state !== 'done') continue;
    if (!(await exists(s.value.snapshot))) {
      return `local snapshot ${s.value.snapshot.dir} of tablet ${s.task.tabletId ?? '?'} is gone`;
    }
  }
  return null;
}

/** A transfer task's payload. */
export function tabletsOf<T>(task: JobTaskRow): readonly TabletSnapshot<T>[] {
  return (task.payload as unknown as { tablets: TabletSnapshot<T>[] }).tablets;
}

/**
 * Run a chunk of upload or download tasks as one transfer: hand `transfer` every tablet of the chunk that still has
 * files pending (none after a restart that found every file done), route each file done to its task, and record
 * each task done with how many files it had left.
 */
export async function runTransferTasks<T extends OnBackend>(
  tasks: readonly JobTaskRow[],
  io: TaskBatchIO,
  transfer: (job: JobRow, tablets: readonly TabletSnapshot<T>[], io: TransferIO) => Promise<void>,
): Promise<void> {
  const owner = new Map<number, number>();
  const pending = new Map<number, FileEntry[]>();
  const left = new Map<number, number>();
  const tablets: TabletSnapshot<T>[] = [];
  for (const task of tasks) {
    const files = io.pendingFiles(task.id);
    left.set(task.id, files.length);
    for (const f of files) {
      owner.set(f.tabletId, task.id);
      const list = pending.get(f.tabletId);
      const entry: FileEntry = { name: f.name, size: f.size, md5: f.md5 };
      if (list === undefined) pending.set(f.tabletId, [entry]);
      else list.push(entry);
    }
    for (const t of tabletsOf<T>(task)) if (pending.has(t.target.tabletId)) tablets.push(t);
  }
  const first = tasks[0]?.id ?? 0;
  if (tablets.length > 0) {
    await transfer(io.job, tablets, {
      signal: io.signal,
      mayExist: io.mayExist,
      pending,
      fileDone: (tabletId, name) => {
        const taskId = owner.get(tabletId);
        if (taskId !== undefined) io.fileDone(taskId, tabletId, name);
      },
      addBytes: (bytes, tabletId) => io.addBytes((tabletId === undefined ? undefined : owner.get(tabletId)) ?? first, bytes),
    });
  }
  for (const task of tasks) io.taskDone(task.id, { files: left.get(task.id) ?? 0 });
}

/**
 * Run a chunk of per-tablet tasks: all at once through `many` when the steps offer it, else one by one through
 * `one` (each failure marked with its task).
 */
export async function runEachTask<P, R>(
  tasks: readonly JobTaskRow[],
  io: TaskBatchIO,
  one: (payload: P) => Promise<R>,
  many: ((payloads: readonly P[]) => Promise<readonly R[]>) | undefined,
  toResult: (r: R) => JsonValue,
): Promise<void> {
  if (many !== undefined) {
    const results = await many(tasks.map((t) => t.payload as unknown as P));
    tasks.forEach((t, i) => io.taskDone(t.id, toResult(results[i] as R)));
    return;
  }
  for (const t of tasks) {
    let r: R;
    try {
      r = await one(t.payload as unknown as P);
    } catch (error) {
      throw taskError(error, t.id);
    }
    io.taskDone(t.id, toResult(r));
  }
}
