/**
 * SHOW ALTER TABLE COLUMN [FROM db]: the database's schema changes with StarRocks' columns. Every change here runs
 * within its statement, so a job is FINISHED (or was never recorded); SchemaVersion is `version:hash` as StarRocks
 * prints it, TransactionId the rewrite that made new files (0 when only metadata changed).
 */
import type { ShowAlterTableStmt } from '../../../grammar/ast.ts';
import { listSchemaChanges } from '../../catalog/index.ts';
import { formatDateTime } from '../../util/clock.ts';
import type { ExecutionContext } from '../context.ts';
import { requireDatabase } from '../names.ts';
import { showResult, type StatementResult } from '../result.ts';
import { applyShowPredicates } from '../show-filter.ts';

export const SHOW_ALTER_TABLE_COLUMNS = [
  'JobId', 'TableName', 'CreateTime', 'FinishTime', 'IndexName', 'IndexId', 'OriginIndexId', 'SchemaVersion', 'TransactionId',
  'State', 'Msg', 'Progress', 'Timeout',
];

export function executeShowAlterTable(ctx: ExecutionContext, node: ShowAlterTableStmt): StatementResult {
  const db = requireDatabase(ctx, node.database);
  const rows = listSchemaChanges(ctx.services.catalog, db.id).map((j) => [
    String(j.id), j.tableName, formatDateTime(j.createTime), formatDateTime(j.finishTime), j.tableName, String(j.indexId),
    String(j.indexId), `${j.schemaVersion}:${j.schemaHash}`, String(j.transactionId), j.state, j.msg, 'NULL', String(j.timeoutSeconds),
  ]);
  return applyShowPredicates(ctx, showResult(SHOW_ALTER_TABLE_COLUMNS, rows), node);
}
