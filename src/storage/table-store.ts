/**
 * TableStore: the storage facade the SQL executor and the jobs layer call. It owns the catalog connection and the
 * backend directories, hands out LoadWriters and scans, makes and releases snapshots, and runs garbage
 * collection of dropped and superseded files once no reader holds them.
 *
 *   const store = await TableStore.open(dataDir, { backends: 3 });
 *   const db = createDatabase(store.catalog, 'd1');
 *   const t = createTable(store.catalog, { dbId: db.id, name: 't', columns, distribution, replicationNum: 3 });
 *   const load = store.beginLoad(t.id);
 *   await load.write(partitionId, rows);
 *   await load.commit();
 *   for await (const batch of store.scan(t.id)) …
 *   await store.close();
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { openCatalog, type Catalog } from '../catalog/catalog.ts';
import type { BackendMeta, TableMeta } from '../catalog/model.ts';
import { backendDataBytes } from '../catalog/ops/backend-data-bytes.ts';
import { collectSuperseded } from '../catalog/ops/collect-superseded.ts';
import { dropDatabase } from '../catalog/ops/drop-database.ts';
import { dropPartition } from '../catalog/ops/drop-partition.ts';
import { dropTable } from '../catalog/ops/drop-table.ts';
import { ensureBackends } from '../catalog/ops/ensure-backends.ts';
import { getTable } from '../catalog/ops/get-table.ts';
import { listPartitions } from '../catalog/ops/list-partitions.ts';
import { listTablets } from '../catalog/ops/list-tablets.ts';
import { listTrash } from '../catalog/ops/list-trash.ts';
import { readVisibleVersions } from '../catalog/ops/read-visible-versions.ts';
import { removeTrash } from '../catalog/ops/remove-trash.ts';
import { truncatePartitions } from '../catalog/ops/truncate-partitions.ts';
import { ddlError, sqlError } from '../errors/index.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import { systemClock, type Clock } from '../util/clock.ts';
import type { StoreContext } from './context.ts';
import { CATALOG_FILE, DATA_DIR, SNAPSHOT_DIR, TMP_DIR } from './layout.ts';
import { fillContentHashes } from './content-hash-fill.ts';
import { LoadWriter, type LoadOptions } from './load-writer.ts';
import { readTablet, resolveTabletRead, type RowBatch, type ScanOptions, type TabletRead } from './scan.ts';
import { establishIdentity, type DataDirIdentity } from './identity.ts';
import {
  listSnapshotDirs, makeSnapshot, makeSnapshots, releaseSnapshot, type MakeSnapshotsOptions, type SharedSnapshot, type SnapshotDir, type SnapshotRequest,
  type TabletSnapshot,
} from './snapshot.ts';
import { sweepOrphans, type SweepReport } from './sweep.ts';
import { setReplicationNum } from './replication.ts';

/** A backend as the store uses it: the catalog's row plus its absolute directory. */
export interface StoreBackend extends BackendMeta {
  /** Absolute directory: `<dataDir>/<path>`. */
  readonly dir: string;
}

export interface TableStoreOptions {
  /** Backends to create on first open (default 3); later opens use the catalog's list. */
  readonly backends?: number;
  /** Root logger (a child `{ component: 'storage' }` is used). */
  readonly logger?: Logger;
  /** Time source. */
  readonly clock?: Clock;
  /**
   * Runs when this open finds the data dir is a copy of another (before it takes its own identity): reset
   * per-instance state kept outside the catalog. See identity.ts.
   */
  readonly onCopy?: (dataDir: string) => Promise<void>;
}

export interface TableScanOptions extends ScanOptions {
  /** Partitions to read (after pruning); default every visible partition. */
  readonly partitionIds?: readonly number[];
  /** Version per partition (default: the visible versions, read in one transaction when the scan starts). */
  readonly versions?: ReadonlyMap<number, number>;
  /**
   * The schema version the caller laid its columns out for: the scan fails instead of returning rows of another
   * schema when a schema change landed between the caller reading the table and the scan starting.
   */
  readonly schemaVersion?: number;
}

/** Visible versions pinned: until `release()`, files of these versions are not collected. */
export interface VersionPin {
  /** Visible version of each requested partition, read in one transaction. */
  readonly versions: ReadonlyMap<number, number>;
  /** Let garbage collection proceed. Idempotent. */
  release(): void;
}

export class TableStore {
  /** The catalog (pass it to the ops in src/catalog). */
  readonly catalog: Catalog;
  /** The data directory. */
  readonly dataDir: string;
  /** Time source. */
  readonly clock: Clock;
  #sweep: SweepReport = { tempFiles: 0, orphanFiles: 0, orphanTabletDirs: 0, foreignEntries: 0 };
  readonly #backends: readonly StoreBackend[];
  readonly #identity: DataDirIdentity;
  readonly #ctx: StoreContext;
  readonly #logger: Logger;
  #holds = 0;
  #gcWanted = false;
  #gcChain: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(
    dataDir: string,
    catalog: Catalog,
    backends: readonly StoreBackend[],
    identity: DataDirIdentity,
    logger: Logger,
    clock: Clock,
  ) {
    this.dataDir = dataDir;
    this.catalog = catalog;
    this.clock = clock;
    this.#backends = backends;
    this.#identity = identity;
    this.#logger = logger;
    this.#ctx = {
      catalog,
      root: dataDir,
      identity: identity.id,
      backendDirs: new Map(backends.map((b) => [b.id, b.dir])),
      logger,
      hold: () => this.#hold(),
      requestGc: () => this.#requestGc(),
    };
  }

  /** What the open-time sweep removed. */
  get sweep(): SweepReport {
    return this.#sweep;
  }

  /**
   * Open (or create) a data dir: catalog `<dataDir>/catalog.sqlite` (migrated), backends `be1…beN` (located
   * relative to the data dir), its identity established (a moved data dir rewrites stored paths, a copy takes a new
   * identity: identity.ts), then pending deletions are finished and orphans swept (see sweep.ts for why only here).
   */
  static async open(dataDir: string, options: TableStoreOptions = {}): Promise<TableStore> {
    const root = path.resolve(dataDir);
    await fsp.mkdir(root, { recursive: true });
    const logger = (options.logger ?? createLogger()).child({ component: 'storage' });
    const clock = options.clock ?? systemClock;
    const catalog = openCatalog(path.join(root, CATALOG_FILE), { clock });
    try {
      const backends = ensureBackends(catalog, options.backends ?? 3).map((b) => ({ ...b, dir: backendPath(root, b) }));
      for (const b of backends) {
        for (const sub of [DATA_DIR, SNAPSHOT_DIR, TMP_DIR]) await fsp.mkdir(path.join(b.dir, sub), { recursive: true });
      }
      const identity = await establishIdentity(catalog, root, backends, logger, options.onCopy);
      const store = new TableStore(root, catalog, backends, identity, logger, clock);
      await store.collectGarbage();
      store.#sweep = await sweepOrphans(store.#ctx);
      return store;
    } catch (error) {
      catalog.close();
      throw error;
    }
  }

  /** The backends, by id, with their absolute directories. */
  get backends(): readonly StoreBackend[] {
    return this.#backends;
  }

  /** Who this data dir is, and whether this open found it moved or copied. */
  get identity(): DataDirIdentity {
    return this.#identity;
  }

  /** Bytes of the segment files each backend holds (every rowset of every replica on it, as the catalog records). */
  dataBytesByBackend(): ReadonlyMap<number, number> {
    return backendDataBytes(this.catalog);
  }

  /**
   * Start a load into a table (INSERT; or DELETE/TRUNCATE rewrites with `replacePartitionIds`). `schema` writes the
   * files under a given schema of the table instead of its current one (a schema change rewriting its data, which
   * publishes that schema in `inCommit`).
   */
  beginLoad(tableId: number, options: LoadOptions & { readonly schema?: TableMeta } = {}): LoadWriter {
    const current = getTable(this.catalog, { id: tableId });
    if (current === undefined) throw sqlError('ER_BAD_TABLE_ERROR', `Unknown table id ${tableId}`);
    const table = options.schema ?? current;
    if (table.id !== tableId) throw new Error(`storage: schema of table ${table.id} given for a load into ${tableId}`);
    if (current.state !== 'NORMAL') {
      throw ddlError(`Table [${current.name}]'s state is ${current.state}, not NORMAL. Do not allow doing load.`);
    }
    return new LoadWriter(this.#ctx, table, options);
  }

  /**
   * Read a table: every tablet of the chosen partitions at the chosen versions, merged by key model. Batches come
   * tablet by tablet, partitions in id order. Partitions, versions, rowsets and replicas are all resolved in one
   * catalog read when iteration starts, and their files held until it ends: a commit that lands meanwhile — a load,
   * or a RESTORE publishing over this table — is seen wholly or not at all.
   */
  async *scan(tableId: number, options: TableScanOptions = {}): AsyncGenerator<RowBatch, void, void> {
    const release = this.#hold();
    try {
      const { table, reads } = this.#resolveScan(tableId, options);
      for (const read of reads) yield* readTablet(this.#ctx, table, read, options);
    } finally {
      release();
    }
  }

  /** Read one tablet at a version (default: its partition's visible version), resolved in one catalog read. */
  async *scanTablet(tabletId: number, options: ScanOptions & { readonly version?: number } = {}): AsyncGenerator<RowBatch, void, void> {
    const release = this.#hold();
    try {
      const { table, read } = this.catalog.db.transaction(() => {
        const row = this.catalog
          .prepare<[number], { partition_id: number; table_id: number; visible_version: number }>(
            `SELECT t.partition_id, p.table_id, p.visible_version FROM tablets t JOIN partitions p ON p.id = t.partition_id
             WHERE t.id = ?`,
          )
          .get(tabletId);
        if (row === undefined) throw sqlError('ER_UNKNOWN_ERROR', `tablet ${tabletId} does not exist`);
        return {
          table: getTable(this.catalog, { id: row.table_id })!,
          read: resolveTabletRead(this.#ctx, row.partition_id, tabletId, options.version ?? row.visible_version),
        };
      }).deferred();
      yield* readTablet(this.#ctx, table, read, options);
    } finally {
      release();
    }
  }

  /** TRUNCATE: new empty version of the partitions (default all); old files are collected when unheld. */
  truncate(tableId: number, partitionIds?: readonly number[]): ReadonlyMap<number, number> {
    const versions = truncatePartitions(this.catalog, tableId, partitionIds);
    this.#requestGc();
    return versions;
  }

  /** DROP TABLE by id; files are deleted once unheld (snapshots keep their links). */
  dropTable(tableId: number): void {
    dropTable(this.catalog, tableId);
    this.#requestGc();
  }

  /** DROP DATABASE by name. Returns false when absent and `ifExists`. */
  dropDatabase(name: string, options: { readonly ifExists?: boolean } = {}): boolean {
    const dropped = dropDatabase(this.catalog, name, options);
    this.#requestGc();
    return dropped;
  }

  /** DROP PARTITION by id. */
  dropPartition(partitionId: number): void {
    dropPartition(this.catalog, partitionId);
    this.#requestGc();
  }

  /**
   * Give every tablet of the partitions exactly `n` replicas: new ones get their files linked before the catalog
   * lists them, removed ones are collected once unheld (replication.ts). The caller holds the table lock.
   */
  async setReplicationNum(partitionIds: readonly number[], n: number): Promise<{ added: number; removed: number }> {
    const release = this.#hold();
    try {
      return await setReplicationNum(this.#ctx, partitionIds, n);
    } finally {
      release();
    }
  }

  /** Read the visible versions of partitions in one transaction and keep their files until released (BACKUP). */
  pinVersions(partitionIds: readonly number[]): VersionPin {
    const release = this.#hold();
    try {
      return { versions: readVisibleVersions(this.catalog, partitionIds), release };
    } catch (error) {
      release();
      throw error;
    }
  }

  /** Hard-link a replica's tablet at `version` into `<backend>/snapshot/<snapshotId>/<tabletId>/` (+ header). */
  async makeSnapshot(replicaId: number, version: number, options: { readonly snapshotId?: string } = {}): Promise<TabletSnapshot> {
    const release = this.#hold();
    try {
      await fillContentHashes(this.#ctx, [{ replicaId, version }]);
      return await makeSnapshot(this.#ctx, replicaId, version, { ...options, now: this.clock.now() });
    } finally {
      release();
    }
  }

  /**
   * Hard-link many replicas' files into one shared directory per backend, `<backend>/snapshot/<snapshotId>/`, with a
   * header per tablet — one batch off the event loop, nothing fsynced (see snapshot.ts).
   */
  async makeSnapshots(requests: readonly SnapshotRequest[], options: MakeSnapshotsOptions): Promise<SharedSnapshot[]> {
    const release = this.#hold();
    try {
      // Older segments get their content hash once, so the headers written next carry one for every file.
      await fillContentHashes(this.#ctx, requests, options.signal);
      return await makeSnapshots(this.#ctx, requests, options);
    } finally {
      release();
    }
  }

  /** `<backend>/snapshot/<snapshotId>`: a shared snapshot directory (makeSnapshots; a restore's downloads). */
  sharedSnapshotDir(backendId: number, snapshotId: string): string {
    const dir = this.#ctx.backendDirs.get(backendId);
    if (dir === undefined) throw new Error(`storage: unknown backend ${backendId}`);
    return path.join(dir, SNAPSHOT_DIR, snapshotId);
  }

  /** Delete a snapshot tablet directory made by makeSnapshot (or used for a download), or a shared one. */
  releaseSnapshot(dir: string): Promise<void> {
    return releaseSnapshot(this.#ctx, dir);
  }

  /** Every snapshot tablet directory on every backend (the jobs layer releases the ones no live job owns). */
  listSnapshots(): Promise<SnapshotDir[]> {
    return listSnapshotDirs(this.#ctx);
  }

  /** The path of `<backend>/snapshot/<snapshotId>/<tabletId>` (where a restore downloads a tablet's files). */
  snapshotDir(backendId: number, snapshotId: string, tabletId: number): string {
    const dir = this.#ctx.backendDirs.get(backendId);
    if (dir === undefined) throw new Error(`storage: unknown backend ${backendId}`);
    return path.join(dir, SNAPSHOT_DIR, snapshotId, String(tabletId));
  }

  /** Run garbage collection now if nothing is held (else it runs when the last hold is released); awaits it. */
  async collectGarbage(): Promise<void> {
    this.#requestGc();
    await this.#gcChain;
  }

  /** Finish pending collection and close the catalog. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#gcChain;
    this.catalog.close();
  }

  /** Everything a scan reads, in one read transaction (synchronous: nothing else runs in between). */
  #resolveScan(tableId: number, options: TableScanOptions): { table: TableMeta; reads: TabletRead[] } {
    return this.catalog.db.transaction(() => {
      const table = getTable(this.catalog, { id: tableId });
      if (table === undefined) throw sqlError('ER_BAD_TABLE_ERROR', `Unknown table id ${tableId}`);
      if (table.kind !== 'OLAP') throw sqlError('ER_WRONG_OBJECT', `'${table.name}' is a view`);
      if (options.schemaVersion !== undefined && options.schemaVersion !== table.schemaVersion) {
        throw ddlError(`Table ${table.name}'s schema changed while the statement ran (schema version ${options.schemaVersion} → ${table.schemaVersion}); run it again`);
      }
      const partitionIds = options.partitionIds ?? listPartitions(this.catalog, tableId).map((p) => p.id);
      const versions = options.versions ?? readVisibleVersions(this.catalog, partitionIds);
      const reads: TabletRead[] = [];
      for (const partitionId of partitionIds) {
        const version = versions.get(partitionId);
        if (version === undefined) throw new Error(`storage: no version given for partition ${partitionId}`);
        for (const tablet of listTablets(this.catalog, { partitionId })) reads.push(resolveTabletRead(this.#ctx, partitionId, tablet.id, version));
      }
      return { table, reads };
    }).deferred();
  }

  #hold(): () => void {
    this.#holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds--;
      if (this.#holds === 0 && this.#gcWanted) this.#requestGc();
    };
  }

  #requestGc(): void {
    this.#gcWanted = true;
    if (this.#holds > 0 || this.#closed) return;
    this.#gcChain = this.#gcChain.then(
      () => this.#gcOnce(),
      () => this.#gcOnce(),
    ).catch((error: unknown) => this.#logger.error({ err: error }, 'garbage collection failed; retried at next open'));
  }

  async #gcOnce(): Promise<void> {
    if (this.#holds > 0 || !this.#gcWanted || !this.catalog.db.open) return;
    this.#gcWanted = false;
    collectSuperseded(this.catalog);
    const entries = listTrash(this.catalog);
    if (entries.length === 0) return;
    const done: number[] = [];
    for (const entry of entries) {
      const dir = this.#ctx.backendDirs.get(entry.backendId);
      if (dir !== undefined) await fsp.rm(path.join(dir, entry.path), { recursive: true, force: true });
      done.push(entry.id);
    }
    removeTrash(this.catalog, done);
    this.#logger.debug({ deleted: done.length }, 'collected garbage');
  }
}

/** `<root>/<path>` of a backend; a catalog naming a directory outside the data dir is refused, not followed. */
function backendPath(root: string, backend: BackendMeta): string {
  const rel = path.normalize(backend.path);
  if (path.isAbsolute(rel) || rel === '..' || rel.startsWith(`..${path.sep}`) || rel === '.') {
    throw new Error(`catalog: backend ${backend.name} is recorded at '${backend.path}', not inside the data dir ${root}`);
  }
  return path.join(root, rel);
}
