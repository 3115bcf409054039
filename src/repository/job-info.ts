import { writeJavaJson, type JavaJsonObject, type JavaJsonValue } from './java-json.ts';

/**
 * The job-info file `__ss_<label>/__info_<ts>.<md5>` (StarRocks' BackupJobInfo JSON). It names the database, every
 * backed-up table → partition → index → tablet with the source ids that locate files in `__ss_content`, and each
 * tablet's files (`<file>.<md5>`), so a restore can map tablets by ordinal position and reference-aware deletion can
 * tell which snapshot uses which file. StarRocks readers ignore keys they do not know, so tablevault's own facts
 * (sizes, row counts, content checksums, view SQL) live under one extra `"tablevault"` key.
 */

/** StarRocks' FeMetaVersion.VERSION_CURRENT, written as `meta_version`. */
export const META_VERSION = 92;
/** StarRocks' StarRocksFEMetaVersion.VERSION_CURRENT, written as `starrocks_meta_version`. */
export const STARROCKS_META_VERSION = 3;
/**
 * Version of the `"tablevault"` extension block. 2 adds `backup_type`, `references`, `ttl`, `expire_time`, the
 * byte counts and per-partition `content_checksum` (see snapshot-references.ts for how references resolve).
 */
export const JOB_INFO_EXTENSION_VERSION = 2;

/** BACKUP's `type` property: a complete independent copy, or new content only with references for the rest. */
export type BackupType = 'full' | 'incremental';

export interface BackupJobInfo {
  /** Snapshot label (`name`). */
  readonly name: string;
  /** Database name (`database`). */
  readonly database: string;
  /** Source database id (`id`). */
  readonly dbId: number;
  /** Backup job create time, epoch ms (`backup_time`); the `__info_` file's timestamp is derived from it. */
  readonly backupTime: number;
  /** Tables, materialized views and views, in the order they were added (views have no partitions). */
  readonly tables: readonly BackupTableInfo[];
  /** `meta_version` (StarRocks' community meta version the `__meta` was written with). */
  readonly metaVersion: number;
  /** `starrocks_meta_version`. */
  readonly starrocksMetaVersion: number;
  /** `backup_result === "succeed"`. */
  readonly success: boolean;
  /** tablevault's additions; absent in snapshots written by StarRocks. */
  readonly extension?: JobInfoExtension;
}

export interface BackupTableInfo {
  /** Table name (the key in `backup_objects`). */
  readonly name: string;
  /** Source table id. */
  readonly id: number;
  /** Next auto-increment value, when the table has an AUTO_INCREMENT column. */
  readonly autoIncrementId?: number;
  /** Partitions by name; empty for a logical view. */
  readonly partitions: readonly BackupPartitionInfo[];
}

export interface BackupPartitionInfo {
  /** Partition name (the table's name for an unpartitioned table). */
  readonly name: string;
  /** Partition id (also the physical partition id when there is one physical partition). */
  readonly id: number;
  /** Visible version captured by the snapshot. */
  readonly version: number;
  /** Materialized indexes: the base index (named like the table) and any rollups / sync MVs. */
  readonly indexes: readonly BackupIndexInfo[];
  /** Physical sub-partitions (StarRocks 3.3+ expression/random partitions); usually empty. */
  readonly subPartitions: readonly BackupPhysicalPartitionInfo[];
}

export interface BackupPhysicalPartitionInfo {
  /** Physical partition id. */
  readonly id: number;
  /** Its visible version. */
  readonly version: number;
  /** Its indexes. */
  readonly indexes: readonly BackupIndexInfo[];
}

export interface BackupIndexInfo {
  /** Index name (`tablets` keys live under it). */
  readonly name: string;
  /** Index id. */
  readonly id: number;
  /** Schema hash of the index. */
  readonly schemaHash: number;
  /** Tablets in ordinal order (`tablets_order`): restore maps tablet i of the snapshot to local tablet i. */
  readonly tablets: readonly BackupTabletInfo[];
}

export interface BackupTabletInfo {
  /** Source tablet id. */
  readonly id: number;
  /**
   * The tablet's files as stored, `<file>.<md5>`. Empty when the snapshot was written by a StarRocks version that
   * does not record them: then list the tablet directory instead.
   */
  readonly files: readonly string[];
}

/** tablevault's block under the `"tablevault"` key. Everything optional: readers must cope with older writers. */
export interface JobInfoExtension {
  /** Format version of this block. */
  readonly version: number;
  /** Byte size of every file, by tablet id then by stored name `<file>.<md5>` (content reuse, progress, verify). */
  readonly fileSizes: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Per table, per partition: row count and a content checksum, checked after restore. */
  readonly partitionStats: Readonly<Record<string, Readonly<Record<string, PartitionStats>>>>;
  /** View name → defining SQL (also in `__meta`; here so SHOW SNAPSHOT-level tools need not read the meta). */
  readonly views: Readonly<Record<string, string>>;
  /** When the snapshot was finished (info file written), epoch ms; -1 when unknown. */
  readonly finishedTime: number;
  /** `full` (every file in this snapshot's own tablet dirs) or `incremental`; absent before version 2 (= full). */
  readonly backupType?: BackupType;
  /**
   * Files of this snapshot stored elsewhere in the repository (incremental backups): by tablet id, the stored name
   * `<file>.<md5>` listed in `tablets` → the repository-relative key where the same content (md5 and size) was
   * stored when the backup ran: another snapshot's tablet dir, or the shared object area. A file listed in
   * `tablets` but not here lives in this snapshot's own tablet dir (StarRocks' layout). Resolution when the key is
   * gone (its snapshot was dropped): the shared object area's key for the content (snapshot-references.ts).
   */
  readonly references?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The `ttl` property as written (`7 DAY`), or null: keep until dropped (or the repository default applies). */
  readonly ttl?: string | null;
  /** Epoch ms after which the expiry task drops the snapshot; -1 when it never expires on its own. */
  readonly expireTime?: number;
  /** Bytes this backup uploaded (own files, meta and info excluded). */
  readonly uploadedBytes?: number;
  /** Bytes this backup referenced instead of uploading (incremental backups). */
  readonly reusedBytes?: number;
  /** The writing instance's cluster id (`cluster_id`, StarRocks v4.2's ownership: who may drop it without FORCE). */
  readonly clusterId?: number;
}

export interface PartitionStats {
  /** Rows stored in the partition at the snapshot version (all tablets of the base index, before key-model merging). */
  readonly rowCount: number;
  /** Order-independent checksum over the md5s of the partition's segment files (src/jobs/meta-checksum.ts). */
  readonly checksum: string;
  /**
   * Order-independent checksum of the partition's rows (src/storage/segment/content-hash.ts), from the row hashes
   * each segment writer computed while writing; absent in snapshots written before it existed (they restore without
   * this check).
   */
  readonly contentChecksum?: string;
}

/** Raised for a job-info text that is not valid BackupJobInfo JSON; messages follow org.json's wording. */
export class JobInfoFormatError extends Error {
  override name = 'JobInfoFormatError';
}

// ---------------------------------------------------------------------------------------------------- writing

function indexJson(idx: BackupIndexInfo): JavaJsonObject {
  const tablets = new Map<string, JavaJsonValue>();
  for (const t of idx.tablets) tablets.set(String(t.id), [...t.files]);
  return new Map<string, JavaJsonValue>([
    ['id', idx.id],
    ['schema_hash', idx.schemaHash],
    ['tablets', tablets],
    ['tablets_order', idx.tablets.map((t) => String(t.id))],
  ]);
}

function extensionJson(ext: JobInfoExtension): JavaJsonObject {
  const nested = <T>(rec: Readonly<Record<string, Readonly<Record<string, T>>>>, f: (v: T) => JavaJsonValue): JavaJsonObject =>
    new Map(Object.entries(rec).map(([k, inner]) => [k, new Map(Object.entries(inner).map(([k2, v]) => [k2, f(v)]))]));
  const root = new Map<string, JavaJsonValue>([
    ['version', ext.version],
    ['file_sizes', nested(ext.fileSizes, (n) => n)],
    [
      'partition_stats',
      nested(ext.partitionStats, (s) => {
        const m = new Map<string, JavaJsonValue>([['row_count', s.rowCount], ['checksum', s.checksum]]);
        if (s.contentChecksum !== undefined) m.set('content_checksum', s.contentChecksum);
        return m;
      }),
    ],
    ['views', new Map(Object.entries(ext.views))],
    ['finished_time', ext.finishedTime],
  ]);
  const out = root as Map<string, JavaJsonValue>;
  if (ext.backupType !== undefined) out.set('backup_type', ext.backupType);
  if (ext.references !== undefined) out.set('references', nested(ext.references, (k) => k));
  if (typeof ext.ttl === 'string') out.set('ttl', ext.ttl);
  if (ext.expireTime !== undefined) out.set('expire_time', ext.expireTime);
  if (ext.uploadedBytes !== undefined) out.set('uploaded_bytes', ext.uploadedBytes);
  if (ext.reusedBytes !== undefined) out.set('reused_bytes', ext.reusedBytes);
  if (ext.clusterId !== undefined) out.set('cluster_id', ext.clusterId);
  return out;
}

/**
 * StarRocks' `toJson(verbose)`. Verbose is the file content (ids, versions, indexes, tablets); non-verbose is the
 * brief shown by SHOW SNAPSHOT (partitions map to `{}`). The extension is written in the verbose form only.
 */
export function jobInfoToJson(info: BackupJobInfo, verbose: boolean): JavaJsonObject {
  const root = new Map<string, JavaJsonValue>();
  root.set('name', info.name);
  root.set('database', info.database);
  if (verbose) root.set('id', info.dbId);
  root.set('backup_time', info.backupTime);
  const objects = new Map<string, JavaJsonValue>();
  root.set('backup_objects', objects);
  root.set('meta_version', info.metaVersion);
  root.set('starrocks_meta_version', info.starrocksMetaVersion);
  for (const table of info.tables) {
    const tbl = new Map<string, JavaJsonValue>();
    if (verbose) tbl.set('id', table.id);
    if (table.autoIncrementId !== undefined) tbl.set('autoIncrementId', table.autoIncrementId);
    const parts = new Map<string, JavaJsonValue>();
    tbl.set('partitions', parts);
    for (const p of table.partitions) {
      const part = new Map<string, JavaJsonValue>();
      if (verbose) {
        part.set('id', p.id);
        part.set('version', p.version);
        part.set('version_hash', 0);
        part.set('indexes', new Map(p.indexes.map((idx) => [idx.name, indexJson(idx)])));
        const subs = new Map<string, JavaJsonValue>();
        for (const sp of p.subPartitions) {
          subs.set(
            String(sp.id),
            new Map<string, JavaJsonValue>([
              ['id', sp.id],
              ['version', sp.version],
              ['indexes', new Map(sp.indexes.map((idx) => [idx.name, indexJson(idx)]))],
            ]),
          );
        }
        part.set('subPartitions', subs);
      }
      parts.set(p.name, part);
    }
    objects.set(table.name, tbl);
  }
  root.set('backup_result', info.success ? 'succeed' : 'failed');
  if (verbose && info.extension !== undefined) root.set('tablevault', extensionJson(info.extension));
  return root;
}

/** The file content: compact JSON, as `toJson(true).toString()` writes it. */
export function serializeJobInfo(info: BackupJobInfo): string {
  return writeJavaJson(jobInfoToJson(info, true));
}

/** SHOW SNAPSHOT's Details column: `toJson(false).toString(1)`. */
export function jobInfoBrief(info: BackupJobInfo): string {
  return writeJavaJson(jobInfoToJson(info, false), 1);
}

// ---------------------------------------------------------------------------------------------------- parsing

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

function isJsonObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function getObject(o: JsonObject, key: string): JsonObject {
  const v = o[key];
  if (v === undefined) throw new JobInfoFormatError(`JSONObject["${key}"] not found.`);
  if (!isJsonObject(v)) throw new JobInfoFormatError(`JSONObject["${key}"] is not a JSONObject.`);
  return v;
}

function getString(o: JsonObject, key: string): string {
  const v = o[key];
  if (v === undefined) throw new JobInfoFormatError(`JSONObject["${key}"] not found.`);
  if (typeof v !== 'string') throw new JobInfoFormatError(`JSONObject["${key}"] is not a string.`);
  return v;
}

/** org.json's getLong/getInt: a number, or a string holding one. */
function getNumber(o: JsonObject, key: string): number {
  const v = o[key];
  if (v === undefined) throw new JobInfoFormatError(`JSONObject["${key}"] not found.`);
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new JobInfoFormatError(`JSONObject["${key}"] is not a number.`);
  return Math.trunc(n);
}

function optionalNumber(o: JsonObject, key: string, fallback: number): number {
  try {
    return getNumber(o, key);
  } catch {
    return fallback;
  }
}

function parseIndex(name: string, idx: JsonObject): BackupIndexInfo {
  const tabletsObj = getObject(idx, 'tablets');
  const ids = Object.keys(tabletsObj);
  const orderRaw = idx['tablets_order'];
  let order: string[];
  if (Array.isArray(orderRaw) && orderRaw.length > 0) {
    // StarRocks writes strings, Doris numbers: accept both.
    order = orderRaw.map((x) => String(x));
    if (order.length !== ids.length || order.some((id) => !Object.hasOwn(tabletsObj, id))) {
      throw new JobInfoFormatError(`tablets_order of index ${name} does not match its tablets`);
    }
  } else {
    // "in previous version, we are not saving tablets order (which was a BUG)": numeric order.
    order = [...ids].sort((a, b) => Number(a) - Number(b));
  }
  const tablets = order.map((id): BackupTabletInfo => {
    const filesRaw = tabletsObj[id];
    const files = Array.isArray(filesRaw) ? filesRaw.filter((f): f is string => typeof f === 'string') : [];
    const n = Number(id);
    if (!Number.isSafeInteger(n)) throw new JobInfoFormatError(`invalid tablet id: ${id}`);
    return { id: n, files };
  });
  return { name, id: getNumber(idx, 'id'), schemaHash: getNumber(idx, 'schema_hash'), tablets };
}

function parseIndexes(o: JsonObject): BackupIndexInfo[] {
  const indexes = getObject(o, 'indexes');
  return Object.keys(indexes).map((name) => parseIndex(name, getObject(indexes, name)));
}

function parseExtension(v: Json | undefined): JobInfoExtension | undefined {
  if (!isJsonObject(v)) return undefined;
  const rec = <T>(x: Json | undefined, f: (y: Json) => T | undefined): Record<string, T> => {
    if (!isJsonObject(x)) return {};
    // fromEntries defines own properties, so a hostile "__proto__" key cannot touch the prototype.
    const entries = Object.entries(x).map(([k, y]) => [k, f(y)] as const);
    return Object.fromEntries(entries.filter((e): e is readonly [string, T] => e[1] !== undefined));
  };
  return {
    version: typeof v['version'] === 'number' ? v['version'] : JOB_INFO_EXTENSION_VERSION,
    fileSizes: rec(v['file_sizes'], (t) => rec(t, (n) => (typeof n === 'number' ? n : undefined))),
    partitionStats: rec(v['partition_stats'], (t) =>
      rec(t, (s) =>
        isJsonObject(s) && typeof s['row_count'] === 'number' && typeof s['checksum'] === 'string'
          ? {
              rowCount: s['row_count'],
              checksum: s['checksum'],
              ...(typeof s['content_checksum'] === 'string' ? { contentChecksum: s['content_checksum'] } : {}),
            }
          : undefined,
      ),
    ),
    views: rec(v['views'], (s) => (typeof s === 'string' ? s : undefined)),
    finishedTime: typeof v['finished_time'] === 'number' ? v['finished_time'] : -1,
    ...(v['backup_type'] === 'incremental' || v['backup_type'] === 'full' ? { backupType: v['backup_type'] } : {}),
    ...(isJsonObject(v['references']) ? { references: rec(v['references'], (t) => rec(t, (k) => (typeof k === 'string' ? k : undefined))) } : {}),
    ...(typeof v['ttl'] === 'string' || v['ttl'] === null ? { ttl: v['ttl'] } : {}),
    ...(typeof v['expire_time'] === 'number' ? { expireTime: v['expire_time'] } : {}),
    ...(typeof v['uploaded_bytes'] === 'number' ? { uploadedBytes: v['uploaded_bytes'] } : {}),
    ...(typeof v['reused_bytes'] === 'number' ? { reusedBytes: v['reused_bytes'] } : {}),
    ...(typeof v['cluster_id'] === 'number' && Number.isInteger(v['cluster_id']) ? { clusterId: v['cluster_id'] } : {}),
  };
}

/**
 * Parse a job-info file the way StarRocks' `genFromJson` does: required `name`, `database`, `id`, `backup_time`,
 * `backup_objects`, `backup_result`; optional meta versions (current defaults), `autoIncrementId`, `subPartitions`,
 * `tablets_order` (missing → numeric order; numbers accepted). Tables without partitions are views.
 */
export function parseJobInfo(text: string): BackupJobInfo {
  let root: Json;
  try {
    root = JSON.parse(text) as Json;
  } catch (error) {
    throw new JobInfoFormatError(`A JSONObject text must be valid JSON: ${(error as Error).message}`);
  }
  if (!isJsonObject(root)) throw new JobInfoFormatError("A JSONObject text must begin with '{'");
  const objects = getObject(root, 'backup_objects');
  const tables = Object.keys(objects).map((tableName): BackupTableInfo => {
    const tbl = getObject(objects, tableName);
    const auto = tbl['autoIncrementId'];
    const partsObj = getObject(tbl, 'partitions');
    const partitions = Object.keys(partsObj).map((partName): BackupPartitionInfo => {
      const part = getObject(partsObj, partName);
      const subsRaw = part['subPartitions'];
      const subPartitions = isJsonObject(subsRaw)
        ? Object.keys(subsRaw).map((k): BackupPhysicalPartitionInfo => {
            const sp = getObject(subsRaw, k);
            return { id: getNumber(sp, 'id'), version: getNumber(sp, 'version'), indexes: parseIndexes(sp) };
          })
        : [];
      return {
        name: partName,
        id: getNumber(part, 'id'),
        version: getNumber(part, 'version'),
        indexes: isJsonObject(part['indexes']) ? parseIndexes(part) : [],
        subPartitions,
      };
    });
    return {
      name: tableName,
      id: getNumber(tbl, 'id'),
      ...(typeof auto === 'number' ? { autoIncrementId: auto } : {}),
      partitions,
    };
  });
  const extension = parseExtension(root['tablevault']);
  return {
    name: getString(root, 'name'),
    database: getString(root, 'database'),
    dbId: getNumber(root, 'id'),
    backupTime: getNumber(root, 'backup_time'),
    tables,
    metaVersion: optionalNumber(root, 'meta_version', META_VERSION),
    starrocksMetaVersion: optionalNumber(root, 'starrocks_meta_version', STARROCKS_META_VERSION),
    success: getString(root, 'backup_result') === 'succeed',
    ...(extension !== undefined ? { extension } : {}),
  };
}

/** Every (table, partition, index, tablet) of a job info with the ids that locate its files — for restore and GC. */
export function* iterateTablets(info: BackupJobInfo): Generator<{
  readonly table: BackupTableInfo;
  readonly partition: BackupPartitionInfo;
  /** Physical partition id: the partition's own id, or the sub-partition's. */
  readonly physicalPartitionId: number;
  readonly index: BackupIndexInfo;
  readonly ordinal: number;
  readonly tablet: BackupTabletInfo;
}> {
  for (const table of info.tables) {
    for (const partition of table.partitions) {
      const physical = partition.subPartitions.length > 0
        ? partition.subPartitions.map((sp) => ({ id: sp.id, indexes: sp.indexes }))
        : [{ id: partition.id, indexes: partition.indexes }];
      for (const ph of physical) {
        for (const index of ph.indexes) {
          for (const [ordinal, tablet] of index.tablets.entries()) {
            yield { table, partition, physicalPartitionId: ph.id, index, ordinal, tablet };
          }
        }
      }
    }
  }
}
