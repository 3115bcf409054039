import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Broker } from '../../src/brokers/broker.ts';
import { FaultInjectingBroker } from '../../src/brokers/fault-injecting-broker.ts';
import { openBroker } from '../../src/brokers/open-broker.ts';
import { openFixture, type BackupFixture } from './backup-fixture.ts';
import { backupTo, tableRows } from './lifecycle-helpers.ts';

/**
 * RESTORE … PROPERTIES ("retry_of" = "<job id>"): re-runs a CANCELLED restore of the same snapshot; refuses a
 * FINISHED one (never re-run), a running one, another snapshot's, and ids that are no restore.
 */

/** Reads from a location containing `slow` take ≥ 300 ms each, so a restore stays live long enough to cancel. */
const slowReads = async (location: string, properties: Readonly<Record<string, string>>): Promise<Broker> => {
  const inner = await openBroker(location, properties);
  return location.includes('slow') ? new FaultInjectingBroker(inner, { latencyMs: 300, ops: ['read', 'downloadFile'] }) : inner;
};

describe('RESTORE retry_of', () => {
  let f: BackupFixture;
  beforeEach(async () => {
    f = await openFixture({ openBroker: slowReads });
    await f.exec('CREATE DATABASE d1');
    await f.exec('USE d1');
    await f.exec('CREATE TABLE t (k INT, v VARCHAR(20)) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 3 PROPERTIES ("replication_num" = "1")');
    await f.exec("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')");
    await f.exec(`CREATE REPOSITORY slow WITH BROKER ON LOCATION 'file://${path.join(f.dir, 'slow')}'`);
  });
  afterEach(async () => {
    await f.close();
  });

  it('re-runs a CANCELLED restore and never a FINISHED one', async () => {
    const { ts } = await backupTo(f, 'BACKUP SNAPSHOT d1.s TO slow ON (t)', 's', 'slow');
    const restore = (extra = ''): string =>
      `RESTORE SNAPSHOT s FROM slow DATABASE d1 AS d2 ON (t) PROPERTIES ("backup_timestamp" = "${ts}", "replication_num" = "1"${extra})`;
    const idOf = (r: Awaited<ReturnType<BackupFixture['exec']>>): number => Number(/job (\d+)/.exec(r.kind === 'ok' ? (r.message ?? '') : '')?.[1]);

    const first = idOf(await f.exec(restore()));
    await expect(f.exec(restore(`, "retry_of" = "${first}"`))).rejects.toThrow(
      new RegExp(`^retry_of: RESTORE job ${first} is still running \\(state \\w+\\)\\. Wait for it, or CANCEL RESTORE it and retry$`),
    );
    await f.exec('CANCEL RESTORE FROM d2');
    expect((await f.engine.jobs.waitForJob(first)).state).toBe('CANCELLED');

    const retry = idOf(await f.exec(restore(`, "retry_of" = "${first}"`)));
    expect(retry).toBeGreaterThan(first);
    const done = await f.engine.jobs.waitForJob(retry);
    expect([done.state, done.statusMsg]).toEqual(['FINISHED', '']);
    expect(await tableRows(f, 'd2', 't')).toEqual(await tableRows(f, 'd1', 't'));

    await expect(f.exec(restore(`, "retry_of" = "${retry}"`))).rejects.toThrow(
      `retry_of: RESTORE job ${retry} is FINISHED; a finished restore is never re-run. Submit a new RESTORE without retry_of to restore again`,
    );
    const backupJob = (await f.rows('SHOW BACKUP FROM d1'))[0]?.[0];
    await expect(f.exec(restore(`, "retry_of" = "${backupJob}"`))).rejects.toThrow(`retry_of: there is no RESTORE job ${backupJob}`);
    await expect(f.exec(restore(`, "retry_of" = "x1"`))).rejects.toThrow("Invalid retry_of: 'x1'");
    await expect(
      f.exec(`RESTORE SNAPSHOT s FROM slow DATABASE d1 AS d3 ON (t) PROPERTIES ("backup_timestamp" = "2020-01-01", "retry_of" = "${first}")`),
    ).rejects.toThrow(new RegExp(`^retry_of: RESTORE job ${first} restored snapshot s \\(${ts}\\) from repository slow, not s \\(2020-01-01\\) from slow`));
  });
});
