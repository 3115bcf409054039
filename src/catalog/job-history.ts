/** Job history for information_schema.backup_jobs: every job ever run, with what it moved. */
import type { Catalog } from './catalog.ts';
import type { JobRow, RawJob } from './jobs-types.ts';
import { decodeJob } from './jobs-types.ts';

/** Every job, oldest first (jobs are never deleted: the journal is the history). */
export function listJobHistory(catalog: Catalog): JobRow[] {
  return catalog.prepare<[], RawJob>('SELECT * FROM jobs ORDER BY id').all().map(decodeJob);
}

/** Files and bytes each job transferred (uploaded, downloaded or copied), by job id. */
export function transferredByJob(catalog: Catalog): Map<number, { readonly files: number; readonly bytes: number }> {
  const rows = catalog
    .prepare<[], { job_id: number; files: number; bytes: number }>(
      "SELECT job_id, SUM(state = 'done') AS files, SUM(CASE WHEN state = 'done' THEN size ELSE 0 END) AS bytes FROM job_files GROUP BY job_id",
    )
    .all();
  return new Map(rows.map((r) => [r.job_id, { files: r.files, bytes: r.bytes }]));
}
