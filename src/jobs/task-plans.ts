import type { JobFileRow, JobTaskRow, JsonValue, NewTask, TaskKind } from '../catalog/jobs-types.ts';
import type { StateContext, TaskIO } from './driver.ts';
import type { FileEntry, LocalSnapshot, TabletSnapshot, TransferIO } from './steps.ts';

/** What backup and restore share: per-tablet snapshot tasks, per-backend transfer batches, snapshot bookkeeping. */

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
