import type { JobFileRow, JobRow, JobTaskRow, JsonValue, NewTask, TaskKind } from '../catalog/jobs-types.ts';
import { next, type JobDriver, type StateContext, type StateOutcome, type TaskIO } from './driver.ts';
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
 * Run an upload or download task: hand `transfer` the batch's tablets that still have files pending (none after a
 * restart that found every file done), and record how many files the task had left.
 */
export async function runTransferTask<T extends OnBackend>(
  task: JobTaskRow,
  io: TaskIO,
  transfer: (job: JobRow, tablets: readonly TabletSnapshot<T>[], io: TransferIO) => Promise<void>,
): Promise<JsonValue> {
  const tio = transferIO(io);
  const tablets = tabletsOf<T>(task).filter((t) => tio.pending.has(t.target.tabletId));
  if (tablets.length > 0) await transfer(io.job, tablets, tio);
  return { files: io.pendingFiles.length };
}

/** The scheduler's TaskIO as the steps' TransferIO. */
export function transferIO(io: TaskIO): TransferIO {
  return {
    signal: io.signal,
    pending: pendingByTablet(io.pendingFiles),
    fileDone: (tabletId, name) => io.fileDone(tabletId, name),
    addBytes: (bytes) => io.addBytes(bytes),
  };
}

function pendingByTablet(files: readonly JobFileRow[]): Map<number, FileEntry[]> {
  const map = new Map<number, FileEntry[]>();
  for (const f of files) {
    const list = map.get(f.tabletId) ?? [];
    list.push({ name: f.name, size: f.size, md5: f.md5 });
    map.set(f.tabletId, list);
  }
  return map;
}
