import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import mysql from 'mysql2/promise';
import { createLogger } from '../../src/logging/logger.ts';
import { startServer, PortInUseError, type RunningServer } from '../../src/server/server.ts';
import { nativePasswordHash, verifyNativePassword } from '../../src/util/native-password.ts';
import { SERVER_VERSION } from '../../src/sql/variables/index.ts';
import { FakeEngine } from './fake-engine.ts';
import { RawClient, parseErr } from './raw-client.ts';

const logger = createLogger({ level: 'silent' });
let server: RunningServer;
let engine: FakeEngine;

const connect = (options: mysql.ConnectionOptions = {}): Promise<mysql.Connection> =>
  mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', ...options });

beforeAll(async () => {
  engine = new FakeEngine();
  server = await startServer(engine, { host: '127.0.0.1', port: 0, logger });
});

afterAll(async () => {
  await server.close();
});

describe('mysql2 client', () => {
  it('connects, sees the version, and gets typed columns: numbers as numbers, NULL as null', async () => {
    const conn = await connect();
    try {
      const [rows, fields] = await conn.query<mysql.RowDataPacket[]>('select typed');
      expect(rows[0]).toMatchObject({ i: 42, b: 9007199254740991, l: '170141183460469231731687303715884105727', d: '12.50', f: 1.5, s: 'héllo ✓ 日本', n: null, bool: 1 });
      expect(rows[0]!['dt']).toBeInstanceOf(Date);
      expect(rows[1]).toMatchObject({ i: -1, b: 0, l: '-5', d: '-0.50', f: -2.25, s: '', n: 7, bool: 0 });
      expect(fields.map((f) => f.type)).toEqual([3, 8, 246, 246, 5, 253, 10, 3, 1]);
      expect(fields[3]!.decimals).toBe(2);
      const [version] = await conn.query<mysql.RowDataPacket[]>('select @@version_comment limit 1');
      expect(version[0]!['@@version_comment']).toMatch(/^tablevault /);
      expect((conn as unknown as { connection: { _handshakePacket: { serverVersion: string } } }).connection._handshakePacket.serverVersion).toBe(SERVER_VERSION);
    } finally {
      await conn.end();
    }
  });

  it('reports errors with their errno and a real SQLSTATE, and survives internal errors', async () => {
    const conn = await connect();
    try {
      await expect(conn.query('selec 1')).rejects.toMatchObject({ errno: 1064, sqlState: '42000', code: 'ER_PARSE_ERROR' });
      await expect(conn.query('boom')).rejects.toMatchObject({ errno: 1105, sqlState: 'HY000' });
      await expect(conn.query('select @@nope')).rejects.toMatchObject({ errno: 1193, sqlState: 'HY000', message: "Unknown system variable 'nope'" });
      const [rows] = await conn.query<mysql.RowDataPacket[]>('select @@autocommit');
      expect(rows[0]!['@@autocommit']).toBe(1);
    } finally {
      await conn.end();
    }
  });

  it('routes SET (which mysql2 emits as stmt_prepare) to the query path', async () => {
    const conn = await connect();
    try {
      await conn.query('SET NAMES utf8mb4');
      await conn.query('SET autocommit = 0');
      const [rows] = await conn.query<mysql.RowDataPacket[]>('select @@session.autocommit');
      expect(rows[0]!['@@autocommit']).toBe(0);
      const [cs] = await conn.query<mysql.RowDataPacket[]>('select @@character_set_client');
      expect(cs[0]!['@@character_set_client']).toBe('utf8mb4');
      await expect(conn.query('SET version = 1')).rejects.toMatchObject({ errno: 1238, sqlState: 'HY000' });
      await expect(conn.query('SET lower_case_table_names = 1')).rejects.toMatchObject({ errno: 1238 });
      await expect(conn.query('SET max_connections = 5')).rejects.toMatchObject({ errno: 1229, message: "Variable 'max_connections' is a GLOBAL variable and should be set with SET GLOBAL" });
      const [vars] = await conn.query<mysql.RowDataPacket[]>("show variables like 'autocommit'");
      expect(vars).toEqual([{ Variable_name: 'autocommit', Value: 'OFF' }]);
    } finally {
      await conn.end();
    }
  });

  it('returns every result of a multi-statement query, flagged MORE_RESULTS, and stops at an error', async () => {
    const conn = await connect({ multipleStatements: true });
    try {
      const [results] = await conn.query<mysql.RowDataPacket[][]>('select @@autocommit; insert 3; select rows 2');
      expect(results).toHaveLength(3);
      expect(results[0]).toEqual([{ '@@autocommit': 1 }]);
      expect(results[1]).toMatchObject({ affectedRows: 3, info: "{'label':'insert_3', 'status':'VISIBLE', 'txnId':'1'}" });
      expect(results[2]).toHaveLength(2);
      await expect(conn.query('insert 1; selec x; insert 2')).rejects.toMatchObject({ errno: 1064 });
      expect(engine.executed).not.toContain('insert 2');
      const [after] = await conn.query<mysql.RowDataPacket[]>('select rows 1');
      expect(after).toHaveLength(1);
    } finally {
      await conn.end();
    }
  });

  it('answers COM_PING, prepared statements in binary rows, and COM_CHANGE_USER (a new session)', async () => {
    const conn = await connect();
    try {
      await conn.ping();
      // The scripted session runs the prepared text with the value written in: `select rows 2`.
      const [rows, fields] = await conn.execute<mysql.RowDataPacket[]>('select rows ?', [2]);
      expect(rows).toEqual([{ id: 0, payload: `row-0-${'x'.repeat(40)}` }, { id: 1, payload: `row-1-${'x'.repeat(40)}` }]);
      expect(fields.map((f) => f.type)).toEqual([3, 253]);
      const [typed] = await conn.execute<mysql.RowDataPacket[]>('select typed');
      expect(typed[0]).toMatchObject({ i: 42, b: 9007199254740991, l: '170141183460469231731687303715884105727', d: '12.50', f: 1.5, s: 'héllo ✓ 日本', n: null, bool: 1 });
      expect(typed[1]).toMatchObject({ i: -1, b: 0, l: '-5', d: '-0.50', f: -2.25, s: '', n: 7, bool: 0 });
      await conn.ping();
      const before = conn.threadId;
      const sessions = engine.closedSessions.length;
      await conn.changeUser({ user: 'root', database: 'db1' });
      const [db] = await conn.query<mysql.RowDataPacket[]>('select database()');
      expect(db[0]).toEqual({ 'DATABASE()': 'db1' });
      expect(conn.threadId).toBe(before);
      expect(engine.closedSessions.length).toBe(sessions + 1);
      await expect(conn.changeUser({ user: 'nobody' })).rejects.toMatchObject({ errno: 1045, sqlState: '28000' });
      await conn.ping();
    } finally {
      conn.destroy();
    }
  });

  it('streams 200k rows with back-pressure', async () => {
    const conn = await connect({ rowsAsArray: true });
    try {
      const [rows] = await conn.query<mysql.RowDataPacket[]>('select rows 200000');
      expect(rows).toHaveLength(200_000);
      expect(rows[199_999]).toEqual([199_999, `row-199999-${'x'.repeat(40)}`]);
    } finally {
      await conn.end();
    }
  });

  it('CONNECT_WITH_DB uses the database; an unknown one is refused with 1049 (42000)', async () => {
    const conn = await connect({ database: 'db1' });
    const [rows] = await conn.query<mysql.RowDataPacket[]>('select database()');
    expect(rows[0]!['DATABASE()']).toBe('db1');
    await conn.end();
    await expect(connect({ database: 'nope' })).rejects.toMatchObject({ errno: 1049, sqlState: '42000' });
  });

  it('refuses a wrong user with 1045 (28000)', async () => {
    await expect(connect({ user: 'bob' })).rejects.toMatchObject({ errno: 1045, sqlState: '28000', message: "Access denied for user 'bob'@'127.0.0.1' (using password: NO)" });
    await expect(connect({ password: 'x' })).rejects.toMatchObject({ errno: 1045 });
  });
});

describe('protocol details (raw client)', () => {
  it('numbers every reply from 1 and answers COM_STATISTICS, COM_FIELD_LIST, COM_INIT_DB and unknown commands', async () => {
    const { client, reply } = await RawClient.connect(server.port);
    try {
      expect(reply.payload[0]).toBe(0x00);
      expect(reply.sequenceId).toBe(2);
      expect(client.handshake!.capabilities & 0x800).toBe(0); // no SSL
      expect(client.handshake!.capabilities & 0x20).toBe(0); // no COMPRESS
      expect(client.handshake!.capabilities & 0x01000000).toBe(0); // no DEPRECATE_EOF
      client.command(0x09);
      const stats = await client.read();
      expect(stats.sequenceId).toBe(1);
      expect(stats.payload.toString()).toMatch(/^Uptime: \d+ {2}Threads: \d+ {2}Questions: \d+/);
      client.command(0x04, 't1\0');
      const fields = await client.read();
      // The fake engine has no tables: the reply is the SELECT's error, numbered 1 like any reply.
      expect([fields.sequenceId, fields.payload[0]]).toEqual([1, 0xff]);
      client.command(0x02, 'db1');
      expect((await client.read()).payload[0]).toBe(0x00);
      client.command(0x02, 'nope');
      const bad = await client.read();
      expect(parseErr(bad.payload)).toMatchObject({ errno: 1049, sqlState: '42000' });
      client.command(0x1d);
      const unknown = await client.read();
      expect(unknown.sequenceId).toBe(1);
      expect(parseErr(unknown.payload)).toMatchObject({ errno: 1047, sqlState: '08S01' });
      client.command(0x03, 'select rows 3');
      const result = await client.readResult();
      expect(result.map((p) => p.sequenceId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      client.command(0x19, Buffer.from([1, 0, 0, 0])); // COM_STMT_CLOSE: no reply, next command still answered
      client.command(0x0e);
      expect(await client.read()).toMatchObject({ sequenceId: 1 });
      client.command(0x01);
      await expect(client.read()).rejects.toThrow('connection closed');
    } finally {
      client.close();
    }
  });

  it('a client that vanishes mid-result does not hurt the server; its session is closed', async () => {
    const { client } = await RawClient.connect(server.port);
    const id = client.handshake!.connectionId;
    client.command(0x03, 'select rows 200000');
    await client.read();
    client.close();
    for (let i = 0; i < 100 && !engine.closedSessions.includes(id); i++) await new Promise((r) => setTimeout(r, 20));
    expect(engine.closedSessions).toContain(id);
    const conn = await connect();
    const [rows] = await conn.query<mysql.RowDataPacket[]>('select rows 1');
    expect(rows).toHaveLength(1);
    await conn.end();
  });
});

describe('KILL and SHOW PROCESSLIST', () => {
  it('KILL QUERY interrupts the statement; KILL closes the connection; unknown ids give 1094', async () => {
    const victim = await connect();
    const killer = await connect();
    try {
      const victimId = victim.threadId!;
      const sleeping = victim.query('sleep 10').then(() => 'finished', (error: unknown) => error);
      await new Promise((r) => setTimeout(r, 100));
      const [list] = await killer.query<mysql.RowDataPacket[]>('show processlist');
      expect(list.find((r) => r['Id'] === String(victimId))).toMatchObject({ User: 'root', Command: 'Query', Info: 'sleep 10' });
      await killer.query(`kill query ${victimId}`);
      expect(await sleeping).toMatchObject({ errno: 1317, sqlState: '70100' });
      await killer.query(`kill ${victimId}`);
      await expect(victim.query('select rows 1')).rejects.toThrow();
      await expect(killer.query('kill 999999')).rejects.toMatchObject({ errno: 1094, message: 'Unknown thread id: 999999' });
    } finally {
      victim.destroy();
      await killer.end();
    }
  });
});

describe('start-up and shutdown', () => {
  it('says clearly when the port is taken', async () => {
    await expect(startServer(engine, { host: '127.0.0.1', port: server.port, logger })).rejects.toThrow(
      new PortInUseError(`port ${server.port} is already in use on 127.0.0.1: stop the other server or pass --port`),
    );
  });

  it('graceful close lets the running statement finish, then refuses new connections', async () => {
    const own = await startServer(new FakeEngine(), { port: 0, logger });
    const conn = await mysql.createConnection({ host: '127.0.0.1', port: own.port, user: 'root' });
    const running = conn.query<mysql.ResultSetHeader>('sleep 0.3');
    await new Promise((r) => setTimeout(r, 50));
    const closing = own.close();
    const [ok] = await running;
    expect(ok.info).toBe('slept 0.3');
    await closing;
    await expect(mysql.createConnection({ host: '127.0.0.1', port: own.port, user: 'root' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    conn.destroy();
  });

  it('authenticates through the pluggable callback with mysql_native_password', async () => {
    const stored = nativePasswordHash('s3cret');
    const own = await startServer(new FakeEngine(), {
      port: 0,
      logger,
      authenticate: (user, _host, scramble, token) => user === 'alice' && verifyNativePassword(scramble, token, stored),
    });
    try {
      const conn = await mysql.createConnection({ host: '127.0.0.1', port: own.port, user: 'alice', password: 's3cret' });
      await conn.ping();
      await conn.end();
      await expect(mysql.createConnection({ host: '127.0.0.1', port: own.port, user: 'alice', password: 'wrong' })).rejects.toMatchObject({
        errno: 1045,
        message: "Access denied for user 'alice'@'127.0.0.1' (using password: YES)",
      });
    } finally {
      await own.close();
    }
  });
});
