/**
 * Tablet snapshots (what BACKUP uploads). `makeSnapshot` hard-links every file of a replica's tablet at a version
 * into `<backend>/snapshot/<snapshotId>/<tabletId>/` and writes `<tabletId>.hdr`, a JSON header listing the rowsets
 * (versions, kinds, files with size/md5/rows) and the schema. Links are instant and make the snapshot immune to
 * later loads, DELETE, TRUNCATE, DROP and garbage collection: data files are never modified in place, and a
 * deleted tablet file only loses one of its names. `releaseSnapshot` deletes the snapshot's tablet directory.
 *
 * `makeSnapshots` does the same for many replicas at once into one shared directory per backend,
 * `<backend>/snapshot/<snapshotId>/` (segment names carry globally unique rowset ids and headers their tablet id, so
 * nothing collides): a job's thousands of small tablets cost no directory each, and the links and headers are made
 * off the event loop in one batch.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { getReplica } from '../catalog/ops/get-replica.ts';
import { listRowsets } from '../catalog/ops/list-rowsets.ts';
import type { ColumnMeta, KeyModel, RowsetKind, SegmentFileMeta } from '../catalog/model.ts';
import { sqlError } from '../errors/index.ts';
import { fsPool, unwrap, type FsOp } from '../util/fs-pool.ts';
import { backendDir, type StoreContext } from './context.ts';
import { fsyncDir, linkOrCopy, readdirSafe, writeFileDurable } from './fs-util.ts';
import { headerFileName, SNAPSHOT_DIR, tabletDir, TMP_DIR } from './layout.ts';

/** Contents of a `<tabletId>.hdr` file. */
export interface SnapshotHeader {
  /** Always 'tablevault-tablet-snapshot'. */
  readonly format: 'tablevault-tablet-snapshot';
  /** Header format version (1). */
  readonly formatVersion: 1;
  /** Tablet the files came from. */
  readonly tabletId: number;
  /** Version the snapshot represents. */
  readonly version: number;
  /** Key model and schema of the table, so the files can be read without the catalog. */
  readonly keyModel: KeyModel;
  readonly keyColumns: readonly string[];
  readonly columns: readonly ColumnMeta[];
  /** Rowsets in version order (the first may be a base). */
  readonly rowsets: readonly {
    readonly rowsetId: number;
    readonly version: number;
    readonly kind: RowsetKind;
    readonly files: readonly SegmentFileMeta[];
  }[];
}

/** A file in a snapshot directory. */
export interface SnapshotFile {
  /** Name inside the snapshot's tablet directory. */
  readonly name: string;
  /** Bytes. */
  readonly size: number;
  /** Lower-case hex md5. */
  readonly md5: string;
}

/** A snapshot of one replica. */
export interface TabletSnapshot {
  /** Backend holding it. */
  readonly backendId: number;
  /** Snapshot id (directory name under `snapshot/`). */
  readonly snapshotId: string;
  /** Tablet and replica snapshotted. */
  readonly tabletId: number;
  readonly replicaId: number;
  /** Version captured. */
  readonly version: number;
  /** Absolute path of `<backend>/snapshot/<snapshotId>/<tabletId>`: pass it to releaseSnapshot. */
  readonly dir: string;
  /** Every file in `dir`: the segment files, then `<tabletId>.hdr` (with its own md5). */
  readonly files: readonly SnapshotFile[];
}

let sequence = 0;

/** Link a replica's files at `version` into a new snapshot directory. Caller holds (ctx.hold) while it runs. */
export async function makeSnapshot(
  ctx: StoreContext,
  replicaId: number,
  version: number,
  options: { readonly snapshotId?: string; readonly now: number },
): Promise<TabletSnapshot> {
  const catalog = ctx.catalog;
  const replica = getReplica(catalog, replicaId);
  if (replica === undefined) throw sqlError('ER_UNKNOWN_ERROR', `replica ${replicaId} does not exist`);
  if (replica.version < version) {
    throw sqlError(
      'ER_UNKNOWN_ERROR',
      `failed to make snapshot of tablet ${replica.tabletId} on replica ${replicaId}: replica version ${replica.version} < ${version}`,
    );
  }
  const table = catalog
    .prepare<[number], { columns: string; key_model: string; key_columns: string }>(
      `SELECT tb.columns, tb.key_model, tb.key_columns FROM tablets t JOIN partitions p ON p.id = t.partition_id
       JOIN tables tb ON tb.id = p.table_id WHERE t.id = ?`,
    )
    .get(replica.tabletId)!;
  const rowsets = listRowsets(catalog, replica.tabletId, version);
  const be = backendDir(ctx, replica.backendId);
  const snapshotId = options.snapshotId ?? `${compactTime(options.now)}.${sequence++}.${randomBytes(3).toString('hex')}`;
  if (!/^[A-Za-z0-9._-]+$/.test(snapshotId)) throw new Error(`storage: invalid snapshot id ${snapshotId}`);
  const dir = path.join(be, SNAPSHOT_DIR, snapshotId, String(replica.tabletId));
  await fsp.mkdir(dir, { recursive: true });
  try {
    const files: SnapshotFile[] = [];
    for (const rowset of rowsets) {
      for (const f of rowset.files) {
        await linkOrCopy(path.join(tabletDir(be, replica.tabletId), f.name), path.join(dir, f.name));
        files.push({ name: f.name, size: f.size, md5: f.md5 });
      }
    }
    const header = snapshotHeader(replica.tabletId, version, table.key_model as KeyModel, {
      keyColumns: JSON.parse(table.key_columns) as string[],
      columns: JSON.parse(table.columns) as ColumnMeta[],
    }, rowsets);
    const hdrName = headerFileName(replica.tabletId);
    const written = await writeFileDurable(path.join(be, TMP_DIR), path.join(dir, hdrName), [
      Buffer.from(JSON.stringify(header, null, 1)),
    ]);
    files.push({ name: hdrName, size: written.size, md5: written.md5 });
    await fsyncDir(dir);
    return { backendId: replica.backendId, snapshotId, tabletId: replica.tabletId, replicaId, version, dir, files };
  } catch (error) {
    await fsp.rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** One replica to snapshot with makeSnapshots. */
export interface SnapshotRequest {
  readonly replicaId: number;
  readonly version: number;
}

/** A snapshot made by makeSnapshots: its files live in a directory shared with the batch's other snapshots. */
export interface SharedSnapshot extends TabletSnapshot {
  /** The header written as `<tabletId>.hdr` (so nobody reads it back). */
  readonly header: SnapshotHeader;
  /**
   * False when the caller's `linkIf` declined it: nothing was linked or written, `dir` is the live tablet directory
   * (never to be released) and the header's md5/size in `files` are those of the bytes it would have written.
   */
  readonly linked: boolean;
}

/** Options of makeSnapshots. */
export interface MakeSnapshotsOptions {
  /** Shared snapshot directory id on each backend. */
  readonly snapshotId: string;
  readonly signal?: AbortSignal;
  /**
   * Asked once per request with every file the snapshot would hold (segments, then the header with the md5 and size
   * of its would-be bytes): false skips linking it. An incremental backup declines tablets whose whole content the
   * repository already holds — their files at the pinned version are immutable, so nothing local needs keeping.
   */
  readonly linkIf?: (files: readonly SnapshotFile[]) => boolean;
}

/**
 * Link many replicas' files at their versions into `<backend>/snapshot/<snapshotId>/` (one directory per backend,
 * shared) and write each tablet's header there, in one batch off the event loop. Nothing is fsynced: the caller
 * makes the batch durable once (syncFileSystem) before relying on it. Existing names are replaced, so a retry or a
 * re-run of the same snapshot id starts clean. Caller holds (ctx.hold) while it runs.
 */
export async function makeSnapshots(
  ctx: StoreContext,
  requests: readonly SnapshotRequest[],
  options: MakeSnapshotsOptions,
): Promise<SharedSnapshot[]> {
  const { catalog } = ctx;
  if (!/^[A-Za-z0-9._-]+$/.test(options.snapshotId)) throw new Error(`storage: invalid snapshot id ${options.snapshotId}`);
  const ops: FsOp[] = [];
  const planned: { snapshot: Omit<SharedSnapshot, 'files'>; files: SnapshotFile[]; hdrOp: number; hdrName: string; hdr?: SnapshotFile }[] = [];
  const schemaOf = catalog.prepare<[number], { columns: string; key_model: string; key_columns: string }>(
    `SELECT tb.columns, tb.key_model, tb.key_columns FROM tablets t JOIN partitions p ON p.id = t.partition_id
     JOIN tables tb ON tb.id = p.table_id WHERE t.id = ?`,
  );
  // The tablets of a batch mostly share a few tables: parse each schema once.
  const parsed = new Map<string, { keyColumns: string[]; columns: ColumnMeta[] }>();
  const plan = ({ replicaId, version }: SnapshotRequest): void => {
    const replica = getReplica(catalog, replicaId);
    if (replica === undefined) throw sqlError('ER_UNKNOWN_ERROR', `replica ${replicaId} does not exist`);
    if (replica.version < version) {
      throw sqlError(
        'ER_UNKNOWN_ERROR',
        `failed to make snapshot of tablet ${replica.tabletId} on replica ${replicaId}: replica version ${replica.version} < ${version}`,
      );
    }
    const table = schemaOf.get(replica.tabletId);
    if (table === undefined) throw sqlError('ER_UNKNOWN_ERROR', `tablet ${replica.tabletId} does not exist`);
    const rowsets = listRowsets(catalog, replica.tabletId, version);
    const be = backendDir(ctx, replica.backendId);
    const dir = path.join(be, SNAPSHOT_DIR, options.snapshotId);
    const cacheKey = `${table.key_columns}\u0000${table.columns}`;
    let schema = parsed.get(cacheKey);
    if (schema === undefined) {
      schema = { keyColumns: JSON.parse(table.key_columns) as string[], columns: JSON.parse(table.columns) as ColumnMeta[] };
      parsed.set(cacheKey, schema);
    }
    const files: SnapshotFile[] = rowsets.flatMap((r) => r.files.map((f) => ({ name: f.name, size: f.size, md5: f.md5 })));
    const header = snapshotHeader(replica.tabletId, version, table.key_model as KeyModel, schema, rowsets);
    const hdrName = headerFileName(replica.tabletId);
    const text = JSON.stringify(header, null, 1);
    const base = { backendId: replica.backendId, snapshotId: options.snapshotId, tabletId: replica.tabletId, replicaId, version, header };
    if (options.linkIf !== undefined) {
      const bytes = Buffer.from(text);
      const hdr: SnapshotFile = { name: hdrName, size: bytes.length, md5: createHash('md5').update(bytes).digest('hex') };
      if (!options.linkIf([...files, hdr])) {
        planned.push({ snapshot: { ...base, dir: tabletDir(be, replica.tabletId), linked: false }, files, hdrOp: -1, hdrName, hdr });
        return;
      }
    }
    for (const f of files) {
      const to = path.join(dir, f.name);
      ops.push({ op: 'put', from: path.join(tabletDir(be, replica.tabletId), f.name), to, tmp: `${to}.tmp`, replace: true, copy: true, link: true });
    }
    planned.push({ snapshot: { ...base, dir, linked: true }, files, hdrOp: ops.length, hdrName });
    ops.push({ op: 'write', path: path.join(dir, hdrName), tmp: null, data: text });
  };
  // One read transaction for the batch's queries: outside one, each query takes and drops its own read lock.
  catalog.db.transaction(() => requests.forEach(plan)).deferred();
  const results = ops.length === 0 ? [] : await fsPool().run(ops, options.signal === undefined ? {} : { signal: options.signal });
  for (const r of results) unwrap(r);
  return planned.map((p) => {
    if (p.hdr !== undefined) return { ...p.snapshot, files: [...p.files, p.hdr] };
    const written = unwrap<{ size: number; md5: string }>(results[p.hdrOp]);
    return { ...p.snapshot, files: [...p.files, { name: p.hdrName, size: written.size, md5: written.md5 }] };
  });
}

/** Read and check a snapshot header file. */
export async function readSnapshotHeader(file: string): Promise<SnapshotHeader> {
  const header = JSON.parse(await fsp.readFile(file, 'utf8')) as SnapshotHeader;
  if (header.format !== 'tablevault-tablet-snapshot' || header.formatVersion !== 1) {
    throw new Error(`${file} is not a tablevault tablet snapshot header`);
  }
  return header;
}

/**
 * A snapshot directory found on disk (for the jobs layer to release ones no live job owns): a tablet directory
 * `<backend>/snapshot/<id>/<tablet>` of makeSnapshot, or a shared directory `<backend>/snapshot/<id>` of
 * makeSnapshots (one holding no directory).
 */
export interface SnapshotDir {
  /** Backend holding it. */
  readonly backendId: number;
  /** Snapshot id (directory under `snapshot/`). */
  readonly snapshotId: string;
  /** Tablet directory name parsed as a number; null for a shared directory. */
  readonly tabletId: number | null;
  /** Absolute path (what releaseSnapshot takes). */
  readonly dir: string;
  /** Last modification time, ms. */
  readonly mtimeMs: number;
}

/** Every snapshot directory on every backend: tablet directories, and shared directories (see SnapshotDir). */
export async function listSnapshotDirs(ctx: StoreContext): Promise<SnapshotDir[]> {
  const out: SnapshotDir[] = [];
  for (const [backendId, be] of ctx.backendDirs) {
    const root = path.join(be, SNAPSHOT_DIR);
    for (const snapshotId of await readdirSafe(root)) {
      const top = path.join(root, snapshotId);
      const entries = await fsp.readdir(top, { withFileTypes: true }).catch(() => null);
      if (entries === null) continue;
      const tablets = entries.filter((e) => e.isDirectory());
      if (tablets.length === 0) {
        const stat = await fsp.stat(top).catch(() => null);
        if (stat !== null) out.push({ backendId, snapshotId, tabletId: null, dir: top, mtimeMs: stat.mtimeMs });
        continue;
      }
      for (const tablet of tablets) {
        const dir = path.join(top, tablet.name);
        const stat = await fsp.stat(dir).catch(() => null);
        if (stat === null) continue;
        out.push({ backendId, snapshotId, tabletId: Number(tablet.name), dir, mtimeMs: stat.mtimeMs });
      }
    }
  }
  return out;
}

/**
 * Delete a snapshot tablet directory (and its snapshot directory when that becomes empty), or a whole shared
 * snapshot directory. Refuses any path that is not `<backend>/snapshot/<id>/<tablet>` or `<backend>/snapshot/<id>`
 * of a known backend, so a bad argument can never delete table data.
 */
export async function releaseSnapshot(ctx: StoreContext, dir: string): Promise<void> {
  const resolved = path.resolve(dir);
  const parent = path.dirname(resolved);
  const roots = [...ctx.backendDirs.values()].map((be) => path.join(path.resolve(be), SNAPSHOT_DIR));
  if (roots.includes(parent)) {
    // A shared directory holds thousands of names: move it to the backend's tmp dir at once (one rename) and delete
    // it there in the background — nothing reads it any more, and the open-time sweep finishes what a crash stops.
    const trash = path.join(path.dirname(parent), TMP_DIR, `released-${path.basename(resolved)}-${randomBytes(4).toString('hex')}`);
    const [moved] = await fsPool().run([{ op: 'rename', from: resolved, to: trash }]);
    if (moved !== undefined && !moved.ok && moved.code === 'ENOENT') return;
    unwrap(moved);
    void fsPool()
      .run([{ op: 'rmrf', path: trash }])
      .catch(() => undefined);
    return;
  }
  if (!roots.includes(path.dirname(parent))) throw new Error(`storage: ${dir} is not a snapshot directory`);
  await fsp.rm(resolved, { recursive: true, force: true });
  await fsp.rmdir(parent).catch(() => {});
}

function compactTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/** The header file of a tablet snapshot: the one format both the single and the batched snapshot write. */
function snapshotHeader(
  tabletId: number,
  version: number,
  keyModel: KeyModel,
  schema: { readonly keyColumns: string[]; readonly columns: ColumnMeta[] },
  rowsets: readonly { readonly id: number; readonly version: number; readonly kind: SnapshotHeader['rowsets'][number]['kind']; readonly files: SnapshotHeader['rowsets'][number]['files'] }[],
): SnapshotHeader {
  return {
    format: 'tablevault-tablet-snapshot',
    formatVersion: 1,
    tabletId,
    version,
    keyModel,
    keyColumns: schema.keyColumns,
    columns: schema.columns,
    rowsets: rowsets.map((r) => ({ rowsetId: r.id, version: r.version, kind: r.kind, files: r.files })),
  };
}
