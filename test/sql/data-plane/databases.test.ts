/** CREATE / DROP / SHOW DATABASES, USE, and the 1046 / 1049 / 1007 / 1008 errors, through the real Engine. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from './helpers.ts';

describe('databases', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await openTestDb();
  });
  afterEach(async () => {
    await t.close();
  });

  it('CREATE DATABASE, SHOW DATABASES (sorted, with information_schema), LIKE and WHERE', async () => {
    expect(await t.ok('CREATE DATABASE shop')).toBe(1);
    await t.exec('CREATE DATABASE archive');
    expect(await t.rows('SHOW DATABASES')).toEqual([['archive'], ['information_schema'], ['shop']]);
    expect(await t.rows("SHOW DATABASES LIKE 'sh%'")).toEqual([['shop']]);
    expect(await t.rows("SHOW DATABASES WHERE `Database` = 'archive'")).toEqual([['archive']]);
  });

  it('1007 when the database exists, none with IF NOT EXISTS', async () => {
    await t.exec('CREATE DATABASE shop');
    const e = await t.fails('CREATE DATABASE shop');
    expect([e.errno, e.sqlState, e.message]).toEqual([1007, 'HY000', "Can't create database 'shop'; database exists"]);
    await t.exec('CREATE DATABASE IF NOT EXISTS shop');
    expect(await t.rows('SHOW DATABASES')).toEqual([['information_schema'], ['shop']]);
  });

  it('rejects bad names and the system database', async () => {
    expect((await t.fails('CREATE DATABASE `1shop`')).message).toContain("Incorrect database name '1shop'");
    expect((await t.fails('CREATE DATABASE `a-b`')).errno).toBe(1064);
    expect((await t.fails('CREATE DATABASE information_schema')).message).toContain('system database');
  });

  it('USE: 1049 for an unknown database, then statements resolve there', async () => {
    const e = await t.fails('USE nope');
    expect([e.errno, e.sqlState, e.message]).toEqual([1049, '42000', "Unknown database 'nope'"]);
    await t.exec('CREATE DATABASE shop');
    await t.exec('USE shop');
    expect(t.session.database).toBe('shop');
    expect(await t.rows('SELECT DATABASE()')).toEqual([['shop']]);
    await t.exec('CREATE TABLE orders (id INT)');
    expect(await t.rows('SHOW TABLES')).toEqual([['orders']]);
    expect(() => t.session.useDatabase('nope')).toThrow(/Unknown database 'nope'/);
  });

  it('1046 when no database is selected and a name is unqualified', async () => {
    for (const sql of ['CREATE TABLE t (a INT)', 'SELECT * FROM t', 'INSERT INTO t VALUES (1)', 'SHOW TABLES', 'DROP TABLE t', 'DESC t']) {
      const e = await t.fails(sql);
      expect([e.errno, e.sqlState], sql).toEqual([1046, '3D000']);
      expect(e.message).toContain('No database selected');
    }
  });

  it('1049 for statements naming an unknown database', async () => {
    for (const sql of ['CREATE TABLE nope.t (a INT)', 'SELECT * FROM nope.t', 'SHOW TABLES FROM nope', 'INSERT INTO nope.t VALUES (1)']) {
      expect((await t.fails(sql)).errno, sql).toBe(1049);
    }
  });

  it('DROP DATABASE removes its tables and data, clears USE; IF EXISTS; FORCE; 1008', async () => {
    await t.exec('CREATE DATABASE shop; USE shop; CREATE TABLE t (a INT); INSERT INTO t VALUES (1), (2)');
    expect(await t.ok('DROP DATABASE shop')).toBe(0);
    expect(t.session.database).toBeUndefined();
    expect(await t.rows('SHOW DATABASES')).toEqual([['information_schema']]);
    const e = await t.fails('DROP DATABASE shop');
    expect([e.errno, e.message]).toEqual([1008, "Can't drop database 'shop'; database doesn't exist"]);
    await t.exec('DROP DATABASE IF EXISTS shop');
    // A re-created database of the same name starts empty.
    await t.exec('CREATE DATABASE shop; CREATE TABLE shop.t (a INT)');
    expect(await t.rows('SELECT COUNT(*) FROM shop.t')).toEqual([['0']]);
    await t.exec('DROP DATABASE shop FORCE');
    expect(await t.rows('SHOW DATABASES')).toEqual([['information_schema']]);
  });

  it('SHOW CREATE DATABASE', async () => {
    await t.exec('CREATE DATABASE shop');
    expect(await t.rows('SHOW CREATE DATABASE shop')).toEqual([['shop', 'CREATE DATABASE `shop`']]);
    expect((await t.fails('SHOW CREATE DATABASE nope')).errno).toBe(1049);
  });

  it('databases survive a restart of the engine', async () => {
    await t.exec('CREATE DATABASE shop; CREATE TABLE shop.t (a INT); INSERT INTO shop.t VALUES (7)');
    await t.engine.close();
    const { Engine } = await import('../../../src/engine.ts');
    const { silentLogger } = await import('./helpers.ts');
    const again = await Engine.open({ dataDir: t.dir, logger: silentLogger });
    try {
      const s = again.session({ database: 'shop' });
      const r = await s.execute('SELECT a FROM t');
      expect(r.kind === 'rows' ? r.rows : []).toEqual([['7']]);
    } finally {
      await again.close();
    }
  });
});
