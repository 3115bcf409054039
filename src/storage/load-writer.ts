/**
 * The load path. A LoadWriter takes rows for partitions of one table, routes them to tablets (distribution hash,
 * or round-robin for RANDOM), buffers them column-wise per tablet and cuts segment files when a tablet's buffer is
 * big enough or the writer's memory bound is reached. Each file is written once (temp name → fsync → rename into
 * the first replica's tablet dir) and hard-linked into the other replicas' dirs. `commit()` then registers every
 * rowset and bumps each touched partition's version in ONE catalog transaction.
 *
 * Crash safety: until that transaction commits, the new files are unreferenced; the previous version is what
 * readers see, and the next open's sweep deletes the files. After it commits the load is whole.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { commitLoad, type NewRowset } from '../catalog/ops/commit-load.ts';
import { getTable } from '../catalog/ops/get-table.ts';
import { getPartition } from '../catalog/ops/get-partition.ts';
import { listReplicas } from '../catalog/ops/list-replicas.ts';
import { listTablets } from '../catalog/ops/list-tablets.ts';
import type { SegmentFileMeta, TableMeta } from '../catalog/model.ts';
import type { Row } from '../types/index.ts';
import { sqlError } from '../errors/index.ts';
import { backendDir, type StoreContext } from './context.ts';
import { fsyncDir, linkOrCopy, localWriteError, writeFileDurable } from './fs-util.ts';
import { bucketOf } from './hash.ts';
import { CATALOG_FILE, segmentFileName, tabletDir, TMP_DIR } from './layout.ts';
import { SegmentBuilder } from './segment/segment-writer.ts';
import type { SegmentColumn } from './segment/format.ts';

export interface LoadOptions {
  /**
   * Replace mode (DELETE, TRUNCATE-with-survivors, compaction): each listed partition gets a new version in which
   * every tablet holds exactly the rows written to it now (a base rowset; empty when none). Rows may only be
   * written to these partitions. Absent: append mode (INSERT), rows are added as delta rowsets.
   */
  readonly replacePartitionIds?: readonly number[];
  /** Rows per segment file before it is cut (default 1,048,576). */
  readonly segmentRows?: number;
  /** Encoded bytes per segment file before it is cut (default 64 MiB). */
  readonly segmentBytes?: number;
  /** Bound on buffered bytes across all tablets; the biggest buffer is flushed beyond it (default 256 MiB). */
  readonly memoryLimitBytes?: number;
  /** Aborts the load (files deleted) at the next write/flush/commit. */
  readonly signal?: AbortSignal;
  /**
   * Catalog writes to publish together with the load, inside its commit transaction (a schema change that rewrote
   * files publishes the new schema with them: a crash leaves the old schema and old files, or the new and new).
   */
  readonly inCommit?: () => void;
}

/**
 * A load whose segment files are written and durable but not yet visible (LoadWriter.prepare): publish it — alone, or
 * with other prepared loads inside one catalog durableTransaction, which is how a SQL transaction makes all of its
 * loads visible at once — or abort it, which deletes its files. Until one of them happens the files are referenced by
 * nothing in the catalog, so a crash leaves them to the next open's sweep.
 */
export interface PreparedLoad {
  /** Table being loaded (as it was when the load began). */
  readonly table: TableMeta;
  /** Rows written. */
  readonly rows: number;
  /**
   * Register the rowsets and bump each touched partition's version (synchronous catalog work, itself a durable
   * transaction, nested as a savepoint when called inside one). Throws, without effect, when the table was dropped or
   * its columns changed since the load began; the caller then aborts.
   */
  publish(): LoadResult;
  /** Delete the load's files. Safe to call more than once; a published load is left alone. */
  abort(): Promise<void>;
}

/** What a committed load did. */
export interface LoadResult {
  /** New visible version per touched partition (empty when no rows were written in append mode). */
  readonly versions: ReadonlyMap<number, number>;
  /** Rows written. */
  readonly rows: number;
  /** Segment files written (each present on every replica). */
  readonly files: number;
  /** Bytes written (one replica). */
  readonly bytes: number;
}

interface TabletTarget {
  readonly tabletId: number;
  readonly partitionId: number;
  /** Backend dirs of its replicas, first = where the file is written, the rest get links. */
  readonly replicaDirs: readonly string[];
  builder: SegmentBuilder | null;
  rowsetId: number | null;
  readonly files: SegmentFileMeta[];
}

interface PartitionTarget {
  readonly id: number;
  readonly tablets: readonly TabletTarget[];
  roundRobin: number;
}

export class LoadWriter {
  /** Table being loaded. */
  readonly table: TableMeta;
  readonly #ctx: StoreContext;
  readonly #options: LoadOptions;
  readonly #columns: readonly SegmentColumn[];
  readonly #columnIds: readonly number[];
  readonly #distribution: readonly number[] | null;
  readonly #partitions = new Map<number, PartitionTarget>();
  readonly #tablets = new Map<number, TabletTarget>();
  readonly #created: string[] = [];
  readonly #replace: ReadonlySet<number> | null;
  #state: 'open' | 'prepared' | 'committed' | 'aborted' = 'open';
  #buffered = 0;
  #rows = 0;
  #bytes = 0;
  #fileCount = 0;

  /** Use TableStore.beginLoad. */
  constructor(ctx: StoreContext, table: TableMeta, options: LoadOptions = {}) {
    if (table.kind !== 'OLAP') throw sqlError('ER_WRONG_OBJECT', `'${table.name}' is a view; it cannot be loaded`);
    this.#ctx = ctx;
    this.table = table;
    this.#options = options;
    this.#columns = table.columns.map((c) => ({ name: c.name, type: c.type }));
    // Every file names the stable ids of its columns, so it stays readable after any later schema change.
    this.#columnIds = table.columns.map((c, i) => c.id ?? i + 1);
    this.#replace = options.replacePartitionIds === undefined ? null : new Set(options.replacePartitionIds);
    const d = table.distribution;
    this.#distribution =
      d.kind === 'HASH'
        ? d.columns.map((name) => {
            const i = table.columns.findIndex((c) => c.name === name);
            if (i < 0) throw new Error(`storage: distribution column ${name} is not in table ${table.name}`);
            return i;
          })
        : null;
    for (const id of options.replacePartitionIds ?? []) this.#partition(id);
  }

  /** Rows accepted so far. */
  get rowCount(): number {
    return this.#rows;
  }

  /** Add rows to a partition; they are routed to its tablets. Resolves once memory is back under the bound. */
  async write(partitionId: number, rows: readonly Row[]): Promise<void> {
    this.#checkOpen();
    const partition = this.#partition(partitionId);
    const tablets = partition.tablets;
    const n = tablets.length;
    for (const row of rows) {
      let tablet: TabletTarget;
      if (this.#distribution === null) tablet = tablets[partition.roundRobin++ % n]!;
      else tablet = tablets[bucketOf(row, this.#distribution, n)]!;
      this.#append(tablet, row);
    }
    await this.#afterAppend();
  }

  /** Add rows to one tablet directly (no routing): for rewriting a tablet's surviving rows in replace mode. */
  async writeTablet(tabletId: number, rows: readonly Row[]): Promise<void> {
    this.#checkOpen();
    let tablet = this.#tablets.get(tabletId);
    if (tablet === undefined) {
      const partitionId = this.#ctx.catalog
        .prepare<[number], { partition_id: number }>('SELECT partition_id FROM tablets WHERE id = ?')
        .get(tabletId)?.partition_id;
      if (partitionId === undefined) throw sqlError('ER_UNKNOWN_ERROR', `tablet ${tabletId} does not exist`);
      this.#partition(partitionId);
      tablet = this.#tablets.get(tabletId)!;
    }
    for (const row of rows) this.#append(tablet, row);
    await this.#afterAppend();
  }

  /** Write every buffered row to segment files (durable, not yet visible). */
  async flush(): Promise<void> {
    this.#checkOpen();
    for (const tablet of this.#tablets.values()) await this.#flushTablet(tablet);
  }

  /** Flush, then publish everything in one catalog transaction. On failure the files are deleted and it throws. */
  async commit(): Promise<LoadResult> {
    const prepared = await this.prepare();
    try {
      return prepared.publish();
    } catch (error) {
      await prepared.abort();
      throw error;
    }
  }

  /**
   * Flush and make every file durable (their directories fsynced), without publishing: the deferred half of commit(),
   * for a load inside a SQL transaction. On failure the files are deleted and it throws.
   */
  async prepare(): Promise<PreparedLoad> {
    try {
      await this.flush();
      const dirs = new Set<string>();
      const rowsets: NewRowset[] = [];
      for (const t of this.#tablets.values()) {
        if (t.rowsetId === null) continue;
        for (const dir of t.replicaDirs) dirs.add(tabletDir(dir, t.tabletId));
        rowsets.push({ tabletId: t.tabletId, rowsetId: t.rowsetId, kind: this.#replace === null ? 'delta' : 'base', files: t.files });
      }
      if (getTable(this.#ctx.catalog, { id: this.table.id }) === undefined) {
        throw sqlError('ER_BAD_TABLE_ERROR', `Table '${this.table.name}' was dropped during the load`);
      }
      // Renames and links are durable only once their directories are.
      for (const dir of dirs) await fsyncDir(dir);
      this.#checkOpen();
      this.#state = 'prepared';
      return {
        table: this.table,
        rows: this.#rows,
        publish: () => this.#publish(rowsets),
        abort: () => this.#discard(rowsets),
      };
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  #publish(rowsets: readonly NewRowset[]): LoadResult {
    if (this.#state !== 'prepared') throw new Error(`storage: load of ${this.table.name} is ${this.#state}, not prepared`);
    try {
      const versions = this.#ctx.catalog.durableTransaction(() => {
        const now = getTable(this.#ctx.catalog, { id: this.table.id });
        if (now === undefined) throw sqlError('ER_BAD_TABLE_ERROR', `Table '${this.table.name}' was dropped during the load`);
        // A schema-change rewrite loads under the new schema and publishes it in this transaction (inCommit).
        if (this.#options.inCommit === undefined && JSON.stringify(now.columns) !== JSON.stringify(this.table.columns)) {
          throw sqlError('ER_UNKNOWN_ERROR', `Table '${this.table.name}' changed (ALTER TABLE) after the load wrote its data; load it again`);
        }
        const published = commitLoad(this.#ctx.catalog, {
          tableId: this.table.id,
          rowsets,
          ...(this.#replace === null ? {} : { replacePartitionIds: [...this.#replace] }),
        });
        this.#options.inCommit?.();
        return published;
      });
      this.#state = 'committed';
      if (this.#replace !== null) this.#ctx.requestGc();
      return { versions, rows: this.#rows, files: this.#fileCount, bytes: this.#bytes };
    } catch (error) {
      // A catalog that cannot commit (disk full) names the catalog; file errors name their file already (fs-util).
      const code = (error as { code?: unknown } | null)?.code;
      throw typeof code === 'string' && code.startsWith('SQLITE_') ? localWriteError(error, path.join(this.#ctx.root, CATALOG_FILE)) : error;
    }
  }

  /**
   * A prepared load's files deleted (its publish refused from then on). A load whose publish ran inside an outer
   * transaction that then rolled back is 'committed' but not in the catalog: the catalog decides, not the state.
   */
  async #discard(rowsets: readonly NewRowset[]): Promise<void> {
    if (this.#state === 'committed') {
      const first = rowsets[0];
      const present = first !== undefined && this.#ctx.catalog.prepare<[number], { id: number }>('SELECT id FROM rowsets WHERE id = ?').get(first.rowsetId) !== undefined;
      if (present || first === undefined) return;
    } else if (this.#state !== 'prepared') {
      return;
    }
    this.#state = 'open';
    await this.abort();
  }

  /** Drop the load: buffered rows are discarded and written files deleted. Safe to call more than once. */
  async abort(): Promise<void> {
    if (this.#state !== 'open') return;
    this.#state = 'aborted';
    for (const t of this.#tablets.values()) t.builder = null;
    await Promise.all(this.#created.map((f) => fsp.rm(f, { force: true })));
    this.#created.length = 0;
  }

  #checkOpen(): void {
    if (this.#state !== 'open') throw new Error(`storage: load of ${this.table.name} is already ${this.#state}`);
    const signal = this.#options.signal;
    if (signal?.aborted === true) {
      void this.abort();
      throw signal.reason ?? new Error('load aborted');
    }
  }

  #partition(partitionId: number): PartitionTarget {
    let partition = this.#partitions.get(partitionId);
    if (partition !== undefined) return partition;
    if (this.#replace !== null && !this.#replace.has(partitionId)) {
      throw new Error(`storage: partition ${partitionId} is not being replaced by this load`);
    }
    const catalog = this.#ctx.catalog;
    const meta = getPartition(catalog, { id: partitionId });
    if (meta === undefined || meta.tableId !== this.table.id) {
      throw sqlError('ER_UNKNOWN_PARTITION', `Partition ${partitionId} does not exist in table '${this.table.name}'`);
    }
    const replicas = listReplicas(catalog, { partitionId });
    const tablets = listTablets(catalog, { partitionId }).map((t): TabletTarget => {
      const target: TabletTarget = {
        tabletId: t.id,
        partitionId,
        replicaDirs: replicas.filter((r) => r.tabletId === t.id).map((r) => backendDir(this.#ctx, r.backendId)),
        builder: null,
        rowsetId: null,
        files: [],
      };
      this.#tablets.set(t.id, target);
      return target;
    });
    partition = { id: partitionId, tablets, roundRobin: 0 };
    this.#partitions.set(partitionId, partition);
    return partition;
  }

  #append(tablet: TabletTarget, row: Row): void {
    tablet.builder ??= new SegmentBuilder(this.#columns);
    tablet.builder.append(row);
    this.#rows++;
  }

  async #afterAppend(): Promise<void> {
    const segmentRows = this.#options.segmentRows ?? 1 << 20;
    const segmentBytes = this.#options.segmentBytes ?? 64 << 20;
    const limit = this.#options.memoryLimitBytes ?? 256 << 20;
    let total = 0;
    for (const t of this.#tablets.values()) {
      const b = t.builder;
      if (b === null) continue;
      if (b.rowCount >= segmentRows || b.byteSize >= segmentBytes) await this.#flushTablet(t);
      else total += b.byteSize;
    }
    this.#buffered = total;
    while (this.#buffered > limit) {
      let biggest: TabletTarget | null = null;
      for (const t of this.#tablets.values()) {
        if (t.builder !== null && (biggest === null || t.builder.byteSize > biggest.builder!.byteSize)) biggest = t;
      }
      if (biggest === null) break;
      this.#buffered -= biggest.builder!.byteSize;
      await this.#flushTablet(biggest);
    }
  }

  async #flushTablet(tablet: TabletTarget): Promise<void> {
    const builder = tablet.builder;
    if (builder === null || builder.rowCount === 0) return;
    tablet.builder = null;
    const [primary, ...others] = tablet.replicaDirs;
    if (primary === undefined) throw new Error(`storage: tablet ${tablet.tabletId} has no replica`);
    tablet.rowsetId ??= this.#ctx.catalog.nextId();
    const name = segmentFileName(tablet.rowsetId, tablet.files.length);
    const target = path.join(tabletDir(primary, tablet.tabletId), name);
    this.#created.push(target);
    const contentHash = builder.contentHash();
    const written = await writeFileDurable(path.join(primary, TMP_DIR), target, builder.encode());
    for (const dir of others) {
      const link = path.join(tabletDir(dir, tablet.tabletId), name);
      this.#created.push(link);
      await linkOrCopy(target, link);
    }
    tablet.files.push({ name, size: written.size, md5: written.md5, rows: builder.rowCount, contentHash, columnIds: this.#columnIds });
    this.#bytes += written.size;
    this.#fileCount++;
    this.#checkOpen();
  }
}
