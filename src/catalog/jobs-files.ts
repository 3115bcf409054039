import type { Catalog } from './catalog.ts';
import type { JobFileRow, RawFile } from './jobs-types.ts';
import { decodeFile } from './jobs-types.ts';

/** Files of a task, optionally only those not yet transferred, in (tablet, name) order. */
export function listTaskFiles(catalog: Catalog, taskId: number, onlyPending = false): JobFileRow[] {
  return catalog
    .prepare<[number, number], RawFile>(
      "SELECT * FROM job_files WHERE task_id = ? AND (? = 0 OR state = 'pending') ORDER BY tablet_id, name",
    )
    .all(taskId, onlyPending ? 1 : 0)
    .map(decodeFile);
}

/** Record one file as transferred: the per-file checkpoint a restarted job resumes after. */
export function markFileDone(catalog: Catalog, taskId: number, tabletId: number, name: string): boolean {
  return (
    catalog
      .prepare(
        "UPDATE job_files SET state = 'done', bytes_done = size WHERE task_id = ? AND tablet_id = ? AND name = ? AND state = 'pending'",
      )
      .run(taskId, tabletId, name).changes === 1
  );
}

export interface FileTotals {
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

/** Transfer totals of a job (all its upload / download files). */
export function jobFileTotals(catalog: Catalog, jobId: number): FileTotals {
  const row = catalog
    .prepare<[number], { fd: number | null; ft: number; bd: number | null; bt: number | null }>(
      `SELECT SUM(state = 'done') AS fd, COUNT(*) AS ft, SUM(bytes_done) AS bd, SUM(size) AS bt
       FROM job_files WHERE job_id = ?`,
    )
    .get(jobId);
  return { filesDone: row?.fd ?? 0, filesTotal: row?.ft ?? 0, bytesDone: row?.bd ?? 0, bytesTotal: row?.bt ?? 0 };
}

/** Per task of a job: files done / total (SHOW's Progress column). */
export function taskFileCounts(catalog: Catalog, jobId: number): Map<number, { done: number; total: number }> {
  const rows = catalog
    .prepare<[number], { task_id: number; done: number; total: number }>(
      "SELECT task_id, SUM(state = 'done') AS done, COUNT(*) AS total FROM job_files WHERE job_id = ? GROUP BY task_id",
    )
    .all(jobId);
  return new Map(rows.map((r) => [r.task_id, { done: r.done, total: r.total }]));
}

/** Every file of a job not yet transferred, in (task, tablet, name) order: loaded once when a job is taken over. */
export function listJobPendingFiles(catalog: Catalog, jobId: number): JobFileRow[] {
  return catalog
    .prepare<[number], RawFile>("SELECT * FROM job_files WHERE job_id = ? AND state = 'pending' ORDER BY task_id, tablet_id, name")
    .all(jobId)
    .map(decodeFile);
}
