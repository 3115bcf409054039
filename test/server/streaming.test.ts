/**
 * Large results stream through the server: rows go out as the query produces them and the producer waits for the
 * socket, so a client that reads slowly (or not at all) holds the server at bounded memory, and KILL QUERY or a
 * closed connection stops the query. The server is a child process (`tablevault serve`) so its memory and CPU can be
 * read from /proc; the client is byte-level so it can stop reading mid-result.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createConnection as createCallbackConnection } from 'mysql2';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseErr, RawClient, type RawPacket } from './raw-client.ts';

const DEV_BIN = fileURLToPath(new URL('../../scripts/tablevault-dev.js', import.meta.url));
/** Far more rows than fit in the test's memory bound if they were held: 20M rows × ~40 bytes on the wire. */
const HUGE = "SELECT generate_series, 'payload-payload-payload' FROM TABLE(generate_series(1, 20000000))";
const COM_QUERY = 0x03;
const MiB = 1024 * 1024;

function procStatus(pid: number, field: string): number {
  const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  if (!m) throw new Error(`no ${field} for ${pid}`);
  return Number(m[1]) * 1024;
}

/** CPU time (user + system) the process has used, in seconds. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Read the column count, column definitions and their EOF, then `rows` rows. */
async function readHeadAndRows(client: RawClient, rows: number): Promise<void> {
  const count = (await client.read(30_000)).payload[0] ?? 0;
  for (let i = 0; i <= count; i++) await client.read(); // definitions + EOF
  for (let i = 0; i < rows; i++) await client.read();
}

/** Read packets until an ERR (returned) or the result's final EOF (then undefined). */
async function readToEnd(client: RawClient): Promise<RawPacket | undefined> {
  for (;;) {
    const p = await client.read(30_000);
    if (p.payload[0] === 0xff) return p;
    if (p.payload[0] === 0xfe && p.payload.length < 9) return undefined;
  }
}

async function processlistCommand(admin: mysql.Connection, id: number): Promise<string | undefined> {
  const [rows] = await admin.query<mysql.RowDataPacket[]>('SHOW PROCESSLIST');
  return rows.find((r) => Number(r['Id']) === id)?.['Command'] as string | undefined;
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** While the client reads nothing: the server's peak RSS growth over `baseline` and the CPU it spends. */
async function whilePaused(pid: number, baseline: number): Promise<{ growth: number; cpu: number }> {
  await sleep(1500); // let the socket buffers fill and the producer reach its wait
  const cpuStart = cpuSeconds(pid);
  let peak = 0;
  for (let i = 0; i < 10; i++) {
    peak = Math.max(peak, procStatus(pid, 'VmRSS'));
    await sleep(100);
  }
  return { growth: peak - baseline, cpu: cpuSeconds(pid) - cpuStart };
}

describe('streaming a large SELECT through the server (child process)', () => {
  let dir: string;
  let child: ChildProcessWithoutNullStreams;
  let port: number;
  let admin: mysql.Connection;
  let baseline: number;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-stream-'));
    child = spawn(process.execPath, [DEV_BIN, 'serve', '--port', '0', '--data-dir', dir, '--log-level', 'silent'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    port = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        const m = stdout.match(/listening on 127\.0\.0\.1:(\d+)/);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
    });
    admin = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root' });
    // Warm up: the grammar, the query pipeline and a streamed result, so the baseline includes the code.
    await admin.query("SELECT generate_series, 'payload' FROM TABLE(generate_series(1, 200000))");
    // The server warms its helper threads at start (the parser thread builds its grammar): wait until it is idle, so
    // the CPU measured while a client is paused is the paused query's own (bounded: 60 half-second looks).
    for (let look = 0; look < 60; look++) {
      const before = cpuSeconds(child.pid!);
      await sleep(500);
      if (cpuSeconds(child.pid!) - before < 0.05) break;
    }
    baseline = procStatus(child.pid!, 'VmRSS');
  }, 90_000);

  afterAll(async () => {
    await admin?.end().catch(() => undefined);
    child?.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a client that stops reading pauses the query at bounded memory; KILL QUERY then ends it with 1317', async () => {
    const { client } = await RawClient.connect(port);
    const id = client.handshake!.connectionId;
    try {
      client.command(COM_QUERY, HUGE);
      await readHeadAndRows(client, 1000);
      client.socket.pause();
      const paused = await whilePaused(child.pid!, baseline);
      // Holding the rows would take gigabytes; a paused stream holds a batch and the socket buffers.
      expect(paused.growth).toBeLessThan(64 * MiB);
      // The producer waits for the socket instead of running on: the server is idle.
      expect(paused.cpu).toBeLessThan(0.3);
      expect(await processlistCommand(admin, id)).toBe('Query');

      await admin.query(`KILL QUERY ${id}`);
      await waitFor(async () => (await processlistCommand(admin, id)) === 'Sleep', 'the statement to end');
      client.socket.resume();
      const err = await readToEnd(client);
      expect(err && parseErr(err.payload).errno).toBe(1317);
      // The connection lives on.
      client.command(COM_QUERY, 'SELECT 1');
      const packets = await client.readResult();
      expect(packets.length).toBe(5);
    } finally {
      client.close();
    }
  });

  it('closing the connection mid-stream stops the query and frees the session', async () => {
    const { client } = await RawClient.connect(port);
    const id = client.handshake!.connectionId;
    client.command(COM_QUERY, HUGE);
    await readHeadAndRows(client, 1000);
    client.socket.pause();
    await sleep(500);
    expect(await processlistCommand(admin, id)).toBe('Query');
    client.close();
    await waitFor(async () => (await processlistCommand(admin, id)) === undefined, 'the session to close');
    const cpuStart = cpuSeconds(child.pid!);
    await sleep(1000);
    expect(cpuSeconds(child.pid!) - cpuStart).toBeLessThan(0.3);
  });

  it('a slow reader gets every row, in order, with the server at bounded memory', async () => {
    // mysql2's callback API, whose query().stream() pauses the socket while the reader is behind.
    const conn = createCallbackConnection({ host: '127.0.0.1', port, user: 'root', rowsAsArray: true });
    try {
      const total = 100_000;
      const stream = conn.query(`SELECT generate_series FROM TABLE(generate_series(1, ${total}))`).stream({ highWaterMark: 64 });
      let seen = 0;
      let peak = 0;
      for await (const row of stream as AsyncIterable<[number]>) {
        seen++;
        expect(Number(row[0])).toBe(seen);
        if (seen % 10_000 === 0) {
          peak = Math.max(peak, procStatus(child.pid!, 'VmRSS'));
          await sleep(20); // read slowly: the server must wait, not buffer
        }
      }
      expect(seen).toBe(total);
      expect(peak - baseline).toBeLessThan(64 * MiB);
    } finally {
      await conn.promise().end();
    }
  });
});
