import type { Catalog } from '../catalog.ts';

/** One schema change of SHOW ALTER TABLE COLUMN. */
export interface SchemaChangeRow {
  /** Job id. */
  readonly id: number;
  /** Database. */
  readonly dbId: number;
  /** Table id. */
  readonly tableId: number;
  /** Table name when the change ran. */
  readonly tableName: string;
  /** Index changed (the base index). */
  readonly indexId: number;
  /** Schema version the change produced. */
  readonly schemaVersion: number;
  /** Hash of the schema it produced. */
  readonly schemaHash: number;
  /** Id of the rewrite that made new files, 0 when only metadata changed. */
  readonly transactionId: number;
  /** FINISHED or CANCELLED. */
  readonly state: string;
  /** Why it was cancelled ('' when finished). */
  readonly msg: string;
  /** Timeout (seconds). */
  readonly timeoutSeconds: number;
  /** Start and end (epoch ms). */
  readonly createTime: number;
  readonly finishTime: number;
}

/** Schema changes of a database, oldest first. */
export function listSchemaChanges(catalog: Catalog, dbId: number): readonly SchemaChangeRow[] {
  return catalog
    .prepare<[number], {
      id: number; db_id: number; table_id: number; table_name: string; index_id: number; schema_version: number;
      schema_hash: number; transaction_id: number; state: string; msg: string; timeout_s: number; create_time: number;
      finish_time: number;
    }>('SELECT * FROM schema_changes WHERE db_id = ? ORDER BY id')
    .all(dbId)
    .map((r) => ({
      id: r.id, dbId: r.db_id, tableId: r.table_id, tableName: r.table_name, indexId: r.index_id,
      schemaVersion: r.schema_version, schemaHash: r.schema_hash, transactionId: r.transaction_id, state: r.state,
      msg: r.msg, timeoutSeconds: r.timeout_s, createTime: r.create_time, finishTime: r.finish_time,
    }));
}
