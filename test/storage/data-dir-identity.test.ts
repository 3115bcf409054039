import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/catalog/migrations/index.ts';
import { runMigrations } from '../../src/catalog/migrations/run-migrations.ts';
import { relocatePaths } from '../../src/catalog/ops/relocate-paths.ts';
import { Engine } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { formatBytes } from '../../src/sql/handlers/show-table.ts';
import { ForeignBackendError } from '../../src/storage/identity.ts';
import { TableStore } from '../../src/storage/table-store.ts';
import { insert, makeTable, readAll, sortRows, tempDir } from './helpers.ts';

/**
 * The parts of a self-contained data dir one at a time: upgrading an old catalog (absolute backend paths) with
 * migration 0006 — also after the dir was moved before the upgrade —, rewriting stored paths, the sweep's refusal
 * to delete what it cannot prove is its own, refusing a backend directory shared with another data dir, and
 * SHOW BACKENDS' DataUsedCapacity as the bytes of our files.
 */

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}

/**
 * Turn a data dir made by this code into one made before migration 0006: a catalog built by migrations 1–5 only
 * (absolute backend dirs, no identity, none of the later tables) holding the same rows, and no IDENTITY/OWNER files.
 * Built forward rather than by undoing 0006 and whatever follows it, so later migrations do not break it.
 */
function makeLegacy(dataDir: string): void {
  const catalogPath = path.join(dataDir, 'catalog.sqlite');
  const legacyPath = `${catalogPath}.legacy`;
  const legacy = new Database(legacyPath);
  runMigrations(legacy, MIGRATIONS.slice(0, 5));
  legacy.prepare('ATTACH ? AS cur').run(catalogPath);
  const columnsOf = (schema: string, table: string): string[] =>
    (legacy.prepare(`SELECT name FROM pragma_table_info(?, ?)`).all(table, schema) as { name: string }[]).map((c) => c.name);
  const tables = legacy.prepare(`SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all() as { name: string }[];
  legacy.transaction(() => {
    for (const { name } of tables) {
      if (name === 'backends') {
        legacy.prepare(`INSERT INTO backends (id, name, dir, created_at) SELECT id, name, ? || '/' || path, created_at FROM cur.backends`).run(dataDir);
        continue;
      }
      const current = new Set(columnsOf('cur', name));
      const common = columnsOf('main', name).filter((c) => current.has(c)).map((c) => `"${c}"`).join(', ');
      if (common !== '') legacy.exec(`INSERT OR REPLACE INTO main."${name}" (${common}) SELECT ${common} FROM cur."${name}"`);
    }
    // The test's own table of stored paths (see seeded) travels along.
    legacy.exec('CREATE TABLE scratch AS SELECT * FROM cur.scratch');
  })();
  legacy.exec('DETACH cur');
  legacy.close();
  fs.renameSync(legacyPath, catalogPath);
  for (const suffix of ['-wal', '-shm']) fs.rmSync(`${catalogPath}${suffix}`, { force: true });
  fs.rmSync(path.join(dataDir, 'IDENTITY'));
  for (const be of ['be1', 'be2', 'be3']) fs.rmSync(path.join(dataDir, be, 'OWNER'));
}

async function seeded(dataDir: string): Promise<{ tableId: number; rows: string[] }> {
  const store = await TableStore.open(dataDir, { backends: 3 });
  const t = makeTable(store, 't', { buckets: 3 });
  await insert(store, t.id, [[1, 1n], [2, 2n], [3, 3n]]);
  // An absolute path recorded by a job (a local snapshot dir), as job rows keep them.
  store.catalog.db.exec(`CREATE TABLE IF NOT EXISTS scratch (v TEXT)`);
  store.catalog.db.prepare('INSERT INTO scratch VALUES (?)').run(JSON.stringify({ snapshot: { dir: path.join(dataDir, 'be1', 'snapshot', 'x', '1') } }));
  const rows = sortRows(await readAll(store, t.id));
  await store.close();
  return { tableId: t.id, rows };
}

describe('data-dir identity and relocation', () => {
  it('migration 0006 upgrades an old data dir in place: relative backends, an identity, same rows', async () => {
    const d = path.join(dir(), 'data');
    const { tableId, rows } = await seeded(d);
    makeLegacy(d);
    const store = await TableStore.open(d);
    try {
      expect(store.catalog.db.prepare('SELECT path FROM backends ORDER BY id').all()).toEqual([{ path: 'be1' }, { path: 'be2' }, { path: 'be3' }]);
      expect(store.identity.relocatedFrom).toBeNull();
      expect(JSON.parse(fs.readFileSync(path.join(d, 'IDENTITY'), 'utf8')).identity).toBe(store.identity.id);
      expect(sortRows(await readAll(store, tableId))).toEqual(rows);
    } finally {
      await store.close();
    }
  });

  it('an old data dir moved before the upgrade: backends found in the new place, stored paths rewritten', async () => {
    const r = dir();
    const a = path.join(r, 'a');
    const b = path.join(r, 'b');
    const { tableId, rows } = await seeded(a);
    makeLegacy(a);
    execFileSync('mv', [a, b]);
    const store = await TableStore.open(b);
    try {
      expect(store.identity.relocatedFrom).toBe(a);
      expect(store.identity.copiedFrom).toBeNull();
      expect(sortRows(await readAll(store, tableId))).toEqual(rows);
      expect(store.catalog.db.prepare('SELECT v FROM scratch').get()).toEqual({ v: JSON.stringify({ snapshot: { dir: path.join(b, 'be1', 'snapshot', 'x', '1') } }) });
      await insert(store, tableId, [[4, 4n]]);
    } finally {
      await store.close();
    }
    expect(fs.existsSync(a)).toBe(false);
  });

  it('relocatePaths rewrites paths under the old root only: whole values and strings inside JSON', () => {
    const d = dir();
    const db = new Database(path.join(d, 'c.sqlite'));
    db.exec('CREATE TABLE t (a TEXT, b TEXT, n INTEGER)');
    const ins = db.prepare('INSERT INTO t VALUES (?, ?, ?)');
    ins.run('/data/a', JSON.stringify({ dir: '/data/a/be1/x', list: ['/data/a/restore/7', '/data/a2/x', 'file:///data/a/repo'], k: 1 }), 1);
    ins.run('/data/a2/y', '/data/a/be2', 2);
    ins.run('not json /data/a/', '{broken /data/a/x', 3);
    const catalog = { transaction: <T>(fn: () => T): T => db.transaction(fn)(), prepare: (s: string) => db.prepare(s), db } as never;
    const report = relocatePaths(catalog, '/data/a', '/srv/b');
    expect(db.prepare('SELECT a, b FROM t ORDER BY n').all()).toEqual([
      { a: '/srv/b', b: JSON.stringify({ dir: '/srv/b/be1/x', list: ['/srv/b/restore/7', '/data/a2/x', 'file:///data/a/repo'], k: 1 }) },
      { a: '/data/a2/y', b: '/srv/b/be2' },
      { a: 'not json /data/a/', b: '{broken /data/a/x' },
    ]);
    expect(report).toEqual({ 't.a': 1, 't.b': 2 });
    db.close();
  });

  it('the sweep deletes only names the store makes, in backend directories it owns', async () => {
    const d = path.join(dir(), 'data');
    const { tableId, rows } = await seeded(d);
    const stray = ['be1/data/notes.txt', 'be1/data/99999/README', 'be1/tmp/keep.me', 'be2/mine.txt'];
    for (const f of stray) {
      fs.mkdirSync(path.dirname(path.join(d, f)), { recursive: true });
      fs.writeFileSync(path.join(d, f), 'user file');
    }
    const orphans = ['be1/data/99999/123_0.dat', 'be1/data/88888/124_0.dat', 'be2/tmp/abc.tmp'];
    for (const f of orphans) {
      fs.mkdirSync(path.dirname(path.join(d, f)), { recursive: true });
      fs.writeFileSync(path.join(d, f), 'half a load');
    }
    const store = await TableStore.open(d);
    try {
      expect(store.sweep).toMatchObject({ tempFiles: 1, orphanFiles: 1, orphanTabletDirs: 1, foreignEntries: 3 });
      for (const f of stray) expect(fs.existsSync(path.join(d, f)), f).toBe(true);
      for (const f of orphans) expect(fs.existsSync(path.join(d, f)), f).toBe(false);
      expect(sortRows(await readAll(store, tableId))).toEqual(rows);
    } finally {
      await store.close();
    }
  });

  it('a backend directory owned by another data dir, or shared with the original by a copied symlink, is refused before anything is touched', async () => {
    const r = dir();
    const a = path.join(r, 'a');
    await seeded(a);
    // A copy whose be2 is a symlink to the original's be2: both would write and sweep one directory.
    const b = path.join(r, 'b');
    execFileSync('cp', ['-a', a, b]);
    fs.rmSync(path.join(b, 'be2'), { recursive: true });
    fs.symlinkSync(path.join(a, 'be2'), path.join(b, 'be2'));
    const before = fs.readdirSync(path.join(a, 'be2', 'data'), { recursive: true });
    await expect(TableStore.open(b)).rejects.toThrow(ForeignBackendError);
    await expect(TableStore.open(b)).rejects.toThrow(/is a copy of .*a, but its backend directory .*be2 is the same directory as the original's/);
    expect(fs.readdirSync(path.join(a, 'be2', 'data'), { recursive: true })).toEqual(before);
    // A backend directory whose OWNER names some other data dir.
    fs.writeFileSync(path.join(a, 'be3', 'OWNER'), JSON.stringify({ format: 'tablevault-backend', identity: 'someone-else', backend: 'be3' }));
    await expect(TableStore.open(a)).rejects.toThrow(/backend directory .*be3 belongs to another data dir \(identity someone-else\)/);
  });

  it('SHOW BACKENDS: DataUsedCapacity is the bytes of our segment files on each backend', async () => {
    const d = path.join(dir(), 'data');
    const engine = await Engine.open({ dataDir: d, backends: 3, logger: createLogger({ level: 'silent' }) });
    try {
      const s = engine.session();
      await s.execute('CREATE DATABASE x');
      await s.execute('CREATE TABLE x.t (k INT, v VARCHAR(40)) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 4 PROPERTIES ("replication_num" = "2")');
      await s.execute("INSERT INTO x.t SELECT generate_series, concat('value ', generate_series) FROM TABLE(generate_series(1, 3000))");
      await s.execute('INSERT INTO x.t VALUES (1, \'again\')');
      await s.execute('DELETE FROM x.t WHERE k % 3 = 0');
      const bytesUnder = (be: string): number =>
        (fs.readdirSync(path.join(d, be, 'data'), { recursive: true }) as string[])
          .map((f) => fs.statSync(path.join(d, be, 'data', f)))
          .filter((st) => st.isFile())
          .reduce((n, st) => n + st.size, 0);
      // The DELETE's replaced files are collected in the background: wait (bounded) until the two agree.
      let used: (string | null)[] = [];
      let onDisk: string[] = [];
      for (let i = 0; i < 100; i++) {
        const shown = await s.execute('SHOW BACKENDS');
        if (shown.kind !== 'rows') throw new Error('no rows');
        used = shown.rows.map((row) => row[6] ?? null);
        onDisk = ['be1', 'be2', 'be3'].map((be) => formatBytes(bytesUnder(be)));
        if (JSON.stringify(used) === JSON.stringify(onDisk)) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(used).toEqual(onDisk);
      expect(used.some((u) => u !== '0B')).toBe(true);
    } finally {
      await engine.close();
    }
  });
});
