/** CREATE / DROP / SHOW REPOSITORIES, SHOW SNAPSHOT (DROP SNAPSHOT: drop-snapshot.ts). */
import type {
  CreateRepositoryStmt,
  DropRepositoryStmt,
  ShowRepositoriesStmt,
  ShowSnapshotStmt,
} from '../../../grammar/ast.ts';
import { analysisError, ddlError } from '../../errors/index.ts';
import { fromBrokerError } from '../../repository/repository-error.ts';
import { SHOW_REPOSITORIES_COLUMNS } from '../../repository/repository-manager.ts';
import type { Repository } from '../../repository/repository.ts';
import { analyzeSnapshotWhere } from '../backup/show-snapshot-where.ts';
import type { ExecutionContext } from '../context.ts';
import { okResult, showResult, type StatementResult } from '../result.ts';
import { applyShowPredicates } from '../show-filter.ts';
import { LIFECYCLE_COLUMNS, lifecycleColumns } from './snapshot-lifecycle-columns.ts';

/**
 * SHOW SNAPSHOT column sets: StarRocks' ShowSnapshotStmt, then (as in StarRocks v4.2) when the snapshot finished, its
 * TTL and when it expires (snapshot-lifecycle-columns.ts).
 */
export const SNAPSHOT_ALL_COLUMNS = ['Snapshot', 'Timestamp', 'Status', ...LIFECYCLE_COLUMNS] as const;
export const SNAPSHOT_DETAIL_COLUMNS = ['Snapshot', 'Timestamp', 'Database', 'Details', 'Status', ...LIFECYCLE_COLUMNS] as const;

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
    const extra = await lifecycleColumns(ctx, repo, r.snapshot, r.status === 'OK' ? r.timestamp : null);
    return applyShowPredicates(ctx, showResult(SNAPSHOT_DETAIL_COLUMNS, [[r.snapshot, r.timestamp, r.database, r.details, r.status, ...extra]]), tail);
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
  const out: (string | null)[][] = [];
  for (const r of rows) {
    // One timestamp and OK: the one info file tells when it finished and expires.
    const single = r.status === 'OK' && r.timestamp !== null && !r.timestamp.includes('\n') ? r.timestamp : null;
    out.push([r.snapshot, r.timestamp, r.status, ...(await lifecycleColumns(ctx, repo, r.snapshot, single))]);
  }
  return applyShowPredicates(ctx, showResult(SNAPSHOT_ALL_COLUMNS, out), tail);
}
