import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock, type Clock } from '../../src/util/clock.ts';
import { openFixture, type BackupFixture } from './backup-fixture.ts';
import { backupTo, createRepositorySql, restoreTable, tableRows } from './lifecycle-helpers.ts';

/**
 * Snapshot TTL: BACKUP's "ttl" and the repository's default_snapshot_ttl are shown by SHOW SNAPSHOT and enforced by
 * the expiry task, which drops exactly the expired snapshots and leaves the others restorable. Time is the system
 * clock plus an offset the test moves forward.
 */

const HOUR = 3_600_000;

describe('snapshot TTL expiry', () => {
  let f: BackupFixture;
  let offset = 0;
  const clock: Clock = { now: () => Date.now() + offset, sleep: (ms, signal) => systemClock.sleep(ms, signal) };

  beforeEach(async () => {
    offset = 0;
    f = await openFixture({ clock });
    await f.exec('CREATE DATABASE d1');
    await f.exec('USE d1');
    await f.exec('CREATE TABLE t (k INT, v VARCHAR(20)) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ("replication_num" = "1")');
    await f.exec("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    await f.exec(createRepositorySql('file', f, 'r1'));
  });
  afterEach(async () => {
    await f.close();
  });

  it('drops a snapshot when its own ttl passes, then the ones the repository default covers, never early', async () => {
    await backupTo(f, 'BACKUP SNAPSHOT d1.short TO r1 ON (t) PROPERTIES ("ttl" = "2 HOUR")', 'short', 'r1');
    await f.exec("INSERT INTO t VALUES (4, 'd')");
    const kept = await backupTo(f, 'BACKUP SNAPSHOT d1.kept TO r1 ON (t) PROPERTIES ("type" = "incremental")', 'kept', 'r1');
    // SHOW SNAPSHOT: FinishTime, TTL, ExpireTime after StarRocks' columns.
    const before = await f.rows('SHOW SNAPSHOT ON r1');
    const byLabel = new Map(before.map((r) => [r[0], r]));
    expect(byLabel.get('short')?.slice(4, 5)).toEqual(['2 HOUR']);
    expect(byLabel.get('short')?.[5]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(byLabel.get('kept')?.slice(4)).toEqual([null, null]);

    // Not yet: one hour later nothing goes.
    offset = HOUR;
    expect((await f.engine.expireSnapshots()).dropped).toEqual([]);
    expect((await f.rows('SHOW SNAPSHOT ON r1')).map((r) => r[0]).sort()).toEqual(['kept', 'short']);

    // The repository default now covers `kept` (it has no ttl of its own); SHOW SNAPSHOT shows it at once.
    await f.exec('ALTER REPOSITORY r1 SET PROPERTIES ("default_snapshot_ttl" = "1 DAY")');
    const [keptRow] = await f.rows("SHOW SNAPSHOT ON r1 WHERE SNAPSHOT = 'kept'");
    expect(keptRow?.[4]).toBe('1 DAY');

    // Three hours: `short` expired, `kept` (1 DAY) did not.
    offset = 3 * HOUR;
    const round = await f.engine.expireSnapshots();
    expect(round.dropped.map((d) => [d.repository, d.labels])).toEqual([['r1', ['short']]]);
    expect((await f.rows('SHOW SNAPSHOT ON r1')).map((r) => r[0])).toEqual(['kept']);
    const root = path.join(f.dir, 'r1', '__starrocks_repository_r1');
    expect(fs.existsSync(path.join(root, '__ss_short'))).toBe(false);
    // `kept` referenced files of `short`: it still restores, with its exact rows.
    const job = await restoreTable(f, { repo: 'r1', label: 'kept', ts: kept.ts, db: 'd1', table: 't', target: 'copy' });
    expect([job.state, job.statusMsg]).toEqual(['FINISHED', '']);
    expect(await tableRows(f, 'copy', 't')).toEqual(await tableRows(f, 'd1', 't'));

    // Past a day: the default TTL drops `kept` too, and the repository holds no snapshot data any more.
    offset = 25 * HOUR;
    const last = await f.engine.expireSnapshots();
    expect(last.dropped.map((d) => d.labels)).toEqual([['kept']]);
    expect(await f.rows('SHOW SNAPSHOT ON r1')).toEqual([]);
    expect(fs.readdirSync(root).filter((n) => n.startsWith('__ss_'))).toEqual([]);
  });

  it('keeps an expired snapshot while a job reads it, and drops it on the next round', async () => {
    const { ts } = await backupTo(f, 'BACKUP SNAPSHOT d1.s TO r1 ON (t) PROPERTIES ("ttl" = "1 HOUR")', 's', 'r1');
    offset = 2 * HOUR;
    // A RESTORE submitted (not yet run to the end) holds the snapshot: the round skips it and says why.
    await f.exec(`RESTORE SNAPSHOT s FROM r1 DATABASE d1 AS copy ON (t) PROPERTIES ("backup_timestamp" = "${ts}", "replication_num" = "1")`);
    const busy = await f.engine.expireSnapshots();
    const restoreRunning = (await f.rows('SHOW RESTORE FROM copy'))[0]?.[4];
    if (restoreRunning !== 'FINISHED' && restoreRunning !== 'CANCELLED') {
      expect(busy.dropped).toEqual([]);
      expect(busy.skipped.map((s) => s.repository)).toEqual(['r1']);
    }
    for (let i = 0; i < 400; i++) {
      const state = (await f.rows('SHOW RESTORE FROM copy'))[0]?.[4];
      if (state === 'FINISHED' || state === 'CANCELLED') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const round = await f.engine.expireSnapshots();
    expect(round.dropped.map((d) => d.labels)).toEqual([['s']]);
    expect(await f.rows('SHOW SNAPSHOT ON r1')).toEqual([]);
  });
});
