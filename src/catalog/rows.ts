/** Mapping of raw SQLite rows to the model (internal to the catalog). */
import type {
  BackendMeta, Database, PartitionMeta, ReplicaMeta, RowsetMeta, TableMeta, TabletMeta,
} from './model.ts';

export interface BackendRow { id: number; name: string; path: string; created_at: number }
export interface DatabaseRow { id: number; name: string; properties: string; created_at: number }
export interface TableRow {
  id: number; db_id: number; name: string; kind: string; columns: string; key_model: string; key_columns: string;
  partition_info: string; distribution: string; properties: string; view_def: string | null; comment: string;
  base_index_id: number; state: string; visible: number; created_at: number; schema_version: number;
  next_column_id: number | null;
}
export interface PartitionRow {
  id: number; table_id: number; name: string; bounds: string; visible_version: number; visible_version_time: number;
  replication_num: number; buckets: number; visible: number; created_at: number; temporary: number;
}
export interface TabletRow { id: number; partition_id: number; index_id: number; ordinal: number; min_readable_version: number }
export interface ReplicaRow { id: number; tablet_id: number; backend_id: number; version: number }
export interface RowsetRow {
  id: number; tablet_id: number; version: number; kind: string; files: string; num_rows: number; data_size: number;
  created_at: number;
}

function nextIdAfter(columns: TableMeta['columns']): number {
  return columns.reduce((max, c, i) => Math.max(max, c.id ?? i + 1), 0) + 1;
}

export const toBackend = (r: BackendRow): BackendMeta => ({ id: r.id, name: r.name, path: r.path, createdAt: r.created_at });

export const toDatabase = (r: DatabaseRow): Database => ({
  id: r.id, name: r.name, properties: JSON.parse(r.properties) as Record<string, string>, createdAt: r.created_at,
});

/** Columns with their ids: a table whose schema never changed stores none, and its ids are 1..n by position. */
function withColumnIds(columns: TableMeta['columns']): TableMeta['columns'] {
  return columns.every((c) => c.id !== undefined) ? columns : columns.map((c, i) => ({ ...c, id: c.id ?? i + 1 }));
}

export const toTable = (r: TableRow): TableMeta => ({
  id: r.id,
  dbId: r.db_id,
  name: r.name,
  kind: r.kind as TableMeta['kind'],
  columns: withColumnIds(JSON.parse(r.columns) as TableMeta['columns']),
  keyModel: r.key_model as TableMeta['keyModel'],
  keyColumns: JSON.parse(r.key_columns) as string[],
  partitionInfo: JSON.parse(r.partition_info) as TableMeta['partitionInfo'],
  distribution: JSON.parse(r.distribution) as TableMeta['distribution'],
  properties: JSON.parse(r.properties) as Record<string, string>,
  viewDefinition: r.view_def,
  comment: r.comment,
  baseIndexId: r.base_index_id,
  schemaVersion: r.schema_version,
  nextColumnId: r.next_column_id ?? nextIdAfter(JSON.parse(r.columns) as TableMeta['columns']),
  state: r.state as TableMeta['state'],
  visible: r.visible !== 0,
  createdAt: r.created_at,
});

export const toPartition = (r: PartitionRow): PartitionMeta => ({
  id: r.id,
  tableId: r.table_id,
  name: r.name,
  bounds: JSON.parse(r.bounds) as PartitionMeta['bounds'],
  visibleVersion: r.visible_version,
  visibleVersionTime: r.visible_version_time,
  replicationNum: r.replication_num,
  buckets: r.buckets,
  visible: r.visible !== 0,
  temporary: r.temporary !== 0,
  createdAt: r.created_at,
});

export const toTablet = (r: TabletRow): TabletMeta => ({
  id: r.id, partitionId: r.partition_id, indexId: r.index_id, ordinal: r.ordinal,
  minReadableVersion: r.min_readable_version,
});

export const toReplica = (r: ReplicaRow): ReplicaMeta => ({
  id: r.id, tabletId: r.tablet_id, backendId: r.backend_id, version: r.version,
});

export const toRowset = (r: RowsetRow): RowsetMeta => ({
  id: r.id,
  tabletId: r.tablet_id,
  version: r.version,
  kind: r.kind as RowsetMeta['kind'],
  files: JSON.parse(r.files) as RowsetMeta['files'],
  numRows: r.num_rows,
  dataSize: r.data_size,
  createdAt: r.created_at,
});
