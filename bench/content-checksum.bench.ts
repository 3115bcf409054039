/**
 * What the per-partition content checksum of the rows costs (docs/lifecycle.md#what-backup-records-and-restore-checks):
 * ~100 MiB loaded with INSERT … SELECT (the segment writer hashes every row as it writes), backed up, and restored
 * (RESTORE hashes every downloaded segment again) — by this tree and by the tree just before content checksums
 * existed, alternately in the same run, each round in a fresh process and directory. The ratios after / before are
 * the cost; absolute times move with the machine's load.
 *
 * The "before" tree is `git archive` of the parent of the commit that added src/storage/segment/content-hash.ts
 * (or TABLEVAULT_BENCH_BASE), extracted under bench/.work, where it resolves this checkout's node_modules.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchScale, markdownTable, mbPerSec, type BenchSection } from './lib/report.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.join(HERE, '..');
const WORK = path.join(HERE, '.work', 'content-checksum');
const CHILD = path.join(HERE, 'lib', 'content-checksum-child.ts');

interface Round {
  readonly loadMs: number;
  readonly backupMs: number;
  readonly restoreMs: number;
  readonly bytes: number;
}

function baseCommit(): string {
  const given = process.env['TABLEVAULT_BENCH_BASE'];
  if (given !== undefined && given !== '') return given;
  const added = execFileSync('git', ['log', '--diff-filter=A', '--format=%H', '--', 'src/storage/segment/content-hash.ts'], { cwd: ROOT, encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop();
  if (added === undefined || added === '') throw new Error('cannot find the commit that added content hashes; set TABLEVAULT_BENCH_BASE');
  return execFileSync('git', ['rev-parse', `${added}^`], { cwd: ROOT, encoding: 'utf8' }).trim();
}

function extract(commit: string, dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const tar = path.join(WORK, 'before.tar');
  execFileSync('git', ['archive', '--format=tar', '-o', tar, commit, 'src', 'grammar', 'package.json'], { cwd: ROOT });
  execFileSync('tar', ['-xf', tar, '-C', dir]);
  fs.rmSync(tar);
}

function round(srcRoot: string, work: string, mib: number): Promise<Round> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--conditions=development', CHILD, srcRoot, work, String(mib)],
      { cwd: srcRoot, maxBuffer: 1 << 22, timeout: 3_600_000 },
      (error, stdout, stderr) => {
        if (error !== null) return reject(new Error(`round in ${srcRoot} failed: ${error.message}\n${stderr}`));
        resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Round);
      },
    );
  });
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export async function run(): Promise<BenchSection> {
  const mib = Math.max(4, Math.round(100 * benchScale()));
  const rounds = Number(process.env['TABLEVAULT_BENCH_ROUNDS'] ?? '3');
  fs.mkdirSync(WORK, { recursive: true });
  const commit = baseCommit();
  const beforeRoot = path.join(WORK, 'before');
  extract(commit, beforeRoot);
  const before: Round[] = [];
  const after: Round[] = [];
  const load0 = os.loadavg()[0] ?? 0;
  for (let i = 0; i < rounds; i++) {
    // Alternate, so a change in the machine's load hits both sides alike.
    before.push(await round(beforeRoot, path.join(WORK, 'run-before'), mib));
    after.push(await round(ROOT, path.join(WORK, 'run-after'), mib));
  }
  const load1 = os.loadavg()[0] ?? 0;
  fs.rmSync(beforeRoot, { recursive: true, force: true });
  const bytes = median(after.map((r) => r.bytes));
  const row = (what: string, key: keyof Round): (string | number)[] => {
    const b = median(before.map((r) => r[key]));
    const a = median(after.map((r) => r[key]));
    return [what, `${(b / 1000).toFixed(2)} s`, `${(a / 1000).toFixed(2)} s`, mbPerSec(bytes, a), `**${(a / b).toFixed(2)}×**`];
  };
  const markdown = [
    `~${mib} MiB (${(bytes / 2 ** 20).toFixed(0)} MiB of segment files, 16 tablets, 8 INSERT … SELECT of BIGINT, VARCHAR(256),`,
    'DECIMAL, DOUBLE rows), then BACKUP to a `file://` repository and RESTORE into a fresh data dir: by this tree (the',
    'segment writer hashes every row while writing; RESTORE hashes every downloaded segment again) and by the tree before',
    `content checksums (\`${commit.slice(0, 12)}\`), alternately, ${rounds} rounds each, medians. Load average ${load0.toFixed(1)} → ${load1.toFixed(1)}`,
    `on ${os.cpus().length} CPUs.`,
    '',
    markdownTable(['step', 'before', 'with content checksums', 'MB/s', 'after / before'], [
      row('INSERT (load)', 'loadMs'),
      row('BACKUP', 'backupMs'),
      row('RESTORE', 'restoreMs'),
    ]),
  ].join('\n');
  return { title: 'Content checksums of the rows: cost on load, backup and restore', markdown };
}
