/**
 * The scan path: a tablet at a version is its rowsets from the newest base rowset up to that version, read in
 * version order from one healthy replica and merged by the table's key model. Batches are column-major.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { listRowsets } from '../catalog/ops/list-rowsets.ts';
import { listReplicas } from '../catalog/ops/list-replicas.ts';
import type { RowsetMeta, TableMeta } from '../catalog/model.ts';
import type { Row, Value } from '../types/index.ts';
import { sqlError } from '../errors/index.ts';
import { backendDir, type StoreContext } from './context.ts';
import { tabletDir } from './layout.ts';
import { TabletMerger } from './merge.ts';
import { planColumns } from './schema-map.ts';
import { decodeColumn, readSegmentHeader } from './segment/segment-reader.ts';

/** A batch of rows of one tablet, column-major. */
export interface RowBatch {
  /** Partition the rows come from. */
  readonly partitionId: number;
  /** Tablet the rows come from. */
  readonly tabletId: number;
  /** Rows in the batch. */
  readonly rowCount: number;
  /** One array per requested column (in request order), each `rowCount` long. */
  readonly columns: readonly (readonly Value[])[];
}

export interface ScanOptions {
  /** Column indexes to return, in this order (default: every column). */
  readonly columns?: readonly number[];
  /** Stops the scan at the next file; the iterator throws the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Transpose a batch into rows (for callers that want rows). */
export function batchRows(batch: RowBatch): Row[] {
  const rows = new Array<Row>(batch.rowCount);
  const cols = batch.columns;
  for (let r = 0; r < batch.rowCount; r++) {
    const row = new Array<Value>(cols.length);
    for (let c = 0; c < cols.length; c++) row[c] = cols[c]![r]!;
    rows[r] = row;
  }
  return rows;
}

async function readRowsetFile(ctx: StoreContext, tabletId: number, dirs: readonly string[], name: string): Promise<Buffer> {
  let lastError: unknown;
  for (const dir of dirs) {
    try {
      return await fsp.readFile(path.join(tabletDir(dir, tabletId), name));
    } catch (error) {
      // A replica missing a file is unhealthy; the next one may still have it.
      lastError = error;
      ctx.logger.warn({ tabletId, file: name, dir, err: error }, 'replica file unreadable, trying the next replica');
    }
  }
  throw sqlError('ER_UNKNOWN_ERROR', `tablet ${tabletId}: no healthy replica has ${name}`, { cause: lastError });
}

/**
 * One tablet of a read, resolved together with every other tablet of the same read: its rowsets at the version and
 * the replicas that hold them. Resolving is synchronous catalog work, so a caller that resolves all tablets before
 * its first await (TableStore.scan) pins one consistent cut: a commit — a load, a TRUNCATE, or a RESTORE publish,
 * which replaces a tablet's rowsets and may set its version back to the backup's — lands wholly before or wholly
 * after it, never between two tablets or between a version and its files. The caller's hold keeps the files.
 */
export interface TabletRead {
  /** Partition of the tablet. */
  readonly partitionId: number;
  /** The tablet. */
  readonly tabletId: number;
  /** Version read. */
  readonly version: number;
  /** Rowsets making up the tablet at `version`, in version order. */
  readonly rowsets: readonly RowsetMeta[];
  /** Backend directories of the replicas that reach `version`, in replica order (empty when there is nothing to read). */
  readonly dirs: readonly string[];
}

/** Resolve one tablet of a read (see TabletRead). Throws when no replica holds the version. */
export function resolveTabletRead(ctx: StoreContext, partitionId: number, tabletId: number, version: number): TabletRead {
  const rowsets: readonly RowsetMeta[] = listRowsets(ctx.catalog, tabletId, version);
  if (rowsets.every((r) => r.files.length === 0)) return { partitionId, tabletId, version, rowsets, dirs: [] };
  const healthy = listReplicas(ctx.catalog, { tabletId }).filter((r) => r.version >= version);
  if (healthy.length === 0) {
    throw sqlError('ER_UNKNOWN_ERROR', `tablet ${tabletId} has no replica at version ${version}`);
  }
  return { partitionId, tabletId, version, rowsets, dirs: healthy.map((r) => backendDir(ctx, r.backendId)) };
}

/**
 * Rows of a resolved tablet, merged by the table's key model. The caller holds (ctx.hold) from before resolving
 * until the last batch, so no file it resolved is collected mid-read.
 */
export async function* readTablet(
  ctx: StoreContext,
  table: TableMeta,
  read: TabletRead,
  options: ScanOptions = {},
): AsyncGenerator<RowBatch, void, void> {
  const { partitionId, tabletId, rowsets, dirs } = read;
  if (dirs.length === 0) return;
  const projection = options.columns ?? table.columns.map((_, i) => i);
  const merger =
    table.keyModel === 'DUPLICATE'
      ? null
      : new TabletMerger({
          keyModel: table.keyModel,
          keyIndexes: table.keyColumns.map((k) => table.columns.findIndex((c) => c.name === k)),
          aggregates: table.columns.map((c) => c.aggregate),
          types: table.columns.map((c) => c.type),
        });
  const all = table.columns.map((_, i) => i);
  for (const rowset of rowsets) {
    for (const file of rowset.files) {
      if (options.signal?.aborted === true) throw options.signal.reason ?? new Error('scan aborted');
      const buf = await readRowsetFile(ctx, tabletId, dirs, file.name);
      const header = readSegmentHeader(buf);
      const rowCount = header.rowCount;
      if (rowCount === 0) continue;
      // Columns by stable id under the current schema (schema-map.ts): defaults for added, skip dropped, convert widened.
      const plan = planColumns(table, file, header.columns, merger === null ? projection : all);
      const columns = plan.map((source): Value[] => {
        if (source.kind === 'default') return new Array<Value>(rowCount).fill(source.value);
        const values = decodeColumn(buf, header, source.index);
        if (source.convert !== null) for (let r = 0; r < rowCount; r++) values[r] = source.convert(values[r]!);
        return values;
      });
      if (merger === null) yield { partitionId, tabletId, rowCount, columns };
      else merger.add(columns, rowCount);
    }
  }
  if (merger !== null) {
    const merged = merger.result(projection);
    if (merged.rowCount > 0) yield { partitionId, tabletId, ...merged };
  }
}
