/**
 * MySQL-protocol result streaming: how close the server gets to an ideal server that replays pre-encoded bytes.
 * Both runs use the same mysql2 client and the same 200k-row result, so the ratio isolates what the server adds
 * (packet encoding, chunking, back-pressure) from client-side parsing and loopback TCP.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Socket, AddressInfo, Server as NetServer } from 'node:net';
import mysql from 'mysql2/promise';
import { createServer as createMysqlServer } from 'mysql2';
import type { BenchSection } from './lib/report.ts';
import { benchScale, markdownTable, mbPerSec } from './lib/report.ts';
import { createLogger } from '../src/logging/logger.ts';
import { startServer, type SessionFactory } from '../src/server/server.ts';
import type { Session } from '../src/engine.ts';
import type { ResultSet, StatementResult } from '../src/sql/result.ts';
import { PacketWriter } from '../src/server/packet-writer.ts';
import { writeResult } from '../src/server/result-writer.ts';
import { CAPABILITY_FLAGS } from '../src/server/mysql-connection.ts';
import { Engine } from '../src/engine.ts';
import { TableStore } from '../src/storage/index.ts';
import { getDatabase, getTable, listPartitions } from '../src/catalog/index.ts';
import type { Row } from '../src/types/index.ts';

function makeResult(rows: number): ResultSet {
  const data: string[][] = [];
  for (let i = 0; i < rows; i++) data.push([String(i), `row-${i}-${'x'.repeat(40)}`, (i * 0.25).toFixed(2)]);
  return {
    kind: 'rows',
    columns: ['id', 'payload', 'amount'],
    columnTypes: [{ name: 'BIGINT' }, { name: 'VARCHAR', length: 64 }, { name: 'DECIMAL', precision: 12, scale: 2 }],
    rows: data,
  };
}

function fixedEngine(result: StatementResult): SessionFactory {
  let id = 1;
  return {
    nextConnectionId: () => id++,
    session: (options = {}): Session => ({
      connectionId: options.connectionId ?? 0,
      user: options.user ?? 'root',
      host: options.host ?? 'localhost',
      database: undefined,
      execute: async () => result,
      async *executeScript() {
        yield result;
      },
      prepare: () => Promise.reject(new Error('the bench serves text queries only')),
      systemVariable: () => 'utf8',
      setNames: () => undefined,
      useDatabase: () => undefined,
      interrupt: () => undefined,
      onKill: () => undefined,
      close: () => undefined,
    }),
  };
}

/** The exact reply bytes the server would send, encoded once up front. */
async function encodeReply(result: ResultSet): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({ write: (b: Buffer, _e, cb) => (chunks.push(b), cb()) });
  const writer = new PacketWriter(sink as unknown as Socket);
  writer.begin(1);
  const reply = {
    writer,
    status: 2,
    charset: 'utf8' as const,
    ok: () => undefined,
    eof: (more = false) => writer.packet(Buffer.from([0xfe, 0, 0, more ? 0x0a : 0x02, 0])),
    error: () => undefined,
  };
  await writeResult(result, reply, false);
  await writer.flush();
  return Buffer.concat(chunks);
}

/** An ideal server: handshake through mysql2, then every query answered by writing the pre-encoded bytes. */
async function replayServer(bytes: Buffer): Promise<{ port: number; close(): void }> {
  const server = createMysqlServer((raw) => {
    const conn = raw as unknown as { stream: Socket; sequenceId: number; on(e: string, l: (...a: unknown[]) => void): void; serverHandshake(a: object): void };
    conn.on('error', () => undefined);
    conn.serverHandshake({
      protocolVersion: 10,
      serverVersion: '8.0.33-replay',
      connectionId: 1,
      statusFlags: 2,
      characterSet: 33,
      capabilityFlags: CAPABILITY_FLAGS,
      authCallback: (_params: unknown, cb: (err: null) => void) => {
        cb(null);
        conn.sequenceId = 0; // mysql2 never resets it (stack-notes §1.2)
      },
    });
    conn.on('query', () => {
      conn.sequenceId = 0;
      conn.stream.write(bytes);
    });
  });
  const net = (server as unknown as { _server: NetServer })._server;
  await new Promise<void>((resolve) => net.listen(0, '127.0.0.1', resolve));
  return { port: (net.address() as AddressInfo).port, close: () => net.close() };
}

/** Best-of-N time of the same query against two servers, alternating so machine noise hits both alike. */
async function timeBoth(ports: readonly [number, number], expectRows: number, repeats: number): Promise<[number, number]> {
  const conns = await Promise.all(ports.map((port) => mysql.createConnection({ host: '127.0.0.1', port, user: 'root', rowsAsArray: true })));
  const best: [number, number] = [Infinity, Infinity];
  try {
    for (let i = 0; i <= repeats; i++) {
      for (const k of [0, 1] as const) {
        const started = performance.now();
        const [rows] = await conns[k]!.query<mysql.RowDataPacket[]>('select *');
        const ms = performance.now() - started;
        if (rows.length !== expectRows) throw new Error(`expected ${expectRows} rows, got ${rows.length}`);
        if (i > 0) best[k] = Math.min(best[k], ms); // round 0 warms up the JIT and socket buffers
      }
    }
  } finally {
    for (const c of conns) c.destroy();
  }
  return best;
}

async function streamingSection(): Promise<string> {
  const rowCount = Math.max(1000, Math.round(200_000 * benchScale()));
  const repeats = 7;
  const result = makeResult(rowCount);
  const bytes = await encodeReply(result);

  const server = await startServer(fixedEngine(result), { port: 0, logger: createLogger({ level: 'silent' }) });
  const replay = await replayServer(bytes);
  let serverMs: number;
  let replayMs: number;
  try {
    [serverMs, replayMs] = await timeBoth([server.port, replay.port], rowCount, repeats);
  } finally {
    await server.close();
    replay.close();
  }
  const rate = (ms: number): string => Math.round(rowCount / (ms / 1000)).toLocaleString('en-US');
  const table = markdownTable(
    ['run', 'rows', 'wire bytes', `best of ${repeats} (ms)`, 'rows/s', 'MB/s'],
    [
      ['tablevault server (encode + back-pressure)', rowCount, bytes.length, serverMs.toFixed(0), rate(serverMs), mbPerSec(bytes.length, serverMs)],
      ['reference: replay of pre-encoded bytes', rowCount, bytes.length, replayMs.toFixed(0), rate(replayMs), mbPerSec(bytes.length, replayMs)],
    ],
  );
  return [
      '### Streaming a large result',
      '',
      `One \`SELECT\` returning ${rowCount.toLocaleString('en-US')} rows (BIGINT, VARCHAR, DECIMAL) to the mysql2 client over loopback.`,
      'The reference server answers the same query by writing the identical bytes, encoded in advance, in one call:',
      'the ratio is the cost the server adds on top of client parsing and TCP.',
      '',
      table,
      '',
      `Ratio tablevault / reference: **${(serverMs / replayMs).toFixed(2)}×**.`,
    ].join('\n');
}

export async function run(): Promise<BenchSection> {
  const streaming = await streamingSection();
  const latency = await latencyUnderBackupSection();
  return { title: 'MySQL protocol server', markdown: `${streaming}\n\n${latency}` };
}

// ---------------------------------------------------------------------------------------------------------------
// Statement latency while a backup runs

const WORK = path.join(path.dirname(fileURLToPath(import.meta.url)), '.work', 'server-latency');
const CLIENTS = 32;

/** A data dir with one ~`rows` KB table (64 tablets, 3 backends), loaded straight through the store. */
async function prepareBigTable(dataDir: string, rows: number): Promise<{ bytes: number; files: number }> {
  const quiet = createLogger({ level: 'warn' });
  const engine = await Engine.open({ dataDir, backends: 3, logger: quiet });
  await engine.session().execute(
    'CREATE DATABASE bench; CREATE TABLE bench.t (k BIGINT, s VARCHAR(2000)) DUPLICATE KEY(k) ' +
      'DISTRIBUTED BY HASH(k) BUCKETS 64 PROPERTIES ("replication_num" = "1")',
  );
  await engine.close();
  const store = await TableStore.open(dataDir, { logger: quiet });
  try {
    const db = getDatabase(store.catalog, 'bench')!;
    const table = getTable(store.catalog, { dbId: db.id, name: 't' })!;
    const [partition] = listPartitions(store.catalog, table.id);
    const noise = randomBytes(4 * 2 ** 20).toString('base64');
    const writer = store.beginLoad(table.id);
    const batch: Row[] = [];
    for (let k = 0; k < rows; k++) {
      const at = (k * 7919) % (noise.length - 1000);
      batch.push([BigInt(k), noise.slice(at, at + 1000)]);
      if (batch.length === 20_000) await writer.write(partition!.id, batch.splice(0));
    }
    if (batch.length > 0) await writer.write(partition!.id, batch);
    const loaded = await writer.commit();
    return { bytes: loaded.bytes, files: loaded.files };
  } finally {
    await store.close();
  }
}

interface Latencies {
  readonly samples: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly ms: number;
}

function summarize(all: number[], ms: number): Latencies {
  const sorted = [...all].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { samples: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? NaN, ms };
}

/**
 * The clients live in a child process, so their own parsing does not compete with the server for its event loop:
 * what is measured is the server. They send SHOW BACKUP back to back until a line arrives on stdin, then print every
 * round-trip time (ms) as one JSON line.
 */
const CLIENT_SCRIPT = `
const mysql = (await import(process.env.MYSQL2_URL)).default;
const conns = await Promise.all(Array.from({ length: Number(process.env.CLIENTS) }, () =>
  mysql.createConnection({ host: '127.0.0.1', port: Number(process.env.PORT), user: 'root', rowsAsArray: true })));
let running = true;
process.stdin.once('data', () => (running = false));
process.stdout.write('ready\\n');
const times = [];
await Promise.all(conns.map(async (c) => {
  while (running) {
    const t0 = performance.now();
    await c.query('SHOW BACKUP FROM bench');
    times.push(performance.now() - t0);
  }
}));
for (const c of conns) c.destroy();
// A pipe is written asynchronously: exit only once the whole line is out.
process.stdout.write(JSON.stringify(times) + '\\n', () => process.exit(0));
`;

/** Start the client process; resolves once its connections are open, with `stop()` returning the round-trip times. */
async function startClients(port: number): Promise<{ stop(): Promise<number[]> }> {
  const mysql2Url = pathToFileURL(createRequire(import.meta.url).resolve('mysql2/promise')).href;
  const child = spawn(process.execPath, ['--input-type=module', '-e', CLIENT_SCRIPT], {
    env: { ...process.env, MYSQL2_URL: mysql2Url, CLIENTS: String(CLIENTS), PORT: String(port) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (out.startsWith('ready\n')) {
        child.stdout.off('data', check);
        resolve();
      }
    };
    child.stdout.on('data', check);
    void exited.then((code) => reject(new Error(`client process exited ${code} before it was ready`)));
  });
  return {
    async stop() {
      child.stdin.end('stop\n');
      const code = await exited;
      if (code !== 0) throw new Error(`client process exited ${code}`);
      return JSON.parse(out.slice('ready\n'.length)) as number[];
    },
  };
}

/** Run the clients for `ms`, or until `until` settles; returns the round-trip times. */
async function hammer(port: number, until: number | Promise<unknown>): Promise<number[]> {
  const clients = await startClients(port);
  await (typeof until === 'number' ? new Promise((r) => setTimeout(r, until)) : until);
  return clients.stop();
}

async function latencyUnderBackupSection(): Promise<string> {
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(WORK, { recursive: true });
  const rows = Math.max(2_000, Math.round(1_000_000 * benchScale()));
  const dataDir = path.join(WORK, 'data');
  try {
    const size = await prepareBigTable(dataDir, rows);
    const engine = await Engine.open({ dataDir, logger: createLogger({ level: 'warn' }) });
    const server = await startServer(engine, { port: 0, logger: createLogger({ level: 'silent' }) });
    try {
      const admin = engine.session({ database: 'bench' });
      await admin.execute(`CREATE REPOSITORY r WITH BROKER ON LOCATION 'file://${path.join(WORK, 'repo')}'`);
      const backup = async (label: string): Promise<{ done: Promise<unknown>; started: number }> => {
        const started = performance.now();
        await admin.execute(`BACKUP SNAPSHOT bench.${label} TO r`);
        const shown = await admin.execute('SHOW BACKUP FROM bench');
        const jobId = Number(shown.kind === 'rows' ? shown.rows[0]?.[0] : NaN);
        const done = engine.jobs.waitForJob(jobId).then((final) => {
          if (final.state !== 'FINISHED') throw new Error(`backup ${label} ended ${final.state}`);
        });
        return { done, started };
      };
      // Warm-up: JIT, sockets, the catalog's statement cache.
      await hammer(server.port, 1_000);

      // The backup alone, no clients: how long the job takes unloaded.
      const alone = await backup('alone');
      await alone.done;
      const aloneMs = performance.now() - alone.started;

      // (b) while a backup runs: from the statement until the job is FINISHED.
      const loaded = await backup('loaded');
      const busyTimes = await hammer(server.port, loaded.done);
      const backupMs = performance.now() - loaded.started;
      const busy = summarize(busyTimes, backupMs);

      // (a) no job running, for as long as the backup took (at least 2 s).
      const idleMs = Math.max(2_000, backupMs);
      const idle = summarize(await hammer(server.port, idleMs), idleMs);
      admin.close();

      const fmt = (n: number): string => n.toFixed(2);
      const row = (label: string, l: Latencies): (string | number)[] => [
        label, l.samples.toLocaleString('en-US'), Math.round(l.samples / (l.ms / 1000)).toLocaleString('en-US'), fmt(l.p50), fmt(l.p99), fmt(l.max),
      ];
      return [
        '### Statement latency while a backup runs',
        '',
        `${CLIENTS} mysql2 clients each send \`SHOW BACKUP FROM bench\` back to back over loopback, first while a BACKUP of`,
        `${(size.bytes / 2 ** 30).toFixed(2)} GiB (${size.files} files, 64 tablets, 3 backends) to a \`file://\` repository runs in the same`,
        'process — from the statement until the job is FINISHED — then for as long again with no job running. The job',
        'must not stall the server: the p99 ratio is the number to watch.',
        '',
        markdownTable(
          ['run', 'statements', 'statements/s', 'p50 (ms)', 'p99 (ms)', 'max (ms)'],
          [row('no job running (reference)', idle), row(`during BACKUP (${(backupMs / 1000).toFixed(1)} s)`, busy)],
        ),
        '',
        `Ratio during / reference: p50 **${(busy.p50 / idle.p50).toFixed(2)}×**, p99 **${(busy.p99 / idle.p99).toFixed(2)}×**. The same backup`,
        `with no clients took ${(aloneMs / 1000).toFixed(1)} s (${mbPerSec(size.bytes, aloneMs)} MB/s); under the clients' load ${(backupMs / 1000).toFixed(1)} s`,
        `(${mbPerSec(size.bytes, backupMs)} MB/s). The clients run in a separate process, so the server process is what is measured.`,
      ].join('\n');
    } finally {
      await server.close();
      await engine.close();
    }
  } finally {
    fs.rmSync(WORK, { recursive: true, force: true });
  }
}
