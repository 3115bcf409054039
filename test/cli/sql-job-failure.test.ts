/**
 * A job that fails under `tablevault sql -e` (the real command, a child process): the terminal gets the job's outcome
 * as one clean line — kind, label, state, and the job's status message — and the details (the error, its stack)
 * go to the log file in the data dir, at the configured level. No log line, JSON or otherwise, on the terminal.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDED_LOG_FILE, runSql, type CommandIo } from '../../src/cli/sql-command.ts';
import { EXIT_JOB_CANCELLED } from '../../src/cli/shell/index.ts';

// The sources through tsx (scripts/tablevault-dev.js): bin/tablevault.js runs dist/, which may be stale here.
const BIN = fileURLToPath(new URL('../../scripts/tablevault-dev.js', import.meta.url));

function io(): CommandIo & { out: string; err: string } {
  const r = { out: '', err: '', stdout: (t: string) => void (r.out += t), stderr: (t: string) => void (r.err += t), stdinIsTTY: false, readStdin: () => '' };
  return r;
}

function tablevault(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('node', [BIN, ...args], { timeout: 90_000, env: { ...process.env, VITEST: '', ...env } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

describe('a failed job in tablevault sql -e', () => {
  let dir: string;
  let data: string;
  let timestamp: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-job-failure-'));
    data = path.join(dir, 'data');
    const setup = io();
    // Three backends, replication 3: a restore asking for one replica over the existing table must fail in the job.
    const code = await runSql(['--data-dir', data, '-e', `CREATE DATABASE d; CREATE TABLE d.t (id INT) DISTRIBUTED BY HASH(id) BUCKETS 2;
      INSERT INTO d.t VALUES (1), (2); CREATE REPOSITORY r WITH BROKER ON LOCATION 'file://${path.join(dir, 'repo')}'; BACKUP SNAPSHOT d.s1 TO r`], setup);
    expect({ code, err: setup.err }).toEqual({ code: 0, err: '' });
    const show = io();
    await runSql(['--data-dir', data, '-N', '-e', 'SHOW SNAPSHOT ON r'], show);
    timestamp = show.out.split('\t')[1] ?? '';
    expect(timestamp).toMatch(/^\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}/);
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints one clean line, no JSON, and logs the details to the data dir at the configured level', async () => {
    const restore = `RESTORE SNAPSHOT d.s1 FROM r PROPERTIES ("backup_timestamp" = "${timestamp}", "replication_num" = "1")`;
    const r = await tablevault(['sql', '--data-dir', data, '-e', restore], { TABLEVAULT_LOG_LEVEL: 'debug' });
    expect(r.code).toBe(EXIT_JOB_CANCELLED);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("RESTORE s1 CANCELLED ([COMMON_ERROR, msg: Partition t in table t has different replication num '3' with partition in repository, which is 1])\n");
    const log = fs.readFileSync(path.join(data, EMBEDDED_LOG_FILE), 'utf8');
    const failure = log.split('\n').filter((l) => l.includes('different replication num'));
    expect(failure.length).toBeGreaterThan(0);
    // The log has what the terminal does not: the error with its stack, as pino JSON.
    expect(JSON.parse(failure[0] as string)).toMatchObject({ level: 50, err: { stack: expect.stringContaining('JobStatusError') } });
    // Debug was asked for, so the log also has the statement (its text as PROCESSLIST shows it).
    expect(log).toContain('"msg":"statement"');
    expect((fs.statSync(path.join(data, EMBEDDED_LOG_FILE)).mode & 0o777).toString(8)).toBe('600');
  });
});
