import type { JobRow, JobTaskRow } from '../catalog/jobs-types.ts';
import type { Logger } from '../logging/logger.ts';
import type { BackendWorkers } from './backend-workers.ts';
import { failedTaskOf, type TaskBatchIO } from './driver.ts';
import type { JobJournal } from './job-journal.ts';
import type { Runtime } from './job-runtime.ts';
import type { JobEvents } from './progress.ts';
import { statusFromError, type JobStatus } from './status.ts';

/** What running tasks needs from the job runner that dispatched them. */
export interface TaskHost {
  /** Buffered catalog writes of completions. */
  readonly journal: JobJournal;
  /** Per-backend queues the chunks run on (with their retries). */
  readonly workers: BackendWorkers;
  /** Where progress events go. */
  readonly events: JobEvents;
  /** True once the scheduler is shutting down. */
  isClosed(): boolean;
  /** The job's logger. */
  log(job: JobRow): Logger;
  /** Run the job's state again (a finished task may let it move on). */
  kick(rt: Runtime): void;
  /** Cancel the job with `status` (a task failed for good). */
  requestCancel(rt: Runtime, status: JobStatus): void;
}

/** Most tasks in one chunk: bounds a chunk's memory and how much one retry repeats. */
export const MAX_CHUNK_TASKS = 1024;
/** Most files in one chunk. */
export const MAX_CHUNK_FILES = 4096;

/**
 * Split one state's pending tasks into chunks per (backend, kind): as many chunks per backend as its queue runs at
 * once, so every slot works and a phase ends with one durability flush, bounded by MAX_CHUNK_TASKS / _FILES.
 */
export function chunkTasks(tasks: readonly JobTaskRow[], concurrency: number, filesOf: (task: JobTaskRow) => number): JobTaskRow[][] {
  const groups = new Map<string, JobTaskRow[]>();
  for (const t of tasks) {
    const key = `${t.backendId}:${t.kind}`;
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [t]);
    else list.push(t);
  }
  const chunks: JobTaskRow[][] = [];
  for (const list of groups.values()) {
    const size = Math.max(1, Math.min(MAX_CHUNK_TASKS, Math.ceil(list.length / Math.max(1, concurrency))));
    let chunk: JobTaskRow[] = [];
    let files = 0;
    for (const t of list) {
      const n = filesOf(t);
      if (chunk.length > 0 && (chunk.length >= size || files + n > MAX_CHUNK_FILES)) {
        chunks.push(chunk);
        chunk = [];
        files = 0;
      }
      chunk.push(t);
      files += n;
    }
    if (chunk.length > 0) chunks.push(chunk);
  }
  return chunks;
}

/**
 * Run one chunk on its backend's queue: hand the driver the tasks still pending with their pending files, journal
 * each file and task done, report progress, wake the job's state, or cancel the job when a task fails after its
 * retries. A retry starts over from what is still pending.
 */
export async function runTaskChunk(host: TaskHost, rt: Runtime, chunk: readonly JobTaskRow[]): Promise<void> {
  const signal = rt.controller.signal;
  const first = chunk[0];
  if (first === undefined) return;
  const log = host.log(rt.job).child({ task: first.kind, backendId: first.backendId, tasks: chunk.length });
  const { journal, events } = host;
  const open = (): JobTaskRow[] => chunk.flatMap((t) => {
    const row = rt.tasks.get(t.id);
    return row !== undefined && row.state === 'pending' ? [row] : [];
  });
  let attempt = 0;
  try {
    await host.workers.run(
      first.backendId,
      async (s) => {
        attempt++;
        const tasks = open();
        if (tasks.length === 0) return;
        // A retry starts over from the files still pending; bytes of interrupted files are not done.
        for (const t of tasks) rt.progress.taskSettled(t.id);
        const io: TaskBatchIO = {
          signal: s,
          job: rt.job,
          log,
          mayExist: rt.resumed || attempt > 1,
          pendingFiles: (taskId) => rt.tasks.pendingFiles(taskId),
          fileDone: (taskId, tabletId, name) => {
            const file = rt.tasks.fileDone(taskId, tabletId, name);
            if (file === undefined) return;
            journal.record({ type: 'fileDone', taskId, tabletId, name });
            rt.progress.fileDone(taskId, file.size);
            events.emitProgress(rt.progress.event(rt.job));
          },
          addBytes: (taskId, bytes) => {
            rt.progress.addBytes(taskId, bytes);
            // Byte-level events are throttled on wall time: they are for humans watching a bar.
            const now = Date.now();
            if (now - rt.lastBytesEvent < 250) return;
            rt.lastBytesEvent = now;
            events.emitProgress(rt.progress.event(rt.job));
          },
          taskDone: (taskId, result) => {
            // Record even a result that lands after a cancel: the snapshot exists and cleanup must find it.
            if (!rt.tasks.complete(taskId, result)) return;
            journal.record({ type: 'taskDone', taskId, result });
            rt.progress.taskSettled(taskId);
            if (!signal.aborted && !host.isClosed()) host.kick(rt);
          },
        };
        await rt.driver.runTasks(tasks, io);
        const unreported = open().filter((t) => tasks.includes(t));
        if (unreported.length > 0 && !s.aborted) {
          throw new Error(`the ${first.kind} tasks ${unreported.map((t) => t.id).join(', ')} were not reported done`);
        }
      },
      {
        signal,
        onAttemptError: (error, _attempt, willRetry) => {
          if (!willRetry || signal.aborted) return;
          const taskId = blamed(error, open());
          const msg = statusFromError(error).msg;
          if (taskId !== undefined) {
            rt.tasks.attemptFailed(taskId, msg);
            journal.record({ type: 'attemptError', taskId, message: msg });
          }
          log.warn({ err: error, attempt, taskId }, 'task attempt failed; retrying');
        },
      },
    );
  } catch (error) {
    if (signal.aborted || host.isClosed()) return;
    const status = statusFromError(error);
    const taskId = blamed(error, open());
    if (taskId !== undefined) {
      rt.tasks.fail(taskId, status.msg);
      journal.record({ type: 'taskFailed', taskId, message: status.msg });
    }
    log.error({ err: error, taskId }, 'task failed; cancelling job');
    host.requestCancel(rt, status);
  } finally {
    for (const t of chunk) rt.progress.taskSettled(t.id);
  }
}

/** The task an error belongs to: the one the driver marked, else the first task of the chunk still open. */
function blamed(error: unknown, open: readonly JobTaskRow[]): number | undefined {
  return failedTaskOf(error) ?? open[0]?.id;
}
