/**
 * A real Engine on a temp data dir, with small helpers so data-plane tests read like SQL sessions:
 * `rows(sql)` for result rows, `ok(sql)` for affected rows, `fails(sql)` for the SqlError a statement raises.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine, type Session } from '../../../src/engine.ts';
import { isSqlError, type SqlError } from '../../../src/errors/index.ts';
import { createLogger } from '../../../src/logging/logger.ts';
import type { ResultSet, StatementResult } from '../../../src/sql/result.ts';

export interface TestDb {
  /** The engine under test. */
  readonly engine: Engine;
  /** A root session, current database `db` when created with one. */
  readonly session: Session;
  /** The temp data directory. */
  readonly dir: string;
  /** Run statements; the last one's result. */
  exec(sql: string): Promise<StatementResult>;
  /** Run a query; its rows. Throws when the statement returns no rows. */
  rows(sql: string): Promise<(string | null)[][]>;
  /** Run a query; the whole result set. */
  result(sql: string): Promise<ResultSet>;
  /** Run a statement that returns OK; its affected-row count. */
  ok(sql: string): Promise<number>;
  /** Run a statement that must fail; the SqlError. Fails the test when it succeeds or throws something else. */
  fails(sql: string): Promise<SqlError>;
  /** Close the engine and remove the directory. */
  close(): Promise<void>;
}

export const silentLogger = createLogger({ level: 'silent' });

export async function openTestDb(options: { database?: string; backends?: number } = {}): Promise<TestDb> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-'));
  const engine = await Engine.open({ dataDir: dir, logger: silentLogger, ...(options.backends === undefined ? {} : { backends: options.backends }) });
  const setup = engine.session();
  if (options.database !== undefined) await setup.execute(`CREATE DATABASE ${options.database}`);
  setup.close();
  const session = engine.session(options.database === undefined ? {} : { database: options.database });
  const result = async (sql: string): Promise<ResultSet> => {
    const r = await session.execute(sql);
    if (r.kind !== 'rows') throw new Error(`expected rows from: ${sql}`);
    return r;
  };
  return {
    engine,
    session,
    dir,
    exec: (sql) => session.execute(sql),
    result,
    rows: async (sql) => (await result(sql)).rows.map((r) => [...r]),
    ok: async (sql) => {
      const r = await session.execute(sql);
      if (r.kind !== 'ok') throw new Error(`expected OK from: ${sql}`);
      return r.affectedRows;
    },
    fails: async (sql) => {
      try {
        await session.execute(sql);
      } catch (error) {
        if (isSqlError(error)) return error;
        throw error;
      }
      throw new Error(`expected an error from: ${sql}`);
    },
    close: async () => {
      await engine.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A result column by name, as an array. */
export function column(result: ResultSet, name: string): (string | null)[] {
  const i = result.columns.indexOf(name);
  if (i < 0) throw new Error(`no column ${name} in ${result.columns.join(', ')}`);
  return result.rows.map((r) => r[i] ?? null);
}
