import { jobInfoBrief, parseJobInfo } from './job-info.ts';
import { readLabelDirectory, snapshotProblems, type LabelDirectory } from './label-reservation.ts';
import { decodeChecksummedName, jobInfoKey, PREFIX_JOB_INFO } from './layout.ts';
import type { Repository } from './repository.ts';
import { fromBrokerError, RepositoryError } from './repository-error.ts';
import type { SnapshotDetailRow, SnapshotInfoRow } from './repository-types.ts';

/** SHOW SNAPSHOT's rows, computed exactly as StarRocks' Repository.getSnapshotInfo(s) does. */

/**
 * SHOW SNAPSHOT ON repo WHERE SNAPSHOT = 'label': exactly one row, existence not pre-checked (as StarRocks). Beyond
 * StarRocks, `OK` means restorable: exactly one info file and one meta file, checksummed; a directory two backups
 * wrote (or one edited by hand) says what is wrong instead of looking fine.
 */
export async function snapshotInfo(repo: Repository, label: string, signal?: AbortSignal): Promise<SnapshotInfoRow> {
  let dir: LabelDirectory;
  try {
    dir = await readLabelDirectory(repo, label, signal);
  } catch (error) {
    return { snapshot: label, timestamp: null, status: `ERROR: Failed to get info: ${fromBrokerError(error).message}` };
  }
  const stamps = dir.infos.map((name) => {
    const decoded = decodeChecksummedName(name);
    return decoded === null ? `Invalid: ${name}` : decoded.name.slice(PREFIX_JOB_INFO.length);
  });
  if (stamps.length === 0) return { snapshot: label, timestamp: '', status: 'ERROR: no snapshot' };
  const problems = snapshotProblems(dir);
  const status = problems === null ? 'OK' : `ERROR: not restorable: ${problems}; DROP SNAPSHOT ${label} ON ${repo.name} FORCE removes it`;
  return { snapshot: label, timestamp: stamps.join('\n'), status };
}

/**
 * SHOW SNAPSHOT ON repo [WHERE SNAPSHOT IN (…)]: one row per snapshot directory (filtered to `labels` when given;
 * unknown labels are silently absent). A listing failure throws `Failed to list snapshot in repo: <name>, err: …`.
 */
export async function snapshotInfos(repo: Repository, labels?: readonly string[], signal?: AbortSignal): Promise<SnapshotInfoRow[]> {
  let all: string[];
  try {
    all = await repo.listSnapshots(signal);
  } catch (error) {
    const inner = fromBrokerError(error);
    throw new RepositoryError('COMMON_ERROR', `Failed to list snapshot in repo: ${repo.name}, err: ${inner.message}`, { cause: inner });
  }
  const wanted = labels === undefined ? all : all.filter((l) => labels.includes(l));
  const rows: SnapshotInfoRow[] = [];
  for (const label of wanted) rows.push(await snapshotInfo(repo, label, signal));
  return rows;
}

/** SHOW SNAPSHOT ON repo WHERE SNAPSHOT = 'label' AND TIMESTAMP = 'ts' (DETAIL shape). Never throws. */
export async function snapshotDetail(repo: Repository, label: string, timestamp: string, signal?: AbortSignal): Promise<SnapshotDetailRow> {
  const failed = (status: string): SnapshotDetailRow => ({ snapshot: label, timestamp, database: null, details: null, status });
  let bytes: Buffer;
  try {
    bytes = await repo.readVerified(jobInfoKey(label, timestamp), signal);
  } catch (error) {
    return failed(`Failed to get info: ${fromBrokerError(error).message}`);
  }
  let problems: string | null;
  try {
    problems = snapshotProblems(await readLabelDirectory(repo, label, signal));
  } catch (error) {
    return failed(`Failed to get info: ${fromBrokerError(error).message}`);
  }
  try {
    const info = parseJobInfo(bytes.toString('utf8'));
    const status = problems === null ? 'OK' : `ERROR: not restorable: ${problems}; DROP SNAPSHOT ${label} ON ${repo.name} FORCE removes it`;
    return { snapshot: label, timestamp, database: info.database, details: jobInfoBrief(info), status };
  } catch (error) {
    return failed(`Failed to read info from local file: ${(error as Error).message}`);
  }
}
