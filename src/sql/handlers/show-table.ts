/**
 * Table inspection: SHOW TABLES, DESC / SHOW COLUMNS, SHOW CREATE TABLE|VIEW, SHOW PARTITIONS, SHOW TABLET,
 * SHOW BACKENDS — StarRocks' column sets, values read from the catalog.
 */
import { statfsSync } from 'node:fs';
import type { DescribeStmt, ShowBackendsStmt, ShowCreateStmt, ShowPartitionsStmt, ShowTablesStmt, ShowTabletStmt } from '../../../grammar/ast.ts';
import {
  getTablet, listPartitions, listReplicas, listTables, partitionStats, tabletStats,
  type ColumnMeta, type RangeBoundValue, type TableMeta,
} from '../../catalog/index.ts';
import { sqlError } from '../../errors/index.ts';
import { formatColumnType, type ColumnType } from '../../types/column-type.ts';
import { columnKey } from '../table/system-tables/keys.ts';
import { mysqlColumnType } from '../table/system-tables/mysql-column-type.ts';
import { extraOf } from '../table/system-tables/catalog-tables.ts';
import { formatDateTime } from '../../util/clock.ts';
import type { ExecutionContext } from '../context.ts';
import { requireDatabase, requireOlapTable, requireTable } from '../names.ts';
import { showResult, type StatementResult } from '../result.ts';
import { applyShowFilter, applyShowPredicates } from '../show-filter.ts';
import { canSeeDatabase, canSeeTable, databaseAccessDenied } from '../privileges/check.ts';
import { describeBounds, partitionClause } from './partition-text.ts';

export function executeShowTables(ctx: ExecutionContext, node: ShowTablesStmt): StatementResult {
  const db = requireDatabase(ctx, node.database);
  // Like MySQL: a database the session holds nothing in is 1044; in a visible one, only visible tables are listed.
  if (!canSeeDatabase(ctx, db.name)) throw databaseAccessDenied(ctx, db.name);
  const tables = listTables(ctx.services.catalog, db.id).filter((t) => canSeeTable(ctx, db.name, t.name));
  const title = `Tables_in_${db.name}`;
  const result = node.full
    ? showResult([title, 'Table_type'], tables.map((t) => [t.name, t.kind === 'VIEW' ? 'VIEW' : 'BASE TABLE']))
    : showResult([title], tables.map((t) => [t.name]));
  return applyShowFilter(ctx, result, node.filter, title);
}

export function executeDescribe(ctx: ExecutionContext, node: DescribeStmt): StatementResult {
  const { table } = requireTable(ctx, node.table);
  // SHOW COLUMNS (and MySQL's DESCRIBE t 'pattern') answer in MySQL's terms — its type spellings (decimal(10,2),
  // tinyint(1)), PRI/MUL keys, auto_increment — as MySQL drivers parse them; DESC keeps StarRocks' own.
  const base = (c: ColumnMeta): (string | null)[] => [
    c.name,
    node.showColumns ? mysqlColumnType(c.type).columnType : formatColumnType(c.type),
    c.nullable ? 'YES' : 'NO',
    node.showColumns ? columnKey(table, c.name) : String(c.isKey),
    defaultShown(c),
    node.showColumns ? extraOf(c) : c.aggregate ?? '',
  ];
  if (node.showColumns) {
    const header = ['Field', 'Type', 'Null', 'Key', 'Default', 'Extra'];
    const result = node.full
      ? showResult([...header.slice(0, 2), 'Collation', ...header.slice(2), 'Privileges', 'Comment'], table.columns.map((c) => {
          const r = base(c);
          return [r[0] ?? null, r[1] ?? null, isText(c) ? 'utf8_general_ci' : null, ...r.slice(2), 'select,insert,update,references', c.comment];
        }))
      : showResult(header, table.columns.map(base));
    return applyShowFilter(ctx, result, node.filter, 'Field');
  }
  if (node.all) {
    return showResult(
      ['IndexName', 'IndexKeysType', 'Field', 'Type', 'Null', 'Key', 'Default', 'Extra'],
      table.columns.map((c, i) => [i === 0 ? table.name : '', i === 0 ? `${table.keyModel}_KEYS` : '', ...base(c)]),
    );
  }
  return showResult(['Field', 'Type', 'Null', 'Key', 'Default', 'Extra'], table.columns.map(base));
}

export function executeShowCreateTable(ctx: ExecutionContext, node: ShowCreateStmt): StatementResult {
  const { table } = requireTable(ctx, node.name);
  if (table.kind === 'VIEW') {
    return showResult(['View', 'Create View', 'character_set_client', 'collation_connection'], [[table.name, createViewText(table), 'utf8', 'utf8_general_ci']]);
  }
  if (node.object === 'VIEW') throw sqlError('ER_WRONG_OBJECT', `'${table.name}' is not VIEW`);
  return showResult(['Table', 'Create Table'], [[table.name, createTableText(ctx, table)]]);
}

/** CREATE VIEW text as SHOW CREATE VIEW prints it. */
export function createViewText(table: TableMeta): string {
  const cols = table.columns.length > 0 ? ` (${table.columns.map((c) => `\`${c.name}\`${c.comment ? ` COMMENT "${c.comment}"` : ''}`).join(', ')})` : '';
  return `CREATE VIEW \`${table.name}\`${cols}${table.comment ? ` COMMENT "${table.comment}"` : ''} AS ${table.viewDefinition ?? ''}`;
}

/**
 * CREATE TABLE text in StarRocks' SHOW CREATE TABLE layout; it parses back to the same table (mariadb-dump copies it
 * into dumps). Within that layout it is written the way MySQL tools read SHOW CREATE TABLE line by line (SQLAlchemy's
 * reflection parser): strings single-quoted, `decimal(10,2)` without a space, the key clause on its own indented
 * line as `  PRIMARY KEY (…)`, and no empty COMMENTs.
 */
export function createTableText(ctx: ExecutionContext, table: TableMeta): string {
  const lines: string[] = [];
  const columnLines = table.columns.map((c) => {
    const parts = [`\`${c.name}\``, createTableType(c.type)];
    if (c.aggregate) parts.push(c.aggregate);
    parts.push(c.nullable ? 'NULL' : 'NOT NULL');
    if (c.autoIncrement) parts.push('AUTO_INCREMENT');
    if (c.default !== null) parts.push(`DEFAULT ${c.default === 'NULL' || c.default === 'CURRENT_TIMESTAMP' ? c.default : sqlString(c.default)}`);
    if (c.comment !== '') parts.push(`COMMENT ${sqlString(c.comment)}`);
    return `  ${parts.join(' ')}`;
  });
  lines.push(`CREATE TABLE \`${table.name}\` (\n${columnLines.join(',\n')}\n) ENGINE=OLAP`);
  if (table.keyColumns.length > 0) lines.push(`  ${table.keyModel} KEY (${table.keyColumns.map((k) => `\`${k}\``).join(', ')})`);
  if (table.comment !== '') lines.push(`COMMENT ${sqlString(table.comment)}`);
  if (table.partitionInfo.kind !== 'UNPARTITIONED') {
    // The grammar has no MINVALUE literal, so the partition whose range starts at the minimum is written as
    // `VALUES LESS THAN (upper)`, first: LESS THAN's lower bound is the previous partition's upper one.
    const all = listPartitions(ctx.services.catalog, table.id);
    const startsAtMin = (p: (typeof all)[number]): boolean => p.bounds.kind === 'RANGE' && (p.bounds.lower.length === 0 || p.bounds.lower[0]?.kind === 'MINVALUE');
    const parts = [...all.filter(startsAtMin), ...all.filter((p) => !startsAtMin(p))].map((p) =>
      startsAtMin(p) && p.bounds.kind === 'RANGE' ? `PARTITION ${p.name} VALUES LESS THAN ${rangeTuple(p.bounds.upper)}` : partitionClause(p.name, p.bounds),
    );
    lines.push(`PARTITION BY ${table.partitionInfo.kind}(${table.partitionInfo.columns.map((c) => `\`${c}\``).join(', ')})\n(${parts.join(',\n')})`);
  }
  const d = table.distribution;
  lines.push(d.kind === 'HASH' ? `DISTRIBUTED BY HASH(${d.columns.map((c) => `\`${c}\``).join(', ')}) BUCKETS ${d.buckets}` : `DISTRIBUTED BY RANDOM BUCKETS ${d.buckets}`);
  const props = Object.entries(table.properties);
  if (props.length > 0) lines.push(`PROPERTIES (\n${props.map(([k, v]) => `"${k}" = "${v}"`).join(',\n')}\n)`);
  return lines.join('\n');
}

/**
 * A column type as SHOW CREATE TABLE writes it: StarRocks' spelling (DESC's), except `decimal(p,s)` without the space
 * and `largeint` without its display width — forms MySQL tools parse (SQLAlchemy reads `largeint(40)` as an unknown
 * type called with an argument, and fails).
 */
function createTableType(t: ColumnType): string {
  if (t.name === 'DECIMAL') return `decimal(${t.precision},${t.scale})`;
  if (t.name === 'LARGEINT') return 'largeint';
  return formatColumnType(t);
}

/** A single-quoted SQL string literal (`'` doubled, `\` escaped), as the grammar reads it back. */
function sqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** `("10", "5")` or `(MAXVALUE)`: a range bound as partition clauses write it. */
function rangeTuple(values: readonly RangeBoundValue[]): string {
  return `(${values.map((v) => (v.kind === 'literal' ? `"${v.value.replace(/"/g, '\\"')}"` : v.kind)).join(', ')})`;
}

const PARTITION_COLUMNS = [
  'PartitionId', 'PartitionName', 'VisibleVersion', 'VisibleVersionTime', 'VisibleVersionHash', 'State', 'PartitionKey', 'Range',
  'DistributionKey', 'Buckets', 'ReplicationNum', 'StorageMedium', 'CooldownTime', 'LastConsistencyCheckTime', 'DataSize',
  'IsInMemory', 'RowCount',
];

export async function executeShowPartitions(ctx: ExecutionContext, node: ShowPartitionsStmt): Promise<StatementResult> {
  const { table } = requireOlapTable(ctx, node.table);
  if (node.temporary) return showResult(PARTITION_COLUMNS, []);
  const stats = partitionStats(ctx.services.catalog, table.id);
  const partitionColumns = table.partitionInfo.kind === 'UNPARTITIONED' ? [] : table.partitionInfo.columns;
  const columnTypes = partitionColumns.map((name) => {
    const t = table.columns.find((c) => c.name === name)?.type;
    return t === undefined ? 'UNKNOWN' : t.name;
  });
  const rows = listPartitions(ctx.services.catalog, table.id).map((p) => {
    const s = stats.get(p.id);
    return [
      String(p.id), p.name, String(p.visibleVersion), formatDateTime(p.visibleVersionTime), '0', 'NORMAL', partitionColumns.join(', '),
      describeBounds(p.bounds, columnTypes), table.distribution.kind === 'HASH' ? table.distribution.columns.join(', ') : 'ALL KEY',
      String(p.buckets), String(p.replicationNum), 'HDD', '9999-12-31 23:59:59', null, formatBytes(s?.dataSize ?? 0), 'false',
      String(s?.rowCount ?? 0),
    ];
  });
  return applyShowPredicates(ctx, showResult(PARTITION_COLUMNS, rows), node);
}

const TABLET_COLUMNS = [
  'TabletId', 'ReplicaId', 'BackendId', 'SchemaHash', 'Version', 'VersionHash', 'LstSuccessVersion', 'LstSuccessVersionHash',
  'LstFailedVersion', 'LstFailedVersionHash', 'LstFailedTime', 'DataSize', 'RowCount', 'State', 'LstConsistencyCheckTime',
  'CheckVersion', 'CheckVersionHash', 'VersionCount', 'PathHash', 'MetaUrl', 'CompactionStatus',
];

export function executeShowTablet(ctx: ExecutionContext, node: ShowTabletStmt): StatementResult {
  const catalog = ctx.services.catalog;
  if (node.tabletId !== undefined) {
    const loc = getTablet(catalog, node.tabletId);
    if (loc === undefined) throw sqlError('ER_UNKNOWN_ERROR', `Tablet ${node.tabletId} does not exist`);
    return showResult(
      ['DbName', 'TableName', 'PartitionName', 'IndexName', 'DbId', 'TableId', 'PartitionId', 'IndexId', 'IsSync', 'DetailCmd'],
      [[loc.dbName, loc.tableName, loc.partitionName, loc.tableName, String(loc.dbId), String(loc.tableId), String(loc.tablet.partitionId), String(loc.tablet.indexId), 'true', `SHOW TABLET FROM \`${loc.dbName}\`.\`${loc.tableName}\``]],
    );
  }
  const { table } = requireOlapTable(ctx, node.table);
  let partitions = listPartitions(catalog, table.id);
  if (node.partitions) {
    const wanted = node.partitions.names;
    for (const name of wanted) {
      if (!partitions.some((p) => p.name === name)) throw sqlError('ER_UNKNOWN_PARTITION', `Unknown partition '${name}' in table '${table.name}'`);
    }
    partitions = partitions.filter((p) => wanted.includes(p.name));
  }
  const rows: (string | null)[][] = [];
  for (const p of partitions) {
    const stats = new Map(tabletStats(catalog, p.id).map((s) => [s.tabletId, s]));
    for (const r of listReplicas(catalog, { partitionId: p.id })) {
      const s = stats.get(r.tabletId);
      rows.push([
        String(r.tabletId), String(r.id), String(r.backendId), '0', String(r.version), '0', String(r.version), '0', '-1', '0', null,
        formatBytes(s?.dataSize ?? 0), String(s?.rowCount ?? 0), 'NORMAL', null, '-1', '0', String(s?.versionCount ?? 0), '0',
        `SHOW TABLET ${r.tabletId}`, 'NULL',
      ]);
    }
  }
  return showResult(TABLET_COLUMNS, rows);
}

export function executeShowBackends(ctx: ExecutionContext, _node: ShowBackendsStmt): StatementResult {
  const { catalog, store } = ctx.services;
  // DataUsedCapacity is what tablevault stores on the backend (its segment files), as in StarRocks; the capacity
  // columns describe the file system the backend directory lives on.
  const used = store.dataBytesByBackend();
  const rows = store.backends.map((b) => {
    let total = 0;
    let avail = 0;
    try {
      const fs = statfsSync(b.dir);
      total = fs.blocks * fs.bsize;
      avail = fs.bavail * fs.bsize;
    } catch {
      // A missing directory shows as zero capacity and Alive=false below.
    }
    const tablets = listReplicas(catalog, { backendId: b.id }).length;
    const alive = total > 0;
    return [
      String(b.id), '127.0.0.1', formatDateTime(b.createdAt), formatDateTime(ctx.services.clock.now()), String(alive), String(tablets),
      formatBytes(used.get(b.id) ?? 0), formatBytes(avail), formatBytes(total), total === 0 ? '0.00 %' : `${(((total - avail) / total) * 100).toFixed(2)} %`,
      alive ? '' : `data directory ${b.dir} is not reachable`, b.dir,
    ];
  });
  return showResult(
    ['BackendId', 'IP', 'LastStartTime', 'LastHeartbeat', 'Alive', 'TabletNum', 'DataUsedCapacity', 'AvailCapacity', 'TotalCapacity', 'UsedPct', 'ErrMsg', 'RootPath'],
    rows,
  );
}

/** StarRocks prints sizes with a unit: `0B`, `1.234 KB`, `12.000 MB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  if (bytes < 1024) return `${bytes}B`;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(3)} ${units[unit]}`;
}

function defaultShown(c: ColumnMeta): string | null {
  return c.default === null || c.default === 'NULL' ? null : c.default;
}

function isText(c: ColumnMeta): boolean {
  return c.type.name === 'CHAR' || c.type.name === 'VARCHAR' || c.type.name === 'STRING';
}
