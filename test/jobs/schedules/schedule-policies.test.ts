import { afterEach, describe, expect, it } from 'vitest';
import { DAY, fileRepo, label, okSnapshots, openScheduleFixture, seed, type ScheduleFixture } from './helpers.ts';

/**
 * Every policy over 16 simulated days (two full_every_n cycles, retention past keep_last = 10, two nights of
 * changes), through the real engine: one schedule per policy (each on its own database, so
 * their nightly backups run side by side), the clock moved to each 02:00 and the engine left to finish. What each
 * run backed up (full or incremental), what each repository keeps, and the history rows are checked against the
 * sequence written out by hand here.
 */
process.env['TZ'] = 'UTC';

let f: ScheduleFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

const START = Date.UTC(2026, 0, 1, 2);
/** `YYYY-MM-DD HH:MM:SS` (UTC) as information_schema shows times. */
const sqlTime = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const DAYS = 16;

const POLICIES = [
  { name: 's_full', db: 'd_full', props: "'policy' = 'full', 'keep_last' = '3'", keep: 3, type: (_i: number) => 'FULL' },
  { name: 's_inc', db: 'd_inc', props: "'policy' = 'incremental', 'keep_last' = '3'", keep: 3, type: (_i: number) => 'INCREMENTAL' },
  { name: 's_fti', db: 'd_fti', props: "'policy' = 'full_then_incremental', 'keep_last' = '3'", keep: 3, type: (i: number) => (i === 0 ? 'FULL' : 'INCREMENTAL') },
  {
    name: 's_fen',
    db: 'd_fen',
    props: "'policy' = 'full_every_n', 'full_every' = '7', 'keep_last' = '10'",
    keep: 10,
    type: (i: number) => (i % 7 === 0 ? 'FULL' : 'INCREMENTAL'),
  },
] as const;

describe('backup schedule policies over 16 simulated days', () => {
  it('back up full / incremental in exactly the expected sequence and keep exactly keep_last snapshots', async () => {
    f = await openScheduleFixture(Date.UTC(2026, 0, 1));
    await fileRepo(f, 'r');
    for (const p of POLICIES) {
      await seed(f, p.db);
      // A row no other database has: content is reused across the whole repository (same md5 and size), so only
      // data unique to each database makes what each one's first and changed-night runs upload deterministic.
      await f.exec(`INSERT INTO ${p.db}.t VALUES (0, '${p.db}')`);
      await f.exec(`CREATE BACKUP SCHEDULE ${p.name} FOR DATABASE ${p.db} TO r EVERY '1 DAY' STARTS '2026-01-01 02:00:00' PROPERTIES (${p.props})`);
    }
    for (let day = 0; day < DAYS; day++) {
      await f.advanceTo(START + day * DAY);
      // The databases change now and then between backups.
      if (day % 7 === 3) for (const p of POLICIES) await f.exec(`INSERT INTO ${p.db}.t VALUES (${day + 2}, '${p.db}_day${day}')`);
    }

    const history = await f.rows(
      "SELECT schedule_name, label, backup_type, state, repository, database_name, bytes, files, status, error, create_time, finished_time FROM information_schema.backup_jobs WHERE kind = 'BACKUP' ORDER BY schedule_name, create_time",
    );
    for (const p of POLICIES) {
      const runs = history.filter((r) => r[0] === p.name);
      const expectedLabels = Array.from({ length: DAYS }, (_, i) => label(p.name, START + i * DAY));
      expect(runs.map((r) => r[1])).toEqual(expectedLabels);
      expect(runs.map((r) => r[2])).toEqual(Array.from({ length: DAYS }, (_, i) => p.type(i)));
      runs.forEach((r, i) => {
        expect(r.slice(3, 6)).toEqual(['FINISHED', 'r', p.db]);
        // What each run uploaded (bytes, files): a full backup a complete copy; an incremental one (lifecycle's
        // incremental-forever) only content the repository lacks — the database's rows on the first night, the
        // new rows after a night that changed them, and nothing at all after a night that changed nothing.
        const changed = i === 0 || (i - 1) % 7 === 3;
        if (r[2] === 'FULL' || changed) {
          expect(Number(r[6]), `${String(r[1])} (${String(r[2])}) bytes`).toBeGreaterThan(0);
          expect(Number(r[7]), `${String(r[1])} (${String(r[2])}) files`).toBeGreaterThan(0);
        } else {
          expect([r[6], r[7]], `${String(r[1])} (INCREMENTAL of unchanged data) bytes, files`).toEqual(['0', '0']);
        }
        expect(r.slice(8, 10)).toEqual(['OK', null]);
        expect(r[10]).toBe(r[11]);
      });
      // keep_last: the newest `keep` runs' snapshots, nothing else of this schedule.
      expect(await okSnapshots(f, 'r', `${p.name}_`)).toEqual(expectedLabels.slice(-p.keep));
    }

    const schedules = await f.rows(
      'SELECT schedule_name, state, next_run, last_run, last_run_state, last_success_label, consecutive_failures FROM information_schema.backup_schedules ORDER BY schedule_name',
    );
    const last = START + (DAYS - 1) * DAY;
    expect(schedules).toEqual(
      [...POLICIES]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((p) => [p.name, 'ACTIVE', sqlTime(last + DAY), sqlTime(last), 'SUCCEEDED', label(p.name, last), '0']),
    );
    // Nothing was skipped: every period ran once.
    expect(await f.rows("SELECT COUNT(*) FROM information_schema.backup_jobs WHERE kind = 'BACKUP' AND job_id IS NULL")).toEqual([['0']]);
    // 64 real backups: past the default 60 s on the shared 2-core machine under heavy load.
  }, 180_000);
});
