/**
 * `information_schema`: the virtual tables clients, GUI tools and dump tools read, computed on each query with MySQL
 * 8.0's column names, order and types. The catalog-backed ones (SCHEMATA, TABLES, COLUMNS, STATISTICS,
 * KEY_COLUMN_USAGE, TABLE_CONSTRAINTS) and the fixed ones (ENGINES, CHARACTER_SETS, COLLATIONS, PLUGINS, and the empty
 * ROUTINES, PARAMETERS, TRIGGERS, EVENTS, FILES, REFERENTIAL_CONSTRAINTS) live in src/sql/table/system-tables/;
 * PARTITIONS, VIEWS and PROCESSLIST are here.
 */
import { listDatabases, listPartitions, listTables, partitionStats, type Database, type TableMeta } from '../../catalog/index.ts';
import type { EngineServices } from '../context.ts';
import type { Row } from '../../types/value.ts';
import { formatDateTime } from '../../util/clock.ts';
import { describeBounds } from './partition-text.ts';
import { AUTOMATION_TABLES, automationTable } from './information-schema-automation.ts';
import { columns, type VirtualTable } from '../table/system-tables/define.ts';
import { CATALOG_TABLE_NAMES, catalogTable } from '../table/system-tables/catalog-tables.ts';
import { STATIC_TABLE_NAMES, staticTable } from '../table/system-tables/static-tables.ts';
import { isScratchDatabase } from '../../jobs/verify/verify-steps.ts';

export type { VirtualTable } from '../table/system-tables/define.ts';

export const INFORMATION_SCHEMA = 'information_schema';

const PARTITIONS = columns(`TABLE_CATALOG TABLE_SCHEMA TABLE_NAME PARTITION_NAME SUBPARTITION_NAME PARTITION_ORDINAL_POSITION:n
  SUBPARTITION_ORDINAL_POSITION:n PARTITION_METHOD:s13 SUBPARTITION_METHOD:s13 PARTITION_EXPRESSION:s2048 SUBPARTITION_EXPRESSION:s2048
  PARTITION_DESCRIPTION:l TABLE_ROWS:n AVG_ROW_LENGTH:n DATA_LENGTH:n MAX_DATA_LENGTH:n INDEX_LENGTH:n DATA_FREE:n
  CREATE_TIME:t UPDATE_TIME:t CHECK_TIME:t CHECKSUM:n PARTITION_COMMENT:l NODEGROUP:s256 TABLESPACE_NAME:s268`);
const VIEWS = columns('TABLE_CATALOG TABLE_SCHEMA TABLE_NAME VIEW_DEFINITION:l CHECK_OPTION:s8 IS_UPDATABLE:s3 DEFINER:s288 SECURITY_TYPE:s7 CHARACTER_SET_CLIENT COLLATION_CONNECTION');
const PROCESSLIST = columns('ID:n USER:s32 HOST:s261 DB COMMAND:s16 TIME:i STATE:s64 INFO:l');

/** Names of the virtual tables, lower-case. */
export const INFORMATION_SCHEMA_TABLES = [...CATALOG_TABLE_NAMES, ...STATIC_TABLE_NAMES, 'partitions', 'views', 'processlist', ...AUTOMATION_TABLES] as const;

/** What the virtual tables are computed from. */
export type InformationSources = Pick<EngineServices, 'catalog' | 'sessions' | 'clock'>;

/** What the reader may see: databases (SCHEMATA) and tables or views (TABLES, COLUMNS, PARTITIONS, VIEWS, keys). */
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
  const lower = name.toLowerCase();
  if ((CATALOG_TABLE_NAMES as readonly string[]).includes(lower)) return catalogTable(catalog, lower as (typeof CATALOG_TABLE_NAMES)[number], visible);
  if ((STATIC_TABLE_NAMES as readonly string[]).includes(lower)) return staticTable(lower as (typeof STATIC_TABLE_NAMES)[number]);
  const dbs = listDatabases(catalog).filter((d) => !isScratchDatabase(d.name) && visible.database(d.name));
  const eachTable = (fn: (db: Database, t: TableMeta) => Row[]): Row[] =>
    dbs.flatMap((db) => listTables(catalog, db.id).filter((t) => t.visible && visible.table(db.name, t.name)).flatMap((t) => fn(db, t)));
  switch (lower) {
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
    case 'processlist':
      // The same entries as SHOW FULL PROCESSLIST; INFO is the statement with its secrets already masked (session.ts).
      return {
        columns: PROCESSLIST,
        rows: processlistEntries(sources).map((p) => [BigInt(p.id), p.user, p.host, p.db, p.command, p.seconds, p.state, p.info]),
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
