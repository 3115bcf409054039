import { afterAll, describe, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasTmux, TmuxSession } from './tmux-harness.ts';

// The real MariaDB client, interactive, against `tablevault serve`. Under CI both tools must exist (.ci/run installs
// them), so a missing one fails instead of skipping.
const hasMariadb = spawnSync('mariadb', ['--version']).status === 0;
const run = (hasTmux && hasMariadb) || process.env['CI'] === 'true';
// The sources through tsx (scripts/tablevault-dev.js): bin/tablevault.js runs dist/, which may be stale here.
const BIN = fileURLToPath(new URL('../../scripts/tablevault-dev.js', import.meta.url));

/** Start `tablevault serve --port 0` and read the port it prints. */
async function serve(dataDir: string): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--data-dir', dataDir, '--host', '127.0.0.1', '--port', '0'], {
    env: { ...process.env, TABLEVAULT_LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start within 30 s; output: ${out}`)), 30_000);
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /listening on [\d.]+:(\d+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${out}`));
    });
  });
  return { port, child };
}

describe.runIf(run)('interactive mariadb client against tablevault serve (tmux)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-mariadb-tty-'));
  let server: ChildProcess | undefined;
  let session: TmuxSession | undefined;

  afterAll(async () => {
    session?.kill();
    if (server !== undefined && server.exitCode === null) {
      const exited = new Promise((r) => server?.once('exit', r));
      server.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('connects, USE switches the database, a query prints a table, quit says Bye; tablevault sql -h works the same server', async () => {
    const started = await serve(path.join(dir, 'data'));
    server = started.child;
    const s = new TmuxSession(['mariadb', '-h127.0.0.1', `-P${started.port}`, '-uroot', '--connect-timeout=5'], {
      width: 120,
      height: 40,
      env: { MYSQL_HISTFILE: '/dev/null' },
    });
    session = s;
    await s.waitFor(/Server version: 8\.0\.33-tablevault/);
    // The client names the server it talks to: a MySQL 8 version string gives the `MySQL [db]>` prompt.
    await s.waitFor(/^MySQL \[\(none\)\]> ?$/m);
    s.line('CREATE DATABASE shop;');
    await s.waitFor(/Query OK, 1 row affected/);
    s.line('USE shop;');
    await s.waitFor(/Database changed\nMySQL \[shop\]> ?$/m);
    s.line('CREATE TABLE items (id INT, name VARCHAR(20)) DISTRIBUTED BY HASH(id) BUCKETS 1;');
    s.line("INSERT INTO items VALUES (1, 'tea'), (2, NULL);");
    await s.waitFor(/Query OK, 2 rows affected/);
    s.line('SELECT id, name FROM items ORDER BY id;');
    await s.waitFor(/\| id +\| name +\|\n\+-+\+-+\+\n\| +1 \| tea +\|\n\| +2 \| NULL +\|\n\+-+\+-+\+\n2 rows in set/);
    s.line('quit');
    await s.waitFor(/^Bye\n\[exit 0\]$/m);

    // The tablevault shell as a client of the same server: psql-style output over the MySQL protocol.
    const t = new TmuxSession(['node', BIN, 'sql', '-h', '127.0.0.1', '-P', String(started.port), '-u', 'root', '-D', 'shop'], {
      width: 100,
      height: 40,
      env: { TABLEVAULT_HISTFILE: path.join(dir, 'history'), TABLEVAULT_LOG_LEVEL: 'silent' },
    });
    session = t;
    s.kill();
    await t.waitFor(/^tablevault \S+ \(remote, 127\.0\.0\.1:\d+\)$/m);
    await t.waitFor(/^shop=> $/m);
    t.line('SELECT name FROM items ORDER BY id;');
    await t.waitFor(/ +name\n-+\n tea\n \[NULL\]\n\(2 rows\)/);
    t.line('\\c information_schema');
    await t.waitFor(/You are now using database "information_schema"\.\ninformation_schema=> $/m);
    t.line('\\q');
    await t.waitFor(/^\[exit 0\]$/m);
  });
});
