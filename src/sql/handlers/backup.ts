/** BACKUP, SHOW BACKUP, CANCEL BACKUP. The job itself runs in the background (src/jobs). */
import type { BackupStmt, CancelBackupStmt, ShowBackupStmt } from '../../../grammar/ast.ts';
import { randomUUID } from 'node:crypto';
import { getDatabase, listPartitions, type Database } from '../../catalog/index.ts';
import { analysisError, ddlError, notSupported } from '../../errors/index.ts';
import { clusterIdOf } from '../../jobs/backup-info.ts';
import { isLabelConflict } from '../../repository/label-reservation.ts';
import { fromBrokerError } from '../../repository/repository-error.ts';
import type { Repository } from '../../repository/repository.ts';
import { lastJobOfDb } from '../../catalog/jobs-read.ts';
import { jobTables, SHOW_BACKUP_COLUMNS, showBackupRows } from '../../jobs/show.ts';
import type { BackupSpec } from '../../jobs/steps.ts';
import { analyzeBackup } from '../backup/analyze-backup.ts';
import type { ExecutionContext } from '../context.ts';
import { databaseName, findTable } from '../names.ts';
import { backupRequirements, canSee, checkPrivileges } from '../privileges/index.ts';
import { okResult, showResult, type StatementResult } from '../result.ts';
import { applyShowPredicates } from '../show-filter.ts';

/**
 * BACKUP: analyse, then submit under the scheduler's lock with StarRocks' submit-time checks (read-only repository,
 * tables and partitions still there) and the label reserved in the repository. Returns OK at once; `SHOW BACKUP` or
 * `engine.jobs.watch(id)` follow the job.
 */
export async function executeBackup(ctx: ExecutionContext, node: BackupStmt): Promise<StatementResult> {
  const a = analyzeBackup(ctx, node);
  const { services } = ctx;
  // The job's label reservation token: written into `__ss_<label>/` at submission, kept in the job's spec so the
  // job (resumed in this or a later process) recognises its own reservation.
  const reservation = randomUUID();
  let reserved: Repository | undefined;
  let job;
  try {
    job = await services.jobs.submit({
      kind: 'BACKUP',
      dbId: a.db.id,
      dbName: a.db.name,
      label: a.label,
      repoName: a.repository,
      timeoutMs: a.timeoutMs,
      properties: a.properties,
      spec: { objects: a.spec.objects.map((o) => ({ table: o.table, partitions: [...o.partitions] })), type: a.spec.type, reservation },
      precheck: async () => {
        reserved = await precheck(ctx, a.db, a.label, a.repository, a.spec, reservation);
      },
    });
  } catch (error) {
    // Reserved, then the job could not be recorded: give the label back.
    if (reserved !== undefined) await reserved.releaseReservation(a.label, reservation).catch(() => undefined);
    throw error;
  }
  services.logger.child({ component: 'backup' }).info({ jobId: job.id, label: job.label, db: job.dbName, repository: job.repoName }, 'backup submitted');
  return okResult(0, `BACKUP job ${job.id} submitted; follow it with SHOW BACKUP FROM ${a.db.name}`);
}

/**
 * StarRocks' submit-time checks, then the label reservation (label-reservation.ts): the label is this job's before
 * the statement returns, across databases, processes and machines sharing the repository. Returns the repository
 * once the label is reserved.
 */
async function precheck(ctx: ExecutionContext, database: Database, label: string, repoName: string, spec: BackupSpec, token: string): Promise<Repository> {
  const { services } = ctx;
  const dbId = database.id;
  const repo = await services.repositories.get(repoName);
  if (repo.readOnly) throw ddlError(`Repository ${repoName} is read only`);
  const db = getDatabase(services.catalog, dbId);
  if (db === undefined) throw ddlError(`Unknown database '${String(dbId)}'`);
  for (const o of spec.objects) {
    const table = findTable(ctx, db, o.table);
    if (table === undefined) throw ddlError(`Unknown table '${o.table}'`);
    if (o.partitions.length === 0) continue;
    const names = new Set(listPartitions(services.catalog, table.id).map((p) => p.name));
    for (const p of o.partitions) if (!names.has(p)) throw ddlError(`Unknown partition ${p} in table${table.name}`);
  }
  try {
    await repo.reserveLabel(label, token, { database: db.name, cluster_id: await clusterIdOf(services.dataDir) }, ctx.signal);
  } catch (error) {
    if (isLabelConflict(error)) {
      throw ddlError(spec.type === 'INCREMENTAL' ? 'Currently does not support incremental backup' : `Snapshot with name '${label}' already exist in repository`);
    }
    throw ddlError(`Failed to reserve label '${label}' in repository ${repoName}: ${fromBrokerError(error).message}`);
  }
  return repo;
}

/**
 * SHOW BACKUP [FROM db] [WHERE …] [ORDER BY …] [LIMIT …]: the last job of the database if it is a backup; without
 * FROM, of every database. The clauses StarRocks' grammar allows (showPredicateClauses) apply to the result's
 * columns (`WHERE State = 'FINISHED' ORDER BY CreateTime DESC LIMIT 1`); StarRocks parses and ignores them, and
 * anything else is a syntax error (1064). Jobs over tables the user lacks EXPORT on are left out silently, as
 * StarRocks does.
 */
export function executeShowBackup(ctx: ExecutionContext, node: ShowBackupStmt): StatementResult {
  const visible = (dbName: string, tables: readonly string[]): boolean => canSee(ctx, dbName, tables);
  let dbId: number | undefined;
  if (node.database !== undefined) {
    const db = getDatabase(ctx.services.catalog, node.database);
    if (db === undefined) throw analysisError(`Unknown database '${node.database}'`);
    dbId = db.id;
  }
  const rows = showBackupRows(ctx.services.catalog, dbId === undefined ? { visible } : { dbId, visible });
  return applyShowPredicates(ctx, showResult(SHOW_BACKUP_COLUMNS, rows), node);
}

/**
 * CANCEL BACKUP [FROM db]: local snapshots are released and the local job dir deleted; whatever was already
 * uploaded stays under `__ss_<label>` (as in StarRocks) — remove it with DROP SNAPSHOT <label> ON <repo> FORCE.
 */
export async function executeCancelBackup(ctx: ExecutionContext, node: CancelBackupStmt): Promise<StatementResult> {
  if (node.externalCatalog) throw notSupported('CANCEL BACKUP FOR EXTERNAL CATALOG');
  const name = databaseName(ctx, node.database);
  const db = getDatabase(ctx.services.catalog, name);
  if (db === undefined) throw ddlError(`Unknown database '${name}'`);
  // StarRocks: CANCEL BACKUP also needs EXPORT on the running job's tables (REPOSITORY is checked before every
  // statement by the executor).
  const running = lastJobOfDb(ctx.services.catalog, db.id);
  if (running !== null && running.kind === 'BACKUP') checkPrivileges(ctx, backupRequirements(db.name, jobTables(running)));
  await ctx.services.jobs.cancel('BACKUP', db.id);
  return okResult(0);
}
