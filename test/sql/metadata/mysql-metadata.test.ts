/**
 * The MySQL metadata surface GUI tools and connectors read, through the real Engine: every SHOW form and
 * information_schema table of issue 10 with MySQL 8.0's exact column titles (tools address columns by name), rows
 * filled from the catalog for the key of each key model, LIKE/WHERE filters, and the empty-but-present tables
 * (routines, triggers, events, files) that tools query before drawing a schema tree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../data-plane/helpers.ts';

let db: TestDb;

beforeAll(async () => {
  db = await openTestDb({ database: 'md' });
  await db.exec(`
    CREATE TABLE md.t_pk (id BIGINT NOT NULL, name VARCHAR(20) COMMENT 'who', amount DECIMAL(10, 2)) PRIMARY KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1;
    CREATE TABLE md.t_uniq (a INT NOT NULL, b DATE NOT NULL, v VARCHAR(10)) UNIQUE KEY(a, b) DISTRIBUTED BY HASH(a) BUCKETS 1;
    CREATE TABLE md.t_dup (k INT, s VARCHAR(20)) DUPLICATE KEY(k) COMMENT 'dups' DISTRIBUTED BY HASH(k) BUCKETS 1;
    INSERT INTO md.t_pk VALUES (1, 'a', 1.5), (2, 'b', NULL)`);
});

afterAll(async () => {
  await db?.close();
});

const cols = async (sql: string): Promise<readonly string[]> => (await db.result(sql)).columns;

describe('MySQL metadata SHOW forms and information_schema', () => {
  it('SHOW forms carry MySQL 8.0 column titles', async () => {
    const expected: Record<string, string> = {
      'SHOW TABLE STATUS FROM md':
        'Name Engine Version Row_format Rows Avg_row_length Data_length Max_data_length Index_length Data_free Auto_increment Create_time Update_time Check_time Collation Checksum Create_options Comment',
      'SHOW INDEX FROM md.t_pk': 'Table Non_unique Key_name Seq_in_index Column_name Collation Cardinality Sub_part Packed Null Index_type Comment Index_comment Visible Expression',
      'SHOW KEYS FROM t_pk FROM md': 'Table Non_unique Key_name Seq_in_index Column_name Collation Cardinality Sub_part Packed Null Index_type Comment Index_comment Visible Expression',
      'SHOW COLUMNS FROM md.t_pk': 'Field Type Null Key Default Extra',
      'SHOW FULL COLUMNS FROM md.t_pk': 'Field Type Collation Null Key Default Extra Privileges Comment',
      'SHOW ENGINES': 'Engine Support Comment Transactions XA Savepoints',
      'SHOW CHARSET': 'Charset Description Default_collation Maxlen',
      'SHOW COLLATION': 'Collation Charset Id Default Compiled Sortlen Pad_attribute',
      'SHOW TRIGGERS FROM md': 'Trigger Event Table Statement Timing Created sql_mode Definer character_set_client collation_connection Database_Collation',
      'SHOW PROCEDURE STATUS': 'Db Name Type Definer Modified Created Security_type Comment character_set_client collation_connection Database_Collation',
      'SHOW FUNCTION STATUS': 'Db Name Type Definer Modified Created Security_type Comment character_set_client collation_connection Database_Collation',
      'SHOW EVENTS FROM md':
        'Db Name Definer Time_zone Type Execute_at Interval_value Interval_field Starts Ends Status Originator character_set_client collation_connection Database_Collation',
      'SHOW PLUGINS': 'Name Status Type Library License',
      'SHOW PRIVILEGES': 'Privilege Context Comment',
    };
    for (const [sql, titles] of Object.entries(expected)) {
      expect([sql, (await cols(sql)).map((c) => c.replace(/ /g, '_'))]).toEqual([sql, titles.split(' ')]);
    }
  });

  it('information_schema tables carry MySQL 8.0 column names', async () => {
    const expected: Record<string, string> = {
      statistics:
        'TABLE_CATALOG TABLE_SCHEMA TABLE_NAME NON_UNIQUE INDEX_SCHEMA INDEX_NAME SEQ_IN_INDEX COLUMN_NAME COLLATION CARDINALITY SUB_PART PACKED NULLABLE INDEX_TYPE COMMENT INDEX_COMMENT IS_VISIBLE EXPRESSION',
      key_column_usage:
        'CONSTRAINT_CATALOG CONSTRAINT_SCHEMA CONSTRAINT_NAME TABLE_CATALOG TABLE_SCHEMA TABLE_NAME COLUMN_NAME ORDINAL_POSITION POSITION_IN_UNIQUE_CONSTRAINT REFERENCED_TABLE_SCHEMA REFERENCED_TABLE_NAME REFERENCED_COLUMN_NAME',
      table_constraints: 'CONSTRAINT_CATALOG CONSTRAINT_SCHEMA CONSTRAINT_NAME TABLE_SCHEMA TABLE_NAME CONSTRAINT_TYPE ENFORCED',
      character_sets: 'CHARACTER_SET_NAME DEFAULT_COLLATE_NAME DESCRIPTION MAXLEN',
      collations: 'COLLATION_NAME CHARACTER_SET_NAME ID IS_DEFAULT IS_COMPILED SORTLEN PAD_ATTRIBUTE',
      collation_character_set_applicability: 'COLLATION_NAME CHARACTER_SET_NAME',
      engines: 'ENGINE SUPPORT COMMENT TRANSACTIONS XA SAVEPOINTS',
      processlist: 'ID USER HOST DB COMMAND TIME STATE INFO',
      routines:
        'SPECIFIC_NAME ROUTINE_CATALOG ROUTINE_SCHEMA ROUTINE_NAME ROUTINE_TYPE DATA_TYPE CHARACTER_MAXIMUM_LENGTH CHARACTER_OCTET_LENGTH NUMERIC_PRECISION NUMERIC_SCALE DATETIME_PRECISION CHARACTER_SET_NAME COLLATION_NAME DTD_IDENTIFIER ROUTINE_BODY ROUTINE_DEFINITION EXTERNAL_NAME EXTERNAL_LANGUAGE PARAMETER_STYLE IS_DETERMINISTIC SQL_DATA_ACCESS SQL_PATH SECURITY_TYPE CREATED LAST_ALTERED SQL_MODE ROUTINE_COMMENT DEFINER CHARACTER_SET_CLIENT COLLATION_CONNECTION DATABASE_COLLATION',
      triggers:
        'TRIGGER_CATALOG TRIGGER_SCHEMA TRIGGER_NAME EVENT_MANIPULATION EVENT_OBJECT_CATALOG EVENT_OBJECT_SCHEMA EVENT_OBJECT_TABLE ACTION_ORDER ACTION_CONDITION ACTION_STATEMENT ACTION_ORIENTATION ACTION_TIMING ACTION_REFERENCE_OLD_TABLE ACTION_REFERENCE_NEW_TABLE ACTION_REFERENCE_OLD_ROW ACTION_REFERENCE_NEW_ROW CREATED SQL_MODE DEFINER CHARACTER_SET_CLIENT COLLATION_CONNECTION DATABASE_COLLATION',
      events:
        'EVENT_CATALOG EVENT_SCHEMA EVENT_NAME DEFINER TIME_ZONE EVENT_BODY EVENT_DEFINITION EVENT_TYPE EXECUTE_AT INTERVAL_VALUE INTERVAL_FIELD SQL_MODE STARTS ENDS STATUS ON_COMPLETION CREATED LAST_ALTERED LAST_EXECUTED EVENT_COMMENT ORIGINATOR CHARACTER_SET_CLIENT COLLATION_CONNECTION DATABASE_COLLATION',
      files:
        'FILE_ID FILE_NAME FILE_TYPE TABLESPACE_NAME TABLE_CATALOG TABLE_SCHEMA TABLE_NAME LOGFILE_GROUP_NAME LOGFILE_GROUP_NUMBER ENGINE FULLTEXT_KEYS DELETED_ROWS UPDATE_COUNT FREE_EXTENTS TOTAL_EXTENTS EXTENT_SIZE INITIAL_SIZE MAXIMUM_SIZE AUTOEXTEND_SIZE CREATION_TIME LAST_UPDATE_TIME LAST_ACCESS_TIME RECOVER_TIME TRANSACTION_COUNTER VERSION ROW_FORMAT TABLE_ROWS AVG_ROW_LENGTH DATA_LENGTH MAX_DATA_LENGTH INDEX_LENGTH DATA_FREE CREATE_TIME UPDATE_TIME CHECK_TIME CHECKSUM STATUS EXTRA',
      referential_constraints:
        'CONSTRAINT_CATALOG CONSTRAINT_SCHEMA CONSTRAINT_NAME UNIQUE_CONSTRAINT_CATALOG UNIQUE_CONSTRAINT_SCHEMA UNIQUE_CONSTRAINT_NAME MATCH_OPTION UPDATE_RULE DELETE_RULE TABLE_NAME REFERENCED_TABLE_NAME',
    };
    for (const [table, names] of Object.entries(expected)) {
      expect([table, await cols(`SELECT * FROM information_schema.${table}`)]).toEqual([table, names.split(' ')]);
      // Upper case, as MySQL 8.0 spells the table names, resolves to the same table.
      expect(await cols(`SELECT * FROM INFORMATION_SCHEMA.${table.toUpperCase()} LIMIT 0`)).toEqual(names.split(' '));
    }
    for (const empty of ['routines', 'triggers', 'events', 'files', 'referential_constraints', 'parameters']) {
      expect([empty, await db.rows(`SELECT * FROM information_schema.${empty}`)]).toEqual([empty, []]);
    }
  });

  it('keys: PRIMARY KEY and UNIQUE KEY are PRIMARY constraints; DUPLICATE KEY is a non-unique index', async () => {
    expect(await db.rows("SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, NULLABLE FROM information_schema.statistics WHERE TABLE_SCHEMA = 'md' ORDER BY TABLE_NAME, SEQ_IN_INDEX")).toEqual([
      ['t_dup', 'duplicate_key', '1', '1', 'k', 'YES'],
      ['t_pk', 'PRIMARY', '0', '1', 'id', ''],
      ['t_uniq', 'PRIMARY', '0', '1', 'a', ''],
      ['t_uniq', 'PRIMARY', '0', '2', 'b', ''],
    ]);
    expect(await db.rows("SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, ORDINAL_POSITION FROM information_schema.key_column_usage WHERE TABLE_SCHEMA = 'md' ORDER BY TABLE_NAME, ORDINAL_POSITION")).toEqual([
      ['t_pk', 'PRIMARY', 'id', '1'],
      ['t_uniq', 'PRIMARY', 'a', '1'],
      ['t_uniq', 'PRIMARY', 'b', '2'],
    ]);
    expect(await db.rows("SELECT TABLE_NAME, CONSTRAINT_TYPE FROM information_schema.table_constraints WHERE TABLE_SCHEMA = 'md' ORDER BY TABLE_NAME")).toEqual([
      ['t_pk', 'PRIMARY KEY'],
      ['t_uniq', 'PRIMARY KEY'],
    ]);
    expect((await db.rows('SHOW INDEX FROM md.t_pk')).map((r) => r.slice(0, 7))).toEqual([['t_pk', '0', 'PRIMARY', '1', 'id', 'A', '2']]);
    expect((await db.rows('SHOW KEYS FROM t_dup FROM md')).map((r) => r.slice(0, 5))).toEqual([['t_dup', '1', 'duplicate_key', '1', 'k']]);
    expect(await db.rows("SHOW INDEX FROM md.t_uniq WHERE Seq_in_index = '2'")).toHaveLength(1);
  });

  it('SHOW TABLE STATUS, SHOW COLUMNS LIKE, SHOW CHARSET/COLLATION filters, SHOW ENGINES', async () => {
    const status = await db.rows("SHOW TABLE STATUS FROM md LIKE 't_%'");
    expect(status.map((r) => [r[0], r[1], r[4], r[17]])).toEqual([
      ['t_dup', 'StarRocks', '0', 'dups'],
      ['t_pk', 'StarRocks', '2', ''],
      ['t_uniq', 'StarRocks', '0', ''],
    ]);
    expect(await db.rows("SHOW TABLE STATUS FROM md WHERE Name = 't_pk'")).toHaveLength(1);
    expect(await db.rows("SHOW COLUMNS FROM md.t_pk LIKE 'n%'")).toEqual([['name', 'varchar(20)', 'YES', '', null, '']]);
    expect((await db.rows("SHOW FULL COLUMNS FROM md.t_pk LIKE 'name'")).map((r) => [r[0], r[2], r[8]])).toEqual([['name', 'utf8_general_ci', 'who']]);
    expect(await db.rows("SHOW CHARSET LIKE 'utf8%'")).toEqual([
      ['utf8', 'UTF-8 Unicode', 'utf8_general_ci', '3'],
      ['utf8mb4', 'UTF-8 Unicode', 'utf8mb4_general_ci', '4'],
    ]);
    expect((await db.rows("SHOW COLLATION WHERE Charset = 'utf8mb4'")).map((r) => [r[0], r[3]])).toEqual([
      ['utf8mb4_general_ci', 'Yes'],
      ['utf8mb4_bin', ''],
    ]);
    expect((await db.rows('SHOW ENGINES')).map((r) => [r[0], r[1], r[3], r[5]])).toEqual([['StarRocks', 'DEFAULT', 'YES', 'YES']]);
    expect(await db.rows('SHOW TRIGGERS FROM md')).toEqual([]);
    expect(await db.rows("SHOW PROCEDURE STATUS WHERE Db = 'md'")).toEqual([]);
    expect((await db.fails('SHOW TRIGGERS FROM nowhere')).errno).toBe(1049);
  });
});
