import { formatSnapshotTimestamp } from '../util/clock.ts';

/**
 * StarRocks' remote repository layout (Repository.java), byte for byte, so that snapshots written by tablevault and
 * by StarRocks are interchangeable and operators' habits (and SHOW SNAPSHOT) carry over:
 *
 * ```
 * <location>/__starrocks_repository_<repo>/          (or __palo_repository_<repo>/ for Doris/Palo-era repos)
 *   __repo_info                                      {"name":…,"create_time":"yyyy-MM-dd HH:mm:ss"}, no checksum
 *   __ss_<label>/
 *     __meta.<md5>
 *     __info_<yyyy-MM-dd-HH-mm-ss-SSS>.<md5>         written last: its presence makes the snapshot "OK"
 *     __ss_content/__db_<id>/__tbl_<id>/__part_<id>/__idx_<id>/__<tabletId>/<file>.<md5>
 *     __label_<token>                                tablevault's label reservation (see label-reservation.ts)
 * ```
 *
 * Every key built here is relative to the repository root directory (`__starrocks_repository_<repo>`), which is
 * itself relative to the broker root (the location). Builders refuse segments containing `/` so that a label or name
 * can never escape its directory.
 */

export const STARROCKS_REPOSITORY_PREFIX = '__starrocks_repository_';
/** Doris/Palo-era prefix; StarRocks still looks for it first when attaching a repository. */
export const PALO_REPOSITORY_PREFIX = '__palo_repository_';
export const PREFIX_SNAPSHOT_DIR = '__ss_';
export const PREFIX_DB = '__db_';
export const PREFIX_TBL = '__tbl_';
export const PREFIX_PART = '__part_';
export const PREFIX_IDX = '__idx_';
export const PREFIX_COMMON = '__';
export const PREFIX_JOB_INFO = '__info_';
/** Temp suffix of an upload in progress: `<file>.part`, renamed to `<file>.<md5>` when complete. */
export const SUFFIX_TMP_FILE = 'part';
export const FILE_REPO_INFO = '__repo_info';
export const FILE_META_INFO = '__meta';
export const DIR_SNAPSHOT_CONTENT = '__ss_content';
/**
 * tablevault's label reservation marker, `__ss_<label>/__label_<token>`: written by BACKUP at submission (one per
 * submitter, the token unique to its job). StarRocks only looks for `__info_` and `__meta`, so it ignores markers.
 */
export const PREFIX_LABEL_MARKER = '__label_';
export const CHECKSUM_SEPARATOR = '.';
/** Length of the hex md5 after the last `.` of a checksummed name (StarRocks checks the length only). */
export const MD5_CHECKSUM_LENGTH = 32;

export type RepositoryPrefix = typeof STARROCKS_REPOSITORY_PREFIX | typeof PALO_REPOSITORY_PREFIX;

/** The source-cluster ids that place one tablet's files in the content tree. */
export interface TabletIds {
  /** Database id of the backed-up database. */
  readonly dbId: number;
  /** Table id. */
  readonly tableId: number;
  /** Physical partition id. */
  readonly partitionId: number;
  /** Materialized index id (the base index for plain tables). */
  readonly indexId: number;
  /** Tablet id. */
  readonly tabletId: number;
}

function segment(kind: string, value: string | number): string {
  const s = String(value);
  if (s === '' || s.includes('/')) throw new Error(`invalid ${kind} for a repository path: '${s}'`);
  return s;
}

/** `__starrocks_repository_<name>` (or the palo prefix): the repository's directory under the location. */
export function repositoryRoot(name: string, prefix: RepositoryPrefix = STARROCKS_REPOSITORY_PREFIX): string {
  return prefix + segment('repository name', name);
}

/** `__repo_info`. */
export function repoInfoKey(): string {
  return FILE_REPO_INFO;
}

/** `__ss_<label>`. */
export function snapshotDir(label: string): string {
  return PREFIX_SNAPSHOT_DIR + segment('snapshot label', label);
}

/** `__ss_<label>/__label_<token>`: a job's reservation of the label. Tokens are letters, digits and `-`. */
export function labelMarkerKey(label: string, token: string): string {
  if (!/^[A-Za-z0-9-]{1,64}$/.test(token)) throw new Error(`invalid label reservation token: '${token}'`);
  return `${snapshotDir(label)}/${PREFIX_LABEL_MARKER}${token}`;
}

/** The token of a `__label_<token>` marker name, or null for other names. */
export function tokenOfLabelMarker(name: string): string | null {
  return name.startsWith(PREFIX_LABEL_MARKER) && name.length > PREFIX_LABEL_MARKER.length ? name.slice(PREFIX_LABEL_MARKER.length) : null;
}

/** `__ss_<label>/__meta` (checksum suffix not included). */
export function metaKey(label: string): string {
  return `${snapshotDir(label)}/${FILE_META_INFO}`;
}

/** `__ss_<label>/__info_` — the prefix every job-info file of the snapshot starts with. */
export function jobInfoPrefix(label: string): string {
  return `${snapshotDir(label)}/${PREFIX_JOB_INFO}`;
}

/** `__ss_<label>/__info_<timestamp>`; `timestamp` is `yyyy-MM-dd-HH-mm-ss-SSS` or any prefix of it. */
export function jobInfoKey(label: string, timestamp: string): string {
  if (timestamp.includes('/')) throw new Error(`invalid backup timestamp for a repository path: '${timestamp}'`);
  return jobInfoPrefix(label) + timestamp;
}

/** The job-info timestamp of a backup created at `createTimeMs` (local time, like StarRocks' FE). */
export function jobInfoTimestamp(createTimeMs: number): string {
  return formatSnapshotTimestamp(createTimeMs);
}

/** `__ss_<label>/__ss_content`. */
export function snapshotContentDir(label: string): string {
  return `${snapshotDir(label)}/${DIR_SNAPSHOT_CONTENT}`;
}

/** `__db_<db>/__tbl_<t>/__part_<p>/__idx_<i>/__<tablet>`: StarRocks' BackupJobInfo.getFilePath. */
export function tabletRelativePath(ids: TabletIds): string {
  return [
    PREFIX_DB + segment('db id', ids.dbId),
    PREFIX_TBL + segment('table id', ids.tableId),
    PREFIX_PART + segment('partition id', ids.partitionId),
    PREFIX_IDX + segment('index id', ids.indexId),
    PREFIX_COMMON + segment('tablet id', ids.tabletId),
  ].join('/');
}

/** `__ss_<label>/__ss_content/__db_…/__<tablet>`: the directory holding one tablet's files. */
export function tabletDir(label: string, ids: TabletIds): string {
  return `${snapshotContentDir(label)}/${tabletRelativePath(ids)}`;
}

/** `<tabletDir>/<file>` (checksum suffix not included). */
export function tabletFileKey(label: string, ids: TabletIds, fileName: string): string {
  return `${tabletDir(label, ids)}/${segment('file name', fileName)}`;
}

/**
 * Parse a tablet directory path relative to `__ss_content` (`__db_1/__tbl_2/__part_3/__idx_4/__5`, optionally
 * followed by `/<file>`). Returns null for anything else.
 */
export function parseTabletPath(relative: string): { readonly ids: TabletIds; readonly rest: string } | null {
  const m = /^__db_(\d+)\/__tbl_(\d+)\/__part_(\d+)\/__idx_(\d+)\/__(\d+)(?:\/(.*))?$/.exec(relative);
  if (m === null) return null;
  return {
    ids: { dbId: Number(m[1]), tableId: Number(m[2]), partitionId: Number(m[3]), indexId: Number(m[4]), tabletId: Number(m[5]) },
    rest: m[6] ?? '',
  };
}

/** `<key>.part`. */
export function tempKey(key: string): string {
  return key + CHECKSUM_SEPARATOR + SUFFIX_TMP_FILE;
}

/** `<key>.<md5>`. */
export function checksummedKey(key: string, md5: string): string {
  return key + CHECKSUM_SEPARATOR + md5;
}

/**
 * Split `name.<md5>` at the last `.`; null when there is no `.` or the suffix is not 32 characters long
 * (StarRocks' decodeFileNameWithChecksum — a `.part` temp file, for instance, does not decode).
 */
export function decodeChecksummedName(nameWithChecksum: string): { readonly name: string; readonly md5: string } | null {
  const index = nameWithChecksum.lastIndexOf(CHECKSUM_SEPARATOR);
  if (index === -1) return null;
  const md5 = nameWithChecksum.slice(index + 1);
  if (md5.length !== MD5_CHECKSUM_LENGTH) return null;
  return { name: nameWithChecksum.slice(0, index), md5 };
}

/** The label of a `__ss_<label>` directory name, or null for other names. */
export function labelOfSnapshotDir(dirName: string): string | null {
  return dirName.startsWith(PREFIX_SNAPSHOT_DIR) ? dirName.slice(PREFIX_SNAPSHOT_DIR.length) : null;
}

/** Last `/`-separated segment of a key. */
export function baseNameOf(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}
