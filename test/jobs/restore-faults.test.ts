import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Broker } from '../../src/brokers/broker.ts';
import { FaultInjectingBroker, type FaultOptions } from '../../src/brokers/fault-injecting-broker.ts';
import { openBroker } from '../../src/brokers/open-broker.ts';
import { md5Hex } from '../../src/repository/md5.ts';
import { listTree, openFixture, seedDatabase, unkeptSnapshotFiles, type BackupFixture } from '../sql/backup-fixture.ts';
import { runToEnd } from '../sql/restore-dataset.ts';

/**
 * RESTORE against misbehaving storage (the fault-injecting broker around a real file:// adapter, applied to the
 * data files under `__ss_content` only, read one by one or in batches): transient errors are retried and the job finishes; permanent errors,
 * corrupt files, a failed content check and a user cancel all end CANCELLED — the existing table exactly as it was,
 * created tables gone, no local snapshot or staging dir left.
 */

/** Routes reads of data files through a FaultInjectingBroker; everything else goes straight to the adapter. */
function contentFaults(options: FaultOptions) {
  const wrappers: FaultInjectingBroker[] = [];
  let enabled = false;
  return {
    injected: () => wrappers.reduce((n, w) => n + w.stats.injected, 0),
    enable: () => {
      enabled = true;
    },
    open: async (location: string, properties: Readonly<Record<string, string>>): Promise<Broker> => {
      const inner = await openBroker(location, properties);
      const fault = new FaultInjectingBroker(inner, options);
      wrappers.push(fault);
      return new Proxy(inner, {
        get(target, prop, receiver) {
          if (prop === 'read') {
            return (key: string, o?: object) => (enabled && key.includes('/__ss_content/') ? fault.read(key, o) : target.read(key, o));
          }
          // Batched downloads (a local repository) read the same objects: each item counts as one read.
          if (prop === 'downloadFiles' && target.downloadFiles !== undefined && fault.downloadFiles !== undefined) {
            const batch = (enabled ? fault.downloadFiles : target.downloadFiles).bind(enabled ? fault : target);
            return batch;
          }
          const v = Reflect.get(target, prop, receiver) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
    },
  };
}

let f: BackupFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

/** d1 backed up as `s`; then `t` damaged (a row deleted) and `u` dropped. Returns the timestamp and the damaged t. */
async function prepare(fx: BackupFixture): Promise<{ ts: string; damagedT: (string | null)[][]; originalT: (string | null)[][] }> {
  await seedDatabase(fx);
  await fx.exec(`CREATE REPOSITORY r1 WITH BROKER ON LOCATION 'file://${path.join(fx.dir, 'repo')}'`);
  const originalT = await fx.rows('SELECT * FROM d1.t ORDER BY id');
  const b = await runToEnd(fx, 'BACKUP SNAPSHOT d1.s TO r1');
  expect(b.state).toBe('FINISHED');
  const ts = (await fx.rows("SHOW SNAPSHOT ON r1 WHERE SNAPSHOT = 's'"))[0]?.[1] ?? '';
  await fx.exec('DELETE FROM d1.t WHERE id = 150');
  await fx.exec('DROP TABLE d1.u');
  return { ts, damagedT: await fx.rows('SELECT * FROM d1.t ORDER BY id'), originalT };
}

async function expectCleanCancel(fx: BackupFixture, damagedT: (string | null)[][]): Promise<void> {
  expect(await fx.rows('SELECT * FROM d1.t ORDER BY id')).toEqual(damagedT);
  expect((await fx.rows('SHOW TABLES FROM d1')).flat().sort()).toEqual(['t', 'v']);
  await fx.exec("INSERT INTO d1.t VALUES (5, 'e')"); // NORMAL again
  await fx.exec('DELETE FROM d1.t WHERE id = 5');
  // The restore is over, CANCELLED (its table set back to NORMAL above), and left nothing on disk.
  const restore = await fx.engine.jobs.waitForJob(Number((await fx.rows('SHOW RESTORE FROM d1'))[0]?.[0]));
  expect([restore.kind, restore.state]).toEqual(['RESTORE', 'CANCELLED']);
  expect(unkeptSnapshotFiles(fx.dataDir)).toEqual([]);
  expect(fs.existsSync(path.join(fx.dataDir, 'restore')) ? fs.readdirSync(path.join(fx.dataDir, 'restore')) : []).toEqual([]);
}

const RESTORE = (ts: string): string => `RESTORE SNAPSHOT d1.s FROM r1 ON (t, u) PROPERTIES ("backup_timestamp" = "${ts}")`;

describe('RESTORE with storage faults', () => {
  it('retries transient read errors and finishes', async () => {
    const faults = contentFaults({ failFraction: 0.15, errorKind: 'retryable', seed: 7 });
    f = await openFixture({ openBroker: faults.open });
    const { ts, originalT } = await prepare(f);
    faults.enable();
    const job = await runToEnd(f, RESTORE(ts));
    expect([job.state, job.statusMsg]).toEqual(['FINISHED', '']);
    expect(faults.injected()).toBeGreaterThan(0);
    expect(await f.rows('SELECT * FROM d1.t ORDER BY id')).toEqual(originalT);
    expect(await f.rows('SELECT * FROM d1.u ORDER BY k')).toEqual([['1', '10'], ['2', '21'], ['3', '30']]);
  }, 30_000);

  it('cancels cleanly on a permanent error', async () => {
    const faults = contentFaults({ failNthCall: { op: 'read', n: 3 }, errorKind: 'permanent' });
    f = await openFixture({ openBroker: faults.open });
    const { ts, damagedT } = await prepare(f);
    faults.enable();
    const job = await runToEnd(f, RESTORE(ts));
    expect(job.state).toBe('CANCELLED');
    expect(job.statusMsg).toContain('Injected permanent fault (read call 3)');
    await expectCleanCancel(f, damagedT);
  }, 30_000);

  it('cancels cleanly on a corrupt data file (md5 mismatch)', async () => {
    f = await openFixture();
    const { ts, damagedT } = await prepare(f);
    const root = path.join(f.dir, 'repo');
    const victim = listTree(root).find((p) => p.includes('/__ss_content/') && p.includes('.dat.'));
    expect(victim).toBeDefined();
    const file = path.join(root, victim!);
    const bytes = fs.readFileSync(file);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
    fs.writeFileSync(file, bytes);
    const job = await runToEnd(f, RESTORE(ts));
    expect([job.state, job.statusCode]).toEqual(['CANCELLED', 'BAD_FILE']);
    expect(job.statusMsg).toMatch(/^invalid md5 of downloaded file: .+, expected: [0-9a-f]{32}, get: [0-9a-f]{32}$/);
    await expectCleanCancel(f, damagedT);
  }, 30_000);

  it('refuses to publish content that does not match the row counts / checksums of the backup', async () => {
    f = await openFixture();
    const { ts, damagedT } = await prepare(f);
    // Rewrite the info file with a wrong checksum for t.p1 (and its md5 name), as a tampered snapshot would have.
    const dir = path.join(f.dir, 'repo', '__starrocks_repository_r1', '__ss_s');
    const infoName = fs.readdirSync(dir).find((n) => n.startsWith('__info_'))!;
    const info = JSON.parse(fs.readFileSync(path.join(dir, infoName), 'utf8')) as { tablevault: { partition_stats: Record<string, Record<string, { checksum: string }>> } };
    info.tablevault.partition_stats['t']!['p1']!.checksum = '0123456789abcdef';
    const text = JSON.stringify(info);
    fs.rmSync(path.join(dir, infoName));
    fs.writeFileSync(path.join(dir, `${infoName.slice(0, infoName.lastIndexOf('.'))}.${md5Hex(text)}`), text);
    const job = await runToEnd(f, RESTORE(ts));
    expect([job.state, job.statusCode]).toEqual(['CANCELLED', 'BAD_FILE']);
    expect(job.statusMsg).toMatch(/^restored content of partition p1 of table t does not match the backup: the files hold file checksum [0-9a-f]{16}; the backup recorded file checksum 0123456789abcdef\. The snapshot's data was changed after the backup; restore another snapshot$/);
    await expectCleanCancel(f, damagedT);
  }, 30_000);

  it('CANCEL RESTORE during DOWNLOADING leaves everything as it was', async () => {
    const faults = contentFaults({ latencyMs: 300 });
    f = await openFixture({ openBroker: faults.open });
    const { ts, damagedT } = await prepare(f);
    faults.enable();
    const r = await f.exec(RESTORE(ts));
    const id = Number(/job (\d+)/.exec(r.kind === 'ok' ? (r.message ?? '') : '')?.[1]);
    for await (const e of f.engine.jobs.watch(id)) if (e.state === 'DOWNLOADING') break;
    await f.exec('CANCEL RESTORE FROM d1');
    const job = await f.engine.jobs.waitForJob(id);
    expect([job.state, job.statusMsg]).toEqual(['CANCELLED', 'user cancelled, current state: DOWNLOADING']);
    expect((await f.rows('SHOW RESTORE FROM d1'))[0]?.[16]).toBe('[COMMON_ERROR, msg: user cancelled, current state: DOWNLOADING]');
    await expectCleanCancel(f, damagedT);
  }, 30_000);
});
