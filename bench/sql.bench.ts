/**
 * The SQL data plane end to end, as the issue words it: on a 3-backend engine, `INSERT INTO t SELECT … FROM
 * TABLE(generate_series(1, 5000000))` into a 16-bucket table (3 replicas), then a full-scan `SELECT COUNT(*), SUM(x)`.
 * Each beside a plain-file reference on the same disk in the same run: fs.copyFile of the same number of bytes
 * (+ fsync) for the insert, fs.readFile of them for the scan. TABLEVAULT_BENCH_SCALE shrinks the row count.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../src/engine.ts';
import { createLogger } from '../src/logging/logger.ts';
import { benchScale, markdownTable, mbPerSec, type BenchSection } from './lib/report.ts';

/** Bytes under `dir`, recursively. */
function du(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    total += entry.isDirectory() ? du(p) : fs.statSync(p).size;
  }
  return total;
}

/** fs.copyFile of a `bytes`-sized file plus an fsync of the copy, and a read of the copy; milliseconds each. */
async function fileReference(dir: string, bytes: number): Promise<{ copyMs: number; readMs: number }> {
  const src = path.join(dir, 'ref-src.bin');
  const dst = path.join(dir, 'ref-dst.bin');
  const chunk = Buffer.alloc(8 << 20);
  for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE((i * 2654435761) >>> 0, i);
  const fd = fs.openSync(src, 'w');
  for (let written = 0; written < bytes; written += chunk.length) fs.writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - written));
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  let t0 = performance.now();
  await fs.promises.copyFile(src, dst);
  const out = fs.openSync(dst, 'r+');
  fs.fsyncSync(out);
  fs.closeSync(out);
  const copyMs = performance.now() - t0;
  t0 = performance.now();
  let read = 0;
  const handle = await fs.promises.open(dst, 'r');
  const buf = Buffer.alloc(8 << 20);
  for (;;) {
    const { bytesRead } = await handle.read(buf, 0, buf.length, null);
    if (bytesRead === 0) break;
    read += bytesRead;
  }
  await handle.close();
  const readMs = performance.now() - t0;
  if (read !== bytes) throw new Error(`reference read ${read} of ${bytes} bytes`);
  fs.rmSync(src);
  fs.rmSync(dst);
  return { copyMs, readMs };
}

export async function run(): Promise<BenchSection> {
  const rows = Math.max(10_000, Math.round(5_000_000 * benchScale()));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-bench-sql-'));
  try {
    const dataDir = path.join(dir, 'data');
    const engine = await Engine.open({ dataDir, backends: 3, logger: createLogger({ level: 'warn' }) });
    let insertMs: number;
    let scanMs: number;
    let scanned: readonly (string | null)[];
    let partition: readonly (string | null)[];
    try {
      const s = engine.session();
      await s.execute(`CREATE DATABASE bench; USE bench;
        CREATE TABLE t (id BIGINT, x BIGINT, tag VARCHAR(16)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 16
        PROPERTIES ("replication_num" = "3")`);
      let t0 = performance.now();
      const inserted = await s.execute(`INSERT INTO t SELECT generate_series, generate_series % 1000, 'tag' FROM TABLE(generate_series(1, ${rows}))`);
      insertMs = performance.now() - t0;
      if (inserted.kind !== 'ok' || inserted.affectedRows !== rows) throw new Error(`INSERT loaded ${JSON.stringify(inserted)}`);
      t0 = performance.now();
      const r = await s.execute('SELECT COUNT(*), SUM(x) FROM t');
      scanMs = performance.now() - t0;
      if (r.kind !== 'rows') throw new Error('SELECT returned no rows');
      scanned = r.rows[0] ?? [];
      const expectedSum = BigInt(Math.floor(rows / 1000)) * 499500n + BigInt(((rows % 1000) * ((rows % 1000) + 1)) / 2);
      if (scanned[0] !== String(rows) || scanned[1] !== String(expectedSum)) throw new Error(`scan returned ${JSON.stringify(scanned)}, expected ${rows}, ${expectedSum}`);
      const p = await s.execute('SHOW PARTITIONS FROM t');
      partition = p.kind === 'rows' ? (p.rows[0] ?? []) : [];
    } finally {
      await engine.close();
    }
    // Segment bytes written by the INSERT: every replica's files (what hit the disk).
    const written = fs.readdirSync(dataDir).filter((d) => /^be\d+$/.test(d)).reduce((a, be) => a + du(path.join(dataDir, be, 'data')), 0);
    const oneReplica = written / 3;
    const ref = await fileReference(dir, written);
    const refRead = await fileReference(dir, Math.round(oneReplica));
    const ratio = (a: number, b: number): string => (a / b).toPrecision(2);
    const markdown = [
      `\`INSERT INTO t SELECT generate_series, generate_series % 1000, 'tag' FROM TABLE(generate_series(1, ${rows}))\` into a`,
      '`DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 16` table with 3 replicas on a 3-backend engine, then',
      '`SELECT COUNT(*), SUM(x) FROM t` (a full scan of one replica of every tablet). Segment bytes are the files under',
      `the backends' data directories (all replicas: ${(written / 1e6).toFixed(1)} MB; SHOW PARTITIONS DataSize, one replica: ${partition[14] ?? '?'}).`,
      'References, same disk, same run: `fs.copyFile` of a file of the same size plus fsync, and a sequential read of',
      'one replica\'s worth of bytes.',
      '',
      markdownTable(
        ['operation', 'time (s)', 'rows/s', 'MB/s', 'reference', 'reference MB/s', 'tablevault / reference'],
        [
          ['INSERT … generate_series', (insertMs / 1000).toFixed(2), Math.round(rows / (insertMs / 1000)).toLocaleString('en-US'), mbPerSec(written, insertMs),
            'copyFile + fsync', mbPerSec(written, ref.copyMs), ratio(ref.copyMs, insertMs)],
          ['SELECT COUNT(*), SUM(x)', (scanMs / 1000).toFixed(2), Math.round(rows / (scanMs / 1000)).toLocaleString('en-US'), mbPerSec(oneReplica, scanMs),
            'read', mbPerSec(oneReplica, refRead.readMs), ratio(refRead.readMs, scanMs)],
        ],
      ),
      '',
      'The ratio is tablevault\'s throughput as a fraction of the plain file operation\'s (1.00 = as fast as a plain copy/read).',
    ].join('\n');
    return { title: 'SQL data plane: INSERT … SELECT generate_series and full-scan aggregate', markdown };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
