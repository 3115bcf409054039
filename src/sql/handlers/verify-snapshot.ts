/** VERIFY SNAPSHOT label ON repo [PROPERTIES ("backup_timestamp" = "…", "mode" = "files" | "checksum")] (src/jobs/snapshot-verify.ts). */
import type { VerifySnapshotStmt } from '../../../grammar/ast.ts';
import { analysisError, ddlError } from '../../errors/index.ts';
import { VERIFY_MODES, verifySnapshot, type VerifyMode } from '../../jobs/snapshot-verify.ts';
import { readRepositoryIndex, type RepositoryIndex } from '../../repository/repository-index.ts';
import { fromBrokerError } from '../../repository/repository-error.ts';
import type { ExecutionContext } from '../context.ts';
import { showResult, type StatementResult } from '../result.ts';
import { pickSnapshot } from './snapshot-diff.ts';

/**
 * One row per problem (Status `PROBLEM`, the path and what is wrong), then the summary row: Status `OK` or
 * `FAILED`, the tables, partitions, files and bytes checked, and how many problems were found.
 */
export const VERIFY_COLUMNS = ['Status', 'Tables', 'Partitions', 'Files', 'Bytes', 'Path', 'Problem'] as const;

export async function executeVerifySnapshot(ctx: ExecutionContext, node: VerifySnapshotStmt): Promise<StatementResult> {
  const { repositories } = ctx.services;
  if (!repositories.has(node.repository)) throw analysisError(`Repository [${node.repository}] does not exist`);
  const props = new Map(node.properties.map((p) => [p.key.toLowerCase(), p.value.trim()]));
  const unknown = [...props.keys()].filter((k) => k !== 'backup_timestamp' && k !== 'mode');
  if (unknown.length > 0) throw analysisError(`Unknown VERIFY SNAPSHOT properties: [${unknown.join(', ')}]. Use backup_timestamp and mode`);
  const modeText = (props.get('mode') ?? 'files').toLowerCase();
  if (!(VERIFY_MODES as readonly string[]).includes(modeText)) {
    throw analysisError(
      modeText === 'restore'
        ? `VERIFY SNAPSHOT mode 'restore' is not supported yet. Use "mode" = "checksum", or RESTORE into a scratch database`
        : `Invalid VERIFY SNAPSHOT mode: '${modeText}'. Use "files" (sizes, no data read) or "checksum" (reads every file)`,
    );
  }
  const repo = await repositories.get(node.repository);
  let index: RepositoryIndex;
  try {
    // Every snapshot's info file is not needed, but the listing is: references resolve through the whole repository.
    index = await readRepositoryIndex(repo, { signal: ctx.signal, labels: [node.snapshot] });
  } catch (error) {
    throw ddlError(`Failed to list snapshots in repository ${node.repository}: ${fromBrokerError(error).message}`);
  }
  const ts = props.get('backup_timestamp');
  const snapshot = pickSnapshot(index, node.repository, { label: node.snapshot, ...(ts === undefined ? {} : { timestamp: ts }) });
  let report;
  try {
    report = await verifySnapshot(repo, index, snapshot, modeText as VerifyMode, { signal: ctx.signal });
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    throw ddlError(`VERIFY SNAPSHOT ${node.snapshot} failed: ${fromBrokerError(error).message}`);
  }
  const rows: (string | null)[][] = report.problems.map((p) => ['PROBLEM', null, null, null, null, p.path, p.problem]);
  const n = report.problems.length;
  rows.push([
    n === 0 ? 'OK' : 'FAILED',
    String(report.tables),
    String(report.partitions),
    String(report.files),
    String(report.bytes),
    null,
    n === 0 ? null : `${n} problem${n === 1 ? '' : 's'} found; RESTORE this snapshot would fail. Restore another snapshot, or back up again`,
  ]);
  return showResult(VERIFY_COLUMNS, rows);
}
