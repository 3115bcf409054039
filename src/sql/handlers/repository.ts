/** CREATE / DROP / SHOW REPOSITORIES, SHOW SNAPSHOT, DROP SNAPSHOT. */
import type {
  CreateRepositoryStmt,
  DropRepositoryStmt,
  DropSnapshotStmt,
  ShowRepositoriesStmt,
  ShowSnapshotStmt,
} from '../../../grammar/ast.ts';
import { listLiveJobs } from '../../catalog/jobs-read.ts';
import { analysisError, ddlError } from '../../errors/index.ts';
import { clusterIdOf, clusterIdOfJobInfo } from '../../jobs/backup-info.ts';
import { jobInfoKey } from '../../repository/layout.ts';
import { fromBrokerError } from '../../repository/repository-error.ts';
import { SHOW_REPOSITORIES_COLUMNS } from '../../repository/repository-manager.ts';
import type { Repository } from '../../repository/repository.ts';
import { analyzeSnapshotWhere } from '../backup/show-snapshot-where.ts';
import type { ExecutionContext } from '../context.ts';
import { okResult, showResult, type StatementResult } from '../result.ts';
import { applyShowPredicates } from '../show-filter.ts';

/** SHOW SNAPSHOT column sets (StarRocks' ShowSnapshotStmt). */
export const SNAPSHOT_ALL_COLUMNS = ['Snapshot', 'Timestamp', 'Status'] as const;
export const SNAPSHOT_DETAIL_COLUMNS = ['Snapshot', 'Timestamp', 'Database', 'Details', 'Status'] as const;

export async function executeCreateRepository(ctx: ExecutionContext, node: CreateRepositoryStmt): Promise<StatementResult> {
  await ctx.services.repositories.create({
    name: node.name,
    location: node.location,
    brokerName: node.broker ?? null,
    readOnly: node.readOnly,
    properties: Object.fromEntries(node.properties.map((p) => [p.key, p.value])),
    signal: ctx.signal,
  });
  return okResult(0);
}

/** DROP REPOSITORY forgets the repository; remote snapshots stay (CREATE REPOSITORY on the location re-attaches). */
export async function executeDropRepository(ctx: ExecutionContext, node: DropRepositoryStmt): Promise<StatementResult> {
  // Under the submit lock, like StarRocks' seqlock: no BACKUP can be submitted against it meanwhile.
  await ctx.services.jobs.withSubmitLock(() => ctx.services.repositories.drop(node.name));
  return okResult(0);
}

export function executeShowRepositories(ctx: ExecutionContext, _node: ShowRepositoriesStmt): StatementResult {
  return showResult(SHOW_REPOSITORIES_COLUMNS, ctx.services.repositories.showRows());
}

async function requireRepository(ctx: ExecutionContext, name: string, missing: () => Error): Promise<Repository> {
  if (!ctx.services.repositories.has(name)) throw missing();
  return ctx.services.repositories.get(name);
}

/** SHOW SNAPSHOT ON repo [WHERE …] [ORDER BY …] [LIMIT …]. */
export async function executeShowSnapshot(ctx: ExecutionContext, node: ShowSnapshotStmt): Promise<StatementResult> {
  const where = analyzeSnapshotWhere(node.where);
  const repo = await requireRepository(ctx, node.repository, () => analysisError(`Repository [${node.repository}] does not exist`));
  const tail = { orderBy: node.orderBy, ...(node.limit === undefined ? {} : { limit: node.limit }) };
  if (where.kind === 'detail') {
    const r = await repo.snapshotDetail(where.snapshot, where.timestamp, ctx.signal);
    return applyShowPredicates(ctx, showResult(SNAPSHOT_DETAIL_COLUMNS, [[r.snapshot, r.timestamp, r.database, r.details, r.status]]), tail);
  }
  let rows;
  try {
    rows =
      where.kind === 'one'
        ? [await repo.snapshotInfo(where.snapshot, ctx.signal)]
        : await repo.snapshotInfos(where.kind === 'in' ? where.snapshots : undefined, ctx.signal);
  } catch (error) {
    throw ddlError(fromBrokerError(error).message);
  }
  return applyShowPredicates(ctx, showResult(SNAPSHOT_ALL_COLUMNS, rows.map((r) => [r.snapshot, r.timestamp, r.status])), tail);
}

/**
 * DROP SNAPSHOT label ON repo [FORCE] (StarRocks v4.2): refused on a read-only repository, while a backup writes or
 * a restore reads the label, and — without FORCE — unless this instance wrote every info file of the snapshot.
 * Deletes `__ss_<label>` recursively, info files first (see Repository.deleteSnapshot).
 */
export async function executeDropSnapshot(ctx: ExecutionContext, node: DropSnapshotStmt): Promise<StatementResult> {
  const { services } = ctx;
  const repoName = node.repository;
  const label = node.snapshot;
  const repo = await requireRepository(ctx, repoName, () => ddlError(`Repository does not exist: ${repoName}`));
  if (repo.readOnly) throw ddlError(`Repository ${repoName} is read only`);
  await services.jobs.withSubmitLock(async () => {
    let labels: string[];
    try {
      labels = await repo.listSnapshots(ctx.signal);
    } catch (error) {
      throw ddlError(`Failed to list snapshots in repository ${repoName}: ${fromBrokerError(error).message}`);
    }
    if (!labels.includes(label)) throw ddlError(`Snapshot does not exist in repository ${repoName}: ${label}`);
    for (const job of listLiveJobs(services.catalog)) {
      if (job.repoName !== repoName || job.label !== label) continue;
      throw ddlError(`Can not drop snapshot ${label}: a ${job.kind === 'BACKUP' ? 'backup is writing' : 'restore is reading'} it`);
    }
    if (!node.force) await checkOwnership(ctx, repo, repoName, label);
    try {
      await repo.deleteSnapshot(label, ctx.signal);
    } catch (error) {
      throw ddlError(`Failed to delete snapshot ${label} in repository ${repoName}: ${fromBrokerError(error).message}`);
    }
  });
  services.logger.child({ component: 'repository' }).info({ repository: repoName, label, force: node.force }, 'dropped snapshot');
  return okResult(0);
}

/** Every info file of the snapshot must name this instance's cluster id. */
async function checkOwnership(ctx: ExecutionContext, repo: Repository, repoName: string, label: string): Promise<void> {
  const me = await clusterIdOf(ctx.services.dataDir);
  const info = await repo.snapshotInfo(label, ctx.signal);
  const timestamps = info.status === 'OK' && info.timestamp !== null ? info.timestamp.split('\n').filter((t) => !t.startsWith('Invalid: ')) : [];
  const owners = new Set<number | null>();
  for (const ts of timestamps) {
    try {
      owners.add(clusterIdOfJobInfo((await repo.readVerified(jobInfoKey(label, ts), ctx.signal)).toString('utf8')));
    } catch {
      owners.add(null);
    }
  }
  if (timestamps.length === 0) owners.add(null);
  const force = 'Use DROP SNAPSHOT ... FORCE to drop it anyway';
  for (const owner of owners) {
    if (owner === null) {
      throw ddlError(`Snapshot ${label} in repository ${repoName} does not record which cluster created it, and this cluster is ${me}. ${force}`);
    }
    if (owner !== me) {
      throw ddlError(`Snapshot ${label} in repository ${repoName} was created by cluster ${owner}, and this cluster is ${me}. ${force}`);
    }
  }
}
