/**
 * Start-up of the `tablevault` command as a user runs it (bin/tablevault.js → dist/), beside the start-up of
 * `node -e 0` measured in the same rounds. Each round runs every command once, in turn, so machine load hits all of
 * them alike; the table gives the median and the 90th percentile over the rounds.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIfStale } from '../scripts/build-if-stale.ts';
import { benchScale, markdownTable, type BenchSection } from './lib/report.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'tablevault.js');

interface Command {
  readonly label: string;
  readonly args: readonly string[];
  readonly times: number[];
  /** CPU time (user + system) of each run, ms: unlike wall time, it does not grow with other processes' load. */
  readonly cpu: number[];
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU time, ms, of this process's waited-for children so far (cutime + cstime of /proc/self/stat). */
function childrenCpuMs(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
  return (Number(fields[13]) + Number(fields[14])) * TICK_MS;
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

function timeOnce(args: readonly string[]): { readonly ms: number; readonly cpu: number } {
  const cpuBefore = childrenCpuMs();
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TABLEVAULT_LOG_LEVEL: 'warn' } });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr.toString()}`);
  return { ms, cpu: childrenCpuMs() - cpuBefore };
}

export async function run(): Promise<BenchSection> {
  buildIfStale();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-bench-startup-'));
  const dataDir = path.join(dir, 'data');
  try {
    const commands: Command[] = [
      { label: '`node -e 0` (reference)', args: ['-e', '0'], times: [], cpu: [] },
      { label: '`tablevault --version`', args: [BIN, '--version'], times: [], cpu: [] },
      { label: '`tablevault --help`', args: [BIN, '--help'], times: [], cpu: [] },
      { label: '`tablevault sql --data-dir D -e "SELECT 1"`', args: [BIN, 'sql', '--data-dir', dataDir, '-e', 'SELECT 1'], times: [], cpu: [] },
    ];
    // The first run creates the data dir (catalog, backends); every measured run opens an existing one.
    timeOnce([BIN, 'sql', '--data-dir', dataDir, '-e', 'SELECT 1']);
    const rounds = Math.max(5, Math.round(21 * benchScale()));
    for (let round = 0; round < rounds; round++) {
      for (const c of commands) {
        const { ms, cpu } = timeOnce(c.args);
        c.times.push(ms);
        c.cpu.push(cpu);
      }
    }
    const reference = quantile(commands[0]!.times, 0.5);
    const rows = commands.map((c) => {
      const median = quantile(c.times, 0.5);
      return [c.label, median.toFixed(0), quantile(c.times, 0.9).toFixed(0), `${(median / reference).toFixed(2)}×`, quantile(c.cpu, 0.5).toFixed(0)];
    });
    const version = quantile(commands[1]!.times, 0.5);
    const select = quantile(commands[3]!.times, 0.5);
    return {
      title: 'Command start-up',
      markdown: [
        `Wall time from spawn to exit, ${rounds} rounds; each round runs every command once, in turn. The command is`,
        '`node bin/tablevault.js` running the compiled `dist/` (what `npm install` builds), on a data dir that exists.',
        `Targets: \`--version\` ≤ 3× \`node -e 0\` (this run: **${(version / reference).toFixed(2)}×**); \`sql -e "SELECT 1"\` ≤ 400 ms`,
        `(this run: **${select.toFixed(0)} ms** median).`,
        '',
        markdownTable(['command', 'median (ms)', 'p90 (ms)', 'median vs `node -e 0`', 'CPU, user + system (ms, median)'], rows),
        '',
        `Load average during the run: ${os.loadavg()[0]?.toFixed(1)} on ${os.cpus().length} CPUs. Wall times grow with other processes' load;`,
        'the CPU column (user + system time of the process and all its threads, from the kernel, 10 ms resolution) much',
        'less so: it is about what the wall time is on an idle machine (V8 compiles and collects garbage on helper threads).',
        '',
        '`--version` and `--help` load only the command-line module (no engine, grammar or AWS SDK). For `sql -e`, the',
        'grammar loads chevrotain from its one-file bundle, skips the definition checks a test runs instead, and builds',
        'only the lookahead functions the statement uses; the AWS SDK loads only with an S3 repository.',
      ].join('\n'),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
