/**
 * Storage throughput: a load of ~5M rows (BIGINT, DOUBLE, VARCHAR) into 16 tablets × 3 replicas, then a full scan
 * computing COUNT(*) and SUM(v). Each beside a plain-file reference on the same disk in the same run: copying the
 * same number of bytes with fs.copyFile (+fsync) and reading them back with fs.readFile.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDatabase } from '../src/catalog/ops/create-database.ts';
import { createTable } from '../src/catalog/ops/create-table.ts';
import { listPartitions } from '../src/catalog/ops/list-partitions.ts';
import { TableStore } from '../src/storage/table-store.ts';
import type { Row } from '../src/types/index.ts';
import { benchScale, markdownTable, mbPerSec, type BenchSection } from './lib/report.ts';

const BATCH = 100_000;

export async function run(): Promise<BenchSection> {
  const totalRows = Math.max(BATCH, Math.round(5_000_000 * benchScale()));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-bench-storage-'));
  try {
    const store = await TableStore.open(path.join(dir, 'data'), { backends: 3 });
    const db = createDatabase(store.catalog, 'bench');
    const meta = (name: string, type: import('../src/types/index.ts').ColumnType, isKey = false) => ({
      name, type, nullable: !isKey, default: null, aggregate: null, isKey, comment: '', autoIncrement: false,
    });
    const table = createTable(store.catalog, {
      dbId: db.id,
      name: 't',
      columns: [meta('k', { name: 'BIGINT' }, true), meta('v', { name: 'DOUBLE' }), meta('s', { name: 'VARCHAR', length: 32 })],
      keyModel: 'DUPLICATE',
      keyColumns: ['k'],
      distribution: { kind: 'HASH', columns: ['k'], buckets: 16 },
      replicationNum: 3,
    });
    const pid = listPartitions(store.catalog, table.id)[0]!.id;

    // Write: time only the storage calls, not row generation.
    let writeMs = 0;
    let expectedSum = 0;
    const load = store.beginLoad(table.id);
    for (let start = 0; start < totalRows; start += BATCH) {
      const n = Math.min(BATCH, totalRows - start);
      const rows: Row[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const k = start + i;
        const v = (k % 1000) / 8;
        expectedSum += v;
        rows[i] = [BigInt(k), v, `name-${k % 10_000}`];
      }
      const t0 = performance.now();
      await load.write(pid, rows);
      writeMs += performance.now() - t0;
    }
    const t0 = performance.now();
    const result = await load.commit();
    writeMs += performance.now() - t0;
    const bytes = result.bytes;

    // Scan: COUNT(*) and SUM(v) over every tablet at the visible version.
    const s0 = performance.now();
    let count = 0;
    let sum = 0;
    for await (const batch of store.scan(table.id, { columns: [1] })) {
      count += batch.rowCount;
      const v = batch.columns[0]!;
      for (let i = 0; i < v.length; i++) sum += v[i] as number;
    }
    const scanMs = performance.now() - s0;
    if (count !== totalRows || Math.abs(sum - expectedSum) > 1e-6 * Math.abs(expectedSum)) {
      throw new Error(`scan mismatch: ${count} rows, sum ${sum} (expected ${totalRows}, ${expectedSum})`);
    }
    await store.close();

    // Reference: the same bytes as one plain file, copied (+fsync) three times (one per replica) and read once.
    const src = path.join(dir, 'ref-src');
    fs.writeFileSync(src, Buffer.alloc(bytes, 7));
    const c0 = performance.now();
    for (let r = 0; r < 3; r++) {
      const dst = path.join(dir, `ref-copy-${r}`);
      fs.copyFileSync(src, dst);
      const fd = fs.openSync(dst, 'r');
      fs.fsyncSync(fd);
      fs.closeSync(fd);
    }
    const copyMs = performance.now() - c0;
    const r0 = performance.now();
    const read = fs.readFileSync(path.join(dir, 'ref-copy-0'));
    const readMs = performance.now() - r0;
    if (read.length !== bytes) throw new Error('reference read size mismatch');

    const markdown = [
      `${totalRows.toLocaleString('en-US')} rows of (BIGINT, DOUBLE, VARCHAR) into 16 tablets × 3 replicas; ` +
        `${result.files} segment files, ${(bytes / 1e6).toFixed(1)} MB per replica (written once, hard-linked twice). ` +
        `Reference: the same bytes copied with fs.copyFile + fsync three times, and read back once with fs.readFile.`,
      '',
      markdownTable(
        ['operation', 'time (ms)', 'rows/s', 'MB/s', 'reference (ms)', 'reference MB/s', 'ratio to reference'],
        [
          ['load (write + fsync + link + commit)', writeMs.toFixed(0), Math.round(totalRows / (writeMs / 1000)).toLocaleString('en-US'),
            mbPerSec(bytes, writeMs), copyMs.toFixed(0), mbPerSec(bytes, copyMs), (writeMs / copyMs).toFixed(2)],
          ['scan COUNT(*), SUM(v)', scanMs.toFixed(0), Math.round(totalRows / (scanMs / 1000)).toLocaleString('en-US'),
            mbPerSec(bytes, scanMs), readMs.toFixed(0), mbPerSec(bytes, readMs), (scanMs / readMs).toFixed(2)],
        ],
      ),
      '',
      'Ratio = tablevault time / reference time (lower is better; 1.0 = as fast as a plain file copy/read). The load ' +
        'includes routing by hash and columnar encoding from JS values; the scan decodes only the projected column.',
    ].join('\n');
    return { title: 'Storage: segment write and scan throughput', markdown };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().then((s) => console.log(`## ${s.title}\n\n${s.markdown}`));
}
