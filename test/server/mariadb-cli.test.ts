import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile, spawnSync } from 'node:child_process';
import { createLogger } from '../../src/logging/logger.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';
import { VERSION_COMMENT } from '../../src/sql/variables/index.ts';
import { FakeEngine } from './fake-engine.ts';

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

describe.runIf(runCliTests)('mariadb CLI against the server (in-test engine)', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer(new FakeEngine(), { port: 0, logger: createLogger({ level: 'silent' }) });
  });

  afterAll(async () => {
    await server.close();
  });

  it('runs several statements with -e and prints tab-separated results with headers', async () => {
    const r = await mariadb(server.port, ['-e', 'select rows 2; select @@version_comment limit 1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const x = 'x'.repeat(40);
    expect(r.stdout).toBe(`id\tpayload\n0\trow-0-${x}\n1\trow-1-${x}\n@@version_comment\n${VERSION_COMMENT}\n`);
  });

  it('-N -B prints only values, NULL as NULL, unicode intact', async () => {
    const r = await mariadb(server.port, ['-N', '-B', '-e', 'select typed']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('42\t9007199254740991\t170141183460469231731687303715884105727\t12.50\t1.5\théllo ✓ 日本\t2024-02-29\tNULL\t1\n-1\t0\t-5\t-0.50\t-2.25\t\t1970-01-01\t7\t0\n');
  });

  it('reads OK packets with an info text (INSERT labels) and shows them with -vvv', async () => {
    const r = await mariadb(server.port, ['-vvv', '-e', 'insert 2']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain("{'label':'insert_2', 'status':'VISIBLE', 'txnId':'1'}");
  });

  it('prints errors with errno and SQLSTATE and exits 1', async () => {
    const r = await mariadb(server.port, ['-e', 'insert 1; selec 1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ERROR 1064 \(42000\) at line 1: You have an error in your SQL syntax near 'selec 1'$/m);
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
    const closed = await startServer(new FakeEngine(), { port: 0, logger: createLogger({ level: 'silent' }) });
    const port = closed.port;
    await closed.close();
    const r = await mariadb(port, ['-e', 'select 1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ERROR 2002 \(HY000\): Can't connect to server on '127\.0\.0\.1'/);
  });
});
