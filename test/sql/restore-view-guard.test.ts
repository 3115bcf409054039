import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RestoreGates } from '../jobs/gated-broker.ts';
import { openFixture, type BackupFixture } from './backup-fixture.ts';
import { runToEnd } from './restore-dataset.ts';

/**
 * ALTER VIEW and CREATE OR REPLACE VIEW of a view a running RESTORE writes are refused (as DROP VIEW is), and run
 * again once the job has finished: the restore would otherwise overwrite the new definition at publish.
 */

let f: BackupFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

describe('view DDL against a running RESTORE', () => {
  it('refuses ALTER VIEW / CREATE OR REPLACE VIEW of a view the job restores, allows them after', async () => {
    const gates = new RestoreGates();
    const fx = await openFixture({ openBroker: gates.open });
    f = fx;
    await fx.exec(`
      CREATE DATABASE d1;
      CREATE TABLE d1.t (id INT) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1;
      INSERT INTO d1.t VALUES (1), (2);
      CREATE VIEW d1.v AS SELECT id FROM d1.t;
      CREATE VIEW d1.w AS SELECT 1 AS one;
      CREATE REPOSITORY r1 WITH BROKER ON LOCATION 'file://${path.join(fx.dir, 'repo')}';
    `);
    expect((await runToEnd(fx, 'BACKUP SNAPSHOT d1.s TO r1 ON (t, VIEW v)')).state).toBe('FINISHED');
    const ts = (await fx.rows("SHOW SNAPSHOT ON r1 WHERE SNAPSHOT = 's'"))[0]?.[1] ?? '';
    gates.resetMeta();
    gates.meta.close();
    const submitted = await fx.exec(`RESTORE SNAPSHOT d1.s FROM r1 ON (VIEW v) PROPERTIES ("backup_timestamp" = "${ts}")`);
    const id = Number(/job (\d+)/.exec(submitted.kind === 'ok' ? (submitted.message ?? '') : '')?.[1]);
    try {
      await gates.meta.held();
      for (const [sql, what] of [['ALTER VIEW d1.v AS SELECT 2 AS id', 'altered'], ['CREATE OR REPLACE VIEW d1.v AS SELECT 3 AS id', 'replaced']] as const) {
        await expect(fx.exec(sql), sql).rejects.toMatchObject({ errno: 1064, message: expect.stringMatching(new RegExp(`^Table v's state is RESTORE: RESTORE job ${id} .* cannot be ${what} now`)) });
      }
      // A view the job does not restore stays free.
      await fx.exec('ALTER VIEW d1.w AS SELECT 2 AS two');
    } finally {
      gates.meta.open();
    }
    expect((await fx.engine.jobs.waitForJob(id)).state).toBe('FINISHED');
    await fx.exec('ALTER VIEW d1.v AS SELECT id * 10 AS id FROM d1.t');
    expect(await fx.rows('SELECT id FROM d1.v ORDER BY id')).toEqual([['10'], ['20']]);
  }, 60_000);
});
