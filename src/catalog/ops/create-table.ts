import type { Catalog } from '../catalog.ts';
import type {
  ColumnMeta, DistributionInfo, KeyModel, PartitionInfo, TableKind, TableMeta, TableState,
} from '../model.ts';
import { sqlError, ddlError } from '../../errors/index.ts';
import { toTable, type TableRow } from '../rows.ts';
import { insertPartition, type NewPartitionSpec } from './insert-partition.ts';

export interface CreateTableInput {
  /** Database id. */
  readonly dbId: number;
  /** Case-sensitive table name. */
  readonly name: string;
  /** OLAP (default) or VIEW (no partitions, `viewDefinition` set). */
  readonly kind?: TableKind;
  /** Resolved schema. */
  readonly columns: readonly ColumnMeta[];
  /** Key model; default DUPLICATE. */
  readonly keyModel?: KeyModel;
  /** Key columns; default none. */
  readonly keyColumns?: readonly string[];
  /** Partitioning; default UNPARTITIONED. */
  readonly partitionInfo?: PartitionInfo;
  /** Distribution (bucket count of partitions). Required for OLAP. */
  readonly distribution?: DistributionInfo;
  /** Default replicas per tablet (the SQL layer applies StarRocks' default and the property). */
  readonly replicationNum?: number;
  /** Table properties as text. */
  readonly properties?: Readonly<Record<string, string>>;
  /** VIEW text. */
  readonly viewDefinition?: string;
  /** Table comment. */
  readonly comment?: string;
  /**
   * Partitions to create. For UNPARTITIONED tables leave empty: one partition named like the table is created.
   */
  readonly partitions?: readonly NewPartitionSpec[];
  /** False to create invisibly (restore publishes later with publishInvisible); default true. */
  readonly visible?: boolean;
  /** Initial state; default NORMAL (restore creates in RESTORE). */
  readonly state?: TableState;
  /** Return the existing table instead of failing (CREATE TABLE IF NOT EXISTS). */
  readonly ifNotExists?: boolean;
}

/**
 * CREATE TABLE / CREATE VIEW: the table row, its partitions, tablets and replicas, in one transaction. Replica
 * placement errors (replication_num > backends) leave nothing behind.
 */
export function createTable(catalog: Catalog, input: CreateTableInput): TableMeta {
  return catalog.transaction(() => {
    const db = catalog.prepare<[number], { name: string }>('SELECT name FROM databases WHERE id = ?').get(input.dbId);
    if (db === undefined) throw sqlError('ER_BAD_DB_ERROR', `Unknown database id ${input.dbId}`);
    const existing = catalog
      .prepare<[number, string], TableRow>('SELECT * FROM tables WHERE db_id = ? AND name = ?')
      .get(input.dbId, input.name);
    if (existing !== undefined) {
      if (input.ifNotExists === true && existing.visible !== 0) return toTable(existing);
      throw sqlError('ER_TABLE_EXISTS_ERROR', `Table '${input.name}' already exists`);
    }
    const kind = input.kind ?? 'OLAP';
    const partitionInfo = input.partitionInfo ?? { kind: 'UNPARTITIONED' };
    const distribution = input.distribution ?? { kind: 'RANDOM', buckets: 1 };
    if (kind === 'OLAP' && !(Number.isInteger(distribution.buckets) && distribution.buckets >= 1)) {
      throw ddlError(`Number of buckets should be a positive integer, but got ${distribution.buckets}`);
    }
    // The base index gets its own id, like StarRocks' MaterializedIndex (tablets and backups carry it).
    const tableId = catalog.nextId(2);
    const indexId = tableId + 1;
    const now = catalog.clock.now();
    catalog
      .prepare(
        `INSERT INTO tables (id, db_id, name, kind, columns, key_model, key_columns, partition_info, distribution,
           properties, view_def, comment, base_index_id, state, visible, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        tableId, input.dbId, input.name, kind, JSON.stringify(input.columns), input.keyModel ?? 'DUPLICATE',
        JSON.stringify(input.keyColumns ?? []), JSON.stringify(partitionInfo), JSON.stringify(distribution),
        JSON.stringify(input.properties ?? {}), input.viewDefinition ?? null, input.comment ?? '', indexId,
        input.state ?? 'NORMAL', input.visible === false ? 0 : 1, now,
      );
    if (kind === 'OLAP') {
      const replicationNum = input.replicationNum ?? 3;
      let specs = input.partitions ?? [];
      if (specs.length === 0 && partitionInfo.kind === 'UNPARTITIONED') {
        specs = [{ name: input.name, bounds: { kind: 'UNPARTITIONED' } }];
      }
      for (const spec of specs) {
        insertPartition(catalog, { id: tableId, baseIndexId: indexId }, {
          ...spec,
          buckets: spec.buckets ?? distribution.buckets,
          replicationNum: spec.replicationNum ?? replicationNum,
          visible: input.visible === false ? false : spec.visible,
        });
      }
    }
    return toTable(catalog.prepare<[number], TableRow>('SELECT * FROM tables WHERE id = ?').get(tableId)!);
  });
}
