/**
 * INSERT INTO / INSERT OVERWRITE … VALUES | SELECT: evaluate source rows, coerce each value to its column (type,
 * range, length, NOT NULL, defaults), route rows to partitions, and load them as one new version per touched
 * partition. Any error aborts the load: nothing of the statement becomes visible.
 */
import type { Expr, InsertStmt } from '../../../grammar/ast.ts';
import { listPartitions, type ColumnMeta, type TableMeta } from '../../catalog/index.ts';
import { analysisError, sqlError } from '../../errors/index.ts';
import { coerceForColumn, coerceValue } from '../../types/coerce.ts';
import type { Row, Value } from '../../types/value.ts';
import type { ExecutionContext } from '../context.ts';
import { compileExpr } from '../eval/compile.ts';
import type { EvalContext } from '../eval/context.ts';
import { EMPTY_SCOPE } from '../eval/scope.ts';
import { requireOlapTable } from '../names.ts';
import { createRouter } from '../partition/index.ts';
import { okResult, type StatementResult } from '../result.ts';
import { shouldYield, yieldTurn } from '../pace.ts';
import { selectRowSource } from '../select/select-source.ts';
import { sessionEvalContext } from '../session-eval-context.ts';
import { partitioningOf } from '../table/partitioning.ts';
import { tableResolver } from '../table/table-source.ts';
import { checkNotRestoring } from './table-ddl.ts';

/** Rows handed to the load writer at a time: bounded memory for INSERT … SELECT of millions of rows. */
const BATCH = 8192;

export async function executeInsert(ctx: ExecutionContext, node: InsertStmt): Promise<StatementResult> {
  const { table } = requireOlapTable(ctx, node.table);
  checkNotRestoring(table);
  const evalCtx = sessionEvalContext(ctx);
  const targets = targetColumns(table, node.columns);
  const fill = rowBuilder(table, targets, evalCtx);
  const txn = ctx.session.transaction;
  await txn.checkWrite(ctx, table, !node.overwrite);
  return ctx.services.tableLocks.run(table.id, async () => {
    const partitions = listPartitions(ctx.services.catalog, table.id);
    const route = createRouter(partitioningOf(table, partitions));
    let allowed: Set<number> | undefined;
    if (node.partitions) {
      allowed = new Set(node.partitions.names.map((name) => {
        const p = partitions.find((x) => x.name === name);
        if (p === undefined) throw sqlError('ER_UNKNOWN_PARTITION', `Unknown partition '${name}' in table '${table.name}'`);
        return p.id;
      }));
    }
    const writer = ctx.services.store.beginLoad(table.id, {
      signal: ctx.signal,
      ...(node.overwrite ? { replacePartitionIds: allowed ? [...allowed] : partitions.map((p) => p.id) } : {}),
    });
    let rowNumber = 0;
    const byPartition = new Map<number, Row[]>();
    let pending = 0;
    const flush = async (): Promise<void> => {
      for (const [partitionId, rows] of byPartition) await writer.write(partitionId, rows);
      byPartition.clear();
      pending = 0;
    };
    // Synchronous per row (true when a batch is full): an await per row cost more than routing and coercing it.
    const add = (source: readonly Value[]): boolean => {
      rowNumber++;
      const row = fill(source, rowNumber);
      const partitionId = route(row);
      if (allowed && !allowed.has(partitionId)) {
        throw sqlError('ER_NO_PARTITION_FOR_GIVEN_VALUE', `Row ${rowNumber} does not belong to the partitions named in PARTITION (${node.partitions?.names.join(', ')})`);
      }
      let list = byPartition.get(partitionId);
      if (list === undefined) byPartition.set(partitionId, (list = []));
      list.push(row);
      return ++pending >= BATCH;
    };
    try {
      if (node.source.kind === 'Values') {
        for (const exprs of node.source.rows) {
          if (exprs.length !== targets.length) throw sqlError('ER_WRONG_VALUE_COUNT_ON_ROW', `Column count doesn't match value count at row ${rowNumber + 1}`);
          if (add(exprs.map((e) => constant(e, evalCtx)))) await flush();
          if (shouldYield()) await yieldTurn(ctx.signal);
        }
      } else {
        const source = await selectRowSource(node.source.query, { resolveTable: tableResolver(ctx, evalCtx), ctx: evalCtx, signal: ctx.signal });
        if (source.columns.length !== targets.length) {
          throw sqlError('ER_WRONG_VALUE_COUNT_ON_ROW', `Column count doesn't match value count at row 1 (the SELECT returns ${source.columns.length} columns, the INSERT names ${targets.length})`);
        }
        for await (const batch of source.scan({ signal: ctx.signal })) {
          for (const r of batch) if (add(r)) await flush();
          if (shouldYield()) await yieldTurn(ctx.signal);
        }
      }
      await flush();
      const label = node.label ?? `insert_${ctx.session.connectionId}_${ctx.services.clock.now()}`;
      if (txn.inTransaction && !node.overwrite) {
        // Inside a transaction: files durable now, visible at COMMIT (all of the transaction's loads at once).
        const prepared = await writer.prepare();
        return okResult(prepared.rows, `{'label':'${label}', 'status':'PREPARE', 'txnId':'${txn.defer(table, prepared)}'}`);
      }
      const result = await writer.commit();
      return okResult(result.rows, `{'label':'${label}', 'status':'VISIBLE', 'txnId':'${[...result.versions.values()][0] ?? 0}'}`);
    } catch (error) {
      await writer.abort();
      throw error;
    }
  });
}

function targetColumns(table: TableMeta, names: readonly string[] | undefined): ColumnMeta[] {
  if (names === undefined) return [...table.columns];
  const seen = new Set<string>();
  return names.map((name) => {
    const column = table.columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
    if (column === undefined) throw sqlError('ER_BAD_FIELD_ERROR', `Unknown column '${name}' in 'field list'`);
    if (seen.has(column.name)) throw sqlError('ER_DUP_FIELDNAME', `Column '${name}' specified twice`);
    seen.add(column.name);
    return column;
  });
}

/** Build full table rows from source values: coerce the named columns, fill the rest with defaults. */
function rowBuilder(table: TableMeta, targets: readonly ColumnMeta[], evalCtx: EvalContext): (source: readonly Value[], rowNumber: number) => Row {
  const positions = table.columns.map((c) => targets.indexOf(c));
  const defaults = table.columns.map((c, i) => (positions[i] === -1 ? defaultOf(c, evalCtx) : null));
  return (source, rowNumber) =>
    table.columns.map((c, i) => {
      const at = positions[i] as number;
      return at === -1 ? (defaults[i] as Value) : coerceForColumn(source[at] ?? null, c, rowNumber);
    });
}

function defaultOf(column: ColumnMeta, evalCtx: EvalContext): Value {
  const text = column.default;
  if (text === null || text === 'NULL') {
    if (column.nullable) return null;
    throw sqlError('ER_BAD_NULL_ERROR', `Field '${column.name}' doesn't have a default value. Give it a value in the INSERT column list`);
  }
  if (text === 'CURRENT_TIMESTAMP') {
    const d = new Date(evalCtx.now());
    return coerceValue(`${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()} ${d.getHours()}:${d.getMinutes()}:${d.getSeconds()}`, column.type);
  }
  return coerceValue(text.startsWith('(') ? text.slice(1, -1) : text, column.type);
}

function constant(expr: Expr, evalCtx: EvalContext): Value {
  const compiled = compileExpr(expr, { scope: EMPTY_SCOPE, ctx: evalCtx, clause: 'field list' });
  if (!compiled.constant && expr.kind === 'ColumnRef') throw analysisError(`Column '${expr.name}' can not be used in VALUES; write a literal or an expression of literals`);
  return compiled.evaluate([]);
}
