/**
 * Typed, immutable views of catalog rows. Ids are numbers from the global sequence (≥ 10001). Times are epoch ms.
 */
import type { ColumnType } from '../types/index.ts';

export type KeyModel = 'DUPLICATE' | 'PRIMARY' | 'UNIQUE' | 'AGGREGATE';
export type AggregateFunction = 'SUM' | 'MIN' | 'MAX' | 'REPLACE' | 'REPLACE_IF_NOT_NULL';
export type TableKind = 'OLAP' | 'VIEW';
export type TableState = 'NORMAL' | 'RESTORE';
export type RowsetKind = 'delta' | 'base';

/** A storage node: a directory `<dataDir>/be<N>/`. */
export interface BackendMeta {
  /** Backend id (global sequence). */
  readonly id: number;
  /** `be1`, `be2`, …: the backend's name. */
  readonly name: string;
  /**
   * Directory of the backend relative to the data dir (`be1`), never absolute: a data dir moved or copied elsewhere
   * finds its backends inside itself (TableStore resolves it; see StoreBackend.dir).
   */
  readonly path: string;
  /** When the backend was registered. */
  readonly createdAt: number;
}

export interface Database {
  /** Database id. */
  readonly id: number;
  /** Case-sensitive name. */
  readonly name: string;
  /** Free-form properties (text values). */
  readonly properties: Readonly<Record<string, string>>;
  /** Creation time. */
  readonly createdAt: number;
}

/** One column of a table schema. */
export interface ColumnMeta {
  /**
   * Stable column id, unique in the table and never reused: kept across RENAME COLUMN and MODIFY COLUMN, new for ADD
   * COLUMN. Segment files name the ids of their columns, so old files are read under a newer schema by id. Always set
   * on columns read from the catalog (tables that never changed have ids 1..n by position); optional for callers
   * building a schema to create.
   */
  readonly id?: number;
  /** Column name as written. */
  readonly name: string;
  /** Fully resolved type. */
  readonly type: ColumnType;
  /** Whether NULL is allowed. */
  readonly nullable: boolean;
  /** Default as SQL text (`'0'`, `CURRENT_TIMESTAMP`), or null when none (NULL default is the text `NULL`). */
  readonly default: string | null;
  /** Aggregate function of a value column in an AGGREGATE KEY table; null for keys and other models. */
  readonly aggregate: AggregateFunction | null;
  /** Part of the key (DUPLICATE/PRIMARY/UNIQUE/AGGREGATE KEY list). */
  readonly isKey: boolean;
  /** Column comment ('' when none). */
  readonly comment: string;
  /** AUTO_INCREMENT column. */
  readonly autoIncrement: boolean;
}

/** How rows are split into partitions; the SQL layer routes rows, storage only sees partition ids. */
export type PartitionInfo =
  | { readonly kind: 'UNPARTITIONED' }
  | { readonly kind: 'RANGE'; readonly columns: readonly string[] }
  | { readonly kind: 'LIST'; readonly columns: readonly string[] };

/** How rows of a partition are split into tablets (buckets). */
export type DistributionInfo =
  | { readonly kind: 'HASH'; readonly columns: readonly string[]; readonly buckets: number }
  | { readonly kind: 'RANDOM'; readonly buckets: number };

/** One value of a range bound: a literal kept as text, or the MINVALUE/MAXVALUE markers. */
export type RangeBoundValue =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'MINVALUE' }
  | { readonly kind: 'MAXVALUE' };

/** Bounds of one partition, by partition kind. Range is half-open: [lower, upper). */
export type PartitionBounds =
  | { readonly kind: 'UNPARTITIONED' }
  | { readonly kind: 'RANGE'; readonly lower: readonly RangeBoundValue[]; readonly upper: readonly RangeBoundValue[] }
  | { readonly kind: 'LIST'; readonly values: readonly (readonly string[])[] };

export interface TableMeta {
  /** Table id. */
  readonly id: number;
  /** Owning database. */
  readonly dbId: number;
  /** Case-sensitive name, unique within the database. */
  readonly name: string;
  /** OLAP table or VIEW. */
  readonly kind: TableKind;
  /** Schema in column order. */
  readonly columns: readonly ColumnMeta[];
  /** Key model (DUPLICATE for views). */
  readonly keyModel: KeyModel;
  /** Key column names in key order. */
  readonly keyColumns: readonly string[];
  /** Partitioning scheme. */
  readonly partitionInfo: PartitionInfo;
  /** Default distribution (bucket count of new partitions). */
  readonly distribution: DistributionInfo;
  /** Table properties (replication_num etc.), text values. */
  readonly properties: Readonly<Record<string, string>>;
  /** View definition SQL for VIEW, else null. */
  readonly viewDefinition: string | null;
  /** Table comment. */
  readonly comment: string;
  /** Id of the base index (StarRocks' MaterializedIndex; tablets carry it). */
  readonly baseIndexId: number;
  /** Schema version: 0 at CREATE, one more per schema change (StarRocks' SchemaVersion). */
  readonly schemaVersion: number;
  /** Next column id to hand out (ids are never reused, so a dropped column's old data never maps onto a new one). */
  readonly nextColumnId: number;
  /** NORMAL, or RESTORE while a restore job owns the table. */
  readonly state: TableState;
  /** False while a restore builds the table; invisible tables are skipped by name lookups and listings. */
  readonly visible: boolean;
  /** Creation time. */
  readonly createdAt: number;
}

export interface PartitionMeta {
  /** Partition id. */
  readonly id: number;
  /** Owning table. */
  readonly tableId: number;
  /** Name, unique within the table (the table's name for unpartitioned tables). */
  readonly name: string;
  /** Range or list bounds. */
  readonly bounds: PartitionBounds;
  /** Newest visible version; 1 means empty (StarRocks starts there). */
  readonly visibleVersion: number;
  /** When visibleVersion was set. */
  readonly visibleVersionTime: number;
  /** Replicas per tablet. */
  readonly replicationNum: number;
  /** Tablets in the base index. */
  readonly buckets: number;
  /** False while a restore builds the partition. */
  readonly visible: boolean;
  /** A StarRocks temporary partition: loaded and read only when named, swapped in by REPLACE PARTITION. */
  readonly temporary: boolean;
  /** Creation time. */
  readonly createdAt: number;
}

export interface TabletMeta {
  /** Tablet id. */
  readonly id: number;
  /** Owning partition. */
  readonly partitionId: number;
  /** Index the tablet belongs to (the table's base index). */
  readonly indexId: number;
  /** 0-based position among the index's tablets: the bucket number, and how restore maps tablets. */
  readonly ordinal: number;
  /** Oldest version that can still be read (older rowsets were superseded by a base rowset and collected). */
  readonly minReadableVersion: number;
}

export interface ReplicaMeta {
  /** Replica id. */
  readonly id: number;
  /** Tablet it copies. */
  readonly tabletId: number;
  /** Backend holding its files. */
  readonly backendId: number;
  /** Newest version this replica holds. A replica is healthy when it reaches the partition's visible version. */
  readonly version: number;
}

/** One immutable file of a rowset, with what a backup needs without re-reading it. */
export interface SegmentFileMeta {
  /** File name inside the tablet directory, e.g. `10042_0.dat`. */
  readonly name: string;
  /** Bytes. */
  readonly size: number;
  /** Lower-case hex md5 of the whole file, computed while writing. */
  readonly md5: string;
  /** Rows in the segment. */
  readonly rows: number;
  /**
   * Content hash of the rows (src/storage/segment/content-hash.ts: 16 hex digits, an order-independent sum of row
   * hashes), computed while writing. Absent in files written before it existed: the first backup that needs it
   * computes it from the file once and records it (src/storage/content-hash-fill.ts).
   */
  readonly contentHash?: string;
  /**
   * Stable ids (ColumnMeta.id) of the file's columns, in stored order. Absent in files written before schema change
   * existed: those hold the table's original columns, whose ids are 1..n by position.
   */
  readonly columnIds?: readonly number[];
}

export interface RowsetMeta {
  /** Rowset id (also the prefix of its file names). */
  readonly id: number;
  /** Tablet it belongs to (every replica of the tablet holds the same files). */
  readonly tabletId: number;
  /** Version that made it visible. */
  readonly version: number;
  /** delta: adds rows; base: replaces every earlier rowset of the tablet (DELETE, TRUNCATE, restore). */
  readonly kind: RowsetKind;
  /** Segment files in order (none for an empty base). */
  readonly files: readonly SegmentFileMeta[];
  /** Rows in all files. */
  readonly numRows: number;
  /** Bytes in all files. */
  readonly dataSize: number;
  /** When committed. */
  readonly createdAt: number;
}
