import { iterateTablets, parseJobInfo, type BackupJobInfo } from './job-info.ts';
import {
  decodeChecksummedName,
  DIR_OBJECTS,
  DIR_SNAPSHOT_CONTENT,
  FILE_DROP_MARKER,
  FILE_META_INFO,
  objectKey,
  parseObjectKey,
  parseTabletPath,
  PREFIX_JOB_INFO,
  PREFIX_SNAPSHOT_DIR,
  SUFFIX_TMP_FILE,
  tabletDir,
  tokenOfLabelMarker,
  type TabletIds,
} from './layout.ts';
import { md5Hex } from './md5.ts';
import type { Repository } from './repository.ts';
import { fromBrokerError } from './repository-error.ts';
import { readAll } from './repository-types.ts';

/**
 * Everything a repository holds, as the lifecycle operations (incremental BACKUP, DROP SNAPSHOT, VERIFY, SHOW
 * SNAPSHOT DIFF, expiry) need it: ONE recursive listing of the repository root (every stored key and its size) plus
 * one read of each snapshot's info file. Nothing here writes.
 *
 * A snapshot "needs" the files its info file lists per tablet: its own (`__ss_<label>/__ss_content/…/<file>.<md5>`)
 * and, for incremental snapshots, references to content stored elsewhere (another snapshot's tablet dir or the
 * shared object area `__tv_objects/`) — see `resolve` for how a reference is found after the snapshot that stored
 * the content was dropped.
 */

/** One file a snapshot needs. */
export interface IndexedFile {
  /** Source ids locating the tablet (the snapshot's own tablet dir). */
  readonly ids: TabletIds;
  /** Name as the info file lists it: `<file>.<md5>`. */
  readonly storedName: string;
  /** Name without the checksum, e.g. `10042_0.dat`. */
  readonly name: string;
  readonly md5: string;
  /** Bytes, from the info file (or the listing for snapshots that do not record sizes); -1 when unknown. */
  readonly size: number;
  /** Where the snapshot expects it (repository-relative): its own tablet dir, or the reference it recorded. */
  readonly key: string;
  /** True when `key` is a reference (the content lives outside this snapshot's own directory). */
  readonly referenced: boolean;
}

/** A restorable snapshot: exactly one info file and one meta file, no drop in progress. */
export interface IndexedSnapshot {
  readonly label: string;
  /** The info file's timestamp (`yyyy-MM-dd-HH-mm-ss-SSS`). */
  readonly timestamp: string;
  /** Stored keys (checksum included) of the info and meta files. */
  readonly infoKey: string;
  readonly metaKey: string;
  readonly info: BackupJobInfo;
  /** Every file the snapshot needs, tablet by tablet in info order. */
  readonly files: readonly IndexedFile[];
}

/** One `__ss_<label>` directory as found. */
export interface SnapshotDirState {
  readonly label: string;
  /** Every stored key under `__ss_<label>/` (repository-relative), drop marker and label markers included. */
  readonly keys: readonly string[];
  /** A DROP SNAPSHOT started on it (its `__dropping` marker is there): it is gone, whatever else remains. */
  readonly dropping: boolean;
  /** The snapshot when restorable, else null. */
  readonly snapshot: IndexedSnapshot | null;
  /** Why it is not restorable (no info file yet: a backup in progress or one that failed; two info files; …). */
  readonly problem: string | null;
}

export interface RepositoryIndex {
  /** Restorable snapshots (not being dropped), by label order. */
  readonly snapshots: readonly IndexedSnapshot[];
  /** Every snapshot directory, restorable or not, by label. */
  readonly dirs: ReadonlyMap<string, SnapshotDirState>;
  /** Every stored key (repository-relative) and its size. */
  readonly stored: ReadonlyMap<string, number>;
  /** Keys of the shared object area. */
  readonly objects: readonly string[];
  /**
   * `<object>.part` files in the shared object area: what a COPY interrupted between writing an object and renaming
   * it into place left behind (never a valid object; the next drop collects them once they are old).
   */
  readonly objectLeftovers: readonly { readonly key: string; readonly size: number; readonly modifiedAt: number | null }[];
  /**
   * Where `file` can be read now: its key when stored there with the recorded size; else (a reference whose
   * snapshot was dropped, which moved the content) the shared object area's key for its content when present; else
   * null — the file is missing.
   */
  resolve(file: Pick<IndexedFile, 'key' | 'md5' | 'size'>): string | null;
}

export interface ReadIndexOptions {
  readonly signal?: AbortSignal;
  /** Also read the info files of these labels only (default: every snapshot directory). */
  readonly labels?: readonly string[];
  /**
   * Reuse info files this process already read and verified, by broker, key and listed size (an info file's name
   * carries its md5, so a key names one content). For the incremental backup's planning, which runs every backup
   * and reads every snapshot's info; checks that must see the stored bytes (VERIFY, DROP) leave it off.
   */
  readonly cacheInfo?: boolean;
}

/** Parsed info files by broker, then `<key>\0<size>`; bounded (oldest out first). */
const infoCache = new WeakMap<object, Map<string, BackupJobInfo>>();
const INFO_CACHE_MAX = 256;

/** The content id of a file: md5 and size together (two files are the same content only if both match). */
export function contentId(md5: string, size: number): string {
  return `${md5}_${size}`;
}

/** Read the repository's index: one recursive listing, then each (selected) snapshot's info file, md5-verified. */
export async function readRepositoryIndex(repo: Repository, options: ReadIndexOptions = {}): Promise<RepositoryIndex> {
  const { signal } = options;
  const stored = new Map<string, number>();
  const byLabel = new Map<string, string[]>();
  const objects: string[] = [];
  const objectLeftovers: { key: string; size: number; modifiedAt: number | null }[] = [];
  const base = `${repo.root}/`;
  try {
    for await (const e of repo.broker.list(base, { recursive: true, signal })) {
      if (e.isDirectory) continue;
      const key = e.key.slice(base.length);
      stored.set(key, e.size);
      if (key.startsWith(`${DIR_OBJECTS}/`)) {
        if (parseObjectKey(key) !== null) objects.push(key);
        else if (key.endsWith(`.${SUFFIX_TMP_FILE}`) && parseObjectKey(key.slice(0, -SUFFIX_TMP_FILE.length - 1)) !== null) {
          objectLeftovers.push({ key, size: e.size, modifiedAt: e.modifiedAt?.getTime() ?? null });
        }
        continue;
      }
      if (!key.startsWith(PREFIX_SNAPSHOT_DIR)) continue;
      const slash = key.indexOf('/');
      if (slash < 0) continue;
      const label = key.slice(PREFIX_SNAPSHOT_DIR.length, slash);
      const list = byLabel.get(label);
      if (list === undefined) byLabel.set(label, [key]);
      else list.push(key);
    }
  } catch (error) {
    throw fromBrokerError(error);
  }
  const wanted = options.labels === undefined ? null : new Set(options.labels);
  const dirs = new Map<string, SnapshotDirState>();
  const snapshots: IndexedSnapshot[] = [];
  for (const label of [...byLabel.keys()].sort()) {
    const keys = byLabel.get(label) ?? [];
    if (wanted !== null && !wanted.has(label)) {
      dirs.set(label, { label, keys, dropping: keys.includes(`${PREFIX_SNAPSHOT_DIR}${label}/${FILE_DROP_MARKER}`), snapshot: null, problem: 'not read' });
      continue;
    }
    const state = await readDir(repo, label, keys, stored, signal, options.cacheInfo === true);
    dirs.set(label, state);
    if (state.snapshot !== null) snapshots.push(state.snapshot);
  }
  const resolve = (file: Pick<IndexedFile, 'key' | 'md5' | 'size'>): string | null => {
    const at = stored.get(file.key);
    if (at !== undefined && (file.size < 0 || at === file.size)) return file.key;
    if (file.size < 0) return null;
    const obj = objectKey(file.md5, file.size);
    return stored.get(obj) === file.size ? obj : null;
  };
  return { snapshots, dirs, stored, objects, objectLeftovers, resolve };
}

async function readDir(
  repo: Repository,
  label: string,
  keys: readonly string[],
  stored: ReadonlyMap<string, number>,
  signal: AbortSignal | undefined,
  cacheInfo = false,
): Promise<SnapshotDirState> {
  const dirPrefix = `${PREFIX_SNAPSHOT_DIR}${label}/`;
  const top = keys.map((k) => k.slice(dirPrefix.length)).filter((n) => !n.includes('/'));
  const dropping = top.includes(FILE_DROP_MARKER);
  const infos = top.filter((n) => n.startsWith(PREFIX_JOB_INFO) && tokenOfLabelMarker(n) === null);
  const metas = top.filter((n) => n.startsWith(FILE_META_INFO));
  const state = (problem: string, snapshot: IndexedSnapshot | null = null): SnapshotDirState => ({ label, keys, dropping, snapshot, problem });
  if (dropping) return state('being dropped');
  if (infos.length === 0) return state('no snapshot');
  if (infos.length > 1 || metas.length !== 1) return state(`${infos.length} info files, ${metas.length} meta files`);
  const infoName = infos[0] as string;
  const metaName = metas[0] as string;
  const decodedInfo = decodeChecksummedName(infoName);
  if (decodedInfo === null || decodeChecksummedName(metaName) === null) return state(`no checksum in ${infoName} or ${metaName}`);
  let info: BackupJobInfo;
  const cache = cacheInfo ? (infoCache.get(repo.broker) ?? new Map<string, BackupJobInfo>()) : null;
  const cacheKey = `${repo.root}/${dirPrefix}${infoName}\0${stored.get(`${dirPrefix}${infoName}`) ?? -1}`;
  try {
    const cached = cache?.get(cacheKey);
    if (cached !== undefined) info = cached;
    else {
      const bytes = await readAll(await repo.broker.read(`${repo.root}/${dirPrefix}${infoName}`, { signal }));
      if (md5Hex(bytes) !== decodedInfo.md5) return state(`md5sum of ${infoName} does not equal its name`);
      info = parseJobInfo(bytes.toString('utf8'));
      if (cache !== null) {
        if (cache.size >= INFO_CACHE_MAX) cache.delete(cache.keys().next().value as string);
        cache.set(cacheKey, info);
        infoCache.set(repo.broker, cache);
      }
    }
  } catch (error) {
    if (signal?.aborted) throw error;
    return state(`cannot read ${infoName}: ${fromBrokerError(error).message}`);
  }
  const files: IndexedFile[] = [];
  const ext = info.extension;
  for (const t of iterateTablets(info)) {
    const ids: TabletIds = { dbId: info.dbId, tableId: t.table.id, partitionId: t.physicalPartitionId, indexId: t.index.id, tabletId: t.tablet.id };
    const own = tabletDir(label, ids);
    const refs = ext?.references?.[String(t.tablet.id)];
    const sizes = ext?.fileSizes[String(t.tablet.id)];
    let names = t.tablet.files;
    if (names.length === 0) {
      // Snapshots that do not record their files (older StarRocks): what the tablet dir holds.
      names = keys.filter((k) => k.startsWith(`${own}/`) && !k.slice(own.length + 1).includes('/')).map((k) => k.slice(own.length + 1));
    }
    for (const storedName of names) {
      const decoded = decodeChecksummedName(storedName);
      if (decoded === null) continue;
      const ref = refs?.[storedName];
      const key = ref ?? `${own}/${storedName}`;
      const size = sizes?.[storedName] ?? stored.get(`${own}/${storedName}`) ?? -1;
      files.push({ ids, storedName, name: decoded.name, md5: decoded.md5, size, key, referenced: ref !== undefined });
    }
  }
  const timestamp = decodedInfo.name.slice(PREFIX_JOB_INFO.length);
  const snapshot: IndexedSnapshot = { label, timestamp, infoKey: `${dirPrefix}${infoName}`, metaKey: `${dirPrefix}${metaName}`, info, files };
  return { label, keys, dropping, snapshot, problem: null };
}

/**
 * Where each content can be read, for an incremental backup deciding what to reuse: content id → a stored key that
 * holds it (listed now with the recorded size; the md5 is in the key's name or the object key). The shared object
 * area is preferred (nothing ever moves it), then the files of restorable snapshots. Files of snapshots being
 * dropped or not restorable are never offered: their directories may vanish at any moment.
 */
export function contentLocations(index: RepositoryIndex): Map<string, string> {
  const out = new Map<string, string>();
  for (const key of index.objects) {
    const o = parseObjectKey(key);
    if (o !== null && index.stored.get(key) === o.size) out.set(contentId(o.md5, o.size), key);
  }
  for (const s of index.snapshots) {
    for (const f of s.files) {
      if (f.size < 0) continue;
      const id = contentId(f.md5, f.size);
      if (out.has(id)) continue;
      const at = index.resolve(f);
      if (at !== null) out.set(id, at);
    }
  }
  return out;
}

/** The snapshot directory label a stored key lies in (`__ss_<label>/…`), or null (objects, `__repo_info`). */
export function labelOfKey(key: string): string | null {
  if (!key.startsWith(PREFIX_SNAPSHOT_DIR)) return null;
  const slash = key.indexOf('/');
  return slash < 0 ? null : key.slice(PREFIX_SNAPSHOT_DIR.length, slash);
}

/** True for keys in a snapshot's content tree (data files), as opposed to its info, meta and markers. */
export function isContentKey(key: string): boolean {
  const label = labelOfKey(key);
  if (label === null) return false;
  const rest = key.slice(PREFIX_SNAPSHOT_DIR.length + label.length + 1);
  return rest.startsWith(`${DIR_SNAPSHOT_CONTENT}/`) && parseTabletPath(rest.slice(DIR_SNAPSHOT_CONTENT.length + 1)) !== null;
}
