/**
 * The binary prepared-statement protocol through the real node drivers, over the real Engine: mysql2's execute() and
 * node mariadb's execute / prepare / batch, every column type tablevault has (BOOLEAN, TINYINT … LARGEINT, FLOAT,
 * DOUBLE, DECIMAL, CHAR / VARCHAR / STRING, DATE, DATETIME) with NULLs, parameters of every kind the drivers send,
 * a multi-megabyte parameter sent with COM_STMT_SEND_LONG_DATA (node mariadb) and one past 16 MiB inside the execute
 * packet (mysql2, which has no SEND_LONG_DATA), and a latin1 client's parameters and rows. Com_stmt_prepare /
 * Com_stmt_execute in SHOW STATUS prove the statements went through the binary protocol, not a client-side emulation.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import mariadb, { type Connection } from 'mariadb';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';

const logger = createLogger({ level: 'silent' });
let dir: string;
let engine: Engine;
let server: RunningServer;

const COLUMNS = 'k, b, ti, si, i, bi, li, f, d, de, c, v, s, dt, dtt';

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-prep-'));
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
  `);
});

afterAll(async () => {
  await server?.close();
  await engine?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Com_stmt_prepare and Com_stmt_execute so far. */
async function statementCounters(): Promise<{ prepare: number; execute: number }> {
  const result = await engine.session().execute("SHOW STATUS LIKE 'Com_stmt_%'");
  if (result.kind !== 'rows') throw new Error('SHOW STATUS gave no rows');
  const get = (name: string): number => Number(result.rows.find((r) => r[0] === name)?.[1]);
  return { prepare: get('Com_stmt_prepare'), execute: get('Com_stmt_execute') };
}

describe('mysql2 execute()', () => {
  it('reads every type and NULLs in binary rows, with parameters in WHERE', async () => {
    const conn = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', database: 'p', supportBigNumbers: true, bigNumberStrings: true, dateStrings: true });
    try {
      const before = await statementCounters();
      const [rows, fields] = await conn.execute<mysql.RowDataPacket[]>(`SELECT ${COLUMNS} FROM t WHERE k >= ? AND k <= ? ORDER BY k`, [1, 3]);
      expect(fields.map((f) => f.columnType)).toEqual([3, 1, 1, 2, 3, 8, 246, 4, 5, 246, 253, 253, 253, 10, 12]);
      expect(rows[0]).toEqual({
        k: 1, b: 1, ti: -128, si: -32768, i: -2147483648, bi: '-9223372036854775808', li: '-170141183460469231731687303715884105728',
        f: -1.5, d: -2.25, de: '-123456789.125', c: 'ab', v: 'héllo ✓ 日本', s: 'x', dt: '0001-01-01', dtt: '2024-02-29 23:59:59.123456',
      });
      expect(rows[1]).toEqual({
        k: 2, b: 0, ti: 127, si: 32767, i: 2147483647, bi: '9223372036854775807', li: '170141183460469231731687303715884105727',
        f: 3.25, d: 1e300, de: '999999999.999', c: '', v: '', s: '', dt: '9999-12-31', dtt: '1970-01-01 00:00:00',
      });
      expect(Object.values(rows[2]!).slice(1).every((v) => v === null)).toBe(true);
      const after = await statementCounters();
      expect(after.prepare).toBe(before.prepare + 1);
      expect(after.execute).toBe(before.execute + 1);
    } finally {
      await conn.end();
    }
  });

  it('binds numbers, strings, booleans, dates, Buffers and NULL as parameters, in expressions and INSERT … VALUES', async () => {
    const conn = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', database: 'p', dateStrings: true, timezone: 'Z', supportBigNumbers: true, bigNumberStrings: true });
    try {
      const [echo] = await conn.execute<mysql.RowDataPacket[]>('SELECT ? AS n, ? AS s, ? AS b, ? AS z, ? + 1 AS plus, CONCAT(?, ?) AS cat, ? AS buf', [
        2.5, "it's \\ ok", true, null, 41, 'a', 'é', Buffer.from('bytes'),
      ]);
      expect(echo[0]).toEqual({ n: 2.5, s: "it's \\ ok", b: 1, z: null, plus: 42, cat: 'aé', buf: 'bytes' });
      const [ok] = await conn.execute<mysql.ResultSetHeader>(`INSERT INTO t (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
        10, false, -7, 1234, 7, '9007199254740993', '-5', 0.5, -0.125, '-0.05', 'abcd', "q'uote", 'line\nbreak', '2000-02-29', new Date(Date.UTC(2001, 1, 3, 4, 5, 6)),
      ]);
      expect(ok.affectedRows).toBe(1);
      await conn.execute(`INSERT INTO t (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [11, ...Array<null>(14).fill(null)]);
      const [back] = await conn.query<mysql.RowDataPacket[]>(`SELECT ${COLUMNS} FROM t WHERE k IN (10, 11) ORDER BY k`);
      expect(back[0]).toEqual({
        k: 10, b: 0, ti: -7, si: 1234, i: 7, bi: 9007199254740993n.toString(), li: '-5', f: 0.5, d: -0.125, de: '-0.050', c: 'abcd',
        v: "q'uote", s: 'line\nbreak', dt: '2000-02-29', dtt: '2001-02-03 04:05:06',
      });
      expect(Object.values(back[1]!).slice(1).every((v) => v === null)).toBe(true);
      // The same statement again: mysql2 reuses its prepared statement (a new execute, no new prepare).
      const before = await statementCounters();
      for (const k of [12, 13]) await conn.execute('INSERT INTO t (k, v) VALUES (?, ?)', [k, `row ${k}`]);
      const after = await statementCounters();
      expect(after.execute - before.execute).toBe(2);
      expect(after.prepare - before.prepare).toBeLessThanOrEqual(1);
    } finally {
      await conn.end();
    }
  });

  it('sends and reads back a parameter longer than one packet (16 MiB): split packets both ways', async () => {
    // mysql2 has no COM_STMT_SEND_LONG_DATA: long data travels inside COM_STMT_EXECUTE, which past 0xffffff bytes
    // is split into several packets (and so is the binary row that returns it).
    const conn = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', database: 'p' });
    try {
      const text = `${'é'.repeat(8_400_000)}tail`;
      expect(Buffer.byteLength(text)).toBeGreaterThan(0xffffff);
      const [rows] = await conn.execute<mysql.RowDataPacket[]>('SELECT ? AS s, CHAR_LENGTH(?) AS n', [text, 'abc']);
      expect(rows[0]!.n).toBe(3);
      const s = rows[0]!.s as string;
      expect(s.length).toBe(text.length);
      expect(s === text).toBe(true);
      // The connection's sequence ids stayed in step: the next command is answered.
      const [next] = await conn.execute<mysql.RowDataPacket[]>('SELECT ? AS ok', [1]);
      expect(next).toEqual([{ ok: 1 }]);
    } finally {
      await conn.end();
    }
  });

  it('reports errors of a prepared statement with their errno, and of a wrong parameter at execution', async () => {
    const conn = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', database: 'p' });
    try {
      await expect(conn.execute('SELECT * FROM nope WHERE k = ?', [1])).rejects.toMatchObject({ errno: 1146, sqlState: '42S02' });
      await expect(conn.execute('SELEC ?', [1])).rejects.toMatchObject({ errno: 1064 });
      await expect(conn.execute('INSERT INTO t (k, ti) VALUES (?, ?)', [20, 1000])).rejects.toMatchObject({ errno: expect.any(Number) });
      const [rows] = await conn.execute<mysql.RowDataPacket[]>('SELECT ? AS ok', ['still here']);
      expect(rows).toEqual([{ ok: 'still here' }]);
    } finally {
      await conn.end();
    }
  });
});

describe('node mariadb', () => {
  const connect = (): Promise<Connection> =>
    mariadb.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', database: 'p', bigIntAsNumber: false, decimalAsNumber: false, dateStrings: true });

  it('execute() reads every type and NULLs; prepare() reports parameters and columns before executing', async () => {
    const conn = await connect();
    try {
      const rows = (await conn.execute(`SELECT ${COLUMNS} FROM t WHERE k BETWEEN ? AND ? ORDER BY k`, [1, 3])) as Record<string, unknown>[];
      expect(rows[0]).toMatchObject({ k: 1, b: 1, ti: -128, si: -32768, i: -2147483648, bi: -9223372036854775808n, li: '-170141183460469231731687303715884105728', f: -1.5, d: -2.25, de: '-123456789.125', c: 'ab', v: 'héllo ✓ 日本', s: 'x' });
      expect(rows[1]).toMatchObject({ k: 2, b: 0, ti: 127, si: 32767, bi: 9223372036854775807n, d: 1e300, de: '999999999.999' });
      expect(Object.values(rows[2]!).slice(1).every((v) => v === null)).toBe(true);

      const prepared = await conn.prepare(`SELECT k, v, dtt FROM t WHERE k = ?`);
      try {
        // What the prepare reply carried (the driver's typings leave these out).
        const described = prepared as unknown as { parameterCount: number; columns: { name(): string; type: string }[] };
        expect(described.parameterCount).toBe(1);
        expect(described.columns.map((c) => [c.name(), c.type])).toEqual([['k', 'INT'], ['v', 'VAR_STRING'], ['dtt', 'DATETIME']]);
        const one = (await prepared.execute([1])) as Record<string, unknown>[];
        const two = (await prepared.execute([2])) as Record<string, unknown>[];
        expect([one[0]!['v'], two[0]!['v']]).toEqual(['héllo ✓ 日本', '']);
      } finally {
        prepared.close();
      }
    } finally {
      await conn.end();
    }
  });

  it('batch() runs one prepared INSERT for many parameter sets, NULLs included', async () => {
    const conn = await connect();
    try {
      const before = await statementCounters();
      await conn.batch('INSERT INTO t (k, v, de, dt) VALUES (?, ?, ?, ?)', [
        [30, 'a', '1.5', '2024-01-01'],
        [31, null, null, null],
        [32, 'ç', '-0.001', '1999-12-31'],
      ]);
      const after = await statementCounters();
      expect(after.execute - before.execute).toBe(3);
      const rows = await conn.query('SELECT k, v, de, dt FROM t WHERE k >= 30 AND k < 40 ORDER BY k');
      expect(rows).toEqual([
        { k: 30, v: 'a', de: '1.500', dt: '2024-01-01' },
        { k: 31, v: null, de: null, dt: null },
        { k: 32, v: 'ç', de: '-0.001', dt: '1999-12-31' },
      ]);
    } finally {
      await conn.end();
    }
  });

  it('sends a multi-megabyte parameter with COM_STMT_SEND_LONG_DATA', async () => {
    const conn = await connect();
    try {
      const text = 'é'.repeat(1_500_000) + 'tail';
      const bytes = Buffer.from(text, 'utf8');
      expect(bytes.length).toBeGreaterThan(3_000_000);
      // A Readable is sent with SEND_LONG_DATA in chunks, not in the COM_STMT_EXECUTE packet.
      const chunks = (b: Buffer): Readable => Readable.from([b.subarray(0, 1_000_000), b.subarray(1_000_000, 2_500_000), b.subarray(2_500_000)]);
      const rows = (await conn.execute('SELECT CHAR_LENGTH(?) AS n, MD5(?) AS h, RIGHT(?, 4) AS t', [chunks(bytes), chunks(bytes), chunks(bytes)])) as Record<string, unknown>[];
      expect(rows).toEqual([{ n: 1_500_004, h: createHash('md5').update(bytes).digest('hex'), t: 'tail' }]);
      // Long data serves one execution; the statement runs again with new data.
      const again = (await conn.execute('SELECT CHAR_LENGTH(?) AS n', [Readable.from([Buffer.from('short')])])) as Record<string, unknown>[];
      expect(again).toEqual([{ n: 5 }]);
    } finally {
      await conn.end();
    }
  });
});

describe('a latin1 client through the binary protocol', () => {
  it('string parameters are decoded from latin1 and stored as UTF-8; binary rows come back in latin1', async () => {
    // Without the conversion the server would read mysql2's latin1 0xE9 as invalid UTF-8 (1366) or store U+FFFD.
    const my = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', database: 'p', charset: 'LATIN1_SWEDISH_CI' });
    const md = await mariadb.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', database: 'p', charset: 'latin1' });
    try {
      const [vars] = await my.query<mysql.RowDataPacket[]>('SELECT @@character_set_client AS c, @@character_set_results AS r');
      expect(vars).toEqual([{ c: 'latin1', r: 'latin1' }]);
      await my.execute('INSERT INTO t (k, v) VALUES (?, ?)', [40, 'café']);
      await md.execute('INSERT INTO t (k, v) VALUES (?, ?)', [41, 'naïve']);
      const [rows] = await my.execute<mysql.RowDataPacket[]>('SELECT v, HEX(v) AS h, ? AS p, HEX(?) AS ph FROM t WHERE k IN (40, 41) ORDER BY k', ['déjà', 'déjà']);
      expect(rows).toEqual([
        { v: 'café', h: '636166C3A9', p: 'déjà', ph: '64C3A96AC3A0' },
        { v: 'naïve', h: '6E61C3AF7665', p: 'déjà', ph: '64C3A96AC3A0' },
      ]);
      expect(await md.execute('SELECT v, HEX(?) AS ph FROM t WHERE k = 40', ['ü'])).toEqual([{ v: 'café', ph: 'C3BC' }]);
    } finally {
      await my.end();
      await md.end();
    }
  });
});
