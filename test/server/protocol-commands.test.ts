/**
 * The administrative side of the protocol, driven by the real tools over the real Engine:
 * - mariadb-admin flush-privileges / flush-tables / flush-logs / flush-hosts / flush-status / flush-threads / reload /
 *   refresh / password / status / ping / processlist (COM_REFRESH, COM_STATISTICS, COM_PING, FLUSH, SET PASSWORD),
 *   refused for a user without the privilege; mariadb-admin shutdown stopping a `tablevault serve` process;
 * - the diagnostics area through the mariadb CLI: SHOW WARNINGS after an error, @@warning_count / @@error_count;
 * - character sets: a latin1 client's 'café' stored and read back as café, invalid bytes refused with 1366,
 *   character_set_results = NULL sending stored UTF-8;
 * - COM_RESET_CONNECTION (node mariadb reset()), and a read-only cursor fetched in pieces (COM_STMT_FETCH, raw bytes:
 *   no driver here opens one);
 * - COM_FIELD_LIST (the mariadb CLI's auto-rehash sends one per table): the table's columns, privilege-checked.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import mariadb from 'mariadb';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';
import { parseErr, RawClient } from './raw-client.ts';

const hasCli = spawnSync('mariadb-admin', ['--version']).status === 0 || process.env['CI'] === 'true';
const logger = createLogger({ level: 'silent' });
let dir: string;
let engine: Engine;
let server: RunningServer;

function tool(command: string, args: readonly string[], input?: Buffer | string): Promise<{ code: number; stdout: string; stderr: string; raw: Buffer }> {
  return new Promise((resolve) => {
    const child = execFile(command, [...args], { timeout: 30_000, encoding: 'buffer' }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout: stdout.toString('utf8'), stderr: stderr.toString('utf8'), raw: stdout });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

const admin = (port: number, user: string, password: string, ...args: string[]): ReturnType<typeof tool> =>
  tool('mariadb-admin', ['-h127.0.0.1', `-P${port}`, `-u${user}`, ...(password === '' ? [] : [`-p${password}`]), '--connect-timeout=5', ...args]);
const cli = (args: readonly string[], input?: Buffer | string): ReturnType<typeof tool> =>
  tool('mariadb', ['-h127.0.0.1', `-P${server.port}`, '-uroot', '--connect-timeout=5', ...args], input);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-admin-'));
  engine = await Engine.open({ dataDir: dir, backends: 1, logger });
  server = await startServer(engine, { port: 0, logger });
  await engine.session().execute(`
    CREATE DATABASE a;
    CREATE TABLE a.t (k INT, v VARCHAR(20)) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ("replication_num" = "1");
    INSERT INTO a.t VALUES (1, 'one'), (2, 'two'), (3, 'three'), (4, 'four'), (5, 'five');
    CREATE USER plain IDENTIFIED BY 'pw-1';
    CREATE USER operator IDENTIFIED BY 'pw-o';
    GRANT OPERATE ON SYSTEM TO operator;
    CREATE USER nosee;
    CREATE TABLE a.u (x INT) DUPLICATE KEY(x) DISTRIBUTED BY HASH(x) BUCKETS 1 PROPERTIES ("replication_num" = "1");
    GRANT SELECT ON a.u TO nosee;
  `);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await engine?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe.runIf(hasCli)('mariadb-admin', () => {
  it('flush-*, reload, refresh, status, ping and processlist work for a user with OPERATE', async () => {
    for (const command of ['flush-privileges', 'flush-tables', 'flush-logs', 'flush-hosts', 'flush-status', 'flush-threads', 'reload', 'refresh']) {
      const out = await admin(server.port, 'operator', 'pw-o', command);
      expect({ command, ...out, raw: undefined }).toEqual({ command, code: 0, stdout: '', stderr: '', raw: undefined });
    }
    const status = await admin(server.port, 'operator', 'pw-o', 'status');
    expect(status.stdout).toMatch(/^Uptime: \d+ {2}Threads: \d+ {2}Questions: \d+ {2}Slow queries: 0/);
    expect((await admin(server.port, 'operator', 'pw-o', 'ping')).stdout).toBe('mysqld is alive\n');
    const list = await admin(server.port, 'operator', 'pw-o', 'processlist');
    expect(list.stdout).toMatch(/\| Id +\| User +\| Host +\|/);
    expect(list.stdout).toMatch(/\| operator \| 127\.0\.0\.1 \|.*show processlist/);
  });

  it('refuses flush, reload, refresh and shutdown to a user without the privilege (RELOAD: OPERATE, SHUTDOWN: NODE)', async () => {
    const flush = await admin(server.port, 'plain', 'pw-1', 'flush-privileges');
    expect(flush.code).not.toBe(0);
    expect(flush.stderr).toContain('you need (at least one of) the OPERATE privilege(s) on SYSTEM');
    const refresh = await admin(server.port, 'plain', 'pw-1', 'refresh');
    expect(refresh.stderr).toContain('OPERATE privilege(s) on SYSTEM');
    const shutdown = await admin(server.port, 'operator', 'pw-o', 'shutdown');
    expect(shutdown.stderr).toContain('you need (at least one of) the NODE privilege(s) on SYSTEM');
    // Still serving.
    expect((await admin(server.port, 'plain', 'pw-1', 'ping')).stdout).toBe('mysqld is alive\n');
  });

  it('flush-privileges re-reads the grant tables the engine caches', async () => {
    // A grant written into the catalog behind the engine's back (an operator repairing it with sqlite3) is seen only
    // after FLUSH PRIVILEGES: the engine answers privilege checks from its in-memory copy.
    await engine.session().execute("CREATE USER late IDENTIFIED BY 'pw-l'");
    const conn = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'late', password: 'pw-l' });
    const sqlite = new Database(path.join(dir, 'catalog.sqlite'));
    try {
      await expect(conn.query('SELECT COUNT(*) AS n FROM a.t')).rejects.toMatchObject({ errno: 1142 });
      sqlite.prepare("INSERT INTO grants (grantee_type, grantee_name, grantee_host, privilege, object_type, object_db, object_name) VALUES ('USER', 'late', '%', 'SELECT', 'TABLE', 'a', 't')").run();
      await expect(conn.query('SELECT COUNT(*) AS n FROM a.t')).rejects.toMatchObject({ errno: 1142 });
      expect(await admin(server.port, 'operator', 'pw-o', 'flush-privileges')).toMatchObject({ code: 0, stderr: '' });
      const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM a.t');
      expect(rows).toEqual([{ n: 5 }]);
    } finally {
      sqlite.close();
      await conn.end();
    }
  });

  it('password changes the user\'s own password (a mysql_native_password hash, old_passwords OFF)', async () => {
    await engine.session().execute("CREATE USER changer IDENTIFIED BY 'old-pw'");
    const out = await admin(server.port, 'changer', 'old-pw', 'password', 'new-pw');
    expect(out).toMatchObject({ code: 0, stderr: '' });
    const denied = await tool('mariadb', ['-h127.0.0.1', `-P${server.port}`, '-uchanger', '-pold-pw', '-e', 'SELECT 1']);
    expect(denied.stderr).toContain('ERROR 1045');
    const ok = await tool('mariadb', ['-h127.0.0.1', `-P${server.port}`, '-uchanger', '-pnew-pw', '-N', '-e', 'SELECT CURRENT_USER()']);
    expect(ok).toMatchObject({ code: 0, stdout: "'changer'@'%'\n" });
  });

  it('shutdown stops a tablevault serve process gracefully (exit 0, data dir unlocked)', async () => {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-shutdown-'));
    // The sources through tsx (scripts/tablevault-dev.js): bin/tablevault.js runs dist/, which may be stale here.
    const bin = path.resolve('scripts/tablevault-dev.js');
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--data-dir', data, '--log-level', 'silent'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let stdout = '';
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no listening line')), 60_000);
        child.stdout.on('data', (c: Buffer) => {
          stdout += c.toString();
          const m = /listening on 127\.0\.0\.1:(\d+)/.exec(stdout);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const out = await admin(port, 'root', '', 'shutdown');
      expect(out).toMatchObject({ code: 0, stderr: '' });
      expect(await exited).toBe(0);
      const again = await Engine.open({ dataDir: data, logger });
      await again.close();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(data, { recursive: true, force: true });
    }
  }, 90_000);
});

describe.runIf(hasCli)('diagnostics and character sets through the mariadb CLI', () => {
  it('SHOW WARNINGS after an error lists it as Level Error with its code and message', async () => {
    const out = await cli(['--force', '-B'], 'SELECT * FROM a.nope;\nSHOW WARNINGS;\nSHOW COUNT(*) ERRORS;\nSELECT @@warning_count, @@error_count;\nSHOW COUNT(*) WARNINGS;\n');
    expect(out.stderr).toContain("ERROR 1146 (42S02) at line 1: Table 'a.nope' doesn't exist");
    expect(out.stdout).toBe(
      "Level\tCode\tMessage\nError\t1146\tTable 'a.nope' doesn't exist\n@@session.error_count\n1\n@@warning_count\t@@error_count\n1\t1\n@@session.warning_count\n0\n",
    );
  });

  it("a latin1 client's 'café' is stored as café and read back in latin1; invalid bytes are 1366", async () => {
    await engine.session().execute('CREATE TABLE a.c (k INT, v VARCHAR(20)) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ("replication_num" = "1")');
    const insert = await cli(['--default-character-set=latin1'], Buffer.from("INSERT INTO a.c VALUES (1, 'caf\xe9');\n", 'latin1'));
    expect(insert).toMatchObject({ code: 0, stderr: '' });
    // Stored as Unicode: a utf8 client reads é as two bytes, CHAR_LENGTH counts 4 characters.
    const utf8 = await cli(['-N', '-B', '-e', 'SELECT v, CHAR_LENGTH(v), HEX(v) FROM a.c WHERE k = 1']);
    expect(utf8.stdout).toBe('café\t4\t636166C3A9\n');
    const latin1 = await cli(['-N', '-B', '--default-character-set=latin1', '-e', 'SELECT v FROM a.c WHERE k = 1']);
    expect(latin1.raw).toEqual(Buffer.from('caf\xe9\n', 'latin1'));
    // The same byte from a client that says it speaks utf8mb4 is not text: refused, nothing stored.
    const bad = await cli(['--default-character-set=utf8mb4'], Buffer.from("INSERT INTO a.c VALUES (2, 'caf\xe9');\n", 'latin1'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("ERROR 1366 (HY000) at line 1: Incorrect string value: '\\xE9'");
    const count = await cli(['-N', '-B', '-e', 'SELECT COUNT(*) FROM a.c']);
    expect(count.stdout).toBe('1\n');
    // SET NAMES latin1 mid-session switches both directions.
    const names = await cli(['-N', '-B'], Buffer.from("SET NAMES latin1;\nSELECT 'd\xe9j\xe0', @@character_set_client, @@character_set_results;\n", 'latin1'));
    expect(names.raw).toEqual(Buffer.from('d\xe9j\xe0\tlatin1\tlatin1\n', 'latin1'));
    // character_set_results = NULL: no conversion, the stored UTF-8 goes out even to a latin1 client.
    const raw = await cli(['-N', '-B', '--default-character-set=latin1', '-e', 'SET character_set_results = NULL; SELECT v, @@character_set_results FROM a.c']);
    expect(raw.raw).toEqual(Buffer.from('café\tNULL\n', 'utf8'));
  });
});

describe('COM_RESET_CONNECTION, warning counts and cursors', () => {
  it('the OK packet counts the notes a statement left (mysql2 warningStatus), SHOW WARNINGS lists them', async () => {
    const conn = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', multipleStatements: true });
    try {
      const [ok] = await conn.query<mysql.ResultSetHeader>('DROP TABLE IF EXISTS a.nope');
      expect(ok.warningStatus).toBe(1);
      const [rows] = await conn.query<mysql.RowDataPacket[]>('SHOW WARNINGS');
      expect(rows).toEqual([{ Level: 'Note', Code: 1051, Message: "Unknown table 'a.nope'" }]);
      const [clean] = await conn.query<mysql.ResultSetHeader>('DROP TABLE IF EXISTS a.nope; SET @x = 1');
      expect(Array.isArray(clean) ? (clean as mysql.ResultSetHeader[]).map((r) => r.warningStatus) : clean.warningStatus).toEqual([1, 0]);
    } finally {
      await conn.end();
    }
  });

  it('node mariadb reset(): a fresh session (user variables and prepared statements gone), same user and database', async () => {
    const conn = await mariadb.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', database: 'a' });
    try {
      await conn.query('SET @x = 42');
      await conn.query("PREPARE named FROM 'SELECT 1'");
      expect(await conn.query('SELECT @x AS x')).toEqual([{ x: 42n }]);
      await conn.reset();
      expect(await conn.query('SELECT @x AS x, DATABASE() AS d')).toEqual([{ x: null, d: 'a' }]);
      await expect(conn.query('EXECUTE named')).rejects.toMatchObject({ errno: 1243 });
    } finally {
      await conn.end();
    }
  });

  it('a read-only cursor: EXECUTE sends the columns only, COM_STMT_FETCH the rows in pieces, the last flagged; COM_STMT_RESET', async () => {
    const { client } = await RawClient.connect(server.port);
    try {
      client.command(0x16, 'SELECT k, v FROM a.t WHERE k >= ? ORDER BY k');
      const prepared = await client.readResult();
      const ok = prepared[0]!.payload;
      expect(ok[0]).toBe(0x00);
      const id = ok.readUInt32LE(1);
      expect([ok.readUInt16LE(5), ok.readUInt16LE(7)]).toEqual([2, 1]);
      // Parameter definition + EOF, two column definitions + EOF.
      for (let i = 0; i < 1 + 1 + 2 + 1; i++) await client.read();
      const execute = Buffer.alloc(4 + 1 + 4 + 1 + 1 + 2 + 8);
      let o = 0;
      o = execute.writeUInt32LE(id, o);
      o = execute.writeUInt8(0x01, o); // CURSOR_TYPE_READ_ONLY
      o = execute.writeUInt32LE(1, o);
      o = execute.writeUInt8(0, o); // NULL bitmap
      o = execute.writeUInt8(1, o); // new params bound
      o = execute.writeUInt16LE(8, o); // LONGLONG
      execute.writeBigInt64LE(2n, o);
      client.command(0x17, execute);
      const head = [await client.read(), await client.read(), await client.read(), await client.read()];
      expect(head[0]!.payload[0]).toBe(2);
      const eof = head[3]!.payload;
      expect(eof[0]).toBe(0xfe);
      expect(eof.readUInt16LE(3) & 0x40).toBe(0x40); // SERVER_STATUS_CURSOR_EXISTS
      const fetch = (rows: number): Buffer => {
        const b = Buffer.alloc(8);
        b.writeUInt32LE(id, 0);
        b.writeUInt32LE(rows, 4);
        return b;
      };
      const readRows = async (): Promise<{ keys: number[]; status: number }> => {
        const keys: number[] = [];
        for (;;) {
          const p = (await client.read()).payload;
          if (p[0] === 0xfe && p.length < 9) return { keys, status: p.readUInt16LE(3) };
          // Binary row: 0x00, NULL bitmap (1 byte for 2 columns), INT k.
          keys.push(p.readInt32LE(2));
        }
      };
      client.command(0x1c, fetch(2));
      const first = await readRows();
      expect(first.keys).toEqual([2, 3]);
      expect(first.status & 0x80).toBe(0);
      client.command(0x1c, fetch(10));
      const rest = await readRows();
      expect(rest.keys).toEqual([4, 5]);
      expect(rest.status & 0x80).toBe(0x80); // SERVER_STATUS_LAST_ROW_SENT
      client.command(0x1c, fetch(1));
      expect(parseErr((await client.read()).payload)).toMatchObject({ errno: 1421 });
      // COM_STMT_RESET closes a cursor opened again: OK, then FETCH has nothing to read.
      client.command(0x17, execute);
      for (let i = 0; i < 4; i++) await client.read();
      client.command(0x1a, fetch(0).subarray(0, 4));
      expect((await client.read()).payload[0]).toBe(0x00);
      client.command(0x1c, fetch(1));
      expect(parseErr((await client.read()).payload)).toMatchObject({ errno: 1421 });
      client.command(0x1a, Buffer.from([0xee, 0xee, 0, 0]));
      expect(parseErr((await client.read()).payload)).toMatchObject({ errno: 1243 });
      client.command(0x19, Buffer.from([id & 0xff, (id >> 8) & 0xff, 0, 0]));
      client.command(0x0e);
      expect((await client.read()).payload[0]).toBe(0x00);
    } finally {
      client.close();
    }
  });
});

describe('COM_FIELD_LIST', () => {
  /** Names, schema, table, type codes and the trailing default of each definition, up to the EOF. */
  async function fieldList(client: RawClient, body: string): Promise<{ schema: string; table: string; name: string; type: number; defaultNull: boolean }[] | { errno: number; message: string }> {
    client.command(0x04, body);
    const fields = [];
    for (;;) {
      const { payload } = await client.read();
      if (payload[0] === 0xff) return parseErr(payload);
      if (payload[0] === 0xfe && payload.length < 9) return fields;
      let o = 0;
      const text = (): string => {
        const n = payload[o]!;
        const value = payload.toString('utf8', o + 1, o + 1 + n);
        o += 1 + n;
        return value;
      };
      const [, schema, table, , name] = [text(), text(), text(), text(), text(), text()];
      expect(payload[o]).toBe(0x0c);
      fields.push({ schema: schema!, table: table!, name: name!, type: payload[o + 7]!, defaultNull: payload.length === o + 14 && payload[o + 13] === 0xfb });
    }
  }

  it('lists the columns of a table in the current database (all, or those matching the wildcard); errors as a SELECT would give', async () => {
    const { client } = await RawClient.connect(server.port);
    try {
      expect(await fieldList(client, 't\0')).toMatchObject({ errno: 1046 });
      client.command(0x02, 'a');
      expect((await client.read()).payload[0]).toBe(0x00);
      expect(await fieldList(client, 't\0')).toEqual([
        { schema: 'a', table: 't', name: 'k', type: 3, defaultNull: true },
        { schema: 'a', table: 't', name: 'v', type: 253, defaultNull: true },
      ]);
      expect((await fieldList(client, 't\0V%')) as unknown[]).toMatchObject([{ name: 'v' }]);
      expect(await fieldList(client, 't')).toHaveLength(2);
      expect(await fieldList(client, 'nope\0')).toMatchObject({ errno: 1146 });
      // The connection goes on: the next command is answered in order.
      client.command(0x0e);
      expect((await client.read()).payload[0]).toBe(0x00);
    } finally {
      client.close();
    }
  });

  it('a user without SELECT on the table gets 1142, not its columns; a table it may read is listed', async () => {
    const { client, reply } = await RawClient.connect(server.port, 'nosee');
    try {
      expect(reply.payload[0]).toBe(0x00);
      client.command(0x02, 'a');
      expect((await client.read()).payload[0]).toBe(0x00);
      expect(await fieldList(client, 'u\0')).toMatchObject([{ name: 'x' }]);
      expect(await fieldList(client, 't\0')).toMatchObject({ errno: 1142, message: expect.stringContaining("for table 'a.t'") });
      client.command(0x03, 'SELECT 1');
      await client.readResult();
    } finally {
      client.close();
    }
  });
});
