/**
 * `information_schema`: the virtual tables GUI tools browse (SCHEMATA, TABLES, COLUMNS, PARTITIONS, VIEWS,
 * ENGINES, PROCESSLIST), computed from the catalog (and the live sessions) on each query, with MySQL's column names
 * and order.
 */
import { listDatabases, listPartitions, listTables, partitionStats, type Database, type TableMeta } from '../../catalog/index.ts';
import type { Catalog } from '../../catalog/index.ts';
import type { EngineServices } from '../context.ts';
import { formatColumnType, type ColumnType } from '../../types/column-type.ts';
import type { Row } from '../../types/value.ts';
import { formatDateTime } from '../../util/clock.ts';
import { describeBounds } from './partition-text.ts';
import { AUTOMATION_TABLES, automationTable } from './information-schema-automation.ts';

export const INFORMATION_SCHEMA = 'information_schema';

/** A materialised virtual table. */
export interface VirtualTable {
  /** Column names and types, in order. */
  readonly columns: readonly { readonly name: string; readonly type: ColumnType }[];
  /** Rows, values in column order. */
  readonly rows: readonly Row[];
}

const S: ColumnType = { name: 'VARCHAR', length: 512 };
const N: ColumnType = { name: 'BIGINT' };
const cols = (spec: string): { name: string; type: ColumnType }[] =>
  spec.split(/\s+/).filter(Boolean).map((c) => (c.endsWith(':n') ? { name: c.slice(0, -2), type: N } : { name: c, type: S }));

const SCHEMATA = cols('CATALOG_NAME SCHEMA_NAME DEFAULT_CHARACTER_SET_NAME DEFAULT_COLLATION_NAME SQL_PATH');
const TABLES = cols(`TABLE_CATALOG TABLE_SCHEMA TABLE_NAME TABLE_TYPE ENGINE VERSION:n ROW_FORMAT TABLE_ROWS:n AVG_ROW_LENGTH:n
  DATA_LENGTH:n MAX_DATA_LENGTH:n INDEX_LENGTH:n DATA_FREE:n AUTO_INCREMENT:n CREATE_TIME UPDATE_TIME CHECK_TIME
  TABLE_COLLATION CHECKSUM:n CREATE_OPTIONS TABLE_COMMENT`);
const COLUMNS = cols(`TABLE_CATALOG TABLE_SCHEMA TABLE_NAME COLUMN_NAME ORDINAL_POSITION:n COLUMN_DEFAULT IS_NULLABLE
  DATA_TYPE CHARACTER_MAXIMUM_LENGTH:n CHARACTER_OCTET_LENGTH:n NUMERIC_PRECISION:n NUMERIC_SCALE:n DATETIME_PRECISION:n
  CHARACTER_SET_NAME COLLATION_NAME COLUMN_TYPE COLUMN_KEY EXTRA PRIVILEGES COLUMN_COMMENT`);
const PARTITIONS = cols(`TABLE_CATALOG TABLE_SCHEMA TABLE_NAME PARTITION_NAME SUBPARTITION_NAME PARTITION_ORDINAL_POSITION:n
  SUBPARTITION_ORDINAL_POSITION:n PARTITION_METHOD SUBPARTITION_METHOD PARTITION_EXPRESSION SUBPARTITION_EXPRESSION
  PARTITION_DESCRIPTION TABLE_ROWS:n AVG_ROW_LENGTH:n DATA_LENGTH:n MAX_DATA_LENGTH:n INDEX_LENGTH:n DATA_FREE:n
  CREATE_TIME UPDATE_TIME CHECK_TIME CHECKSUM:n PARTITION_COMMENT NODEGROUP TABLESPACE_NAME`);
const VIEWS = cols('TABLE_CATALOG TABLE_SCHEMA TABLE_NAME VIEW_DEFINITION CHECK_OPTION IS_UPDATABLE DEFINER SECURITY_TYPE CHARACTER_SET_CLIENT COLLATION_CONNECTION');
const ENGINES = cols('ENGINE SUPPORT COMMENT TRANSACTIONS XA SAVEPOINTS');
const PROCESSLIST = cols('ID:n USER HOST DB COMMAND TIME:n STATE INFO');

/** Names of the virtual tables, lower-case. */
export const INFORMATION_SCHEMA_TABLES = ['schemata', 'tables', 'columns', 'partitions', 'views', 'engines', 'processlist', ...AUTOMATION_TABLES] as const;

/** What the virtual tables are computed from. */
export type InformationSources = Pick<EngineServices, 'catalog' | 'sessions' | 'clock'>;

/** What the reader may see: databases (SCHEMATA) and tables or views (TABLES, COLUMNS, PARTITIONS, VIEWS). */
export interface SchemaVisibility {
  database(name: string): boolean;
  table(db: string, name: string): boolean;
}

const EVERYTHING: SchemaVisibility = { database: () => true, table: () => true };

/**
 * Build a virtual table by (case-insensitive) name, or undefined when there is no such table. Rows cover only what
 * `visible` allows (the reader's privileges, as MySQL and StarRocks filter information_schema).
 */
export function informationSchemaTable(sources: InformationSources, name: string, visible: SchemaVisibility = EVERYTHING): VirtualTable | undefined {
  const { catalog } = sources;
  const dbs = listDatabases(catalog).filter((d) => visible.database(d.name));
  const eachTable = (fn: (db: Database, t: TableMeta) => Row[]): Row[] =>
    dbs.flatMap((db) => listTables(catalog, db.id).filter((t) => visible.table(db.name, t.name)).flatMap((t) => fn(db, t)));
  switch (name.toLowerCase()) {
    case 'schemata':
      return {
        columns: SCHEMATA,
        rows: [INFORMATION_SCHEMA, ...dbs.map((d) => d.name)].map((n) => ['def', n, 'utf8', 'utf8_general_ci', null]),
      };
    case 'tables':
      return {
        columns: TABLES,
        rows: eachTable((db, t) => {
          const stats = t.kind === 'OLAP' ? [...partitionStats(catalog, t.id).values()] : [];
          const rows = stats.reduce((a, s) => a + s.rowCount, 0);
          const bytes = stats.reduce((a, s) => a + s.dataSize, 0);
          const created = formatDateTime(t.createdAt);
          return [[
            'def', db.name, t.name, t.kind === 'VIEW' ? 'VIEW' : 'BASE TABLE', t.kind === 'VIEW' ? null : 'StarRocks', null, null,
            BigInt(rows), rows === 0 ? 0n : BigInt(Math.round(bytes / rows)), BigInt(bytes), null, null, null, null,
            created, created, null, 'utf8_general_ci', null, null, t.comment,
          ]];
        }),
      };
    case 'columns':
      return {
        columns: COLUMNS,
        rows: eachTable((db, t) =>
          t.columns.map((c, i) => [
            'def', db.name, t.name, c.name, BigInt(i + 1), c.default, c.nullable ? 'YES' : 'NO', dataType(c.type),
            charLength(c.type), charLength(c.type), numericPrecision(c.type), numericScale(c.type), null,
            isText(c.type) ? 'utf8' : null, isText(c.type) ? 'utf8_general_ci' : null, formatColumnType(c.type),
            c.isKey ? (t.keyModel === 'PRIMARY' || t.keyModel === 'UNIQUE' ? 'PRI' : 'DUP') : '', c.aggregate ?? '',
            'select,insert,update,references', c.comment,
          ]),
        ),
      };
    case 'partitions':
      return {
        columns: PARTITIONS,
        rows: eachTable((db, t) => {
          if (t.kind !== 'OLAP') return [];
          const stats = partitionStats(catalog, t.id);
          const method = t.partitionInfo.kind === 'UNPARTITIONED' ? null : t.partitionInfo.kind;
          const expr = t.partitionInfo.kind === 'UNPARTITIONED' ? null : t.partitionInfo.columns.map((c) => `\`${c}\``).join(', ');
          return listPartitions(catalog, t.id).map((p, i) => {
            const s = stats.get(p.id);
            return [
              'def', db.name, t.name, method === null ? null : p.name, null, method === null ? null : BigInt(i + 1), null, method, null,
              expr, null, method === null ? null : describeBounds(p.bounds), BigInt(s?.rowCount ?? 0), null, BigInt(s?.dataSize ?? 0),
              null, null, null, formatDateTime(p.createdAt), formatDateTime(p.visibleVersionTime), null, null, '', 'default', null,
            ];
          });
        }),
      };
    case 'views':
      return {
        columns: VIEWS,
        rows: eachTable((db, t) => (t.kind === 'VIEW' ? [['def', db.name, t.name, t.viewDefinition, 'NONE', 'NO', 'root@%', 'DEFINER', 'utf8', 'utf8_general_ci']] : [])),
      };
    case 'engines':
      return { columns: ENGINES, rows: [['StarRocks', 'DEFAULT', 'tablevault OLAP storage (StarRocks-compatible)', 'NO', 'NO', 'NO']] };
    case 'processlist':
      // The same entries as SHOW FULL PROCESSLIST; INFO is the statement with its secrets already masked (session.ts).
      return {
        columns: PROCESSLIST,
        rows: processlistEntries(sources).map((p) => [BigInt(p.id), p.user, p.host, p.db, p.command, BigInt(p.seconds), p.state, p.info]),
      };
    default:
      // backup_jobs, backup_schedules (information-schema-automation.ts).
      return automationTable(catalog, name.toLowerCase());
  }
}

/** One live session as SHOW PROCESSLIST and information_schema.PROCESSLIST show it. */
export interface ProcesslistEntry {
  readonly id: number;
  readonly user: string;
  readonly host: string;
  readonly db: string | null;
  readonly command: 'Query' | 'Sleep';
  readonly connectedAt: number;
  /** Seconds in the current state (the running statement, or idle since connecting). */
  readonly seconds: number;
  readonly state: string;
  /** The running statement as the session recorded it: secrets masked, never the raw text. */
  readonly info: string | null;
}

export function processlistEntries(sources: Pick<InformationSources, 'sessions' | 'clock'>): ProcesslistEntry[] {
  const now = sources.clock.now();
  return sources.sessions.list().map((s) => ({
    id: s.connectionId,
    user: s.user,
    host: s.host,
    db: s.database ?? null,
    command: s.current ? 'Query' : 'Sleep',
    connectedAt: s.connectedAt,
    seconds: Math.floor((now - (s.current?.startedAt ?? s.connectedAt)) / 1000),
    state: s.current ? 'OK' : '',
    info: s.current?.text ?? null,
  }));
}

function dataType(t: ColumnType): string {
  return t.name === 'STRING' ? 'varchar' : t.name.toLowerCase();
}

function isText(t: ColumnType): boolean {
  return t.name === 'CHAR' || t.name === 'VARCHAR' || t.name === 'STRING';
}

function charLength(t: ColumnType): bigint | null {
  if (t.name === 'CHAR' || t.name === 'VARCHAR') return BigInt(t.length);
  if (t.name === 'STRING') return 65533n;
  return null;
}

function numericPrecision(t: ColumnType): bigint | null {
  const digits: Partial<Record<ColumnType['name'], number>> = { TINYINT: 3, SMALLINT: 5, INT: 10, BIGINT: 19, LARGEINT: 39, FLOAT: 12, DOUBLE: 22 };
  if (t.name === 'DECIMAL') return BigInt(t.precision);
  const d = digits[t.name];
  return d === undefined ? null : BigInt(d);
}

function numericScale(t: ColumnType): bigint | null {
  if (t.name === 'DECIMAL') return BigInt(t.scale);
  return ['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'LARGEINT'].includes(t.name) ? 0n : null;
}
