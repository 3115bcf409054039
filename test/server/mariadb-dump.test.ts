/**
 * mariadb-dump (10.11) against the server, and its dump loaded back with the plain `mariadb` CLI (no -f) into a fresh
 * data dir: with default options, --single-transaction, --no-data and --databases, every table comes back identical
 * (SHOW CREATE TABLE — key model, partitions, distribution, properties — and every row), across every column type
 * and key model. And --single-transaction during concurrent two-table transactions gives a consistent dump.
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, type Session } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';

const hasCli = spawnSync('mariadb-dump', ['--version']).status === 0;
const runCliTests = hasCli || process.env['CI'] === 'true';
const logger = createLogger({ level: 'silent' });

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(command, [...args], { timeout: 60_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

const connect = (port: number): string[] => ['-h127.0.0.1', `-P${port}`, '-uroot'];

/** The tables of the dumped database: every type, every key model, partitions, RANDOM distribution, properties, a view. */
const SCHEMA = `
  CREATE DATABASE shop;
  USE shop;
  CREATE TABLE all_types (
    k BIGINT NOT NULL COMMENT 'the id, it''s "quoted"',
    b BOOLEAN, ti TINYINT, si SMALLINT, i INT DEFAULT '7', li LARGEINT, f FLOAT, d DOUBLE,
    dec1 DECIMAL(12, 3) DEFAULT '1.500', dec2 DECIMAL(38, 10), c CHAR(4), vc VARCHAR(40) NOT NULL DEFAULT 'unknown',
    s STRING, dt DATE, dtt DATETIME
  ) DUPLICATE KEY(k) COMMENT 'every type'
  PARTITION BY RANGE(dt) (PARTITION p2023 VALUES LESS THAN ('2024-01-01'), PARTITION p2024 VALUES LESS THAN ('2025-01-01'), PARTITION pmax VALUES LESS THAN (MAXVALUE))
  DISTRIBUTED BY HASH(k) BUCKETS 3 PROPERTIES ('replication_num' = '1', 'storage_medium' = 'SSD');
  CREATE TABLE pk (id BIGINT NOT NULL, name VARCHAR(20), amount DECIMAL(10, 2)) PRIMARY KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 2;
  CREATE TABLE uniq (a INT NOT NULL, b DATE NOT NULL, v VARCHAR(10)) UNIQUE KEY(a, b) DISTRIBUTED BY HASH(a) BUCKETS 1;
  CREATE TABLE agg (
    k DATE NOT NULL, region VARCHAR(8) NOT NULL, total BIGINT SUM DEFAULT '0', lo INT MIN, hi INT MAX,
    last VARCHAR(10) REPLACE, keep VARCHAR(10) REPLACE_IF_NOT_NULL
  ) AGGREGATE KEY(k, region) PARTITION BY LIST(region) (PARTITION pe VALUES IN ('eu'), PARTITION pu VALUES IN ('us', 'ca'))
  DISTRIBUTED BY HASH(k) BUCKETS 2;
  CREATE TABLE rnd (x INT, y VARCHAR(5)) DUPLICATE KEY(x) DISTRIBUTED BY RANDOM BUCKETS 2;
  CREATE TABLE empty_t (k INT) DISTRIBUTED BY HASH(k) BUCKETS 1;
  INSERT INTO all_types VALUES
    (1, true, -128, -32768, -2147483648, -170141183460469231731687303715884105728, 0.5, 1.0E300, -12345.678, 1234567890123456789012345678.0123456789,
     'ab', 'it''s a "test" \\\\ back', 'multi\\nline\\ttab ✓ 日本', '2023-06-30', '2023-06-30 12:34:56.123456'),
    (2, false, 127, 32767, 2147483647, 170141183460469231731687303715884105727, -3.25, -2.5e-10, 0.001, -0.0000000001,
     '', '', '', '2024-02-29', '2024-02-29 00:00:00'),
    (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'x', NULL, '2030-01-01', NULL);
  INSERT INTO all_types (k, vc, dt) VALUES (4, 'defaults', '2023-01-01');
  INSERT INTO pk VALUES (1, 'one', 1.50), (2, 'two', NULL), (1, 'one again', 9.99);
  INSERT INTO uniq VALUES (1, '2024-01-01', 'a'), (1, '2024-01-01', 'b'), (2, '2024-01-02', NULL);
  INSERT INTO agg VALUES ('2024-01-01', 'eu', 5, 3, 3, 'x', 'keep'), ('2024-01-01', 'eu', 7, 1, 9, 'y', NULL), ('2024-01-01', 'ca', 1, 1, 1, NULL, NULL);
  INSERT INTO rnd VALUES (1, 'a'), (2, 'b'), (3, 'c');
  CREATE VIEW pk_named (id, label) COMMENT 'a view' AS SELECT id, name FROM pk WHERE name IS NOT NULL;
`;

/** What must be identical after a round trip: SHOW CREATE TABLE and every row (in a fixed order) of each table. */
async function snapshot(session: Session, db: string, withRows: boolean): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const tables = await session.execute(`SHOW TABLES FROM ${db}`);
  if (tables.kind !== 'rows') throw new Error('SHOW TABLES');
  for (const [name] of tables.rows) {
    const create = await session.execute(`SHOW CREATE TABLE ${db}.${name}`);
    const data = await session.execute(`SELECT * FROM ${db}.${name}`);
    const sorted = data.kind === 'rows' ? [...data.rows].map((r) => JSON.stringify(r)).sort() : undefined;
    out[name as string] = {
      create: create.kind === 'rows' ? create.rows[0]?.[1] : undefined,
      rows: withRows ? sorted : undefined,
      count: data.kind === 'rows' ? data.rows.length : undefined,
    };
  }
  return out;
}

describe.runIf(runCliTests)('mariadb-dump round trip', () => {
  const dirs: string[] = [];
  let source: Engine;
  let server: RunningServer;
  let original: Record<string, unknown>;

  const tempDir = (): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-dump-'));
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    source = await Engine.open({ dataDir: tempDir(), backends: 1, logger });
    await source.session().execute(SCHEMA);
    server = await startServer(source, { port: 0, logger });
    original = await snapshot(source.session(), 'shop', true);
  });

  afterAll(async () => {
    await server?.close();
    await source?.close();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  /** Load `dump` with the plain mariadb CLI into a new server on a fresh data dir; the loaded engine's snapshot. */
  async function loadIntoFresh(dump: string, createDb: boolean, withRows: boolean): Promise<Record<string, unknown>> {
    const engine = await Engine.open({ dataDir: tempDir(), backends: 1, logger });
    const fresh = await startServer(engine, { port: 0, logger });
    try {
      if (createDb) await engine.session().execute('CREATE DATABASE shop');
      const loaded = await run('mariadb', [...connect(fresh.port), ...(createDb ? ['-D', 'shop'] : [])], dump);
      expect(loaded.stderr).toBe('');
      expect(loaded.code).toBe(0);
      return await snapshot(engine.session(), 'shop', withRows);
    } finally {
      await fresh.close();
      await engine.close();
    }
  }

  it.each([
    ['default options', [] as string[]],
    ['--single-transaction', ['--single-transaction']],
  ])('%s: the dump loads back identical (DDL and rows)', async (_name, options) => {
    const dump = await run('mariadb-dump', [...connect(server.port), ...options, 'shop']);
    expect(dump.stderr).toBe('');
    expect(dump.code).toBe(0);
    expect(dump.stdout).toContain('CREATE TABLE `all_types`');
    expect(dump.stdout).toContain('INSERT INTO `agg` VALUES');
    expect(await loadIntoFresh(dump.stdout, true, true)).toEqual(original);
  });

  it('--no-data: the same tables, empty', async () => {
    const dump = await run('mariadb-dump', [...connect(server.port), '--no-data', 'shop']);
    expect(dump.stderr).toBe('');
    expect(dump.code).toBe(0);
    expect(dump.stdout).not.toContain('INSERT INTO');
    const loaded = await loadIntoFresh(dump.stdout, true, false);
    expect(Object.keys(loaded)).toEqual(Object.keys(original));
    for (const [name, table] of Object.entries(loaded)) {
      expect(table).toEqual({ create: (original[name] as { create: string }).create, rows: undefined, count: 0 });
    }
  });

  it('--databases: the dump creates the database itself', async () => {
    const dump = await run('mariadb-dump', [...connect(server.port), '--databases', 'shop']);
    expect(dump.stderr).toBe('');
    expect(dump.code).toBe(0);
    expect(dump.stdout).toContain('USE `shop`;');
    expect(await loadIntoFresh(dump.stdout, false, true)).toEqual(original);
  });

  it('a dump loads back over the database it came from (its views still there)', async () => {
    const dump = await run('mariadb-dump', [...connect(server.port), 'shop']);
    expect(dump.stderr).toBe('');
    expect(dump.stdout).toContain('DROP TABLE IF EXISTS `pk_named`;');
    const loaded = await run('mariadb', [...connect(server.port), '-D', 'shop'], dump.stdout);
    expect(loaded.stderr).toBe('');
    expect(loaded.code).toBe(0);
    expect(await snapshot(source.session(), 'shop', true)).toEqual(original);
  });

  it('--single-transaction during concurrent two-table transactions: never one table without the other', async () => {
    const setup = source.session();
    await setup.execute(`CREATE DATABASE pay;
      CREATE TABLE pay.debit (batch INT, amount INT) DISTRIBUTED BY HASH(batch) BUCKETS 1;
      CREATE TABLE pay.credit (batch INT, amount INT) DISTRIBUTED BY HASH(batch) BUCKETS 1`);
    const writer = source.session({ database: 'pay' });
    let batch = 0;
    let stop = false;
    const committedAt: number[] = [];
    // Each batch is one transaction over both tables.
    const writing = (async () => {
      while (!stop) {
        batch++;
        await writer.execute(`BEGIN; INSERT INTO debit VALUES (${batch}, -10); INSERT INTO credit VALUES (${batch}, 10); COMMIT`);
        committedAt.push(Date.now());
      }
    })();
    try {
      for (let round = 0; round < 3; round++) {
        while (committedAt.length < 3 * (round + 1)) await new Promise((r) => setTimeout(r, 10));
        const started = Date.now();
        const dump = await run('mariadb-dump', [...connect(server.port), '--single-transaction', '--skip-extended-insert', 'pay']);
        const ended = Date.now();
        expect(dump.stderr).toBe('');
    expect(dump.code).toBe(0);
        const batches = (table: string): number[] =>
          [...dump.stdout.matchAll(new RegExp(`INSERT INTO \`${table}\` VALUES \\((\\d+),`, 'g'))].map((m) => Number(m[1])).sort((x, y) => x - y);
        expect(batches('debit').length).toBeGreaterThan(0);
        expect(batches('debit')).toEqual(batches('credit'));
        // The writer really committed while the dump ran (otherwise this proves nothing).
        expect(committedAt.some((t) => t > started && t < ended)).toBe(true);
      }
    } finally {
      stop = true;
      await writing;
      writer.close();
    }
  });
});
