import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Catalog } from '../catalog/catalog.ts';
import { getDatabase, getTable, listPartitions, listTables, setTableState } from '../catalog/index.ts';
import { getJob } from '../catalog/jobs-read.ts';
import type { JobRow } from '../catalog/jobs-types.ts';
import { dropDatabase } from '../catalog/ops/drop-database.ts';
import { dropPartition } from '../catalog/ops/drop-partition.ts';
import { dropTable } from '../catalog/ops/drop-table.ts';
import type { Logger } from '../logging/logger.ts';
import { decodeChecksummedName } from '../repository/layout.ts';
import type { Repository } from '../repository/repository.ts';
import type { TableStore } from '../storage/index.ts';
import type { Clock } from '../util/clock.ts';
import { prepareRestore } from './restore-prepare.ts';
import { placeRestore, publishRestore, type PlacedRestore } from './restore-publish.ts';
import { downloadTablets, stageTablet } from './restore-transfer.ts';
import { checkTabletSchema } from './restore-verify-schema.ts';
import type { JobRestoreTarget, RestoreJobSpec, RestorePlanMeta } from './restore-types.ts';
import type { FileEntry, LocalSnapshot, RestorePlan, RestoreSteps, RestoreTarget } from './steps.ts';
import { iterateTablets } from '../repository/job-info.ts';

export type { RestoreJobSpec, RestorePlanMeta } from './restore-types.ts';

/** The repository lookup RESTORE needs (RepositoryManager satisfies it). */
export interface RepositorySource {
  /** The connected repository; throws `Repository <name> does not exist` when unknown. */
  get(name: string): Promise<Repository>;
}

export interface RestoreStepsOptions {
  readonly store: TableStore;
  readonly repositories: RepositorySource;
  readonly catalog: Catalog;
  readonly logger: Logger;
  readonly clock: Clock;
  /** The engine's data dir: staging lives in `<dataDir>/restore/<jobId>/`. */
  readonly dataDir: string;
}

/** Where a job stages its tablets between COMMITTING and publish. */
export function restoreStagingDir(dataDir: string, jobId: number): string {
  return path.join(dataDir, 'restore', String(jobId));
}

/** Local snapshot id of a job's download dirs (`<backend>/snapshot/restore-<jobId>/<tabletId>`). */
function snapshotIdOf(jobId: number): string {
  return `restore-${jobId}`;
}

/**
 * RestoreSteps over TableStore + Repository (StarRocks' RestoreJob + BE SnapshotLoader::download/move):
 * PENDING reads and checks the snapshot, creates what is missing invisibly and maps tablets; SNAPSHOTING makes an
 * empty local dir per tablet; DOWNLOADING fetches and md5-verifies every file (resumable per file); COMMITTING stages
 * each tablet (hard links + content stats); publish verifies row counts / checksums and makes everything visible in
 * one transaction. Until that transaction nothing an existing table shows has changed, so a failure or cancel at any
 * state — COMMIT included — leaves existing tables as they were and drops whatever the job created.
 *
 * One download per tablet (not per replica as StarRocks does): publish hard-links the staged files into every
 * replica, so the bytes cross the network once.
 */
export function createRestoreSteps(options: RestoreStepsOptions): RestoreSteps {
  const { store, repositories, catalog, dataDir } = options;
  const log = options.logger.child({ component: 'restore' });

  /** Staging dirs of jobs that are done (FINISHED leaves its dir: publish cannot delete files in a transaction). */
  async function sweepStaging(): Promise<void> {
    const root = path.join(dataDir, 'restore');
    for (const name of await fsp.readdir(root).catch(() => [] as string[])) {
      const job = /^\d+$/.test(name) ? getJob(catalog, Number(name)) : null;
      if (job === null || job.done) await fsp.rm(path.join(root, name), { recursive: true, force: true });
    }
  }

  /** Files of every remote tablet: from the info file (names, md5) and its size block; listed when not recorded. */
  async function remoteFiles(repo: Repository, job: JobRow, info: Awaited<ReturnType<Repository['readJobInfo']>>, signal: AbortSignal) {
    const files = new Map<number, FileEntry[]>();
    for (const t of iterateTablets(info)) {
      const sizes = info.extension?.fileSizes[String(t.tablet.id)];
      let stored = t.tablet.files;
      let listed: Map<string, number> | null = null;
      if (stored.length === 0 || stored.some((s) => sizes?.[s] === undefined)) {
        // StarRocks versions that do not record files (or sizes): list the tablet's directory.
        const found = await repo.listTabletFiles(job.label, {
          dbId: info.dbId, tableId: t.table.id, partitionId: t.physicalPartitionId, indexId: t.index.id, tabletId: t.tablet.id,
        }, signal);
        listed = new Map(found.filter((f) => f.fileName !== null).map((f) => [f.storedName, f.size]));
        if (stored.length === 0) stored = [...listed.keys()];
      }
      files.set(t.tablet.id, stored.map((s) => {
        const decoded = decodeChecksummedName(s);
        if (decoded === null) throw new Error(`file name should contains checksum: ${s}`);
        return { name: decoded.name, md5: decoded.md5, size: sizes?.[s] ?? listed?.get(s) ?? 0 };
      }));
    }
    return files;
  }

  /** Placed files per job, from `place` to `publish` (lost on restart: COMMITTING runs again and re-places). */
  const placed = new Map<number, PlacedRestore>();

  return {
    async prepare(job, signal) {
      await sweepStaging();
      const spec = job.spec as unknown as RestoreJobSpec;
      const repo = await repositories.get(job.repoName);
      const info = await repo.readJobInfo(job.label, spec.timestamp, signal);
      const meta = await repo.readMeta(job.label, signal);
      const files = await remoteFiles(repo, job, info, signal);
      signal.throwIfAborted();
      const plan = catalog.transaction(() =>
        prepareRestore({ catalog, job, spec, info, meta, files, stagingDir: restoreStagingDir(dataDir, job.id) }),
      );
      log.info({ jobId: job.id, tablets: plan.targets.length }, 'restore prepared');
      return plan;
    },

    async snapshot(target, signal) {
      signal.throwIfAborted();
      const t = target as JobRestoreTarget;
      const dir = store.snapshotDir(t.backendId, snapshotIdOf(t.jobId), t.tabletId);
      // A dir left by an earlier attempt of this job holds nothing this attempt trusts.
      await fsp.rm(dir, { recursive: true, force: true });
      await fsp.mkdir(dir, { recursive: true });
      const snapshot: LocalSnapshot = { dir, files: [] };
      return snapshot;
    },

    async download(job, tablets, io) {
      const repo = await repositories.get(job.repoName);
      await downloadTablets(repo, tablets, io);
    },

    async move(job, target, snapshot, signal) {
      const plan = job.plan as unknown as RestorePlan | null;
      if (plan === null) throw new Error(`restore job ${job.id} has no plan`);
      const meta = plan.meta as unknown as RestorePlanMeta;
      const t = target as JobRestoreTarget;
      const tableId = catalog
        .prepare<[number], { table_id: number }>('SELECT table_id FROM partitions WHERE id = ?')
        .get(t.partitionId)?.table_id;
      // StarRocks' checkIfNeedCancel: a partition dropped under a running restore fails the job.
      const table = tableId === undefined ? undefined : getTable(catalog, { id: tableId });
      if (table === undefined) throw new Error(`partition ${t.partitionId} has been dropped`);
      // The schema the table got from __meta must be the one the files were written with (an edited meta is refused).
      await checkTabletSchema(snapshot.dir, { table: table.name, columns: table.columns, label: job.label, remoteTabletId: t.remoteTabletId });
      await stageTablet(meta.stagingDir, target as RestoreTarget, snapshot, signal);
    },

    async place(job, plan) {
      placed.set(job.id, await placeRestore({ catalog, store }, plan));
    },

    publish(job, plan) {
      const mine = placed.get(job.id);
      if (mine === undefined) throw new Error(`restore job ${job.id}: publish before its files were placed`);
      placed.delete(job.id);
      publishRestore({ catalog, store }, plan, mine);
      // After the transaction commits: collect the overwritten rowsets and drop the staging links (the data dirs
      // hold their own). If the transaction rolled back, the job is not FINISHED and staging stays for cleanup.
      setImmediate(() => {
        if (!catalog.db.open || getJob(catalog, job.id)?.state !== 'FINISHED') return;
        void store.collectGarbage();
        void fsp.rm(restoreStagingDir(dataDir, job.id), { recursive: true, force: true }).catch(() => undefined);
      });
    },

    async rollback(job, plan) {
      const meta = (plan?.meta ?? null) as unknown as RestorePlanMeta | null;
      const spec = job.spec as unknown as Partial<RestoreJobSpec>;
      catalog.transaction(() => {
        const db = getDatabase(catalog, job.dbId);
        if (db === undefined) return;
        // One job per database at a time: every invisible object and every RESTORE-state table of the target
        // database is this job's (also after a crash between creating them and recording the plan).
        for (const t of listTables(catalog, db.id, { includeInvisible: true })) {
          if (!t.visible) {
            dropTable(catalog, t.id);
            continue;
          }
          if (t.kind !== 'OLAP') continue;
          for (const p of listPartitions(catalog, t.id, { includeInvisible: true })) if (!p.visible) dropPartition(catalog, p.id);
          if (t.state === 'RESTORE') setTableState(catalog, t.id, 'NORMAL');
        }
        for (const id of meta?.restoringTables ?? []) if (getTable(catalog, { id }) !== undefined) setTableState(catalog, id, 'NORMAL');
        if (spec.createdDatabase === true && listTables(catalog, db.id, { includeInvisible: true }).length === 0) {
          dropDatabase(catalog, db.name, { ifExists: true });
        }
      });
      await fsp.rm(restoreStagingDir(dataDir, job.id), { recursive: true, force: true });
      await store.collectGarbage();
      log.info({ jobId: job.id }, 'restore rolled back');
    },

    async release(snapshots) {
      for (const s of snapshots) await store.releaseSnapshot(s.dir);
    },

    async snapshotExists(snapshot) {
      return (await fsp.stat(snapshot.dir).catch(() => null))?.isDirectory() === true;
    },
  };
}
