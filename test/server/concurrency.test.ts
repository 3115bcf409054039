/**
 * The server under load while a BACKUP runs: 100 concurrent mysql2 connections issue statements (SELECTs, SHOW
 * BACKUP, INSERTs into their own tables) during the job; every statement succeeds, the job finishes [OK], the
 * server keeps answering. Clients that vanish mid-result or right after issuing BACKUP never hurt the job.
 *
 * The repository is a real file:// broker behind FaultInjectingBroker with a small upload latency, so the job
 * reliably spans the clients' work on any machine (asserted: some client sees it unfinished).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { openBroker } from '../../src/brokers/open-broker.ts';
import { FaultInjectingBroker } from '../../src/brokers/fault-injecting-broker.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';
import { RawClient } from './raw-client.ts';

const CLIENTS = 100;
const ROUNDS = 4;
const BIG_ROWS = 4000; // ~4 MB in 16 tablets
const TERMINAL = new Set(['FINISHED', 'CANCELLED']);

const logger = createLogger({ level: 'silent' });
let dir: string;
let engine: Engine;
let server: RunningServer;
const processFaults: unknown[] = [];
const onFault = (error: unknown): void => {
  processFaults.push(error);
};

function connect(): Promise<mysql.Connection> {
  return mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', rowsAsArray: true });
}

async function rows(conn: mysql.Connection, sql: string): Promise<unknown[][]> {
  const [result] = await conn.query<mysql.RowDataPacket[]>(sql);
  return result as unknown as unknown[][];
}

/** SHOW BACKUP rows of `db` for `label` (State is column 3, Status column 12). */
async function backupRow(conn: mysql.Connection, db: string, label: string): Promise<unknown[] | undefined> {
  return (await rows(conn, `SHOW BACKUP FROM ${db}`)).find((r) => r[1] === label);
}

async function waitBackup(conn: mysql.Connection, db: string, label: string, timeoutMs = 40_000): Promise<unknown[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await backupRow(conn, db, label);
    if (row !== undefined && TERMINAL.has(String(row[3]))) return row;
    if (Date.now() > deadline) throw new Error(`backup ${label} not done after ${timeoutMs} ms: ${JSON.stringify(row)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  process.on('unhandledRejection', onFault);
  process.on('uncaughtException', onFault);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-conc-'));
  engine = await Engine.open({
    dataDir: path.join(dir, 'data'),
    backends: 1,
    logger,
    openBroker: async (location, properties) =>
      new FaultInjectingBroker(await openBroker(location, properties), { latencyMs: 40, ops: ['uploadFile', 'write'] }),
  });
  server = await startServer(engine, { port: 0, logger });
  const root = engine.session();
  await root.execute(`
    CREATE DATABASE d;
    CREATE TABLE d.big (k BIGINT, s VARCHAR(1100)) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 16 PROPERTIES ("replication_num" = "1");
    CREATE TABLE d.small (k INT, v VARCHAR(16)) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 2 PROPERTIES ("replication_num" = "1");
    INSERT INTO d.small VALUES (1, 'one'), (2, 'two'), (3, 'three');
    CREATE DATABASE work;
    CREATE REPOSITORY r WITH BROKER ON LOCATION 'file://${path.join(dir, 'repo')}';
  `);
  const chunk = BIG_ROWS / 8;
  await root.execute(`INSERT INTO d.big VALUES ${Array.from({ length: chunk }, (_, i) => `(${i}, CONCAT(REPEAT('x', 1000), '${i}'))`).join(', ')}`);
  for (let n = chunk; n < BIG_ROWS; n *= 2) await root.execute(`INSERT INTO d.big SELECT k + ${n}, s FROM d.big`);
  await root.execute(Array.from({ length: CLIENTS }, (_, i) => `CREATE TABLE work.c${i} (k INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ("replication_num" = "1")`).join(';'));
  root.close();
}, 120_000);

afterAll(async () => {
  await server?.close();
  await engine?.close();
  process.off('unhandledRejection', onFault);
  process.off('uncaughtException', onFault);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('concurrency while a backup runs', () => {
  it(`${CLIENTS} connections issue statements during a BACKUP: all succeed, the job finishes [OK]`, async () => {
    const conns = await Promise.all(Array.from({ length: CLIENTS }, connect));
    const admin = await connect();
    try {
      expect(server.connectionCount).toBeGreaterThanOrEqual(CLIENTS + 1);
      await admin.query('BACKUP SNAPSHOT d.s1 TO r ON (big, small)');
      const states = new Set<string>();
      await Promise.all(
        conns.map(async (conn, i) => {
          // A full scan of the table being backed up, from every tenth connection.
          if (i % 10 === 0) expect(await rows(conn, 'SELECT COUNT(*), MIN(k), MAX(k) FROM d.big')).toEqual([[BIG_ROWS, 0, BIG_ROWS - 1]]);
          for (let j = 0; j < ROUNDS; j++) {
            const row = await backupRow(conn, 'd', 's1');
            states.add(String(row?.[3]));
            await conn.query(`INSERT INTO work.c${i} VALUES (${j})`);
            expect(await rows(conn, `SELECT v FROM d.small WHERE k = ${(j % 3) + 1}`)).toEqual([[['one', 'two', 'three'][j % 3]]]);
            expect(await rows(conn, 'SELECT 1 + 1')).toEqual([[2]]);
          }
          expect(await rows(conn, `SELECT COUNT(*), SUM(k) FROM work.c${i}`)).toEqual([[ROUNDS, (ROUNDS * (ROUNDS - 1)) / 2]]);
        }),
      );
      // The job really overlapped the clients' statements.
      expect([...states].some((s) => !TERMINAL.has(s)), `states seen: ${[...states].join(', ')}`).toBe(true);
      const done = await waitBackup(admin, 'd', 's1');
      expect([done[3], done[12]]).toEqual(['FINISHED', '[OK]']);
      expect((await rows(admin, 'SHOW SNAPSHOT ON r')).map((r) => r.slice(0, 3))).toEqual([['s1', expect.stringMatching(/^\d{4}(-\d\d){5}-\d{3}$/), 'OK']]);
    } finally {
      await Promise.all([...conns, admin].map((c) => c.end()));
    }
    expect(processFaults).toEqual([]);
  }, 60_000);

  it('a client that vanishes mid-result and one that vanishes right after BACKUP: the job finishes, the server serves on', async () => {
    const admin = await connect();
    try {
      const baseline = server.connectionCount;
      // Sends BACKUP and closes the socket at once, without reading the reply.
      const { client: issuer } = await RawClient.connect(server.port);
      issuer.command(0x03, 'BACKUP SNAPSHOT d.s2 TO r ON (big)');
      issuer.socket.end();
      issuer.close();
      // Starts a ~4 MB result and disappears after its first packet, in the middle of the rows.
      const readers = await Promise.all(Array.from({ length: 4 }, () => RawClient.connect(server.port)));
      for (const { client } of readers) client.command(0x03, 'SELECT * FROM d.big');
      for (const { client } of readers) {
        await client.read();
        client.close();
      }
      const done = await waitBackup(admin, 'd', 's2');
      expect([done[3], done[12]]).toEqual(['FINISHED', '[OK]']);
      // The vanished clients' sessions are gone; a new connection is served as usual.
      const deadline = Date.now() + 10_000;
      while (server.connectionCount > baseline && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(server.connectionCount).toBe(baseline);
      const fresh = await connect();
      expect(await rows(fresh, 'SELECT COUNT(*) FROM d.big')).toEqual([[BIG_ROWS]]);
      await fresh.end();
    } finally {
      await admin.end();
    }
    expect(processFaults).toEqual([]);
  }, 60_000);
});
