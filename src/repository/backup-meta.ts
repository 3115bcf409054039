/**
 * The `__ss_<label>/__meta.<md5>` file. StarRocks writes its binary FE catalog serialisation here; only the engine
 * that wrote a snapshot reads it back, so tablevault uses a self-describing, versioned JSON document instead
 * (reference §4.6). These types are the persisted contract: they are deliberately separate from the catalog's
 * in-memory model so that a catalog refactor can never silently change what old snapshots mean. The jobs layer
 * converts catalog rows to these types at backup and back at restore.
 */

/** Value of the `format` key: lets a reader reject a StarRocks binary meta (or anything else) up front. */
export const BACKUP_META_FORMAT = 'tablevault-backup-meta';
/** Current version. A reader accepts every version up to its own and refuses newer ones. */
export const BACKUP_META_VERSION = 1;

/** A column type as stored (same spelling as StarRocks' type names). */
export type MetaColumnType =
  | { readonly name: 'BOOLEAN' | 'TINYINT' | 'SMALLINT' | 'INT' | 'BIGINT' | 'LARGEINT' | 'FLOAT' | 'DOUBLE' | 'STRING' | 'DATE' | 'DATETIME' }
  | { readonly name: 'CHAR' | 'VARCHAR'; readonly length: number }
  | { readonly name: 'DECIMAL'; readonly precision: number; readonly scale: number };

export type MetaKeyModel = 'DUPLICATE' | 'PRIMARY' | 'UNIQUE' | 'AGGREGATE';
export type MetaAggregate = 'SUM' | 'MIN' | 'MAX' | 'REPLACE' | 'REPLACE_IF_NOT_NULL';

export interface MetaColumn {
  /** Column name. */
  readonly name: string;
  /** Resolved type. */
  readonly type: MetaColumnType;
  /** NULL allowed. */
  readonly nullable: boolean;
  /** Default as SQL text, or null when none. */
  readonly default: string | null;
  /** Aggregate function of an AGGREGATE KEY value column, else null. */
  readonly aggregate: MetaAggregate | null;
  /** Key column. */
  readonly isKey: boolean;
  /** Comment ('' when none). */
  readonly comment: string;
  /** AUTO_INCREMENT. */
  readonly autoIncrement: boolean;
}

export type MetaPartitionInfo =
  | { readonly kind: 'UNPARTITIONED' }
  | { readonly kind: 'RANGE'; readonly columns: readonly string[] }
  | { readonly kind: 'LIST'; readonly columns: readonly string[] };

export type MetaDistribution =
  | { readonly kind: 'HASH'; readonly columns: readonly string[]; readonly buckets: number }
  | { readonly kind: 'RANDOM'; readonly buckets: number };

export type MetaBoundValue =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'MINVALUE' }
  | { readonly kind: 'MAXVALUE' };

export type MetaPartitionBounds =
  | { readonly kind: 'UNPARTITIONED' }
  | { readonly kind: 'RANGE'; readonly lower: readonly MetaBoundValue[]; readonly upper: readonly MetaBoundValue[] }
  | { readonly kind: 'LIST'; readonly values: readonly (readonly string[])[] };

export interface MetaIndex {
  /** Index id (the base index id for the base index). */
  readonly id: number;
  /** Index name (the table's name for the base index). */
  readonly name: string;
  /** Schema hash recorded in the job info. */
  readonly schemaHash: number;
}

export interface MetaPartition {
  /** Source partition id (matches the job info). */
  readonly id: number;
  /** Partition name. */
  readonly name: string;
  /** Bounds. */
  readonly bounds: MetaPartitionBounds;
  /** Visible version at the snapshot. */
  readonly visibleVersion: number;
  /** Replication number on the source. */
  readonly replicationNum: number;
  /** Tablets per index. */
  readonly buckets: number;
}

export interface MetaOlapTable {
  readonly kind: 'OLAP';
  /** Source table id. */
  readonly id: number;
  /** Table name. */
  readonly name: string;
  /** Schema in column order. */
  readonly columns: readonly MetaColumn[];
  /** Key model. */
  readonly keyModel: MetaKeyModel;
  /** Key columns in key order. */
  readonly keyColumns: readonly string[];
  /** Partitioning scheme. */
  readonly partitionInfo: MetaPartitionInfo;
  /** Default distribution. */
  readonly distribution: MetaDistribution;
  /** Table properties. */
  readonly properties: Readonly<Record<string, string>>;
  /** Comment. */
  readonly comment: string;
  /** Base index id. */
  readonly baseIndexId: number;
  /** The table's schema version when backed up (StarRocks' SchemaVersion; absent in snapshots older than it). */
  readonly schemaVersion?: number;
  /** Visible indexes (base first). */
  readonly indexes: readonly MetaIndex[];
  /** The backed-up partitions only. */
  readonly partitions: readonly MetaPartition[];
}

export interface MetaView {
  readonly kind: 'VIEW';
  /** Source view id. */
  readonly id: number;
  /** View name. */
  readonly name: string;
  /** Output columns as resolved when backed up. */
  readonly columns: readonly MetaColumn[];
  /** The defining SELECT. */
  readonly definition: string;
  /** Comment. */
  readonly comment: string;
}

export type MetaTable = MetaOlapTable | MetaView;

export interface BackupMeta {
  /** Always BACKUP_META_FORMAT. */
  readonly format: typeof BACKUP_META_FORMAT;
  /** Format version written. */
  readonly version: number;
  /** Source database. */
  readonly database: { readonly id: number; readonly name: string; readonly properties: Readonly<Record<string, string>> };
  /** Tables and views, in backup order (base tables before views that read them). */
  readonly tables: readonly MetaTable[];
}

/** Raised when a `__meta` file is not a tablevault meta this version can read. */
export class BackupMetaFormatError extends Error {
  override name = 'BackupMetaFormatError';
}

/** Build a BackupMeta of the current version. */
export function createBackupMeta(database: BackupMeta['database'], tables: readonly MetaTable[]): BackupMeta {
  return { format: BACKUP_META_FORMAT, version: BACKUP_META_VERSION, database, tables };
}

/** Pretty-printed JSON (a human may read it when investigating a repository). */
export function serializeBackupMeta(meta: BackupMeta): string {
  return JSON.stringify(meta, null, 1) + '\n';
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function need(cond: boolean, what: string): asserts cond {
  if (!cond) throw new BackupMetaFormatError(`invalid backup meta: ${what}`);
}

function checkColumns(cols: unknown, where: string): void {
  need(Array.isArray(cols), `${where}.columns is not an array`);
  for (const [i, c] of (cols as unknown[]).entries()) {
    need(isRecord(c) && typeof c['name'] === 'string' && isRecord(c['type']) && typeof c['type']['name'] === 'string', `${where}.columns[${i}] is malformed`);
  }
}

/**
 * Parse and check a `__meta` file. Structure is checked (names, ids, columns, partitions) so a truncated or foreign
 * file fails here with a precise message rather than deep inside a restore.
 */
export function parseBackupMeta(text: string): BackupMeta {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new BackupMetaFormatError(`backup meta is not JSON (written by another engine?): ${(error as Error).message}`);
  }
  need(isRecord(raw), 'not a JSON object');
  need(raw['format'] === BACKUP_META_FORMAT, `format is ${JSON.stringify(raw['format'])}, expected "${BACKUP_META_FORMAT}"`);
  const version = raw['version'];
  need(typeof version === 'number' && Number.isInteger(version) && version >= 1, 'version is missing');
  if (version > BACKUP_META_VERSION) {
    throw new BackupMetaFormatError(
      `backup meta version ${version} is newer than this tablevault reads (${BACKUP_META_VERSION}); upgrade tablevault to restore it`,
    );
  }
  const db = raw['database'];
  need(isRecord(db) && typeof db['name'] === 'string' && typeof db['id'] === 'number', 'database is malformed');
  const tables = raw['tables'];
  need(Array.isArray(tables), 'tables is not an array');
  for (const [i, t] of (tables as unknown[]).entries()) {
    const where = `tables[${i}]`;
    need(isRecord(t) && typeof t['name'] === 'string' && typeof t['id'] === 'number', `${where} is malformed`);
    checkColumns(t['columns'], where);
    if (t['kind'] === 'VIEW') {
      need(typeof t['definition'] === 'string', `${where}.definition is missing`);
    } else {
      need(t['kind'] === 'OLAP', `${where}.kind is ${JSON.stringify(t['kind'])}`);
      need(Array.isArray(t['partitions']) && Array.isArray(t['indexes']), `${where} lacks partitions or indexes`);
      need(isRecord(t['partitionInfo']) && isRecord(t['distribution']), `${where} lacks partitionInfo or distribution`);
      for (const [j, p] of (t['partitions'] as unknown[]).entries()) {
        need(isRecord(p) && typeof p['name'] === 'string' && typeof p['id'] === 'number' && isRecord(p['bounds']), `${where}.partitions[${j}] is malformed`);
      }
    }
  }
  return raw as unknown as BackupMeta;
}
