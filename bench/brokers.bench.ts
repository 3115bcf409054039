/**
 * Broker throughput: write and read of 1 GiB in 64 MiB files and of 10,000 files of 4 KiB, for the local adapter
 * (beside `cp -r` of the same files on the same disk, in the same run) and for S3 against s3rver (started here, in
 * its own Node process). TABLEVAULT_BENCH_SCALE shrinks both workloads.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Broker } from '../src/brokers/broker.ts';
import { openBroker } from '../src/brokers/open-broker.ts';
import { startS3Server } from '../test/support/s3-server.ts';
import { benchScale, markdownTable, mbPerSec, type BenchSection } from './lib/report.ts';

const MiB = 1024 * 1024;

interface Workload {
  readonly name: string;
  readonly dir: string;
  readonly files: readonly string[];
  readonly bytes: number;
  /** Operations in flight at once. */
  readonly concurrency: number;
}

interface Row {
  readonly storage: string;
  readonly workload: string;
  readonly operation: string;
  readonly files: number;
  readonly bytes: number;
  readonly ms: number;
  readonly reference?: number;
}

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function makeWorkload(root: string, name: string, count: number, size: number, concurrency: number): Workload {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  const block = randomBytes(Math.min(size, 4 * MiB));
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const file = `f${String(i).padStart(5, '0')}.dat`;
    const fd = fs.openSync(path.join(dir, file), 'w');
    for (let written = 0; written < size; written += block.length) {
      const chunk = block.subarray(0, Math.min(block.length, size - written));
      chunk.writeUInt32LE(i, 0); // distinct content per file, so no filesystem dedup flatters anyone
      fs.writeSync(fd, chunk);
    }
    fs.closeSync(fd);
    files.push(file);
  }
  return { name, dir, files, bytes: count * size, concurrency };
}

function timed(fn: () => void): number {
  const started = performance.now();
  fn();
  return performance.now() - started;
}

async function timedAsync(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** `cp -r` of the workload to a fresh directory on the same disk, then `sync -f` (the broker fsyncs every file). */
function copyReference(work: Workload, scratch: string): { cp: number; cpSync: number } {
  const target = path.join(scratch, `cp-${work.name}`);
  const cp = timed(() => {
    const r = spawnSync('cp', ['-r', work.dir, target]);
    if (r.status !== 0) throw new Error(`cp -r failed: ${r.stderr.toString()}`);
  });
  const syncMs = timed(() => spawnSync('sync', ['-f', target]));
  fs.rmSync(target, { recursive: true, force: true });
  return { cp, cpSync: cp + syncMs };
}

async function measureBroker(storage: string, broker: Broker, work: Workload, scratch: string, reference: number | undefined): Promise<Row[]> {
  const rows: Row[] = [];
  const base = { storage, workload: work.name, files: work.files.length, bytes: work.bytes };
  const prefix = `bench-${work.name}`;
  const upload = await timedAsync(() => mapLimit(work.files, work.concurrency, (f) => broker.uploadFile(path.join(work.dir, f), `${prefix}/up/${f}`)));
  rows.push({ ...base, operation: 'write (uploadFile)', ms: upload, ...(reference === undefined ? {} : { reference }) });
  const stream = await timedAsync(() =>
    mapLimit(work.files, work.concurrency, (f) => broker.write(`${prefix}/st/${f}`, fs.createReadStream(path.join(work.dir, f), { highWaterMark: MiB }))),
  );
  rows.push({ ...base, operation: 'write (stream)', ms: stream, ...(reference === undefined ? {} : { reference }) });
  const read = await timedAsync(() =>
    mapLimit(work.files, work.concurrency, async (f) => {
      let n = 0;
      for await (const chunk of await broker.read(`${prefix}/up/${f}`)) n += (chunk as Buffer).length;
      return n;
    }),
  );
  rows.push({ ...base, operation: 'read (stream)', ms: read, ...(reference === undefined ? {} : { reference }) });
  const out = path.join(scratch, `dl-${storage}-${work.name}`);
  fs.mkdirSync(out, { recursive: true });
  const download = await timedAsync(() => mapLimit(work.files, work.concurrency, (f) => broker.downloadFile(`${prefix}/up/${f}`, path.join(out, f))));
  rows.push({ ...base, operation: 'read (downloadFile)', ms: download, ...(reference === undefined ? {} : { reference }) });
  fs.rmSync(out, { recursive: true, force: true });
  await broker.deletePrefix(`${prefix}/`);
  return rows;
}

export async function run(): Promise<BenchSection> {
  const scale = benchScale();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-bench-brokers-'));
  const server = await startS3Server({ bucket: 'tv-bench', childProcess: true });
  try {
    const total = Math.max(MiB, Math.round(1024 * MiB * scale));
    const bigSize = Math.min(64 * MiB, total);
    const big = makeWorkload(scratch, 'large', Math.max(1, Math.round(total / bigSize)), bigSize, 4);
    const small = makeWorkload(scratch, 'small', Math.max(10, Math.round(10_000 * scale)), 4096, 32);
    const rows: Row[] = [];
    const refs: string[] = [];
    for (const work of [big, small]) {
      const ref = copyReference(work, scratch);
      refs.push(`${work.name}: \`cp -r\` ${(ref.cp / 1000).toFixed(2)} s (${mbPerSec(work.bytes, ref.cp)} MB/s), with \`sync -f\` ${(ref.cpSync / 1000).toFixed(2)} s`);
      const local = await openBroker(`file://${path.join(scratch, 'repo')}`, {});
      rows.push(...(await measureBroker('local', local, work, scratch, ref.cpSync)));
      await local.close();
      const s3 = await openBroker(`${server.location}/bench`, server.properties);
      rows.push(...(await measureBroker('s3 (s3rver)', s3, work, scratch, undefined)));
      await s3.close();
    }
    const table = markdownTable(
      ['storage', 'workload', 'operation', 'files', 'MiB', 'seconds', 'MB/s', 'files/s', 'time vs `cp -r`+sync'],
      rows.map((r) => [
        r.storage,
        r.workload,
        r.operation,
        r.files,
        (r.bytes / MiB).toFixed(0),
        (r.ms / 1000).toFixed(2),
        mbPerSec(r.bytes, r.ms),
        (r.files / (r.ms / 1000)).toFixed(0),
        r.reference === undefined ? '—' : `${(r.ms / r.reference).toFixed(2)}×`,
      ]),
    );
    const markdown = [
      `Workloads: **large** = ${big.files.length} × ${(big.bytes / big.files.length / MiB).toFixed(0)} MiB, **small** = ${small.files.length} × 4 KiB`,
      `(scale ${scale}). Large files run 4 at a time, small files 32 at a time. Local writes fsync every file and its`,
      'directory (temp name → rename), so the local reference is `cp -r` followed by `sync -f`; reads come from a warm page cache',
      'on both sides. `uploadFile`/`downloadFile` use the kernel copy (copy_file_range/reflink) on local disk.',
      '',
      table,
      '',
      `References (same disk, same run): ${refs.join('; ')}.`,
      '',
      'S3 numbers measure s3rver 3.7.1 (a single-process Node server that stores each object as files plus metadata, in its',
      'own process here), not S3: use them to compare tablevault versions, not storage services.',
    ].join('\n');
    return { title: 'Broker throughput (local disk and S3 via s3rver)', markdown };
  } finally {
    await server.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
