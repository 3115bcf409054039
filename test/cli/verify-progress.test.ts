import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedTarget, Shell } from '../../src/cli/shell/index.ts';
import { runSql, type CommandIo } from '../../src/cli/sql-command.ts';
import { Engine } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';

function io(stderrIsTTY: boolean): CommandIo & { out: string; err: string } {
  const r = {
    out: '',
    err: '',
    stdout: (t: string) => void (r.out += t),
    stderr: (t: string) => void (r.err += t),
    stdinIsTTY: false,
    stderrIsTTY,
    readStdin: () => '',
  };
  return r;
}

// VERIFY SNAPSHOT waits for its job inside the statement; `tablevault sql -e` on a data dir draws the job's live
// progress line on a terminal meanwhile (as it does for BACKUP / RESTORE after their statement), erased before the
// result is printed — and draws nothing when stderr is no terminal.
describe('tablevault sql draws a running VERIFY', () => {
  let dir: string;
  let dataDir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-verify-cli-'));
    dataDir = path.join(dir, 'data');
    const setup = io(false);
    const code = await runSql(['--data-dir', dataDir, '-e', `CREATE DATABASE d; CREATE TABLE d.t (id INT) DISTRIBUTED BY HASH(id) BUCKETS 4; INSERT INTO d.t VALUES (1), (2), (3), (4), (5);
      CREATE REPOSITORY r WITH BROKER ON LOCATION 'file://${dir}/repo'; BACKUP SNAPSHOT d.s1 TO r;`], setup);
    expect([code, setup.err]).toEqual([0, '']);
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('on a terminal: the progress line while it runs, erased before the result', async () => {
    const out = io(true);
    const code = await runSql(['--data-dir', dataDir, '-e', `VERIFY SNAPSHOT s1 ON r PROPERTIES ("mode" = "checksum")`], out);
    expect(code).toBe(0);
    expect(out.out).toMatch(/^Status\tTables\tPartitions\tFiles\tBytes\tPath\tProblem\nOK\t1\t1\t\d+\t\d+\tNULL\tNULL\n$/);
    expect(out.err).toMatch(/\r\x1b\[2KVERIFY s1 {2}CHECKING {2}\[[#-]{20}\] \d+% {2}\d+\/\d+ files {2}/);
    expect(out.err.endsWith('\r\x1b[2K')).toBe(true);
  });

  it('not on a terminal: nothing on stderr', async () => {
    const out = io(false);
    expect(await runSql(['--data-dir', dataDir, '-e', `VERIFY SNAPSHOT s1 ON r`], out)).toBe(0);
    expect([out.out.split('\n')[1]?.split('\t')[0], out.err]).toEqual(['OK', '']);
  });

  it('in the interactive shell: the same line on its screen while the statement runs, then the result table', async () => {
    const engine = await Engine.open({ dataDir, backends: 3, logger: createLogger({ level: 'silent' }) });
    try {
      const input = new PassThrough();
      const output = Object.assign(new PassThrough(), { columns: 200 });
      let screen = '';
      output.on('data', (chunk: Buffer) => void (screen += chunk.toString('utf8')));
      const session = engine.session();
      const shell = new Shell({ target: { ...embeddedTarget(engine, session, dir), close: async () => session.close() }, input, output, errorOutput: output, historyFile: null, version: 'test' });
      const done = shell.run();
      for (const line of ['VERIFY SNAPSHOT s1 ON r PROPERTIES ("mode" = "checksum");', '\\q']) input.write(`${line}\r`);
      await done;
      session.close();
      const drawn = screen.search(/\r\x1b\[2KVERIFY s1 {2}CHECKING {2}\[[#-]{20}\] \d+% {2}\d+\/\d+ files/);
      expect(drawn).toBeGreaterThan(0);
      // Erased, then the result table after it.
      expect(screen.slice(drawn)).toMatch(/^\r\x1b\[2KVERIFY [^\n]*\r\x1b\[2K Status \| Tables \|[^]*\n OK /);
    } finally {
      await engine.close();
    }
  });
});
