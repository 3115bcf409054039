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
import { checkDownloaded, downloadTablets, isHeaderFile } from './restore-transfer.ts';
import { checkHeaderSchema } from './restore-verify-schema.ts';
import type { JobRestoreTarget, RestoreJobSpec, RestorePlanMeta } from './restore-types.ts';
import type { FileEntry, LocalSnapshot, RestoreSteps, RestoreTarget, TabletSnapshot } from './steps.ts';
import { iterateTablets } from '../repository/job-info.ts';
import { resolveReferences } from './restore-references.ts';
import { fsPool, unwrap, type FsOp } from '../util/fs-pool.ts';
import { SyncBarrier, syncFileSystem } from '../util/sync-barrier.ts';
import { keptHeaderReader, linkKeptTablets, readLocalSnapshot, type LocalSnapshotSource } from './restore-local.ts';

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

/** Where older versions staged a job's tablets between COMMITTING and publish (only swept now). */
export function restoreStagingDir(dataDir: string, jobId: number): string {
  return path.join(dataDir, 'restore', String(jobId));
}

/** A restore job's download directory id on each backend (`<backend>/snapshot/restore-<jobId>/`), owned by the job. */
export function restoreSnapshotId(jobId: number): string {
  return `restore-${jobId}`;
}

/**
 * RestoreSteps over TableStore + Repository (StarRocks' RestoreJob + BE SnapshotLoader::download/move):
 * PENDING reads and checks the snapshot, creates what is missing invisibly and maps tablets; SNAPSHOTING makes the
 * job's download directory on each backend; DOWNLOADING fetches and md5-verifies every file (resumable per file, one
 * flush per batch); COMMITTING checks each tablet's files against its header; publish links them into the replicas,
 * verifies row counts / checksums and makes everything visible in one transaction. Until that transaction nothing
 * an existing table shows has changed, so a failure or cancel at any state — COMMIT included — leaves existing
 * tables as they were and drops whatever the job created.
 *
 * One download per tablet (not per replica as StarRocks does): publish hard-links the downloaded files into every
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
    // An incremental snapshot's references: where each referenced file can be read now (one listing).
    const sources = await resolveReferences(repo, job.label, info, signal);
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
        const source = sources.get(`${t.tablet.id}/${s}`);
        return { name: decoded.name, md5: decoded.md5, size: sizes?.[s] ?? listed?.get(s) ?? 0, ...(source === undefined ? {} : { source }) };
      }));
    }
    return files;
  }

  /** A local restore's kept snapshot, read once per job (again after a restart). */
  const localSources = new Map<number, Promise<LocalSnapshotSource>>();
  const isLocal = (job: JobRow): boolean => (job.spec as Partial<RestoreJobSpec> | null)?.source === 'local';
  const localSource = (job: JobRow): Promise<LocalSnapshotSource> => {
    let p = localSources.get(job.id);
    if (p === undefined) {
      p = readLocalSnapshot(catalog, dataDir, job.repoName, job.label, (job.spec as unknown as RestoreJobSpec).timestamp);
      localSources.set(job.id, p);
      p.catch(() => localSources.delete(job.id));
    }
    return p;
  };
  const localNames = (job: JobRow) => ({ label: job.label, timestamp: (job.spec as unknown as RestoreJobSpec).timestamp });

  /** Files of every tablet as a kept snapshot's info file lists them (tablevault records names, md5s and sizes). */
  function infoFiles(info: LocalSnapshotSource['info']): Map<number, FileEntry[]> {
    const files = new Map<number, FileEntry[]>();
    for (const t of iterateTablets(info)) {
      const sizes = info.extension?.fileSizes[String(t.tablet.id)];
      files.set(t.tablet.id, t.tablet.files.map((s) => {
        const decoded = decodeChecksummedName(s);
        if (decoded === null) throw new Error(`file name should contains checksum: ${s}`);
        return { name: decoded.name, md5: decoded.md5, size: sizes?.[s] ?? 0 };
      }));
    }
    return files;
  }

  /** Placed files per job, from `place` to `publish` (lost on restart: COMMITTING runs again and re-places). */
  const placed = new Map<number, PlacedRestore>();
  /** Downloads of concurrent batches share one flush of the data dir's file system. */
  const downloads = new SyncBarrier(() => syncFileSystem(dataDir));
  const downloadDirs = (jobId: number): string[] => store.backends.map((b) => store.sharedSnapshotDir(b.id, restoreSnapshotId(jobId)));
  const discardDownloads = async (jobId: number): Promise<void> => {
    for (const r of await fsPool().run(downloadDirs(jobId).map((dir): FsOp => ({ op: 'rmrf', path: dir })))) unwrap(r);
  };
  const moveMany = async (job: JobRow, items: readonly TabletSnapshot<RestoreTarget>[], signal: AbortSignal) => {
    // StarRocks' checkIfNeedCancel: a partition dropped under a running restore fails the job.
    const partitions = new Set(items.map(({ target }) => (target as JobRestoreTarget).partitionId));
    const tables = new Map<number, NonNullable<ReturnType<typeof getTable>>>();
    for (const partitionId of partitions) {
      const tableId = catalog
        .prepare<[number], { table_id: number }>('SELECT table_id FROM partitions WHERE id = ?')
        .get(partitionId)?.table_id;
      const table = tableId === undefined ? undefined : getTable(catalog, { id: tableId });
      if (table === undefined) throw new Error(`partition ${partitionId} has been dropped`);
      tables.set(partitionId, table);
    }
    const repo = isLocal(job) ? keptHeaderReader(await localSource(job), dataDir, localNames(job), items) : await repositories.get(job.repoName);
    // The schema the table got from __meta must be the one the files were written with (an edited meta is refused).
    return checkDownloaded(repo, items, signal, async (t, header, headerName, localPath) => {
      const target = t.target as JobRestoreTarget;
      const table = tables.get(target.partitionId);
      if (table === undefined) return;
      await checkHeaderSchema(header, headerName, localPath, { table: table.name, columns: table.columns, label: job.label, remoteTabletId: target.remoteTabletId });
    });
  };
  const snapshotMany = async (targets: readonly RestoreTarget[], signal: AbortSignal): Promise<LocalSnapshot[]> => {
    signal.throwIfAborted();
    const dirs = targets.map((target) => {
      const t = target as JobRestoreTarget;
      return store.sharedSnapshotDir(t.backendId, restoreSnapshotId(t.jobId));
    });
    for (const r of await fsPool().run([...new Set(dirs)].map((dir): FsOp => ({ op: 'mkdirp', path: dir })), { signal })) unwrap(r);
    return dirs.map((dir) => ({ dir, files: [] }));
  };

  return {
    async prepare(job, signal) {
      await sweepStaging();
      const spec = job.spec as unknown as RestoreJobSpec;
      let info: LocalSnapshotSource['info'];
      let meta: LocalSnapshotSource['meta'];
      let files: Map<number, FileEntry[]>;
      if (isLocal(job)) {
        ({ info, meta } = await localSource(job));
        files = infoFiles(info);
      } else {
        const repo = await repositories.get(job.repoName);
        info = await repo.readJobInfo(job.label, spec.timestamp, signal);
        meta = await repo.readMeta(job.label, signal);
        files = await remoteFiles(repo, job, info, signal);
      }
      signal.throwIfAborted();
      const plan = catalog.transaction(() =>
        prepareRestore({ catalog, job, spec, info, meta, files, stagingDir: restoreStagingDir(dataDir, job.id) }),
      );
      log.info({ jobId: job.id, tablets: plan.targets.length }, 'restore prepared');
      return plan;
    },

    async snapshot(target, signal) {
      return (await snapshotMany([target], signal))[0] as LocalSnapshot;
    },

    snapshotMany(_job, targets, signal) {
      return snapshotMany(targets, signal);
    },

    downloadFilesOf(target) {
      return target.files.filter((f) => !isHeaderFile(f.name));
    },

    async download(job, tablets, io) {
      if (isLocal(job)) {
        await linkKeptTablets(await localSource(job), dataDir, localNames(job), tablets, io);
        return;
      }
      const repo = await repositories.get(job.repoName);
      await downloadTablets(repo, tablets, io, downloads);
    },

    async move(job, target, snapshot, signal) {
      return (await moveMany(job, [{ target, snapshot }], signal))[0];
    },

    moveMany(job, items, signal) {
      return moveMany(job, items, signal);
    },

    async place(job, plan, moved, signal) {
      placed.set(job.id, await placeRestore({ catalog, store }, plan, moved, () => syncFileSystem(dataDir), signal));
    },

    publish(job, plan) {
      const mine = placed.get(job.id);
      if (mine === undefined) throw new Error(`restore job ${job.id}: publish before its files were placed`);
      placed.delete(job.id);
      localSources.delete(job.id);
      publishRestore({ catalog, store }, plan, mine);
      // After the transaction commits: collect the overwritten rowsets (the driver then releases the downloads;
      // the data dirs hold their own links). If the transaction rolled back, the job is not FINISHED.
      setImmediate(() => {
        if (!catalog.db.open || getJob(catalog, job.id)?.state !== 'FINISHED') return;
        void store.collectGarbage();
      });
    },

    async rollback(job, plan) {
      localSources.delete(job.id);
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
      // The tablets of a backend share one download directory: release each directory once.
      for (const dir of new Set(snapshots.map((s) => s.dir))) await store.releaseSnapshot(dir);
    },

    async snapshotExists(snapshot) {
      const [r] = await fsPool().run([{ op: 'stat', path: snapshot.dir }]);
      return r?.ok === true && (r.value as { isDirectory: boolean } | null)?.isDirectory === true;
    },

    discardSnapshots(job) {
      return discardDownloads(job.id);
    },
  };
}
