/**
 * ALTER TABLE: partitions (formal and temporary), schema change, RENAME, COMMENT, SET properties (replication_num
 * changes replicas for real), SWAP WITH, REPLACE PARTITION … WITH TEMPORARY PARTITION — StarRocks' clauses and
 * messages. Column clauses of one statement are one schema change (one new schema version): metadata only unless a
 * type change alters how values are stored, then the table is rewritten and the new schema published with the new
 * files in one transaction (ddl/rewrite-table.ts). Everything that changes data or identity runs under the table lock,
 * so it is serialised with loads, DELETE and UPDATE.
 */
import type { AlterTableAction, AlterTableStmt } from '../../../grammar/ast.ts';
import {
  alterSchema, getTable, listBackends, listPartitions, renameTable, replacePartitions, swapTables, type Database, type TableMeta,
} from '../../catalog/index.ts';
import { ddlError, sqlError } from '../../errors/index.ts';
import type { ExecutionContext } from '../context.ts';
import { checkNoJobOn } from '../ddl/job-guard.ts';
import { addPartitionSpec } from '../ddl/partition-specs.ts';
import { rewriteTable } from '../ddl/rewrite-table.ts';
import { applyColumnActions, isColumnAction, type ColumnAction } from '../ddl/schema-change.ts';
import { checkTableProperties } from '../ddl/table-properties.ts';
import { analyzeReplace } from '../ddl/temp-partitions.ts';
import { findTable, requireTable } from '../names.ts';
import { okResult, type StatementResult } from '../result.ts';
import { checkNotRestoring, validateTableName } from './table-ddl.ts';

/** StarRocks' alter_table_timeout_second default, shown in SHOW ALTER TABLE COLUMN. */
const ALTER_TIMEOUT_SECONDS = 86400;

export async function executeAlterTable(ctx: ExecutionContext, node: AlterTableStmt): Promise<StatementResult> {
  const { db, table } = requireTable(ctx, node.name);
  checkNotRestoring(table);
  const columnActions = node.actions.filter(isColumnAction);
  if (columnActions.length > 0) {
    if (columnActions.length !== node.actions.length) {
      throw ddlError('A schema change (ADD / DROP / MODIFY / RENAME COLUMN) cannot be combined with other ALTER TABLE clauses; run them as separate statements');
    }
    requireOlap(table);
    checkNoJobOn(ctx.services.catalog, db, table, 'changed');
    await schemaChange(ctx, table.id, columnActions);
    return okResult(0);
  }
  for (const action of node.actions) if (!isColumnAction(action)) await alterOne(ctx, db, table, action);
  return okResult(0);
}

/** One schema change, under the table lock (against the schema as it is once the lock is held). */
async function schemaChange(ctx: ExecutionContext, tableId: number, actions: readonly ColumnAction[]): Promise<void> {
  const { catalog, store } = ctx.services;
  await ctx.services.tableLocks.run(tableId, async () => {
    const table = getTable(catalog, { id: tableId });
    if (table === undefined) throw sqlError('ER_BAD_TABLE_ERROR', `Unknown table '${String(tableId)}'`);
    checkNotRestoring(table);
    const startedAt = ctx.services.clock.now();
    const schema = applyColumnActions(table, actions);
    const jobId = catalog.nextId();
    const transactionId = schema.rewrite.size > 0 ? catalog.nextId() : 0;
    const publish = (): void => {
      alterSchema(catalog, {
        tableId,
        fromVersion: table.schemaVersion,
        columns: schema.columns,
        keyColumns: schema.keyColumns,
        partitionInfo: schema.partitionInfo,
        distribution: schema.distribution,
        nextColumnId: schema.nextColumnId,
        job: { id: jobId, createTime: startedAt, transactionId, timeoutSeconds: ALTER_TIMEOUT_SECONDS },
      });
    };
    if (schema.rewrite.size === 0) {
      catalog.durableTransaction(publish);
      return;
    }
    const next: TableMeta = {
      ...table,
      columns: schema.columns,
      keyColumns: schema.keyColumns,
      partitionInfo: schema.partitionInfo,
      distribution: schema.distribution,
      nextColumnId: schema.nextColumnId,
      schemaVersion: table.schemaVersion + 1,
    };
    ctx.services.logger.child({ component: 'schema-change' }).info({ table: table.name, jobId, columns: [...schema.rewrite] }, 'schema change rewrites the table');
    await rewriteTable(store, table, next, publish, ctx.signal);
  });
}

async function alterOne(ctx: ExecutionContext, db: Database, table: TableMeta, action: Exclude<AlterTableAction, ColumnAction>): Promise<void> {
  const { catalog, store } = ctx.services;
  switch (action.kind) {
    case 'RenameTable':
      validateTableName(action.newName);
      // BACKUP and RESTORE jobs name their tables: renaming one under a job would point it at nothing (or another).
      checkNoJobOn(catalog, db, table, 'renamed');
      if (findTable(ctx, db, action.newName) !== undefined) throw sqlError('ER_TABLE_EXISTS_ERROR', `Table '${action.newName}' already exists`);
      renameTable(catalog, table.id, action.newName);
      return;
    case 'SetComment':
      catalog.db.prepare('UPDATE tables SET comment = ? WHERE id = ?').run(action.comment, table.id);
      return;
    case 'AddPartition':
      requireOlap(table);
      if (action.temporary) checkNoJobOn(catalog, db, table, 'given temporary partitions');
      addPartitionSpec(catalog, table, action.partition, action.distribution, listBackends(catalog).length, action.temporary);
      return;
    case 'DropPartition': {
      requireOlap(table);
      const p = listPartitions(catalog, table.id, { temporary: action.temporary }).find((x) => x.name === action.name);
      if (p === undefined) {
        if (action.ifExists) return;
        if (action.temporary) throw ddlError(`Temp partition[${action.name}] does not exist. Check SHOW TEMPORARY PARTITIONS FROM ${table.name}`);
        throw ddlError(`Error in list of partitions to ${table.name}: partition ${action.name} does not exist. Check SHOW PARTITIONS FROM ${table.name}`);
      }
      if (table.partitionInfo.kind === 'UNPARTITIONED') throw ddlError(`Table ${table.name} is not partitioned: use TRUNCATE TABLE or DROP TABLE`);
      await ctx.services.tableLocks.run(table.id, async () => store.dropPartition(p.id));
      return;
    }
    case 'SetProperties':
      await setProperties(ctx, db, table, Object.fromEntries(action.properties.map((p) => [p.key, p.value])));
      return;
    case 'ModifyPartition': {
      requireOlap(table);
      const props = new Map(action.properties.map((p) => [p.key.toLowerCase(), p.value]));
      for (const [key, value] of props) {
        if (key !== 'replication_num') throw ddlError(`Unknown properties: {${key}=${value}}. MODIFY PARTITION … SET takes "replication_num"`);
      }
      const raw = props.get('replication_num');
      if (raw === undefined) return;
      const all = listPartitions(catalog, table.id);
      const chosen = action.partitions === '*' ? all : action.partitions.map((name) => {
        const p = all.find((x) => x.name === name);
        if (p === undefined) throw ddlError(`Partition[${name}] does not exist. Check SHOW PARTITIONS FROM ${table.name}`);
        return p;
      });
      await changeReplicas(ctx, db, table, chosen.map((p) => p.id), raw);
      return;
    }
    case 'SwapWith': {
      requireOlap(table);
      const other = findTable(ctx, db, action.table);
      if (other === undefined) throw sqlError('ER_BAD_TABLE_ERROR', `Unknown table '${db.name}.${action.table}'`);
      if (other.kind !== 'OLAP') throw ddlError(`Table ${other.name} is not an OLAP table: only OLAP tables can be swapped`);
      if (other.id === table.id) throw ddlError(`Can not swap table ${table.name} with itself`);
      checkNotRestoring(other);
      checkNoJobOn(catalog, db, table, 'swapped');
      checkNoJobOn(catalog, db, other, 'swapped');
      // Both locks, in id order (two SWAPs of the same pair cannot deadlock): no load or DELETE straddles the swap.
      const [first, second] = table.id < other.id ? [table.id, other.id] : [other.id, table.id];
      await ctx.services.tableLocks.run(first, () => ctx.services.tableLocks.run(second, async () => swapTables(catalog, table.id, other.id)));
      return;
    }
    case 'ReplacePartition': {
      requireOlap(table);
      checkNoJobOn(catalog, db, table, 'changed');
      await ctx.services.tableLocks.run(table.id, async () => {
        replacePartitions(catalog, analyzeReplace(catalog, table, action.partitions, action.with, action.properties));
        await store.collectGarbage();
      });
      return;
    }
  }
}

/**
 * SET (…): replication_num re-replicates the table's partitions for real (unpartitioned tables; a partitioned
 * table's default for new partitions is default.replication_num, as in StarRocks); other known keys are stored.
 */
async function setProperties(ctx: ExecutionContext, db: Database, table: TableMeta, props: Record<string, string>): Promise<void> {
  const { catalog, store } = ctx.services;
  const replication = props['replication_num'];
  const defaultReplication = props['default.replication_num'];
  const rest = { ...props };
  delete rest['default.replication_num'];
  checkTableProperties(rest);
  if (replication !== undefined || defaultReplication !== undefined) requireOlap(table);
  if (defaultReplication !== undefined) {
    const n = parseReplicationNum(defaultReplication);
    if (n > listBackends(catalog).length) throw ddlError(`default.replication_num ${n} is more than the ${listBackends(catalog).length} backends`);
    rest['replication_num'] = String(n);
  }
  if (replication !== undefined) {
    if (table.partitionInfo.kind !== 'UNPARTITIONED') {
      throw ddlError(
        "This is a partitioned table, you should specify partitions with MODIFY PARTITION clause. If you want to set default replication number, please use 'default.replication_num' instead of 'replication_num' to escape misleading.",
      );
    }
    await changeReplicas(ctx, db, table, listPartitions(catalog, table.id).map((p) => p.id), replication);
  }
  const current = getTable(catalog, { id: table.id }) ?? table;
  catalog.db.prepare('UPDATE tables SET properties = ? WHERE id = ?').run(JSON.stringify({ ...current.properties, ...rest }), table.id);
}

function parseReplicationNum(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(n) || n < 1) throw ddlError(`Invalid replication_num: '${raw}', it must be a positive integer`);
  return n;
}

/** Give the partitions `raw` replicas per tablet, for real (copies made or removed), under the table lock. */
async function changeReplicas(ctx: ExecutionContext, db: Database, table: TableMeta, partitionIds: readonly number[], raw: string): Promise<void> {
  const { catalog, store } = ctx.services;
  const n = parseReplicationNum(raw);
  checkNoJobOn(catalog, db, table, 'given another replica count');
  await ctx.services.tableLocks.run(table.id, async () => {
    await store.setReplicationNum(partitionIds, n);
  });
  // Removed replicas' files go now unless a reader still holds them (then when it finishes).
  await store.collectGarbage();
}

function requireOlap(table: TableMeta): void {
  if (table.kind !== 'OLAP') throw sqlError('ER_WRONG_OBJECT', `'${table.name}' is a view`);
}
