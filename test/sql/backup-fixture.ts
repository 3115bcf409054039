import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine, type EngineOptions, type Session } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';
import type { StatementResult } from '../../src/sql/result.ts';

/** A library Engine in a temp dir, quiet logs, with helpers for BACKUP tests. */
export interface BackupFixture {
  readonly dir: string;
  readonly dataDir: string;
  engine: Engine;
  session: Session;
  /** Rows of a statement (throws when it returns OK). */
  rows(sql: string): Promise<(string | null)[][]>;
  exec(sql: string): Promise<StatementResult>;
  /** Poll SHOW BACKUP FROM db until its State is FINISHED or CANCELLED (bounded); returns the row. */
  waitBackup(db: string, timeoutMs?: number): Promise<(string | null)[]>;
  /** Close and reopen the engine on the same data dir (restart). */
  reopen(options?: Partial<EngineOptions>): Promise<void>;
  close(): Promise<void>;
}

export async function openFixture(options: Partial<EngineOptions> = {}): Promise<BackupFixture> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-backup-'));
  const dataDir = path.join(dir, 'data');
  const logger = createLogger({ level: 'silent' });
  const open = (o: Partial<EngineOptions>) => Engine.open({ dataDir, backends: 3, logger, ...o });
  const f: BackupFixture = {
    dir,
    dataDir,
    engine: await open(options),
    session: undefined as unknown as Session,
    async exec(sql) {
      return f.session.execute(sql);
    },
    async rows(sql) {
      const r = await f.session.execute(sql);
      if (r.kind !== 'rows') throw new Error(`${sql} returned OK`);
      return r.rows.map((row) => [...row]);
    },
    async waitBackup(db, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const [row] = await f.rows(`SHOW BACKUP FROM ${db}`);
        if (row !== undefined && (row[3] === 'FINISHED' || row[3] === 'CANCELLED')) return row;
        if (Date.now() > deadline) throw new Error(`backup in ${db} not done after ${timeoutMs} ms: ${JSON.stringify(row)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async reopen(o = {}) {
      await f.engine.close();
      f.engine = await open({ ...options, ...o });
      f.session = f.engine.session();
    },
    async close() {
      await f.engine.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  f.session = f.engine.session();
  return f;
}

/** Every file under `root`, relative, sorted. */
export function listTree(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(root, p));
    }
  };
  if (fs.existsSync(root)) walk(root);
  return out.sort();
}

/** A database `d1` with a range-partitioned table `t` (2 partitions × 2 buckets), a view `v` and some rows. */
export async function seedDatabase(f: BackupFixture, db = 'd1'): Promise<void> {
  await f.exec(`CREATE DATABASE ${db}`);
  await f.exec(`USE ${db}`);
  await f.exec(
    "CREATE TABLE t (id INT, v VARCHAR(20)) DUPLICATE KEY(id) PARTITION BY RANGE(id) (PARTITION p1 VALUES LESS THAN ('100'), PARTITION p2 VALUES LESS THAN ('200')) DISTRIBUTED BY HASH(id) BUCKETS 2",
  );
  await f.exec("INSERT INTO t VALUES (1,'a'),(2,'b'),(3,'c'),(150,'x'),(151,'y')");
  await f.exec('CREATE TABLE u (k INT, n BIGINT) PRIMARY KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 3');
  await f.exec('INSERT INTO u VALUES (1, 10), (2, 20), (3, 30)');
  await f.exec('INSERT INTO u VALUES (2, 21)');
  await f.exec('CREATE VIEW v AS SELECT id FROM t WHERE id < 100');
}

/**
 * Files under the backends' snapshot directories (`be<n>/snapshot/…`) that no kept local snapshot names: what a job
 * left behind. A FINISHED BACKUP keeps its snapshot for RESTORE … ("source" = "local") (keep_local_snapshots,
 * default 1); everything else must be released.
 */
export function unkeptSnapshotFiles(dataDir: string): string[] {
  const db = new Database(path.join(dataDir, 'catalog.sqlite'), { readonly: true });
  let named: Set<string>;
  try {
    named = new Set(
      db
        .prepare<[], { dir: string; files: string }>('SELECT dir, files FROM local_snapshots')
        .all()
        .flatMap((r) => (JSON.parse(r.files) as { name: string }[]).map((f) => path.join(r.dir, f.name))),
    );
  } finally {
    db.close();
  }
  return listTree(dataDir).filter((p) => /^be\d+\/snapshot\//.test(p) && !named.has(p));
}
