import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BrokerError, type Broker } from '../../src/brokers/broker.ts';
import { openBroker } from '../../src/brokers/open-broker.ts';
import { md5Hex } from '../../src/repository/md5.ts';
import { listTree, openFixture, seedDatabase, type BackupFixture } from './backup-fixture.ts';
import { runToEnd } from './restore-dataset.ts';

/**
 * BACKUP label reservation and what surrounds it, through the library door of one engine: two databases racing for
 * one label, snapshots made ambiguous by hand, a reservation lost or contested mid-job, UPLOAD_INFO failing, temp
 * leftovers, a READ ONLY repository on a fresh location, locations that cannot hold a directory, an edited __meta.
 */

/** Per-repository hooks: repositories whose location contains `hooked` go through them. */
const hooks = {
  /** Runs once, before the first uploadFile (or uploadFiles batch) of a hooked repository (then cleared). */
  beforeFirstUpload: undefined as (() => void) | undefined,
  /** While true, every write (meta and info files) of a hooked repository fails as a full disk does. */
  diskFull: false,
};

async function hookedBrokers(location: string, properties: Readonly<Record<string, string>>): Promise<Broker> {
  const inner = await openBroker(location, properties);
  if (!location.includes('hooked')) return inner;
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === 'uploadFile') {
        return (...args: Parameters<Broker['uploadFile']>) => {
          const hook = hooks.beforeFirstUpload;
          hooks.beforeFirstUpload = undefined;
          hook?.();
          return target.uploadFile(...args);
        };
      }
      // A local repository takes a backup's files as one batch.
      if (prop === 'uploadFiles' && target.uploadFiles !== undefined) {
        return (...args: Parameters<NonNullable<Broker['uploadFiles']>>) => {
          const hook = hooks.beforeFirstUpload;
          hooks.beforeFirstUpload = undefined;
          hook?.();
          return target.uploadFiles?.(...args);
        };
      }
      if (prop === 'write') {
        return (...args: Parameters<Broker['write']>) => {
          if (!hooks.diskFull) return target.write(...args);
          const key = args[0];
          return Promise.reject(
            new BrokerError('IO', `No space left while writing ${JSON.stringify(key)}: ENOSPC: no space left on device. Free space on the repository disk.`, {
              key,
              retryable: false,
            }),
          );
        };
      }
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

let f: BackupFixture;
let repoDir: string;
let hookedDir: string;

beforeAll(async () => {
  f = await openFixture({ openBroker: hookedBrokers });
  await seedDatabase(f, 'd1');
  await seedDatabase(f, 'd2');
  await f.exec("INSERT INTO d2.t VALUES (7, 'only in d2')");
  repoDir = path.join(f.dir, 'repo');
  hookedDir = path.join(f.dir, 'hooked');
  await f.exec(`CREATE REPOSITORY r1 WITH BROKER ON LOCATION 'file://${repoDir}'`);
  await f.exec(`CREATE REPOSITORY h WITH BROKER ON LOCATION 'file://${hookedDir}'`);
});
afterAll(async () => {
  await f?.close();
});

const jobIdOf = (message: string | undefined): number => Number(/job (\d+)/.exec(message ?? '')?.[1]);
const labelDir = (root: string, repo: string, label: string): string => path.join(root, `__starrocks_repository_${repo}`, `__ss_${label}`);
const timestampOf = async (repo: string, label: string): Promise<string> => (await f.rows(`SHOW SNAPSHOT ON ${repo} WHERE SNAPSHOT = '${label}'`))[0]?.[1] ?? '';

describe('two databases, one label', () => {
  it('exactly one of two BACKUPs submitted together or at small offsets wins; the other is refused; the winner restores', async () => {
    const rounds: { label: string; first: string; offsetMs: number }[] = [
      { label: 'same0', first: 'd1', offsetMs: 0 },
      { label: 'same1', first: 'd2', offsetMs: 0 },
      { label: 'same2', first: 'd1', offsetMs: 5 },
      { label: 'same3', first: 'd2', offsetMs: 50 },
      { label: 'same4', first: 'd1', offsetMs: 250 },
    ];
    for (const { label, first, offsetMs } of rounds) {
      const second = first === 'd1' ? 'd2' : 'd1';
      const a = f.engine.session().execute(`BACKUP SNAPSHOT ${first}.${label} TO r1`);
      const b = sleep(offsetMs).then(() => f.engine.session().execute(`BACKUP SNAPSHOT ${second}.${label} TO r1`));
      const outcomes = await Promise.allSettled([a, b]);
      const won = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
      const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as Error] : []));
      expect(won, label).toHaveLength(1);
      expect(lost.map((e) => e.message)).toEqual([`Snapshot with name '${label}' already exist in repository`]);
      const job = await f.engine.jobs.waitForJob(jobIdOf(won[0]?.kind === 'ok' ? won[0].message : undefined));
      expect([job.state, job.statusCode]).toEqual(['FINISHED', 'OK']);
      // One snapshot: one info file, one meta file, one reservation marker.
      const names = fs.readdirSync(labelDir(repoDir, 'r1', label)).sort();
      expect(names.filter((n) => n.startsWith('__info_'))).toHaveLength(1);
      expect(names.filter((n) => n.startsWith('__meta'))).toHaveLength(1);
      expect(names.filter((n) => n.startsWith('__label_'))).toHaveLength(1);
      expect((await f.rows(`SHOW SNAPSHOT ON r1 WHERE SNAPSHOT = '${label}'`))[0]?.[2]).toBe('OK');
      // The winner's snapshot restores to exactly its database's rows.
      const ts = await timestampOf('r1', label);
      const restore = await runToEnd(f, `RESTORE SNAPSHOT ${label} FROM r1 DATABASE ${job.dbName} AS copy_${label} ON (t) PROPERTIES ("backup_timestamp" = "${ts}")`);
      expect([restore.state, restore.statusMsg]).toEqual(['FINISHED', '']);
      expect(await f.rows(`SELECT * FROM copy_${label}.t ORDER BY id, v`)).toEqual(await f.rows(`SELECT * FROM ${job.dbName}.t ORDER BY id, v`));
    }
  }, 60_000);

  it('a snapshot made ambiguous by hand is not OK, and RESTORE says why', async () => {
    expect((await runToEnd(f, 'BACKUP SNAPSHOT d1.amb TO r1 ON (t)')).state).toBe('FINISHED');
    const dir = labelDir(repoDir, 'r1', 'amb');
    const ts = await timestampOf('r1', 'amb');
    expect((await f.rows("SHOW SNAPSHOT ON r1 WHERE SNAPSHOT = 'amb'"))[0]?.[2]).toBe('OK');
    const info = fs.readdirSync(dir).find((n) => n.startsWith('__info_')) as string;
    const meta = fs.readdirSync(dir).find((n) => n.startsWith('__meta')) as string;
    // What two racing backups used to leave behind: a second info file and a second meta file.
    const otherInfo = fs.readFileSync(path.join(dir, info), 'utf8').replace('"amb"', '"amb" ');
    fs.writeFileSync(path.join(dir, `__info_2020-01-01-00-00-00-000.${md5Hex(Buffer.from(otherInfo))}`), otherInfo);
    const otherMeta = `${fs.readFileSync(path.join(dir, meta), 'utf8')} `;
    fs.writeFileSync(path.join(dir, `__meta.${md5Hex(Buffer.from(otherMeta))}`), otherMeta);
    const [row] = await f.rows("SHOW SNAPSHOT ON r1 WHERE SNAPSHOT = 'amb'");
    expect(row?.[1]).toBe(`2020-01-01-00-00-00-000\n${ts}`);
    expect(row?.[2]).toMatch(/^ERROR: not restorable: 2 info files \(__info_2020.*\); 2 meta files \(__meta\..*\); DROP SNAPSHOT amb ON r1 FORCE removes it$/);
    expect((await f.rows('SHOW SNAPSHOT ON r1')).find((r) => r[0] === 'amb')?.[2]).toMatch(/^ERROR: not restorable/);
    const [detail] = await f.rows(`SHOW SNAPSHOT ON r1 WHERE SNAPSHOT = 'amb' AND TIMESTAMP = '${ts}'`);
    expect(detail?.[4]).toMatch(/^ERROR: not restorable: 2 info files/);
    await expect(f.exec(`RESTORE SNAPSHOT amb FROM r1 DATABASE d1 AS never ON (t) PROPERTIES ("backup_timestamp" = "${ts}")`)).rejects.toThrow(
      /^Failed to read backup meta from file of snapshot 'amb': snapshot 'amb' in repository r1 is not restorable: it holds 2 info files \(.*\); 2 meta files \(.*\), where one backup writes exactly one info and one meta file\. Drop it with DROP SNAPSHOT amb ON r1 FORCE and back up again$/,
    );
    expect((await f.rows('SHOW DATABASES')).flat()).not.toContain('never');
  });

  it("a crashed submitter's marker keeps the label until DROP SNAPSHOT … FORCE removes it", async () => {
    const dir = labelDir(repoDir, 'r1', 'orphan');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, '__label_0b5e6c1e-dead-4bad-beef-000000000000'), '{"label":"orphan"}');
    await expect(f.exec('BACKUP SNAPSHOT d1.orphan TO r1')).rejects.toThrow("Snapshot with name 'orphan' already exist in repository");
    expect((await f.rows("SHOW SNAPSHOT ON r1 WHERE SNAPSHOT = 'orphan'"))[0]?.[2]).toBe('ERROR: no snapshot');
    await expect(f.exec('DROP SNAPSHOT orphan ON r1')).rejects.toThrow(/does not record which cluster created it/);
    await f.exec('DROP SNAPSHOT orphan ON r1 FORCE');
    expect(fs.existsSync(dir)).toBe(false);
    expect((await runToEnd(f, 'BACKUP SNAPSHOT d1.orphan TO r1')).state).toBe('FINISHED');
  });
});

describe('the reservation is checked again before the info file is written', () => {
  it('a reservation removed while the job runs cancels it, publishing nothing', async () => {
    hooks.beforeFirstUpload = () => {
      const dir = labelDir(hookedDir, 'h', 'gone');
      for (const n of fs.readdirSync(dir).filter((x) => x.startsWith('__label_'))) fs.rmSync(path.join(dir, n));
    };
    const job = await runToEnd(f, 'BACKUP SNAPSHOT d1.gone TO h');
    expect(job.state).toBe('CANCELLED');
    expect(job.statusMsg).toMatch(/^The reservation of label 'gone' in repository h is gone \(__ss_gone\/__label_[0-9a-f-]+ was deleted, e\.g\. by DROP SNAPSHOT gone ON h FORCE\); the snapshot was not published\. Back up again$/);
    expect(fs.readdirSync(labelDir(hookedDir, 'h', 'gone')).filter((n) => n.startsWith('__info_') || n.startsWith('__meta'))).toEqual([]);
    const [row] = await f.rows('SHOW BACKUP FROM d1');
    expect(row?.[12]).toBe(`[COMMON_ERROR, msg: ${job.statusMsg}]`);
  });

  it("another backup's info file appearing under the label cancels the job, keeping the label unambiguous", async () => {
    hooks.beforeFirstUpload = () => {
      fs.writeFileSync(path.join(labelDir(hookedDir, 'h', 'contested'), '__info_2001-01-01-00-00-00-000.0123456789abcdef0123456789abcdef'), '{}');
    };
    const job = await runToEnd(f, 'BACKUP SNAPSHOT d1.contested TO h');
    expect(job.state).toBe('CANCELLED');
    expect(job.statusMsg).toBe(
      "Another backup wrote label 'contested' in repository h (__info_2001-01-01-00-00-00-000.0123456789abcdef0123456789abcdef); this snapshot was not published, so the label stays unambiguous. Back up again with another label",
    );
    expect(fs.readdirSync(labelDir(hookedDir, 'h', 'contested')).filter((n) => n.startsWith('__info_') || n.startsWith('__meta'))).toHaveLength(1);
  });

  it('UPLOAD_INFO failing (repository disk full) shows in Status while it retries, then the job finishes', async () => {
    hooks.diskFull = true;
    try {
      const r = await f.exec('BACKUP SNAPSHOT d2.fulldisk TO h');
      const id = jobIdOf(r.kind === 'ok' ? r.message : undefined);
      let row: (string | null)[] | undefined;
      for (let i = 0; i < 500; i++) {
        [row] = await f.rows('SHOW BACKUP FROM d2');
        if (row?.[12] !== '[OK]') break;
        await sleep(10);
      }
      expect(row?.[3]).toBe('UPLOAD_INFO');
      expect(row?.[12]).toMatch(
        /^\[COMMON_ERROR, msg: No space left while writing "__starrocks_repository_h\/__ss_fulldisk\/__meta\.part": ENOSPC: no space left on device\. Free space on the repository disk\. \(attempt 1 failed; retrying in [123] s\)\]$/,
      );
      hooks.diskFull = false;
      const job = await f.engine.jobs.waitForJob(id);
      expect([job.state, job.statusCode, job.statusMsg]).toEqual(['FINISHED', 'OK', '']);
      expect((await f.rows('SHOW BACKUP FROM d2'))[0]?.[12]).toBe('[OK]');
    } finally {
      hooks.diskFull = false;
    }
  }, 20_000);

  it('temp files interrupted uploads left in the repository are gone when the job finishes', async () => {
    hooks.beforeFirstUpload = () => {
      // What a killed upload leaves: the adapter's hidden temp file and the checksum protocol's .part.
      const dir = path.join(labelDir(hookedDir, 'h', 'tidy'), '__ss_content', '__db_1', '__tbl_2', '__part_3', '__idx_4', '__5');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, '.tvtmp-0123456789ab-5_0.dat.part'), 'half of a file');
      fs.writeFileSync(path.join(dir, '5_1.dat.part'), 'half of another');
      fs.writeFileSync(path.join(labelDir(hookedDir, 'h', 'tidy'), '__meta.part'), 'half a meta');
    };
    const job = await runToEnd(f, 'BACKUP SNAPSHOT d1.tidy TO h');
    expect(job.state).toBe('FINISHED');
    const left = listTree(labelDir(hookedDir, 'h', 'tidy'));
    expect(left.filter((p) => p.endsWith('.part') || path.basename(p).startsWith('.tvtmp-'))).toEqual([]);
    expect((await f.rows("SHOW SNAPSHOT ON h WHERE SNAPSHOT = 'tidy'"))[0]?.[2]).toBe('OK');
  });
});

describe('repositories that must not write, and locations that cannot hold one', () => {
  it('a READ ONLY repository on a fresh location writes nothing', async () => {
    const fresh = path.join(f.dir, 'fresh-ro');
    await f.exec(`CREATE READ ONLY REPOSITORY fresh_ro WITH BROKER ON LOCATION 'file://${fresh}'`);
    expect(fs.existsSync(fresh)).toBe(false);
    expect((await f.rows('SHOW REPOSITORIES')).find((r) => r[1] === 'fresh_ro')?.[3]).toBe('true');
    expect(await f.rows('SHOW SNAPSHOT ON fresh_ro')).toEqual([]);
    await expect(f.exec('BACKUP SNAPSHOT d1.x TO fresh_ro')).rejects.toThrow('Repository fresh_ro is read only');
    expect(fs.existsSync(fresh)).toBe(false);
    // Once a writer creates the repository there, the read-only one sees its snapshots.
    await f.exec('DROP REPOSITORY fresh_ro');
    await f.exec(`CREATE REPOSITORY fresh_ro WITH BROKER ON LOCATION 'file://${fresh}'`);
    expect((await runToEnd(f, 'BACKUP SNAPSHOT d1.seen TO fresh_ro')).state).toBe('FINISHED');
    await f.exec('DROP REPOSITORY fresh_ro');
    await f.exec(`CREATE READ ONLY REPOSITORY fresh_ro WITH BROKER ON LOCATION 'file://${fresh}'`);
    expect((await f.rows('SHOW SNAPSHOT ON fresh_ro')).map((r) => [r[0], r[2]])).toEqual([['seen', 'OK']]);
  });

  it.skipIf(!fs.existsSync('/proc/self'))('file:///proc/… fails fast with a clear error', async () => {
    const started = Date.now();
    await expect(f.exec("CREATE REPOSITORY procfs WITH BROKER ON LOCATION 'file:///proc/tablevault-nowhere'")).rejects.toThrow(
      'Failed to create repository: Cannot create directory "/proc/tablevault-nowhere/__starrocks_repository_procfs" (at "/proc/tablevault-nowhere"): the file system refuses to create it (is the location on a pseudo file system such as /proc?). Check the repository location.',
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await f.rows('SHOW REPOSITORIES')).map((r) => r[1])).not.toContain('procfs');
  });

  it('a location under a regular file fails fast with a clear error', async () => {
    const plain = path.join(f.dir, 'plain-file');
    fs.writeFileSync(plain, 'not a directory');
    const started = Date.now();
    await expect(f.exec(`CREATE REPOSITORY underfile WITH BROKER ON LOCATION 'file://${plain}/sub'`)).rejects.toThrow(
      `Failed to create repository: Cannot create directory "${plain}/sub/__starrocks_repository_underfile": a parent of it is a regular file, not a directory. Check the repository location.`,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('RESTORE checks __meta against the data', () => {
  it('refuses a __meta edited to change a column type, naming the mismatch, and publishes nothing', async () => {
    expect((await runToEnd(f, 'BACKUP SNAPSHOT d1.tampered TO r1 ON (t)')).state).toBe('FINISHED');
    const dir = labelDir(repoDir, 'r1', 'tampered');
    const metaName = fs.readdirSync(dir).find((n) => n.startsWith('__meta.')) as string;
    const meta = JSON.parse(fs.readFileSync(path.join(dir, metaName), 'utf8')) as { tables: { name: string; columns: { name: string; type: { name: string; length?: number } }[] }[] };
    const column = meta.tables.find((t) => t.name === 't')?.columns.find((c) => c.name === 'v');
    expect(column?.type).toEqual({ name: 'VARCHAR', length: 20 });
    if (column !== undefined) column.type = { name: 'VARCHAR', length: 30 };
    const edited = JSON.stringify(meta);
    fs.rmSync(path.join(dir, metaName));
    fs.writeFileSync(path.join(dir, `__meta.${md5Hex(Buffer.from(edited))}`), edited);
    const ts = await timestampOf('r1', 'tampered');
    const job = await runToEnd(f, `RESTORE SNAPSHOT tampered FROM r1 DATABASE d1 AS tampered_copy ON (t) PROPERTIES ("backup_timestamp" = "${ts}")`);
    expect(job.state).toBe('CANCELLED');
    expect(job.statusCode).toBe('BAD_FILE');
    expect(job.statusMsg).toMatch(
      /^The __meta of snapshot tampered does not match its data: column `v` of table t is varchar\(30\) in __meta, but tablet \d+ (header \d+\.hdr|file \d+_\d+\.dat) stores varchar\(20\)\. The meta file was changed after the backup; restore another snapshot$/,
    );
    expect((await f.rows('SHOW DATABASES')).flat()).not.toContain('tampered_copy');
  });
});
