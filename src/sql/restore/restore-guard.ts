import type { Catalog } from '../../catalog/catalog.ts';
import { listLiveJobs } from '../../catalog/jobs-read.ts';
import type { JobRow } from '../../catalog/jobs-types.ts';
import type { TableMeta } from '../../catalog/model.ts';
import { ddlError } from '../../errors/index.ts';
import type { RestoreSpec } from '../../jobs/steps.ts';

/**
 * DDL that would pull a database or table out from under a running RESTORE is refused while the job lives, as
 * StarRocks refuses to drop a table whose state is RESTORE. Without it the job failed later with `partition … has
 * been dropped` (or published into nothing), after the user had lost the data the DROP took.
 */

/** The RESTORE job of database `dbId` that has not ended, if any. */
function liveRestoreOf(catalog: Catalog, dbId: number): JobRow | undefined {
  return listLiveJobs(catalog).find((j) => j.kind === 'RESTORE' && j.dbId === dbId);
}

/** DROP DATABASE: refused while a RESTORE into it runs. */
export function checkNoRestoreIntoDatabase(catalog: Catalog, db: { readonly id: number; readonly name: string }): void {
  const job = liveRestoreOf(catalog, db.id);
  if (job === undefined) return;
  throw ddlError(
    `Database ${db.name} is the target of RESTORE job ${job.id} (label ${job.label}, state ${job.state}): it cannot be dropped now. ` +
      `Wait for the restore to end (SHOW RESTORE FROM ${db.name}) or cancel it (CANCEL RESTORE FROM ${db.name}), then drop it`,
  );
}

/**
 * DROP TABLE / TRUNCATE TABLE (and other DDL) of a table a RESTORE writes: its state is RESTORE from the job's
 * PENDING step on; before that step has run the job's ON list names it.
 */
export function checkNotRestoreTarget(catalog: Catalog, db: { readonly id: number; readonly name: string }, table: TableMeta, what: string): void {
  const job = liveRestoreOf(catalog, db.id);
  const spec = job?.spec as Partial<RestoreSpec> | undefined;
  const named = spec?.objects?.some((o) => (o.alias ?? o.table) === table.name) === true;
  if (table.state !== 'RESTORE' && !named) return;
  const by = job === undefined ? 'a restore job' : `RESTORE job ${job.id} (label ${job.label}, state ${job.state})`;
  throw ddlError(
    `Table ${table.name}'s state is RESTORE: ${by} is writing it, so it cannot be ${what} now. ` +
      `Wait for the restore to end (SHOW RESTORE FROM ${db.name}) or cancel it (CANCEL RESTORE FROM ${db.name})`,
  );
}
