/**
 * SHOW BACKUP / SHOW RESTORE apply StarRocks' trailing clauses (WHERE / ORDER BY / LIMIT) instead of ignoring them,
 * and databases are visible and usable only with some privilege in them (SHOW DATABASES, USE → 1044, SHOW TABLES,
 * information_schema), as StarRocks and MySQL do.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, type Session } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';

let dir: string;
let engine: Engine;
let root: Session;

async function rowsOf(session: Session, sql: string): Promise<(string | null)[][]> {
  const r = await session.execute(sql);
  if (r.kind !== 'rows') throw new Error(`${sql} returned OK`);
  return r.rows.map((row) => [...row]);
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-showjobs-'));
  engine = await Engine.open({ dataDir: path.join(dir, 'data'), backends: 1, logger: createLogger({ level: 'silent' }) });
  root = engine.session();
  const table = (db: string, t: string): string =>
    `CREATE TABLE ${db}.${t} (id INT) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1"); INSERT INTO ${db}.${t} VALUES (1);`;
  await root.execute(`
    CREATE DATABASE a; CREATE DATABASE b; CREATE DATABASE c; CREATE DATABASE secret;
    ${table('a', 't')} ${table('b', 't')} ${table('c', 't')} ${table('secret', 't')} ${table('secret', 'u')}
    CREATE REPOSITORY repo WITH BROKER ON LOCATION 'file://${path.join(dir, 'repo')}';
  `);
  // One finished backup per database a, b, c (one job per database at a time).
  for (const db of ['a', 'b', 'c']) {
    await root.execute(`BACKUP SNAPSHOT ${db}.snap_${db} TO repo`);
    await engine.jobs.waitForJob(Number((await rowsOf(root, `SHOW BACKUP FROM ${db}`))[0]?.[0]));
  }
});

afterAll(async () => {
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('SHOW BACKUP / SHOW RESTORE WHERE, ORDER BY, LIMIT (StarRocks showPredicateClauses)', () => {
  it('filters, sorts and limits the rows by the result columns', async () => {
    const all = await rowsOf(root, 'SHOW BACKUP');
    expect(all.map((r) => r[1]).sort()).toEqual(['snap_a', 'snap_b', 'snap_c']);
    expect((await rowsOf(root, "SHOW BACKUP WHERE SnapshotName = 'snap_b'")).map((r) => r[1])).toEqual(['snap_b']);
    expect((await rowsOf(root, "SHOW BACKUP WHERE DbName LIKE 'a%' OR DbName = 'c' ORDER BY DbName DESC")).map((r) => r[2])).toEqual(['c', 'a']);
    expect((await rowsOf(root, 'SHOW BACKUP ORDER BY JobId DESC LIMIT 2')).map((r) => r[0])).toEqual(all.map((r) => r[0]).sort((x, y) => Number(y) - Number(x)).slice(0, 2));
    expect((await rowsOf(root, 'SHOW BACKUP ORDER BY 3 LIMIT 1, 1')).map((r) => r[2])).toEqual(['b']);
    expect(await rowsOf(root, "SHOW BACKUP FROM a WHERE State = 'CANCELLED'")).toEqual([]);
    expect((await rowsOf(root, "SHOW BACKUP FROM a WHERE State = 'FINISHED' AND Status = '[OK]'")).map((r) => r[1])).toEqual(['snap_a']);
    expect(await rowsOf(root, 'SHOW RESTORE WHERE State = "FINISHED" ORDER BY CreateTime LIMIT 1')).toEqual([]);
  });

  it('rejects what the grammar does not allow (1064) and unknown columns (1054)', async () => {
    await expect(root.execute("SHOW BACKUP LIKE 'snap%'")).rejects.toMatchObject({ errno: 1064 });
    await expect(root.execute('SHOW BACKUP LIMIT 1 ORDER BY JobId')).rejects.toMatchObject({ errno: 1064 });
    await expect(root.execute('SHOW BACKUP ORDER BY JobId WHERE JobId > 1')).rejects.toMatchObject({ errno: 1064 });
    await expect(root.execute('SHOW RESTORE LIMIT 1 WHERE State = 1')).rejects.toMatchObject({ errno: 1064 });
    await expect(root.execute("SHOW BACKUP WHERE Nope = 'x'")).rejects.toMatchObject({ errno: 1054 });
    await expect(root.execute('SHOW BACKUP ORDER BY 15')).rejects.toMatchObject({ errno: 1064 });
  });
});

describe('databases are listed and usable only with some privilege in them', () => {
  let user: Session;

  beforeAll(async () => {
    await root.execute(`
      CREATE USER 'u'@'%' IDENTIFIED BY 'pw';
      GRANT SELECT ON TABLE a.t TO USER 'u'@'%';
      GRANT CREATE TABLE ON DATABASE b TO USER 'u'@'%';
      CREATE ROLE reader; GRANT SELECT ON ALL TABLES IN DATABASE c TO ROLE reader; GRANT reader TO USER 'u'@'%';
    `);
    user = engine.session({ user: 'u', host: '10.0.0.7' });
  });

  it('SHOW DATABASES and information_schema.SCHEMATA list only those', async () => {
    expect(await rowsOf(user, 'SHOW DATABASES')).toEqual([['a'], ['b'], ['c'], ['information_schema']]);
    expect(await rowsOf(user, "SHOW DATABASES LIKE 's%'")).toEqual([]);
    expect((await rowsOf(user, 'SELECT SCHEMA_NAME FROM information_schema.SCHEMATA ORDER BY 1')).map((r) => r[0])).toEqual(['a', 'b', 'c', 'information_schema']);
    expect((await rowsOf(root, 'SHOW DATABASES')).map((r) => r[0])).toContain('secret');
  });

  it("USE of any other database is MySQL's 1044, also at login (library session) and COM_INIT_DB's path", async () => {
    await expect(user.execute('USE secret')).rejects.toMatchObject({
      errno: 1044,
      sqlState: '42000',
      message: "Access denied for user 'u'@'10.0.0.7' to database 'secret'",
    });
    expect(() => user.useDatabase('secret')).toThrow(/Access denied for user 'u'@'10.0.0.7' to database 'secret'/);
    expect(() => engine.session({ user: 'u', host: '10.0.0.7', database: 'secret' })).toThrow(/to database 'secret'/);
    await expect(user.execute('USE nope')).rejects.toMatchObject({ errno: 1049 });
    for (const db of ['a', 'b', 'c', 'information_schema']) await user.execute(`USE ${db}`);
    await root.execute('USE secret');
  });

  it('SHOW TABLES and information_schema.TABLES list only tables with some privilege; SHOW TABLES FROM a hidden database is 1044', async () => {
    expect(await rowsOf(user, 'SHOW TABLES FROM a')).toEqual([['t']]);
    // CREATE TABLE on the database does not show its tables (StarRocks lists tables the user has an action on).
    expect(await rowsOf(user, 'SHOW TABLES FROM b')).toEqual([]);
    expect(await rowsOf(user, 'SHOW TABLES FROM c')).toEqual([['t']]);
    await expect(user.execute('SHOW TABLES FROM secret')).rejects.toMatchObject({ errno: 1044 });
    const tables = await rowsOf(user, "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES ORDER BY 1, 2");
    expect(tables).toEqual([['a', 't'], ['c', 't']]);
    expect((await rowsOf(root, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'secret' ORDER BY 1")).map((r) => r[0])).toEqual(['t', 'u']);
  });

  it('SHOW TABLE STATUS lists the same tables as SHOW TABLES; FROM a hidden database is 1044', async () => {
    const names = async (sql: string): Promise<unknown[]> => (await rowsOf(user, sql)).map((r) => r[0]);
    expect(await names('SHOW TABLE STATUS FROM a')).toEqual(['t']);
    expect(await names('SHOW TABLE STATUS FROM b')).toEqual([]);
    expect(await names('SHOW TABLE STATUS FROM c')).toEqual(['t']);
    await expect(user.execute('SHOW TABLE STATUS FROM secret')).rejects.toMatchObject({ errno: 1044 });
    expect((await rowsOf(root, 'SHOW TABLE STATUS FROM secret')).map((r) => r[0])).toEqual(['t', 'u']);
  });
});
