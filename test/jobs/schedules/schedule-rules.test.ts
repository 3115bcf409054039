import { afterEach, describe, expect, it } from 'vitest';
import { isSqlError } from '../../../src/errors/index.ts';
import { DAY, HOUR, fileRepo, label, okSnapshots, openScheduleFixture, seed, type ScheduleFixture } from './helpers.ts';

/**
 * MRS Manager's execution rules through the real engine in simulated time: periods of 120 s or less never run, a
 * run later than misfire_grace is skipped, periods missed while the engine was down are recorded once, a database
 * with a job skips (or waits for) the run, paused and locked schedules never fire by themselves, schedules survive a
 * restart, and every decision lands in information_schema.backup_jobs with its reason.
 */
process.env['TZ'] = 'UTC';

let f: ScheduleFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

const T0 = Date.UTC(2026, 0, 1);

async function setup(): Promise<ScheduleFixture> {
  const fx = await openScheduleFixture(T0);
  await seed(fx, 'd1');
  await fileRepo(fx, 'r');
  return fx;
}

/** The decisions of `schedule`: [label or null, backup_type, state, error], oldest first. */
async function decisions(fx: ScheduleFixture, schedule: string): Promise<(string | null)[][]> {
  return fx.rows(
    `SELECT label, state, error FROM information_schema.backup_jobs WHERE schedule_name = '${schedule}' AND kind = 'BACKUP' ORDER BY create_time, job_id`,
  );
}

/** Wait until the database's last job (SHOW BACKUP) is done. */
async function waitForLastJob(fx: ScheduleFixture, db: string): Promise<void> {
  const [row] = await fx.rows(`SHOW BACKUP FROM ${db}`);
  await fx.engine.jobs.waitForJob(Number(row?.[0]));
}

async function sqlErrorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    if (isSqlError(error)) return error.message;
    throw error;
  }
  throw new Error('expected an error');
}

describe('the 120 s rule', () => {
  it('refuses a cron schedule whose every period is 120 s or shorter', async () => {
    f = await setup();
    expect(await sqlErrorOf(f.exec("CREATE BACKUP SCHEDULE s FOR DATABASE d1 TO r CRON '*/2 * * * *'"))).toMatch(
      /CRON '\*\/2 \* \* \* \*' fires every 120 s or more often, and a periodic backup schedule runs only when its period is longer than 120 s/,
    );
    expect(await sqlErrorOf(f.exec("CREATE BACKUP SCHEDULE s FOR DATABASE d1 TO r CRON '0 0 30 2 *'"))).toMatch(/never fires/);
  });

  it('skips a period whose next period comes within 120 s, and runs the others', async () => {
    f = await setup();
    await f.exec("CREATE BACKUP SCHEDULE s FOR DATABASE d1 TO r CRON '0,1 * * * *'");
    for (let h = 0; h <= 2; h++) {
      if (h > 0) await f.advanceTo(T0 + h * HOUR);
      await f.advanceTo(T0 + h * HOUR + 60_000);
    }
    expect(await decisions(f, 's')).toEqual([
      [label('s', T0 + 60_000), 'FINISHED', null],
      [null, 'SKIPPED', 'the next period comes 60 s later: a schedule runs by itself only when its period is longer than 120 s'],
      [label('s', T0 + HOUR + 60_000), 'FINISHED', null],
      [null, 'SKIPPED', 'the next period comes 60 s later: a schedule runs by itself only when its period is longer than 120 s'],
      [label('s', T0 + 2 * HOUR + 60_000), 'FINISHED', null],
    ]);
  });
});

describe('misfire grace', () => {
  it('runs a period up to misfire_grace late and skips it beyond, saying how late it was', async () => {
    f = await setup();
    await f.exec("CREATE BACKUP SCHEDULE s FOR DATABASE d1 TO r EVERY '1 HOUR' STARTS '2026-01-01 01:00:00' PROPERTIES ('misfire_grace' = '300')");
    await f.advanceTo(T0 + HOUR + 299_000);
    await f.advanceTo(T0 + 2 * HOUR + 301_000);
    const d = await decisions(f, 's');
    expect(d[0]).toEqual([label('s', T0 + HOUR), 'FINISHED', null]);
    expect(d[1]).toEqual([null, 'SKIPPED', 'misfire: 301 s after the period, more than misfire_grace (300 s); next run at 2026-01-01 03:00:00']);
    expect(d).toHaveLength(2);
  });

  it('records the periods missed while the engine was stopped once, and applies the grace to the newest', async () => {
    f = await setup();
    await f.exec("CREATE BACKUP SCHEDULE s FOR DATABASE d1 TO r EVERY '1 DAY' STARTS '2026-01-01 02:00:00'");
    await f.engine.close();
    f.clock.advance(3 * DAY + 2 * HOUR + 60_000);
    await f.reopen();
    await f.engine.schedules.idle();
    expect(await decisions(f, 's')).toEqual([
      [null, 'SKIPPED', 'missed 3 periods from 2026-01-01 02:00:00 to 2026-01-03 02:00:00: the engine was not running'],
      [label('s', T0 + 3 * DAY + 2 * HOUR), 'FINISHED', null],
    ]);
  });
});

describe('pause, resume, lock', () => {
  it('a paused schedule never fires by itself; EXECUTE still runs it; RESUME starts at the next period', async () => {
    f = await setup();
    await f.exec("CREATE BACKUP SCHEDULE s FOR DATABASE d1 TO r EVERY '1 DAY' STARTS '2026-01-01 02:00:00'");
    await f.exec('PAUSE BACKUP SCHEDULE s');
    for (let d = 0; d < 3; d++) await f.advanceTo(T0 + d * DAY + 2 * HOUR);
    expect(await decisions(f, 's')).toEqual([]);
    expect((await f.rows('SHOW BACKUP SCHEDULES')).map((r) => [r[7], r[8]])).toEqual([['PAUSED', null]]);

    await f.advanceTo(T0 + 2 * DAY + 5 * HOUR);
    expect(await f.exec('EXECUTE BACKUP SCHEDULE s')).toMatch(/^BACKUP job \d+ submitted for backup schedule s as s_20260103050000/);
    await f.engine.schedules.idle();
    expect(await f.exec('RESUME BACKUP SCHEDULE s')).toBe('Backup schedule s resumed; next run at 2026-01-04 02:00:00');
    await f.advanceTo(T0 + 3 * DAY + 2 * HOUR);
    expect(await decisions(f, 's')).toEqual([
      [label('s', T0 + 2 * DAY + 5 * HOUR), 'FINISHED', null],
      [label('s', T0 + 3 * DAY + 2 * HOUR), 'FINISHED', null],
    ]);
  });

  it('locks a schedule whose database is gone, never fires it while locked, and RESUME unlocks it', async () => {
    f = await setup();
    await f.exec("CREATE BACKUP SCHEDULE s FOR DATABASE d1 TO r EVERY '1 DAY' STARTS '2026-01-01 02:00:00'");
    await f.exec('DROP DATABASE d1');
    await f.advanceTo(T0 + 2 * HOUR);
    await f.advanceTo(T0 + DAY + 2 * HOUR);
    const reason = 'database d1 does not exist; fix it (or ALTER BACKUP SCHEDULE s), then RESUME BACKUP SCHEDULE s';
    expect(await decisions(f, 's')).toEqual([[label('s', T0 + 2 * HOUR), 'FAILED', reason]]);
    expect(await f.rows('SELECT state, state_reason, consecutive_failures, next_run FROM information_schema.backup_schedules')).toEqual([
      ['LOCKED', reason, '1', null],
    ]);
    await seed(f, 'd1');
    await f.exec('RESUME BACKUP SCHEDULE s');
    await f.advanceTo(T0 + 2 * DAY + 2 * HOUR);
    expect((await decisions(f, 's')).map((r) => r[1])).toEqual(['FAILED', 'FINISHED']);
    expect(await f.rows('SELECT state, consecutive_failures, last_success_label FROM information_schema.backup_schedules')).toEqual([
      ['ACTIVE', '0', label('s', T0 + 2 * DAY + 2 * HOUR)],
    ]);
  });
});

describe('a database that already has a job', () => {
  it('skips the period with on_previous_running = skip', async () => {
    f = await setup();
    await f.exec("CREATE BACKUP SCHEDULE s FOR DATABASE d1 TO r EVERY '1 HOUR' STARTS '2026-01-01 01:00:00'");
    f.writes.close();
    await f.exec('BACKUP DATABASE d1 SNAPSHOT manual TO r');
    await f.writes.held();
    await f.advanceTo(T0 + HOUR);
    const [row] = await decisions(f, 's');
    expect(row?.slice(0, 2)).toEqual([null, 'SKIPPED']);
    expect(row?.[2]).toMatch(/^database d1 already has a job running: BACKUP job \d+ \(manual\) is UPLOADING \(on_previous_running = skip\); next run at 2026-01-01 02:00:00$/);
    f.writes.open();
    await waitForLastJob(f, 'd1');
    await f.advanceTo(T0 + 2 * HOUR);
    expect((await decisions(f, 's')).map((r) => r[1])).toEqual(['SKIPPED', 'FINISHED']);
  });

  it('waits for it with on_previous_running = wait, then runs', async () => {
    f = await setup();
    await f.exec("CREATE BACKUP SCHEDULE s FOR DATABASE d1 TO r EVERY '1 HOUR' STARTS '2026-01-01 01:00:00' PROPERTIES ('on_previous_running' = 'wait')");
    f.writes.close();
    await f.exec('BACKUP DATABASE d1 SNAPSHOT manual TO r');
    await f.writes.held();
    f.clock.advance(HOUR);
    for (let i = 0; i < 500 && (await decisions(f, 's'))[0]?.[1] !== 'WAITING'; i++) await new Promise((r) => setTimeout(r, 10));
    expect((await decisions(f, 's'))[0]?.[1]).toBe('WAITING');
    f.clock.advance(20_000);
    f.writes.open();
    await f.engine.schedules.idle();
    const [row] = await decisions(f, 's');
    expect(row?.slice(0, 2)).toEqual([label('s', T0 + HOUR), 'FINISHED']);
    const [run] = await f.rows("SELECT last_run_state, last_run_reason FROM information_schema.backup_schedules");
    expect(run?.[0]).toBe('SUCCEEDED');
    expect(run?.[1]).toMatch(/^waiting: database d1 already has a job running: BACKUP job \d+ \(manual\) is UPLOADING; started after 20 s$/);
  });
});

describe('restarts', () => {
  it('a schedule survives a restart and keeps firing once per period', async () => {
    f = await setup();
    await f.exec("CREATE BACKUP SCHEDULE s FOR DATABASE d1 TO r EVERY '1 DAY' STARTS '2026-01-01 02:00:00' PROPERTIES ('keep_last' = '2')");
    await f.advanceTo(T0 + 2 * HOUR);
    await f.reopen();
    await f.engine.schedules.idle();
    await f.advanceTo(T0 + DAY + 2 * HOUR);
    await f.reopen();
    await f.advanceTo(T0 + 2 * DAY + 2 * HOUR);
    const labels = [0, 1, 2].map((d) => label('s', T0 + d * DAY + 2 * HOUR));
    expect(await decisions(f, 's')).toEqual(labels.map((l) => [l, 'FINISHED', null]));
    expect(await okSnapshots(f, 'r')).toEqual(labels.slice(1));
    expect((await f.rows('SHOW CREATE BACKUP SCHEDULE s'))[0]?.[1]).toBe(
      'CREATE BACKUP SCHEDULE `s` FOR DATABASE `d1` TO `r`\nEVERY \'1 DAY\' STARTS \'2026-01-01 02:00:00\'\nPROPERTIES ("keep_last" = "2")',
    );
  });
});
