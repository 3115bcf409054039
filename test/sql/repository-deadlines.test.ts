import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startS3Server, type S3TestServer } from '../support/s3-server.ts';
import { startStallingProxy, type StallingProxy } from '../support/stalling-proxy.ts';
import { openFixture, seedDatabase, type BackupFixture } from './backup-fixture.ts';

/**
 * Every storage call has a deadline: an S3 endpoint that accepts connections and never answers fails CREATE
 * REPOSITORY in about its deadline (not 200+ s), and a backup whose endpoint stalls mid-job says so in SHOW BACKUP's
 * TaskErrMsg while its tasks retry, then finishes once the endpoint answers again. Deadlines come from repository
 * properties, so this runs in seconds.
 */

/** Deadlines small enough for a test: 300 ms per request or without progress, two attempts 50–100 ms apart. */
const FAST = {
  'tablevault.request_timeout_ms': '300',
  'tablevault.stall_timeout_ms': '300',
  'tablevault.max_attempts': '2',
  'tablevault.retry_base_ms': '100',
};

const props = (o: Record<string, string>): string =>
  Object.entries(o)
    .map(([k, v]) => `"${k}" = "${v}"`)
    .join(', ');

let s3: S3TestServer;
let f: BackupFixture;
beforeAll(async () => {
  s3 = await startS3Server({ bucket: 'tv-deadlines' });
  f = await openFixture();
  await seedDatabase(f);
});
afterAll(async () => {
  await f?.close();
  await s3?.close();
});

describe('a black-holed S3 endpoint', () => {
  it('fails CREATE REPOSITORY within its deadline with a clear error', async () => {
    const hole = await startStallingProxy();
    try {
      const started = Date.now();
      const error = await f
        .exec(`CREATE REPOSITORY bh WITH BROKER ON LOCATION '${s3.location}/bh' PROPERTIES (${props({ ...s3.properties, 'aws.s3.endpoint': hole.endpoint, ...FAST })})`)
        .then(() => undefined, (e: unknown) => e as Error);
      const elapsed = Date.now() - started;
      expect(error?.message).toMatch(
        /^Failed to create repository: list of "__palo_repository_bh\/__repo_info" on s3:\/\/tv-deadlines\/bh gave no answer within 300 ms \(deadline: repository property "tablevault\.request_timeout_ms"\)\. \(gave up after 2 attempts\)$/,
      );
      expect(error?.message).not.toContain('S3RVER'); // no credential in the message
      // Two 300 ms deadlines and one backoff, plus slack for a loaded machine: seconds, not minutes.
      expect(elapsed).toBeGreaterThanOrEqual(600);
      expect(elapsed).toBeLessThan(5000);
      expect(hole.accepted()).toBeGreaterThan(0);
      expect((await f.rows('SHOW REPOSITORIES')).map((r) => r[1])).not.toContain('bh');
    } finally {
      await hole.close();
    }
  });
});

describe('an S3 endpoint that stalls mid-job', () => {
  let proxy: StallingProxy | undefined;
  afterAll(async () => {
    await proxy?.close();
  });

  it('shows the stalled transfer in TaskErrMsg while the job retries, and finishes when the endpoint is back', async () => {
    const upstream = new URL(s3.endpoint);
    proxy = await startStallingProxy({ host: upstream.hostname, port: Number(upstream.port) });
    await f.exec(`CREATE REPOSITORY stally WITH BROKER ON LOCATION '${s3.location}/stally' PROPERTIES (${props({ ...s3.properties, 'aws.s3.endpoint': proxy.endpoint, ...FAST })})`);
    const submitted = await f.exec('BACKUP SNAPSHOT d1.stalled TO stally');
    // The label is reserved (the statement returned); now the storage stops answering before any upload starts.
    proxy.setStalled(true);
    const id = Number(/job (\d+)/.exec(submitted.kind === 'ok' ? (submitted.message ?? '') : '')?.[1]);
    let row: (string | null)[] | undefined;
    for (let i = 0; i < 300; i++) {
      [row] = await f.rows('SHOW BACKUP FROM d1');
      if ((row?.[11] ?? '') !== '') break;
      await sleep(20);
    }
    // TaskErrMsg names the call that got no answer; the job is still running, Status still OK.
    expect(row?.[11]).toMatch(/^\[\d+: .*(gave no answer within|made no progress for) 300 ms \(deadline: repository property "tablevault\.(request|stall)_timeout_ms"\)\. \(gave up after 2 attempts\)\]/);
    expect(['UPLOAD_SNAPSHOT', 'UPLOADING']).toContain(row?.[3]);
    expect(row?.[12]).toBe('[OK]');
    proxy.setStalled(false);
    const job = await f.engine.jobs.waitForJob(id);
    expect([job.state, job.statusMsg]).toEqual(['FINISHED', '']);
    const [after] = await f.rows('SHOW BACKUP FROM d1');
    expect(after?.[11]).toBe('');
    expect((await f.rows("SHOW SNAPSHOT ON stally WHERE SNAPSHOT = 'stalled'"))[0]?.[2]).toBe('OK');
  }, 30_000);
});
