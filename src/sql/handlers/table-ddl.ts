/**
 * CREATE / DROP / TRUNCATE / ALTER TABLE and CREATE / DROP VIEW: analysis of the written definition into a catalog
 * table (StarRocks' rules and messages), then one catalog operation.
 */
import type {
  AlterTableStmt, ColumnDef, CreateTableStmt, DistributionDesc, DropTableStmt, DropViewStmt, TruncateTableStmt,
} from '../../../grammar/ast.ts';
import {
  createTable, listBackends, listPartitions, renameTable,
  type ColumnMeta, type DistributionInfo, type KeyModel, type PartitionInfo, type TableMeta,
} from '../../catalog/index.ts';
import { analysisError, ddlError, sqlError } from '../../errors/index.ts';
import { resolveDataType, type ColumnType } from '../../types/column-type.ts';
import { checkNotRestoreTarget } from '../restore/restore-guard.ts';
import type { ExecutionContext } from '../context.ts';
import { exprToSql } from '../eval/expr-to-sql.ts';
import { findTable, requireDatabase, requireOlapTable, requireTable } from '../names.ts';
import { okResult, type StatementResult } from '../result.ts';
import { buildPartitionSpecs, addPartitionSpec } from '../ddl/partition-specs.ts';
import { checkTableProperties, replicationNumOf } from '../ddl/table-properties.ts';

export function executeCreateTable(ctx: ExecutionContext, node: CreateTableStmt): StatementResult {
  const db = requireDatabase(ctx, node.name.db);
  if (node.ifNotExists && findTable(ctx, db, node.name.name) !== undefined) return okResult(0);
  validateTableName(node.name.name);
  const backends = listBackends(ctx.services.catalog).length;
  const properties = Object.fromEntries(node.properties.map((p) => [p.key, p.value]));
  checkTableProperties(properties);
  const replicationNum = replicationNumOf(properties, backends);
  const keyModel: KeyModel = node.keys?.model ?? 'DUPLICATE';
  const columns = analyzeColumns(node.columns, keyModel, node.keys?.columns);
  const keyColumns = columns.filter((c) => c.isKey).map((c) => c.name);
  const distribution = analyzeDistribution(node.distribution, columns, keyModel, backends);
  let partitionInfo: PartitionInfo = { kind: 'UNPARTITIONED' };
  if (node.partition) {
    const names = node.partition.columns;
    for (const name of names) {
      const column = columns.find((c) => c.name === name);
      if (column === undefined) throw analysisError(`Partition column[${name}] does not exist in column list`);
      if (keyModel !== 'DUPLICATE' && !column.isKey) throw analysisError(`The partition column could not be aggregated column, and should be key column: ${name}`);
    }
    partitionInfo = node.partition.kind === 'RangePartitionDesc' ? { kind: 'RANGE', columns: names } : { kind: 'LIST', columns: names };
  }
  const partitions = node.partition ? buildPartitionSpecs(node.partition, columns) : [];
  createTable(ctx.services.catalog, {
    dbId: db.id,
    name: node.name.name,
    columns,
    keyModel,
    keyColumns,
    partitionInfo,
    distribution,
    replicationNum,
    properties: { ...properties, replication_num: String(replicationNum) },
    ...(node.comment === undefined ? {} : { comment: node.comment }),
    partitions,
    ifNotExists: node.ifNotExists,
  });
  return okResult(0);
}

/** StarRocks' table-name rule (FeNameFormat COMMON_TABLE_NAME_REGEX, relaxed to the common form). */
export function validateTableName(name: string): void {
  if (!/^[^\0\n\r\t`]{1,1024}$/.test(name) || name.trim() !== name) throw analysisError(`Incorrect table name '${name}'`);
}

/** Resolve written columns: types, nullability, defaults, key flags and aggregate functions per key model. */
export function analyzeColumns(defs: readonly ColumnDef[], keyModel: KeyModel, keyNames: readonly string[] | undefined): ColumnMeta[] {
  if (defs.length === 0) throw analysisError('Table should contain at least one column');
  const seen = new Set<string>();
  for (const d of defs) {
    const lower = d.name.toLowerCase();
    if (seen.has(lower)) throw sqlError('ER_DUP_FIELDNAME', `Duplicate column name '${d.name}'`);
    seen.add(lower);
  }
  // Without a KEY clause StarRocks makes a DUPLICATE KEY of the leading columns (up to three, stopping before a
  // float/double/string column); tablevault does the same.
  const keys = keyNames ?? defaultDuplicateKeys(defs);
  keys.forEach((k, i) => {
    const at = defs.findIndex((d) => d.name === k);
    if (at < 0) throw analysisError(`Key column[${k}] does not exist in column list`);
    if (at !== i) throw analysisError(`Key columns should be a ordered prefix of the schema. The key column ${k} should be at position ${i + 1}`);
  });
  return defs.map((d, i) => {
    const type = resolveType(d);
    const isKey = i < keys.length;
    if (keyModel === 'AGGREGATE') {
      if (isKey && d.aggregate) throw analysisError(`Key column ${d.name} can not set aggregation type`);
      if (!isKey && !d.aggregate) throw analysisError(`The column[${d.name}] of AGGREGATE KEY table must specify aggregate function`);
      // StarRocks' AggregateType.checkCompatibility: SUM adds numbers only; MIN/MAX/REPLACE take any scalar type.
      if (d.aggregate === 'SUM' && !SUMMABLE.has(type.name)) {
        throw analysisError(`Invalid aggregate function 'SUM' for '${d.name}': SUM needs a numeric column, not ${type.name}; use MIN, MAX or REPLACE`);
      }
    } else if (d.aggregate) {
      throw analysisError(`The column[${d.name}] of ${keyModel} KEY table can not specify aggregate function, it is only allowed in AGGREGATE KEY tables`);
    }
    if (isKey && (type.name === 'FLOAT' || type.name === 'DOUBLE')) throw analysisError(`Invalid data type of key column '${d.name}': '${type.name}'. Use DECIMAL instead`);
    if (keyModel === 'PRIMARY' && isKey && d.nullable === true) throw analysisError(`Primary key column ${d.name} can not be nullable`);
    const nullable = d.nullable ?? !(keyModel === 'PRIMARY' && isKey);
    return {
      name: d.name,
      type,
      nullable,
      default: d.default === undefined ? null : defaultText(d),
      aggregate: d.aggregate ?? null,
      isKey,
      comment: d.comment ?? '',
      autoIncrement: d.autoIncrement,
    };
  });
}

/** Column types an AGGREGATE KEY table can SUM. */
const SUMMABLE: ReadonlySet<ColumnType['name']> = new Set(['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'LARGEINT', 'FLOAT', 'DOUBLE', 'DECIMAL']);

function defaultDuplicateKeys(defs: readonly ColumnDef[]): string[] {
  const keys: string[] = [];
  for (const d of defs) {
    if (keys.length === 3 || ['FLOAT', 'DOUBLE', 'STRING'].includes(d.type.name)) break;
    keys.push(d.name);
  }
  return keys.length === 0 && defs[0] ? [defs[0].name] : keys;
}

function resolveType(d: ColumnDef): ColumnType {
  const t = resolveDataType(d.type);
  if ('error' in t) throw analysisError(`${t.error} (column ${d.name})`);
  return t;
}

function defaultText(d: ColumnDef): string {
  const e = d.default;
  if (e === undefined || e.kind === 'NullLiteral') return 'NULL';
  if (e.kind === 'FunctionCall' && (e.name === 'current_timestamp' || e.name === 'now')) return 'CURRENT_TIMESTAMP';
  if (e.kind === 'StringLiteral') return e.value;
  if (e.kind === 'NumberLiteral') return e.text;
  if (e.kind === 'Unary' && e.op === '-' && e.operand.kind === 'NumberLiteral') return `-${e.operand.text}`;
  if (e.kind === 'BooleanLiteral') return e.value ? '1' : '0';
  return `(${exprToSql(e)})`;
}

function analyzeDistribution(desc: DistributionDesc | undefined, columns: readonly ColumnMeta[], keyModel: KeyModel, backends: number): DistributionInfo {
  // StarRocks picks the bucket count itself when none is written; one bucket per backend spreads the data evenly.
  const defaultBuckets = Math.max(1, backends);
  if (desc === undefined) {
    return keyModel === 'DUPLICATE'
      ? { kind: 'RANDOM', buckets: defaultBuckets }
      : { kind: 'HASH', columns: columns.filter((c) => c.isKey).map((c) => c.name), buckets: defaultBuckets };
  }
  const buckets = desc.buckets ?? defaultBuckets;
  if (!Number.isInteger(buckets) || buckets < 1) throw analysisError(`Number of buckets should be a positive integer, but got ${buckets}`);
  if (desc.kind === 'RandomDistribution') {
    if (keyModel !== 'DUPLICATE') throw analysisError(`Random distribution is only supported in DUPLICATE KEY tables; use DISTRIBUTED BY HASH(key columns) for ${keyModel} KEY`);
    return { kind: 'RANDOM', buckets };
  }
  for (const name of desc.columns) {
    const column = columns.find((c) => c.name === name);
    if (column === undefined) throw analysisError(`Distribution column(${name}) doesn't exist`);
    if (keyModel !== 'DUPLICATE' && !column.isKey) throw analysisError(`Distribution column[${name}] is not key column`);
    if (column.type.name === 'FLOAT' || column.type.name === 'DOUBLE') throw analysisError(`Distribution column[${name}] can not be a FLOAT or DOUBLE column`);
  }
  return { kind: 'HASH', columns: desc.columns, buckets };
}

export function executeDropTable(ctx: ExecutionContext, node: DropTableStmt | DropViewStmt): StatementResult {
  const db = requireDatabase(ctx, node.name.db);
  const table = findTable(ctx, db, node.name.name);
  if (table === undefined) {
    if (node.ifExists) return okResult(0);
    throw sqlError('ER_BAD_TABLE_ERROR', `Unknown table '${db.name}.${node.name.name}'`);
  }
  if (node.kind === 'DropView' && table.kind !== 'VIEW') throw sqlError('ER_WRONG_OBJECT', `'${db.name}.${table.name}' is not VIEW`);
  if (node.kind === 'DropTable' && table.kind === 'VIEW') {
    // MySQL and MariaDB: DROP TABLE IF EXISTS leaves a view alone without an error (mariadb-dump writes it before
    // re-creating every view, so a dump loads back over a database that still has its views).
    if (node.ifExists) return okResult(0);
    throw sqlError('ER_WRONG_OBJECT', `'${db.name}.${table.name}' is a view; use DROP VIEW`);
  }
  checkNotRestoreTarget(ctx.services.catalog, db, table, 'dropped');
  ctx.services.store.dropTable(table.id);
  return okResult(0);
}

export async function executeTruncateTable(ctx: ExecutionContext, node: TruncateTableStmt): Promise<StatementResult> {
  const { db, table } = requireOlapTable(ctx, node.name);
  checkNotRestoreTarget(ctx.services.catalog, db, table, 'truncated');
  const partitions = listPartitions(ctx.services.catalog, table.id);
  let ids: number[] | undefined;
  if (node.partitions) {
    ids = node.partitions.names.map((name) => {
      const p = partitions.find((x) => x.name === name);
      if (p === undefined) throw ddlError(`Partition ${name} does not exist in table ${table.name}`);
      return p.id;
    });
  }
  await ctx.services.tableLocks.run(table.id, async () => ctx.services.store.truncate(table.id, ids));
  return okResult(0);
}

export function executeAlterTable(ctx: ExecutionContext, node: AlterTableStmt): StatementResult {
  const { db, table } = requireTable(ctx, node.name);
  checkNotRestoring(table);
  for (const action of node.actions) {
    switch (action.kind) {
      case 'RenameTable':
        validateTableName(action.newName);
        if (findTable(ctx, db, action.newName) !== undefined) throw sqlError('ER_TABLE_EXISTS_ERROR', `Table '${action.newName}' already exists`);
        renameTable(ctx.services.catalog, table.id, action.newName);
        break;
      case 'AddPartition':
        requireOlap(table);
        addPartitionSpec(ctx.services.catalog, table, action.partition, action.distribution, listBackends(ctx.services.catalog).length);
        break;
      case 'DropPartition': {
        requireOlap(table);
        const p = listPartitions(ctx.services.catalog, table.id).find((x) => x.name === action.name);
        if (p === undefined) {
          if (action.ifExists) break;
          throw ddlError(`Error in list of partitions to ${table.name}: partition ${action.name} does not exist. Check SHOW PARTITIONS FROM ${table.name}`);
        }
        if (table.partitionInfo.kind === 'UNPARTITIONED') throw ddlError(`Table ${table.name} is not partitioned: use TRUNCATE TABLE or DROP TABLE`);
        ctx.services.store.dropPartition(p.id);
        break;
      }
      case 'SetProperties': {
        const props = Object.fromEntries(action.properties.map((p) => [p.key, p.value]));
        checkTableProperties(props);
        if ('replication_num' in props) throw ddlError('Changing replication_num of an existing table is not supported; restore or recreate the table with the new value');
        ctx.services.catalog.db
          .prepare('UPDATE tables SET properties = ? WHERE id = ?')
          .run(JSON.stringify({ ...table.properties, ...props }), table.id);
        break;
      }
    }
  }
  return okResult(0);
}

function requireOlap(table: TableMeta): void {
  if (table.kind !== 'OLAP') throw sqlError('ER_WRONG_OBJECT', `'${table.name}' is a view`);
}

/** StarRocks: "Before the RESTORE job is completed, you cannot operate the table to be restored". */
export function checkNotRestoring(table: TableMeta): void {
  if (table.state === 'RESTORE') throw ddlError(`Table ${table.name}'s state is RESTORE: a restore job is writing it. Wait for it to finish (SHOW RESTORE) or cancel it (CANCEL RESTORE)`);
}
