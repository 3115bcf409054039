import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, type Session } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';

let dir: string;
let engine: Engine;
let root: Session;

const value = async (s: Session, sql: string): Promise<string | null | undefined> => {
  const r = await s.execute(sql);
  return r.kind === 'rows' ? r.rows[0]?.[0] : undefined;
};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-priv-session-'));
  engine = await Engine.open({ dataDir: path.join(dir, 'data'), backends: 1, logger: createLogger({ level: 'silent' }) });
  root = engine.session();
  await root.execute(`
    CREATE USER 'op'@'%' IDENTIFIED BY 'pw';
    CREATE USER 'plain'@'%' IDENTIFIED BY 'pw';
    CREATE USER 'local'@'localhost' IDENTIFIED BY 'pw';
    GRANT OPERATE ON SYSTEM TO USER 'op'@'%';
  `);
});

afterAll(async () => {
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('session statements and privileges', () => {
  it('KILL of another user\'s connection needs OPERATE (not root), one\'s own needs nothing', async () => {
    const victim = engine.session({ user: 'plain', host: '127.0.0.1' });
    let killed = false;
    victim.onKill(() => (killed = true));
    const plain2 = engine.session({ user: 'plain', host: '127.0.0.1' });
    const other = engine.session({ user: 'local', host: 'localhost' });
    await expect(other.execute(`KILL ${victim.connectionId}`)).rejects.toMatchObject({ errno: 1227, message: expect.stringContaining('OPERATE') });
    expect(killed).toBe(false);
    await plain2.execute(`KILL QUERY ${victim.connectionId}`);
    const op = engine.session({ user: 'op', host: '127.0.0.1' });
    await op.execute(`KILL ${victim.connectionId}`);
    expect(killed).toBe(true);
  });

  it('CURRENT_USER() is the matched account, USER() the client host', async () => {
    const s = engine.session({ user: 'local', host: 'localhost' });
    expect(await value(s, 'SELECT CURRENT_USER()')).toBe("'local'@'localhost'");
    expect(await value(engine.session({ user: 'op', host: '127.0.0.1' }), 'SELECT CURRENT_USER()')).toBe("'op'@'%'");
    expect(await value(engine.session({ user: 'op', host: '127.0.0.1' }), 'SELECT USER()')).toBe("'op'@'127.0.0.1'");
  });
});
