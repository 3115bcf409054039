import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Catalog } from '../../src/catalog/catalog.ts';
import { MIGRATIONS } from '../../src/catalog/migrations/index.ts';
import { migration0003 } from '../../src/catalog/migrations/0003-jobs.ts';
import { runMigrations } from '../../src/catalog/migrations/run-migrations.ts';
import { getJob } from '../../src/catalog/jobs-read.ts';
import type { JobRow } from '../../src/catalog/jobs-types.ts';
import { BrokerError } from '../../src/brokers/broker.ts';
import { createLogger } from '../../src/logging/logger.ts';
import type { Clock } from '../../src/util/clock.ts';
import { backupDriver } from '../../src/jobs/backup-job.ts';
import { restoreDriver } from '../../src/jobs/restore-job.ts';
import { JobScheduler, type SchedulerOptions } from '../../src/jobs/scheduler.ts';
import type {
  BackupSteps,
  FileEntry,
  LocalSnapshot,
  RestoreSteps,
  RestoreTarget,
  SnapshotTarget,
} from '../../src/jobs/steps.ts';

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tv-jobs-'));
}

/**
 * A real SQLite catalog file with the jobs schema. Until migration 0002 lands (0003 cannot be registered before it),
 * 0003 is applied by hand after the registered ones; once the registry holds it, runMigrations does it all.
 */
export function openJobsCatalog(file: string, clock: Clock): Catalog {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  runMigrations(db);
  const hasJobs = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'jobs'").get() !== undefined;
  if (!MIGRATIONS.some((m) => m.id === 3) && !hasJobs) db.transaction(() => migration0003.up(db))();
  return new Catalog(db, clock);
}

interface Gate {
  readonly kind: 'snapshot' | 'transfer';
  readonly jobId: number;
  readonly what: string;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Backends' disks and a repository, in memory, surviving "restarts" of the scheduler. In gated mode every snapshot
 * and every file transfer waits until the test finishes or fails it, so a test decides the interleaving.
 */
export class FakeWorld {
  gated: boolean;
  /** Live local snapshot dirs. */
  readonly dirs = new Set<string>();
  /** Completed transfers per `${jobId}/${tablet}/${file}`. */
  readonly transfers = new Map<string, number>();
  readonly savedMeta = new Set<number>();
  readonly infos = new Set<number>();
  readonly invisible = new Set<number>();
  readonly published = new Set<number>();
  readonly violations: string[] = [];
  readonly gates: Gate[] = [];
  /** uploadInfo fails this many more times (transient). */
  infoFailures = 0;
  tabletsPerJob = 3;
  filesPerTablet = 2;
  #counter = 0;
  #activeByDb = new Map<number, number>();
  /** Reads the catalog's current row; reset on every reopen. */
  jobRow: (id: number) => JobRow | null = () => null;
  /** Set by publish: whether it ran inside a transaction. */
  publishedInTransaction: boolean[] = [];
  inTransaction: () => boolean = () => false;

  constructor(gated: boolean) {
    this.gated = gated;
  }

  /**
   * The disks as they are now, for a simulated crash: the copy goes on with the process that recovers, while the
   * abandoned one keeps mutating this one. Gates (work in flight) belong to the abandoned process.
   */
  clone(): FakeWorld {
    const w = new FakeWorld(this.gated);
    for (const d of this.dirs) w.dirs.add(d);
    for (const [k, v] of this.transfers) w.transfers.set(k, v);
    for (const [from, to] of [[this.savedMeta, w.savedMeta], [this.infos, w.infos], [this.invisible, w.invisible], [this.published, w.published]] as const) {
      for (const x of from) to.add(x);
    }
    w.infoFailures = this.infoFailures;
    w.tabletsPerJob = this.tabletsPerJob;
    w.filesPerTablet = this.filesPerTablet;
    w.#counter = this.#counter + 1_000_000;
    return w;
  }

  /** Checks "never two jobs of one database at once" every time a job does anything. */
  touch(job: JobRow): void {
    const other = this.#activeByDb.get(job.dbId);
    if (other !== undefined && other !== job.id) {
      const row = this.jobRow(other);
      if (row !== null && !row.done) this.violations.push(`jobs ${other} and ${job.id} of db ${job.dbId} both active`);
    }
    this.#activeByDb.set(job.dbId, job.id);
    const now = this.jobRow(job.id);
    if (now !== null && now.done) this.violations.push(`job ${job.id} works after it is ${now.state}`);
  }

  async gate(kind: Gate['kind'], jobId: number, what: string, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (!this.gated) return;
    await new Promise<void>((resolve, reject) => {
      const gate: Gate = {
        kind,
        jobId,
        what,
        resolve: () => (signal.removeEventListener('abort', onAbort), resolve()),
        reject: (e) => (signal.removeEventListener('abort', onAbort), reject(e)),
      };
      const onAbort = (): void => {
        const i = this.gates.indexOf(gate);
        if (i >= 0) this.gates.splice(i, 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.gates.push(gate);
    });
  }

  /** Let gate `i` (mod count) pass, or fail it. Returns false when no gate is waiting. */
  release(i: number, outcome: 'ok' | 'transient' | 'permanent' = 'ok'): boolean {
    if (this.gates.length === 0) return false;
    const [gate] = this.gates.splice(i % this.gates.length, 1);
    if (gate === undefined) return false;
    if (outcome === 'ok') gate.resolve();
    else if (outcome === 'transient') gate.reject(new BrokerError('UNREACHABLE', `connection reset on ${gate.what}`));
    else gate.reject(new BrokerError('ACCESS_DENIED', `access denied on ${gate.what}`));
    return true;
  }

  openAll(): void {
    this.gated = false;
    for (const g of this.gates.splice(0)) g.resolve();
  }

  files(tabletId: number): FileEntry[] {
    return Array.from({ length: this.filesPerTablet }, (_, i) => ({
      name: `${tabletId}_${i}.dat`,
      size: 1000 * (i + 1),
      md5: `${String(tabletId).padStart(8, '0')}${'0'.repeat(23)}${i}`,
    }));
  }

  #snapshot(backendId: number, tabletId: number, files: FileEntry[]): LocalSnapshot {
    const dir = `/be${backendId}/snapshot/${++this.#counter}/${tabletId}`;
    this.dirs.add(dir);
    return { dir, files };
  }

  #transfer(jobId: number, tabletId: number, name: string): void {
    const key = `${jobId}/${tabletId}/${name}`;
    this.transfers.set(key, (this.transfers.get(key) ?? 0) + 1);
  }

  backupSteps(): BackupSteps {
    return {
      prepare: async (job) => {
        this.touch(job);
        const targets: SnapshotTarget[] = Array.from({ length: this.tabletsPerJob }, (_, i) => ({
          backendId: (i % 3) + 1,
          tabletId: job.id * 100 + i,
          replicaId: job.id * 100 + 50 + i,
          version: 2,
          tableId: 1,
          partitionId: 2,
          indexId: 3,
        }));
        return { targets, meta: { tables: ['t'] } };
      },
      snapshot: async (target, signal) => {
        const job = Math.floor(target.tabletId / 100);
        await this.gate('snapshot', job, `snapshot ${target.tabletId}`, signal);
        const row = this.jobRow(job);
        if (row !== null) this.touch(row);
        return this.#snapshot(target.backendId, target.tabletId, this.files(target.tabletId));
      },
      upload: async (job, tablets, io) => {
        this.touch(job);
        for (const t of tablets) {
          if (!this.dirs.has(t.snapshot.dir)) throw new Error(`snapshot path is not directory: ${t.snapshot.dir}`);
          for (const f of io.pending.get(t.target.tabletId) ?? []) {
            await this.gate('transfer', job.id, `upload ${t.target.tabletId}/${f.name}`, io.signal);
            io.addBytes(f.size);
            this.#transfer(job.id, t.target.tabletId, f.name);
            io.fileDone(t.target.tabletId, f.name);
          }
        }
      },
      saveMeta: async (job, plan, snapshots) => {
        this.touch(job);
        if (snapshots.length !== plan.targets.length) this.violations.push(`job ${job.id} saved meta of a partial set`);
        this.savedMeta.add(job.id);
      },
      uploadInfo: async (job) => {
        this.touch(job);
        if (this.infoFailures > 0) {
          this.infoFailures--;
          throw new BrokerError('UNREACHABLE', 'repository unreachable');
        }
        this.infos.add(job.id);
      },
      release: async (snapshots) => {
        for (const s of snapshots) this.dirs.delete(s.dir);
      },
      snapshotExists: async (s) => this.dirs.has(s.dir),
      savedMetaExists: async (job) => this.savedMeta.has(job.id),
      discard: async (job) => {
        this.savedMeta.delete(job.id);
      },
    };
  }

  restoreSteps(): RestoreSteps {
    return {
      prepare: async (job) => {
        this.touch(job);
        this.invisible.add(job.id);
        const targets: RestoreTarget[] = Array.from({ length: this.tabletsPerJob }, (_, i) => ({
          backendId: (i % 3) + 1,
          tabletId: job.id * 100 + i,
          replicaId: job.id * 100 + 50 + i,
          remoteTabletId: 9000 + i,
          remoteDir: `__ss_${job.label}/__ss_content/__db_1/__tbl_1/__part_2/__idx_3/__${9000 + i}`,
          version: 5,
          files: this.files(job.id * 100 + i),
        }));
        return { targets, meta: { created: ['t'] } };
      },
      snapshot: async (target, signal) => {
        const job = Math.floor(target.tabletId / 100);
        await this.gate('snapshot', job, `restore snapshot ${target.tabletId}`, signal);
        return this.#snapshot(target.backendId, target.tabletId, []);
      },
      download: async (job, tablets, io) => {
        this.touch(job);
        for (const t of tablets) {
          if (!this.dirs.has(t.snapshot.dir)) throw new Error(`snapshot path is not directory: ${t.snapshot.dir}`);
          for (const f of io.pending.get(t.target.tabletId) ?? []) {
            await this.gate('transfer', job.id, `download ${t.target.tabletId}/${f.name}`, io.signal);
            io.addBytes(f.size);
            this.#transfer(job.id, t.target.tabletId, f.name);
            io.fileDone(t.target.tabletId, f.name);
          }
        }
      },
      move: async (job, _target, snapshot) => {
        this.touch(job);
        if (!this.dirs.has(snapshot.dir)) throw new Error(`path does not match. snapshot: ${snapshot.dir}`);
      },
      publish: (job) => {
        this.publishedInTransaction.push(this.inTransaction());
        this.invisible.delete(job.id);
        this.published.add(job.id);
      },
      rollback: async (job) => {
        this.invisible.delete(job.id);
      },
      release: async (snapshots) => {
        for (const s of snapshots) this.dirs.delete(s.dir);
      },
      snapshotExists: async (s) => this.dirs.has(s.dir),
    };
  }
}

export interface Harness {
  catalog: Catalog;
  scheduler: JobScheduler;
}

/** Open the catalog at `file` and a scheduler running BACKUP and RESTORE against `world`. */
export function openHarness(
  file: string,
  clock: Clock,
  world: FakeWorld,
  options: Partial<SchedulerOptions> = {},
): Harness {
  const catalog = openJobsCatalog(file, clock);
  world.jobRow = (id) => (catalog.db.open ? getJob(catalog, id) : null);
  world.inTransaction = () => catalog.db.inTransaction;
  let next = 10001;
  const maxId = (catalog.db.prepare('SELECT MAX(id) AS m FROM jobs').get() as { m: number | null }).m;
  if (maxId !== null) next = maxId + 1;
  const scheduler = new JobScheduler({
    catalog,
    clock,
    logger: createLogger({ level: 'silent' }),
    drivers: [backupDriver(world.backupSteps(), { maxUploadTasksPerBackend: 1 }), restoreDriver(world.restoreSteps())],
    workers: { concurrency: 2, retry: { maxAttempts: 3, baseDelayMs: 0 } },
    retryDelayMs: 1000,
    nextId: () => next++,
    ...options,
  });
  return { catalog, scheduler };
}

/** Let every microtask, immediate and task that is not waiting on a gate run to quiescence. */
export async function settle(scheduler: JobScheduler, world: FakeWorld): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    await new Promise((r) => setImmediate(r));
    const a = scheduler.activity;
    if (a.loops === 0 && a.tasks === world.gates.length + a.queued) {
      // Twice in a row, so a completion scheduled by the last immediate is seen.
      await new Promise((r) => setImmediate(r));
      const b = scheduler.activity;
      if (b.loops === 0 && b.tasks === world.gates.length + b.queued) return;
    }
  }
  throw new Error(`did not settle: ${JSON.stringify(scheduler.activity)} gates=${world.gates.length}`);
}
