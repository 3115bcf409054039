import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { HOUR, fileRepo, label, openScheduleFixture, seed, type ScheduleFixture } from '../jobs/schedules/helpers.ts';

/**
 * A schedule never fires twice for one period, even across a crash: the run is recorded (with its label) durably
 * before its BACKUP is submitted, and a restarted engine finds the job by that label instead of submitting another.
 * A child process opens the engine when the period is due and freezes at the chosen point; the parent kills it with
 * SIGKILL and reopens the data dir.
 */
process.env['TZ'] = 'UTC';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'schedule-crash-child.ts');
const T0 = Date.UTC(2026, 0, 1);
const PERIOD = T0 + HOUR;

let f: ScheduleFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

async function killAt(dataDir: string, point: 'decided' | 'submitted'): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, String(PERIOD), point], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const at = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child never reached ${point}: ${out} ${err}`)), 40_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /AT (.+)\n/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited (${String(code)}) before ${point}: ${out} ${err}`));
    });
  });
  child.kill('SIGKILL');
  await exited;
  return at;
}

/** A data dir with d1 and a schedule due every hour from 01:00, closed. */
async function prepared(): Promise<ScheduleFixture> {
  const fx = await openScheduleFixture(T0);
  await seed(fx, 'd1');
  await fileRepo(fx, 'r');
  await fx.exec("CREATE BACKUP SCHEDULE s FOR DATABASE d1 TO r EVERY '1 HOUR' STARTS '2026-01-01 01:00:00'");
  await fx.engine.close();
  return fx;
}

async function history(fx: ScheduleFixture): Promise<(string | null)[][]> {
  return fx.rows("SELECT label, state, error FROM information_schema.backup_jobs WHERE schedule_name = 's' OR label LIKE 's_%' ORDER BY create_time");
}

describe('kill -9 between deciding a run and starting its job', () => {
  it('after the decision: restarted within misfire_grace the run starts once; restarted past it the period is skipped', async () => {
    f = await prepared();
    expect(await killAt(f.dataDir, 'decided')).toBe(`decided ${label('s', PERIOD)}`);
    // The same crashed data dir, restarted later (a copy: it takes its own identity, its catalog is the same).
    const late = path.join(f.dir, 'late');
    fs.cpSync(f.dataDir, late, { recursive: true });

    f.clock.advance(PERIOD + 30_000 - f.clock.now());
    await f.reopen();
    await f.engine.schedules.idle();
    expect(await history(f)).toEqual([[label('s', PERIOD), 'FINISHED', null]]);
    expect(await f.rows('SELECT COUNT(*) FROM information_schema.backup_jobs WHERE job_id IS NOT NULL')).toEqual([['1']]);
    expect(await f.rows('SELECT next_run, last_run_state FROM information_schema.backup_schedules')).toEqual([['2026-01-01 02:00:00', 'SUCCEEDED']]);

    f.clock.advance(PERIOD + 10 * 60_000 - f.clock.now());
    await f.reopen({ dataDir: late });
    await f.engine.schedules.idle();
    expect(await history(f)).toEqual([
      [
        label('s', PERIOD),
        'SKIPPED',
        'misfire: the engine stopped after deciding this run and before starting its BACKUP; at the restart the period was 600 s past, more than misfire_grace (120 s)',
      ],
    ]);
    expect(await f.rows('SELECT COUNT(*) FROM information_schema.backup_jobs WHERE job_id IS NOT NULL')).toEqual([['0']]);
  }, 120_000);

  it('after the BACKUP was submitted but before the run knew its job: the restarted engine adopts that job', async () => {
    f = await prepared();
    const at = await killAt(f.dataDir, 'submitted');
    const jobId = Number(/submitted (\d+)/.exec(at)?.[1]);
    f.clock.advance(PERIOD + 10 * 60_000 - f.clock.now());
    await f.reopen();
    await f.engine.schedules.idle();
    expect(await f.rows("SELECT job_id, label, state FROM information_schema.backup_jobs WHERE schedule_name = 's'")).toEqual([
      [String(jobId), label('s', PERIOD), 'FINISHED'],
    ]);
    expect(await f.rows('SELECT COUNT(*) FROM information_schema.backup_jobs WHERE job_id IS NOT NULL')).toEqual([['1']]);
  }, 120_000);
});
