/**
 * Joins and set operations on stored tables: two N-row tables (3 backends, 8 buckets), then an equi-join, the restore
 * check (FULL JOIN … USING … WHERE a.v <=> b.v IS NOT TRUE) of a table against its copy, a nested-loop join of small
 * inputs, and UNION / EXCEPT. References in the same run: a full scan of both tables (the join's own input cost), and
 * SQLite (better-sqlite3, in memory, same rows, an index on every id: without one its FULL JOIN is quadratic) running
 * the same statements.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine, type Session } from '../src/engine.ts';
import { createLogger } from '../src/logging/logger.ts';
import { benchScale, markdownTable, type BenchSection } from './lib/report.ts';

async function timed(s: Session, sql: string): Promise<{ ms: number; rows: readonly (readonly (string | null)[])[] }> {
  const t0 = performance.now();
  const r = await s.execute(sql);
  const ms = performance.now() - t0;
  if (r.kind !== 'rows') throw new Error(`${sql} returned no rows`);
  return { ms, rows: r.rows };
}

function sqliteTimed(db: Database.Database, sql: string): { ms: number; rows: unknown[][] } {
  const t0 = performance.now();
  const rows = db.prepare(sql).raw().all() as unknown[][];
  return { ms: performance.now() - t0, rows };
}

export async function run(): Promise<BenchSection> {
  const n = Math.max(10_000, Math.round(1_000_000 * benchScale()));
  const small = Math.max(500, Math.round(3_000 * Math.sqrt(benchScale())));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-bench-joins-'));
  const engine = await Engine.open({ dataDir: path.join(dir, 'data'), backends: 3, logger: createLogger({ level: 'warn' }) });
  const lite = new Database(':memory:');
  try {
    const s = engine.session();
    await s.execute(`CREATE DATABASE bench; USE bench;
      CREATE TABLE a (id BIGINT, x BIGINT, v VARCHAR(16)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 8 PROPERTIES ("replication_num" = "1");
      CREATE TABLE b (id BIGINT, y BIGINT) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 8 PROPERTIES ("replication_num" = "1");
      CREATE TABLE a_copy (id BIGINT, x BIGINT, v VARCHAR(16)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 8 PROPERTIES ("replication_num" = "1");
      INSERT INTO a SELECT generate_series, generate_series % 1000, CONCAT('v', generate_series % 97) FROM TABLE(generate_series(1, ${n}));
      INSERT INTO b SELECT generate_series * 2, generate_series % 7 FROM TABLE(generate_series(1, ${n}));
      INSERT INTO a_copy SELECT * FROM a`);
    lite.exec(`CREATE TABLE a (id INTEGER, x INTEGER, v TEXT); CREATE TABLE b (id INTEGER, y INTEGER); CREATE TABLE a_copy (id INTEGER, x INTEGER, v TEXT);
      WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < ${n})
      INSERT INTO a SELECT i, i % 1000, 'v' || (i % 97) FROM g;
      WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < ${n})
      INSERT INTO b SELECT i * 2, i % 7 FROM g;
      INSERT INTO a_copy SELECT * FROM a;
      CREATE INDEX a_id ON a (id); CREATE INDEX b_id ON b (id); CREATE INDEX a_copy_id ON a_copy (id);`);

    const scan = await timed(s, 'SELECT COUNT(*), SUM(x) FROM a UNION ALL SELECT COUNT(*), SUM(y) FROM b');
    const cases: [string, string, string][] = [
      ['hash join (N × N, keys match half)', 'SELECT COUNT(*), SUM(a.x + b.y) FROM a JOIN b ON a.id = b.id', 'SELECT COUNT(*), SUM(a.x + b.y) FROM a JOIN b ON a.id = b.id'],
      ['LEFT JOIN, WHERE on the right side', 'SELECT COUNT(*) FROM a LEFT JOIN b ON a.id = b.id WHERE b.id IS NULL', 'SELECT COUNT(*) FROM a LEFT JOIN b ON a.id = b.id WHERE b.id IS NULL'],
      ['restore check (FULL JOIN USING, <=> … IS NOT TRUE)', 'SELECT COUNT(*) FROM a p FULL JOIN a_copy q USING (id) WHERE (p.x <=> q.x AND p.v <=> q.v) IS NOT TRUE',
        'SELECT COUNT(*) FROM a p FULL JOIN a_copy q USING (id) WHERE (p.x IS q.x AND p.v IS q.v) IS NOT TRUE'],
      ['UNION (distinct)', 'SELECT COUNT(*) FROM (SELECT id FROM a UNION SELECT id FROM b) u', 'SELECT COUNT(*) FROM (SELECT id FROM a UNION SELECT id FROM b) u'],
      ['EXCEPT', 'SELECT COUNT(*) FROM (SELECT id FROM a EXCEPT SELECT id FROM b) u', 'SELECT COUNT(*) FROM (SELECT id FROM a EXCEPT SELECT id FROM b) u'],
      ['IN (SELECT …)', 'SELECT COUNT(*) FROM a WHERE id IN (SELECT id FROM b)', 'SELECT COUNT(*) FROM a WHERE id IN (SELECT id FROM b)'],
      ['correlated NOT EXISTS (decorrelated)', 'SELECT COUNT(*) FROM a WHERE NOT EXISTS (SELECT 1 FROM b WHERE b.id = a.id)', 'SELECT COUNT(*) FROM a WHERE NOT EXISTS (SELECT 1 FROM b WHERE b.id = a.id)'],
      ['correlated scalar COUNT (decorrelated)', 'SELECT SUM((SELECT COUNT(*) FROM b WHERE b.id = a.id)) FROM a', 'SELECT SUM((SELECT COUNT(*) FROM b WHERE b.id = a.id)) FROM a'],
      [`nested loop (${small} × ${small}, a.id < b.id)`, `SELECT COUNT(*) FROM a JOIN b ON a.id < b.id WHERE a.id <= ${small} AND b.id <= ${2 * small}`,
        `SELECT COUNT(*) FROM a JOIN b ON a.id < b.id WHERE a.id <= ${small} AND b.id <= ${2 * small}`],
    ];
    const rows: (string | number)[][] = [];
    for (const [label, sql, sqliteSql] of cases) {
      const mine = await timed(s, sql);
      const ref = sqliteTimed(lite, sqliteSql);
      const same = JSON.stringify(mine.rows.map((r) => r.map(String))) === JSON.stringify(ref.rows.map((r) => r.map(String)));
      if (!same) throw new Error(`${label}: tablevault ${JSON.stringify(mine.rows)} vs SQLite ${JSON.stringify(ref.rows)}`);
      process.stderr.write(`bench: ${label}: ${(mine.ms / 1000).toFixed(2)} s (SQLite ${(ref.ms / 1000).toFixed(2)} s)\n`);
      rows.push([label, (mine.ms / 1000).toFixed(2), (mine.ms / scan.ms).toFixed(2), (ref.ms / 1000).toFixed(2), (mine.ms / ref.ms).toFixed(2)]);
    }
    const markdown = [
      `Two tables of N = ${n.toLocaleString('en-US')} rows (\`a(id, x, v)\`, \`b(id, y)\` with b.id = 2 × 1…N, 8 buckets, 3 backends) and a`,
      'copy of `a`. References in the same run: a full scan of `a` and `b` (`SELECT COUNT(*), SUM(…)` of each:',
      `${(scan.ms / 1000).toFixed(2)} s — what the join has to read anyway), and SQLite (in memory, same rows, same`,
      'statements, an index on every `id`; every result was checked equal).',
      '',
      markdownTable(['statement', 'tablevault (s)', '/ scan of both tables', 'SQLite (s)', 'tablevault / SQLite'], rows),
    ].join('\n');
    return { title: 'Joins and set operations', markdown };
  } finally {
    lite.close();
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
