/**
 * The shell's history (file and Up-arrow recall) never holds a credential typed at the prompt, however the
 * statement is spread over lines, commented, quoted or left unfinished — and statements without secrets are kept as
 * typed. The shell runs for real (readline in terminal mode over in-memory streams) on an embedded engine.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyLines, loadHistory } from '../../src/cli/shell/history.ts';
import { embeddedTarget, Shell } from '../../src/cli/shell/index.ts';
import { Engine } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { anySecretCase, userCase } from '../support/secret-statements.ts';

let dir: string;
let engine: Engine;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-history-secrets-'));
  engine = await Engine.open({ dataDir: path.join(dir, 'data'), backends: 1, logger: createLogger({ level: 'silent' }) });
});

afterAll(async () => {
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Type `lines` into a real shell, then `\q` (or end the input: Ctrl-D); returns the history file's entries and the screen. */
async function typeIntoShell(lines: readonly string[], historyFile: string, end: 'quit' | 'eof' = 'quit'): Promise<{ history: string[]; screen: string }> {
  const input = new PassThrough();
  const output = Object.assign(new PassThrough(), { columns: 200 });
  let screen = '';
  output.on('data', (chunk: Buffer) => void (screen += chunk.toString('utf8')));
  const session = engine.session();
  const target = { ...embeddedTarget(engine, session, dir), close: async () => session.close() };
  const shell = new Shell({ target, input, output, errorOutput: output, historyFile, version: 'test' });
  const done = shell.run();
  // readline in terminal mode: a line ends at CR; one chunk per line, as a terminal delivers them.
  for (const line of end === 'quit' ? [...lines, '\\q'] : lines) input.write(`${line}\r`);
  if (end === 'eof') {
    // Ctrl-D quits at once, dropping lines still queued: wait until the last line was read and the prompt is back.
    const last = lines[lines.length - 1] ?? '';
    const idle = (): boolean => screen.includes(last) && /> \u001b\[\d+G$/.test(screen);
    for (let i = 0; i < 500 && !idle(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    input.end();
  }
  await done;
  session.close();
  return { history: loadHistory(historyFile), screen };
}

describe('shell history and secrets', () => {
  it('each line is kept with its statement secrets masked, judged on the whole statement (fast-check)', () => {
    fc.assert(
      fc.property(anySecretCase(), fc.boolean(), (c, finished) => {
        const entries = historyLines(`${c.sql}${finished ? ';' : ''}`.split('\n'));
        expect(entries.join('\n')).not.toContain(c.marker);
        expect(entries.join('\n')).toContain('<secret>');
      }),
      { numRuns: 300 },
    );
    // Statements without secrets are kept as typed, literals and comments included.
    expect(historyLines(["SELECT 'tea', -- the drink", "  'two", "lines' FROM t;"])).toEqual(["SELECT 'tea', -- the drink", "  'two", "lines' FROM t;"]);
    // A continuation line inside the secret is dropped; the line where it starts shows the placeholder.
    expect(historyLines(["ALTER USER u IDENTIFIED BY 'multi", 'line', "secret' ;"])).toEqual(['ALTER USER u IDENTIFIED BY <secret>', '', ' ;']);
  });

  it('the real shell writes no secret to the history file, and Up recalls the masked line (fast-check)', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(userCase(), async (c) => {
        const file = path.join(dir, `history-${n++}`);
        // The account must exist for ALTER USER / SET PASSWORD; the shell's own session is root.
        if (c.user !== undefined && !c.family.startsWith('create-user')) await engine.session().execute(`CREATE USER IF NOT EXISTS '${c.user}'@'%'`);
        const { history, screen } = await typeIntoShell([...`${c.sql};`.split('\n'), 'SELECT 42 AS answer;'], file);
        expect(fs.readFileSync(file, 'utf8')).not.toContain(c.marker);
        expect(history.join('\n')).not.toContain(c.marker);
        expect(history).toContain('SELECT 42 AS answer;');
        // The statement ran: the shell printed its outcome.
        expect(screen).toMatch(/Query OK|ERROR 1064/);
      }),
      { numRuns: 15 },
    );
    // Recall: Up (past `\q`) brings back the masked password line, never the typed one.
    const file = path.join(dir, 'history-recall');
    await typeIntoShell(["CREATE USER 'recall'@'%' IDENTIFIED BY", "  'Rec4llSecretValue';"], file);
    expect(loadHistory(file)).toEqual(['\\q', '  <secret>;', "CREATE USER 'recall'@'%' IDENTIFIED BY"]);
    const input = new PassThrough();
    const output = Object.assign(new PassThrough(), { columns: 200 });
    let screen = '';
    output.on('data', (chunk: Buffer) => void (screen += chunk.toString('utf8')));
    const session = engine.session();
    const shell = new Shell({ target: { ...embeddedTarget(engine, session, dir), close: async () => session.close() }, input, output, historyFile: file, version: 'test' });
    const done = shell.run();
    input.write('\x1b[A\x1b[A');
    await new Promise((resolve) => setTimeout(resolve, 50));
    input.write('\x03\\q\r');
    await done;
    session.close();
    expect(screen).toContain('  <secret>;');
    expect(screen).not.toContain('Rec4llSecretValue');
  });

  it('Up walks the lines of the statement being typed, then earlier runs, as readline did', async () => {
    const file = path.join(dir, 'history-walk');
    await typeIntoShell(['SELECT 6 * 7', 'AS answer;'], file, 'eof');
    expect(fs.readFileSync(file, 'utf8')).toBe('SELECT 6 * 7\nAS answer;\n');
    const input = new PassThrough();
    const output = Object.assign(new PassThrough(), { columns: 200 });
    let screen = '';
    output.on('data', (chunk: Buffer) => void (screen += chunk.toString('utf8')));
    const session = engine.session();
    const shell = new Shell({ target: { ...embeddedTarget(engine, session, dir), close: async () => session.close() }, input, output, historyFile: file, version: 'test' });
    const done = shell.run();
    // Up twice: the first line of the previous run; Enter; Up twice again: past the line just typed, its second line.
    for (const keys of ['\x1b[A', '\x1b[A', '\r', '\x1b[A', '\x1b[A', '\r', '\\q\r']) {
      input.write(keys);
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    await done;
    session.close();
    expect(screen).toMatch(/ answer\n-+\n +42\n/);
  });

  it('an unfinished statement (Ctrl-C, or still open at exit) leaves only masked lines', async () => {
    const file = path.join(dir, 'history-unfinished');
    await typeIntoShell(["CREATE USER 'x'@'%' IDENTIFIED BY 'half-typed-S3cret", 'more-of-it'], file, 'eof');
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain('half-typed-S3cret');
    expect(text).not.toContain('more-of-it');
    // It never parsed, so every quoted token is masked, names included.
    expect(loadHistory(file)).toEqual(['CREATE USER <secret>@<secret> IDENTIFIED BY <secret>']);
    // Ctrl-C at the continuation prompt abandons the statement: its lines go to the history masked.
    const cancelled = path.join(dir, 'history-cancelled');
    const input = new PassThrough();
    const output = Object.assign(new PassThrough(), { columns: 200 });
    output.resume();
    const session = engine.session();
    const shell = new Shell({ target: { ...embeddedTarget(engine, session, dir), close: async () => session.close() }, input, output, historyFile: cancelled, version: 'test' });
    const done = shell.run();
    input.write("SET PASSWORD FOR 'x'@'%' = PASSWORD('Abandoned-S3cret'\r");
    await new Promise((resolve) => setTimeout(resolve, 50));
    input.write('\x03');
    await new Promise((resolve) => setTimeout(resolve, 50));
    input.write('\\q\r');
    await done;
    session.close();
    expect(fs.readFileSync(cancelled, 'utf8')).not.toContain('Abandoned-S3cret');
    expect(loadHistory(cancelled)).toEqual(['\\q', 'SET PASSWORD FOR <secret>@<secret> = PASSWORD(<secret>']);
  });
});
