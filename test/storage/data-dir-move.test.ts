import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { EngineChild, type ReplAnswer } from './fixtures/repl-client.ts';
import { tempDir } from './helpers.ts';

/**
 * A data dir moved (`mv`) or copied (`cp -a`) with real commands, opened by real engines — in this process and in
 * child processes (one copy in a child while the other is open here: both at once, two processes): the moved one
 * works where it is and never writes where it was; each copy stays independently correct — one after the other and
 * both open at once — and no open's orphan sweep deletes the other's files. Before backends were located relative
 * to the data dir, the moved dir failed every SELECT (`no healthy replica has …`) and a copy's rows landed in the
 * original's directories, where the original's sweep deleted them.
 */

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
});

function root(): string {
  const r = tempDir();
  roots.push(r);
  return r;
}

/** Every file under `dir` with size and inode (what "nothing was written there" compares). */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const s = fs.statSync(p);
        out[path.relative(dir, p)] = `${s.size}:${s.ino}:${s.mtimeMs}`;
      }
    }
  };
  walk(dir);
  return out;
}

/** An Engine in this process with EngineChild's interface. */
async function openHere(dataDir: string): Promise<EngineChild> {
  const engine = await Engine.open({ dataDir, backends: 3, logger: createLogger({ level: 'silent' }) });
  const session = engine.session();
  const exec = async (sql: string): Promise<ReplAnswer> => {
    try {
      const r = await session.execute(sql);
      return r.kind === 'rows' ? { rows: r.rows.map((x) => [...x]) } : { affectedRows: r.affectedRows };
    } catch (error) {
      return { error: (error as Error).message };
    }
  };
  return {
    exec,
    rows: async (sql: string) => {
      const a = await exec(sql);
      if (!('rows' in a)) throw new Error(`${sql}: ${JSON.stringify(a)}`);
      return a.rows;
    },
    close: () => engine.close(),
  } as unknown as EngineChild;
}

async function runHere(dataDir: string, statements: readonly string[]): Promise<ReplAnswer[]> {
  const e = await openHere(dataDir);
  try {
    const out: ReplAnswer[] = [];
    for (const sql of statements) out.push(await e.exec(sql));
    return out;
  } finally {
    await e.close();
  }
}

const rowsOf = (n: number, from: number, tag: string): string =>
  Array.from({ length: n }, (_, i) => `(${from + i}, '${tag}${from + i}')`).join(', ');

async function seed(dir: string, repo: string): Promise<void> {
  const child = await openHere(dir);
  try {
    for (const sql of [
      'CREATE DATABASE d',
      'CREATE TABLE d.t (k INT, v VARCHAR(20)) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 3',
      `INSERT INTO d.t VALUES ${rowsOf(30, 0, 'a')}`,
      `CREATE REPOSITORY r WITH BROKER ON LOCATION 'file://${repo}'`,
      'BACKUP SNAPSHOT d.s TO r',
    ]) {
      const a = await child.exec(sql);
      expect(a, sql).not.toHaveProperty('error');
    }
    // The finished job keeps absolute paths of its local snapshot dirs: a relocation must rewrite them.
    for (let i = 0; i < 600; i++) {
      const state = (await child.rows('SHOW BACKUP FROM d'))[0]?.[3];
      if (state === 'FINISHED') return;
      expect(state).not.toBe('CANCELLED');
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('backup did not finish');
  } finally {
    await child.close();
  }
}

async function keys(child: EngineChild): Promise<string[]> {
  return (await child.rows('SELECT k, v FROM d.t ORDER BY k')).map((r) => `${r[0]}=${r[1]}`);
}

const expected = (...ranges: [number, number, string][]): string[] =>
  ranges.flatMap(([n, from, tag]) => Array.from({ length: n }, (_, i) => [from + i, `${from + i}=${tag}${from + i}`] as const))
    .sort((x, y) => x[0] - y[0])
    .map((x) => x[1]);

/** Every text value stored in a catalog, for "no path of the old place is left" checks. */
function catalogText(dataDir: string): string {
  const db = new Database(path.join(dataDir, 'catalog.sqlite'), { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[];
    return tables.map((t) => JSON.stringify(db.prepare(`SELECT * FROM "${t.name}"`).all())).join('\n');
  } finally {
    db.close();
  }
}

describe('moving and copying a data dir', () => {
  it('mv a moved: SELECT and INSERT work in the new place, nothing is written under the old one', async () => {
    const r = root();
    const a = path.join(r, 'a');
    const moved = path.join(r, 'moved');
    await seed(a, path.join(r, 'repo'));
    expect(catalogText(a)).toContain(`${a}/be`);
    execFileSync('mv', [a, moved]);

    const child = await EngineChild.open(moved);
    try {
      expect(await keys(child)).toEqual(expected([30, 0, 'a']));
      expect(await child.exec(`INSERT INTO d.t VALUES ${rowsOf(10, 100, 'm')}`)).toEqual({ affectedRows: 10 });
      expect(await child.rows('SELECT COUNT(*) FROM d.t')).toEqual([['40']]);
      expect((await child.rows('SHOW BACKENDS')).map((b) => b[11])).toEqual(['be1', 'be2', 'be3'].map((b) => path.join(moved, b)));
      // A snapshot dir recorded by the finished backup is addressed in the new place.
      expect(await child.exec('BACKUP SNAPSHOT d.s2 TO r')).not.toHaveProperty('error');
    } finally {
      await child.close();
    }
    expect(fs.existsSync(a)).toBe(false);
    expect(catalogText(moved)).not.toContain(`${a}/`);
    expect(await runHere(moved, ['SELECT COUNT(*) FROM d.t'])).toEqual([{ rows: [['40']] }]);
    expect(fs.existsSync(a)).toBe(false);
  }, 60_000);

  it('cp -a a b: both copies stay independently correct, opened one after the other and at once; no sweep deletes the other\'s rows', async () => {
    const r = root();
    const a = path.join(r, 'a');
    const b = path.join(r, 'b');
    await seed(a, path.join(r, 'repo'));
    execFileSync('cp', ['-a', a, b]);
    const aBefore = tree(a);

    // The copy, opened first: it notices it is a copy, takes its own identity and never touches a.
    const cb = await openHere(b);
    try {
      expect(await cb.exec(`INSERT INTO d.t VALUES ${rowsOf(5, 100, 'b')}`)).toEqual({ affectedRows: 5 });
      expect(await keys(cb)).toEqual(expected([30, 0, 'a'], [5, 100, 'b']));
    } finally {
      await cb.close();
    }
    expect(tree(a)).toEqual(aBefore);
    const idA = JSON.parse(fs.readFileSync(path.join(a, 'IDENTITY'), 'utf8')).identity as string;
    const idB = JSON.parse(fs.readFileSync(path.join(b, 'IDENTITY'), 'utf8')).identity as string;
    expect(idB).not.toBe(idA);
    for (const be of ['be1', 'be2', 'be3']) {
      expect(JSON.parse(fs.readFileSync(path.join(b, be, 'OWNER'), 'utf8')).identity).toBe(idB);
      expect(JSON.parse(fs.readFileSync(path.join(a, be, 'OWNER'), 'utf8')).identity).toBe(idA);
    }
    expect(catalogText(b)).not.toContain(`${a}/`);
    // Another instance: the copy does not keep the original's cluster id (which decides who owns a snapshot).
    const clusterId = (d: string): string | null => (fs.existsSync(path.join(d, 'cluster-id')) ? fs.readFileSync(path.join(d, 'cluster-id'), 'utf8') : null);
    expect(clusterId(a)).not.toBeNull();
    expect(clusterId(b)).not.toBe(clusterId(a));

    // The original, opened next (its sweep runs): its own load, and b's rows are still b's.
    expect(await runHere(a, [`INSERT INTO d.t VALUES ${rowsOf(5, 200, 'x')}`, 'SELECT COUNT(*) FROM d.t'])).toEqual([
      { affectedRows: 5 },
      { rows: [['35']] },
    ]);
    const again = await openHere(b);
    try {
      expect(await keys(again)).toEqual(expected([30, 0, 'a'], [5, 100, 'b']));
    } finally {
      await again.close();
    }

    // Both at once, in two processes, loads interleaved.
    const [ca, cb2] = await Promise.all([openHere(a), EngineChild.open(b)]);
    try {
      for (let i = 0; i < 3; i++) {
        expect(await ca.exec(`INSERT INTO d.t VALUES ${rowsOf(2, 300 + 10 * i, 'x')}`)).toEqual({ affectedRows: 2 });
        expect(await cb2.exec(`INSERT INTO d.t VALUES ${rowsOf(2, 400 + 10 * i, 'b')}`)).toEqual({ affectedRows: 2 });
      }
      expect(await ca.rows('SELECT COUNT(*) FROM d.t')).toEqual([['41']]);
      expect(await cb2.rows('SELECT COUNT(*) FROM d.t')).toEqual([['41']]);
    } finally {
      await Promise.all([ca.close(), cb2.close()]);
    }
    // Each reopened alone (each sweep runs again): every row of each copy is there, and only its own.
    const wantA = expected([30, 0, 'a'], [5, 200, 'x'], [2, 300, 'x'], [2, 310, 'x'], [2, 320, 'x']);
    const wantB = expected([30, 0, 'a'], [5, 100, 'b'], [2, 400, 'b'], [2, 410, 'b'], [2, 420, 'b']);
    for (const [dir, want] of [[a, wantA], [b, wantB]] as const) {
      const c = await openHere(dir);
      try {
        expect(await keys(c)).toEqual(want);
      } finally {
        await c.close();
      }
    }
  }, 60_000);
});
