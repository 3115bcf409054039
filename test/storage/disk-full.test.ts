import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { EngineChild, type ReplAnswer } from './fixtures/repl-client.ts';
import { tempDir } from './helpers.ts';

/**
 * A load and a restore that run out of disk, for real: once in a child process under `ulimit -f` (RLIMIT_FSIZE, so
 * a write past the limit fails with EFBIG — possible everywhere), once with the data dir on a small tmpfs (a real
 * ENOSPC — where the container allows mounting; otherwise that test is reported as skipped). Either way the client
 * gets error 1021 naming the file and what to do (not `Internal error`), the previous data stays readable, and
 * nothing half-written is left: no temp file, no unreferenced segment, no restore staging.
 */

const logger = createLogger({ level: 'silent' });
const BIG_ROWS = 60_000; // ~5 MB in one segment file
const LIMIT_KB = 2048;
let root: string;
let repo: string;
let ts: string;

/** A tmpfs of `size` at a fresh directory, or null when mounting is not allowed here. */
function tryMount(size: string): string | null {
  const dir = fs.mkdtempSync(path.join(root, 'tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    return null;
  }
}

beforeAll(async () => {
  root = tempDir();
  repo = path.join(root, 'repo');
  // The snapshot to restore comes from another data dir on the normal disk.
  const source = await Engine.open({ dataDir: path.join(root, 'source'), backends: 3, logger });
  const s = source.session();
  await s.execute('CREATE DATABASE d1');
  await s.execute('CREATE TABLE d1.big (id INT, v VARCHAR(100)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
  await s.execute(`INSERT INTO d1.big SELECT generate_series, concat(generate_series, '${'x'.repeat(70)}') FROM TABLE(generate_series(1, ${BIG_ROWS}))`);
  await s.execute(`CREATE REPOSITORY r1 WITH BROKER ON LOCATION 'file://${repo}'`);
  const r = await s.execute('BACKUP SNAPSHOT d1.s TO r1');
  const id = Number(/job (\d+)/.exec(r.kind === 'ok' ? (r.message ?? '') : '')?.[1]);
  expect((await source.jobs.waitForJob(id)).state).toBe('FINISHED');
  const snap = await s.execute("SHOW SNAPSHOT ON r1 WHERE SNAPSHOT = 's'");
  ts = snap.kind === 'rows' ? (snap.rows[0]?.[1] ?? '') : '';
  await source.close();
}, 120_000);

const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) execFileSync('umount', ['-l', m]);
  fs.rmSync(root, { recursive: true, force: true });
});

/** Files under the backends (what a failed write must not change) and what must be empty after it. */
function backendFiles(dataDir: string): { data: string[]; leftovers: string[] } {
  const data: string[] = [];
  const leftovers: string[] = [];
  for (const be of ['be1', 'be2', 'be3']) {
    const walk = (d: string, into: string[]): void => {
      for (const e of fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }) : []) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p, into);
        else into.push(path.relative(dataDir, p));
      }
    };
    walk(path.join(dataDir, be, 'data'), data);
    walk(path.join(dataDir, be, 'tmp'), leftovers);
    walk(path.join(dataDir, be, 'snapshot'), leftovers);
  }
  const staging = path.join(dataDir, 'restore');
  if (fs.existsSync(staging)) for (const e of fs.readdirSync(staging)) leftovers.push(path.join('restore', e));
  return { data: data.sort(), leftovers };
}

/** The target data dir: small tables, the repository attached. */
async function seedTarget(dataDir: string): Promise<void> {
  const e = await Engine.open({ dataDir, backends: 3, logger });
  const s = e.session();
  await s.execute('CREATE DATABASE d1');
  await s.execute('CREATE TABLE d1.t (id INT, v VARCHAR(100)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
  await s.execute("INSERT INTO d1.t VALUES (1, 'one'), (2, 'two')");
  await s.execute('CREATE TABLE d1.big (id INT, v VARCHAR(100)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
  await s.execute("INSERT INTO d1.big VALUES (7, 'old')");
  await s.execute(`CREATE REPOSITORY r1 WITH BROKER ON LOCATION 'file://${repo}'`);
  await e.close();
}

interface Runner {
  exec(sql: string): Promise<ReplAnswer>;
  close(): Promise<void>;
}

/** The failing load and restore, then what the client sees; `code` is ENOSPC or EFBIG. */
async function fillTheDisk(dataDir: string, runner: Runner, code: string): Promise<void> {
  const before = backendFiles(dataDir);
  const pathOf = (message: string): string => {
    const m = /^Disk full writing '([^']+)' \(([A-Z]+): [^)]*\): free space on that file system, or stop tablevault and move the data dir to a bigger one \(a data dir can be moved as a whole\), then run it again; nothing of what failed was made visible$/.exec(message);
    expect(m, message).not.toBeNull();
    expect(m![2]).toBe(code);
    return m![1]!;
  };
  try {
    const load = await runner.exec(`INSERT INTO d1.t SELECT generate_series, concat(generate_series, '${'y'.repeat(70)}') FROM TABLE(generate_series(10, ${BIG_ROWS + 10}))`);
    expect(load).toHaveProperty('error');
    expect(pathOf((load as { error: string }).error).startsWith(`${dataDir}/be`)).toBe(true);
    expect(await runner.exec('SELECT id, v FROM d1.t ORDER BY id')).toEqual({ rows: [['1', 'one'], ['2', 'two']] });

    const submitted = await runner.exec(`RESTORE SNAPSHOT d1.s FROM r1 ON (big) PROPERTIES ("backup_timestamp" = "${ts}")`);
    expect(submitted).toEqual({ affectedRows: 0 });
    let row: (string | null)[] | undefined;
    for (let i = 0; i < 1200; i++) {
      const shown = await runner.exec('SHOW RESTORE FROM d1');
      row = 'rows' in shown ? shown.rows[0] : undefined;
      if (row?.[4] === 'FINISHED' || row?.[4] === 'CANCELLED') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(row?.[4]).toBe('CANCELLED');
    const status = /^\[COMMON_ERROR, msg: (.*)\]$/s.exec(row?.[16] ?? '')?.[1] ?? row?.[16] ?? '';
    expect(pathOf(status).startsWith(`${dataDir}/`)).toBe(true);
    expect(await runner.exec('SELECT id, v FROM d1.big')).toEqual({ rows: [['7', 'old']] });
    expect(await runner.exec("INSERT INTO d1.t VALUES (3, 'three')")).toEqual({ affectedRows: 1 });
  } finally {
    await runner.close();
  }
  const after = backendFiles(dataDir);
  expect(after.leftovers).toEqual([]);
  // Only the small INSERT that followed added files: one segment on each of the three replicas.
  expect(after.data.filter((f) => !before.data.includes(f))).toHaveLength(3);
  expect(before.data.filter((f) => !after.data.includes(f))).toEqual([]);
}

describe('a full disk during a load and a restore', () => {
  it(`EFBIG: a child process under ulimit -f ${LIMIT_KB} KB`, async () => {
    const dataDir = path.join(root, 'efbig');
    await seedTarget(dataDir);
    const child = await EngineChild.open(dataDir, { fileSizeLimitKb: LIMIT_KB });
    await fillTheDisk(dataDir, child, 'EFBIG');
  }, 120_000);

  const mounted = process.getuid?.() === 0 ? tryMountLater() : null;
  it.skipIf(mounted === null)('ENOSPC: the data dir on a 3 MB tmpfs (skipped where mounting is not allowed)', async () => {
    const dir = mounted!();
    expect(dir, 'tmpfs mount').not.toBeNull();
    const dataDir = path.join(dir!, 'data');
    await seedTarget(dataDir);
    const engine = await Engine.open({ dataDir, backends: 3, logger });
    const session = engine.session();
    await fillTheDisk(dataDir, {
      exec: async (sql) => {
        try {
          const r = await session.execute(sql);
          return r.kind === 'rows' ? { rows: r.rows.map((x) => [...x]) } : { affectedRows: r.affectedRows };
        } catch (error) {
          return { error: (error as Error).message };
        }
      },
      close: () => engine.close(),
    }, 'ENOSPC');
  }, 120_000);
});

/**
 * Whether this machine lets us mount a tmpfs (probed now, in a throwaway dir); the returned function mounts the
 * real one once the suite's root exists.
 */
function tryMountLater(): (() => string | null) | null {
  const probe = fs.mkdtempSync(path.join(path.dirname(tempDir()), 'tv-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe]);
    return () => {
      const dir = tryMount('3m');
      if (dir !== null) mounts.push(dir);
      return dir;
    };
  } catch {
    return null;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
}
