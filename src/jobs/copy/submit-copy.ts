/**
 * Submitting a COPY job — for COPY SNAPSHOT and for a backup schedule's `copy_to`: which snapshot (label, and the
 * backup timestamp when the label holds several), checks in StarRocks' style, then the scheduler's submit. A copy is
 * keyed by its destination repository (one copy into a repository at a time, as one BACKUP per database), so copies
 * never stand in the way of a database's BACKUP or RESTORE — and SHOW BACKUP keeps showing the database's backup.
 */
import { randomUUID } from 'node:crypto';
import type { Catalog } from '../../catalog/catalog.ts';
import { lastJobOfDb } from '../../catalog/jobs-read.ts';
import type { JobRow } from '../../catalog/jobs-types.ts';
import { ddlError } from '../../errors/index.ts';
import { isLabelConflict } from '../../repository/label-reservation.ts';
import { fromBrokerError } from '../../repository/repository-error.ts';
import type { RepositoryManager } from '../../repository/repository-manager.ts';
import { clusterIdOf } from '../backup-info.ts';
import type { JobScheduler } from '../scheduler.ts';
import type { CopySpec } from './copy-types.ts';

/** StarRocks' backup_job_default_timeout_ms; a copy moves as many bytes as the backup it copies. */
export const DEFAULT_COPY_TIMEOUT_MS = 86_400_000;

export interface CopyRequest {
  readonly label: string;
  readonly from: string;
  readonly to: string;
  /** `backup_timestamp`: which info file, when the snapshot holds several. */
  readonly timestamp?: string;
  readonly timeoutMs: number;
  /** The statement's properties, as given (shown in history). */
  readonly properties: Readonly<Record<string, string>>;
}

export interface CopyDeps {
  /** The data dir (its cluster id goes into the destination's label reservation marker). */
  readonly dataDir: string;
  readonly catalog: Catalog;
  readonly jobs: JobScheduler;
  readonly repositories: RepositoryManager;
}

/** The job id of the copy into `repoName` that is still going, if any. */
export function liveCopyInto(deps: CopyDeps, repoName: string): JobRow | null {
  const id = deps.repositories.info(repoName)?.id;
  if (id === undefined) return null;
  const last = lastJobOfDb(deps.catalog, id);
  return last !== null && last.kind === 'COPY' && !last.done ? last : null;
}

export async function submitCopy(deps: CopyDeps, req: CopyRequest, signal?: AbortSignal): Promise<JobRow> {
  const { repositories } = deps;
  if (req.from === req.to) throw ddlError(`Can not copy a snapshot into the repository it is in (${req.from}); name another repository after TO`);
  for (const name of [req.from, req.to]) if (!repositories.has(name)) throw ddlError(`Repository ${name} does not exist`);
  const to = await repositories.get(req.to);
  if (to.readOnly) throw ddlError(`Repository ${req.to} is read only`);
  const from = await repositories.get(req.from);
  const live = liveCopyInto(deps, req.to);
  if (live !== null) {
    throw ddlError(`Can only run one copy into a repository at same time: COPY job ${live.id} (${live.label}) into ${req.to} is ${live.state}; wait for it or CANCEL COPY ON ${req.to}`);
  }
  const info = await from.snapshotInfo(req.label, signal);
  if (info.status !== 'OK' || info.timestamp === null) throw ddlError(`Snapshot does not exist in repository ${req.from}: ${req.label}`);
  const stamps = info.timestamp.split('\n').filter((t) => !t.startsWith('Invalid: '));
  let timestamp: string;
  if (req.timestamp !== undefined) {
    const matching = stamps.filter((t) => t.startsWith(req.timestamp as string));
    if (matching.length !== 1) {
      throw ddlError(`Failed to get info of snapshot '${req.label}' because: ${matching.length} backups match backup_timestamp ${req.timestamp} (it has ${stamps.join(', ')}). Maybe specified wrong backup timestamp`);
    }
    timestamp = matching[0] as string;
  } else if (stamps.length === 1) {
    timestamp = stamps[0] as string;
  } else {
    throw ddlError(`Snapshot ${req.label} in repository ${req.from} holds ${stamps.length} backups (${stamps.join(', ')}): choose one with PROPERTIES ("backup_timestamp" = "…")`);
  }
  let database: string;
  try {
    database = (await from.readJobInfo(req.label, timestamp, signal)).database;
  } catch (error) {
    throw ddlError(`Failed to get info of snapshot '${req.label}' because: ${fromBrokerError(error).message}. Maybe specified wrong backup timestamp`);
  }
  // The label is reserved in the destination as BACKUP reserves it: one writer per label, across processes.
  const reservation = randomUUID();
  const spec: CopySpec = { from: req.from, to: req.to, timestamp, reservation };
  let reserved = false;
  try {
    return await deps.jobs.submit({
      kind: 'COPY',
      // Not a database id: the destination repository's id (ids share one sequence), so one copy per destination.
      dbId: repositories.info(req.to)?.id ?? -2,
      dbName: database,
      label: req.label,
      repoName: req.to,
      timeoutMs: req.timeoutMs,
      properties: req.properties,
      spec,
      precheck: async () => {
        try {
          await to.reserveLabel(req.label, reservation, { database, cluster_id: await clusterIdOf(deps.dataDir) }, signal);
        } catch (error) {
          if (isLabelConflict(error)) throw ddlError(`Snapshot with name '${req.label}' already exist in repository ${req.to}`);
          throw ddlError(`Failed to reserve label '${req.label}' in repository ${req.to}: ${fromBrokerError(error).message}`);
        }
        reserved = true;
      },
    });
  } catch (error) {
    if (reserved) await to.releaseReservation(req.label, reservation).catch(() => undefined);
    throw error;
  }
}

/** True when a COPY job that is not done reads from `repoName` (DROP REPOSITORY refuses then, as for its target). */
export function copyReadsFrom(catalog: Catalog, repoName: string): boolean {
  const rows = catalog.prepare<[], { spec: string }>("SELECT spec FROM jobs WHERE done = 0 AND kind = 'COPY'").all();
  return rows.some((r) => (JSON.parse(r.spec) as Partial<CopySpec>).from === repoName);
}
