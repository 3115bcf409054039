import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Catalog } from '../catalog/catalog.ts';
import type { JobRow, JsonValue } from '../catalog/jobs-types.ts';
import type { Logger } from '../logging/logger.ts';
import { serializeBackupMeta } from '../repository/backup-meta.ts';
import { isLabelConflict } from '../repository/label-reservation.ts';
import { baseNameOf, checksummedKey, jobInfoKey, jobInfoTimestamp, metaKey, tabletDir, tabletFileKey, type TabletIds } from '../repository/layout.ts';
import { md5Hex } from '../repository/md5.ts';
import type { RepositoryManager } from '../repository/repository-manager.ts';
import type { PutItem, RemoteTabletFile, Repository } from '../repository/repository.ts';
import { readSnapshotHeader, type SharedSnapshot, type TableStore, type VersionPin } from '../storage/index.ts';
import type { Clock } from '../util/clock.ts';
import { fsPool, unwrap, type FsOp } from '../util/fs-pool.ts';
import { buildJobInfo, clusterIdOf, isLinkedSnapshot, serializeBackupJobInfo, type BackupLocalSnapshot } from './backup-info.ts';
import { finalizeReferences, isIncrementalBackup, selectUploads } from './backup-reuse.ts';
import { IncrementalLinking } from './backup-linking.ts';
import { readRepositoryIndex } from '../repository/repository-index.ts';
import { snapshotTtlOf } from './snapshot-expiry.ts';
import { discardPending, keepAndPrune, keptMetaDir, recordPending } from './local-snapshots.ts';
import { listLocalSnapshots } from '../catalog/local-snapshots.ts';
import { readSettings } from '../repository/repository-settings.ts';
import { buildPlan, partitionIdsOf, resolveSpec, type PlanMeta } from './backup-plan.ts';
import { manifestStats } from './meta-checksum.ts';
import { JobStatusError } from './status.ts';
import type { BackupSpec, BackupSteps, LocalSnapshot, SnapshotTarget } from './steps.ts';

export interface BackupStepsOptions {
  readonly store: TableStore;
  readonly repositories: RepositoryManager;
  readonly catalog: Catalog;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Data dir: local job files go to `<dataDir>/tmp/backup/<label>__<jobId>/`. */
  readonly dataDir: string;
}

/** BackupSteps plus what the engine needs at shutdown. */
export interface BackupStepsHandle extends BackupSteps {
  /** Release every version pin still held (engine close; jobs resume from PENDING and pin again). */
  releasePins(): void;
  /** The local working dir of a job (tests, tools). */
  jobDir(job: Pick<JobRow, 'id' | 'label'>): string;
}

/** Local file names of SAVE_META (the remote names get `.<md5>`). */
const META_FILE = '__meta';
const INFO_FILE_PREFIX = '__info_';

interface HeldPin {
  readonly jobId: number;
  readonly pin: VersionPin;
  /** `tabletId@backendId` of targets not yet snapshotted. */
  readonly remaining: Set<string>;
}

const targetKey = (t: Pick<SnapshotTarget, 'tabletId' | 'backendId'>): string => `${t.tabletId}@${t.backendId}`;

/** A backup job's shared snapshot directory id on each backend: owned by the job, named after it. */
export function backupSnapshotId(jobId: number): string {
  return `backup-${jobId}`;
}

/**
 * BACKUP over the table store and a repository. Consistency comes from the store: PENDING pins every selected
 * partition's visible version in one catalog transaction (stronger than StarRocks' per-partition read), snapshots
 * hard-link exactly those versions, and the pin is dropped as soon as the last tablet is linked — so loads keep
 * committing during the whole backup and garbage collection is held back only for the seconds linking takes.
 */
export function createBackupSteps(options: BackupStepsOptions): BackupStepsHandle {
  const { store, repositories, catalog, clock, dataDir } = options;
  const logger = options.logger.child({ component: 'backup' });
  const pinsByJob = new Map<number, HeldPin>();
  const pinsByTarget = new Map<string, HeldPin>();
  // What an incremental job's snapshot step read and linked (backup-linking.ts).
  const linking = new IncrementalLinking(async (job, signal) => readRepositoryIndex(await repositories.get(job.repoName), { signal, cacheInfo: true }));
  const root = path.join(dataDir, 'tmp', 'backup');
  const local = { catalog, store, dataDir, logger };

  const jobDir = (job: Pick<JobRow, 'id' | 'label'>): string => path.join(root, `${job.label}__${job.id}`);
  const infoFileName = (job: JobRow): string => INFO_FILE_PREFIX + jobInfoTimestamp(job.createTime);

  function releasePin(held: HeldPin): void {
    held.pin.release();
    if (pinsByJob.get(held.jobId) === held) pinsByJob.delete(held.jobId);
    for (const [k, v] of pinsByTarget) if (v === held) pinsByTarget.delete(k);
  }

  /** A target's files are linked: drop the job's pin once every target is. */
  function snapshotted(target: SnapshotTarget): void {
    const held = pinsByTarget.get(targetKey(target));
    if (held === undefined) return;
    held.remaining.delete(targetKey(target));
    pinsByTarget.delete(targetKey(target));
    if (held.remaining.size === 0) releasePin(held);
  }

  function releaseJobPin(jobId: number): void {
    const held = pinsByJob.get(jobId);
    if (held !== undefined) releasePin(held);
  }

  return {
    jobDir,

    releasePins() {
      for (const held of [...pinsByJob.values()]) releasePin(held);
    },

    async prepare(job, signal) {
      signal.throwIfAborted();
      releaseJobPin(job.id); // a re-run of PENDING (after a restart) pins afresh
      const resolved = resolveSpec(catalog, job.dbId, job.spec as unknown as BackupSpec);
      const pin = store.pinVersions(partitionIdsOf(resolved));
      let plan: { targets: SnapshotTarget[]; meta: PlanMeta };
      try {
        // One read transaction for a query per tablet (each would otherwise take its own read lock).
        plan = catalog.db.transaction(() => buildPlan(catalog, resolved, pin.versions)).deferred();
      } catch (error) {
        pin.release();
        throw error;
      }
      const held: HeldPin = { jobId: job.id, pin, remaining: new Set(plan.targets.map(targetKey)) };
      if (held.remaining.size === 0) pin.release();
      else {
        pinsByJob.set(job.id, held);
        for (const k of held.remaining) pinsByTarget.set(k, held);
      }
      logger.info({ jobId: job.id, tablets: plan.targets.length, tables: plan.meta.tables.length }, 'backup planned');
      return { targets: plan.targets, meta: plan.meta as unknown as JsonValue };
    },

    async snapshot(target, signal) {
      signal.throwIfAborted();
      const snap = await store.makeSnapshot(target.replicaId, target.version);
      let stats;
      try {
        // The manifest (rows and md5 of every file, recorded when each was written) is what restore verifies
        // against: reading it costs one small header file, not a scan of the tablet.
        const header = await readSnapshotHeader(path.join(snap.dir, `${target.tabletId}.hdr`));
        stats = manifestStats(header.rowsets);
      } catch (error) {
        await store.releaseSnapshot(snap.dir);
        throw error;
      }
      snapshotted(target);
      const result: BackupLocalSnapshot = { dir: snap.dir, files: snap.files, stats };
      return result;
    },

    async selectUploads(job, tablets, signal) {
      const index = await linking.takeIndex(job);
      return selectUploads({ catalog, logger }, await repositories.get(job.repoName), job, tablets, signal, index);
    },

    async snapshotMany(job, targets, signal) {
      signal.throwIfAborted();
      // Incremental: a tablet whose every file the repository already holds is not linked at all (backup-linking.ts).
      const linkIf = await linking.linkIf(job, signal);
      const snaps: SharedSnapshot[] = await store.makeSnapshots(
        targets.map((t) => ({ replicaId: t.replicaId, version: t.version })),
        { snapshotId: backupSnapshotId(job.id), signal, ...(linkIf === undefined ? {} : { linkIf }) },
      );
      for (const t of targets) snapshotted(t);
      const linked = linking.record(job, snaps, linkIf !== undefined);
      if (linkIf !== undefined) logger.info({ jobId: job.id, tablets: snaps.length, linked }, 'incremental backup: unchanged tablets are referenced, not linked');
      // The manifest (rows and md5 of every file, recorded when each was written) is what restore verifies against;
      // the header it comes from was just written, so it is taken from memory.
      return snaps.map((snap): BackupLocalSnapshot => ({
        dir: snap.dir,
        files: snap.files,
        stats: manifestStats(snap.header.rowsets),
        ...(snap.linked ? {} : { linked: false as const }),
      }));
    },

    async syncSnapshots(job) {
      await linking.makeDurable(job, dataDir);
    },

    async discardSnapshots(job) {
      const ops: FsOp[] = store.backends.map((b) => ({ op: 'rmrf', path: store.sharedSnapshotDir(b.id, backupSnapshotId(job.id)) }));
      for (const r of await fsPool().run(ops)) unwrap(r);
    },

    async upload(job, tablets, io) {
      const repo = await repositories.get(job.repoName);
      const items: PutItem[] = [];
      const owners: { tabletId: number; name: string }[] = [];
      // What is already stored under this label: only when something may be (a resumed job, a retry) — a new
      // label's first attempt skips the listing. One recursive listing of the snapshot, not one per tablet.
      const stored = io.mayExist === false ? null : await storedFiles(repo, job.label, io.signal);
      let skipped = 0;
      for (const t of tablets) {
        io.signal.throwIfAborted();
        const pending = io.pending.get(t.target.tabletId) ?? [];
        if (pending.length === 0) continue;
        const ids: TabletIds = {
          dbId: job.dbId,
          tableId: t.target.tableId,
          partitionId: t.target.partitionId,
          indexId: t.target.indexId,
          tabletId: t.target.tabletId,
        };
        const remote = stored?.get(t.target.tabletId) ?? [];
        for (const file of pending) {
          // StarRocks' resume rule: a remote file with the same name and md5 (and size) is already there — do not
          // send it again.
          if (remote.some((r) => r.fileName === file.name && r.md5 === file.md5 && r.size === file.size)) {
            skipped++;
            io.fileDone(t.target.tabletId, file.name);
            continue;
          }
          // A variant with another md5 (an older attempt's file) or a `.part` would make `<file>*` lookups ambiguous.
          for (const stale of remote.filter((r) => r.storedName.startsWith(`${file.name}.`))) {
            await repo.deleteFile(`${tabletDir(job.label, ids)}/${stale.storedName}`, io.signal);
          }
          // A header was written by the snapshot and is removed from it once uploaded: the repository may take it by
          // a hard link. Segment files are copied: a link would share the table's own file with the repository,
          // and a repository file changed in place must never change a table.
          const link = file.name.endsWith('.hdr');
          items.push({ localPath: path.join(t.snapshot.dir, file.name), key: tabletFileKey(job.label, ids, file.name), md5: file.md5, size: file.size, link });
          owners.push({ tabletId: t.target.tabletId, name: file.name });
        }
      }
      if (skipped > 0) logger.info({ jobId: job.id, skipped }, 'files already in the repository were not sent again');
      let reported = 0;
      // Each file is reported once the whole batch is durable in the repository.
      await repo.uploadFiles(items, {
        signal: io.signal,
        mayExist: io.mayExist !== false,
        onBytes: (bytes) => {
          if (bytes > reported) io.addBytes(bytes - reported);
          reported = Math.max(reported, bytes);
        },
        onFile: (i) => {
          const o = owners[i];
          if (o !== undefined) io.fileDone(o.tabletId, o.name);
        },
      });
    },

    async saveMeta(job, plan, snapshots) {
      const meta = plan.meta as unknown as PlanMeta;
      const dir = jobDir(job);
      await fsp.mkdir(dir, { recursive: true });
      // Incremental backups: references checked again (a fresh copy uploaded where one is gone) before they are recorded.
      const reuse = await finalizeReferences({ catalog, logger }, await repositories.get(job.repoName), job, snapshots, new AbortController().signal);
      const finishedTime = clock.now();
      const info = buildJobInfo(job.label, job.createTime, finishedTime, meta, snapshots, {
        backupType: isIncrementalBackup(job) ? 'incremental' : 'full',
        ...(reuse === null ? {} : { references: reuse.references, reusedBytes: reuse.reusedBytes }),
        ...snapshotTtlOf(job, finishedTime),
      });
      const clusterId = await clusterIdOf(dataDir);
      await writeDurable(path.join(dir, META_FILE), serializeBackupMeta(meta.meta));
      await writeDurable(path.join(dir, infoFileName(job)), serializeBackupJobInfo(info, clusterId));
    },

    async uploadInfo(job, signal) {
      const repo = await repositories.get(job.repoName);
      const dir = jobDir(job);
      const metaBytes = await fsp.readFile(path.join(dir, META_FILE));
      const infoBytes = await fsp.readFile(path.join(dir, infoFileName(job)));
      await checkLabelStillOurs(repo, job, metaBytes, infoBytes, signal);
      // Meta first, info last: SHOW SNAPSHOT and RESTORE only see a snapshot once its info file exists.
      await repo.uploadBytes(metaBytes, metaKey(job.label), { signal });
      await repo.uploadBytes(infoBytes, jobInfoKey(job.label, jobInfoTimestamp(job.createTime)), { signal });
      if (listLocalSnapshots(catalog, { jobId: job.id }).length > 0) {
        // Kept for a local restore: the meta and info files go beside the kept rows, then older backups are pruned.
        const kept = keptMetaDir(dataDir, job.id);
        await fsp.rm(kept, { recursive: true, force: true });
        await fsp.mkdir(path.dirname(kept), { recursive: true });
        await fsp.rename(dir, kept);
        try {
          await keepAndPrune(local, job, readSettings(repositories.settings(job.repoName)).keepLocalSnapshots);
        } catch (error) {
          // The snapshot is published; pruning is retried after the next backup (and at open for dropped tables).
          logger.warn({ err: error, jobId: job.id }, 'could not prune kept local snapshots');
        }
      } else {
        await fsp.rm(dir, { recursive: true, force: true });
      }
      logger.info({ jobId: job.id, label: job.label, repository: job.repoName }, 'snapshot is visible in the repository');
    },

    async keepLocal(job, snapshots) {
      const keep = readSettings(repositories.settings(job.repoName)).keepLocalSnapshots;
      if (keep <= 0) return false;
      return recordPending(local, job, jobInfoTimestamp(job.createTime), snapshots, clock.now()) > 0 || snapshots.length === 0;
    },

    async release(snapshots: readonly LocalSnapshot[]) {
      // Many snapshots share one directory: release each directory once. An unlinked one's dir is the live tablet's.
      for (const dir of new Set(snapshots.filter(isLinkedSnapshot).map((s) => s.dir))) await store.releaseSnapshot(dir);
    },

    async snapshotExists(snapshot) {
      // Nothing local was kept for it: the repository holds its content (selectUploads and SAVE_META check that).
      if (!isLinkedSnapshot(snapshot)) return true;
      const results = await fsPool().run(snapshot.files.map((f) => ({ op: 'stat', path: path.join(snapshot.dir, f.name) })));
      return snapshot.files.every((f, i) => {
        const st = results[i]?.ok === true ? (results[i] as { value: { size: number } | null }).value : null;
        return st !== null && st.size === f.size;
      });
    },

    async savedMetaExists(job) {
      const dir = jobDir(job);
      for (const name of [META_FILE, infoFileName(job)]) {
        if ((await fsp.stat(path.join(dir, name)).catch(() => null)) === null) return false;
      }
      return true;
    },

    async discard(job) {
      releaseJobPin(job.id);
      linking.forget(job.id);
      await fsp.rm(jobDir(job), { recursive: true, force: true });
      await discardPending(local, job.id);
      // Cancelled before anything was uploaded: the label is free again (with files there, the marker stays).
      const token = reservationOf(job);
      if (token === null) return;
      try {
        const repo = await repositories.get(job.repoName);
        if (await repo.releaseReservation(job.label, token)) logger.info({ jobId: job.id, label: job.label }, 'label reservation released');
      } catch (error) {
        logger.warn({ err: error, jobId: job.id, label: job.label }, 'could not release the label reservation; DROP SNAPSHOT … FORCE frees the label');
      }
    },
  };
}

/** The files stored under a label, by tablet id (one recursive listing). */
async function storedFiles(repo: Repository, label: string, signal: AbortSignal): Promise<Map<number, RemoteTabletFile[]>> {
  const byTablet = new Map<number, RemoteTabletFile[]>();
  for (const f of await repo.listSnapshotFiles(label, signal)) {
    const list = byTablet.get(f.ids.tabletId);
    if (list === undefined) byTablet.set(f.ids.tabletId, [f]);
    else list.push(f);
  }
  return byTablet;
}

/** The job's label reservation token (null for a job from before reservations). */
function reservationOf(job: JobRow): string | null {
  const token = (job.spec as Partial<BackupSpec> | null)?.reservation;
  return typeof token === 'string' ? token : null;
}

/**
 * Right before the meta and info files go up: delete temp files interrupted uploads left in the label's directory,
 * then make sure the label is still this job's — its marker there, no other backup's info or meta. A conflict is
 * final (retrying cannot fix it): the job is cancelled and nothing is published.
 */
async function checkLabelStillOurs(repo: Repository, job: JobRow, metaBytes: Buffer, infoBytes: Buffer, signal: AbortSignal): Promise<void> {
  await repo.sweepTempFiles(job.label, signal);
  const mine = {
    meta: baseNameOf(checksummedKey(metaKey(job.label), md5Hex(metaBytes))),
    info: baseNameOf(checksummedKey(jobInfoKey(job.label, jobInfoTimestamp(job.createTime)), md5Hex(infoBytes))),
  };
  try {
    await repo.verifyReservation(job.label, reservationOf(job), mine, signal);
  } catch (error) {
    if (isLabelConflict(error)) throw new JobStatusError('COMMON_ERROR', error.message, { cause: error, final: true });
    throw error;
  }
}

async function writeDurable(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp`;
  const handle = await fsp.open(tmp, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fsp.rename(tmp, file);
}
