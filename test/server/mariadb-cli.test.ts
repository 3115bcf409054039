/**
 * The real MariaDB client against `startServer` over a real Engine: batch output, NULL and UTF-8, OK-packet info,
 * errors, USE / -D, `status`, `--compress`, a wrong port.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';
import { VERSION_COMMENT } from '../../src/sql/variables/index.ts';

// The real MariaDB client is the reference client. Locally a missing CLI skips these tests; under CI it must be
// there (.ci/run installs it), so a missing CLI fails instead of silently passing.
const hasCli = spawnSync('mariadb', ['--version']).status === 0;
const runCliTests = hasCli || process.env['CI'] === 'true';

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function mariadb(port: number, args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile('mariadb', ['-h127.0.0.1', `-P${port}`, '-uroot', '--connect-timeout=5', ...args], { timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

const ROWS_2 = "SELECT generate_series - 1 AS id, concat('row-', generate_series - 1, '-', repeat('x', 40)) AS payload FROM TABLE(generate_series(1, 2))";

describe.runIf(runCliTests)('mariadb CLI against the server (real engine)', () => {
  const logger = createLogger({ level: 'silent' });
  let dir: string;
  let engine: Engine;
  let server: RunningServer;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-cli-'));
    engine = await Engine.open({ dataDir: dir, backends: 1, logger });
    await engine.session().execute(`
      CREATE DATABASE db1;
      CREATE TABLE db1.typed (i INT, b BIGINT, l LARGEINT, d DECIMAL(10,2), f DOUBLE, s VARCHAR(20), dt DATE, n INT, bool BOOLEAN)
        DUPLICATE KEY(i) DISTRIBUTED BY HASH(i) BUCKETS 1;
      INSERT INTO db1.typed VALUES (42, 9007199254740991, 170141183460469231731687303715884105727, 12.50, 1.5, 'héllo ✓ 日本', '2024-02-29', NULL, true),
        (-1, 0, -5, -0.50, -2.25, '', '1970-01-01', 7, false);
      CREATE TABLE db1.t (k INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1;
    `);
    server = await startServer(engine, { port: 0, logger });
  });

  afterAll(async () => {
    await server?.close();
    await engine?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs several statements with -e and prints tab-separated results with headers', async () => {
    const r = await mariadb(server.port, ['-e', `${ROWS_2}; select @@version_comment limit 1`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const x = 'x'.repeat(40);
    expect(r.stdout).toBe(`id\tpayload\n0\trow-0-${x}\n1\trow-1-${x}\n@@version_comment\n${VERSION_COMMENT}\n`);
  });

  it('-N -B prints only values, NULL as NULL, unicode intact', async () => {
    const r = await mariadb(server.port, ['-N', '-B', '-e', 'SELECT * FROM db1.typed ORDER BY i DESC']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('42\t9007199254740991\t170141183460469231731687303715884105727\t12.50\t1.5\théllo ✓ 日本\t2024-02-29\tNULL\t1\n-1\t0\t-5\t-0.50\t-2.25\t\t1970-01-01\t7\t0\n');
  });

  it('reads OK packets with an info text (INSERT labels) and shows them with -vvv', async () => {
    const r = await mariadb(server.port, ['-vvv', '-e', 'INSERT INTO db1.t VALUES (1), (2)']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^Query OK, 2 rows affected \([\d.]+ sec\)\n\{'label':'insert_\d+_\d+', 'status':'VISIBLE', 'txnId':'\d+'\}$/m);
  });

  it('prints errors with errno and SQLSTATE and exits 1', async () => {
    const r = await mariadb(server.port, ['-e', 'INSERT INTO db1.t VALUES (3); selec 1; INSERT INTO db1.t VALUES (4)']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ERROR 1064 \(42000\) at line 1: You have an error in your SQL syntax; .* near 'selec 1' at line 1, column 1\./m);
    // The statement before the error ran, the one after did not.
    expect(await mariadb(server.port, ['-N', '-e', 'SELECT k FROM db1.t WHERE k >= 3'])).toMatchObject({ code: 0, stdout: '3\n' });
  });

  it('USE sends COM_INIT_DB; -D selects a database; an unknown one is refused with 1049', async () => {
    const used = await mariadb(server.port, ['-N', '-e', 'use db1; select database()']);
    expect(used).toMatchObject({ code: 0, stdout: 'db1\n' });
    const direct = await mariadb(server.port, ['-N', '-D', 'db1', '-e', 'select database()']);
    expect(direct).toMatchObject({ code: 0, stdout: 'db1\n' });
    const unknown = await mariadb(server.port, ['-D', 'nope', '-e', 'select 1']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("ERROR 1049 (42000): Unknown database 'nope'");
  });

  it('status works (DATABASE(), USER(), character sets, COM_STATISTICS)', async () => {
    const r = await mariadb(server.port, ['-e', 'status']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Server version:\s+8\.0\.33-tablevault/);
    expect(r.stdout).toMatch(/Uptime:\s+\d+ sec/);
  });

  it('--compress falls back to plain protocol (COMPRESS is not advertised)', async () => {
    const r = await mariadb(server.port, ['--compress', '-N', '-e', 'select @@autocommit']);
    expect(r).toMatchObject({ code: 0, stdout: '1\n' });
  });

  it('reports a wrong port clearly', async () => {
    const closed = await startServer(engine, { port: 0, logger });
    const port = closed.port;
    await closed.close();
    const r = await mariadb(port, ['-e', 'select 1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ERROR 2002 \(HY000\): Can't connect to server on '127\.0\.0\.1'/);
  });
});
