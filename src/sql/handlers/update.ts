/**
 * UPDATE t SET c = e, … WHERE … on PRIMARY KEY tables (StarRocks' semantics and messages): every row the WHERE
 * selects is written again with the assigned columns recomputed from the old row and every other column kept, as a
 * new version (a delta rowset the primary-key merge lets win). Key columns cannot be assigned, so an updated row keeps
 * its key, partition and tablet. Other key models refuse UPDATE, as StarRocks does.
 *
 * The rows come from the SELECT pipeline — `SELECT <each column, or its SET expression> FROM t WHERE …` — so WHERE and
 * SET have exactly SELECT's power: functions, subqueries (correlated ones too), partition pruning. The statement runs
 * under the table lock, so what it reads is what it overwrites.
 */
import type { Expr, SelectStmt, UpdateStmt } from '../../../grammar/ast.ts';
import { listPartitions } from '../../catalog/index.ts';
import { analysisError, sqlError } from '../../errors/index.ts';
import { coerceForColumn } from '../../types/coerce.ts';
import type { Row } from '../../types/value.ts';
import type { ExecutionContext } from '../context.ts';
import { checkSchemaUnchanged } from '../ddl/job-guard.ts';
import { requireOlapTable } from '../names.ts';
import { createRouter } from '../partition/index.ts';
import { okResult, type StatementResult } from '../result.ts';
import { selectRowSource } from '../select/select-source.ts';
import { sessionEvalContext } from '../session-eval-context.ts';
import { partitioningOf } from '../table/partitioning.ts';
import { tableResolver } from '../table/table-source.ts';
import { checkNotRestoring } from './table-ddl.ts';

/** Rows handed to the load writer at a time. */
const BATCH = 8192;

export async function executeUpdate(ctx: ExecutionContext, node: UpdateStmt): Promise<StatementResult> {
  const { table } = requireOlapTable(ctx, node.table);
  checkNotRestoring(table);
  if (table.keyModel !== 'PRIMARY') throw analysisError(`only support updating primary key table. Table ${table.name} is ${table.keyModel} KEY; change rows with DELETE and INSERT instead`);
  if (node.where === undefined) throw analysisError('must specify where clause to prevent full table update');
  const assigned = new Map<number, Expr>();
  for (const a of node.assignments) {
    const index = table.columns.findIndex((c) => c.name.toLowerCase() === a.column.toLowerCase());
    const column = table.columns[index];
    if (column === undefined) throw sqlError('ER_BAD_FIELD_ERROR', `Unknown column '${a.column}' in '${table.name}'`);
    if (column.isKey) throw analysisError(`primary key column cannot be updated: ${column.name}`);
    if (assigned.has(index)) throw sqlError('ER_DUP_FIELDNAME', `Duplicate column name '${column.name}' in SET`);
    assigned.set(index, a.value);
  }
  // Every SET expression sees the old row (StarRocks and standard SQL), not earlier assignments.
  const query: SelectStmt = {
    kind: 'Select',
    distinct: false,
    items: table.columns.map((c, i) => ({ kind: 'SelectExpr', expr: assigned.get(i) ?? { kind: 'ColumnRef', qualifiers: [], name: c.name } })),
    from: { kind: 'TableRef', name: node.table },
    where: node.where,
    groupBy: [],
    orderBy: [],
  };
  const evalCtx = sessionEvalContext(ctx);
  // LOCK TABLES rules, another session's WRITE lock, READ ONLY transactions: as DELETE (a rewrite, on its own).
  await ctx.session.transaction.checkWrite(ctx, table, false);
  return ctx.services.tableLocks.run(table.id, async () => {
    checkSchemaUnchanged(ctx.services.catalog, table);
    const source = await selectRowSource(query, { resolveTable: tableResolver(ctx, evalCtx), ctx: evalCtx, signal: ctx.signal });
    const route = createRouter(partitioningOf(table, listPartitions(ctx.services.catalog, table.id)));
    const writer = ctx.services.store.beginLoad(table.id, { signal: ctx.signal });
    try {
      let updated = 0;
      const pending = new Map<number, Row[]>();
      let buffered = 0;
      const flush = async (): Promise<void> => {
        for (const [partitionId, rows] of pending) await writer.write(partitionId, rows);
        pending.clear();
        buffered = 0;
      };
      for await (const batch of source.scan({ signal: ctx.signal })) {
        for (const row of batch) {
          updated++;
          const next = [...row];
          for (const i of assigned.keys()) next[i] = coerceForColumn(row[i] ?? null, table.columns[i]!, updated);
          const partitionId = route(next);
          let list = pending.get(partitionId);
          if (list === undefined) pending.set(partitionId, (list = []));
          list.push(next);
          if (++buffered >= BATCH) await flush();
        }
      }
      await flush();
      if (updated === 0) {
        await writer.abort();
        return okResult(0);
      }
      await writer.commit();
      return okResult(updated);
    } catch (error) {
      await writer.abort();
      throw error;
    }
  });
}
