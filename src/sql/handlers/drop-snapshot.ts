/** DROP SNAPSHOT label ON repo [FORCE] [DRY RUN] and the bulk DROP SNAPSHOT ON repo WHERE … [DRY RUN]. */
import type { DropSnapshotStmt, DropSnapshotsStmt } from '../../../grammar/ast.ts';
import { dropSnapshots, indexOf, writableRepository, type DropOutcome, type RetentionDeps } from '../../jobs/snapshot-retention.ts';
import type { RepositoryIndex } from '../../repository/repository-index.ts';
import { analyzeDropSnapshotWhere } from '../backup/drop-snapshot-where.ts';
import type { ExecutionContext } from '../context.ts';
import { okResult, showResult, type StatementResult } from '../result.ts';

/** Columns of DRY RUN and of the bulk form: one row per dropped directory, the shared objects, then the total. */
export const DROP_SNAPSHOT_COLUMNS = ['Snapshot', 'Timestamp', 'DeletedFiles', 'ReclaimedBytes', 'MovedFiles'] as const;
/** The row of objects no remaining snapshot references (label regex `[-\w]` never makes these names). */
export const SHARED_OBJECTS_ROW = '(shared objects)';
export const TOTAL_ROW = '(total)';

export function retentionDeps(ctx: ExecutionContext): RetentionDeps {
  const { services } = ctx;
  return {
    catalog: services.catalog,
    repositories: services.repositories,
    withSubmitLock: (fn) => services.jobs.withSubmitLock(fn),
    dataDir: services.dataDir,
    logger: services.logger,
    clock: services.clock,
  };
}

function rows(outcome: DropOutcome): StatementResult {
  const { plan } = outcome;
  const out = plan.summaries.map((s) => [
    s.label ?? SHARED_OBJECTS_ROW,
    s.timestamp,
    String(s.files),
    String(s.bytes),
    String(s.moved),
  ]);
  out.push([TOTAL_ROW, null, String(plan.filesDeleted), String(plan.bytesReclaimed), String(plan.moves.length)]);
  return showResult(DROP_SNAPSHOT_COLUMNS, out);
}

/**
 * StarRocks v4.2's form: refused on a read-only repository, while a job writes or reads the label, and — without
 * FORCE — unless this instance wrote the snapshot. Files other snapshots reference are kept (moved to the shared
 * object area), see src/repository/snapshot-drop.ts. OK as in StarRocks; with DRY RUN, the plan's rows.
 */
export async function executeDropSnapshot(ctx: ExecutionContext, node: DropSnapshotStmt): Promise<StatementResult> {
  const outcome = await dropSnapshots(retentionDeps(ctx), {
    repository: node.repository,
    labels: [node.snapshot],
    force: node.force,
    dryRun: node.dryRun === true,
    signal: ctx.signal,
  });
  return outcome.executed ? okResult(0) : rows(outcome);
}

/** The snapshots a bulk WHERE selects: named ones (each must exist) and/or those taken at or before a timestamp. */
export function selectSnapshots(index: RepositoryIndex, where: ReturnType<typeof analyzeDropSnapshotWhere>): string[] {
  const named = where.labels;
  const bound = where.timestamp;
  const candidates = named ?? index.snapshots.map((s) => s.label);
  return candidates.filter((label) => {
    if (bound === undefined) return true;
    const ts = index.dirs.get(label)?.snapshot?.timestamp;
    if (ts === undefined) return false;
    return bound.inclusive ? ts <= bound.value || ts.startsWith(bound.value) : ts < bound.value;
  });
}

/** `DROP SNAPSHOT ON repo WHERE …`: every selected snapshot at once (one plan: shared files counted once). */
export async function executeDropSnapshots(ctx: ExecutionContext, node: DropSnapshotsStmt): Promise<StatementResult> {
  const where = analyzeDropSnapshotWhere(node.where);
  const deps = retentionDeps(ctx);
  const repo = await writableRepository(deps, node.repository);
  // Names are checked (and a timestamp bound applied) against the index the drop itself reads again under the lock.
  const index = await indexOf(repo, ctx.signal);
  const labels = selectSnapshots(index, where);
  const outcome = await dropSnapshots(deps, { repository: node.repository, labels, force: false, dryRun: node.dryRun, signal: ctx.signal });
  return rows(outcome);
}
