/**
 * FROM resolution: a table reference becomes a RowSource — an OLAP table's storage scan (with partition pruning),
 * a view's query, or an information_schema virtual table.
 */
import type { TableRef } from '../../../grammar/ast.ts';
import { parseStatement } from '../../../grammar/index.ts';
import { listPartitions, type TableMeta } from '../../catalog/index.ts';
import { analysisError, sqlError } from '../../errors/index.ts';
import { batchRows } from '../../storage/index.ts';
import type { Row, Value } from '../../types/value.ts';
import type { ExecutionContext } from '../context.ts';
import type { EvalContext } from '../eval/context.ts';
import { INFORMATION_SCHEMA, informationSchemaTable } from '../handlers/information-schema.ts';
import { requireDatabase, findTable, unknownTable } from '../names.ts';
import { prunePartitions } from '../partition/index.ts';
import { arrayRowSource, type ResolvedSource, type RowSource } from '../select/row-source.ts';
import { selectRowSource } from '../select/select-source.ts';
import { shouldYield, yieldTurn } from '../pace.ts';
import { canSeeDatabase, canSeeTable } from '../privileges/check.ts';
import { partitioningOf } from './partitioning.ts';
import type { ReadPlan } from '../transaction/session-transaction.ts';

/** Views may reference views; a chain this deep means a cycle (a view redefined to read itself). */
const MAX_VIEW_DEPTH = 32;

export function tableResolver(ctx: ExecutionContext, evalCtx: EvalContext, depth = 0): (ref: TableRef) => Promise<ResolvedSource> {
  return async (ref) => {
    const dbName = ref.name.db ?? ctx.session.database;
    if (dbName !== undefined && dbName.toLowerCase() === INFORMATION_SCHEMA) {
      const vt = informationSchemaTable(ctx.services, ref.name.name, {
        database: (db) => canSeeDatabase(ctx, db),
        table: (db, t) => canSeeTable(ctx, db, t),
      });
      if (vt === undefined) throw sqlError('ER_NO_SUCH_TABLE', `Table '${INFORMATION_SCHEMA}.${ref.name.name}' doesn't exist`);
      return { source: arrayRowSource(vt.columns.map((c) => ({ ...c, nullable: true })), vt.rows), qualifiers: [INFORMATION_SCHEMA, ref.name.name] };
    }
    const db = requireDatabase(ctx, ref.name.db);
    const table = findTable(ctx, db, ref.name.name);
    if (table === undefined) throw unknownTable(db.name, ref.name.name);
    // LOCK TABLES, another session's WRITE lock, the transaction's snapshot (src/sql/transaction).
    const plan = await ctx.session.transaction.readPlan(ctx, table, depth > 0);
    if (table.kind === 'VIEW') {
      if (ref.partitions) throw analysisError(`PARTITION can not be used on view ${table.name}`);
      if (depth >= MAX_VIEW_DEPTH) throw analysisError(`View ${db.name}.${table.name} nests more than ${MAX_VIEW_DEPTH} views deep: a view probably reads itself`);
      return { source: await viewSource(ctx, evalCtx, table, db.name, depth), qualifiers: [db.name, table.name] };
    }
    return { ...tableSource(ctx, evalCtx, table, ref, plan), qualifiers: [db.name, table.name] };
  };
}

function tableSource(ctx: ExecutionContext, evalCtx: EvalContext, table: TableMeta, ref: TableRef, plan: ReadPlan): ResolvedSource {
  const partitions = listPartitions(ctx.services.catalog, table.id);
  let allowed: readonly number[] | undefined;
  if (ref.partitions) {
    allowed = ref.partitions.names.map((name) => {
      const p = partitions.find((x) => x.name === name);
      if (p === undefined) throw sqlError('ER_UNKNOWN_PARTITION', `Unknown partition '${name}' in table '${table.name}'`);
      return p.id;
    });
  }
  const source: RowSource = {
    columns: table.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable })),
    async *scan(options) {
      let ids = options.partitionIds ?? allowed;
      if (allowed && options.partitionIds) ids = options.partitionIds.filter((id) => allowed.includes(id));
      // A snapshot read: only the partitions that existed then, each at its version then.
      const versions = plan.versions;
      if (versions !== undefined) ids = (ids ?? partitions.map((p) => p.id)).filter((id) => versions.has(id));
      const wanted = options.columns;
      const scanOptions = {
        ...(ids === undefined ? {} : { partitionIds: ids }),
        ...(wanted === undefined ? {} : { columns: wanted }),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(versions === undefined ? {} : { versions }),
      };
      const width = table.columns.length;
      for await (const batch of ctx.services.store.scan(table.id, scanOptions)) {
        if (shouldYield()) await yieldTurn(options.signal);
        yield wanted === undefined ? batchRows(batch) : widenRows(batch.columns, batch.rowCount, wanted, width);
      }
    },
  };
  const partitioning = partitioningOf(table, partitions);
  return {
    source,
    prune: (where, scope) => (partitioning.kind === 'unpartitioned' ? undefined : prunePartitions(partitioning, where, scope, evalCtx)),
  };
}

/** Rows of full table width from a column-projected batch; unread columns are null. */
function widenRows(columns: readonly (readonly Value[])[], rowCount: number, wanted: readonly number[], width: number): Row[] {
  const rows = new Array<Row>(rowCount);
  for (let r = 0; r < rowCount; r++) {
    const row = new Array<Value>(width).fill(null);
    for (let j = 0; j < wanted.length; j++) row[wanted[j] as number] = (columns[j] as readonly Value[])[r] as Value;
    rows[r] = row;
  }
  return rows;
}

async function viewSource(ctx: ExecutionContext, evalCtx: EvalContext, view: TableMeta, dbName: string, depth: number): Promise<RowSource> {
  const statement = parseStatement(view.viewDefinition ?? '');
  if (statement.kind !== 'Select' && statement.kind !== 'SetOperation') throw analysisError(`View ${dbName}.${view.name} does not hold a SELECT`);
  // A view's unqualified names resolve in the view's own database, whatever the session's current database is.
  const viewCtx: ExecutionContext = { ...ctx, session: { ...ctx.session, database: dbName } };
  const inner = await selectRowSource(statement, {
    resolveTable: tableResolver(viewCtx, evalCtx, depth + 1),
    ctx: evalCtx,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  // The view's declared column names (CREATE VIEW v (a, b)) rename the query's output.
  return {
    columns: inner.columns.map((c, i) => ({ ...c, name: view.columns[i]?.name ?? c.name })),
    scan: (options) => inner.scan(options),
  };
}
