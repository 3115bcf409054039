/**
 * DELETE FROM t [PARTITION (…)] WHERE …: a new version of every partition that loses rows, in which each tablet
 * holds exactly its surviving rows (a base rowset), as StarRocks records deletes as versions. Older versions stay
 * readable by running scans and snapshots until collected.
 */
import type { DeleteStmt } from '../../../grammar/ast.ts';
import { listPartitions, listTablets } from '../../catalog/index.ts';
import { analysisError, sqlError } from '../../errors/index.ts';
import { batchRows } from '../../storage/index.ts';
import type { Row } from '../../types/value.ts';
import type { ExecutionContext } from '../context.ts';
import { compileExpr } from '../eval/compile.ts';
import { toBool } from '../eval/numeric.ts';
import { requireOlapTable } from '../names.ts';
import { prunePartitions } from '../partition/index.ts';
import { okResult, type StatementResult } from '../result.ts';
import { shouldYield, yieldTurn } from '../pace.ts';
import { sessionEvalContext } from '../session-eval-context.ts';
import { partitioningOf } from '../table/partitioning.ts';
import { checkNotRestoring } from './table-ddl.ts';

export async function executeDelete(ctx: ExecutionContext, node: DeleteStmt): Promise<StatementResult> {
  const { db, table } = requireOlapTable(ctx, node.table);
  checkNotRestoring(table);
  if (node.where === undefined) throw analysisError(`Where clause is not set. To delete every row of ${table.name}, use TRUNCATE TABLE ${table.name}`);
  const evalCtx = sessionEvalContext(ctx);
  const scope = { columns: table.columns.map((c) => ({ name: c.name, qualifiers: [db.name, table.name], type: c.type, nullable: c.nullable })) };
  const predicate = compileExpr(node.where, { scope, ctx: evalCtx, clause: 'where clause' });
  await ctx.session.transaction.checkWrite(ctx, table, false);
  return ctx.services.tableLocks.run(table.id, async () => {
    const partitions = listPartitions(ctx.services.catalog, table.id);
    let candidates = partitions.map((p) => p.id);
    if (node.partitions) {
      candidates = node.partitions.names.map((name) => {
        const p = partitions.find((x) => x.name === name);
        if (p === undefined) throw sqlError('ER_UNKNOWN_PARTITION', `Unknown partition '${name}' in table '${table.name}'`);
        return p.id;
      });
    }
    const partitioning = partitioningOf(table, partitions);
    if (partitioning.kind !== 'unpartitioned') {
      const pruned = new Set(prunePartitions(partitioning, node.where, scope, evalCtx));
      candidates = candidates.filter((id) => pruned.has(id));
    }
    // Read every candidate tablet at one pinned version, keep the survivors, and rewrite only what changed.
    const pin = ctx.services.store.pinVersions(candidates);
    try {
      const survivors = new Map<number, Row[]>();
      const touched = new Set<number>();
      let deleted = 0;
      for (const partitionId of candidates) {
        const version = pin.versions.get(partitionId) as number;
        const deletedBefore = deleted;
        for (const tablet of listTablets(ctx.services.catalog, { partitionId })) {
          const kept: Row[] = [];
          for await (const batch of ctx.services.store.scanTablet(tablet.id, { version, signal: ctx.signal })) {
            for (const row of batchRows(batch)) {
              if (toBool(predicate.evaluate(row)) === true) deleted++;
              else kept.push(row);
            }
            if (shouldYield()) await yieldTurn(ctx.signal);
          }
          survivors.set(tablet.id, kept);
        }
        // Only partitions that lose rows get a new version; `deleted` counts over every partition scanned so far.
        if (deleted > deletedBefore) touched.add(partitionId);
      }
      if (deleted === 0) return okResult(0);
      const writer = ctx.services.store.beginLoad(table.id, { replacePartitionIds: [...touched], signal: ctx.signal });
      try {
        for (const partitionId of touched) {
          for (const tablet of listTablets(ctx.services.catalog, { partitionId })) {
            const rows = survivors.get(tablet.id) ?? [];
            if (rows.length > 0) await writer.writeTablet(tablet.id, rows);
          }
        }
        await writer.commit();
      } catch (error) {
        await writer.abort();
        throw error;
      }
      return okResult(deleted);
    } finally {
      pin.release();
    }
  });
}
