/**
 * Schema change, SWAP, REPLACE PARTITION and replica changes wait for the BACKUP / RESTORE jobs on their table:
 * refused while a BACKUP uploads the table (held at its first upload) and while a RESTORE targets it (held in
 * PENDING and DOWNLOADING), allowed once the job ended. Other tables stay free.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Broker, WriteOptions } from '../../../src/brokers/broker.ts';
import { openBroker } from '../../../src/brokers/open-broker.ts';
import { Gate, RestoreGates } from '../../jobs/gated-broker.ts';
import { openFixture, type BackupFixture } from '../backup-fixture.ts';
import { runToEnd } from '../restore-dataset.ts';

let f: BackupFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

async function refused(fx: BackupFixture, sql: string): Promise<string> {
  const error = await fx.exec(sql).then(() => null, (e: unknown) => e as Error);
  expect(error, `${sql} must be refused`).not.toBeNull();
  return error!.message;
}

async function seed(fx: BackupFixture): Promise<void> {
  await fx.exec('CREATE DATABASE d1');
  await fx.exec('CREATE TABLE d1.big (id INT, v VARCHAR(20)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 2');
  await fx.exec("INSERT INTO d1.big VALUES (1, 'a'), (2, 'b'), (3, 'c')");
  await fx.exec('CREATE TABLE d1.other (k INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1');
  await fx.exec(`CREATE REPOSITORY r1 WITH BROKER ON LOCATION 'file://${path.join(fx.dir, 'repo')}'`);
}

describe('schema DDL against running jobs', () => {
  it('a BACKUP uploading a table: its schema change and SWAP are refused, other tables are free', async () => {
    const uploads = new Gate();
    const open = async (location: string, properties: Readonly<Record<string, string>>): Promise<Broker> => {
      const inner = await openBroker(location, properties);
      return new Proxy(inner, {
        get: (target, prop, receiver) => {
          // BACKUP uploads in batches where the broker has them (uploadFiles), one by one otherwise: hold both.
          if (prop === 'uploadFiles' && target.uploadFiles !== undefined) {
            return async (...args: Parameters<NonNullable<Broker['uploadFiles']>>) => {
              await uploads.pass(args[1]?.signal);
              return target.uploadFiles?.(...args);
            };
          }
          if (prop === 'uploadFile') {
            return async (localPath: string, key: string, o?: WriteOptions) => {
              await uploads.pass(o?.signal);
              return target.uploadFile(localPath, key, o);
            };
          }
          const v = Reflect.get(target, prop, receiver) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
    };
    const fx = (f = await openFixture({ openBroker: open }));
    await seed(fx);
    uploads.close();
    const submitted = await fx.exec('BACKUP SNAPSHOT d1.s TO r1 ON (big)');
    const id = Number(/job (\d+)/.exec(submitted.kind === 'ok' ? (submitted.message ?? '') : '')?.[1]);
    try {
      await uploads.held();
      expect(await refused(fx, 'ALTER TABLE d1.big ADD COLUMN x INT')).toMatch(
        new RegExp(`^Table\\[big\\]'s state is not NORMAL\\. Do not allow doing ALTER ops: BACKUP job ${id} \\(label s, state UPLOADING\\) is reading it, so it cannot be changed now`),
      );
      expect(await refused(fx, 'ALTER TABLE d1.other SWAP WITH big')).toMatch(/BACKUP job \d+ .* so it cannot be swapped now/);
      expect(await refused(fx, 'ALTER TABLE d1.big SET ("replication_num" = "1")')).toMatch(/cannot be given another replica count now/);
      // The job names its tables: a rename under it would leave it reading a name that is gone (or another table).
      expect(await refused(fx, 'ALTER TABLE d1.big RENAME big2')).toMatch(/BACKUP job \d+ .* so it cannot be renamed now/);
      expect(await refused(fx, 'ALTER TABLE d1.big MODIFY PARTITION (*) SET ("replication_num" = "1")')).toMatch(/cannot be given another replica count now/);
      // Loads and other tables are not blocked: the backup reads pinned versions.
      await fx.exec("INSERT INTO d1.big VALUES (9, 'z')");
      await fx.exec('ALTER TABLE d1.other ADD COLUMN x INT');
    } finally {
      uploads.open();
    }
    expect((await fx.engine.jobs.waitForJob(id)).state).toBe('FINISHED');
    await fx.exec('ALTER TABLE d1.big ADD COLUMN x INT');
    expect((await fx.rows('SELECT count(x) FROM d1.big')).flat()).toEqual(['0']);
  }, 60_000);

  it('a RESTORE targeting a table: schema change and SWAP are refused in PENDING and DOWNLOADING', async () => {
    const gates = new RestoreGates();
    const fx = (f = await openFixture({ openBroker: gates.open }));
    await seed(fx);
    expect((await runToEnd(fx, 'BACKUP SNAPSHOT d1.s TO r1 ON (big)')).state).toBe('FINISHED');
    const ts = (await fx.rows("SHOW SNAPSHOT ON r1 WHERE SNAPSHOT = 's'"))[0]?.[1] ?? '';
    gates.resetMeta();
    gates.meta.close();
    gates.content.close();
    const submitted = await fx.exec(`RESTORE SNAPSHOT d1.s FROM r1 ON (big) PROPERTIES ("backup_timestamp" = "${ts}")`);
    const id = Number(/job (\d+)/.exec(submitted.kind === 'ok' ? (submitted.message ?? '') : '')?.[1]);
    try {
      await gates.meta.held();
      expect(await refused(fx, 'ALTER TABLE d1.big DROP COLUMN v')).toMatch(/^Table big's state is RESTORE: RESTORE job \d+ \(label s, state PENDING\) is writing it, so it cannot be changed now/);
      expect(await refused(fx, 'ALTER TABLE d1.other SWAP WITH big')).toMatch(/state PENDING\) is writing it, so it cannot be swapped now/);
      gates.meta.open();
      await gates.content.held();
      expect(await refused(fx, 'ALTER TABLE d1.big MODIFY COLUMN v VARCHAR(30)')).toMatch(/^Table big's state is RESTORE/);
      expect(await refused(fx, 'ALTER TABLE d1.other SWAP WITH big')).toMatch(/^Table big's state is RESTORE/);
      expect(await refused(fx, 'UPDATE d1.big SET v = 1 WHERE id = 1')).toMatch(/^Table big's state is RESTORE/);
      await fx.exec('ALTER TABLE d1.other ADD COLUMN x INT');
    } finally {
      gates.meta.open();
      gates.content.open();
    }
    expect((await fx.engine.jobs.waitForJob(id)).state).toBe('FINISHED');
    await fx.exec('ALTER TABLE d1.big DROP COLUMN v');
    await fx.exec('ALTER TABLE d1.other SWAP WITH big');
    expect((await fx.rows('SELECT * FROM d1.other ORDER BY id')).flat()).toEqual(['1', '2', '3']);
  }, 60_000);
});
