import type { Catalog } from '../catalog.ts';
import type { ColumnMeta, DistributionInfo, PartitionInfo } from '../model.ts';
import { ddlError, sqlError } from '../../errors/index.ts';

/** A new schema for a table, as one ALTER TABLE statement leaves it. */
export interface SchemaChange {
  /** Table to change. */
  readonly tableId: number;
  /** The schema version the change was computed from; the change fails if another landed meanwhile. */
  readonly fromVersion: number;
  /** New columns in order, every one with its id (kept ids for surviving columns, new ids for added ones). */
  readonly columns: readonly ColumnMeta[];
  /** Key column names in key order (renames applied). */
  readonly keyColumns: readonly string[];
  /** Partitioning with renames applied. */
  readonly partitionInfo: PartitionInfo;
  /** Distribution with renames applied. */
  readonly distribution: DistributionInfo;
  /** Next column id to hand out after this change. */
  readonly nextColumnId: number;
  /** The history row for SHOW ALTER TABLE COLUMN (omitted for comment-only changes StarRocks does not list). */
  readonly job?: {
    /** Job id (from the global sequence). */
    readonly id: number;
    /** When the statement started (epoch ms). */
    readonly createTime: number;
    /** Id of the rewrite that made new files, or 0 when only metadata changed. */
    readonly transactionId: number;
    /** Timeout shown (seconds). */
    readonly timeoutSeconds: number;
  };
}

/** A stable 31-bit hash of a schema (StarRocks shows `version:hash` in SHOW ALTER TABLE COLUMN). */
export function schemaHash(columns: readonly ColumnMeta[]): number {
  const text = JSON.stringify(columns.map((c) => [c.id, c.type, c.nullable, c.isKey, c.aggregate]));
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 1;
}

/**
 * Commit a schema change: the table's columns, keys, partition/distribution column names, schema version + 1 and
 * the history row, in one transaction (joined to the caller's, so a rewrite publishes its files with it). Returns
 * the new schema version.
 */
export function alterSchema(catalog: Catalog, change: SchemaChange): number {
  return catalog.transaction(() => {
    const row = catalog
      .prepare<[number], { db_id: number; name: string; schema_version: number; base_index_id: number; state: string }>(
        'SELECT db_id, name, schema_version, base_index_id, state FROM tables WHERE id = ?',
      )
      .get(change.tableId);
    if (row === undefined) throw sqlError('ER_BAD_TABLE_ERROR', `Table ${change.tableId} was dropped during the schema change`);
    if (row.schema_version !== change.fromVersion) {
      throw ddlError(`Table ${row.name}'s schema changed while this ALTER ran (version ${change.fromVersion} → ${row.schema_version}); run the ALTER again`);
    }
    if (row.state !== 'NORMAL') throw ddlError(`Table[${row.name}]'s state is not NORMAL. Do not allow doing ALTER ops`);
    const ids = new Set<number>();
    for (const c of change.columns) {
      if (c.id === undefined || ids.has(c.id) || c.id >= change.nextColumnId) throw new Error(`alterSchema: column ${c.name} has a bad id ${c.id}`);
      ids.add(c.id);
    }
    const version = row.schema_version + 1;
    catalog
      .prepare(
        `UPDATE tables SET columns = ?, key_columns = ?, partition_info = ?, distribution = ?, schema_version = ?,
           next_column_id = ? WHERE id = ?`,
      )
      .run(
        JSON.stringify(change.columns), JSON.stringify(change.keyColumns), JSON.stringify(change.partitionInfo),
        JSON.stringify(change.distribution), version, change.nextColumnId, change.tableId,
      );
    const job = change.job;
    if (job !== undefined) {
      catalog
        .prepare(
          `INSERT INTO schema_changes (id, db_id, table_id, table_name, index_id, schema_version, schema_hash, transaction_id,
             state, msg, timeout_s, create_time, finish_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'FINISHED', '', ?, ?, ?)`,
        )
        .run(
          job.id, row.db_id, change.tableId, row.name, row.base_index_id, version, schemaHash(change.columns),
          job.transactionId, job.timeoutSeconds, job.createTime, catalog.clock.now(),
        );
    }
    return version;
  });
}
