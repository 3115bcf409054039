import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Broker } from '../../src/brokers/broker.ts';
import { FaultInjectingBroker } from '../../src/brokers/fault-injecting-broker.ts';
import { openBroker } from '../../src/brokers/open-broker.ts';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ProgressEvent } from '../../src/jobs/progress.ts';
import { parseJobInfo, serializeJobInfo } from '../../src/repository/job-info.ts';
import { md5Hex } from '../../src/repository/md5.ts';
import { readAll } from '../../src/repository/repository-types.ts';
import { startS3Server, type S3TestServer } from '../support/s3-server.ts';
import { listTree, openFixture, type BackupFixture } from './backup-fixture.ts';
import { backupTo, createRepositorySql } from './lifecycle-helpers.ts';

/**
 * VERIFY SNAPSHOT as a job: it reports progress (files and bytes checked of the total) while it runs, SHOW VERIFY
 * lists it, CANCEL VERIFY stops it mid-run (the waiting statement says so); `mode` = `restore` restores into a hidden
 * scratch database through a real RESTORE job, compares every partition with the info file, and leaves no database,
 * job or tablet file behind; a tampered info file is named partition by partition with expected and found values.
 * On file:// and on S3 (s3rver).
 */

const PARTS = Array.from({ length: 8 }, (_, i) => `p${i + 1}`);

/** Reads from a location containing `slow` take ≥ 150 ms each, so a VERIFY stays live long enough to watch and cancel. */
const slowReads = async (location: string, properties: Readonly<Record<string, string>>): Promise<Broker> => {
  const inner = await openBroker(location, properties);
  return location.includes('slow') ? new FaultInjectingBroker(inner, { latencyMs: 150, ops: ['read', 'downloadFile'] }) : inner;
};

const SCRATCH = /^__tablevault_verify_\d+$/;

for (const kind of ['file', 's3'] as const) {
  describe(`VERIFY SNAPSHOT job on ${kind === 'file' ? 'file://' : 'S3 (s3rver)'}`, () => {
    let s3: S3TestServer | undefined;
    let f: BackupFixture;
    beforeAll(async () => {
      if (kind === 's3') s3 = await startS3Server({ bucket: 'tv-verify-job' });
    });
    afterAll(async () => {
      await s3?.close();
    });
    beforeEach(async () => {
      f = await openFixture({ openBroker: slowReads });
      await f.exec('CREATE DATABASE d1');
      await f.exec('USE d1');
      const parts = PARTS.map((p, i) => `PARTITION ${p} VALUES LESS THAN ('${(i + 1) * 10}')`).join(', ');
      await f.exec(`CREATE TABLE t (k INT, v VARCHAR(20)) DUPLICATE KEY(k) PARTITION BY RANGE(k) (${parts}) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ("replication_num" = "1")`);
      await f.exec(`INSERT INTO t VALUES ${Array.from({ length: 80 }, (_, k) => `(${k}, 'value-${k}')`).join(', ')}`);
    });
    afterEach(async () => {
      await f.close();
    });

    it('shows progress while it runs and is cancelled mid-run by CANCEL VERIFY', async () => {
      await f.exec(createRepositorySql(kind, f, 'slow', s3));
      const { ts } = await backupTo(f, 'BACKUP SNAPSHOT d1.s1 TO slow ON (t)', 's1', 'slow');
      const events: ProgressEvent[] = [];
      const midRun = new Promise<ProgressEvent>((resolve) => {
        const off = f.engine.jobs.events.on('progress', (e) => {
          if (e.kind !== 'VERIFY') return;
          events.push(e);
          if (e.filesDone > 0 && e.filesDone < e.filesTotal) {
            off();
            resolve(e);
          }
        });
      });
      const statement = f.exec(`VERIFY SNAPSHOT s1 ON slow PROPERTIES ("backup_timestamp" = "${ts}", "mode" = "checksum")`);
      statement.catch(() => undefined);
      const seen = await midRun;
      // 8 partitions × (data file + header): the job knows its total from the start and counts up to it.
      expect(seen.filesTotal).toBe(16);
      expect(seen.bytesTotal).toBeGreaterThan(0);
      const other = f.engine.session();
      const [row] = await rowsOf(other, 'SHOW VERIFY ON slow');
      expect(row?.slice(1, 7)).toEqual(['s1', ts, 'd1', 'slow', 'checksum', 'CHECKING']);
      expect(row?.[9]).toMatch(/^\d+\/16$/);
      // One VERIFY per repository at a time; the refusal names the running one and what to do.
      await expect(other.execute('VERIFY SNAPSHOT s1 ON slow')).rejects.toThrow(
        new RegExp(`^Can only run one VERIFY on a repository at a time: VERIFY job ${seen.jobId} \\(s1\\) on slow is CHECKING; wait for it or CANCEL VERIFY ON slow$`),
      );
      await other.execute('CANCEL VERIFY ON slow');
      await expect(statement).rejects.toThrow(/^VERIFY SNAPSHOT s1 failed: VERIFY job \d+ was cancelled: \[COMMON_ERROR, msg: user cancelled, current state: CHECKING\]$/);
      const [after] = await rowsOf(other, 'SHOW VERIFY ON slow');
      expect([after?.[6], after?.[12], after?.[15]]).toEqual(['CANCELLED', '', '[COMMON_ERROR, msg: user cancelled, current state: CHECKING]']);
      expect(Number(/^(\d+)\//.exec(after?.[9] ?? '')?.[1])).toBeLessThan(16);
      await expect(other.execute('CANCEL VERIFY ON slow')).rejects.toThrow(/can not be cancelled. state: CANCELLED/);
      await expect(other.execute('CANCEL VERIFY')).rejects.toThrow('No verify job is currently running');
    });

    // What differs by storage is covered above and below; these two are about the statement and the engine.
    it.runIf(kind === 'file')('KILL QUERY of the waiting statement cancels the job', async () => {
      await f.exec(createRepositorySql(kind, f, 'slow', s3));
      const { ts } = await backupTo(f, 'BACKUP SNAPSHOT d1.s1 TO slow ON (t)', 's1', 'slow');
      const [[conn]] = (await f.rows('SELECT CONNECTION_ID()')) as [[string]];
      const midRun = new Promise<void>((resolve) => {
        const off = f.engine.jobs.events.on('progress', (e) => {
          if (e.kind === 'VERIFY' && e.filesDone > 0) {
            off();
            resolve();
          }
        });
      });
      const statement = f.exec(`VERIFY SNAPSHOT s1 ON slow PROPERTIES ("backup_timestamp" = "${ts}", "mode" = "checksum")`);
      statement.catch(() => undefined);
      await midRun;
      await f.engine.session().execute(`KILL QUERY ${conn}`);
      await expect(statement).rejects.toThrow('Query execution was interrupted');
      await eventually(async () => {
        const [row] = await f.rows('SHOW VERIFY ON slow');
        expect([row?.[6], row?.[15]]).toEqual(['CANCELLED', '[COMMON_ERROR, msg: the VERIFY SNAPSHOT statement was killed]']);
      });
    });

    it.runIf(kind === 'file')('a restart mid-run runs the VERIFY again to its end; SHOW VERIFY has the result', async () => {
      await f.exec(createRepositorySql(kind, f, 'slow', s3));
      const { ts } = await backupTo(f, 'BACKUP SNAPSHOT d1.s1 TO slow ON (t)', 's1', 'slow');
      const midRun = new Promise<number>((resolve) => {
        const off = f.engine.jobs.events.on('progress', (e) => {
          if (e.kind === 'VERIFY' && e.filesDone > 0) {
            off();
            resolve(e.jobId);
          }
        });
      });
      const statement = f.exec(`VERIFY SNAPSHOT s1 ON slow PROPERTIES ("backup_timestamp" = "${ts}", "mode" = "checksum")`);
      statement.catch(() => undefined);
      const id = await midRun;
      await f.reopen();
      // The statement went with its engine; the job did not.
      await expect(statement).rejects.toThrow();
      const done = await f.engine.jobs.waitForJob(id);
      expect([done.state, done.statusCode]).toEqual(['FINISHED', 'OK']);
      const [row] = await f.rows('SHOW VERIFY ON slow');
      expect([row?.[0], row?.[6], row?.[9], row?.[12], row?.[13]]).toEqual([String(id), 'FINISHED', '16/16', 'OK', '0']);
    });

    it('CANCEL VERIFY while restore mode restores cancels its RESTORE and drops the scratch database', async () => {
      await f.exec(createRepositorySql(kind, f, 'slow', s3));
      const { ts } = await backupTo(f, 'BACKUP SNAPSHOT d1.s1 TO slow ON (t)', 's1', 'slow');
      const before = dataFiles(f);
      const downloading = new Promise<void>((resolve) => {
        const off = f.engine.jobs.events.on('state', (e) => {
          if (e.kind === 'RESTORE' && e.to === 'DOWNLOADING') {
            off();
            resolve();
          }
        });
      });
      const statement = f.exec(`VERIFY SNAPSHOT s1 ON slow PROPERTIES ("backup_timestamp" = "${ts}", "mode" = "restore")`);
      statement.catch(() => undefined);
      await downloading;
      const other = f.engine.session();
      const [row] = await rowsOf(other, 'SHOW VERIFY ON slow');
      expect(row?.[6]).toBe('RESTORING');
      expect(row?.[11]).toMatch(/^\d+$/);
      await other.execute('CANCEL VERIFY ON slow');
      await expect(statement).rejects.toThrow(/was cancelled: \[COMMON_ERROR, msg: user cancelled, current state: RESTORING\]$/);
      expect(lastRestore(f)?.state).toBe('CANCELLED');
      expect(String(lastRestore(f)?.id)).toBe(row?.[11]);
      expect(databases(f)).toEqual(['d1']);
      await eventually(() => expect(dataFiles(f)).toEqual(before));
      expect(await f.rows('SELECT COUNT(*) FROM d1.t')).toEqual([['80']]);
    });

    it('restore mode restores into a hidden scratch database, finds the snapshot good and leaves nothing behind', async () => {
      await f.exec(createRepositorySql(kind, f, 'r1', s3));
      const { ts } = await backupTo(f, 'BACKUP SNAPSHOT d1.s1 TO r1 ON (t)', 's1', 'r1');
      const before = dataFiles(f);
      // Seen while it runs: the scratch database exists in the catalog but SHOW DATABASES never lists it.
      const listed = new Set<string>();
      const watcher = f.engine.jobs.events.on('state', (e) => {
        if (e.kind !== 'RESTORE') return;
        for (const d of databases(f)) listed.add(d);
      });
      const shown: Promise<(string | null)[][]>[] = [];
      const showing = f.engine.jobs.events.on('state', (e) => {
        if (e.kind !== 'RESTORE' || e.to !== 'DOWNLOADING') return;
        shown.push(rowsOf(f.engine.session(), 'SHOW DATABASES'));
        shown.push(rowsOf(f.engine.session(), 'SELECT SCHEMA_NAME FROM information_schema.schemata ORDER BY 1'));
      });
      const rows = await f.rows(`VERIFY SNAPSHOT s1 ON r1 PROPERTIES ("backup_timestamp" = "${ts}", "mode" = "restore")`);
      watcher();
      showing();
      expect(rows).toEqual([['OK', '1', '8', '16', expect.stringMatching(/^\d+$/), null, null]]);
      expect([...listed].filter((n) => SCRATCH.test(n))).toHaveLength(1);
      expect(shown).toHaveLength(2);
      expect((await Promise.all(shown)).map((r) => r.flat())).toEqual([['d1', 'information_schema'], ['d1', 'information_schema']]);
      const [show] = await f.rows('SHOW VERIFY ON r1');
      expect([show?.[5], show?.[6], show?.[12], show?.[13], show?.[15]]).toEqual(['restore', 'FINISHED', 'OK', '0', '[OK]']);
      // The RESTORE it ran is a real RESTORE job, finished; its database is gone, and so are its tablet files.
      const restore = lastRestore(f);
      expect([String(restore?.id), restore?.state, SCRATCH.test(restore?.db_name ?? '')]).toEqual([show?.[11], 'FINISHED', true]);
      expect(databases(f)).toEqual(['d1']);
      // SHOW RESTORE over every database does not list it either (SHOW VERIFY does).
      expect(await f.rows('SHOW RESTORE')).toEqual([]);
      await eventually(() => expect(dataFiles(f)).toEqual(before));
      expect(await f.rows('SELECT COUNT(*) FROM d1.t')).toEqual([['80']]);
    });

    it('restore mode names every tampered partition with its expected and found values', async () => {
      await f.exec(createRepositorySql(kind, f, 'r1', s3));
      const { ts } = await backupTo(f, 'BACKUP SNAPSHOT d1.s1 TO r1 ON (t)', 's1', 'r1');
      // Record a wrong row count for p3 and a wrong checksum for p6 in the info file (re-named with its new md5).
      const location = /LOCATION '([^']+)'/.exec(createRepositorySql(kind, f, 'r1', s3))?.[1] ?? '';
      const broker = await openBroker(location, s3?.properties ?? {});
      const root = '__starrocks_repository_r1';
      const infoName = (await keysUnder(broker, `${root}/__ss_s1/`)).find((k) => k.includes('/__info_'));
      if (infoName === undefined) throw new Error('no info file');
      const info = parseJobInfo((await readAll(await broker.read(infoName))).toString('utf8'));
      const stats = info.extension?.partitionStats['t'];
      const [p3, p6] = [stats?.['p3'], stats?.['p6']];
      if (info.extension === undefined || stats === undefined || p3 === undefined || p6 === undefined) throw new Error('no partition stats');
      const wrongSum = p6.checksum.replace(/^./, (c) => (c === '0' ? '1' : '0'));
      const lying = { ...info, extension: { ...info.extension, partitionStats: { t: { ...stats, p3: { ...p3, rowCount: p3.rowCount + 1 }, p6: { ...p6, checksum: wrongSum } } } } };
      const text = serializeJobInfo(lying);
      await broker.write(`${root}/__ss_s1/__info_${ts}.${md5Hex(text)}`, Buffer.from(text));
      await broker.delete(infoName);
      const before = dataFiles(f);

      const rows = await f.rows(`VERIFY SNAPSHOT s1 ON r1 PROPERTIES ("mode" = "restore")`);
      expect(rows).toEqual([
        ['PROBLEM', null, null, null, null, 't.p3', `staged partition p3 of table t: rows ${p3.rowCount}, the snapshot records ${p3.rowCount + 1}`],
        ['PROBLEM', null, null, null, null, 't.p6', `staged partition p6 of table t: checksum ${p6.checksum}, the snapshot records ${wrongSum}`],
        ['FAILED', '1', '8', '16', expect.stringMatching(/^\d+$/), null, '2 problems found; RESTORE this snapshot would fail. Restore another snapshot, or back up again'],
      ]);
      // The RESTORE refused to publish (its own check); nothing of it stays, and the user's table is untouched.
      expect(lastRestore(f)?.state).toBe('CANCELLED');
      expect(databases(f)).toEqual(['d1']);
      await eventually(() => expect(dataFiles(f)).toEqual(before));
      expect(await f.rows('SELECT COUNT(*) FROM d1.t')).toEqual([['80']]);

      // A flipped byte keeps the file's size (the listing cannot see it); the RESTORE's download fails on its md5, and
      // VERIFY names the file by its repository path.
      const dat = (await keysUnder(broker, `${root}/__ss_s1/`)).find((k) => /\.dat\.[0-9a-f]{32}$/.test(k));
      if (dat === undefined) throw new Error('no data file');
      const bytes = Buffer.from(await readAll(await broker.read(dat)));
      const at = Math.floor(bytes.length / 2);
      bytes[at] = (bytes[at] ?? 0) ^ 0x01;
      await broker.write(dat, bytes);
      const flipped = await f.rows(`VERIFY SNAPSHOT s1 ON r1 PROPERTIES ("mode" = "restore")`);
      expect(flipped.map((r) => [r[0], r[5], r[6]])).toEqual([
        ['PROBLEM', `${location}/${dat}`, expect.stringMatching(new RegExp(`^content md5 is [0-9a-f]{32}, the snapshot records ${/\.([0-9a-f]{32})$/.exec(dat)?.[1]} \\(the file was changed after the backup\\)$`))],
        ['FAILED', null, '1 problem found; RESTORE this snapshot would fail. Restore another snapshot, or back up again'],
      ]);
      expect(databases(f)).toEqual(['d1']);
    });
  });
}

/** Every database in the catalog, hidden ones included (read beside the engine: SQLite in WAL mode allows it). */
function databases(f: BackupFixture): string[] {
  const db = new Database(path.join(f.dataDir, 'catalog.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT name FROM databases ORDER BY name').all() as { name: string }[]).map((r) => r.name);
  } finally {
    db.close();
  }
}

/** The newest RESTORE job in the catalog. */
function lastRestore(f: BackupFixture): { id: number; state: string; db_name: string } | undefined {
  const db = new Database(path.join(f.dataDir, 'catalog.sqlite'), { readonly: true });
  try {
    return db.prepare("SELECT id, state, db_name FROM jobs WHERE kind = 'RESTORE' ORDER BY id DESC LIMIT 1").get() as { id: number; state: string; db_name: string } | undefined;
  } finally {
    db.close();
  }
}

/** Rows of a statement on a session. */
async function rowsOf(session: { execute(sql: string): Promise<import('../../src/sql/result.ts').StatementResult> }, sql: string): Promise<(string | null)[][]> {
  const r = await session.execute(sql);
  if (r.kind !== 'rows') throw new Error(`${sql} returned OK`);
  return r.rows.map((row) => [...row]);
}

/** Tablet files of the data dir (what a scratch restore adds and must take away again). */
function dataFiles(f: BackupFixture): string[] {
  return listTree(f.dataDir).filter((p) => /^be\d+\//.test(p) && !p.endsWith('OWNER'));
}

async function eventually(check: () => void | Promise<void>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

async function keysUnder(broker: Broker, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of broker.list(prefix, { recursive: true })) if (!e.isDirectory) out.push(e.key);
  return out;
}
