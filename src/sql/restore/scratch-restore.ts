/**
 * The RESTORE a restore-mode VERIFY runs: the whole snapshot into a scratch database, submitted like the RESTORE
 * statement's own job (same objects resolution, same spec, same job kind and code path), with one replica per tablet
 * — the copies would only cost disk: every replica holds the same files, and the comparison reads one.
 */
import { createDatabase, getDatabase } from '../../catalog/index.ts';
import type { Catalog } from '../../catalog/catalog.ts';
import type { JobRow } from '../../catalog/jobs-types.ts';
import type { ScratchRestoreRequest } from '../../jobs/verify/verify-steps.ts';
import type { JobScheduler } from '../../jobs/scheduler.ts';
import type { RestoreJobSpec } from '../../jobs/restore-types.ts';
import type { RepositoryManager } from '../../repository/repository-manager.ts';
import type { TableStore } from '../../storage/index.ts';
import { resolveRestoreObjects } from './restore-objects.ts';

export interface ScratchRestoreDeps {
  readonly catalog: Catalog;
  readonly store: TableStore;
  readonly repositories: RepositoryManager;
  readonly jobs: JobScheduler;
}

export async function submitScratchRestore(deps: ScratchRestoreDeps, req: ScratchRestoreRequest, signal: AbortSignal): Promise<JobRow> {
  const repo = await deps.repositories.get(req.repository);
  const info = await repo.readJobInfo(req.label, req.timestamp, signal);
  const meta = await repo.readMeta(req.label, signal);
  const objects = resolveRestoreObjects(undefined, info, meta, req.label);
  if (getDatabase(deps.catalog, req.database) !== undefined) throw new Error(`scratch database ${req.database} exists already`);
  const db = createDatabase(deps.catalog, req.database);
  const spec: RestoreJobSpec = {
    objects,
    timestamp: req.timestamp,
    allowLoad: false,
    replicationNum: 1,
    snapshotDb: info.database,
    createdDatabase: true,
    replicationNumExplicit: true,
  };
  try {
    return await deps.jobs.submit({
      kind: 'RESTORE',
      dbId: db.id,
      dbName: db.name,
      label: req.label,
      repoName: req.repository,
      timeoutMs: req.timeoutMs,
      properties: { backup_timestamp: req.timestamp, replication_num: '1' },
      spec,
    });
  } catch (error) {
    deps.store.dropDatabase(db.name, { ifExists: true });
    throw error;
  }
}
