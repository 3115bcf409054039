import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openCatalog } from '../../src/catalog/catalog.ts';
import { MIGRATIONS } from '../../src/catalog/migrations/index.ts';
import { runMigrations } from '../../src/catalog/migrations/run-migrations.ts';
import { tempDir } from '../storage/helpers.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('migrations', () => {
  it('creates the schema on a fresh database and sets user_version', () => {
    const dir = tempDir();
    dirs.push(dir);
    const catalog = openCatalog(path.join(dir, 'c.sqlite'));
    expect(catalog.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(catalog.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(catalog.db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = catalog.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => (r as { name: string }).name);
    expect(tables).toEqual(expect.arrayContaining(['backends', 'databases', 'tables', 'partitions', 'tablets', 'replicas', 'rowsets', 'trash']));
    expect(catalog.nextId()).toBe(10001);
    expect(catalog.nextId(5)).toBe(10002);
    expect(catalog.nextId()).toBe(10007);
    catalog.close();
  });

  it('re-opening is idempotent and keeps data and the id sequence', () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = path.join(dir, 'c.sqlite');
    const a = openCatalog(file);
    a.nextId(10);
    a.close();
    const b = openCatalog(file);
    expect(b.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(b.nextId()).toBe(10011);
    expect(runMigrations(b.db)).toBe(MIGRATIONS.length);
    b.close();
  });

  it('refuses a catalog newer than the code', () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = path.join(dir, 'c.sqlite');
    const db = new Database(file);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => openCatalog(file)).toThrow(/newer than this tablevault/);
  });

  it('runs only pending migrations, each atomically with its version bump', () => {
    const db = new Database(':memory:');
    const ran: number[] = [];
    const extra = [
      ...MIGRATIONS,
      { id: MIGRATIONS.length + 1, name: 'test-extra', up: (d: Database.Database) => { ran.push(1); d.exec('CREATE TABLE extra (x)'); } },
    ];
    expect(runMigrations(db, MIGRATIONS)).toBe(MIGRATIONS.length);
    expect(runMigrations(db, extra)).toBe(MIGRATIONS.length + 1);
    expect(runMigrations(db, extra)).toBe(MIGRATIONS.length + 1);
    expect(ran).toEqual([1]);
    const failing = [...extra, { id: extra.length + 1, name: 'boom', up: (d: Database.Database) => { d.exec('CREATE TABLE half (x)'); throw new Error('boom'); } }];
    expect(() => runMigrations(db, failing)).toThrow('boom');
    expect(db.pragma('user_version', { simple: true })).toBe(extra.length);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half'").get()).toEqual({ n: 0 });
    expect(() => runMigrations(db, [MIGRATIONS[0]!, { ...MIGRATIONS[0]!, id: 3 }])).toThrow(/out of order/);
    db.close();
  });
});
