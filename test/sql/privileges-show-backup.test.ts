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
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-showbk-'));
  engine = await Engine.open({ dataDir: path.join(dir, 'data'), backends: 1, logger: createLogger({ level: 'silent' }) });
  root = engine.session();
  await root.execute(`
    CREATE DATABASE d;
    CREATE TABLE d.t (id INT) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1");
    INSERT INTO d.t VALUES (1);
    CREATE REPOSITORY repo WITH BROKER ON LOCATION 'file://${path.join(dir, 'repo')}';
    BACKUP SNAPSHOT d.s1 TO repo;
    CREATE USER 'viewer'@'%' IDENTIFIED BY 'pw';
    GRANT REPOSITORY ON SYSTEM TO USER 'viewer'@'%';
  `);
  const id = Number((await rowsOf(root, 'SHOW BACKUP FROM d'))[0]?.[0]);
  await engine.jobs.waitForJob(id);
});

afterAll(async () => {
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('SHOW BACKUP visibility (StarRocks: jobs over tables without EXPORT are left out silently)', () => {
  it('shows nothing to a user without EXPORT on the job tables, then the job once EXPORT is granted', async () => {
    const viewer = engine.session({ user: 'viewer', host: '127.0.0.1' });
    expect(await rowsOf(viewer, 'SHOW BACKUP FROM d')).toEqual([]);
    expect(await rowsOf(viewer, 'SHOW BACKUP')).toEqual([]);
    await root.execute("GRANT EXPORT ON TABLE d.t TO USER 'viewer'@'%'");
    const rows = await rowsOf(viewer, 'SHOW BACKUP FROM d');
    expect(rows.map((r) => [r[1], r[3]])).toEqual([['s1', 'FINISHED']]);
    expect(await rowsOf(root, 'SHOW BACKUP')).toHaveLength(1);
  });

  it('CANCEL BACKUP needs EXPORT on the running job tables', async () => {
    await root.execute("CREATE USER 'other'@'%' IDENTIFIED BY 'pw'; GRANT REPOSITORY ON SYSTEM TO USER 'other'@'%'");
    const other = engine.session({ user: 'other', host: '127.0.0.1' });
    await expect(other.execute('CANCEL BACKUP FROM d')).rejects.toMatchObject({ errno: 1227, message: expect.stringContaining('EXPORT privilege(s) on TABLE d.t') });
    // With EXPORT the check passes and the job's own state decides (it is finished, so StarRocks' message).
    await root.execute("GRANT EXPORT ON TABLE d.t TO USER 'other'@'%'");
    await expect(other.execute('CANCEL BACKUP FROM d')).rejects.toThrow(/can not be cancelled. state: FINISHED/);
  });
});
