/** RESTORE, SHOW RESTORE, CANCEL RESTORE. The job itself runs in the background (src/jobs/restore-steps.ts). */
import type { CancelRestoreStmt, RestoreStmt, ShowRestoreStmt } from '../../../grammar/ast.ts';
import { createDatabase, getDatabase, listTables } from '../../catalog/index.ts';
import { dropDatabase } from '../../catalog/ops/drop-database.ts';
import { analysisError, ddlError, notSupported } from '../../errors/index.ts';
import type { RestoreJobSpec } from '../../jobs/restore-types.ts';
import { readLocalSnapshot } from '../../jobs/restore-local.ts';
import { SHOW_RESTORE_COLUMNS, showRestoreRows } from '../../jobs/show.ts';
import { isScratchDatabase } from '../../jobs/verify/verify-steps.ts';
import type { BackupMeta } from '../../repository/backup-meta.ts';
import type { BackupJobInfo } from '../../repository/job-info.ts';
import type { ExecutionContext } from '../context.ts';
import { databaseName } from '../names.ts';
import { okResult, showResult, type StatementResult } from '../result.ts';
import { applyShowPredicates } from '../show-filter.ts';
import { checkRestoreObjects, resolveRestoreObjects } from '../restore/restore-objects.ts';
import { analyzeRestoreProperties } from '../restore/restore-properties.ts';
import { checkRetryOf } from '../restore/restore-retry.ts';

const DB_NAME = /^[a-zA-Z]\w{0,255}$|^_[a-zA-Z0-9]\w{0,254}$/;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * RESTORE SNAPSHOT [db.]label FROM repo [DATABASE d [AS d2]] [ON (…)] PROPERTIES (…).
 *
 * Analysis (statement alone) first, then StarRocks' submit order (reference §3.1): repository, the `__info_<ts>`
 * file (a bad timestamp fails before anything else), the snapshot's database, the `__meta` file and the ON list,
 * then the target database — created when missing, as StarRocks 3.4+ does — and the job (one per database).
 * Returns OK at once; `SHOW RESTORE` or `engine.jobs.watch(id)` follow the job.
 */
export async function executeRestore(ctx: ExecutionContext, node: RestoreStmt): Promise<StatementResult> {
  const { services } = ctx;
  if (node.externalCatalogs !== undefined) throw notSupported('RESTORE of external catalogs');
  if (node.repository === '') throw analysisError('Repository is empty');
  const label = node.label.name;
  if (label === '') throw analysisError(`Incorrect label name '${label}'`);
  if (node.label.db !== undefined && node.databaseAlias !== undefined && node.label.db !== node.databaseAlias) {
    throw analysisError(
      `Can not restore into two databases: the snapshot name says ${node.label.db}, AS says ${node.databaseAlias}; write one of them`,
    );
  }
  for (const name of [node.database, node.databaseAlias, node.label.db]) {
    if (name !== undefined && !DB_NAME.test(name)) throw analysisError(`Incorrect database name '${name}'`);
  }
  checkRestoreObjects(node.objects);
  const props = analyzeRestoreProperties(node.properties, services.store.backends.length);

  if (!services.repositories.has(node.repository)) throw ddlError(`Repository ${node.repository} does not exist`);
  checkRetryOf(services.catalog, props.raw, { label, repository: node.repository, timestamp: props.timestamp });
  let info: BackupJobInfo;
  let meta: BackupMeta;
  if (props.source === 'local') {
    // The kept local snapshot's own info and meta copies: nothing is read from the repository.
    try {
      ({ info, meta } = await readLocalSnapshot(services.catalog, services.store.dataDir, node.repository, label, props.timestamp));
    } catch (error) {
      throw ddlError(messageOf(error));
    }
    if (node.database !== undefined && node.database !== info.database) {
      throw ddlError(`target database: ${node.database} is not existed in snapshot`);
    }
  } else {
    const repo = await services.repositories.get(node.repository);
    try {
      info = await repo.readJobInfo(label, props.timestamp, ctx.signal);
    } catch (error) {
      throw ddlError(`Failed to get info of snapshot '${label}' because: ${messageOf(error)}. Maybe specified wrong backup timestamp`);
    }
    if (node.database !== undefined && node.database !== info.database) {
      throw ddlError(`target database: ${node.database} is not existed in snapshot`);
    }
    try {
      meta = await repo.readMeta(label, ctx.signal);
    } catch (error) {
      throw ddlError(`Failed to read backup meta from file of snapshot '${label}': ${messageOf(error)}`);
    }
  }
  const objects = resolveRestoreObjects(node.objects, info, meta, label);
  const target = node.databaseAlias ?? node.label.db ?? info.database;

  let db = getDatabase(services.catalog, target);
  const createdDatabase = db === undefined;
  if (db === undefined) {
    try {
      db = createDatabase(services.catalog, target);
    } catch (error) {
      throw ddlError(`Can not create database: ${target} in restore process: ${messageOf(error)}`);
    }
  }
  const spec: RestoreJobSpec = {
    objects,
    timestamp: props.timestamp,
    allowLoad: props.allowLoad,
    replicationNum: props.replicationNum,
    snapshotDb: info.database,
    createdDatabase,
    replicationNumExplicit: props.replicationNumExplicit,
    ...(props.source === 'local' ? { source: 'local' as const } : {}),
  };
  let jobId: number;
  try {
    const job = await services.jobs.submit({
      kind: 'RESTORE',
      dbId: db.id,
      dbName: db.name,
      label,
      repoName: node.repository,
      timeoutMs: props.timeoutMs,
      properties: props.raw,
      spec,
    });
    jobId = job.id;
  } catch (error) {
    if (createdDatabase && listTables(services.catalog, db.id, { includeInvisible: true }).length === 0) {
      dropDatabase(services.catalog, db.name, { ifExists: true });
    }
    throw error;
  }
  services.logger.child({ component: 'restore' }).info({ jobId, label, db: db.name, repository: node.repository }, 'restore submitted');
  return okResult(0, `RESTORE job ${jobId} submitted; follow it with SHOW RESTORE FROM ${db.name}`);
}

/** SHOW RESTORE [FROM db]: the last job of the database if it is a restore; without FROM, of every database. */
export function executeShowRestore(ctx: ExecutionContext, node: ShowRestoreStmt): StatementResult {
  // WHERE / ORDER BY / LIMIT (StarRocks' showPredicateClauses) apply to the result's columns, as for SHOW BACKUP.
  let rows;
  // Without FROM, not the RESTOREs a restore-mode VERIFY ran into its scratch database (SHOW VERIFY names them).
  if (node.database === undefined) rows = showRestoreRows(ctx.services.catalog).filter((r) => !isScratchDatabase(r[SHOW_RESTORE_COLUMNS.indexOf('DbName')] ?? ''));
  else {
    const db = getDatabase(ctx.services.catalog, node.database);
    if (db === undefined) throw analysisError(`Unknown database '${node.database}'`);
    rows = showRestoreRows(ctx.services.catalog, { dbId: db.id });
  }
  return applyShowPredicates(ctx, showResult(SHOW_RESTORE_COLUMNS, rows), node);
}

/**
 * CANCEL RESTORE [FROM db]: resolves once the job is CANCELLED — tables it created are dropped, partitions it added
 * removed, existing tables back to NORMAL with their data untouched (also when cancelled in COMMIT), local
 * snapshot dirs released.
 */
export async function executeCancelRestore(ctx: ExecutionContext, node: CancelRestoreStmt): Promise<StatementResult> {
  if (node.externalCatalog) throw notSupported('CANCEL RESTORE FOR EXTERNAL CATALOG');
  const name = databaseName(ctx, node.database);
  const db = getDatabase(ctx.services.catalog, name);
  if (db === undefined) throw ddlError(`Unknown database '${name}'`);
  await ctx.services.jobs.cancel('RESTORE', db.id);
  return okResult(0);
}
