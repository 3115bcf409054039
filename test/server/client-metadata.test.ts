/**
 * Real clients' metadata and transaction APIs against the server, each in its own process (run side by side, as
 * they share nothing but the server): MariaDB Connector/J's DatabaseMetaData (getTables/getColumns/getPrimaryKeys/
 * getIndexInfo/getProcedures/getFunctions) and JDBC commit/rollback; SQLAlchemy's MetaData.reflect() (types,
 * precision, defaults, primary keys) and isolation_level, PyMySQL's autocommit-off transactions; Perl DBI
 * column_info/primary_key and AutoCommit-off transactions; mariadb-show -k and --status. The client programs live in
 * test/server/clients/; each prints lines (or JSON) that these tests compare with what the server must say.
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';

const clients = path.join(path.dirname(fileURLToPath(import.meta.url)), 'clients');
const JDBC_JAR = '/usr/share/java/mariadb-java-client.jar';
const ci = process.env['CI'] === 'true';
const has = (cmd: string, args: string[]): boolean => spawnSync(cmd, args).status === 0;
const hasJdbc = ci || (has('java', ['-version']) && fs.existsSync(JDBC_JAR));
const hasPython = ci || has('/usr/bin/python3', ['-c', 'import sqlalchemy, pymysql']);
const hasPerl = ci || has('perl', ['-MDBD::MariaDB', '-e', '1']);
const hasShow = ci || has('mariadb-show', ['--version']);
const logger = createLogger({ level: 'silent' });

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, [...args], { timeout: 90_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

/** Every column type and every key model; t_dup takes the clients' transactional inserts (each its own keys). */
const SCHEMA = `
  CREATE DATABASE md;
  USE md;
  CREATE TABLE t_types (
    k BIGINT NOT NULL COMMENT 'key', b BOOLEAN, ti TINYINT, si SMALLINT, i INT DEFAULT '7', li LARGEINT, f FLOAT, d DOUBLE,
    dec1 DECIMAL(12, 3) DEFAULT '1.500', dec2 DECIMAL(38, 10), c CHAR(4), vc VARCHAR(40) NOT NULL DEFAULT 'unknown',
    s STRING, dt DATE, dtt DATETIME
  ) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1;
  CREATE TABLE t_pk (id BIGINT NOT NULL, name VARCHAR(20), amount DECIMAL(10, 2)) PRIMARY KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1;
  CREATE TABLE t_uniq (a INT NOT NULL, b DATE NOT NULL, v VARCHAR(10)) UNIQUE KEY(a, b) DISTRIBUTED BY HASH(a) BUCKETS 1;
  CREATE TABLE t_dup (k INT, s VARCHAR(20)) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1;
  CREATE TABLE t_agg (k DATE NOT NULL, region VARCHAR(8) NOT NULL, total BIGINT SUM DEFAULT '0', hi INT MAX)
    AGGREGATE KEY(k, region) DISTRIBUTED BY HASH(k) BUCKETS 1;
  CREATE TABLE orders (id BIGINT NOT NULL, note VARCHAR(10) DEFAULT 'n/a') PRIMARY KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1;
  INSERT INTO orders VALUES (1, 'a'), (2, NULL);
`;

/** `case<TAB>col=value<TAB>…` lines of one case, as objects (the JDBC client's output format). */
function jdbcRows(out: string, name: string): Record<string, string>[] {
  return out
    .split('\n')
    .filter((l) => l.startsWith(`${name}\t`) && !l.startsWith(`${name}\tROWS=`))
    .map((l) => Object.fromEntries(l.split('\t').slice(1).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])));
}

describe('metadata and transactions through real clients', () => {
  let dir: string;
  let engine: Engine;
  let server: RunningServer;
  let jdbc: Promise<Run>;
  let python: Promise<Run>;
  let perl: Promise<Run>;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-clients-'));
    engine = await Engine.open({ dataDir: dir, backends: 1, logger });
    await engine.session().execute(SCHEMA);
    server = await startServer(engine, { port: 0, logger });
    const port = String(server.port);
    // Side by side: the JVM's compile of the single-file program dominates; the others finish meanwhile.
    const skipped = Promise.resolve({ code: -1, stdout: '', stderr: 'not installed' });
    // C1 only and the serial collector: the in-memory compile of the program takes about half as long.
    const jvm = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xshare:auto'];
    jdbc = hasJdbc ? run('java', [...jvm, '-cp', JDBC_JAR, path.join(clients, 'JdbcMetadata.java'), port, 'md']) : skipped;
    python = hasPython ? run('/usr/bin/python3', [path.join(clients, 'sqlalchemy_reflect.py'), port, 'md']) : skipped;
    perl = hasPerl ? run('perl', [path.join(clients, 'dbi_client.pl'), port, 'md']) : skipped;
    await Promise.all([jdbc, python, perl]);
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await engine?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.runIf(hasJdbc)('JDBC DatabaseMetaData: tables, columns, primary keys, indexes, no routines', async () => {
    const { code, stdout, stderr } = await jdbc;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).not.toContain('\tERROR\t');
    expect(jdbcRows(stdout, 'tables').map((r) => [r['TABLE_CAT'], r['TABLE_NAME'], r['TABLE_TYPE']])).toEqual(
      ['orders', 't_agg', 't_dup', 't_pk', 't_types', 't_uniq'].map((t) => ['md', t, 'TABLE']),
    );
    const columns = jdbcRows(stdout, 'columns').filter((r) => r['TABLE_NAME'] === 't_types');
    const col = (name: string): string[] => {
      const r = columns.find((c) => c['COLUMN_NAME'] === name);
      return [r?.['TYPE_NAME'], r?.['DATA_TYPE'], r?.['COLUMN_SIZE'], r?.['DECIMAL_DIGITS'], r?.['IS_NULLABLE'], r?.['COLUMN_DEF']].map(String);
    };
    expect(columns.map((c) => c['COLUMN_NAME'])).toEqual(['k', 'b', 'ti', 'si', 'i', 'li', 'f', 'd', 'dec1', 'dec2', 'c', 'vc', 's', 'dt', 'dtt']);
    expect(columns.map((c) => c['ORDINAL_POSITION'])).toEqual(columns.map((_, i) => String(i + 1)));
    // java.sql.Types: BIGINT -5, INTEGER 4, DECIMAL 3, VARCHAR 12, CHAR 1, DATE 91, TIMESTAMP 93.
    expect(col('k')).toEqual(['BIGINT', '-5', '19', '0', 'NO', 'null']);
    expect(col('i')).toEqual(['INT', '4', '10', '0', 'YES', '7']);
    expect(col('li')).toEqual(['DECIMAL', '3', '39', '0', 'YES', 'null']);
    expect(col('dec1')).toEqual(['DECIMAL', '3', '12', '3', 'YES', '1.500']);
    expect(col('dec2')).toEqual(['DECIMAL', '3', '38', '10', 'YES', 'null']);
    expect(col('c')).toEqual(['CHAR', '1', '4', 'null', 'YES', 'null']);
    expect(col('vc')).toEqual(['VARCHAR', '12', '40', 'null', 'NO', 'unknown']);
    expect(col('dt')).toEqual(['DATE', '91', '10', 'null', 'YES', 'null']);
    expect(col('dtt')).toEqual(['DATETIME', '93', '19', 'null', 'YES', 'null']);
    // getPrimaryKeys and getIndexInfo run per table in the order t_pk, t_uniq, t_dup, t_agg.
    expect(jdbcRows(stdout, 'pk').map((r) => [r['TABLE_NAME'], r['COLUMN_NAME'], r['KEY_SEQ'], r['PK_NAME']])).toEqual([
      ['t_pk', 'id', '1', 'PRIMARY'],
      ['t_uniq', 'a', '1', 'PRIMARY'],
      ['t_uniq', 'b', '2', 'PRIMARY'],
    ]);
    expect(jdbcRows(stdout, 'index').map((r) => [r['TABLE_NAME'], r['NON_UNIQUE'], r['INDEX_NAME'], r['ORDINAL_POSITION'], r['COLUMN_NAME']])).toEqual([
      ['t_pk', '0', 'PRIMARY', '1', 'id'],
      ['t_uniq', '0', 'PRIMARY', '1', 'a'],
      ['t_uniq', '0', 'PRIMARY', '2', 'b'],
      ['t_dup', '1', 'duplicate_key', '1', 'k'],
      ['t_agg', '0', 'aggregate_key', '1', 'k'],
      ['t_agg', '0', 'aggregate_key', '2', 'region'],
    ]);
    expect(stdout).toContain('procedures\tROWS=0');
    expect(stdout).toContain('functions\tROWS=0');
    expect(jdbcRows(stdout, 'catalogs').map((r) => r['TABLE_CAT'])).toEqual(['information_schema', 'md']);
  });

  it.runIf(hasJdbc)('JDBC: setAutoCommit(false) commit publishes, rollback discards; isolation levels read back', async () => {
    const { stdout } = await jdbc;
    expect(stdout.split('\n').filter((l) => l.startsWith('txn\t'))).toEqual([
      'txn\tother_before_commit=0',
      'txn\tother_after_commit=1',
      'txn\tafter_rollback=0',
      'txn\tisolation=4', // TRANSACTION_REPEATABLE_READ
      'txn\tisolation_set=2', // TRANSACTION_READ_COMMITTED
    ]);
    const rows = await engine.session().execute('SELECT k FROM md.t_dup WHERE k IN (100, 101)');
    expect(rows.kind === 'rows' ? rows.rows : undefined).toEqual([['100']]);
  });

  it.runIf(hasPython)('SQLAlchemy MetaData.reflect(): types, precision, defaults, nullability, primary keys', async () => {
    const { code, stdout, stderr } = await python;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    interface Column {
      name: string;
      type: string;
      nullable: boolean;
      default: string | null;
    }
    const out = JSON.parse(stdout) as {
      reflect: Record<string, { columns: Column[]; primary_key: string[]; unique: string[][] }>;
      reflect_warnings: string[];
    };
    expect(Object.keys(out.reflect)).toEqual(['orders', 't_agg', 't_dup', 't_pk', 't_types', 't_uniq']);
    const types = out.reflect['t_types']?.columns.map((c) => [c.name, c.type, c.nullable, c.default]);
    expect(types).toEqual([
      ['k', 'BIGINT(display_width=20)', false, null],
      ['b', 'BOOLEAN()', true, null],
      ['ti', 'TINYINT(display_width=4)', true, null],
      ['si', 'SMALLINT(display_width=6)', true, null],
      ['i', 'INTEGER(display_width=11)', true, "'7'"],
      // SQLAlchemy's MySQL dialect has no 128-bit integer: a warning and NullType (docs/connecting.md says so).
      ['li', 'NullType()', true, null],
      ['f', 'FLOAT()', true, null],
      ['d', 'DOUBLE(asdecimal=True)', true, null],
      ['dec1', 'DECIMAL(precision=12, scale=3)', true, "'1.500'"],
      ['dec2', 'DECIMAL(precision=38, scale=10)', true, null],
      ['c', 'CHAR(length=4)', true, null],
      ['vc', 'VARCHAR(length=40)', false, "'unknown'"],
      ['s', 'VARCHAR(length=65533)', true, null],
      ['dt', 'DATE()', true, null],
      ['dtt', 'DATETIME()', true, null],
    ]);
    expect(out.reflect['t_pk']?.primary_key).toEqual(['id']);
    expect(out.reflect['t_pk']?.columns.map((c) => c.type)).toEqual(['BIGINT(display_width=20)', 'VARCHAR(length=20)', 'DECIMAL(precision=10, scale=2)']);
    expect(out.reflect['orders']?.columns.map((c) => [c.name, c.default])).toEqual([['id', null], ['note', "'n/a'"]]);
    // UNIQUE KEY reads as MySQL's unique key; DUPLICATE and AGGREGATE keys are not unique constraints.
    expect(out.reflect['t_uniq']?.unique).toEqual([['a', 'b']]);
    expect(out.reflect['t_dup']?.primary_key).toEqual([]);
    expect(out.reflect['t_agg']?.columns.map((c) => [c.name, c.type, c.nullable])).toEqual([
      ['k', 'DATE()', false],
      ['region', 'VARCHAR(length=8)', false],
      ['total', 'BIGINT(display_width=20)', true],
      ['hi', 'INTEGER(display_width=11)', true],
    ]);
    // The only type warning is LARGEINT's; the rest are StarRocks clauses SQLAlchemy skips (DISTRIBUTED BY, PROPERTIES).
    expect(out.reflect_warnings.filter((w) => !w.startsWith('Unknown schema content'))).toEqual(["Did not recognize type 'largeint' of column 'li'"]);
  });

  it.runIf(hasPython)('PyMySQL and SQLAlchemy: autocommit off commits and rolls back for real; isolation_level', async () => {
    const out = JSON.parse((await python).stdout) as { pymysql: Record<string, unknown>; isolation: Record<string, string[]> };
    expect(out.pymysql).toEqual({
      autocommit_at_connect: false,
      in_trans_flag: true,
      other_before_commit: 0,
      in_trans_after_commit: false,
      other_after_commit: 1,
      after_rollback: 0,
    });
    expect(out.isolation['READ COMMITTED']).toEqual(['READ-COMMITTED', '0']);
    expect(out.isolation['REPEATABLE READ']).toEqual(['REPEATABLE-READ', '0']);
    expect(out.isolation['READ UNCOMMITTED']).toEqual(['READ-UNCOMMITTED', '0']);
    expect(out.isolation['AUTOCOMMIT']).toEqual(['REPEATABLE-READ', '1']);
    expect(out.isolation['SERIALIZABLE']?.[0]).toBe('ERROR');
    expect(out.isolation['SERIALIZABLE']?.[1]).toContain('(1235,');
  });

  it.runIf(hasPerl)('Perl DBI: column_info, primary_key, begin_work/commit and AutoCommit=0/rollback', async () => {
    const { code, stdout, stderr } = await perl;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('column_info\t'))).toEqual(
      [
        ['k', 'BIGINT', '20', 'NULL', '0', 'NULL', '1'],
        ['b', 'TINYINT', '1', 'NULL', '1', 'NULL', '2'],
        ['ti', 'TINYINT', '4', 'NULL', '1', 'NULL', '3'],
        ['si', 'SMALLINT', '6', 'NULL', '1', 'NULL', '4'],
        ['i', 'INT', '11', 'NULL', '1', '7', '5'],
        ['li', 'DECIMAL', '39', '0', '1', 'NULL', '6'],
        ['f', 'FLOAT', '32', 'NULL', '1', 'NULL', '7'],
        ['d', 'DOUBLE', '64', 'NULL', '1', 'NULL', '8'],
        ['dec1', 'DECIMAL', '12', '3', '1', '1.500', '9'],
        ['dec2', 'DECIMAL', '38', '10', '1', 'NULL', '10'],
        ['c', 'CHAR', '4', 'NULL', '1', 'NULL', '11'],
        ['vc', 'VARCHAR', '40', 'NULL', '0', 'unknown', '12'],
        ['s', 'VARCHAR', '65533', 'NULL', '1', 'NULL', '13'],
        ['dt', 'DATE', '10', '0', '1', 'NULL', '14'],
        ['dtt', 'DATETIME', '19', '0', '1', 'NULL', '15'],
      ].map((r) => ['column_info', ...r].join('\t')),
    );
    expect(lines.filter((l) => l.startsWith('primary_key\t'))).toEqual(['primary_key\tt_pk\tid', 'primary_key\tt_uniq\ta\tb', 'primary_key\tt_dup']);
    expect(lines.filter((l) => l.startsWith('txn\t'))).toEqual([
      'txn\tother_before_commit\t0',
      'txn\tother_after_commit\t1',
      'txn\tother_before_rollback\t0',
      'txn\tafter_rollback\t0',
    ]);
  });

  it.runIf(hasShow)('mariadb-show -k (columns and keys) and --status (SHOW TABLE STATUS)', async () => {
    const args = ['-h127.0.0.1', `-P${server.port}`, '-uroot'];
    const keys = await run('mariadb-show', [...args, '-k', 'md', 'orders']);
    expect(keys.stderr).toBe('');
    expect(keys.code).toBe(0);
    const cells = (line: string | undefined): string[] => (line ?? '').split('|').slice(1, -1).map((c) => c.trim());
    const lines = keys.stdout.split('\n');
    const header = lines.findIndex((l) => l.startsWith('| Field '));
    expect(cells(lines[header])).toEqual(['Field', 'Type', 'Collation', 'Null', 'Key', 'Default', 'Extra', 'Privileges', 'Comment']);
    expect(cells(lines[header + 2]).slice(0, 6)).toEqual(['id', 'bigint(20)', '', 'NO', 'PRI', '']);
    expect(cells(lines[header + 3]).slice(0, 6)).toEqual(['note', 'varchar(10)', 'utf8_general_ci', 'YES', '', 'n/a']);
    const index = lines.findIndex((l) => l.startsWith('| Table '));
    expect(cells(lines[index]).slice(0, 5)).toEqual(['Table', 'Non_unique', 'Key_name', 'Seq_in_index', 'Column_name']);
    expect(cells(lines[index + 2]).slice(0, 7)).toEqual(['orders', '0', 'PRIMARY', '1', 'id', 'A', '2']);

    const status = await run('mariadb-show', [...args, '--status', 'md']);
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    const s = status.stdout.split('\n');
    const head = s.findIndex((l) => l.startsWith('| Name '));
    expect(cells(s[head]).slice(0, 5)).toEqual(['Name', 'Engine', 'Version', 'Row_format', 'Rows']);
    const names = s.slice(head + 2).filter((l) => l.startsWith('| ')).map((l) => cells(l)[0]);
    expect(names).toEqual(['orders', 't_agg', 't_dup', 't_pk', 't_types', 't_uniq']);
    expect(cells(s.find((l) => l.startsWith('| orders '))).slice(0, 5)).toEqual(['orders', 'StarRocks', '10', 'Dynamic', '2']);
  });
});
