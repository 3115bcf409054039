/**
 * kill -9 in the middle of a schema change that rewrites the table (MODIFY COLUMN INT → BIGINT and DATE → DATETIME,
 * 6,000 rows): after every kill the reopened engine shows either the old schema over the old data or the new schema
 * over the converted data — never a mix — and the orphaned files of an unfinished rewrite are swept.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine.ts';
import { createLogger } from '../../../src/logging/logger.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const child = path.join(here, 'fixtures/alter-child.ts');

/**
 * When to kill the alter child: once it printed DONE, or as soon as the first new segment file of the rewrite
 * appears in a tablet directory (files durable, schema not yet published).
 */
type Kill = { readonly kind: 'none' } | { readonly kind: 'first-file'; readonly before: readonly string[] };

function runAlter(dataDir: string, kill: Kill): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, dataDir], { cwd: path.join(here, '../../..'), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let poll: NodeJS.Timeout | undefined;
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    proc.stdout.on('data', (d: Buffer) => {
      const first = !out.includes('STARTED');
      out += d.toString();
      if (first && out.includes('STARTED')) {
        if (kill.kind === 'first-file') {
          const known = new Set(kill.before);
          poll = setInterval(() => {
            if (segmentFiles(dataDir).some((f) => !known.has(f))) proc.kill('SIGKILL');
          }, 2);
        }
      }
      if (out.includes('DONE') && kill.kind === 'none') proc.kill('SIGKILL');
    });
    proc.on('exit', (code, signal) => {
      clearInterval(poll);
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`child exited ${code}: ${err}`));
    });
  });
}

function segmentFiles(dataDir: string): string[] {
  const out: string[] = [];
  for (const be of fs.readdirSync(dataDir).filter((d) => /^be\d+$/.test(d))) {
    const data = path.join(dataDir, be, 'data');
    for (const tablet of fs.existsSync(data) ? fs.readdirSync(data) : []) {
      for (const f of fs.readdirSync(path.join(data, tablet))) out.push(`${be}/${tablet}/${f}`);
    }
  }
  return out.sort();
}

/** s.t: two partitions, four buckets, two replicas, 6,000 rows in two loads (so each tablet has several files). */
async function setup(dataDir: string): Promise<void> {
  const engine = await Engine.open({ dataDir, backends: 3, logger: createLogger({ level: 'silent' }) });
  try {
    const session = engine.session();
    await session.execute('CREATE DATABASE s');
    await session.execute(`CREATE TABLE s.t (k INT NOT NULL, v INT, d DATE, note VARCHAR(20)) DUPLICATE KEY(k)
      PARTITION BY RANGE(k) (PARTITION p1 VALUES LESS THAN ('3000'), PARTITION p2 VALUES LESS THAN ('100000'))
      DISTRIBUTED BY HASH(k) BUCKETS 4 PROPERTIES ("replication_num" = "2")`);
    for (let batch = 0; batch < 2; batch++) {
      const rows = Array.from({ length: 3000 }, (_, i) => {
        const k = batch * 3000 + i;
        return `(${k}, ${k % 7 === 0 ? 'NULL' : k * 3 - 50000}, '2024-0${1 + (k % 9)}-1${k % 10}', 'n${k % 13}')`;
      });
      await session.execute(`INSERT INTO s.t VALUES ${rows.join(', ')}`);
    }
  } finally {
    await engine.close();
  }
}

async function inspect(dataDir: string): Promise<{ types: string[]; rows: (string | null)[][]; jobs: number }> {
  const engine = await Engine.open({ dataDir, backends: 3, logger: createLogger({ level: 'silent' }) });
  try {
    const s = engine.session({ database: 's' });
    const desc = await s.execute('DESC t');
    const rows = await s.execute('SELECT k, v, d, note FROM t ORDER BY k');
    const jobs = await s.execute('SHOW ALTER TABLE COLUMN');
    if (desc.kind !== 'rows' || rows.kind !== 'rows' || jobs.kind !== 'rows') throw new Error('expected rows');
    return { types: desc.rows.map((r) => r[1] ?? ''), rows: rows.rows.map((r) => [...r]), jobs: jobs.rows.length };
  } finally {
    await engine.close();
  }
}

describe('kill -9 during a schema change rewrite', () => {
  let root: string;
  let base: string;
  let oldRows: (string | null)[][];
  let newRows: (string | null)[][];

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-alter-crash-'));
    base = path.join(root, 'base');
    await setup(base);
    oldRows = (await inspect(base)).rows;
    expect(oldRows).toHaveLength(6_000);
    // What the new schema must read: the same values, dates as datetimes at midnight.
    newRows = oldRows.map((r) => [r[0] ?? null, r[1] ?? null, r[2] === null || r[2] === undefined ? null : `${r[2]} 00:00:00`, r[3] ?? null]);
  }, 120_000);
  afterAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  const OLD = ['int(11)', 'int(11)', 'date', 'varchar(20)'];
  const NEW = ['int(11)', 'bigint(20)', 'datetime', 'varchar(20)'];

  it.each([
    ['as soon as the rewrite wrote its first file', 'first-file', OLD],
    ['after it finished', 'none', NEW],
  ] as const)('killed %s: the old schema and data or the new, never a mix', async (_what, kind, want) => {
    const dir = path.join(root, kind);
    fs.cpSync(base, dir, { recursive: true });
    const before = segmentFiles(dir);
    await runAlter(dir, kind === 'first-file' ? { kind, before } : { kind: 'none' });
    const leftover = segmentFiles(dir).filter((f) => !before.includes(f));
    if (kind === 'first-file') expect(leftover.length).toBeGreaterThan(0);
    const got = await inspect(dir);
    expect(got.types).toEqual(want);
    if (got.types[1] === 'int(11)') {
      expect(got.types).toEqual(OLD);
      expect(got.rows).toEqual(oldRows);
      expect(got.jobs).toBe(0);
      // The reopen swept the unfinished rewrite's files.
      expect(segmentFiles(dir)).toEqual(before);
    } else {
      expect(got.types).toEqual(NEW);
      expect(got.rows).toEqual(newRows);
      expect(got.jobs).toBe(1);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
