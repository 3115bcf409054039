import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSql, type CommandIo } from '../../src/cli/sql-command.ts';
import { EXIT_JOB_CANCELLED } from '../../src/cli/shell/index.ts';
import { startWebHdfsServer, type WebHdfsTestServer } from '../support/webhdfs-server.ts';
import { startUploadGate, type Gate } from '../e2e/tmux-harness.ts';

function io(): CommandIo & { out: string; err: string } {
  const r = {
    out: '',
    err: '',
    stdout: (t: string) => void (r.out += t),
    stderr: (t: string) => void (r.err += t),
    stdinIsTTY: false,
    readStdin: () => '',
  };
  return r;
}

// Embedded batch mode owns the engine: it waits for the jobs its statements started, and the exit code says how
// they ended. Uploads go through a gate in front of a WebHDFS server, so a job stays running as long as the test wants.
describe('tablevault sql batch mode waits for the jobs it started', () => {
  let dir: string;
  let hdfs: WebHdfsTestServer;
  let gate: Gate;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-batch-jobs-'));
    hdfs = await startWebHdfsServer();
    gate = await startUploadGate(hdfs.port);
    const setup = io();
    const code = await runSql(['--data-dir', path.join(dir, 'data'), '-e', `CREATE DATABASE d; CREATE TABLE d.t (id INT) DISTRIBUTED BY HASH(id) BUCKETS 2; INSERT INTO d.t VALUES (1), (2), (3);
      CREATE REPOSITORY r WITH BROKER ON LOCATION 'hdfs://127.0.0.1:${gate.port}/b' PROPERTIES ("username" = "tester")`], setup);
    expect(setup.err).toBe('');
    expect(code).toBe(0);
  });

  afterAll(async () => {
    await gate.stop();
    await hdfs.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('waits until the BACKUP finishes, then exits 0', async () => {
    gate.close();
    const out = io();
    let settled = false;
    const running = runSql(['--data-dir', path.join(dir, 'data'), '-e', 'BACKUP SNAPSHOT d.s1 TO r'], out).finally(() => (settled = true));
    for (let i = 0; i < 200 && gate.held === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(gate.held).toBeGreaterThan(0);
    // The statement has returned long ago; the command is still waiting for the job.
    await new Promise((r) => setTimeout(r, 200));
    expect(settled).toBe(false);
    gate.open();
    expect(await running).toBe(0);
    expect(out.err).toBe('');
  });

  it('exits 3 when the waited-for job ends CANCELLED, and says why on stderr', async () => {
    gate.close();
    const out = io();
    // The uploads are held, so the job is certainly still running when CANCEL arrives.
    const code = await runSql(['--data-dir', path.join(dir, 'data'), '-e', 'BACKUP SNAPSHOT d.s2 TO r; CANCEL BACKUP FROM d'], out);
    expect({ code, err: out.err }).toMatchObject({ code: EXIT_JOB_CANCELLED, err: expect.stringMatching(/^BACKUP s2 CANCELLED \(\[COMMON_ERROR, msg: user cancelled\]\)\n$/) });
  });

  it('--no-wait exits at once while the job is still running', async () => {
    gate.close();
    const out = io();
    const held = gate.held;
    const code = await runSql(['--data-dir', path.join(dir, 'data'), '--no-wait', '-e', 'BACKUP SNAPSHOT d.s3 TO r'], out);
    expect(code).toBe(0);
    expect(out.err).toBe('');
    // It did not wait: nothing was let through, and the uploads it started (if any) are still held.
    expect(gate.held).toBeGreaterThanOrEqual(held);
    gate.open();
  });
});
