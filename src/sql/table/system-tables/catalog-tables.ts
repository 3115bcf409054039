/**
 * The information_schema tables computed from the catalog: SCHEMATA, TABLES, COLUMNS, STATISTICS, KEY_COLUMN_USAGE,
 * TABLE_CONSTRAINTS — MySQL 8.0's columns, filled from what each table really is (keys: keys.ts, types:
 * mysql-column-type.ts). Built on each query; nothing is cached.
 */
import { listDatabases, listTables, partitionStats, type Catalog, type Database, type TableMeta } from '../../../catalog/index.ts';
import type { Row } from '../../../types/value.ts';
import { formatDateTime } from '../../../util/clock.ts';
import { columns, type VirtualTable } from './define.ts';
import { columnKey, tableKey } from './keys.ts';
import { columnDefault, mysqlColumnType } from './mysql-column-type.ts';
import { isScratchDatabase } from '../../../jobs/verify/verify-steps.ts';

const SCHEMATA = columns('CATALOG_NAME SCHEMA_NAME DEFAULT_CHARACTER_SET_NAME DEFAULT_COLLATION_NAME SQL_PATH:s512 DEFAULT_ENCRYPTION:s3');
const TABLES = columns(`TABLE_CATALOG TABLE_SCHEMA TABLE_NAME TABLE_TYPE ENGINE VERSION:i ROW_FORMAT:s10 TABLE_ROWS:n AVG_ROW_LENGTH:n
  DATA_LENGTH:n MAX_DATA_LENGTH:n INDEX_LENGTH:n DATA_FREE:n AUTO_INCREMENT:n CREATE_TIME:t UPDATE_TIME:t CHECK_TIME:t
  TABLE_COLLATION CHECKSUM:n CREATE_OPTIONS:s256 TABLE_COMMENT:l`);
const COLUMNS = columns(`TABLE_CATALOG TABLE_SCHEMA TABLE_NAME COLUMN_NAME ORDINAL_POSITION:n COLUMN_DEFAULT:l IS_NULLABLE:s3
  DATA_TYPE:l CHARACTER_MAXIMUM_LENGTH:n CHARACTER_OCTET_LENGTH:n NUMERIC_PRECISION:n NUMERIC_SCALE:n DATETIME_PRECISION:n
  CHARACTER_SET_NAME COLLATION_NAME COLUMN_TYPE:l COLUMN_KEY:s3 EXTRA:s256 PRIVILEGES:s154 COLUMN_COMMENT:l
  GENERATION_EXPRESSION:l SRS_ID:n`);
const STATISTICS = columns(`TABLE_CATALOG TABLE_SCHEMA TABLE_NAME NON_UNIQUE:i INDEX_SCHEMA INDEX_NAME SEQ_IN_INDEX:n COLUMN_NAME
  COLLATION:s1 CARDINALITY:n SUB_PART:n PACKED:s10 NULLABLE:s3 INDEX_TYPE:s11 COMMENT:s8 INDEX_COMMENT:s2048 IS_VISIBLE:s3
  EXPRESSION:l`);
const KEY_COLUMN_USAGE = columns(`CONSTRAINT_CATALOG CONSTRAINT_SCHEMA CONSTRAINT_NAME TABLE_CATALOG TABLE_SCHEMA TABLE_NAME
  COLUMN_NAME ORDINAL_POSITION:n POSITION_IN_UNIQUE_CONSTRAINT:n REFERENCED_TABLE_SCHEMA REFERENCED_TABLE_NAME
  REFERENCED_COLUMN_NAME`);
const TABLE_CONSTRAINTS = columns('CONSTRAINT_CATALOG CONSTRAINT_SCHEMA CONSTRAINT_NAME TABLE_SCHEMA TABLE_NAME CONSTRAINT_TYPE:s11 ENFORCED:s3');

/** Names of the tables this module builds, lower-case. */
export const CATALOG_TABLE_NAMES = ['schemata', 'tables', 'columns', 'statistics', 'key_column_usage', 'table_constraints'] as const;

/** What TABLES and SHOW TABLE STATUS report about one table. */
export interface TableStatus {
  readonly rows: bigint | null;
  readonly avgRowLength: bigint | null;
  readonly dataLength: bigint | null;
  readonly createTime: string | null;
  readonly updateTime: string | null;
}

export function tableStatus(catalog: Catalog, t: TableMeta): TableStatus {
  const created = formatDateTime(t.createdAt);
  if (t.kind !== 'OLAP') return { rows: null, avgRowLength: null, dataLength: null, createTime: created, updateTime: null };
  const stats = [...partitionStats(catalog, t.id).values()];
  const rows = stats.reduce((a, s) => a + s.rowCount, 0);
  const bytes = stats.reduce((a, s) => a + s.dataSize, 0);
  const updated = catalog
    .prepare<[number], { at: number | null }>('SELECT max(visible_version_time) AS at FROM partitions WHERE table_id = ?')
    .get(t.id)?.at;
  return {
    rows: BigInt(rows),
    avgRowLength: rows === 0 ? 0n : BigInt(Math.round(bytes / rows)),
    dataLength: BigInt(bytes),
    createTime: created,
    updateTime: updated === null || updated === undefined ? created : formatDateTime(updated),
  };
}

/** What the reader may see (the reader's privileges): databases, and tables or views within them. */
export interface CatalogVisibility {
  database(name: string): boolean;
  table(db: string, name: string): boolean;
}

export function catalogTable(catalog: Catalog, name: (typeof CATALOG_TABLE_NAMES)[number], visible: CatalogVisibility): VirtualTable {
  const dbs = listDatabases(catalog).filter((d) => !isScratchDatabase(d.name) && visible.database(d.name));
  const eachTable = (fn: (db: Database, t: TableMeta) => Row[]): Row[] =>
    dbs.flatMap((db) => listTables(catalog, db.id).filter((t) => t.visible && visible.table(db.name, t.name)).flatMap((t) => fn(db, t)));
  switch (name) {
    case 'schemata':
      return {
        columns: SCHEMATA,
        rows: ['information_schema', ...dbs.map((d) => d.name)].map((n) => ['def', n, 'utf8', 'utf8_general_ci', null, 'NO']),
      };
    case 'tables':
      return {
        columns: TABLES,
        rows: eachTable((db, t) => {
          const s = tableStatus(catalog, t);
          const view = t.kind === 'VIEW';
          return [[
            'def', db.name, t.name, view ? 'VIEW' : 'BASE TABLE', view ? null : 'StarRocks', view ? null : 10, view ? null : 'Dynamic',
            s.rows, s.avgRowLength, s.dataLength, view ? null : 0n, view ? null : 0n, view ? null : 0n, null, s.createTime, s.updateTime, null,
            view ? null : 'utf8_general_ci', null, view ? null : '', view ? 'VIEW' : t.comment,
          ]];
        }),
      };
    case 'columns':
      return {
        columns: COLUMNS,
        rows: eachTable((db, t) =>
          t.columns.map((c, i) => {
            const m = mysqlColumnType(c.type);
            return [
              'def', db.name, t.name, c.name, BigInt(i + 1), columnDefault(c.default), c.nullable ? 'YES' : 'NO', m.dataType,
              m.characterMaximumLength, m.characterOctetLength, m.numericPrecision, m.numericScale, m.datetimePrecision,
              m.characterSet, m.collation, m.columnType, columnKey(t, c.name), extraOf(c), 'select,insert,update,references',
              c.comment, '', null,
            ];
          }),
        ),
      };
    case 'statistics':
      return {
        columns: STATISTICS,
        rows: eachTable((db, t) => {
          const key = tableKey(t);
          if (key === undefined) return [];
          const cardinality = tableStatus(catalog, t).rows;
          return key.columns.map((col, i) => {
            const nullable = t.columns.find((c) => c.name === col)?.nullable === true;
            return [
              'def', db.name, t.name, key.unique ? 0 : 1, db.name, key.name, BigInt(i + 1), col, 'A', cardinality, null, null,
              nullable ? 'YES' : '', 'BTREE', '', '', 'YES', null,
            ];
          });
        }),
      };
    case 'key_column_usage':
      return {
        columns: KEY_COLUMN_USAGE,
        rows: eachTable((db, t) => {
          const key = tableKey(t);
          if (key === undefined || !key.unique) return [];
          return key.columns.map((col, i) => ['def', db.name, key.name, 'def', db.name, t.name, col, BigInt(i + 1), null, null, null, null]);
        }),
      };
    case 'table_constraints':
      return {
        columns: TABLE_CONSTRAINTS,
        rows: eachTable((db, t) => {
          const key = tableKey(t);
          if (key === undefined || !key.unique) return [];
          return [['def', db.name, key.name, db.name, t.name, key.name === 'PRIMARY' ? 'PRIMARY KEY' : 'UNIQUE', 'YES']];
        }),
      };
  }
}

/** EXTRA: auto_increment, or the aggregate function of an AGGREGATE KEY value column (as StarRocks' DESC shows). */
export function extraOf(c: TableMeta['columns'][number]): string {
  if (c.autoIncrement) return 'auto_increment';
  return c.aggregate ?? '';
}
