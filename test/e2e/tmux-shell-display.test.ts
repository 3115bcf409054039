/**
 * The interactive shell's display features in a real terminal (tmux, a narrow window): `\G` ending a statement on the
 * same line or on a line of its own (the mysql client's vertical form), `\x auto` (expanded only when a row is wider
 * than the terminal), and the pager (`less -S`) for a result longer than the screen, `\pager off` turning it off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasTmux, TmuxSession } from './tmux-harness.ts';

const run = hasTmux || process.env['CI'] === 'true';
// The sources through tsx (scripts/tablevault-dev.js): bin/tablevault.js runs dist/, which may be stale here.
const BIN = fileURLToPath(new URL('../../scripts/tablevault-dev.js', import.meta.url));

describe.runIf(run)('tablevault sql display in a terminal (tmux)', () => {
  let dir: string;
  const sessions: TmuxSession[] = [];

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-display-'));
  });

  afterAll(() => {
    for (const s of sessions) s.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function shell(name: string, width: number, height: number): TmuxSession {
    const s = new TmuxSession(['node', BIN, 'sql', '--data-dir', path.join(dir, name)], {
      width,
      height,
      env: { TABLEVAULT_HISTFILE: path.join(dir, `${name}.history`), TABLEVAULT_LOG_LEVEL: 'silent', NO_COLOR: '1', PAGER: 'less -S' },
    });
    sessions.push(s);
    return s;
  }

  it('\\G on the statement line and on a line of its own prints the result vertically', async () => {
    const s = shell('vertical', 100, 40);
    await s.waitFor(/tablevault=> $/m, 60_000);
    s.line("SELECT 1 AS a, 'x' AS bee\\G");
    await s.waitFor(/\(1 row\)/);
    s.line('SELECT 2 AS two,');
    await s.waitFor(/^tablevault-> $/m);
    s.line("'three' AS three");
    s.line('\\G');
    const screen = await s.waitForCount(/\(1 row\)/, 2);
    expect(screen).toContain(['*************************** 1. row ***************************', '  a: 1', 'bee: x', '(1 row)'].join('\n'));
    expect(screen).toContain(['*************************** 1. row ***************************', '  two: 2', 'three: three', '(1 row)'].join('\n'));
    // Nothing was left in the buffer: the prompt is the plain one again.
    expect(screen.trimEnd().endsWith('tablevault=>')).toBe(true);
  }, 120_000);

  it('\\x auto expands only rows wider than the terminal; a result longer than the screen goes through the pager', async () => {
    const s = shell('narrow', 50, 14);
    await s.waitFor(/tablevault=> $/m, 60_000);
    s.line('\\x auto');
    await s.waitFor(/Expanded display is used automatically\./);
    s.line("SELECT 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' AS first_column, 'bbbbbbbbbbbbbbbbbbbbbb' AS second_column;");
    let screen = await s.waitFor(/-\[ RECORD 1 \]/);
    expect(screen).toContain('first_column  | aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
    s.line('SELECT 7 AS narrow;');
    screen = await s.waitFor(/ narrow\n--------\n {6}7\n\(1 row\)/);
    // 30 rows do not fit 14 lines: less shows the first screenful and waits; q returns to the prompt.
    s.line('SELECT * FROM TABLE(generate_series(1, 30)) g;');
    screen = await s.waitFor((text) => /^:\s*$/m.test(text.split('\n').slice(-2).join('\n')) && text.includes(' generate_series'));
    expect(screen).not.toContain('(30 rows)');
    s.keys('q');
    await s.waitForCount(/^tablevault=> $/m, 1);
    s.line('\\pager off');
    await s.waitFor(/Pager usage is off\./);
    s.line('SELECT * FROM TABLE(generate_series(1, 30)) g;');
    screen = await s.waitFor(/\(30 rows\)/);
    expect(screen).toMatch(/ {14}30\n\(30 rows\)/);
  }, 120_000);
});
