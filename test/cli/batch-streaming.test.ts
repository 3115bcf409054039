/**
 * Batch mode streams: `tablevault sql -e "SELECT …"` prints rows while the query still produces them, waits for its
 * output to take each batch, and prints exactly what the collected result would print — embedded and as a client.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatBatch } from '../../src/cli/batch-output.ts';
import { connectRemote } from '../../src/cli/remote-session.ts';
import { embeddedTarget } from '../../src/cli/shell/index.ts';
import { runBatch, type CommandIo, type SqlTarget } from '../../src/cli/sql-command.ts';
import { Engine, type Session } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';

const logger = createLogger({ level: 'silent' });
const MANY = "SELECT generate_series AS n, IF(generate_series % 3 = 0, NULL, 'a\\tb') AS s FROM TABLE(generate_series(1, 5000))";

/** Run `script` in batch mode, collecting stdout chunks; `onChunk` runs (and is awaited) for every chunk. */
async function batch(target: SqlTarget, script: string, columnNames = true, onChunk?: () => Promise<void>): Promise<{ code: number; chunks: string[]; stderr: string }> {
  const chunks: string[] = [];
  let stderr = '';
  const io: CommandIo = {
    stdout: async (text) => {
      if (text !== '') chunks.push(text);
      await onChunk?.();
    },
    stderr: (text) => void (stderr += text),
    stdinIsTTY: false,
    readStdin: () => '',
  };
  const code = await runBatch(target, script, { columnNames }, io);
  return { code, chunks, stderr };
}

describe('batch output streams', () => {
  let dir: string;
  let engine: Engine;
  let session: Session;
  let other: Session;
  let server: RunningServer;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-'));
    engine = await Engine.open({ dataDir: dir, backends: 1, logger });
    session = engine.session();
    other = engine.session();
    server = await startServer(engine, { port: 0, logger });
  });
  afterAll(async () => {
    await server.close();
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('embedded: rows are printed while the statement runs, in several chunks, byte-identical to the collected form', async () => {
    const target = embeddedTarget(engine, session, dir);
    const states: (string | null | undefined)[] = [];
    const streamed = await batch(target, MANY, true, async () => {
      if (states.length > 0) return;
      const list = await other.execute('SHOW PROCESSLIST');
      if (list.kind === 'rows') states.push(list.rows.find((r) => r[0] === String(session.connectionId))?.[4]);
    });
    expect(streamed.code).toBe(0);
    // The first chunk was written while the SELECT was still the session's running statement.
    expect(states).toEqual(['Query']);
    expect(streamed.chunks.length).toBeGreaterThan(1);
    expect(streamed.chunks.join('')).toBe(formatBatch(await session.execute(MANY), { columnNames: true }));
    expect(streamed.chunks.join('').split('\n')[2]).toBe('2\ta\\tb');
  });

  it('embedded: an empty result prints nothing (not even the header); -N drops the header; an OK prints nothing', async () => {
    const target = embeddedTarget(engine, session, dir);
    expect((await batch(target, 'SELECT 1 AS a FROM TABLE(generate_series(1, 0))')).chunks).toEqual([]);
    expect((await batch(target, 'SELECT 1 AS a', false)).chunks.join('')).toBe('1\n');
    expect((await batch(target, 'CREATE DATABASE IF NOT EXISTS x; SELECT 2 AS b')).chunks.join('')).toBe('b\n2\n');
  });

  it('as a client of a server: the same bytes, streamed; an error ends the output with exit 1', async () => {
    const remote = await connectRemote({ host: '127.0.0.1', port: server.port, user: 'root', password: '', database: undefined });
    try {
      const streamed = await batch(remote, MANY);
      expect(streamed.code).toBe(0);
      expect(streamed.chunks.length).toBeGreaterThan(1);
      expect(streamed.chunks.join('')).toBe(formatBatch(await session.execute(MANY), { columnNames: true }));
      expect((await batch(remote, 'SELECT 1 AS a FROM TABLE(generate_series(1, 0))')).chunks).toEqual([]);
      const failed = await batch(remote, 'SELECT 1 AS a;\nSELECT * FROM nowhere.t');
      expect(failed.code).toBe(1);
      expect(failed.chunks.join('')).toBe('a\n1\n');
      expect(failed.stderr).toMatch(/^ERROR 1049 \(42000\) at line 2: /);
      // The connection is still in step after an error.
      expect((await batch(remote, 'SELECT 3 AS c')).chunks.join('')).toBe('c\n3\n');
    } finally {
      await remote.close();
    }
  });
});
