/**
 * UPDATE t SET c = e, … WHERE … on PRIMARY KEY tables (StarRocks' semantics and messages): every row the WHERE
 * selects is written again with the assigned columns recomputed from the old row and every other column kept, as a
 * new version (a delta rowset the primary-key merge lets win). Key columns cannot be assigned, so an updated row stays
 * in its tablet and partition. Other key models refuse UPDATE, as StarRocks does.
 */
import type { UpdateStmt } from '../../../grammar/ast.ts';
import { listPartitions, listTablets } from '../../catalog/index.ts';
import { analysisError, sqlError } from '../../errors/index.ts';
import { batchRows } from '../../storage/index.ts';
import { coerceForColumn } from '../../types/coerce.ts';
import type { Row } from '../../types/value.ts';
import type { ExecutionContext } from '../context.ts';
import { checkSchemaUnchanged } from '../ddl/job-guard.ts';
import { compileExpr } from '../eval/compile.ts';
import { toBool } from '../eval/numeric.ts';
import { requireOlapTable } from '../names.ts';
import { prunePartitions } from '../partition/index.ts';
import { okResult, type StatementResult } from '../result.ts';
import { sessionEvalContext } from '../session-eval-context.ts';
import { partitioningOf } from '../table/partitioning.ts';
import { checkNotRestoring } from './table-ddl.ts';

export async function executeUpdate(ctx: ExecutionContext, node: UpdateStmt): Promise<StatementResult> {
  const { db, table } = requireOlapTable(ctx, node.table);
  checkNotRestoring(table);
  if (table.keyModel !== 'PRIMARY') throw analysisError(`only support updating primary key table. Table ${table.name} is ${table.keyModel} KEY; change rows with DELETE and INSERT instead`);
  if (node.where === undefined) throw analysisError('must specify where clause to prevent full table update');
  const evalCtx = sessionEvalContext(ctx);
  const scope = { columns: table.columns.map((c) => ({ name: c.name, qualifiers: [db.name, table.name], type: c.type, nullable: c.nullable })) };
  const seen = new Set<number>();
  const assignments = node.assignments.map((a) => {
    const index = table.columns.findIndex((c) => c.name.toLowerCase() === a.column.toLowerCase());
    const column = table.columns[index];
    if (column === undefined) throw sqlError('ER_BAD_FIELD_ERROR', `Unknown column '${a.column}' in '${table.name}'`);
    if (column.isKey) throw analysisError(`primary key column cannot be updated: ${column.name}`);
    if (seen.has(index)) throw sqlError('ER_DUP_FIELDNAME', `Duplicate column name '${column.name}' in SET`);
    seen.add(index);
    return { index, column, value: compileExpr(a.value, { scope, ctx: evalCtx, clause: 'set clause' }) };
  });
  const predicate = compileExpr(node.where, { scope, ctx: evalCtx, clause: 'where clause' });
  return ctx.services.tableLocks.run(table.id, async () => {
    checkSchemaUnchanged(ctx.services.catalog, table);
    const { catalog, store } = ctx.services;
    const partitions = listPartitions(catalog, table.id);
    const partitioning = partitioningOf(table, partitions);
    let candidates = partitions.map((p) => p.id);
    if (partitioning.kind !== 'unpartitioned') {
      const pruned = new Set(prunePartitions(partitioning, node.where, scope, evalCtx));
      candidates = candidates.filter((id) => pruned.has(id));
    }
    const pin = store.pinVersions(candidates);
    try {
      const writer = store.beginLoad(table.id, { signal: ctx.signal });
      let updated = 0;
      try {
        for (const partitionId of candidates) {
          const version = pin.versions.get(partitionId) as number;
          for (const tablet of listTablets(catalog, { partitionId })) {
            const changed: Row[] = [];
            for await (const batch of store.scanTablet(tablet.id, { version, signal: ctx.signal })) {
              for (const row of batchRows(batch)) {
                if (toBool(predicate.evaluate(row)) !== true) continue;
                const next = [...row];
                // Every SET expression sees the old row (StarRocks and standard SQL), not earlier assignments.
                for (const a of assignments) next[a.index] = coerceForColumn(a.value.evaluate(row), a.column, updated + changed.length + 1);
                changed.push(next);
              }
            }
            if (changed.length > 0) await writer.writeTablet(tablet.id, changed);
            updated += changed.length;
          }
        }
        if (updated === 0) {
          await writer.abort();
          return okResult(0);
        }
        await writer.commit();
      } catch (error) {
        await writer.abort();
        throw error;
      }
      return okResult(updated);
    } finally {
      pin.release();
    }
  });
}
