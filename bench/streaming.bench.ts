/**
 * A SELECT of 10,000,000 rows through the server in bounded memory: the server (`tablevault serve`, compiled, in a
 * child process) streams `generate_series` rows to a mysql2 client that reads them as a stream, and its peak RSS
 * (VmHWM from /proc) is compared with the same server process kind answering 1,000,000 rows and only SELECT 1.
 * Each size runs in a fresh server process, so each peak is that query's own.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createConnection } from 'mysql2';
import { buildIfStale } from '../scripts/build-if-stale.ts';
import { benchScale, markdownTable, type BenchSection } from './lib/report.ts';

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'tablevault.js');
const MiB = 1024 * 1024;

function status(pid: number, field: string): number {
  const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) * 1024 : NaN;
}

interface Measured {
  readonly rows: number;
  readonly ms: number;
  readonly bytes: number;
  readonly peakRss: number;
}

/** Start a server, run one SELECT of `rows` rows through a streaming mysql2 reader, read the server's peak RSS. */
async function measure(rows: number): Promise<Measured> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-bench-stream-'));
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', dir, '--log-level', 'silent'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = out.match(/listening on 127\.0\.0\.1:(\d+)/);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
    });
    const conn = createConnection({ host: '127.0.0.1', port, user: 'root', rowsAsArray: true });
    try {
      // Warm-up: the grammar and the query path are loaded before the measured query, for every size alike.
      await conn.promise().query('SELECT 1');
      const sql = rows === 0 ? 'SELECT 1' : `SELECT generate_series, 'payload-0123456789-abcdefghij' FROM TABLE(generate_series(1, ${rows}))`;
      let seen = 0;
      let bytes = 0;
      const started = performance.now();
      for await (const row of conn.query(sql).stream({ highWaterMark: 1024 }) as AsyncIterable<unknown[]>) {
        seen++;
        for (const value of row) bytes += String(value).length;
      }
      const ms = performance.now() - started;
      if (seen !== Math.max(rows, 1)) throw new Error(`expected ${rows} rows, got ${seen}`);
      return { rows, ms, bytes, peakRss: status(child.pid!, 'VmHWM') };
    } finally {
      await conn.promise().end();
    }
  } finally {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchSection> {
  buildIfStale();
  const big = Math.max(100_000, Math.round(10_000_000 * benchScale()));
  const small = Math.max(10_000, Math.round(big / 10));
  const idle = await measure(0);
  const one = await measure(small);
  const ten = await measure(big);
  const rows = [idle, one, ten].map((m) => [
    m.rows === 0 ? 'SELECT 1 (baseline)' : `${m.rows.toLocaleString('en-US')} rows`,
    m.rows === 0 ? '—' : (m.ms / 1000).toFixed(1),
    m.rows === 0 ? '—' : Math.round(m.rows / (m.ms / 1000)).toLocaleString('en-US'),
    (m.peakRss / MiB).toFixed(0),
    `${(m.peakRss / one.peakRss).toFixed(2)}×`,
  ]);
  return {
    title: 'Streaming a large SELECT through the server',
    markdown: [
      `\`SELECT generate_series, '<30-byte string>' FROM TABLE(generate_series(1, N))\` through \`tablevault serve\` (compiled,`,
      'a child process) to a mysql2 client reading `query().stream()` over loopback. Peak RSS is the server\'s VmHWM after',
      'the query, each size in a fresh server process. The server writes rows as the query produces them and waits for',
      'the socket to drain, so its memory must not grow with the row count: compare the two sizes\' peaks (target ≈ 1×).',
      '',
      markdownTable(['query', 'time (s)', 'rows/s', 'server peak RSS (MiB)', 'peak vs the smaller result'], rows),
      '',
      `${big.toLocaleString('en-US')} rows carried ${(ten.bytes / 1e6).toFixed(0)} MB of values; holding them as a result would need several times that.`,
    ].join('\n'),
  };
}
