import { createHash } from 'node:crypto';
import { iterateTablets } from '../repository/job-info.ts';
import { md5Hex } from '../repository/md5.ts';
import type { IndexedFile, IndexedSnapshot, RepositoryIndex } from '../repository/repository-index.ts';
import { fromBrokerError } from '../repository/repository-error.ts';
import type { Repository } from '../repository/repository.ts';
import { readAll } from '../repository/repository-types.ts';
import type { SnapshotHeader } from '../storage/index.ts';
import { combineContentStats, contentMismatch, manifestStats, type ContentStats } from './meta-checksum.ts';

/**
 * VERIFY SNAPSHOT: proves a snapshot can be restored from what the repository holds now, without restoring it.
 *
 *   files     every file the snapshot needs (its own and the ones it references) is there with the recorded size —
 *             one listing, no data read;
 *   checksum  also reads every file and checks its md5 against the one in its name, checks the meta file's md5, and
 *             recomputes each partition's rows and file checksum from the tablet headers it read, comparing them with
 *             what the info file records (so a wrong row count is named with its table and partition);
 *   restore   the `files` checks, then a real RESTORE into a scratch database (src/jobs/verify/verify-steps.ts).
 *
 * Every problem names the repository path (or table/partition) and what is wrong; the run goes on after a problem
 * so one VERIFY lists all of them. These are the pieces; the VERIFY job (src/jobs/verify/) runs them as tasks.
 */

export type VerifyMode = 'files' | 'checksum' | 'restore';

export const VERIFY_MODES: readonly VerifyMode[] = ['files', 'checksum', 'restore'];

/** One thing found wrong. */
export interface VerifyProblem {
  /** Full repository path of the file, or `table.partition` for a partition whose stats do not match. */
  readonly path: string;
  /** What is wrong, with the expected and found values. */
  readonly problem: string;
}

/** What checking one file found. */
export interface FileCheck {
  /** What is wrong with it, or null. */
  readonly problem: VerifyProblem | null;
  /** Bytes of it that were checked (stored size; read in checksum mode). */
  readonly bytes: number;
  /** A tablet header read intact in checksum mode: the stats of the rowsets it lists. */
  readonly stats: ContentStats | null;
}

/**
 * Check one file of the snapshot: it resolves (exists with the recorded size); in checksum mode also its md5, and
 * for a tablet header the stats of the rowsets it lists (compared per partition by `partitionProblems`).
 */
export async function checkFile(repo: Repository, index: RepositoryIndex, f: IndexedFile, mode: VerifyMode, signal?: AbortSignal): Promise<FileCheck> {
  signal?.throwIfAborted();
  const full = (key: string): string => repo.fullPath(key);
  const at = index.resolve(f);
  if (at === null) return { problem: missingOrWrongSize(index, f, full), bytes: 0, stats: null };
  const bytes = index.stored.get(at) ?? 0;
  if (mode !== 'checksum') return { problem: null, bytes, stats: null };
  let got: string;
  let header: Buffer | null = null;
  try {
    if (f.name.endsWith('.hdr')) {
      header = await readAll(await repo.broker.read(`${repo.root}/${at}`, { signal }));
      got = md5Hex(header);
    } else {
      got = await md5Of(repo, at, signal);
    }
  } catch (error) {
    if (signal?.aborted) throw error;
    return { problem: { path: full(at), problem: `cannot be read: ${fromBrokerError(error).message}` }, bytes, stats: null };
  }
  if (got !== f.md5) {
    return { problem: { path: full(at), problem: `content md5 is ${got}, the snapshot records ${f.md5} (the file was changed after the backup)` }, bytes, stats: null };
  }
  const stats = header === null ? null : manifestStats((JSON.parse(header.toString('utf8')) as SnapshotHeader).rowsets);
  return { problem: null, bytes, stats };
}

/** Checksum mode: the meta file's md5 against the one in its name. */
export async function checkMetaFile(repo: Repository, index: RepositoryIndex, snapshot: IndexedSnapshot, signal?: AbortSignal): Promise<FileCheck> {
  signal?.throwIfAborted();
  const full = repo.fullPath(snapshot.metaKey);
  const bytes = index.stored.get(snapshot.metaKey) ?? 0;
  const expected = /\.([0-9a-f]{32})$/.exec(snapshot.metaKey)?.[1];
  try {
    const got = await md5Of(repo, snapshot.metaKey, signal);
    const problem = got === expected ? null : { path: full, problem: `content md5 is ${got}, its name records ${expected ?? 'none'}` };
    return { problem, bytes, stats: null };
  } catch (error) {
    if (signal?.aborted) throw error;
    return { problem: { path: full, problem: `cannot be read: ${fromBrokerError(error).message}` }, bytes, stats: null };
  }
}

/** A partition of the snapshot: its table, its name, and the physical partition ids its tablets carry. */
export interface SnapshotPartition {
  readonly table: string;
  readonly partition: string;
  readonly ids: ReadonlySet<number>;
}

/** The snapshot's tables, and its partitions keyed `table.partition`, in the info file's order. */
export function snapshotShape(snapshot: IndexedSnapshot): { tables: number; partitions: Map<string, SnapshotPartition> } {
  const tables = new Set<string>();
  const partitions = new Map<string, { table: string; partition: string; ids: Set<number> }>();
  for (const t of iterateTablets(snapshot.info)) {
    tables.add(t.table.name);
    const key = `${t.table.name}.${t.partition.name}`;
    const p = partitions.get(key) ?? { table: t.table.name, partition: t.partition.name, ids: new Set<number>() };
    p.ids.add(t.physicalPartitionId);
    partitions.set(key, p);
  }
  return { tables: tables.size, partitions };
}

/**
 * Checksum mode, after every file was checked: each partition's rows and file checksum recomputed from the headers
 * read (`statsByPartition`, by physical partition id) against what the info file records. Partitions with a file
 * already named as damaged (`damaged`: full paths) are skipped — the damage is the problem, not its consequence.
 */
export function partitionProblems(
  repo: Repository,
  index: RepositoryIndex,
  snapshot: IndexedSnapshot,
  statsByPartition: ReadonlyMap<number, readonly ContentStats[]>,
  damaged: ReadonlySet<string>,
): VerifyProblem[] {
  const problems: VerifyProblem[] = [];
  for (const [key, p] of snapshotShape(snapshot).partitions) {
    const recorded = snapshot.info.extension?.partitionStats[p.table]?.[p.partition];
    if (recorded === undefined) continue;
    const own = snapshot.files.filter((f) => p.ids.has(f.ids.partitionId));
    if (own.some((f) => { const at = index.resolve(f); return at === null || damaged.has(repo.fullPath(at)); })) continue;
    const got = combineContentStats([...p.ids].flatMap((id) => statsByPartition.get(id) ?? []));
    const diff = contentMismatch(recorded, got);
    if (diff === null) continue;
    problems.push({
      path: key,
      problem: diff.what === 'rows'
        ? `the files hold ${diff.found} rows, the snapshot records ${diff.expected} rows for partition ${p.partition} of table ${p.table}`
        : `the files' ${diff.what} is ${diff.found}, the snapshot records ${diff.expected} for partition ${p.partition} of table ${p.table}`,
    });
  }
  return problems;
}

/** A file that does not resolve: gone, or stored with another size (truncated or grown). */
function missingOrWrongSize(index: RepositoryIndex, f: IndexedFile, full: (key: string) => string): VerifyProblem {
  const size = index.stored.get(f.key);
  if (size === undefined) {
    const what = f.referenced ? 'a reference to content the repository no longer holds (neither there nor in the shared object area)' : 'its own file';
    return { path: full(f.key), problem: `missing: the snapshot needs it (${what}), ${f.size >= 0 ? `${f.size} bytes` : 'size unknown'}` };
  }
  const how = size < f.size ? 'truncated' : 'wrong size';
  return { path: full(f.key), problem: `${how}: ${size} bytes stored, the snapshot records ${f.size} bytes` };
}

/**
 * md5 of a stored file (repository-relative key), streamed: never held in memory. Hashing in a plain loop over the
 * stream is about 3× faster than piping through a Transform (bench/lifecycle.bench.ts measures it beside md5sum).
 */
async function md5Of(repo: Repository, key: string, signal: AbortSignal | undefined): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of await repo.broker.read(`${repo.root}/${key}`, { signal })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
