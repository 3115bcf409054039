/** The library facade exactly as DESIGN.md §4 describes it: Engine.open / session / execute / close. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine, isSqlError, SqlError, type StatementResult } from '../src/index.ts';
import { createLogger } from '../src/logging/logger.ts';

const logger = createLogger({ level: 'silent' });

describe('Engine (library)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('open → session → execute → close; results are { columns, rows } or { affectedRows }', async () => {
    const engine = await Engine.open({ dataDir: path.join(dir, 'new', 'nested'), backends: 2, logger });
    const session = engine.session({ user: 'root' });
    expect(session.user).toBe('root');
    expect(session.database).toBeUndefined();
    expect(await session.execute('CREATE DATABASE shop')).toEqual({ kind: 'ok', affectedRows: 1 });
    // Several statements: the last one's result.
    const r = await session.execute("USE shop; CREATE TABLE t (a INT, b VARCHAR(3)); INSERT INTO t VALUES (1, 'x'), (2, NULL); SELECT * FROM t ORDER BY a");
    expect(r).toMatchObject({ kind: 'rows', columns: ['a', 'b'], rows: [['1', 'x'], ['2', null]] });
    expect(session.database).toBe('shop');
    // backends applies on first open.
    const backends = await session.execute('SHOW BACKENDS');
    expect(backends.kind === 'rows' ? backends.rows.length : 0).toBe(2);
    await engine.close();
    await engine.close();
  });

  it('executeScript yields each result and stops at the first error with a SqlError', async () => {
    const engine = await Engine.open({ dataDir: dir, logger });
    try {
      const session = engine.session();
      const seen: StatementResult[] = [];
      let error: unknown;
      try {
        for await (const r of session.executeScript('SELECT 1 AS a; SELECT nope; SELECT 3')) seen.push(r);
      } catch (e) {
        error = e;
      }
      expect(seen).toHaveLength(1);
      expect(error).toBeInstanceOf(SqlError);
      expect(isSqlError(error) && [error.errno, error.sqlState]).toEqual([1054, '42S22']);
      // Syntax errors point at the line and column within the whole script.
      const syntax = await session.execute('SELECT 1;\nSELECT 2;\n  SELEC 3').catch((e: unknown) => e);
      expect(syntax).toMatchObject({ errno: 1064, sqlState: '42000', line: 3, column: 3 });
      await expect(session.execute('   ')).rejects.toMatchObject({ errno: 1065 });
    } finally {
      await engine.close();
    }
  });

  it('session({ database }) and useDatabase: 1049 for an unknown database; sessions are independent', async () => {
    const engine = await Engine.open({ dataDir: dir, logger });
    try {
      expect(() => engine.session({ database: 'nope' })).toThrow(expect.objectContaining({ errno: 1049 }));
      const a = engine.session();
      await a.execute('CREATE DATABASE d1; CREATE DATABASE d2');
      const b = engine.session({ database: 'd1' });
      a.useDatabase('d2');
      expect([a.database, b.database]).toEqual(['d2', 'd1']);
      expect(() => a.useDatabase('nope')).toThrow(expect.objectContaining({ errno: 1049 }));
      expect(engine.sessions.map((s) => s.connectionId).sort()).toEqual([a.connectionId, b.connectionId].sort());
      b.close();
      expect(engine.sessions).toHaveLength(1);
      await expect(b.execute('SELECT 1')).rejects.toMatchObject({ errno: 1105, message: 'Session is closed' });
    } finally {
      await engine.close();
    }
  });

  it('data persists across close and re-open', async () => {
    let engine = await Engine.open({ dataDir: dir, logger });
    await engine.session().execute('CREATE DATABASE d; CREATE TABLE d.t (a INT); INSERT INTO d.t SELECT generate_series FROM TABLE(generate_series(1, 100))');
    await engine.close();
    engine = await Engine.open({ dataDir: dir, logger });
    expect(await engine.session().execute('SELECT COUNT(*), SUM(a) FROM d.t')).toMatchObject({ rows: [['100', '5050']] });
    await engine.close();
  });

  it('a second Engine on the same data dir in the same process is refused while the first is open', async () => {
    const first = await Engine.open({ dataDir: dir, logger });
    try {
      await expect(Engine.open({ dataDir: dir, logger })).rejects.toThrow(/is in use by process/);
      // The refused open did not break the first engine's lock.
      expect(fs.readFileSync(path.join(dir, 'LOCK'), 'utf8')).toBe(String(process.pid));
      expect(await first.session().execute('SELECT 1 AS x')).toMatchObject({ rows: [['1']] });
    } finally {
      await first.close();
    }
    const again = await Engine.open({ dataDir: dir, logger });
    await again.close();
  });

  it('a lock left by a dead process (kill -9), even with our own pid (a restarted container), is taken over', async () => {
    fs.writeFileSync(path.join(dir, 'LOCK'), String(process.pid));
    const engine = await Engine.open({ dataDir: dir, logger });
    await engine.close();
    expect(fs.existsSync(path.join(dir, 'LOCK'))).toBe(false);
  });
});
