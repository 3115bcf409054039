/**
 * One end-to-end session, written once as data and run through two real clients against `startServer` over a real
 * Engine: the `mariadb` command-line client (one process per step, as scripts use it) and mysql2/promise (one
 * connection for the whole session). create → insert → multi-statements → repository → BACKUP → SHOW BACKUP polling
 * → SHOW SNAPSHOT → DROP → RESTORE → SHOW RESTORE polling → the same rows. Plus logins (password, wrong password,
 * root without one) and a non-admin user denied BACKUP, through both clients.
 *
 * Nothing here skips: the mariadb CLI is a hard requirement (.ci/run installs it); without it the suite fails.
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';

/** What one step produced: every row of every result set (values as the wire text, NULL as 'NULL'), or the error. */
type Outcome =
  | { readonly ok: true; readonly rows: readonly (readonly string[])[] }
  | { readonly ok: false; readonly errno: number; readonly sqlState: string; readonly message: string };

/** One client's view of a session: run SQL text, get an Outcome. */
interface Client {
  readonly name: string;
  run(sql: string): Promise<Outcome>;
  close(): Promise<void>;
}

interface Login {
  readonly user: string;
  readonly password?: string;
}

const CLI_ERROR = /^ERROR (\d+) \(([0-9A-Z]{5})\)(?: at line \d+)?: (.*)$/m;

/**
 * The mariadb CLI, one process per step (async execFile: a synchronous spawn would block the in-process server).
 * `USE db` runs as its own invocation (COM_INIT_DB: an unknown database fails there) and later steps connect with
 * `-D db`, which is how a shell script carries a current database from one call to the next.
 */
function cliClient(port: number, login: Login): Client {
  let database: string | undefined;
  const invoke = (sql: string): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const args = [
        '-h127.0.0.1', `-P${port}`, `-u${login.user}`, ...(login.password === undefined ? [] : [`-p${login.password}`]),
        '--connect-timeout=5', '-N', '-B', ...(database === undefined ? [] : ['-D', database]), '-e', sql,
      ];
      execFile('mariadb', args, { timeout: 30_000 }, (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
      });
    });
  return {
    name: 'mariadb CLI',
    async run(sql) {
      const r = await invoke(sql);
      if (r.code !== 0) {
        const m = CLI_ERROR.exec(r.stderr);
        if (m === null) throw new Error(`mariadb exited ${r.code} without an ERROR line: ${r.stderr}`);
        return { ok: false, errno: Number(m[1]), sqlState: m[2]!, message: m[3]! };
      }
      if (r.stderr !== '') throw new Error(`mariadb printed to stderr: ${r.stderr}`);
      const use = /^\s*USE\s+`?(\w+)`?\s*;?\s*$/i.exec(sql);
      if (use !== null) database = use[1];
      const lines = r.stdout.split('\n');
      if (lines.at(-1) === '') lines.pop();
      return { ok: true, rows: lines.map((line) => line.split('\t')) };
    },
    close: async () => undefined,
  };
}

/** mysql2/promise on one connection, multi-statements on, every value taken as the text the server sent. */
async function mysql2Client(port: number, login: Login): Promise<Client> {
  const conn = await mysql.createConnection({
    host: '127.0.0.1', port, user: login.user, ...(login.password === undefined ? {} : { password: login.password }),
    multipleStatements: true, rowsAsArray: true, typeCast: (field) => field.string(),
  });
  return {
    name: 'mysql2',
    async run(sql) {
      try {
        const [results, fields] = await conn.query(sql);
        const sets: unknown[][] = [];
        // A multi-statement reply has one fields entry per statement (undefined for OK results).
        if (Array.isArray(fields) && fields.length > 0 && fields.every((f) => f === undefined || Array.isArray(f))) {
          (results as unknown[]).forEach((r, i) => fields[i] !== undefined && sets.push(r as unknown[]));
        } else if (Array.isArray(results)) sets.push(results);
        const rows = sets.flatMap((set) => set.map((row) => (row as (string | null)[]).map((v) => v ?? 'NULL')));
        return { ok: true, rows };
      } catch (error) {
        const e = error as { errno?: number; sqlState?: string; message: string };
        if (e.errno === undefined) throw error;
        return { ok: false, errno: e.errno, sqlState: e.sqlState ?? '', message: e.message };
      }
    },
    close: () => conn.end(),
  };
}

type Rows = readonly (readonly string[])[];

/** A step of the scenario. `$name` in SQL is replaced by a value an earlier step saved. */
type Step =
  /** Run and compare the rows exactly (omit `rows` for statements whose result does not matter). */
  | { readonly sql: string; readonly rows?: Rows; readonly save?: string }
  /** Run and expect this error. */
  | { readonly sql: string; readonly errno: number; readonly message?: RegExp }
  /** Re-run until `column` of the first row is one of the terminal states; then it must be `state`. */
  | { readonly poll: string; readonly column: number; readonly state: string; readonly statusColumn: number }
  /** Save a cell of the first row under a name. */
  | { readonly sql: string; readonly saveCell: { readonly name: string; readonly column: number } }
  /** Run and compare with the rows an earlier step saved. */
  | { readonly sql: string; readonly sameAs: string };

const ORIGINAL: Rows = [
  ['1', 'eu', '12.50', '2024-02-29'],
  ['2', 'us', 'NULL', '2024-03-01'],
  ['3', 'ja ✓ 日本', '0.01', 'NULL'],
  ['4', 'eu', '-7.25', '1970-01-01'],
];

function scenario(db: string, repo: string, repoDir: string): readonly Step[] {
  return [
    { sql: `CREATE DATABASE ${db}` },
    { sql: `USE ${db}` },
    { sql: 'SELECT DATABASE()', rows: [[db]] },
    {
      sql:
        'CREATE TABLE orders (id INT, region VARCHAR(32), amount DECIMAL(10,2), d DATE) DUPLICATE KEY(id) ' +
        'DISTRIBUTED BY HASH(id) BUCKETS 4 PROPERTIES ("replication_num" = "1")',
    },
    { sql: `INSERT INTO orders VALUES ${ORIGINAL.map((r) => `(${r.map((v, i) => (v === 'NULL' ? 'NULL' : i === 0 || i === 2 ? v : `'${v}'`)).join(', ')})`).join(', ')}` },
    { sql: 'SELECT id, region, amount, d FROM orders ORDER BY id', rows: ORIGINAL, save: 'original' },
    { sql: 'SELECT 1; SELECT 2', rows: [['1'], ['2']] },
    { sql: 'SELECT COUNT(*) FROM orders; SELECT region FROM orders WHERE id = 4', rows: [['4'], ['eu']] },
    { sql: 'SELECT 1; SELEC 2', errno: 1064 },
    { sql: 'SELECT * FROM no_such_table', errno: 1146, message: new RegExp(`Table '${db}.no_such_table' doesn't exist`) },
    { sql: `CREATE REPOSITORY ${repo} WITH BROKER ON LOCATION 'file://${repoDir}'` },
    { sql: `SHOW REPOSITORIES`, saveCell: { name: 'repos', column: 1 } },
    // Unqualified label: the database comes from USE.
    { sql: `BACKUP SNAPSHOT snap1 TO ${repo} ON (orders)` },
    { poll: `SHOW BACKUP FROM ${db}`, column: 3, state: 'FINISHED', statusColumn: 12 },
    { sql: `SHOW SNAPSHOT ON ${repo} WHERE SNAPSHOT = 'snap1'`, saveCell: { name: 'ts', column: 1 } },
    { sql: 'DROP TABLE orders' },
    { sql: 'SELECT * FROM orders', errno: 1146 },
    { sql: `RESTORE SNAPSHOT snap1 FROM ${repo} ON (orders) PROPERTIES ("backup_timestamp" = "$ts")` },
    { poll: `SHOW RESTORE FROM ${db}`, column: 4, state: 'FINISHED', statusColumn: 16 },
    { sql: 'SELECT id, region, amount, d FROM orders ORDER BY id', sameAs: 'original' },
    { sql: `SELECT COUNT(*) FROM ${db}.orders`, rows: [[String(ORIGINAL.length)]] },
  ];
}

const TERMINAL = new Set(['FINISHED', 'CANCELLED']);

async function play(client: Client, steps: readonly Step[]): Promise<void> {
  const saved = new Map<string, Rows>();
  const cells = new Map<string, string>();
  const fill = (sql: string): string => sql.replace(/\$(\w+)/g, (_, name: string) => cells.get(name) ?? `$${name}`);
  const must = async (sql: string): Promise<Rows> => {
    const out = await client.run(sql);
    if (!out.ok) throw new Error(`${client.name}: ${sql} failed: ${out.errno} ${out.message}`);
    return out.rows;
  };
  for (const step of steps) {
    if ('poll' in step) {
      const deadline = Date.now() + 30_000;
      let row: readonly string[] | undefined;
      for (;;) {
        row = (await must(step.poll))[0];
        if (row !== undefined && TERMINAL.has(row[step.column] ?? '')) break;
        if (Date.now() > deadline) throw new Error(`${client.name}: ${step.poll} not terminal after 30 s: ${JSON.stringify(row)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(row[step.column], `${client.name}: ${step.poll} → ${JSON.stringify(row)}`).toBe(step.state);
      expect(row[step.statusColumn]).toBe('[OK]');
      continue;
    }
    const sql = fill(step.sql);
    if ('errno' in step) {
      const out = await client.run(sql);
      expect(out, `${client.name}: ${sql}`).toMatchObject({ ok: false, errno: step.errno });
      if (!out.ok) {
        expect(out.sqlState).toMatch(/^[0-9A-Z]{5}$/);
        if (step.message) expect(out.message).toMatch(step.message);
      }
      continue;
    }
    const rows = await must(sql);
    if ('rows' in step && step.rows !== undefined) expect(rows, `${client.name}: ${sql}`).toEqual(step.rows);
    if ('save' in step && step.save !== undefined) saved.set(step.save, rows);
    if ('sameAs' in step) expect(rows, `${client.name}: ${sql}`).toEqual(saved.get(step.sameAs));
    if ('saveCell' in step) {
      const cell = rows[0]?.[step.saveCell.column];
      expect(cell, `${client.name}: ${sql} → ${JSON.stringify(rows)}`).toBeTruthy();
      cells.set(step.saveCell.name, cell!);
    }
  }
}

describe('one session through the mariadb CLI and mysql2 (real engine, in-process server)', () => {
  const logger = createLogger({ level: 'silent' });
  let dir: string;
  let engine: Engine;
  let server: RunningServer;

  beforeAll(async () => {
    // A hard requirement, not a skip: CI installs the client, and a missing one must be seen.
    const version = spawnSync('mariadb', ['--version'], { encoding: 'utf8' });
    if (version.status !== 0) throw new Error('the mariadb command-line client is required (apt-get install mariadb-client)');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-e2e-'));
    engine = await Engine.open({ dataDir: path.join(dir, 'data'), backends: 1, logger });
    server = await startServer(engine, { port: 0, logger });
    const root = engine.session();
    await root.execute(`
      CREATE DATABASE acl;
      CREATE TABLE acl.t (id INT) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1");
      INSERT INTO acl.t VALUES (1), (2);
      CREATE REPOSITORY acl_repo WITH BROKER ON LOCATION 'file://${path.join(dir, 'acl-repo')}';
      CREATE USER 'reader'@'%' IDENTIFIED BY 'r3ader-pw';
      GRANT SELECT ON ALL TABLES IN DATABASE acl TO USER 'reader'@'%';
    `);
    root.close();
  });

  afterAll(async () => {
    await server?.close();
    await engine?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const clients: readonly [string, (port: number, login: Login) => Promise<Client>][] = [
    ['mariadb CLI', async (port, login) => cliClient(port, login)],
    ['mysql2', mysql2Client],
  ];

  describe.each(clients)('%s', (name, open) => {
    const tag = name === 'mysql2' ? 'm2' : 'cli';

    it('create → insert → multi-statements → BACKUP → SHOW BACKUP polling → DROP → RESTORE → same rows', async () => {
      const client = await open(server.port, { user: 'root' });
      try {
        await play(client, scenario(`shop_${tag}`, `repo_${tag}`, path.join(dir, `repo-${tag}`)));
      } finally {
        await client.close();
      }
    });

    it('a user with a password logs in, reads, and is denied BACKUP (1227); wrong password → 1045', async () => {
      const reader = await open(server.port, { user: 'reader', password: 'r3ader-pw' });
      try {
        expect(await reader.run('SELECT CURRENT_USER()')).toEqual({ ok: true, rows: [["'reader'@'%'"]] });
        expect(await reader.run('SELECT id FROM acl.t ORDER BY id')).toEqual({ ok: true, rows: [['1'], ['2']] });
        expect(await reader.run(`BACKUP SNAPSHOT acl.denied_${tag} TO acl_repo`)).toMatchObject({
          ok: false, errno: 1227, sqlState: '42000', message: expect.stringContaining('REPOSITORY privilege(s) on SYSTEM'),
        });
        expect(await reader.run('INSERT INTO acl.t VALUES (3)')).toMatchObject({ ok: false, errno: 1142 });
      } finally {
        await reader.close();
      }
      // The denied BACKUP left no job behind.
      const root = await open(server.port, { user: 'root' });
      try {
        expect(await root.run('SHOW BACKUP FROM acl')).toEqual({ ok: true, rows: [] });
      } finally {
        await root.close();
      }
      const wrong = (await open(server.port, { user: 'reader', password: 'nope' }).then(
        (c) => c.run('SELECT 1'),
        (e: { errno: number; sqlState: string; message: string }) => ({ ok: false, errno: e.errno, sqlState: e.sqlState, message: e.message }) as Outcome,
      ));
      expect(wrong).toMatchObject({ ok: false, errno: 1045, sqlState: '28000', message: expect.stringContaining("Access denied for user 'reader'@'127.0.0.1' (using password: YES)") });
    });

    it('root without a password logs in; root with a password is refused (1045, using password: YES)', async () => {
      const root = await open(server.port, { user: 'root' });
      try {
        expect(await root.run('SELECT CURRENT_USER()')).toEqual({ ok: true, rows: [["'root'@'%'"]] });
      } finally {
        await root.close();
      }
      const refused = await open(server.port, { user: 'root', password: 'guess' }).then(
        (c) => c.run('SELECT 1'),
        (e: { errno: number; sqlState: string; message: string }) => ({ ok: false, errno: e.errno, sqlState: e.sqlState, message: e.message }) as Outcome,
      );
      expect(refused).toMatchObject({ ok: false, errno: 1045, message: expect.stringContaining('(using password: YES)') });
    });
  });
});
