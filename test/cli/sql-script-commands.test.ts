/**
 * Batch mode (`tablevault sql -e` and piped scripts) with the mysql client's statement terminators and the shell's
 * commands: `\G` (this result vertically) and `\g`, `-E` (every result vertically), `\wait [JOB]` on a line of its own
 * and `--wait-jobs`. A WebHDFS repository behind an upload gate keeps a BACKUP running as long as the test wants, so
 * "the next statement runs only once the job ended" is observed, not assumed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSql, type CommandIo } from '../../src/cli/sql-command.ts';
import { EXIT_JOB_CANCELLED } from '../../src/cli/shell/index.ts';
import { startWebHdfsServer, type WebHdfsTestServer } from '../support/webhdfs-server.ts';
import { startUploadGate, type Gate } from '../e2e/tmux-harness.ts';

function io(stdin = ''): CommandIo & { out: string; err: string } {
  const r = {
    out: '',
    err: '',
    stdout: (t: string) => void (r.out += t),
    stderr: (t: string) => void (r.err += t),
    stdinIsTTY: false,
    readStdin: () => stdin,
  };
  return r;
}

describe('tablevault sql scripts: \\G, \\g, -E, \\wait, --wait-jobs', () => {
  let dir: string;
  let data: string;
  let hdfs: WebHdfsTestServer;
  let gate: Gate;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-script-'));
    data = path.join(dir, 'data');
    hdfs = await startWebHdfsServer();
    gate = await startUploadGate(hdfs.port);
    const setup = io();
    const code = await runSql(['--data-dir', data, '-e', `CREATE DATABASE d; CREATE TABLE d.t (id INT, name VARCHAR(10)) DISTRIBUTED BY HASH(id) BUCKETS 2; INSERT INTO d.t VALUES (1, 'one'), (2, NULL);
      CREATE REPOSITORY r WITH BROKER ON LOCATION 'hdfs://127.0.0.1:${gate.port}/b' PROPERTIES ("username" = "tester")`], setup);
    expect(setup.err).toBe('');
    expect(code).toBe(0);
  }, 60_000);

  afterAll(async () => {
    gate.open();
    await gate.stop();
    await hdfs.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('\\G prints that result vertically, \\g and ; the tab-separated way, in -e', async () => {
    const out = io();
    const code = await runSql(['--data-dir', data, '-e', "SELECT id, name AS longer_name FROM d.t ORDER BY id\\G SELECT 1 AS one\\g SELECT 'x' AS s; SELECT 'tab\there' AS v\\G"], out);
    expect(code).toBe(0);
    expect(out.err).toBe('');
    expect(out.out).toBe(
      [
        '*************************** 1. row ***************************',
        '         id: 1',
        'longer_name: one',
        '*************************** 2. row ***************************',
        '         id: 2',
        'longer_name: NULL',
        'one',
        '1',
        's',
        'x',
        '*************************** 1. row ***************************',
        'v: tab\there',
        '',
      ].join('\n'),
    );
  });

  it('a piped script: \\G on a line of its own ends the statement above it; -N drops the names; errors keep their line', async () => {
    const script = "SELECT id,\n  name\nFROM d.t\nWHERE id = 1\n\\G\nSELECT 'still' AS s;\n-- comment \\G in a comment\nSELECT 'a\\\\G' AS quoted\\G\nSELEC 2;\n";
    const out = io(script);
    const code = await runSql(['--data-dir', data, '-N'], out);
    expect(code).toBe(1);
    expect(out.out).toBe('*************************** 1. row ***************************\n1\none\nstill\n*************************** 1. row ***************************\na\\G\n');
    expect(out.err).toMatch(/^ERROR 1064 \(42000\) at line 9: /);
  });

  it('-E prints every result vertically', async () => {
    const out = io();
    expect(await runSql(['--data-dir', data, '-E', '-e', 'SELECT id FROM d.t ORDER BY id; SELECT 2 AS two'], out)).toBe(0);
    expect(out.out).toBe('*************************** 1. row ***************************\nid: 1\n*************************** 2. row ***************************\nid: 2\n*************************** 1. row ***************************\ntwo: 2\n');
  });

  it('\\wait holds the script until the job it started ends; the next statement sees it FINISHED', async () => {
    gate.close();
    const out = io();
    let settled = false;
    const running = runSql(['--data-dir', data, '-N', '-e', "BACKUP SNAPSHOT d.w1 TO r;\n\\wait\nSELECT 'after';\nSHOW BACKUP FROM d"], out).finally(() => (settled = true));
    for (let i = 0; i < 200 && gate.held === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(gate.held).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    // The uploads are held: \wait has not returned, nothing after it ran.
    expect(settled).toBe(false);
    expect(out.out).toBe('');
    gate.open();
    expect(await running).toBe(0);
    expect(out.out).toMatch(/^after\n\d+\tw1\td\tFINISHED\t/);
  }, 60_000);

  it('--wait-jobs waits after every job-starting statement; a cancelled job stops the script with 3', async () => {
    gate.close();
    const out = io();
    let settled = false;
    const running = runSql(['--data-dir', data, '--wait-jobs', '-N', '-e', "BACKUP SNAPSHOT d.w2 TO r; SELECT 'after'"], out).finally(() => (settled = true));
    for (let i = 0; i < 200 && gate.held === 0; i++) await new Promise((r) => setTimeout(r, 25));
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBe(false);
    expect(out.out).toBe('');
    gate.open();
    expect(await running).toBe(0);
    expect(out.out).toBe('after\n');

    // Cancelled while it is waited for: the statements after \wait do not run.
    gate.close();
    const cancelled = io();
    const code = await runSql(['--data-dir', data, '-e', "BACKUP SNAPSHOT d.w3 TO r; CANCEL BACKUP FROM d;\n\\wait\nSELECT 'not reached'"], cancelled);
    gate.open();
    expect(code).toBe(EXIT_JOB_CANCELLED);
    expect(cancelled.out).toBe('');
    expect(cancelled.err).toMatch(/BACKUP w3 CANCELLED/);
  }, 60_000);

  it('\\wait with no job started, and an interactive-only command, are errors at their line', async () => {
    const none = io();
    expect(await runSql(['--data-dir', data, '-e', "SELECT 1;\n\\wait"], none)).toBe(1);
    expect(none.err).toBe('ERROR at line 2: \\wait: no BACKUP or RESTORE job was started before this line\n');
    const meta = io();
    expect(await runSql(['--data-dir', data, '-e', "\\x on\nSELECT 1"], meta)).toBe(1);
    expect(meta.err).toBe('ERROR at line 1: \\x is an interactive command; scripts take \\wait [JOB], \\g and \\G\n');
  });
});
