/**
 * End to end through the real Engine: the mariadb CLI and mysql2 against `startServer(Engine)`, and the
 * `tablevault serve` process itself (start-up line, SIGTERM shutdown).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { Engine } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';
import { VERSION_COMMENT } from '../../src/sql/variables/index.ts';

const hasCli = spawnSync('mariadb', ['--version']).status === 0;
const runCliTests = hasCli || process.env['CI'] === 'true';

function mariadb(port: number, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('mariadb', ['-h127.0.0.1', `-P${port}`, '-uroot', '--connect-timeout=5', ...args], { timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

describe('server over the real engine', () => {
  let dir: string;
  let engine: Engine;
  let server: RunningServer;
  const logger = createLogger({ level: 'silent' });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-'));
    engine = await Engine.open({ dataDir: dir, logger });
    server = await startServer(engine, { port: 0, logger });
  });

  afterAll(async () => {
    await server?.close();
    await engine?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.runIf(runCliTests)('mariadb -e: CREATE DATABASE / TABLE, INSERT, SELECT', async () => {
    const setup = await mariadb(server.port, [
      '-e',
      'CREATE DATABASE shop; CREATE TABLE shop.orders (id INT, region VARCHAR(16), amount DECIMAL(10,2)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 2 PROPERTIES ("replication_num" = "1"); INSERT INTO shop.orders VALUES (1, \'eu\', 12.50), (2, \'us\', NULL)',
    ]);
    expect(setup.stderr).toBe('');
    expect(setup.code).toBe(0);
    const select = await mariadb(server.port, ['-N', '-B', '-D', 'shop', '-e', 'SELECT id, region, amount FROM orders ORDER BY id']);
    expect(select).toMatchObject({ code: 0, stdout: '1\teu\t12.50\n2\tus\tNULL\n' });
    const unknown = await mariadb(server.port, ['-e', 'SELECT * FROM shop.nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/ERROR \d+ \((?!_____)[0-9A-Z]{5}\)/);
  });

  it('mysql2: what clients send at connect and in use', async () => {
    const conn = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', multipleStatements: true });
    try {
      const [banner] = await conn.query<mysql.RowDataPacket[]>('select @@version_comment limit 1');
      expect(banner[0]!['@@version_comment']).toBe(VERSION_COMMENT);
      await conn.query('SET NAMES utf8mb4');
      await conn.query('SET autocommit = 1');
      const [who] = await conn.query<mysql.RowDataPacket[]>({ sql: 'SELECT DATABASE(), USER()', rowsAsArray: true });
      expect(who[0]).toEqual([null, expect.stringMatching(/^'?root'?@'?127\.0\.0\.1/)]);
      const [vars] = await conn.query<mysql.RowDataPacket[]>("SHOW VARIABLES LIKE 'character_set_client'");
      expect(vars).toEqual([{ Variable_name: 'character_set_client', Value: 'utf8mb4' }]);
      const [status] = await conn.query<mysql.RowDataPacket[]>('SHOW STATUS');
      expect(status.length).toBeGreaterThan(0);
      const [list] = await conn.query<mysql.RowDataPacket[]>('SHOW PROCESSLIST');
      expect(list.some((r) => Number(r['Id']) === conn.threadId)).toBe(true);
      const [schemata] = await conn.query<mysql.RowDataPacket[]>('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA');
      expect(schemata.map((r) => r['SCHEMA_NAME'])).toContain('information_schema');
      await expect(conn.query('SELEC 1')).rejects.toMatchObject({ errno: 1064, sqlState: expect.stringMatching(/^(42000|HY000)$/) });
      const [n] = await conn.query<mysql.RowDataPacket[]>('SELECT 1 + 1 AS two');
      expect(n[0]!['two']).toBe(2);
    } finally {
      await conn.end();
    }
  });

  it('KILL CONNECTION from another connection closes the victim', async () => {
    const victim = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
    const killer = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
    try {
      await killer.query(`KILL ${victim.threadId}`);
      await expect(victim.query('SELECT 1')).rejects.toThrow();
      await expect(killer.query('KILL 987654')).rejects.toMatchObject({ errno: 1094 });
    } finally {
      victim.destroy();
      await killer.end();
    }
  });
});

describe('tablevault serve process', () => {
  it('prints the listening line, serves, and exits 0 on SIGTERM with the catalog closed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-'));
    const bin = path.resolve('scripts/tablevault-dev.js');
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--data-dir', dir, '--log-level', 'silent'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line; stderr: ${stderr}`)), 60_000);
        child.stdout.on('data', (c: Buffer) => {
          stdout += c.toString();
          const m = stdout.match(/^tablevault listening on 127\.0\.0\.1:(\d+) \(data dir (.+)\)\n/);
          if (m) {
            clearTimeout(timer);
            expect(m[2]).toBe(dir);
            resolve(Number(m[1]));
          }
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
      });
      const conn = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root' });
      const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT 1 AS one');
      expect(rows).toEqual([{ one: 1 }]);
      await conn.end();
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      // The data dir is unlocked and reopens cleanly.
      const again = await Engine.open({ dataDir: dir, logger: createLogger({ level: 'silent' }) });
      await again.close();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
