/**
 * BACKUP and RESTORE at production shapes, every figure beside a reference measured in the same run on the same
 * file system (`npm run bench -- jobs` runs this module alone):
 * - 2,560 small tablets (40 range partitions × 64 buckets, 200,000 rows through INSERT … SELECT generate_series):
 *   BACKUP to a `file://` repository and RESTORE from it (every file md5-verified), against `cp -r` + `sync -f` of
 *   the backends' data dirs and against rclone copying the same files;
 * - 10,000 small tablets: time against the 2,560-tablet run (linear growth) and peak RSS;
 * - ~1 GiB in 64 tablets, 8 rowsets each (8 INSERTs): BACKUP and RESTORE against `cp -r` + `sync -f`;
 * - BACKUP to s3rver against `rclone copy` of the same files to the same s3rver;
 * - the ~1 GiB BACKUP while 32 clients in another process send statements, against the same BACKUP alone.
 * Each job runs in a process of its own (bench/lib/job-child.js, on the compiled dist/) so its RSS is its own; `uptime` is recorded with
 * every figure because the machine may be shared.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../src/engine.ts';
import { createLogger } from '../src/logging/logger.ts';
import { startServer } from '../src/server/server.ts';
import { startS3Server, type S3TestServer } from '../test/support/s3-server.ts';
import { hammer, startClients, summarize, type Latencies } from './lib/clients.ts';
import { benchScale, markdownTable, mbPerSec, type BenchSection } from './lib/report.ts';
import { buildIfStale } from '../scripts/build-if-stale.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WORK = path.join(HERE, '.work', 'jobs');
const CHILD = path.join(HERE, 'lib', 'job-child.js');
const quiet = createLogger({ level: 'warn' });

interface Dataset {
  readonly name: string;
  readonly dataDir: string;
  readonly tablets: number;
  readonly bytes: number;
  readonly files: number;
}

interface JobRun {
  readonly ms: number;
  readonly rssPeakMiB: number;
  readonly cpuUserMs: number;
  readonly cpuSystemMs: number;
  readonly ts: string;
  readonly load: string;
}

/** `uptime`'s load averages now. */
function load(): string {
  return os.loadavg().map((l) => l.toFixed(2)).join(', ');
}

/** Segment files and their bytes under every backend's data dir. */
function dataFiles(dataDir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else {
        files++;
        bytes += fs.statSync(p).size;
      }
    }
  };
  for (const be of fs.readdirSync(dataDir).filter((d) => /^be\d+$/.test(d))) walk(path.join(dataDir, be, 'data'));
  return { bytes, files };
}

/** Small tablets: `partitions` × `buckets`, `rows` rows in one INSERT … SELECT generate_series. */
async function smallDataset(name: string, partitions: number, buckets: number, rows: number): Promise<Dataset> {
  const dataDir = path.join(WORK, `data-${name}`);
  const engine = await Engine.open({ dataDir, backends: 3, logger: quiet });
  try {
    const step = Math.ceil(rows / partitions);
    const parts = Array.from({ length: partitions }, (_, i) => `PARTITION p${i} VALUES LESS THAN ("${(i + 1) * step}")`).join(', ');
    const s = engine.session();
    await s.execute(
      `CREATE DATABASE bench; CREATE TABLE bench.t (k BIGINT, v BIGINT, s VARCHAR(32)) DUPLICATE KEY(k) PARTITION BY RANGE(k) (${parts}) ` +
        `DISTRIBUTED BY HASH(k) BUCKETS ${buckets} PROPERTIES ("replication_num" = "1")`,
    );
    await s.execute(`INSERT INTO bench.t SELECT generate_series, generate_series * 7, concat('row', generate_series) FROM TABLE(generate_series(0, ${rows - 1}))`);
  } finally {
    await engine.close();
  }
  return { name, dataDir, tablets: partitions * buckets, ...dataFiles(dataDir) };
}

/** ~`mib` MiB in 64 tablets, 8 rowsets each: eight INSERT … SELECT of 256-character rows. */
async function bigDataset(mib: number): Promise<Dataset> {
  const dataDir = path.join(WORK, 'data-big');
  const engine = await Engine.open({ dataDir, backends: 3, logger: quiet });
  try {
    const s = engine.session();
    await s.execute(
      'CREATE DATABASE bench; CREATE TABLE bench.t (k BIGINT, s VARCHAR(256)) DUPLICATE KEY(k) ' +
        'DISTRIBUTED BY HASH(k) BUCKETS 64 PROPERTIES ("replication_num" = "1")',
    );
    const rows = Math.max(8_000, Math.round((mib * 2 ** 20) / 270));
    const per = Math.ceil(rows / 8);
    for (let i = 0; i < 8; i++) {
      await s.execute(`INSERT INTO bench.t SELECT generate_series, repeat(md5(generate_series), 8) FROM TABLE(generate_series(${i * per}, ${(i + 1) * per - 1}))`);
    }
  } finally {
    await engine.close();
  }
  return { name: 'big', dataDir, tablets: 64, ...dataFiles(dataDir) };
}

/** One BACKUP / RESTORE in its own process. */
function runJob(mode: 'backup' | 'restore', dataDir: string, location: string, label: string, properties: Readonly<Record<string, string>>, ts = ''): Promise<JobRun> {
  const before = load();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CHILD, mode, dataDir, location, label, JSON.stringify(properties), ts],
      { maxBuffer: 1 << 22, timeout: 3_600_000 },
      (error, stdout, stderr) => {
        if (error !== null) return reject(new Error(`${mode} failed: ${error.message}\n${stderr}`));
        const line = stdout.trim().split('\n').pop() ?? '{}';
        resolve({ ...(JSON.parse(line) as Omit<JobRun, 'load'>), load: before });
      },
    );
  });
}

/** `cp -r` of every backend's data dir to a fresh dir on the same file system, then `sync -f` of it. */
function cpReference(dataDir: string): { ms: number; load: string } {
  const dest = path.join(WORK, `cp-${Date.now()}`);
  fs.mkdirSync(dest);
  const before = load();
  const t0 = performance.now();
  for (const be of fs.readdirSync(dataDir).filter((d) => /^be\d+$/.test(d))) execFileSync('cp', ['-r', path.join(dataDir, be, 'data'), path.join(dest, be)]);
  execFileSync('sync', ['-f', dest]);
  const ms = performance.now() - t0;
  fs.rmSync(dest, { recursive: true, force: true });
  return { ms, load: before };
}

/** rclone copy of the same files (its default 4 transfers), then `sync -f`. */
function rcloneLocal(dataDir: string): { ms: number; load: string } {
  const dest = path.join(WORK, `rclone-${Date.now()}`);
  const before = load();
  const t0 = performance.now();
  execFileSync('rclone', ['copy', dataDir, dest, '--include', '/be*/data/**', '--config', '/dev/null']);
  execFileSync('sync', ['-f', dest]);
  const ms = performance.now() - t0;
  fs.rmSync(dest, { recursive: true, force: true });
  return { ms, load: before };
}

/** rclone copy of a local directory to a prefix of the s3rver bucket. */
function rcloneS3(s3: S3TestServer, source: string, prefix: string): { ms: number; load: string } {
  // The AWS SDK inside rclone refuses a custom CA bundle (AWS_CA_BUNDLE) with its HTTP transport; s3rver is plain
  // http on loopback, so none is needed.
  const { AWS_CA_BUNDLE: _unused, ...inherited } = process.env;
  const env = {
    ...inherited,
    RCLONE_CONFIG_BENCH_TYPE: 's3',
    RCLONE_CONFIG_BENCH_PROVIDER: 'Other',
    RCLONE_CONFIG_BENCH_ENDPOINT: s3.endpoint,
    RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: s3.accessKeyId,
    RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: s3.secretAccessKey,
    RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE: 'true',
    RCLONE_CONFIG_BENCH_REGION: 'us-east-1',
  };
  const before = load();
  const t0 = performance.now();
  execFileSync('rclone', ['copy', source, `bench:${s3.bucket}/${prefix}`, '--config', '/dev/null'], { env });
  return { ms: performance.now() - t0, load: before };
}

/** The repository's directory of a snapshot (a `file://` repository named `r_<label>` by job-child.js). */
function snapshotDirOf(repo: string, label: string): string {
  return path.join(repo, `__starrocks_repository_r_${label}`, `__ss_${label}`);
}

function filesUnder(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    files++;
    bytes += fs.statSync(path.join(e.parentPath ?? e.path, e.name)).size;
  }
  return { bytes, files };
}

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const x = (ratio: number): string => `${ratio.toFixed(2)}×`;
const size = (d: { bytes: number; files: number }): string => `${(d.bytes / 2 ** 20).toFixed(0)} MiB / ${d.files.toLocaleString('en-US')} files`;

interface Measured {
  readonly backup: JobRun;
  readonly restore: JobRun;
  readonly cp: { ms: number; load: string };
}

/** BACKUP to a file repository, RESTORE into a fresh data dir, and the cp -r reference between them. */
async function fileRoundTrip(d: Dataset): Promise<Measured & { repo: string; label: string }> {
  const repo = path.join(WORK, `repo-${d.name}`);
  const label = `snap_${d.name}`;
  const backup = await runJob('backup', d.dataDir, `file://${repo}`, label, {});
  const cp = cpReference(d.dataDir);
  const target = path.join(WORK, `restored-${d.name}`);
  const restore = await runJob('restore', target, `file://${repo}`, label, {}, backup.ts);
  fs.rmSync(target, { recursive: true, force: true });
  return { backup, restore, cp, repo, label };
}

export async function run(): Promise<BenchSection> {
  // The job children run the compiled engine (what users run).
  buildIfStale();
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(WORK, { recursive: true });
  const scale = benchScale();
  const side = (n: number): number => Math.max(2, Math.round(n * Math.sqrt(scale)));
  const out: string[] = [];
  try {
    // ---- 2,560 small tablets
    const small = await smallDataset('small', side(40), side(64), Math.max(2_000, Math.round(200_000 * scale)));
    const smallRun = await fileRoundTrip(small);
    const rclone = rcloneLocal(small.dataDir);

    // ---- 10,000 small tablets
    const many = await smallDataset('many', side(100), side(100), Math.max(2_000, Math.round((200_000 * scale * 10_000) / 2_560)));
    const manyRun = await fileRoundTrip(many);
    fs.rmSync(many.dataDir, { recursive: true, force: true });
    fs.rmSync(manyRun.repo, { recursive: true, force: true });

    // ---- ~1 GiB
    const big = await bigDataset(Math.max(16, Math.round(1024 * scale)));
    const bigRun = await fileRoundTrip(big);

    // ---- S3 (s3rver in its own process) against rclone of the same files to the same server
    const s3 = await startS3Server({ childProcess: true, bucket: 'tablevault-bench' });
    let s3Small: JobRun;
    let s3SmallRclone: { ms: number; load: string };
    let s3Big: JobRun;
    let s3BigRclone: { ms: number; load: string };
    try {
      s3Small = await runJob('backup', small.dataDir, `${s3.location}/tv-small`, 's3_small', s3.properties);
      s3SmallRclone = rcloneS3(s3, snapshotDirOf(smallRun.repo, smallRun.label), 'rclone-small');
      s3Big = await runJob('backup', big.dataDir, `${s3.location}/tv-big`, 's3_big', s3.properties);
      s3BigRclone = rcloneS3(s3, snapshotDirOf(bigRun.repo, bigRun.label), 'rclone-big');
    } finally {
      await s3.close();
    }
    const smallSnapshot = filesUnder(snapshotDirOf(smallRun.repo, smallRun.label));
    const bigSnapshot = filesUnder(snapshotDirOf(bigRun.repo, bigRun.label));

    // ---- the ~1 GiB BACKUP under 32 clients
    const loaded = await backupUnderLoad(big);

    out.push(
      '### Many small tablets and ~1 GiB, to and from a local repository',
      '',
      'Data loaded through SQL. BACKUP to a `file://` repository on the same file system, RESTORE from it into a new',
      'data dir (every file md5-verified), each timed from the statement to FINISHED in a process of its own. The',
      'reference is `cp -r` of the backends\' data dirs to the same file system followed by `sync -f` of the copy;',
      '**rate vs cp** is its time ÷ the job\'s (1.00× = as fast as cp). Load is `uptime` when each run started.',
      '',
      markdownTable(
        ['workload', 'data', 'operation', 'time', 'MB/s', 'reference', 'rate vs cp', 'peak RSS', 'load (1, 5, 15 min)'],
        [
          ...rows(small, smallRun),
          [`${many.tablets.toLocaleString('en-US')} small tablets`, size(many), 'BACKUP', s(manyRun.backup.ms), mbPerSec(many.bytes, manyRun.backup.ms), `cp -r + sync -f ${s(manyRun.cp.ms)}`, x(manyRun.cp.ms / manyRun.backup.ms), `${manyRun.backup.rssPeakMiB.toFixed(0)} MiB`, manyRun.backup.load],
          ['', '', 'RESTORE', s(manyRun.restore.ms), mbPerSec(many.bytes, manyRun.restore.ms), '', x(manyRun.cp.ms / manyRun.restore.ms), `${manyRun.restore.rssPeakMiB.toFixed(0)} MiB`, manyRun.restore.load],
          ...rows(big, bigRun),
        ],
      ),
      '',
      `rclone (\`rclone copy\`, default 4 transfers, then \`sync -f\`) of the ${small.tablets.toLocaleString('en-US')}-tablet data dirs on the same`,
      `file system: ${s(rclone.ms)}, **${x(smallRun.cp.ms / rclone.ms)}** of cp (load ${rclone.load}).`,
      '',
      `Growth from ${small.tablets.toLocaleString('en-US')} to ${many.tablets.toLocaleString('en-US')} tablets (${(many.tablets / small.tablets).toFixed(2)}× the tablets): BACKUP`,
      `**${x(manyRun.backup.ms / smallRun.backup.ms)}** the time, RESTORE **${x(manyRun.restore.ms / smallRun.restore.ms)}** (target ≤ 4.5×); peak RSS`,
      `${manyRun.backup.rssPeakMiB.toFixed(0)} MiB (BACKUP) and ${manyRun.restore.rssPeakMiB.toFixed(0)} MiB (RESTORE), target < 500 MB.`,
      '',
      'CPU time of each job (user + system, all threads), for the profile of what bounds it:',
      '',
      markdownTable(
        ['workload', 'BACKUP user / system', 'RESTORE user / system'],
        [
          [`${small.tablets.toLocaleString('en-US')} small tablets`, cpu(smallRun.backup), cpu(smallRun.restore)],
          [`${many.tablets.toLocaleString('en-US')} small tablets`, cpu(manyRun.backup), cpu(manyRun.restore)],
          ['~1 GiB, 64 tablets', cpu(bigRun.backup), cpu(bigRun.restore)],
        ],
      ),
      '',
      '### BACKUP to S3 (s3rver) against rclone',
      '',
      'The same snapshot files (segments, headers, meta and info) sent to the same s3rver (one Node process on',
      'loopback, in its own process) by a BACKUP and by `rclone copy` of the snapshot directory a `file://` BACKUP',
      'wrote (rclone\'s defaults: 4 transfers, 8 checkers). s3rver bounds both: the figures compare clients of one',
      'server, not S3 services.',
      '',
      markdownTable(
        ['workload', 'files', 'BACKUP', 'rclone copy', 'BACKUP rate vs rclone', 'load (1, 5, 15 min)'],
        [
          [`${small.tablets.toLocaleString('en-US')} small tablets`, size(smallSnapshot), s(s3Small.ms), s(s3SmallRclone.ms), x(s3SmallRclone.ms / s3Small.ms), s3Small.load],
          ['~1 GiB, 64 tablets', size(bigSnapshot), s(s3Big.ms), s(s3BigRclone.ms), x(s3BigRclone.ms / s3Big.ms), s3Big.load],
        ],
      ),
      '',
      loaded,
    );
  } finally {
    fs.rmSync(WORK, { recursive: true, force: true });
  }
  return { title: 'BACKUP and RESTORE', markdown: out.join('\n') };
}

function rows(d: Dataset, m: Measured): (string | number)[][] {
  const label = d.name === 'big' ? `~1 GiB, ${d.tablets} tablets` : `${d.tablets.toLocaleString('en-US')} small tablets`;
  return [
    [label, size(d), 'BACKUP', s(m.backup.ms), mbPerSec(d.bytes, m.backup.ms), `cp -r + sync -f ${s(m.cp.ms)} (load ${m.cp.load})`, x(m.cp.ms / m.backup.ms), `${m.backup.rssPeakMiB.toFixed(0)} MiB`, m.backup.load],
    ['', '', 'RESTORE', s(m.restore.ms), mbPerSec(d.bytes, m.restore.ms), '', x(m.cp.ms / m.restore.ms), `${m.restore.rssPeakMiB.toFixed(0)} MiB`, m.restore.load],
  ];
}

function cpu(r: JobRun): string {
  return `${(r.cpuUserMs / 1000).toFixed(2)} s / ${(r.cpuSystemMs / 1000).toFixed(2)} s`;
}

const CLIENTS = 32;
const STATEMENT = 'SHOW BACKUP FROM bench';

/**
 * The ~1 GiB BACKUP in a server process, alone and then while 32 clients in another process send statements back to
 * back (from the statement until FINISHED); then the clients alone for as long again. What is compared: the job's
 * rate under load against alone, and the statements' latency during the job against no job.
 */
async function backupUnderLoad(d: Dataset): Promise<string> {
  const engine = await Engine.open({ dataDir: d.dataDir, logger: quiet });
  const server = await startServer(engine, { port: 0, logger: createLogger({ level: 'silent' }) });
  try {
    const admin = engine.session({ database: 'bench' });
    await admin.execute(`CREATE REPOSITORY rl WITH BROKER ON LOCATION 'file://${path.join(WORK, 'repo-load')}'`);
    const backup = async (label: string): Promise<{ done: Promise<unknown>; started: number }> => {
      const started = performance.now();
      const r = await admin.execute(`BACKUP SNAPSHOT bench.${label} TO rl`);
      const jobId = Number(/job (\d+)/.exec(r.kind === 'ok' ? (r.message ?? '') : '')?.[1]);
      const done = engine.jobs.waitForJob(jobId).then((final) => {
        if (final.state !== 'FINISHED') throw new Error(`backup ${label} ended ${final.state}: ${final.statusMsg}`);
      });
      return { done, started };
    };
    // Warm-up: JIT, sockets, the catalog's statement cache.
    await hammer(server.port, CLIENTS, STATEMENT, 1_000);
    const aloneLoad = load();
    const alone = await backup('alone');
    await alone.done;
    const aloneMs = performance.now() - alone.started;

    // The clients are connected and sending before the BACKUP starts, and stop when it is FINISHED.
    const clients = await startClients(server.port, CLIENTS, STATEMENT);
    await new Promise((r) => setTimeout(r, 500));
    const busyLoad = load();
    const during = await backup('loaded');
    await during.done;
    const busyMs = performance.now() - during.started;
    const busy = summarize(await clients.stop(), busyMs);

    const idleMs = Math.max(2_000, busyMs);
    const idle = summarize(await hammer(server.port, CLIENTS, STATEMENT, idleMs), idleMs);
    admin.close();
    const fmt = (n: number): string => n.toFixed(2);
    const row = (label: string, l: Latencies): (string | number)[] => [
      label, l.samples.toLocaleString('en-US'), Math.round(l.samples / (l.ms / 1000)).toLocaleString('en-US'), fmt(l.p50), fmt(l.p99), fmt(l.max),
    ];
    return [
      '### BACKUP while clients are busy',
      '',
      `The ~1 GiB BACKUP (${size(d)}) in a server process, first alone, then while ${CLIENTS} mysql2 clients in another process`,
      `send \`${STATEMENT}\` back to back over loopback (connected and sending before the statement, until FINISHED;`,
      'latency counted over that whole window), then the clients for as long again with no job running.',
      '',
      markdownTable(
        ['run', 'BACKUP time', 'BACKUP MB/s', 'load (1, 5, 15 min)'],
        [
          ['alone', s(aloneMs), mbPerSec(d.bytes, aloneMs), aloneLoad],
          [`with ${CLIENTS} clients`, s(busyMs), mbPerSec(d.bytes, busyMs), busyLoad],
        ],
      ),
      '',
      markdownTable(
        ['statements', 'count', 'statements/s', 'p50 (ms)', 'p99 (ms)', 'max (ms)'],
        [row('no job running (reference)', idle), row('during BACKUP', busy)],
      ),
      '',
      `BACKUP rate under load: **${x(aloneMs / busyMs)}** of its rate alone (target ≥ 0.5×). Statement latency during the`,
      `BACKUP against none: p50 **${x(busy.p50 / idle.p50)}**, p99 **${x(busy.p99 / idle.p99)}** (target p99 ≤ 1.5×).`,
    ].join('\n');
  } finally {
    await server.close();
    await engine.close();
  }
}
