/**
 * DDL that changes a table's schema or identity (schema change, SWAP, REPLACE PARTITION, replica changes) waits for
 * the BACKUP or RESTORE jobs that read or write it, as StarRocks refuses ALTER on a table whose state is not NORMAL.
 * A BACKUP records the schema when it plans and the files when it snapshots: a schema change in between would
 * leave a snapshot whose meta describes other files than it holds.
 */
import type { Catalog } from '../../catalog/catalog.ts';
import { listLiveJobs } from '../../catalog/jobs-read.ts';
import type { TableMeta } from '../../catalog/model.ts';
import { getTable } from '../../catalog/ops/get-table.ts';
import { ddlError } from '../../errors/index.ts';
import type { BackupSpec } from '../../jobs/steps.ts';
import { checkNotRestoreTarget } from '../restore/restore-guard.ts';

/** Throw when a live BACKUP of `db` covers `table` (an empty ON list covers every table). */
export function checkNotBackupSource(catalog: Catalog, db: { readonly id: number; readonly name: string }, table: TableMeta, what: string): void {
  const job = listLiveJobs(catalog).find((j) => {
    if (j.kind !== 'BACKUP' || j.dbId !== db.id) return false;
    const objects = (j.spec as Partial<BackupSpec> | undefined)?.objects ?? [];
    return objects.length === 0 || objects.some((o) => o.table === table.name);
  });
  if (job === undefined) return;
  throw ddlError(
    `Table[${table.name}]'s state is not NORMAL. Do not allow doing ALTER ops: BACKUP job ${job.id} (label ${job.label}, state ${job.state}) is reading it, so it cannot be ${what} now. ` +
      `Wait for the backup to end (SHOW BACKUP FROM ${db.name}) or cancel it (CANCEL BACKUP FROM ${db.name})`,
  );
}

/** Both guards: no live RESTORE writes the table and no live BACKUP reads it. */
export function checkNoJobOn(catalog: Catalog, db: { readonly id: number; readonly name: string }, table: TableMeta, what: string): void {
  checkNotRestoreTarget(catalog, db, table, what);
  checkNotBackupSource(catalog, db, table, what);
}

/**
 * A statement analysed against `table`'s schema and then queued behind the table lock re-checks, once it holds the
 * lock, that no schema change landed meanwhile (its rows and predicates are laid out for the schema it read).
 */
export function checkSchemaUnchanged(catalog: Catalog, table: TableMeta): void {
  const now = getTable(catalog, { id: table.id });
  if (now === undefined) throw ddlError(`Table ${table.name} was dropped while the statement waited for it`);
  if (now.schemaVersion !== table.schemaVersion) {
    throw ddlError(`Table ${table.name}'s schema changed while the statement waited for it (schema version ${table.schemaVersion} → ${now.schemaVersion}); run the statement again`);
  }
}
