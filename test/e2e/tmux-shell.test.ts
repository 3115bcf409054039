import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasTmux, TmuxSession } from './tmux-harness.ts';

// Terminal tests need tmux (.ci/run installs it). Under CI a missing tmux fails the run instead of skipping.
const run = hasTmux || process.env['CI'] === 'true';
// The sources through tsx (scripts/tablevault-dev.js): bin/tablevault.js runs dist/, which may be stale here.
const BIN = fileURLToPath(new URL('../../scripts/tablevault-dev.js', import.meta.url));

describe.runIf(run)('tablevault sql in a terminal (tmux)', () => {
  let dir: string;
  const sessions: TmuxSession[] = [];

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-shell-'));
  });

  afterAll(() => {
    for (const s of sessions) s.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function shell(name: string, histfile = path.join(dir, `${name}.history`)): TmuxSession {
    const s = new TmuxSession(['node', BIN, 'sql', '--data-dir', path.join(dir, name)], {
      width: 100,
      height: 50,
      env: { TABLEVAULT_HISTFILE: histfile, TABLEVAULT_LOG_LEVEL: 'silent', NO_COLOR: '1' },
    });
    sessions.push(s);
    return s;
  }

  it.concurrent('renders tables, continues multi-line statements, \\x, \\timing, \\l, \\dt, \\d, completion, Ctrl-C, \\q', async () => {
    const s = shell('main');
    await s.waitFor(/tablevault=> $/m);
    s.line('CREATE DATABASE shop; USE shop;');
    await s.waitFor(/^shop=> $/m);
    // A statement over three lines: the prompt turns into the continuation prompt until the `;`.
    s.line('CREATE TABLE orders_2024 (id INT, item VARCHAR(20), price DECIMAL(10,2))');
    await s.waitFor(/^shop-> $/m);
    s.line('DISTRIBUTED BY HASH(id)');
    s.line('BUCKETS 2;');
    await s.waitFor(/BUCKETS 2;\nQuery OK, 0 rows affected/);
    // An open string gets its own prompt.
    s.line("INSERT INTO orders_2024 VALUES (1, 'tea', 3.5), (22, NULL, 12.25), (3, 'two");
    await s.waitFor(/^shop'> $/m);
    s.line("lines', NULL);");
    await s.waitFor(/Query OK, 3 rows affected/);
    s.line('SELECT * FROM orders_2024 ORDER BY id;');
    let screen = await s.waitFor(/\(3 rows\)/);
    expect(screen).toContain(
      [
        ' id |  item  | price',
        '----+--------+--------',
        '  1 | tea    |   3.50',
        '  3 | two   +| [NULL]',
        '    | lines  |',
        ' 22 | [NULL] |  12.25',
        '(3 rows)',
      ].join('\n'),
    );

    s.line('\\pset null (null)');
    await s.waitFor(/Null display is "\(null\)"\./);
    s.line('\\x');
    await s.waitFor(/Expanded display is on\./);
    s.line('SELECT id, item FROM orders_2024 WHERE id = 22;');
    screen = await s.waitFor(/-\[ RECORD 1 \]-*\nid\s+\| 22\nitem \| \(null\)\n/);
    s.line('\\x off');
    await s.waitFor(/Expanded display is off\./);

    s.line('\\timing');
    await s.waitFor(/Timing is on\./);
    s.line('SELECT COUNT(*) AS n FROM orders_2024;');
    screen = await s.waitFor(/ n\n---\n 3\n\(1 row\)\n\nTime: \d+\.\d{3} ms/);
    s.line('\\timing off');
    await s.waitFor(/Timing is off\./);

    s.line('\\l');
    screen = await s.waitFor(/ Database\s*\n-+\n information_schema\n shop\n\(2 rows\)/);
    s.line('\\dt');
    await s.waitFor(/ Tables_in_shop\s*\n-+\n orders_2024\n\(1 row\)/);
    s.line('\\d orders_2024');
    screen = await s.waitFor(/ price +\| decimal\(10, 2\) +\|.*\n\(3 rows\)/);
    expect(screen).toMatch(/ Field +\| +Type +\| Null \| Key +\| Default \| Extra/);

    // Tab completes a table name (and readline adds a space after a unique completion).
    s.type('SELECT COUNT(*) FROM ord');
    s.keys('Tab');
    await s.waitFor(/^shop=> SELECT COUNT\(\*\) FROM orders_2024 ?$/m);
    s.line(';');
    await s.waitFor(/ 3\n\(1 row\)\n\nshop=> $/m);

    // Ctrl-C drops the half-typed statement; the next one runs on its own.
    s.line('SELECT no_such_column');
    await s.waitFor(/^shop-> $/m);
    s.keys('C-c');
    await s.waitFor(/\^C\nshop=> $/m);
    s.line('SELECT 7 AS seven;');
    await s.waitFor(/ seven\n-------\n +7\n\(1 row\)/);

    s.line('\\?');
    await s.waitFor(/\\watch \[SEC\]/);
    s.line('\\nope');
    await s.waitFor(/invalid command \\nope\nTry \\\? for help\./);
    s.line('SELECT * FROM missing_table;');
    await s.waitFor(/ERROR 1146 \(42S02\): .*missing_table/);

    s.line('\\q');
    await s.waitFor(/^\[exit 0\]$/m);
  });

  it.concurrent('keeps no credential typed at the prompt in the history file or on Up', async () => {
    const histfile = path.join(dir, 'secrets.history');
    const s = shell('secrets', histfile);
    await s.waitFor(/tablevault=> $/m);
    // The password on its own line after a comment, a key after a block comment, an unfinished statement at exit.
    s.line("CREATE USER 'ops'@'%' IDENTIFIED BY -- rotated");
    s.line("  'Tmux-Pw-Secret-1';");
    await s.waitFor(/Query OK, 0 rows affected/);
    s.line("SET PASSWORD FOR 'ops'@'%' = PASSWORD /* new */ ('Tmux-Pw-Secret-2');");
    await s.waitFor(/Query OK, 0 rows affected\n\n[\s\S]*Query OK, 0 rows affected/);
    s.keys('Up');
    await s.waitFor(/^tablevault=> SET PASSWORD FOR 'ops'@'%' = PASSWORD \/\* new \*\/ \(<secret>\);$/m);
    s.keys('C-c');
    s.line("ALTER USER 'ops'@'%' IDENTIFIED BY 'Tmux-Pw-Secret-3");
    await s.waitFor(/^tablevault'> $/m);
    s.keys('C-d');
    await s.waitFor(/^\[exit 0\]$/m);
    const saved = fs.readFileSync(histfile, 'utf8');
    expect(saved).not.toMatch(/Tmux-Pw-Secret/);
    expect(saved).toBe(
      [
        "CREATE USER 'ops'@'%' IDENTIFIED BY -- rotated",
        '  <secret>;',
        "SET PASSWORD FOR 'ops'@'%' = PASSWORD /* new */ (<secret>);",
        'ALTER USER <secret>@<secret> IDENTIFIED BY <secret>',
        '',
      ].join('\n'),
    );
  });

  it.concurrent('keeps history across runs: Up recalls a statement typed in the previous run', async () => {
    const histfile = path.join(dir, 'shared.history');
    const first = shell('hist', histfile);
    await first.waitFor(/tablevault=> $/m);
    first.line('SELECT 6 * 7');
    first.line('AS answer;');
    await first.waitFor(/ answer\n-+\n +42\n/);
    first.keys('C-d');
    await first.waitFor(/^\[exit 0\]$/m);
    expect(fs.readFileSync(histfile, 'utf8')).toBe('SELECT 6 * 7\nAS answer;\n');

    const second = shell('hist', histfile);
    await second.waitFor(/tablevault=> $/m);
    second.keys('Up', 'Up');
    await second.waitFor(/^tablevault=> SELECT 6 \* 7$/m);
    second.keys('Enter', 'Up', 'Up', 'Enter');
    await second.waitFor(/ answer\n-+\n +42\n/);
    second.line('\\q');
    await second.waitFor(/^\[exit 0\]$/m);
  });
});
