import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Broker } from '../../src/brokers/broker.ts';
import { FaultInjectingBroker } from '../../src/brokers/fault-injecting-broker.ts';
import { openBroker } from '../../src/brokers/open-broker.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { startMetricsServer, type MetricsServer } from '../../src/server/metrics-server.ts';
import { parseServeArgs } from '../../src/server/serve-command.ts';
import { fileRepo, openScheduleFixture, seed, type ScheduleFixture } from '../jobs/schedules/helpers.ts';

/**
 * `tablevault serve --metrics-port`'s endpoint scraped over real HTTP (loopback) around a real BACKUP that succeeds
 * and then ones that fail: a repository whose every data-file upload is refused (ACCESS_DENIED, permanent) makes the
 * failures. Time is a ManualClock, so ages are exact.
 */
process.env['TZ'] = 'UTC';

let f: ScheduleFixture | undefined;
let server: MetricsServer | undefined;
afterEach(async () => {
  await server?.close();
  await f?.close();
  server = undefined;
  f = undefined;
});

/**
 * Repositories whose location contains `denied` refuse every uploaded file (a BACKUP to them fails in UPLOADING);
 * under `hung` no upload ever answers (a BACKUP to them runs until cancelled).
 */
const denying = async (location: string, properties: Readonly<Record<string, string>>): Promise<Broker> => {
  const inner = await openBroker(location, properties);
  if (location.includes('denied')) return new FaultInjectingBroker(inner, { failFraction: 1, ops: ['uploadFile'], errorKind: 'permanent' });
  if (location.includes('hung')) return new FaultInjectingBroker(inner, { hangCalls: { op: 'uploadFile', from: 1, count: 1_000_000 } });
  return inner;
};

async function scrape(port: number): Promise<{ type: string | null; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.status).toBe(200);
  return { type: res.headers.get('content-type'), text: await res.text() };
}

/** The value of the sample `name{labels}` exactly as written in the exposition, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function lastJob(fx: ScheduleFixture, db: string): Promise<void> {
  const [row] = await fx.rows(`SHOW BACKUP FROM ${db}`);
  await fx.engine.jobs.waitForJob(Number(row?.[0]));
}

describe('metrics endpoint', () => {
  it('serve takes --metrics-port', () => {
    expect(parseServeArgs(['--metrics-port', '9100'])).toMatchObject({ metricsPort: 9100 });
    expect(parseServeArgs([])).toMatchObject({ metricsPort: undefined });
    expect(() => parseServeArgs(['--metrics-port', 'x'])).toThrow(/--metrics-port must be an integer from 0 to 65535, got 'x'/);
  });

  it('counts jobs by kind and outcome, observes bytes and durations, and ages the last good backup, after a success and after a failure', async () => {
    const T0 = Date.UTC(2026, 2, 1, 12);
    f = await openScheduleFixture(T0, { openBroker: denying });
    await seed(f, 'd1');
    await fileRepo(f, 'r');
    await fileRepo(f, 'denied');
    server = await startMetricsServer(f.engine.metrics, { host: '127.0.0.1', port: 0, logger: createLogger({ level: 'silent' }) });

    const before = await scrape(server.port);
    expect(before.type).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(before.text).toContain('# TYPE tablevault_jobs counter');
    expect(before.text).not.toContain('tablevault_jobs_total{');
    expect(before.text).not.toContain('tablevault_last_successful_backup_age_seconds{');
    expect(before.text.trimEnd().endsWith('# EOF')).toBe(true);
    expect((await fetch(`http://127.0.0.1:${server.port}/`)).status).toBe(404);

    // A success, scraped 90 s after it ended.
    await f.exec('BACKUP SNAPSHOT d1.s1 TO r');
    await lastJob(f, 'd1');
    f.clock.advance(90_000);
    const [[bytes]] = (await f.rows("SELECT bytes FROM information_schema.backup_jobs WHERE label = 's1'")) as [[string]];
    expect(Number(bytes)).toBeGreaterThan(0);
    const ok = (await scrape(server.port)).text;
    expect(sample(ok, 'tablevault_jobs_total{kind="BACKUP",state="FINISHED",status="OK"}')).toBe(1);
    expect(sample(ok, 'tablevault_last_successful_backup_age_seconds{database="d1",schedule=""}')).toBe(90);
    expect(sample(ok, 'tablevault_job_duration_seconds_count{kind="BACKUP",state="FINISHED"}')).toBe(1);
    expect(sample(ok, 'tablevault_job_bytes_sum{kind="BACKUP",state="FINISHED"}')).toBe(Number(bytes));
    expect(sample(ok, 'tablevault_job_bytes_bucket{le="1024",kind="BACKUP",state="FINISHED"}')).toBe(Number(bytes) <= 1024 ? 1 : 0);
    expect(ok).not.toMatch(/tablevault_running_jobs\{kind="BACKUP"\} [1-9]/);

    // A failure typed by hand, and a scheduled run that fails: the schedule has no good backup, so its age counts
    // from its creation; the database's good backup keeps aging.
    await f.exec('BACKUP SNAPSHOT d1.s2 TO denied');
    await lastJob(f, 'd1');
    const [[state, status]] = (await f.rows("SELECT state, status FROM information_schema.backup_jobs WHERE label = 's2'")) as [[string, string]];
    expect(state).toBe('CANCELLED');
    await f.exec("CREATE BACKUP SCHEDULE nightly FOR DATABASE d1 TO denied EVERY '1 DAY' STARTS '2026-03-02 02:00:00'");
    f.clock.advance(30_000);
    await f.exec('EXECUTE BACKUP SCHEDULE nightly');
    await f.engine.schedules.idle();
    await lastJob(f, 'd1');
    await f.engine.schedules.idle();
    f.clock.advance(60_000);
    const failed = (await scrape(server.port)).text;
    expect(sample(failed, 'tablevault_jobs_total{kind="BACKUP",state="FINISHED",status="OK"}')).toBe(1);
    expect(sample(failed, `tablevault_jobs_total{kind="BACKUP",state="CANCELLED",status="${status}"}`)).toBe(2);
    expect(sample(failed, 'tablevault_job_duration_seconds_count{kind="BACKUP",state="CANCELLED"}')).toBe(2);
    expect(sample(failed, 'tablevault_job_duration_seconds_count{kind="BACKUP",state="FINISHED"}')).toBe(1);
    expect(sample(failed, 'tablevault_last_successful_backup_age_seconds{database="d1",schedule=""}')).toBe(180);
    expect(sample(failed, 'tablevault_last_successful_backup_age_seconds{database="d1",schedule="nightly"}')).toBe(90);
    expect(failed).not.toMatch(/tablevault_running_jobs\{kind="BACKUP"\} [1-9]/);
    const [[failures]] = (await f.rows("SELECT consecutive_failures FROM information_schema.backup_schedules WHERE schedule_name = 'nightly'")) as [[string]];
    expect(failures).toBe('1');

    // The counters come from the journal: a restarted engine reports the same counts (histograms start afresh).
    await server.close();
    await f.reopen();
    server = await startMetricsServer(f.engine.metrics, { host: '127.0.0.1', port: 0, logger: createLogger({ level: 'silent' }) });
    const restarted = (await scrape(server.port)).text;
    expect(sample(restarted, 'tablevault_jobs_total{kind="BACKUP",state="FINISHED",status="OK"}')).toBe(1);
    expect(sample(restarted, `tablevault_jobs_total{kind="BACKUP",state="CANCELLED",status="${status}"}`)).toBe(2);
    expect(sample(restarted, 'tablevault_job_duration_seconds_count{kind="BACKUP",state="FINISHED"}')).toBeUndefined();
    expect(sample(restarted, 'tablevault_running_jobs{kind="BACKUP"}')).toBe(0);

    // A job in flight is a running job until it ends.
    await fileRepo(f, 'hung');
    await f.exec('BACKUP SNAPSHOT d1.s3 TO hung');
    const [[s3]] = (await f.rows('SHOW BACKUP FROM d1')) as [[string]];
    expect(sample((await scrape(server.port)).text, 'tablevault_running_jobs{kind="BACKUP"}')).toBe(1);
    await f.exec('CANCEL BACKUP FROM d1');
    await f.engine.jobs.waitForJob(Number(s3));
    const cancelled = (await scrape(server.port)).text;
    expect(sample(cancelled, 'tablevault_running_jobs{kind="BACKUP"}')).toBe(0);
    expect(sample(cancelled, 'tablevault_job_duration_seconds_count{kind="BACKUP",state="CANCELLED"}')).toBe(1);
  });

  it('tablevault serve --metrics-port serves it next to the MySQL port, and stops with the server', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-metrics-'));
    // The sources (scripts/tablevault-dev.js): bin/tablevault.js runs dist/, which may be stale or absent here.
    const child = spawn(process.execPath, [path.resolve('scripts/tablevault-dev.js'), 'serve', '--port', '0', '--metrics-port', '0', '--data-dir', dir, '--log-level', 'silent'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no metrics line; stderr: ${stderr}`)), 60_000);
        child.stdout.on('data', (c: Buffer) => {
          stdout += c.toString();
          const m = /^tablevault listening on 127\.0\.0\.1:\d+ \(data dir .+\)\nmetrics at http:\/\/127\.0\.0\.1:(\d+)\/metrics\n/.exec(stdout);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
      });
      const { type, text } = await scrape(port);
      expect(type).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
      expect(sample(text, 'tablevault_running_jobs{kind="BACKUP"}')).toBe(0);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
