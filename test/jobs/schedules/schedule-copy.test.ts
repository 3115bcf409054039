import { afterEach, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/brokers/broker.ts';
import { FaultInjectingBroker } from '../../../src/brokers/fault-injecting-broker.ts';
import { openBroker } from '../../../src/brokers/open-broker.ts';
import { DAY, fileRepo, label, okSnapshots, openScheduleFixture, seed, type ScheduleFixture } from './helpers.ts';

/**
 * `copy_to` through the real engine in simulated time: every nightly run backs up to the primary repository, then
 * copies the snapshot to the DR repository; retention drops from both, so the two hold the same snapshots; a
 * database restored from the DR repository alone has the rows of the newest backup (the incremental chain is all
 * there). A copy that fails fails the run (with the reason) and drops nothing. Every job, decision and retention drop
 * is one complete row of information_schema.backup_jobs.
 */
process.env['TZ'] = 'UTC';

let f: ScheduleFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

const START = Date.UTC(2026, 0, 1, 2);
const DAYS = 5;

/** Repositories whose location contains `denied` refuse every uploaded file (a DR site that went read-only). */
const denying = async (location: string, properties: Readonly<Record<string, string>>): Promise<Broker> => {
  const inner = await openBroker(location, properties);
  return location.includes('denied') ? new FaultInjectingBroker(inner, { failFraction: 1, ops: ['uploadFile', 'write'], errorKind: 'permanent' }) : inner;
};

const HISTORY = `SELECT job_id, kind, database_name, label, schedule_name, backup_type, repository, source_repository, state,
  create_time, meta_prepared_time, snapshot_finished_time, transfer_finished_time, finished_time, bytes, files, status, error
  FROM information_schema.backup_jobs WHERE database_name = 'd1' ORDER BY create_time, job_id`;

const at = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

describe('copy_to', () => {
  it('keeps the DR repository in step with the primary, and restores from it alone', async () => {
    f = await openScheduleFixture(Date.UTC(2026, 0, 1), { openBroker: denying });
    await seed(f, 'd1');
    await fileRepo(f, 'r');
    await fileRepo(f, 'dr');
    await f.exec(
      "CREATE BACKUP SCHEDULE s FOR DATABASE d1 TO r EVERY '1 DAY' STARTS '2026-01-01 02:00:00' PROPERTIES ('policy' = 'full_then_incremental', 'keep_last' = '3', 'copy_to' = 'dr')",
    );
    for (let day = 0; day < DAYS; day++) {
      await f.advanceTo(START + day * DAY);
      await f.exec(`INSERT INTO d1.t VALUES (${day + 2}, 'day${day}')`);
      // After every run, both repositories hold the same newest (up to) keep_last snapshots.
      const kept = Array.from({ length: day + 1 }, (_, i) => label('s', START + i * DAY)).slice(-3);
      expect(await okSnapshots(f, 'r')).toEqual(kept);
      expect(await okSnapshots(f, 'dr')).toEqual(kept);
    }
    const primary = await f.rows('SHOW SNAPSHOT ON r');
    expect(await f.rows('SHOW SNAPSHOT ON dr')).toEqual(primary);

    // History: per night one BACKUP to r, then one COPY r → dr of the same label, each row complete.
    const all = await f.rows(HISTORY);
    const history = all.filter((r) => r[1] !== 'DROP');
    expect(history).toHaveLength(2 * DAYS);
    history.forEach((row, i) => {
      const night = START + Math.floor(i / 2) * DAY;
      const backup = i % 2 === 0;
      const [jobId, kind, db, lbl, schedule, type, repo, source, state, create, meta, snap, transfer, finished, bytes, files, status, error] = row;
      expect(Number(jobId)).toBeGreaterThan(0);
      expect([kind, db, lbl, schedule, repo, source, state, status, error]).toEqual([
        backup ? 'BACKUP' : 'COPY', 'd1', label('s', night), 's', backup ? 'r' : 'dr', backup ? null : 'r', 'FINISHED', 'OK', null,
      ]);
      expect(type).toBe(backup ? (i === 0 ? 'FULL' : 'INCREMENTAL') : null);
      // Each kind's own state times: BACKUP snapshot / upload / finish, COPY plan / upload / finish.
      expect([create, backup ? snap : meta, transfer, finished]).toEqual([at(night), at(night), at(night), at(night)]);
      expect(Number(bytes)).toBeGreaterThan(0);
      expect(Number(files)).toBeGreaterThan(0);
    });
    // Retention's drops: the two oldest snapshots, from both repositories, the night the fourth and fifth ran.
    expect(all.filter((r) => r[1] === 'DROP').map((r) => [r[0], r[3], r[4], r[6], r[8], r[9], r[13], r[16]])).toEqual(
      [0, 1].flatMap((i) =>
        ['r', 'dr'].map((repo) => [null, label('s', START + i * DAY), 's', repo, 'FINISHED', at(START + (i + 3) * DAY), at(START + (i + 3) * DAY), 'OK']),
      ),
    );
    // What the copy moved is what the backup wrote.
    for (let i = 0; i < history.length; i += 2) expect(history[i + 1]?.slice(14, 16)).toEqual(history[i]?.slice(14, 16));

    // The DR repository alone restores the newest (incremental) snapshot.
    const newest = label('s', START + (DAYS - 1) * DAY);
    const ts = (await f.rows(`SHOW SNAPSHOT ON dr WHERE SNAPSHOT = '${newest}'`))[0]?.[1];
    await f.exec('DROP TABLE d1.t FORCE');
    await f.exec(`RESTORE SNAPSHOT d1.${newest} FROM dr ON (t) PROPERTIES ("backup_timestamp" = "${ts}", "replication_num" = "1")`);
    const [restore] = await f.rows('SHOW RESTORE FROM d1');
    await f.engine.jobs.waitForJob(Number(restore?.[0]));
    expect(await f.rows('SELECT id, v FROM d1.t ORDER BY id')).toEqual([
      ['1', 'a'], ['2', 'day0'], ['3', 'day1'], ['4', 'day2'], ['5', 'day3'],
    ]);
    const [restoreRow] = (await f.rows(HISTORY)).filter((r) => r[1] === 'RESTORE');
    expect(restoreRow?.slice(1, 9)).toEqual(['RESTORE', 'd1', newest, null, null, 'dr', null, 'FINISHED']);
    expect(restoreRow?.slice(16)).toEqual(['OK', null]);
  });

  it('a copy that fails fails the run with its reason, counts a failure, and drops nothing', async () => {
    f = await openScheduleFixture(Date.UTC(2026, 0, 1), { openBroker: denying });
    await seed(f, 'd1');
    await fileRepo(f, 'r');
    await fileRepo(f, 'denied');
    await f.exec(
      "CREATE BACKUP SCHEDULE s FOR DATABASE d1 TO r EVERY '1 DAY' STARTS '2026-01-01 02:00:00' PROPERTIES ('keep_last' = '1', 'copy_to' = 'denied')",
    );
    await f.advanceTo(START);
    await f.advanceTo(START + DAY);
    const history = await f.rows(HISTORY);
    // No DROP rows: retention never ran (no run succeeded).
    expect(history.map((r) => [r[1], r[3], r[6], r[8], r[16]])).toEqual([
      ['BACKUP', label('s', START), 'r', 'FINISHED', 'OK'],
      ['COPY', label('s', START), 'denied', 'CANCELLED', 'COMMON_ERROR'],
      ['BACKUP', label('s', START + DAY), 'r', 'FINISHED', 'OK'],
      ['COPY', label('s', START + DAY), 'denied', 'CANCELLED', 'COMMON_ERROR'],
    ]);
    expect(history[1]?.[17]).toMatch(/./);
    // keep_last = 1, yet both snapshots stay: retention runs after a successful run only.
    expect(await okSnapshots(f, 'r')).toEqual([label('s', START), label('s', START + DAY)]);
    expect(await okSnapshots(f, 'denied')).toEqual([]);
    const [sched] = await f.rows(
      "SELECT last_run_state, last_run_reason, last_success, consecutive_failures FROM information_schema.backup_schedules WHERE schedule_name = 's'",
    );
    expect(sched?.[0]).toBe('FAILED');
    expect(sched?.[1]).toMatch(new RegExp(`^the snapshot is in r, but COPY job \\d+ to denied ended CANCELLED: `));
    expect(sched?.slice(2)).toEqual([null, '2']);
  });
});
