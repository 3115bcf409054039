/**
 * Repositories through SQL (the library door): create on S3 with credentials, re-attach from a second data dir,
 * the periodic ping behind SHOW REPOSITORIES' ErrMsg, and that no secret ever reaches SHOW output, errors or logs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Engine } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { ManualClock, formatDateTime } from '../../src/util/clock.ts';
import { startS3Server, type S3TestServer } from '../support/s3-server.ts';

const SECRET = 'Sup3r-Secret-Value-0xBADC0DE';
let dir: string;
let s3: S3TestServer;
const lines: string[] = [];
const logger = createLogger({
  level: 'trace',
  destination: new Writable({
    write(chunk: Buffer, _e, cb) {
      lines.push(chunk.toString());
      cb();
    },
  }),
});

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-repo-sql-'));
  s3 = await startS3Server({ bucket: 'tv-repo-sql' });
});

afterAll(async () => {
  await s3.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const rows = (r: Awaited<ReturnType<ReturnType<Engine['session']>['execute']>>): (string | null)[][] =>
  r.kind === 'rows' ? r.rows.map((x) => [...x]) : [];

describe('repositories through SQL', () => {
  it('a second data dir re-attaches to an S3 repository, sees its snapshots and restores them; no secret leaks', async () => {
    const props = Object.entries({ ...s3.properties, 'aws.s3.secret_key': SECRET })
      .map(([k, v]) => `"${k}" = "${v}"`)
      .join(', ');
    const create = `CREATE REPOSITORY s3repo WITH BROKER ON LOCATION '${s3.location}/backups/' PROPERTIES (${props})`;
    const a = await Engine.open({ dataDir: path.join(dir, 'a'), backends: 1, logger });
    const sa = a.session();
    await sa.execute(`CREATE DATABASE d; CREATE TABLE d.t (id INT, v VARCHAR(8)) DISTRIBUTED BY HASH(id) BUCKETS 2 PROPERTIES ("replication_num" = "1");
      INSERT INTO d.t VALUES (1, 'one'), (2, 'two'); ${create}; BACKUP SNAPSHOT d.s1 TO s3repo`);
    const jobId = Number(rows(await sa.execute('SHOW BACKUP FROM d'))[0]?.[0]);
    expect((await a.jobs.waitForJob(jobId)).state).toBe('FINISHED');
    const shownA = rows(await sa.execute('SHOW REPOSITORIES'));
    const processlist = rows(await sa.execute('SHOW FULL PROCESSLIST'));
    await a.close();

    const b = await Engine.open({ dataDir: path.join(dir, 'b'), backends: 1, logger });
    const sb = b.session();
    await sb.execute(create);
    const shownB = rows(await sb.execute('SHOW REPOSITORIES'));
    // Re-attached: the same location, the create time adopted from __repo_info (not "now").
    expect(shownB[0]?.slice(1)).toEqual(shownA[0]?.slice(1));
    const [snapshot] = rows(await sb.execute('SHOW SNAPSHOT ON s3repo'));
    expect(snapshot?.[0]).toBe('s1');
    await sb.execute(`RESTORE SNAPSHOT d.s1 FROM s3repo PROPERTIES ("backup_timestamp" = "${snapshot?.[1]}", "replication_num" = "1")`);
    const restoreId = Number(rows(await sb.execute('SHOW RESTORE FROM d'))[0]?.[0]);
    expect((await b.jobs.waitForJob(restoreId)).state).toBe('FINISHED');
    expect(rows(await sb.execute('SELECT id, v FROM d.t ORDER BY id'))).toEqual([['1', 'one'], ['2', 'two']]);

    // Errors name the problem, never the secret.
    const bad = `CREATE REPOSITORY bad WITH BROKER ON LOCATION '${s3.location}/x' PROPERTIES ("aws.s3.secret_key" = "${SECRET}", "aws.s3.secret" = "${SECRET}")`;
    const err = await sb.execute(bad).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain('aws.s3.secret');
    expect((err as Error).message).not.toContain(SECRET);
    await b.close();

    for (const text of [JSON.stringify(shownA), JSON.stringify(shownB), JSON.stringify(processlist), lines.join('')]) {
      expect(text).not.toContain(SECRET);
    }
    expect(lines.length).toBeGreaterThan(0);
    // Nor in plain text at rest.
    for (const sub of ['a', 'b']) {
      for (const f of fs.readdirSync(path.join(dir, sub))) {
        const p = path.join(dir, sub, f);
        if (fs.statSync(p).isFile()) expect(fs.readFileSync(p).includes(SECRET), p).toBe(false);
      }
    }
  });

  it('SHOW REPOSITORIES ErrMsg reflects the periodic reachability check (every 10 minutes of engine time)', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 21, 8, 0, 0));
    const location = path.join(dir, 'pinged');
    const engine = await Engine.open({ dataDir: path.join(dir, 'c'), backends: 1, logger, clock });
    try {
      const s = engine.session();
      await s.execute(`CREATE REPOSITORY pinged WITH BROKER ON LOCATION 'file://${location}'`);
      expect(rows(await s.execute('SHOW REPOSITORIES'))[0]?.[6]).toBeNull();
      fs.rmSync(location, { recursive: true, force: true });
      clock.advance(10 * 60_000);
      await vi.waitFor(async () => {
        expect(rows(await s.execute('SHOW REPOSITORIES'))[0]?.[6]).toBe(
          `${formatDateTime(clock.now())}: remote path does not exist: file://${location}/__starrocks_repository_pinged`,
        );
      });
    } finally {
      await engine.close();
    }
  });
});
