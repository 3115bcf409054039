import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RestoreGates } from '../jobs/gated-broker.ts';
import { openFixture, type BackupFixture } from './backup-fixture.ts';
import { runToEnd } from './restore-dataset.ts';

/**
 * DROP DATABASE, DROP TABLE and TRUNCATE TABLE of what a RESTORE is writing are refused while the job lives — from
 * PENDING (before the job has marked the table RESTORE, its ON list names it) through DOWNLOADING — and allowed again
 * once it finished or was cancelled. Before, DROP DATABASE went through and the job failed later with `partition …
 * has been dropped`.
 */

let f: BackupFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

async function setup(gates: RestoreGates): Promise<{ fx: BackupFixture; restore: string }> {
  const fx = await openFixture({ openBroker: gates.open });
  await fx.exec('CREATE DATABASE d1');
  await fx.exec('CREATE TABLE d1.big (id INT, v VARCHAR(20)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 2');
  await fx.exec("INSERT INTO d1.big VALUES (1, 'a'), (2, 'b'), (3, 'c')");
  await fx.exec('CREATE TABLE d1.other (k INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1');
  await fx.exec(`CREATE REPOSITORY r1 WITH BROKER ON LOCATION 'file://${path.join(fx.dir, 'repo')}'`);
  expect((await runToEnd(fx, 'BACKUP SNAPSHOT d1.s TO r1 ON (big)')).state).toBe('FINISHED');
  const ts = (await fx.rows("SHOW SNAPSHOT ON r1 WHERE SNAPSHOT = 's'"))[0]?.[1] ?? '';
  await fx.exec("INSERT INTO d1.big VALUES (4, 'd')");
  return { fx, restore: `RESTORE SNAPSHOT d1.s FROM r1 ON (big) PROPERTIES ("backup_timestamp" = "${ts}")` };
}

async function refused(fx: BackupFixture, sql: string): Promise<string> {
  const error = await fx.exec(sql).then(
    () => null,
    (e: unknown) => e as { errno?: number; message: string },
  );
  expect(error, `${sql} must be refused`).not.toBeNull();
  return error!.message;
}

describe('DDL against a running RESTORE', () => {
  it('DROP DATABASE / DROP TABLE / TRUNCATE are refused in PENDING and DOWNLOADING, allowed after FINISHED', async () => {
    const gates = new RestoreGates();
    const { fx, restore } = await setup(gates);
    f = fx;
    gates.resetMeta();
    gates.meta.close();
    gates.content.close();
    const submitted = await fx.exec(restore);
    const id = Number(/job (\d+)/.exec(submitted.kind === 'ok' ? (submitted.message ?? '') : '')?.[1]);
    try {
      await gates.meta.held(); // PENDING: big is still NORMAL, but the job names it
      expect(await refused(fx, 'DROP DATABASE d1')).toMatch(
        new RegExp(`^Database d1 is the target of RESTORE job ${id} \\(label s, state PENDING\\): it cannot be dropped now\\. Wait for the restore to end \\(SHOW RESTORE FROM d1\\) or cancel it \\(CANCEL RESTORE FROM d1\\), then drop it$`),
      );
      expect(await refused(fx, 'DROP TABLE d1.big')).toMatch(/^Table big's state is RESTORE: RESTORE job \d+ \(label s, state PENDING\) is writing it, so it cannot be dropped now/);
      expect(await refused(fx, 'TRUNCATE TABLE d1.big')).toMatch(/cannot be truncated now/);
      gates.meta.open();
      await gates.content.held(); // DOWNLOADING: big is in state RESTORE
      expect(await refused(fx, 'DROP DATABASE d1')).toMatch(/state DOWNLOADING\): it cannot be dropped now/);
      expect(await refused(fx, 'DROP DATABASE IF EXISTS d1')).toMatch(/cannot be dropped now/);
      expect(await refused(fx, 'DROP TABLE d1.big')).toMatch(/state DOWNLOADING\) is writing it, so it cannot be dropped now/);
      expect(await refused(fx, 'TRUNCATE TABLE d1.big')).toMatch(/cannot be truncated now/);
      // Tables the restore does not touch stay free.
      await fx.exec('TRUNCATE TABLE d1.other');
    } finally {
      gates.meta.open();
      gates.content.open();
    }
    const job = await fx.engine.jobs.waitForJob(id);
    expect([job.state, job.statusMsg]).toEqual(['FINISHED', '']);
    expect(await fx.rows('SELECT id FROM d1.big ORDER BY id')).toEqual([['1'], ['2'], ['3']]);
    await fx.exec('TRUNCATE TABLE d1.big');
    await fx.exec('DROP TABLE d1.big');
    await fx.exec('DROP DATABASE d1');
    expect((await fx.rows('SHOW DATABASES')).flat()).not.toContain('d1');
  }, 60_000);

  it('after CANCEL RESTORE the database can be dropped', async () => {
    const gates = new RestoreGates();
    const { fx, restore } = await setup(gates);
    f = fx;
    gates.content.close();
    const submitted = await fx.exec(restore);
    const id = Number(/job (\d+)/.exec(submitted.kind === 'ok' ? (submitted.message ?? '') : '')?.[1]);
    try {
      await gates.content.held();
      expect(await refused(fx, 'DROP DATABASE d1')).toMatch(/cannot be dropped now/);
      await fx.exec('CANCEL RESTORE FROM d1');
    } finally {
      gates.content.open();
    }
    expect((await fx.engine.jobs.waitForJob(id)).state).toBe('CANCELLED');
    expect(await fx.rows('SELECT id FROM d1.big ORDER BY id')).toEqual([['1'], ['2'], ['3'], ['4']]);
    await fx.exec('DROP DATABASE d1');
  }, 60_000);
});
