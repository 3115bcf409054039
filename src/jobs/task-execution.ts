import type { Catalog } from '../catalog/catalog.ts';
import { listTaskFiles, markFileDone } from '../catalog/jobs-files.ts';
import { completeTask, failTask, recordTaskAttemptError } from '../catalog/jobs-tasks.ts';
import type { JobRow, JobTaskRow } from '../catalog/jobs-types.ts';
import type { Logger } from '../logging/logger.ts';
import type { BackendWorkers } from './backend-workers.ts';
import type { TaskIO } from './driver.ts';
import type { Runtime } from './job-runtime.ts';
import type { JobEvents } from './progress.ts';
import { statusFromError, type JobStatus } from './status.ts';

/** What running a task needs from the job runner that dispatched it. */
export interface TaskHost {
  /** The job journal. */
  readonly catalog: Catalog;
  /** Per-backend queues the task runs on (with their retries). */
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

/**
 * Run one task on its backend's queue: hand the driver the files still pending, journal each file done, report
 * progress, record the result and wake the job's state, or cancel the job when the task fails after its retries.
 */
export async function runJobTask(host: TaskHost, rt: Runtime, task: JobTaskRow): Promise<void> {
  const signal = rt.controller.signal;
  const log = host.log(rt.job).child({ taskId: task.id, task: task.kind, backendId: task.backendId });
  const { catalog, events } = host;
  try {
    const result = await host.workers.run(
      task.backendId,
      (s) => {
        // A retry starts over from the files still pending; bytes of the interrupted file are not done.
        rt.progress.taskSettled(task.id);
        const pendingFiles = listTaskFiles(catalog, task.id, true);
        const sizes = new Map(pendingFiles.map((f) => [`${f.tabletId}/${f.name}`, f.size]));
        const io: TaskIO = {
          signal: s,
          pendingFiles,
          job: rt.job,
          log,
          fileDone: (tabletId, name) => {
            if (!catalog.db.open || !markFileDone(catalog, task.id, tabletId, name)) return;
            rt.progress.fileDone(task.id, sizes.get(`${tabletId}/${name}`) ?? 0);
            events.emitProgress(rt.progress.event(rt.job));
          },
          addBytes: (bytes) => {
            rt.progress.addBytes(task.id, bytes);
            // Byte-level events are throttled on wall time: they are for humans watching a bar.
            const now = Date.now();
            if (now - rt.lastBytesEvent < 250) return;
            rt.lastBytesEvent = now;
            events.emitProgress(rt.progress.event(rt.job));
          },
        };
        return rt.driver.runTask(task, io);
      },
      {
        signal,
        onAttemptError: (error, attempt, willRetry) => {
          if (!willRetry || signal.aborted) return;
          const msg = statusFromError(error).msg;
          recordTaskAttemptError(catalog, task.id, msg);
          log.warn({ err: error, attempt }, 'task attempt failed; retrying');
        },
      },
    );
    // Record even a result that lands after a cancel: the snapshot exists and cleanup must find it to release it.
    if (!catalog.db.open) return;
    completeTask(catalog, task.id, result);
    if (!signal.aborted && !host.isClosed()) host.kick(rt);
  } catch (error) {
    if (signal.aborted || host.isClosed()) return;
    const status = statusFromError(error);
    failTask(catalog, task.id, status.msg);
    log.error({ err: error }, 'task failed; cancelling job');
    host.requestCancel(rt, status);
  }
}
