import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Engine } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { runServe } from '../../src/server/serve-command.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';
import { startupRootPassword } from '../../src/sql/privileges/root-password.ts';
import { nativePasswordHash } from '../../src/util/native-password.ts';

const hasCli = spawnSync('mariadb', ['--version']).status === 0;
const runCliTests = hasCli || process.env['CI'] === 'true';
const logger = createLogger({ level: 'silent' });

interface Running {
  readonly dir: string;
  readonly engine: Engine;
  readonly server: RunningServer;
}

async function start(options: { rootPassword?: string } = {}): Promise<Running> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-auth-'));
  const engine = await Engine.open({ dataDir: path.join(dir, 'data'), backends: 1, logger, ...options });
  const server = await startServer(engine, { port: 0, logger });
  return { dir, engine, server };
}

async function stop(r: Running | undefined): Promise<void> {
  if (r === undefined) return;
  await r.server.close();
  await r.engine.close();
  fs.rmSync(r.dir, { recursive: true, force: true });
}

function connect(port: number, user: string, password?: string): Promise<mysql.Connection> {
  return mysql.createConnection({ host: '127.0.0.1', port, user, ...(password === undefined ? {} : { password }) });
}

async function currentUser(conn: mysql.Connection): Promise<unknown> {
  const [rows] = await conn.query<mysql.RowDataPacket[]>('select current_user() as u');
  return rows[0]?.['u'];
}

function mariadb(port: number, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('mariadb', ['-h127.0.0.1', `-P${port}`, '--connect-timeout=5', ...args], { timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

describe('login through the server (mysql_native_password against the catalog)', () => {
  let r: Running;
  beforeAll(async () => {
    r = await start();
    const root = r.engine.session();
    await root.execute(`
      CREATE USER 'u'@'%' IDENTIFIED BY 'pp';
      CREATE USER 'local'@'localhost' IDENTIFIED BY 'lp';
      CREATE DATABASE d;
      CREATE TABLE d.t (id INT) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1");
      INSERT INTO d.t VALUES (1);
    `);
    root.close();
  });
  afterAll(() => stop(r));

  it('root has an empty password by default', async () => {
    const conn = await connect(r.server.port, 'root');
    expect(await currentUser(conn)).toBe("'root'@'%'");
    await conn.end();
    await expect(connect(r.server.port, 'root', 'guess')).rejects.toMatchObject({
      errno: 1045, sqlState: '28000', message: "Access denied for user 'root'@'127.0.0.1' (using password: YES)",
    });
  });

  it('a created user logs in with the right password only', async () => {
    const conn = await connect(r.server.port, 'u', 'pp');
    expect(await currentUser(conn)).toBe("'u'@'%'");
    // Privileges apply over the wire too.
    await expect(conn.query('SELECT * FROM d.t')).rejects.toMatchObject({ errno: 1142, message: "SELECT command denied to user 'u'@'127.0.0.1' for table 'd.t'" });
    await expect(conn.query('BACKUP SNAPSHOT d.s TO nowhere')).rejects.toMatchObject({ errno: 1227, sqlState: '42000' });
    await conn.end();
    await expect(connect(r.server.port, 'u', 'wrong')).rejects.toMatchObject({ errno: 1045, message: "Access denied for user 'u'@'127.0.0.1' (using password: YES)" });
    await expect(connect(r.server.port, 'u')).rejects.toMatchObject({ errno: 1045, message: "Access denied for user 'u'@'127.0.0.1' (using password: NO)" });
    await expect(connect(r.server.port, 'nobody', 'pp')).rejects.toMatchObject({ errno: 1045 });
  });

  it("'user'@'localhost' accepts loopback TCP clients", async () => {
    const conn = await connect(r.server.port, 'local', 'lp');
    expect(await currentUser(conn)).toBe("'local'@'localhost'");
    await conn.end();
  });

  it('a password change applies to the next login', async () => {
    const root = r.engine.session();
    await root.execute("ALTER USER 'u'@'%' IDENTIFIED BY 'pp2'");
    await expect(connect(r.server.port, 'u', 'pp')).rejects.toMatchObject({ errno: 1045 });
    (await connect(r.server.port, 'u', 'pp2')).destroy();
    await root.execute("SET PASSWORD FOR 'u'@'%' = PASSWORD('pp')");
    root.close();
  });

  describe.runIf(runCliTests)('with the mariadb CLI', () => {
    it('right password: runs the statement', async () => {
      const res = await mariadb(r.server.port, ['-uu', '-ppp', '-N', '-e', 'select current_user()']);
      expect(res).toMatchObject({ code: 0, stderr: '' });
      expect(res.stdout).toBe("'u'@'%'\n");
    });
    it('wrong password: ERROR 1045', async () => {
      const res = await mariadb(r.server.port, ['-uu', '-pbad', '-e', 'select current_user()']);
      expect(res.code).not.toBe(0);
      expect(res.stderr).toContain("ERROR 1045 (28000): Access denied for user 'u'@'127.0.0.1' (using password: YES)");
    });
    it('root with the default empty password', async () => {
      const res = await mariadb(r.server.port, ['-uroot', '-N', '-e', 'select current_user()']);
      expect(res).toMatchObject({ code: 0, stdout: "'root'@'%'\n" });
    });
  });
});

describe('root password set at start-up', () => {
  let r: Running | undefined;
  afterEach(async () => {
    await stop(r);
    r = undefined;
  });

  it('EngineOptions.rootPassword: root needs it from then on', async () => {
    r = await start({ rootPassword: 'r00t-pw' });
    expect(r.engine.rootPasswordIsEmpty()).toBe(false);
    await expect(connect(r.server.port, 'root')).rejects.toMatchObject({ errno: 1045, message: "Access denied for user 'root'@'127.0.0.1' (using password: NO)" });
    const conn = await connect(r.server.port, 'root', 'r00t-pw');
    expect(await currentUser(conn)).toBe("'root'@'%'");
    await conn.end();
    if (runCliTests) {
      const res = await mariadb(r.server.port, ['-uroot', '-pr00t-pw', '-N', '-e', 'select current_user()']);
      expect(res).toMatchObject({ code: 0, stdout: "'root'@'%'\n" });
    }
  });

  it('TABLEVAULT_ROOT_PASSWORD is the default; an explicit option wins; empty env means unset', () => {
    expect(startupRootPassword(undefined, { TABLEVAULT_ROOT_PASSWORD: 'e' })).toBe('e');
    expect(startupRootPassword('o', { TABLEVAULT_ROOT_PASSWORD: 'e' })).toBe('o');
    expect(startupRootPassword(undefined, { TABLEVAULT_ROOT_PASSWORD: '' })).toBeUndefined();
    expect(startupRootPassword(undefined, {})).toBeUndefined();
  });
});

describe('serve refuses to listen beyond loopback while root has no password', () => {
  it.each(['0.0.0.0', '::', '192.0.2.1'])('--host %s → exit 1 with what to do', async (host) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-serve-'));
    const stderr: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    const saved = process.env['TABLEVAULT_ROOT_PASSWORD'];
    delete process.env['TABLEVAULT_ROOT_PASSWORD'];
    try {
      const code = await runServe(['--host', host, '--port', '0', '--data-dir', path.join(dir, 'data'), '--backends', '1', '--log-level', 'silent']);
      expect(code).toBe(1);
      expect(stderr.join('')).toContain(`refusing to listen on ${host} while root has an empty password`);
      expect(stderr.join('')).toContain('--root-password');
    } finally {
      spy.mockRestore();
      if (saved !== undefined) process.env['TABLEVAULT_ROOT_PASSWORD'] = saved;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// A client on another machine: the server hands the engine the address the socket reports; these tests run on
// loopback only, so the address is simulated where the server passes it on (its `authenticate` hook).
const REMOTE = '192.0.2.7';

describe('accounts without a real password log in from this machine only', () => {
  let r: Running;
  let remote: RunningServer;
  beforeAll(async () => {
    r = await start();
    remote = await startServer(r.engine, { port: 0, logger, authenticate: (user, _host, scramble, token) => r.engine.authenticate(user, REMOTE, scramble, token) });
    const root = r.engine.session();
    await root.execute(`
      CREATE USER 'adm'@'%';
      GRANT root TO USER 'adm'@'%';
      CREATE USER 'ws'@'%' IDENTIFIED BY PASSWORD '${nativePasswordHash(' ')}';
      GRANT root TO USER 'ws'@'%';
      CREATE USER 'tabs'@'%' IDENTIFIED BY PASSWORD '${nativePasswordHash('\t \t')}';
      CREATE USER 'real'@'%' IDENTIFIED BY 'r3al-pw';
    `);
    root.close();
  });
  afterAll(async () => {
    await remote.close();
    await stop(r);
  });

  it("refuses a remote login to 'adm'@'%' (empty password, root role) and says how to set one", async () => {
    await expect(connect(remote.port, 'adm')).rejects.toMatchObject({
      errno: 1045,
      sqlState: '28000',
      message:
        `Access denied for user 'adm'@'${REMOTE}': the account 'adm'@'%' has no password (empty or only whitespace), so it may only log in from this machine ` +
        "(127.0.0.1 or ::1). Log in locally and set one: ALTER USER 'adm'@'%' IDENTIFIED BY '<new password>'",
    });
    // Root with its default empty password: the same rule.
    await expect(connect(remote.port, 'root')).rejects.toMatchObject({ errno: 1045, message: expect.stringContaining("the account 'root'@'%' has no password") });
  });

  it('refuses whitespace-only passwords remotely, even when typed right', async () => {
    await expect(connect(remote.port, 'ws', ' ')).rejects.toMatchObject({ errno: 1045, message: expect.stringContaining("the account 'ws'@'%' has no password (empty or only whitespace)") });
    await expect(connect(remote.port, 'tabs', '\t \t')).rejects.toMatchObject({ errno: 1045, message: expect.stringContaining('has no password') });
    // A wrong password learns nothing about the account: the plain denial.
    // (The connection words that denial with the socket's own address.)
    await expect(connect(remote.port, 'ws', 'guess')).rejects.toMatchObject({ errno: 1045, message: expect.stringMatching(/^Access denied for user 'ws'@'[^']+' \(using password: YES\)$/) });
  });

  it('lets accounts with a real password in remotely, and blank ones on loopback as before', async () => {
    const real = await connect(remote.port, 'real', 'r3al-pw');
    expect(await currentUser(real)).toBe("'real'@'%'");
    await real.end();
    for (const [user, password] of [['adm', undefined], ['ws', ' '], ['root', undefined]] as const) {
      const local = await connect(r.server.port, user, password);
      expect(await currentUser(local)).toBe(`'${user}'@'%'`);
      await local.end();
    }
  });

  it('refuses to set a whitespace-only password (statements and start-up), not an empty one', async () => {
    const root = r.engine.session();
    for (const sql of ["CREATE USER 'w2'@'%' IDENTIFIED BY ' '", "ALTER USER 'real'@'%' IDENTIFIED BY '\t'", "SET PASSWORD FOR 'real'@'%' = PASSWORD('  ')"]) {
      await expect(root.execute(sql)).rejects.toMatchObject({ errno: 1819, message: expect.stringContaining('a password made only of whitespace is no password') });
    }
    await root.execute("CREATE USER 'w3'@'%' IDENTIFIED BY ''");
    root.close();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-auth-ws-'));
    try {
      await expect(Engine.open({ dataDir: path.join(dir, 'data'), backends: 1, logger, rootPassword: ' ' })).rejects.toMatchObject({ errno: 1819 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serve refuses a non-loopback host while root has only a whitespace password', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-serve-ws-'));
    const dataDir = path.join(dir, 'data');
    const e = await Engine.open({ dataDir, backends: 1, logger });
    await e.session().execute(`SET PASSWORD FOR 'root'@'%' = '${nativePasswordHash('   ')}'`);
    expect(e.rootPasswordIsEmpty()).toBe(true);
    await e.close();
    const stderr: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    const saved = process.env['TABLEVAULT_ROOT_PASSWORD'];
    delete process.env['TABLEVAULT_ROOT_PASSWORD'];
    try {
      expect(await runServe(['--host', '0.0.0.0', '--port', '0', '--data-dir', dataDir, '--log-level', 'silent'])).toBe(1);
      expect(stderr.join('')).toContain('refusing to listen on 0.0.0.0 while root has an empty password (or one of only whitespace)');
    } finally {
      spy.mockRestore();
      if (saved !== undefined) process.env['TABLEVAULT_ROOT_PASSWORD'] = saved;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
