/** SHOW SNAPSHOT DIFF ON repo FROM 'a' ['ts'] TO 'b' ['ts'] (src/repository/snapshot-diff.ts). */
import type { ShowSnapshotDiffStmt, SnapshotRef } from '../../../grammar/ast.ts';
import { analysisError, ddlError } from '../../errors/index.ts';
import { readRepositoryIndex, type IndexedSnapshot, type RepositoryIndex } from '../../repository/repository-index.ts';
import { fromBrokerError } from '../../repository/repository-error.ts';
import { diffSnapshots } from '../../repository/snapshot-diff.ts';
import type { ExecutionContext } from '../context.ts';
import { showResult, type StatementResult } from '../result.ts';

export const SNAPSHOT_DIFF_COLUMNS = ['Table', 'Partition', 'Change', 'RowsBefore', 'RowsAfter', 'BytesBefore', 'BytesAfter'] as const;

/** The restorable snapshot a reference names, or StarRocks-style errors saying what to write instead. */
export function pickSnapshot(index: RepositoryIndex, repo: string, ref: SnapshotRef): IndexedSnapshot {
  const dir = index.dirs.get(ref.label);
  if (dir === undefined || dir.dropping) throw ddlError(`Snapshot does not exist in repository ${repo}: ${ref.label}`);
  const s = dir.snapshot;
  if (s === null) throw ddlError(`Snapshot ${ref.label} in repository ${repo} is not restorable (${dir.problem ?? 'no snapshot'})`);
  if (ref.timestamp !== undefined && s.timestamp !== ref.timestamp) {
    throw ddlError(`Snapshot ${ref.label} in repository ${repo} has no backup at timestamp ${ref.timestamp}; its timestamp is ${s.timestamp}`);
  }
  return s;
}

export async function executeShowSnapshotDiff(ctx: ExecutionContext, node: ShowSnapshotDiffStmt): Promise<StatementResult> {
  const { repositories } = ctx.services;
  if (!repositories.has(node.repository)) throw analysisError(`Repository [${node.repository}] does not exist`);
  const repo = await repositories.get(node.repository);
  let index: RepositoryIndex;
  try {
    index = await readRepositoryIndex(repo, { signal: ctx.signal, labels: [node.from.label, node.to.label] });
  } catch (error) {
    throw ddlError(`Failed to list snapshots in repository ${node.repository}: ${fromBrokerError(error).message}`);
  }
  const a = pickSnapshot(index, node.repository, node.from);
  const b = pickSnapshot(index, node.repository, node.to);
  const n = (x: number | null): string | null => (x === null ? null : String(x));
  return showResult(
    SNAPSHOT_DIFF_COLUMNS,
    diffSnapshots(a, b).map((r) => [r.table, r.partition, r.change, n(r.rowsBefore), n(r.rowsAfter), n(r.bytesBefore), n(r.bytesAfter)]),
  );
}
