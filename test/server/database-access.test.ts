/**
 * Database visibility over the wire: a login naming a database the account holds nothing in, COM_INIT_DB (the
 * mariadb client's `use`), and USE all answer MySQL's 1044; SHOW DATABASES lists only the databases the account
 * holds some privilege in. The library-level cases are in test/sql/show-jobs-and-databases.test.ts; this file
 * drives the same rules through the protocol paths that bypass the statement executor (handshake, COM_INIT_DB).
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';

const runCliTests = spawnSync('mariadb', ['--version']).status === 0 || process.env['CI'] === 'true';
const DENIED = "Access denied for user 'u'@'127.0.0.1' to database 'secret'";

describe('database access over the wire (1044)', () => {
  let dir: string;
  let engine: Engine;
  let server: RunningServer;
  const logger = createLogger({ level: 'silent' });

  function mariadb(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile('mariadb', ['-h127.0.0.1', `-P${server.port}`, '-uu', '-ppw', '--connect-timeout=5', ...args], { timeout: 20_000 }, (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
      });
    });
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-dbaccess-'));
    engine = await Engine.open({ dataDir: dir, backends: 1, logger });
    await engine.session().execute(`
      CREATE DATABASE a; CREATE DATABASE secret;
      CREATE TABLE a.t (id INT) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1");
      CREATE USER 'u'@'%' IDENTIFIED BY 'pw';
      GRANT SELECT ON TABLE a.t TO USER 'u'@'%';
    `);
    server = await startServer(engine, { port: 0, logger });
  });

  afterAll(async () => {
    await server?.close();
    await engine?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('mysql2: a login into a hidden database is refused; USE is refused and the session stays where it was', async () => {
    await expect(mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'u', password: 'pw', database: 'secret' })).rejects.toMatchObject({
      errno: 1044,
      sqlState: '42000',
      message: DENIED,
    });
    const conn = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'u', password: 'pw', database: 'a' });
    try {
      const [dbs] = await conn.query<mysql.RowDataPacket[]>({ sql: 'SHOW DATABASES', rowsAsArray: true });
      expect(dbs).toEqual([['a'], ['information_schema']]);
      await expect(conn.query('USE secret')).rejects.toMatchObject({ errno: 1044, message: DENIED });
      const [current] = await conn.query<mysql.RowDataPacket[]>({ sql: 'SELECT DATABASE()', rowsAsArray: true });
      expect(current).toEqual([['a']]);
    } finally {
      await conn.end();
    }
  });

  it.runIf(runCliTests)('mariadb: -D at login and the client\'s use command (COM_INIT_DB) get 1044; a database with a grant is let in', async () => {
    const login = await mariadb(['-D', 'secret', '-e', 'SELECT 1']);
    expect(login.code).toBe(1);
    expect(login.stderr).toContain(`ERROR 1044 (42000): ${DENIED}`);
    const initDb = await mariadb(['-D', 'a', '-e', 'use secret']);
    expect(initDb.code).toBe(1);
    expect(initDb.stderr).toContain(`ERROR 1044 (42000)`);
    expect(initDb.stderr).toContain(DENIED);
    const allowed = await mariadb(['-N', '-B', '-e', 'use a; SELECT DATABASE()']);
    expect(allowed).toMatchObject({ code: 0, stdout: 'a\n' });
  });
});
