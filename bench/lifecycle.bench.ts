/**
 * Snapshot lifecycle: incremental-forever BACKUP and VERIFY, each beside a reference measured in the same run.
 * - ~1 GiB in one table of 100 partitions × 2 buckets (replication_num 1) backed up in full to a file:// repository;
 *   then 1% and 10% of the partitions get new rows and an incremental backup follows each. Bytes written to the
 *   repository (everything under the new snapshot's directory) and time are shown as ratios to the full backup.
 * - An incremental backup of unchanged data beside `restic backup` of the same (unchanged) data dir, both the
 *   second run over that data (restic's first run is not timed).
 * - VERIFY SNAPSHOT … "mode" = "checksum" of the full snapshot beside `md5sum` of the same files.
 * TABLEVAULT_BENCH_LOG=info prints the engine's log lines (job state changes with times) to profile a phase.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getDatabase, getTable, listPartitions } from '../src/catalog/index.ts';
import { Engine, type Session } from '../src/index.ts';
import { createLogger } from '../src/logging/logger.ts';
import { TableStore } from '../src/storage/index.ts';
import type { Row } from '../src/types/index.ts';
import { benchScale, markdownTable, mbPerSec, type BenchSection } from './lib/report.ts';

const WORK = path.join(path.dirname(fileURLToPath(import.meta.url)), '.work', 'lifecycle');
const quiet = createLogger({ level: process.env['TABLEVAULT_BENCH_LOG'] === 'info' ? 'info' : 'warn' });
const PARTITIONS = 100;
const SPAN = 1_000_000_000;

export async function run(): Promise<BenchSection> {
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(WORK, { recursive: true });
  const scale = benchScale();
  const dataDir = path.join(WORK, 'data');
  const repoDir = path.join(WORK, 'repo');
  try {
    const loaded = await prepare(dataDir, Math.max(4_000, Math.round(1_000_000 * scale)), 1_000);
    const engine = await Engine.open({ dataDir, logger: quiet });
    try {
      const session = engine.session({ database: 'bench' });
      await session.execute(`CREATE REPOSITORY r WITH BROKER ON LOCATION 'file://${repoDir}'`);
      const backup = async (label: string, type: string): Promise<{ ms: number; bytes: number; files: number }> => {
        const t0 = performance.now();
        await session.execute(`BACKUP SNAPSHOT bench.${label} TO r PROPERTIES ("type" = "${type}")`);
        await waitFor(engine, session);
        const ms = performance.now() - t0;
        return { ms, ...treeSize(path.join(repoDir, '__starrocks_repository_r', `__ss_${label}`)) };
      };
      const change = async (n: number, round: number): Promise<void> => {
        // A few rows into each of the first n partitions: a new rowset (new files) in each of their tablets.
        const values = Array.from({ length: n }, (_, p) => Array.from({ length: 4 }, (_, i) => `(${p * SPAN + 900_000_000 + round * 10 + i}, 'changed')`)).flat();
        await session.execute(`INSERT INTO bench.t VALUES ${values.join(', ')}`);
      };
      const full = await backup('full0', 'full');
      await change(Math.max(1, PARTITIONS / 100), 1);
      const inc1 = await backup('inc1', 'incremental');
      await change(PARTITIONS / 10, 2);
      const inc10 = await backup('inc10', 'incremental');
      const same = await backup('inc0', 'incremental');

      // restic: its first backup of the data dir (untimed), then the second one over the same unchanged data.
      const resticRepo = path.join(WORK, 'restic');
      const env = { ...process.env, RESTIC_PASSWORD: 'bench', RESTIC_REPOSITORY: resticRepo, RESTIC_CACHE_DIR: path.join(WORK, 'restic-cache') };
      execFileSync('restic', ['init', '--quiet'], { env });
      execFileSync('restic', ['backup', '--quiet', dataDir], { env });
      const r0 = performance.now();
      execFileSync('restic', ['backup', '--quiet', dataDir], { env });
      const resticMs = performance.now() - r0;

      // VERIFY checksum of the full snapshot beside md5sum of the same files.
      const ts = await timestampOf(session, 'full0');
      const v0 = performance.now();
      const verified = await session.execute(`VERIFY SNAPSHOT full0 ON r PROPERTIES ("backup_timestamp" = "${ts}", "mode" = "checksum")`);
      const verifyMs = performance.now() - v0;
      const summary = verified.kind === 'rows' ? verified.rows.at(-1) : undefined;
      if (summary?.[0] !== 'OK') throw new Error(`VERIFY did not pass: ${JSON.stringify(verified)}`);
      const verifyBytes = Number(summary[4]);
      const snapDir = path.join(repoDir, '__starrocks_repository_r', '__ss_full0');
      const m0 = performance.now();
      execFileSync('sh', ['-c', 'find . -type f -print0 | xargs -0 md5sum > /dev/null'], { cwd: snapDir });
      const md5Ms = performance.now() - m0;

      const pct = (a: number, b: number): string => `${((100 * a) / b).toFixed(2)}%`;
      const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
      const mib = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;
      const rows = [
        ['full backup', mib(full.bytes), String(full.files), s(full.ms), '100%', '100%'],
        ['incremental after 1% of partitions changed', mib(inc1.bytes), String(inc1.files), s(inc1.ms), pct(inc1.bytes, full.bytes), pct(inc1.ms, full.ms)],
        ['incremental after 10% of partitions changed', mib(inc10.bytes), String(inc10.files), s(inc10.ms), pct(inc10.bytes, full.bytes), pct(inc10.ms, full.ms)],
        ['incremental of unchanged data', mib(same.bytes), String(same.files), s(same.ms), pct(same.bytes, full.bytes), pct(same.ms, full.ms)],
      ];
      return {
        title: 'Snapshot lifecycle: incremental BACKUP and VERIFY',
        markdown: [
          `${mib(loaded.bytes)} in ${loaded.files} files: one table of ${PARTITIONS} partitions × 2 buckets on 3 backends, backed up to a`,
          '`file://` repository on the same disk. **bytes** is everything written under the new snapshot\'s directory (data, headers,',
          'info and meta files); the ratios are to the full backup of the same run (targets for the 1% case: ≤ 2% of the bytes,',
          '≤ 10% of the time).',
          '',
          markdownTable(['backup', 'bytes', 'files', 'time', 'bytes vs full', 'time vs full'], rows),
          '',
          markdownTable(
            ['unchanged data, second run', 'time', 'ratio'],
            [
              ['tablevault incremental BACKUP', s(same.ms), '1.00×'],
              ['`restic backup` of the data dir', s(resticMs), `${(resticMs / same.ms).toFixed(2)}× tablevault's time`],
            ],
          ),
          '',
          markdownTable(
            ['checksum of the full snapshot', 'time', 'throughput', 'rate vs md5sum'],
            [
              ['VERIFY SNAPSHOT … "mode" = "checksum"', s(verifyMs), `${mbPerSec(verifyBytes, verifyMs)} MB/s`, `${(md5Ms / verifyMs).toFixed(2)}×`],
              ['`md5sum` of the same files', s(md5Ms), `${mbPerSec(verifyBytes, md5Ms)} MB/s`, '1.00×'],
            ],
          ),
          '',
          'Both checksum runs read warm files (the page cache holds what the backup just wrote); VERIFY also reads the tablet',
          'headers it recomputes partition row counts from.',
          '',
          'Reproduce: `npm run bench lifecycle` (it rewrites this section; `TABLEVAULT_BENCH_SCALE=0.25` for a quicker check).',
        ].join('\n'),
      };
    } finally {
      await engine.close();
    }
  } finally {
    fs.rmSync(WORK, { recursive: true, force: true });
  }
}

/** A data dir with one table of PARTITIONS × 2 buckets filled directly through the store. */
async function prepare(dataDir: string, rows: number, rowBytes: number): Promise<{ bytes: number; files: number }> {
  let engine = await Engine.open({ dataDir, backends: 3, logger: quiet });
  const parts = Array.from({ length: PARTITIONS }, (_, i) => `PARTITION p${i} VALUES LESS THAN ("${(i + 1) * SPAN}")`).join(', ');
  await engine.session().execute(
    `CREATE DATABASE bench; CREATE TABLE bench.t (k BIGINT, s VARCHAR(${rowBytes * 2})) DUPLICATE KEY(k) ` +
      `PARTITION BY RANGE(k) (${parts}) DISTRIBUTED BY HASH(k) BUCKETS 2 PROPERTIES ("replication_num" = "1")`,
  );
  await engine.close();
  const store = await TableStore.open(dataDir, { logger: quiet });
  const db = getDatabase(store.catalog, 'bench');
  const table = getTable(store.catalog, { dbId: db!.id, name: 't' })!;
  const partitions = listPartitions(store.catalog, table.id);
  const noise = randomBytes(4 * 2 ** 20).toString('base64');
  const writer = store.beginLoad(table.id);
  const perPartition = Math.ceil(rows / partitions.length);
  for (const [pi, p] of partitions.entries()) {
    const batch: Row[] = [];
    for (let i = 0; i < perPartition; i++) {
      const k = pi * SPAN + i;
      const at = (k * 7919) % (noise.length - rowBytes);
      batch.push([BigInt(k), noise.slice(at, at + rowBytes)]);
      if (batch.length === 20_000) await writer.write(p.id, batch.splice(0));
    }
    if (batch.length > 0) await writer.write(p.id, batch);
  }
  const loaded = await writer.commit();
  await store.close();
  engine = await Engine.open({ dataDir, logger: quiet });
  await engine.close();
  return { bytes: loaded.bytes, files: loaded.files };
}

async function waitFor(engine: Engine, session: Session): Promise<void> {
  const shown = await session.execute('SHOW BACKUP FROM bench');
  const jobId = shown.kind === 'rows' ? Number(shown.rows[0]?.[0]) : NaN;
  const final = await engine.jobs.waitForJob(jobId);
  if (final.state !== 'FINISHED') throw new Error(`BACKUP ended ${final.state}: ${JSON.stringify(final)}`);
}

async function timestampOf(session: Session, label: string): Promise<string> {
  const r = await session.execute(`SHOW SNAPSHOT ON r WHERE SNAPSHOT = '${label}'`);
  return String(r.kind === 'rows' ? r.rows[0]?.[1] : '');
}

/** Bytes and files under a directory. */
function treeSize(root: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        bytes += fs.statSync(p).size;
        files++;
      }
    }
  };
  walk(root);
  return { bytes, files };
}
