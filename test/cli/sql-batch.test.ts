/**
 * `tablevault sql` batch mode: mysql-style output (header, tabs, NULL, escapes), -N, errors on stderr as
 * `ERROR <errno> (<state>) at line N: …`, exit codes, piped stdin, and a data dir locked by another process.
 * Format cases run the command in process (runSql with a captured io); exit codes, stdin and the lock run the real
 * `node bin/tablevault.js` in a child process.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSql, type CommandIo } from '../../src/cli/sql-command.ts';
import { Engine } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';

// The sources through tsx (scripts/tablevault-dev.js): bin/tablevault.js runs dist/, which may be stale here.
const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'tablevault-dev.js');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function inProcess(argv: readonly string[], stdin?: string): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CommandIo = {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    stdinIsTTY: stdin === undefined,
    readStdin: () => stdin ?? '',
  };
  const code = await runSql(argv, io);
  return { code, stdout, stderr };
}

export function runCli(args: readonly string[], options: { stdin?: string; cwd?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: { ...process.env, TABLEVAULT_LOG_LEVEL: 'silent' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}

describe('tablevault sql (batch mode)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-'));
    const r = await inProcess([
      '--data-dir', dir, '-e',
      "CREATE DATABASE d; CREATE TABLE d.t (a INT, s STRING); INSERT INTO d.t VALUES (1, 'tab\there'), (2, NULL), (3, 'back\\\\slash'), (4, 'two\nlines'), (5, '')",
    ]);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints a header line and tab-separated rows; NULL as NULL; tab, newline and backslash escaped', async () => {
    const r = await inProcess(['--data-dir', dir, '-e', 'SELECT a, s FROM d.t ORDER BY a']);
    expect(r).toEqual({ code: 0, stderr: '', stdout: 'a\ts\n1\ttab\\there\n2\tNULL\n3\tback\\\\slash\n4\ttwo\\nlines\n5\t\n' });
  });

  it('-N skips the header; -D sets the database; several statements print one after another; OK statements and empty results print nothing, as mysql does', async () => {
    const r = await inProcess(['--data-dir', dir, '-N', '-D', 'd', '-e', 'SELECT COUNT(*) FROM t; USE d; SELECT MAX(a) AS m FROM t']);
    expect(r).toEqual({ code: 0, stderr: '', stdout: '5\n5\n' });
    const empty = await inProcess(['--data-dir', dir, '-D', 'd', '-e', 'SELECT a FROM t WHERE a > 100']);
    expect(empty).toEqual({ code: 0, stderr: '', stdout: '' });
  });

  it('stops at the first error: ERROR <errno> (<state>) at line N on stderr, exit 1, earlier output kept', async () => {
    const r = await inProcess(['--data-dir', dir, '-e', 'SELECT 1 AS one;\nSELECT nope FROM d.t;\nSELECT 3']);
    expect(r).toEqual({ code: 1, stdout: 'one\n1\n', stderr: "ERROR 1054 (42S22) at line 2: Unknown column 'nope' in 'field list'\n" });
    const syntax = await inProcess(['--data-dir', dir, '-e', 'SELECT 1;\n\nSELEC 2']);
    expect(syntax.code).toBe(1);
    expect(syntax.stderr).toMatch(/^ERROR 1064 \(42000\) at line 3: You have an error in your SQL syntax; .*near 'SELEC 2'/);
    // An unknown -D fails before any statement; main() prints it as `ERROR 1049 (42000): …` and exits 1.
    await expect(inProcess(['--data-dir', dir, '-D', 'nope', '-e', 'SELECT 1'])).rejects.toMatchObject({ errno: 1049, sqlState: '42000' });
    await expect(inProcess(['--data-dir', dir, '--bogus'])).rejects.toThrow('unknown option --bogus');
  });

  it('reads statements from stdin when no -e is given; refuses a terminal without -e', async () => {
    expect(await inProcess(['--data-dir', dir], 'SELECT 7 AS x;\nSELECT 8 AS y;\n')).toEqual({ code: 0, stderr: '', stdout: 'x\n7\ny\n8\n' });
    const tty = await inProcess(['--data-dir', dir]);
    expect(tty.code).toBe(2);
    expect(tty.stderr).toContain('pass statements with -e');
  });

  it('the real command: exit codes, stdout / stderr split, piped stdin', async () => {
    const bad = await runCli(['sql', '--data-dir', dir, '-e', 'SELECT * FROM d.nope']);
    expect(bad).toEqual({ code: 1, stdout: '', stderr: "ERROR 1146 (42S02) at line 1: Table 'd.nope' doesn't exist\n" });
    const piped = await runCli(['sql', '--data-dir', dir, '-N'], { stdin: 'SELECT COUNT(*) FROM d.t;\nSELECT 1 + 1;\n' });
    expect(piped).toEqual({ code: 0, stdout: '5\n2\n', stderr: '' });
  });

  it('a data dir opened by another process: a clear message naming the owner and what to do, exit 1, no stack trace', async () => {
    const engine = await Engine.open({ dataDir: dir, logger: createLogger({ level: 'silent' }) });
    try {
      const r = await runCli(['sql', '--data-dir', dir, '-e', 'SELECT 1']);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        `tablevault sql: data dir ${dir} is in use by process ${process.pid} (a running 'tablevault serve'?): connect to that server with 'tablevault sql -h 127.0.0.1 -P 9030', or stop it first\n`,
      );
    } finally {
      await engine.close();
    }
    // Released: the command works again.
    expect((await inProcess(['--data-dir', dir, '-N', '-e', 'SELECT 1'])).stdout).toBe('1\n');
  });
});
