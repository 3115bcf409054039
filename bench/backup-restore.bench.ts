/**
 * BACKUP and RESTORE throughput, each beside `cp -r` of the same bytes on the same disk in the same run:
 * - ~1 GiB in one table of 64 tablets on 3 backends (replication_num 1, so the backend files are exactly what a
 *   backup reads), backed up to a file:// repository and restored (md5-verified) into a fresh data dir;
 * - 10,000 small tablets (100 partitions × 100 buckets, a few rows each), the same way;
 * - the ~1 GiB backup again to an S3 repository on s3rver (a single-process Node server: it measures s3rver).
 * The reference is `cp -r` of the backends' data directories (backup) or of the snapshot directory (restore)
 * followed by `sync`, because the backup and restore paths fsync every file they write.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine, type Session } from '../src/index.ts';
import { createLogger } from '../src/logging/logger.ts';
import { TableStore } from '../src/storage/index.ts';
import { listPartitions, getDatabase, getTable } from '../src/catalog/index.ts';
import type { Row } from '../src/types/index.ts';
import { startS3Server } from '../test/support/s3-server.ts';
import { benchScale, markdownTable, mbPerSec, type BenchSection } from './lib/report.ts';

const WORK = path.join(path.dirname(fileURLToPath(import.meta.url)), '.work', 'backup-restore');
const quiet = createLogger({ level: 'warn' });

interface Measured {
  readonly label: string;
  readonly bytes: number;
  readonly files: number;
  readonly ms: number;
  readonly refMs: number;
}

export async function run(): Promise<BenchSection> {
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(WORK, { recursive: true });
  const scale = benchScale();
  const results: Measured[] = [];
  try {
    const big = await prepare('big', { rows: Math.max(2_000, Math.round(1_000_000 * scale)), rowBytes: 1_000, partitions: 1, buckets: 64 });
    results.push(...(await backupAndRestore(big, 'file', `file://${path.join(WORK, 'repo-big')}`, {})));
    const small = await prepare('small', { rows: Math.max(2_000, Math.round(30_000 * Math.min(1, scale * 4))), rowBytes: 20, partitions: Math.max(4, Math.round(100 * Math.sqrt(scale))), buckets: Math.max(4, Math.round(100 * Math.sqrt(scale))) });
    results.push(...(await backupAndRestore(small, 'file', `file://${path.join(WORK, 'repo-small')}`, {})));
    const s3 = await startS3Server({ childProcess: true, bucket: 'tablevault-bench' });
    try {
      results.push(...(await backupAndRestore(big, 's3rver', s3.location, s3.properties, { restore: false })));
    } finally {
      await s3.close();
    }
  } finally {
    fs.rmSync(WORK, { recursive: true, force: true });
  }
  const rows = results.map((r) => [
    r.label,
    `${(r.bytes / 2 ** 20).toFixed(0)} MiB / ${r.files} files`,
    `${(r.ms / 1000).toFixed(2)} s`,
    `${mbPerSec(r.bytes, r.ms)} MB/s`,
    r.refMs > 0 ? `${(r.refMs / 1000).toFixed(2)} s` : 'n/a',
    r.refMs > 0 ? `${(r.refMs / r.ms).toFixed(2)}×` : 'n/a',
  ]);
  return {
    title: 'BACKUP and RESTORE',
    markdown: [
      'Backups to a `file://` repository on the same disk and restores from it into a new data dir (every downloaded',
      'file md5-verified), timed from the statement to FINISHED. The reference is `cp -r` + `sync` of the same files',
      '(backend data dirs for a backup, the snapshot directory for a restore); **rate vs cp** is reference time ÷',
      'tablevault time (1.00× = as fast as cp; targets: backup ≥ 0.8×, restore ≥ 0.6×). The S3 row uses s3rver, a',
      'single-process Node server on loopback, so it measures s3rver more than the S3 path.',
      '',
      markdownTable(['workload', 'size', 'time', 'throughput', 'cp -r + sync', 'rate vs cp'], rows),
      '',
      'The small-tablet rows are far slower than `cp -r` + `sync` per byte; where that time goes has not been profiled yet, so no cause is claimed here.',
    ].join('\n'),
  };
}

interface Prepared {
  readonly name: string;
  readonly dataDir: string;
  readonly bytes: number;
  readonly files: number;
}

/** A data dir with one table filled directly through the store (loading speed is measured elsewhere). */
async function prepare(name: string, spec: { rows: number; rowBytes: number; partitions: number; buckets: number }): Promise<Prepared> {
  const dataDir = path.join(WORK, `data-${name}`);
  let engine = await Engine.open({ dataDir, backends: 3, logger: quiet });
  const parts = Array.from({ length: spec.partitions }, (_, i) => `PARTITION p${i} VALUES LESS THAN ("${(i + 1) * 1_000_000_000}")`).join(', ');
  await engine.session().execute(
    `CREATE DATABASE bench; CREATE TABLE bench.t (k BIGINT, s VARCHAR(${Math.max(64, spec.rowBytes * 2)})) DUPLICATE KEY(k) ` +
      `PARTITION BY RANGE(k) (${parts}) DISTRIBUTED BY HASH(k) BUCKETS ${spec.buckets} PROPERTIES ("replication_num" = "1")`,
  );
  await engine.close();
  const store = await TableStore.open(dataDir, { logger: quiet });
  const db = getDatabase(store.catalog, 'bench');
  const table = getTable(store.catalog, { dbId: db!.id, name: 't' })!;
  const partitions = listPartitions(store.catalog, table.id);
  const noise = randomBytes(4 * 2 ** 20).toString('base64');
  const writer = store.beginLoad(table.id);
  const perPartition = Math.ceil(spec.rows / partitions.length);
  for (const [pi, p] of partitions.entries()) {
    const rows: Row[] = [];
    for (let i = 0; i < perPartition; i++) {
      const k = pi * 1_000_000_000 + i;
      const at = (k * 7919) % (noise.length - spec.rowBytes);
      rows.push([BigInt(k), noise.slice(at, at + spec.rowBytes)]);
      if (rows.length === 20_000) await writer.write(p.id, rows.splice(0));
    }
    if (rows.length > 0) await writer.write(p.id, rows);
  }
  const loaded = await writer.commit();
  await store.close();
  engine = await Engine.open({ dataDir, logger: quiet });
  await engine.close();
  return { name, dataDir, bytes: loaded.bytes, files: loaded.files };
}

async function backupAndRestore(
  prepared: Prepared,
  kind: string,
  location: string,
  properties: Readonly<Record<string, string>>,
  options: { restore?: boolean } = {},
): Promise<Measured[]> {
  const props = Object.entries(properties).map(([k, v]) => `"${k}" = "${v}"`).join(', ');
  const repo = `r_${prepared.name}_${kind.replace(/\W/g, '')}`;
  const createRepo = `CREATE REPOSITORY ${repo} WITH BROKER ON LOCATION '${location}'${props ? ` PROPERTIES (${props})` : ''}`;
  const label = `snap_${Date.now()}`;
  const out: Measured[] = [];

  const engine = await Engine.open({ dataDir: prepared.dataDir, logger: quiet });
  let timestamp: string;
  try {
    const session = engine.session({ database: 'bench' });
    await session.execute(createRepo);
    const t0 = performance.now();
    await session.execute(`BACKUP SNAPSHOT bench.${label} TO ${repo}`);
    await waitFor(engine, session, 'BACKUP');
    const ms = performance.now() - t0;
    const snap = await session.execute(`SHOW SNAPSHOT ON ${repo} WHERE SNAPSHOT = '${label}'`);
    timestamp = String(snap.kind === 'rows' ? snap.rows[0]?.[1] : '');
    const refMs = kind === 'file' ? cpReference(prepared.dataDir, 'data') : 0;
    out.push({ label: `${prepared.name}: backup to ${kind}`, bytes: prepared.bytes, files: prepared.files, ms, refMs });
  } finally {
    await engine.close();
  }
  if (options.restore === false) return out;

  const target = path.join(WORK, `restore-${prepared.name}-${kind}`);
  const engine2 = await Engine.open({ dataDir: target, backends: 3, logger: quiet });
  try {
    const session = engine2.session();
    await session.execute(createRepo);
    const t0 = performance.now();
    await session.execute(`RESTORE SNAPSHOT bench.${label} FROM ${repo} PROPERTIES ("backup_timestamp" = "${timestamp}", "replication_num" = "1")`);
    await waitFor(engine2, session, 'RESTORE', 'bench');
    const ms = performance.now() - t0;
    const snapshotDir = path.join(location.replace(/^file:\/\//, ''), `__starrocks_repository_${repo}`, `__ss_${label}`);
    const refMs = kind === 'file' ? cpReference(snapshotDir, '') : 0;
    out.push({ label: `${prepared.name}: restore from ${kind}`, bytes: prepared.bytes, files: prepared.files, ms, refMs });
  } finally {
    await engine2.close();
    fs.rmSync(target, { recursive: true, force: true });
  }
  return out;
}

async function waitFor(engine: Engine, session: Session, kind: 'BACKUP' | 'RESTORE', db = 'bench'): Promise<void> {
  const shown = await session.execute(`SHOW ${kind} FROM ${db}`);
  const jobId = shown.kind === 'rows' ? Number(shown.rows[0]?.[0]) : NaN;
  const final = await engine.jobs.waitForJob(jobId);
  if (final.state !== 'FINISHED') throw new Error(`${kind} ended ${final.state}: ${JSON.stringify(final)}`);
}

/** `cp -r` of the data (every backend's `data` dir, or one directory) to a sibling on the same disk, then sync. */
function cpReference(root: string, sub: string): number {
  const dest = path.join(WORK, `cp-${Date.now()}`);
  fs.mkdirSync(dest);
  const sources = sub === '' ? [root] : fs.readdirSync(root).filter((d) => /^be\d+$/.test(d)).map((d) => path.join(root, d, sub));
  const t0 = performance.now();
  for (const [i, src] of sources.entries()) execFileSync('cp', ['-r', src, path.join(dest, String(i))]);
  execFileSync('sync');
  const ms = performance.now() - t0;
  fs.rmSync(dest, { recursive: true, force: true });
  return ms;
}
