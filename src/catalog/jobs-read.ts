import type { Catalog } from './catalog.ts';
import type { JobRow, RawJob } from './jobs-types.ts';
import { decodeJob } from './jobs-types.ts';

/** One job by id, or null. */
export function getJob(catalog: Catalog, jobId: number): JobRow | null {
  const row = catalog.prepare<[number], RawJob>('SELECT * FROM jobs WHERE id = ?').get(jobId);
  return row === undefined ? null : decodeJob(row);
}

/** Jobs not yet in a terminal state, oldest first (what recovery resumes). */
export function listLiveJobs(catalog: Catalog): JobRow[] {
  return catalog
    .prepare<[], RawJob>('SELECT * FROM jobs WHERE done = 0 ORDER BY id')
    .all()
    .map(decodeJob);
}

/** The most recent job of a database (any kind), or null: the job "of" the database in StarRocks' sense. */
export function lastJobOfDb(catalog: Catalog, dbId: number): JobRow | null {
  const row = catalog
    .prepare<[number], RawJob>('SELECT * FROM jobs WHERE db_id = ? ORDER BY id DESC LIMIT 1')
    .get(dbId);
  return row === undefined ? null : decodeJob(row);
}

/** The most recent job of every database, ordered by database id (SHOW BACKUP / SHOW RESTORE without FROM). */
export function lastJobPerDb(catalog: Catalog): JobRow[] {
  return catalog
    .prepare<[], RawJob>('SELECT * FROM jobs WHERE id IN (SELECT MAX(id) FROM jobs GROUP BY db_id) ORDER BY db_id')
    .all()
    .map(decodeJob);
}

/** Job history, newest first, optionally of one database and/or kind. Jobs are never deleted on replacement. */
export function listJobs(catalog: Catalog, filter: { dbId?: number; kind?: string; limit?: number } = {}): JobRow[] {
  return catalog
    .prepare<[Record<string, unknown>], RawJob>(
      `SELECT * FROM jobs WHERE (@dbId IS NULL OR db_id = @dbId) AND (@kind IS NULL OR kind = @kind)
       ORDER BY id DESC LIMIT @limit`,
    )
    .all({ dbId: filter.dbId ?? null, kind: filter.kind ?? null, limit: filter.limit ?? -1 })
    .map(decodeJob);
}

/** True when a job that is not done uses the repository (DROP REPOSITORY refuses then). */
export function hasLiveJobOnRepo(catalog: Catalog, repoName: string): boolean {
  return (
    catalog.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM jobs WHERE done = 0 AND repo_name = ?').get(
      repoName,
    )?.n ?? 0
  ) > 0;
}
