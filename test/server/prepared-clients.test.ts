/**
 * Real clients beyond node, each driven for real against the server over the real Engine:
 * - MariaDB Connector/J with useServerPrepStmts=true (one JVM, every case in test/server/clients/PreparedTypes.java):
 *   metadata before execution, every type read and written, NULLs, executeBatch, an error's code;
 * - DBD::MariaDB with mariadb_server_prepare=1 (libmariadb's binary protocol): every type read, INSERT, SHOW;
 * - mysqlclient (MySQLdb): types, COM_CHANGE_USER to another account and a refused one; PyMySQL: types;
 * - libmariadb's C API through Python's ctypes: two read-only cursors (COM_STMT_FETCH) read interleaved;
 * - node `mysql`: changeUser (its strict sequence-id checks included).
 * Com_stmt_prepare / Com_stmt_execute prove JDBC and DBD used server-side prepared statements.
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';

/** The parts of the untyped `mysql` package (node mysql 2.x) this test uses. */
interface LegacyConnection {
  query(sql: string, callback: (error: (Error & { errno?: number }) | null, rows: unknown[]) => void): void;
  changeUser(options: { user: string; password: string; database: string }, callback: (error: Error | null) => void): void;
  end(callback: () => void): void;
}
const mysqlLegacy = createRequire(import.meta.url)('mysql') as { createConnection(options: object): LegacyConnection };

const CLIENTS = fileURLToPath(new URL('./clients/', import.meta.url));
const JAR = '/usr/share/java/mariadb-java-client.jar';
const ci = process.env['CI'] === 'true';
const hasJava = (spawnSync('java', ['-version']).status === 0 && fs.existsSync(JAR)) || ci;
const hasPerl = spawnSync('perl', ['-MDBD::MariaDB', '-e', '1']).status === 0 || ci;
const hasPython = spawnSync('/usr/bin/python3', ['-c', 'import MySQLdb, pymysql']).status === 0 || ci;

const logger = createLogger({ level: 'silent' });
let dir: string;
let engine: Engine;
let server: RunningServer;

function run(command: string, args: readonly string[], timeout = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout, cwd: CLIENTS }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

async function statementCounters(): Promise<{ prepare: number; execute: number }> {
  const result = await engine.session().execute("SHOW STATUS LIKE 'Com_stmt_%'");
  if (result.kind !== 'rows') throw new Error('no rows');
  const get = (name: string): number => Number(result.rows.find((r) => r[0] === name)?.[1]);
  return { prepare: get('Com_stmt_prepare'), execute: get('Com_stmt_execute') };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-clients-'));
  engine = await Engine.open({ dataDir: dir, backends: 1, logger });
  server = await startServer(engine, { port: 0, logger });
  await engine.session().execute(`
    CREATE DATABASE p;
    CREATE TABLE p.t (k INT, b BOOLEAN, ti TINYINT, si SMALLINT, i INT, bi BIGINT, li LARGEINT, f FLOAT, d DOUBLE,
      de DECIMAL(12, 3), c CHAR(4), v VARCHAR(40), s STRING, dt DATE, dtt DATETIME)
      DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ("replication_num" = "1");
    INSERT INTO p.t VALUES
      (1, true, -128, -32768, -2147483648, -9223372036854775808, -170141183460469231731687303715884105728, -1.5, -2.25,
       -123456789.125, 'ab', 'héllo ✓ 日本', 'x', '0001-01-01', '2024-02-29 23:59:59.123456'),
      (2, false, 127, 32767, 2147483647, 9223372036854775807, 170141183460469231731687303715884105727, 3.25, 1e300,
       999999999.999, '', '', '', '9999-12-31', '1970-01-01 00:00:00'),
      (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    CREATE USER reader IDENTIFIED BY 'pw-r';
    GRANT SELECT ON ALL TABLES IN DATABASE p TO reader;
  `);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await engine?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('server-side prepared statements from other languages', () => {
  it.runIf(hasJava)('MariaDB Connector/J (useServerPrepStmts=true) round-trips every type', async () => {
    const before = await statementCounters();
    const out = await run('java', ['-cp', JAR, 'PreparedTypes.java', String(server.port)], 240_000);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout.trimEnd().split('\n')).toEqual([
      'metadata: k:INTEGER,b:TINYINT,ti:TINYINT,si:SMALLINT,i:INTEGER,bi:BIGINT,li:DECIMAL,f:FLOAT,d:DOUBLE,de:DECIMAL,c:VARCHAR,v:VARCHAR,s:VARCHAR,dt:DATE,dtt:DATETIME',
      'parameters: 2',
      'select: Integer:1|Boolean:1|Integer:-128|Integer:-32768|Integer:-2147483648|Long:-9223372036854775808|BigDecimal:-170141183460469231731687303715884105728|Float:-1.5|Double:-2.25|BigDecimal:-123456789.125|String:ab|String:héllo ✓ 日本|String:x|Date:0001-01-01|Timestamp:2024-02-29 23:59:59.123456',
      'select: Integer:2|Boolean:0|Integer:127|Integer:32767|Integer:2147483647|Long:9223372036854775807|BigDecimal:170141183460469231731687303715884105727|Float:3.25|Double:1.0E300|BigDecimal:999999999.999|String:|String:|String:|Date:9999-12-31|Timestamp:1970-01-01 00:00:00.0',
      'select: Integer:3|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL',
      'insert: 1',
      'insert nulls: 1',
      'batch: 3',
      'read back: Integer:50|Boolean:1|Integer:-7|Integer:1234|Integer:-99|Long:9007199254740993|BigDecimal:-170141183460469231731687303715884105728|Float:1.25|Double:1.0E-300|BigDecimal:-0.050|String:ç|String:日本 \'q\'|String:s\\t|Date:1999-12-31|Timestamp:2000-01-01 00:00:00.5',
      'read back: Integer:51|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL',
      'batch rows: batch 52,batch 53,batch 54',
      'expressions: 42|éx|1',
      'error: 1146 42S02',
    ]);
    const after = await statementCounters();
    // Six statements prepared by the server, nine executions (three of them the batch).
    expect(after.prepare - before.prepare).toBeGreaterThanOrEqual(6);
    expect(after.execute - before.execute).toBeGreaterThanOrEqual(9);
  }, 300_000);

  it.runIf(hasPerl)('DBD::MariaDB (mariadb_server_prepare=1) round-trips types', async () => {
    const before = await statementCounters();
    const out = await run('perl', ['prepared_types.pl', String(server.port)]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout.trimEnd().split('\n')).toEqual([
      'fields: 15',
      'select: 1|1|-128|-32768|-2147483648|-9223372036854775808|-170141183460469231731687303715884105728|-1.5|-2.25|-123456789.125|ab|héllo ✓ 日本|x|0001-01-01|2024-02-29 23:59:59.123456',
      'select: 2|0|127|32767|2147483647|9223372036854775807|170141183460469231731687303715884105727|3.25|1e+300|999999999.999||||9999-12-31|1970-01-01 00:00:00.000000',
      'select: 3|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL',
      'read back: 60|perl ✓|3.140|2020-02-02,61|NULL|NULL|NULL',
      'show: character_set_client|utf8mb4',
      'server_prepare: 1',
    ]);
    const after = await statementCounters();
    expect(after.prepare - before.prepare).toBe(4);
    expect(after.execute - before.execute).toBe(5);
  }, 120_000);
});

describe('COM_CHANGE_USER and text-protocol types from other clients', () => {
  it.runIf(hasPython)('mysqlclient: types, change_user to another account, a refused change keeps the user; PyMySQL types', async () => {
    const out = await run('/usr/bin/python3', ['change_user.py', String(server.port)]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout.trimEnd().split('\n')).toEqual([
      'mysqlclient: int:1|int:1|int:-128|int:-32768|int:-2147483648|int:-9223372036854775808|Decimal:-170141183460469231731687303715884105728|float:-1.5|float:-2.25|Decimal:-123456789.125|str:ab|str:héllo ✓ 日本|str:x|date:0001-01-01|datetime:2024-02-29 23:59:59.123456',
      'mysqlclient: int:2|int:0|int:127|int:32767|int:2147483647|int:9223372036854775807|Decimal:170141183460469231731687303715884105727|float:3.25|float:1e+300|Decimal:999999999.999|str:|str:|str:|date:9999-12-31|datetime:1970-01-01 00:00:00',
      'mysqlclient: int:3|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL',
      "changed: (\"'reader'@'%'\", 'p')",
      'refused: 1045',
      "still: 'reader'@'%'",
      'pymysql: int:1|Decimal:-123456789.125|str:héllo ✓ 日本|date:0001-01-01|datetime:2024-02-29 23:59:59.123456',
    ]);
  }, 60_000);

  it.runIf(hasPython)("libmariadb's C API: two read-only cursors read interleaved, two rows per COM_STMT_FETCH", async () => {
    const current = await engine.session().execute('SELECT k, v FROM p.t ORDER BY k');
    if (current.kind !== 'rows') throw new Error('no rows');
    const line = (r: readonly (string | null)[]): string => `${r[0]}|${r[1] ?? 'NULL'}`;
    const up = current.rows.map(line);
    const down = current.rows.filter((r) => Number(r[0]) >= 2).map(line).reverse();
    expect(up.length).toBeGreaterThanOrEqual(3);
    const out = await run('/usr/bin/python3', ['cursor_fetch.py', String(server.port)]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout.trimEnd().split('\n')).toEqual([
      `a ${up[0]}`,
      `b ${down[0]}`,
      `a ${up[1]}`,
      `b ${down[1]}`,
      ...up.slice(2).map((r) => `a ${r}`),
      'a None',
      `b ${down[2] ?? 'None'}`,
    ]);
  }, 60_000);

  it('node mysql: changeUser to another account (a new session with its privileges), strict sequence ids', async () => {
    const conn = mysqlLegacy.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', database: 'p' });
    const query = (sql: string): Promise<unknown[]> =>
      new Promise((resolve, reject) => conn.query(sql, (error, rows) => (error ? reject(error) : resolve(rows))));
    const changeUser = (options: { user: string; password: string; database: string }): Promise<void> =>
      new Promise((resolve, reject) => conn.changeUser(options, (error) => (error ? reject(error) : resolve())));
    try {
      await query('SET @kept = 1');
      await changeUser({ user: 'reader', password: 'pw-r', database: 'p' });
      // A new session: the user variable is gone, the account is the new one.
      expect(await query('SELECT CURRENT_USER() AS u, DATABASE() AS d, @kept AS kept')).toEqual([{ u: "'reader'@'%'", d: 'p', kept: null }]);
      await expect(query('CREATE DATABASE nope')).rejects.toMatchObject({ errno: 1227 });
      expect(await query('SELECT COUNT(*) AS n FROM t WHERE k <= 3')).toEqual([{ n: 3 }]);
    } finally {
      await new Promise<void>((resolve) => conn.end(() => resolve()));
    }
  });
});
