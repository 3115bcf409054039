import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRemote } from '../../src/cli/remote-session.ts';
import { Engine } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';

let dir: string;
let engine: Engine;
let server: RunningServer;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-remote-'));
  const logger = createLogger({ level: 'silent' });
  engine = await Engine.open({ dataDir: dir, backends: 1, logger });
  server = await startServer(engine, { port: 0, logger });
});

afterAll(async () => {
  await server.close();
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the shell as a client of a server', () => {
  it('gets the server text unchanged and the column families from the wire metadata', async () => {
    const target = await connectRemote({ host: '127.0.0.1', port: server.port, user: 'root', password: '', database: undefined });
    try {
      const r = await target.execute("SELECT 1, 2.50, 'x', CAST('2024-01-02' AS DATE), NULL");
      expect(r.kind).toBe('rows');
      if (r.kind !== 'rows') return;
      expect(r.rows).toEqual([['1', '2.50', 'x', '2024-01-02', null]]);
      expect(r.columnTypes.map((t) => t.name)).toEqual(['TINYINT', 'DECIMAL', 'VARCHAR', 'DATE', expect.any(String)]);
    } finally {
      await target.close();
    }
  });
});
