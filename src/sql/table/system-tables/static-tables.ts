/**
 * The information_schema tables that do not depend on the catalog: ENGINES, CHARACTER_SETS, COLLATIONS, PLUGINS, and
 * the tables of things tablevault does not have (stored routines, triggers, events, tablespace files, foreign keys):
 * those exist with MySQL 8.0's columns and no rows, so tools that read them (JDBC getProcedures, mariadb-dump's
 * tablespace and trigger queries) get an honest empty answer rather than 1146.
 */
import { columns, emptyTable, type VirtualTable } from './define.ts';

/**
 * The character sets a connection may use (SET NAMES, the handshake's collation), with their collations. Text is
 * stored as Unicode and compared by code point whatever the connection's collation.
 */
export const CHARACTER_SETS: readonly { readonly name: string; readonly description: string; readonly maxlen: number; readonly collations: readonly { readonly name: string; readonly id: number }[] }[] = [
  { name: 'ascii', description: 'US ASCII', maxlen: 1, collations: [{ name: 'ascii_general_ci', id: 11 }, { name: 'ascii_bin', id: 65 }] },
  { name: 'binary', description: 'Binary pseudo charset', maxlen: 1, collations: [{ name: 'binary', id: 63 }] },
  { name: 'latin1', description: 'cp1252 West European', maxlen: 1, collations: [{ name: 'latin1_swedish_ci', id: 8 }, { name: 'latin1_bin', id: 47 }] },
  { name: 'utf8', description: 'UTF-8 Unicode', maxlen: 3, collations: [{ name: 'utf8_general_ci', id: 33 }, { name: 'utf8_bin', id: 83 }] },
  { name: 'utf8mb4', description: 'UTF-8 Unicode', maxlen: 4, collations: [{ name: 'utf8mb4_general_ci', id: 45 }, { name: 'utf8mb4_bin', id: 46 }] },
];

/** The one storage engine (what SHOW ENGINES and information_schema.ENGINES list). */
export const ENGINE_ROW = ['StarRocks', 'DEFAULT', 'tablevault OLAP storage (StarRocks-compatible): transactions of INSERTs, snapshot reads', 'YES', 'NO', 'YES'] as const;

/** Plugins: the authentication method and the storage engine. */
export const PLUGINS: readonly { readonly name: string; readonly type: string; readonly description: string }[] = [
  { name: 'mysql_native_password', type: 'AUTHENTICATION', description: 'Native MySQL authentication' },
  { name: 'StarRocks', type: 'STORAGE ENGINE', description: 'tablevault OLAP storage (StarRocks-compatible)' },
];

export const STATIC_TABLE_NAMES = [
  'engines', 'character_sets', 'collations', 'collation_character_set_applicability', 'plugins', 'routines', 'parameters',
  'triggers', 'events', 'files', 'referential_constraints',
] as const;

export function staticTable(name: (typeof STATIC_TABLE_NAMES)[number]): VirtualTable {
  switch (name) {
    case 'engines':
      return { columns: columns('ENGINE SUPPORT:s8 COMMENT:s160 TRANSACTIONS:s3 XA:s3 SAVEPOINTS:s3'), rows: [[...ENGINE_ROW]] };
    case 'character_sets':
      return {
        columns: columns('CHARACTER_SET_NAME DEFAULT_COLLATE_NAME DESCRIPTION:s2048 MAXLEN:i'),
        rows: CHARACTER_SETS.map((c) => [c.name, c.collations[0]?.name ?? null, c.description, c.maxlen]),
      };
    case 'collations':
      return {
        columns: columns('COLLATION_NAME CHARACTER_SET_NAME ID:n IS_DEFAULT:s3 IS_COMPILED:s3 SORTLEN:i PAD_ATTRIBUTE:s9'),
        rows: CHARACTER_SETS.flatMap((c) => c.collations.map((k, i) => [k.name, c.name, BigInt(k.id), i === 0 ? 'Yes' : '', 'Yes', 1, 'PAD SPACE'])),
      };
    case 'collation_character_set_applicability':
      return { columns: columns('COLLATION_NAME CHARACTER_SET_NAME'), rows: CHARACTER_SETS.flatMap((c) => c.collations.map((k) => [k.name, c.name])) };
    case 'plugins':
      return {
        columns: columns(`PLUGIN_NAME PLUGIN_VERSION:s20 PLUGIN_STATUS:s10 PLUGIN_TYPE:s80 PLUGIN_TYPE_VERSION:s20 PLUGIN_LIBRARY
          PLUGIN_LIBRARY_VERSION:s20 PLUGIN_AUTHOR:l PLUGIN_DESCRIPTION:l PLUGIN_LICENSE:s80 LOAD_OPTION`),
        rows: PLUGINS.map((p) => [p.name, '1.0', 'ACTIVE', p.type, '1.0', null, null, 'tablevault', p.description, 'GPL', 'FORCE']),
      };
    case 'routines':
      return emptyTable(`SPECIFIC_NAME ROUTINE_CATALOG ROUTINE_SCHEMA ROUTINE_NAME ROUTINE_TYPE:s9 DATA_TYPE:l CHARACTER_MAXIMUM_LENGTH:n
        CHARACTER_OCTET_LENGTH:n NUMERIC_PRECISION:i NUMERIC_SCALE:i DATETIME_PRECISION:i CHARACTER_SET_NAME COLLATION_NAME
        DTD_IDENTIFIER:l ROUTINE_BODY:s8 ROUTINE_DEFINITION:l EXTERNAL_NAME EXTERNAL_LANGUAGE PARAMETER_STYLE:s3
        IS_DETERMINISTIC:s3 SQL_DATA_ACCESS:s17 SQL_PATH SECURITY_TYPE:s7 CREATED:t LAST_ALTERED:t SQL_MODE:s520
        ROUTINE_COMMENT:l DEFINER:s288 CHARACTER_SET_CLIENT COLLATION_CONNECTION DATABASE_COLLATION`);
    case 'parameters':
      return emptyTable(`SPECIFIC_CATALOG SPECIFIC_SCHEMA SPECIFIC_NAME ORDINAL_POSITION:n PARAMETER_MODE:s5 PARAMETER_NAME DATA_TYPE:l
        CHARACTER_MAXIMUM_LENGTH:n CHARACTER_OCTET_LENGTH:n NUMERIC_PRECISION:i NUMERIC_SCALE:n DATETIME_PRECISION:i
        CHARACTER_SET_NAME COLLATION_NAME DTD_IDENTIFIER:l ROUTINE_TYPE:s9`);
    case 'triggers':
      return emptyTable(`TRIGGER_CATALOG TRIGGER_SCHEMA TRIGGER_NAME EVENT_MANIPULATION:s6 EVENT_OBJECT_CATALOG EVENT_OBJECT_SCHEMA
        EVENT_OBJECT_TABLE ACTION_ORDER:n ACTION_CONDITION:l ACTION_STATEMENT:l ACTION_ORIENTATION:s3 ACTION_TIMING:s6
        ACTION_REFERENCE_OLD_TABLE ACTION_REFERENCE_NEW_TABLE ACTION_REFERENCE_OLD_ROW:s3 ACTION_REFERENCE_NEW_ROW:s3 CREATED:t
        SQL_MODE:s520 DEFINER:s288 CHARACTER_SET_CLIENT COLLATION_CONNECTION DATABASE_COLLATION`);
    case 'events':
      return emptyTable(`EVENT_CATALOG EVENT_SCHEMA EVENT_NAME DEFINER:s288 TIME_ZONE EVENT_BODY:s3 EVENT_DEFINITION:l EVENT_TYPE:s9
        EXECUTE_AT:t INTERVAL_VALUE:s256 INTERVAL_FIELD:s18 SQL_MODE:s520 STARTS:t ENDS:t STATUS:s21 ON_COMPLETION:s12
        CREATED:t LAST_ALTERED:t LAST_EXECUTED:t EVENT_COMMENT:s2048 ORIGINATOR:n CHARACTER_SET_CLIENT COLLATION_CONNECTION
        DATABASE_COLLATION`);
    case 'files':
      return emptyTable(`FILE_ID:n FILE_NAME:l FILE_TYPE:s256 TABLESPACE_NAME:s268 TABLE_CATALOG TABLE_SCHEMA TABLE_NAME
        LOGFILE_GROUP_NAME:s256 LOGFILE_GROUP_NUMBER:n ENGINE FULLTEXT_KEYS DELETED_ROWS:n UPDATE_COUNT:n FREE_EXTENTS:n
        TOTAL_EXTENTS:n EXTENT_SIZE:n INITIAL_SIZE:n MAXIMUM_SIZE:n AUTOEXTEND_SIZE:n CREATION_TIME:t LAST_UPDATE_TIME:t
        LAST_ACCESS_TIME:t RECOVER_TIME:n TRANSACTION_COUNTER:n VERSION:n ROW_FORMAT:s10 TABLE_ROWS:n AVG_ROW_LENGTH:n
        DATA_LENGTH:n MAX_DATA_LENGTH:n INDEX_LENGTH:n DATA_FREE:n CREATE_TIME:t UPDATE_TIME:t CHECK_TIME:t CHECKSUM:n
        STATUS:s256 EXTRA:s256`);
    case 'referential_constraints':
      return emptyTable(`CONSTRAINT_CATALOG CONSTRAINT_SCHEMA CONSTRAINT_NAME UNIQUE_CONSTRAINT_CATALOG UNIQUE_CONSTRAINT_SCHEMA
        UNIQUE_CONSTRAINT_NAME MATCH_OPTION:s7 UPDATE_RULE:s11 DELETE_RULE:s11 TABLE_NAME REFERENCED_TABLE_NAME`);
  }
}
