import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, type Session } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { startS3Server, type S3TestServer } from '../support/s3-server.ts';
import { codeBlocks } from './markdown-blocks.ts';
import { REPO_ROOT } from './page-run.ts';

/**
 * docs/automation.md's S3 part, which the docs runner can not run (no S3 at hand): its `dr_repo` block, exactly as
 * the page writes it but for the endpoint and keys, on s3rver; then the page's own schedule, EXECUTE, and the
 * restore from the DR copy — the same statements, read from the page.
 */
let s3: S3TestServer;
let dir: string;
let engine: Engine;
let session: Session;
beforeAll(async () => {
  s3 = await startS3Server({ bucket: 'tv-dr' });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-doc-s3-'));
  engine = await Engine.open({ dataDir: path.join(dir, 'data'), logger: createLogger({ level: 'silent' }) });
  session = engine.session();
});
afterAll(async () => {
  await engine?.close();
  await s3?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const page = codeBlocks(fs.readFileSync(path.join(REPO_ROOT, 'docs/automation.md'), 'utf8')).filter((b) => b.lang === 'sql');
/** The page's sql block that contains `text` (exactly one), with file:/// paths under this test's directory. */
function block(text: string): string {
  const found = page.filter((b) => b.body.includes(text));
  expect(found, text).toHaveLength(1);
  return (found[0]?.body ?? '').replaceAll('file:///', `file://${dir}/`);
}

async function rows(sql: string): Promise<(string | null)[][]> {
  const r = await session.execute(sql);
  if (r.kind !== 'rows') throw new Error(`${sql} returned OK`);
  return r.rows.map((row) => [...row]);
}

describe('docs/automation.md on S3 (s3rver)', () => {
  it('backs up nightly_repo and copies to dr_repo on S3, and restores from the S3 copy', async () => {
    await session.execute(block('CREATE TABLE orders'));
    const dr = page.find((b) => b.notRun !== undefined && b.body.includes("s3://tv-dr/shop"));
    expect(dr?.notRun).toMatch(/automation-s3\.test\.ts/);
    const onS3 = (dr?.body ?? '')
      .replace('http://s3.dr-site.internal:9000', s3.endpoint)
      .replace('"AKIA…"', `"${s3.accessKeyId}"`)
      .replace('"aws.s3.secret_key" = "…"', `"aws.s3.secret_key" = "${s3.secretAccessKey}"`);
    expect(onS3).toContain(s3.endpoint);
    expect(onS3).not.toContain('…');
    await session.execute(onS3);
    await session.execute(block('CREATE BACKUP SCHEDULE'));

    await session.execute(block('EXECUTE BACKUP SCHEDULE shop_nightly'));
    await engine.schedules.idle();
    const jobs = await rows('SELECT kind, repository, source_repository, state, status FROM information_schema.backup_jobs ORDER BY job_id');
    expect(jobs).toEqual([
      ['BACKUP', 'nightly_repo', null, 'FINISHED', 'OK'],
      ['COPY', 'dr_repo', 'nightly_repo', 'FINISHED', 'OK'],
    ]);
    const primary = await rows('SHOW SNAPSHOT ON nightly_repo');
    expect(primary).toHaveLength(1);
    expect(await rows('SHOW SNAPSHOT ON dr_repo')).toEqual(primary);
    // The copy is on the S3 server, under the repository's location.
    const [[label, ts]] = primary as [[string, string]];
    const stored = fs.readdirSync(path.join(s3.directory, 'tv-dr'), { recursive: true }).map(String);
    expect(stored.some((p) => p.includes(`__ss_${label}`))).toBe(true);

    const restore = block('FROM dr_repo PROPERTIES').replaceAll('{{label}}', label).replaceAll('{{ts}}', ts);
    await session.execute(restore);
    const [job] = await rows('SHOW RESTORE FROM shop');
    const done = await engine.jobs.waitForJob(Number(job?.[0]));
    expect([done.state, done.statusCode]).toEqual(['FINISHED', 'OK']);
    expect(await rows(block('SELECT * FROM shop.orders'))).toEqual([
      ['1', '10.50'],
      ['2', '20.00'],
    ]);
  });
});
