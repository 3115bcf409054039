import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Engine } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { startS3Server, type S3TestServer } from '../support/s3-server.ts';

/**
 * The label race across processes: two tablevault engines, each in its own process on its own data dir, share one
 * file:// repository and one S3 repository (s3rver, which ignores If-None-Match, so only the reservation protocol
 * keeps labels apart). Both back up the same label at once or a few ms apart: exactly one wins, the other is told
 * the label exists, and the winner's snapshot restores — in a third engine — to the winner's rows.
 */

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'label-race-child.ts');

interface Child {
  readonly db: string;
  readonly process: ChildProcessWithoutNullStreams;
  /** The next stdout line (lines are queued as they come). */
  next(timeoutMs?: number): Promise<string>;
  send(line: string): void;
}

function startChild(dataDir: string, db: string, repos: unknown): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, db, JSON.stringify(repos)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  let buffer = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdout.on('data', (d: Buffer) => {
    buffer += d.toString();
    for (let cut = buffer.indexOf('\n'); cut >= 0; cut = buffer.indexOf('\n')) {
      const line = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 1);
      const waiter = waiters.shift();
      if (waiter !== undefined) waiter(line);
      else lines.push(line);
    }
  });
  const handle: Child = {
    db,
    process: child,
    next: (timeoutMs = 30_000) =>
      new Promise<string>((resolve, reject) => {
        const queued = lines.shift();
        if (queued !== undefined) return resolve(queued);
        const timer = setTimeout(() => reject(new Error(`${db}: no output within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
        waiters.push((line) => {
          clearTimeout(timer);
          resolve(line);
        });
        child.once('exit', (code) => reject(new Error(`${db} exited (${String(code)}): ${stderr}`)));
      }),
    send: (line) => child.stdin.write(`${line}\n`),
  };
  return handle.next(60_000).then((first) => {
    if (first !== 'READY') throw new Error(`${db} did not start: ${first} ${stderr}`);
    return handle;
  });
}

let dir: string;
let s3: S3TestServer;
let children: Child[] = [];
let repos: { name: string; location: string; properties: Record<string, string> }[];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-label-race-'));
  s3 = await startS3Server({ bucket: 'tv-label-race' });
  repos = [
    { name: 'rf', location: `file://${path.join(dir, 'shared')}`, properties: {} },
    { name: 'rs', location: `${s3.location}/shared`, properties: { ...s3.properties } },
  ];
  children = await Promise.all([startChild(path.join(dir, 'a'), 'da', repos), startChild(path.join(dir, 'b'), 'db', repos)]);
}, 90_000);

afterAll(async () => {
  for (const c of children) {
    if (c.process.exitCode !== null) continue;
    const exited = new Promise<void>((resolve) => c.process.once('exit', () => resolve()));
    c.send('QUIT');
    const timer = setTimeout(() => c.process.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  await s3?.close();
  fs.rmSync(dir, { recursive: true, force: true });
}, 30_000);

/** One round: both children back up `label` to `repo`, after their delays. Returns the winner's database. */
async function race(repo: string, label: string, delays: readonly [number, number]): Promise<string> {
  const [a, b] = children as [Child, Child];
  a.send(`BACKUP ${repo} ${label} ${delays[0]}`);
  b.send(`BACKUP ${repo} ${label} ${delays[1]}`);
  const answers = await Promise.all([a.next(), b.next()]);
  const winners = children.filter((_, i) => answers[i]?.startsWith('OK '));
  expect(winners.map((c) => c.db), `${repo} ${label}: ${answers.join(' | ')}`).toHaveLength(1);
  const loser = answers.find((x) => !x.startsWith('OK '));
  expect(loser).toBe(`ERR Snapshot with name '${label}' already exist in repository`);
  const winner = winners[0] as Child;
  expect(await winner.next()).toBe('DONE FINISHED ');
  return winner.db;
}

describe.each([
  ['one file:// repository', 'rf'],
  ['one S3 repository on s3rver (conditional writes ignored)', 'rs'],
])('two processes sharing %s', (_name, repo) => {
  it('let exactly one BACKUP of a label win, submitted together or a few ms apart; the winner restores', async () => {
    const rounds: [string, [number, number]][] = [
      [`${repo}_together`, [0, 0]],
      [`${repo}_a5`, [0, 5]],
      [`${repo}_b50`, [50, 0]],
    ];
    const winners: Record<string, string> = {};
    for (const [label, delays] of rounds) winners[label] = await race(repo, label, delays);

    // A third engine attaches to the repository and restores each label: it holds exactly the winner's rows.
    const engine = await Engine.open({ dataDir: path.join(dir, `restorer-${repo}`), backends: 1, logger: createLogger({ level: 'silent' }) });
    try {
      const session = engine.session();
      const r = repos.find((x) => x.name === repo);
      const props = Object.entries(r?.properties ?? {}).map(([k, v]) => `"${k}" = "${v}"`);
      await session.execute(`CREATE READ ONLY REPOSITORY ${repo} WITH BROKER ON LOCATION '${r?.location ?? ''}'${props.length > 0 ? ` PROPERTIES (${props.join(', ')})` : ''}`);
      const shown = await session.execute(`SHOW SNAPSHOT ON ${repo}`);
      const statuses = shown.kind === 'rows' ? Object.fromEntries(shown.rows.map((row) => [row[0], row])) : {};
      for (const [label, db] of Object.entries(winners)) {
        expect(statuses[label]?.[2], label).toBe('OK');
        const ts = statuses[label]?.[1] ?? '';
        const submitted = await session.execute(`RESTORE SNAPSHOT ${label} FROM ${repo} DATABASE ${db} AS ${label}_copy PROPERTIES ("backup_timestamp" = "${ts}", "replication_num" = "1")`);
        const job = await engine.jobs.waitForJob(Number(/job (\d+)/.exec(submitted.kind === 'ok' ? (submitted.message ?? '') : '')?.[1]));
        expect([job.state, job.statusMsg], label).toEqual(['FINISHED', '']);
        const rows = await session.execute(`SELECT who, count(*) FROM ${label}_copy.t GROUP BY who`);
        expect(rows.kind === 'rows' ? rows.rows : [], label).toEqual([[db, '3']]);
      }
    } finally {
      await engine.close();
    }
  }, 90_000);
});
