import { getJob } from '../../catalog/jobs-read.ts';
import type { Catalog } from '../../catalog/catalog.ts';
import { analysisError, ddlError } from '../../errors/index.ts';

/**
 * RESTORE … PROPERTIES ("retry_of" = "<job id>") (MRS Manager's retry): re-runs a CANCELLED restore of the same
 * snapshot as a new job. It only checks — the new job is an ordinary RESTORE (re-submitting the statement without
 * `retry_of` does the same) — so that a retry never re-runs a FINISHED restore, one still running, or another
 * snapshot's.
 */
export const RETRY_OF = 'retry_of';

export function checkRetryOf(
  catalog: Catalog,
  raw: Readonly<Record<string, string>>,
  wanted: { readonly label: string; readonly repository: string; readonly timestamp: string },
): number | null {
  const text = raw[RETRY_OF];
  if (text === undefined) return null;
  if (!/^\s*\d{1,15}\s*$/.test(text)) throw analysisError(`Invalid retry_of: '${text}'. Write the JobId of a CANCELLED restore (SHOW RESTORE)`);
  const id = Number(text);
  const job = getJob(catalog, id);
  if (job === null || job.kind !== 'RESTORE') throw ddlError(`retry_of: there is no RESTORE job ${id}. SHOW RESTORE lists restore jobs and their JobId`);
  if (job.state === 'FINISHED') {
    throw ddlError(`retry_of: RESTORE job ${id} is FINISHED; a finished restore is never re-run. Submit a new RESTORE without retry_of to restore again`);
  }
  if (job.state !== 'CANCELLED') {
    throw ddlError(`retry_of: RESTORE job ${id} is still running (state ${job.state}). Wait for it, or CANCEL RESTORE it and retry`);
  }
  const timestamp = (job.spec as { timestamp?: unknown } | null)?.timestamp;
  if (job.label !== wanted.label || job.repoName !== wanted.repository || timestamp !== wanted.timestamp) {
    throw ddlError(
      `retry_of: RESTORE job ${id} restored snapshot ${job.label} (${String(timestamp)}) from repository ${job.repoName}, not ${wanted.label} (${wanted.timestamp}) from ${wanted.repository}. Retry with the same snapshot`,
    );
  }
  return id;
}
