/**
 * session.stream(): a result set handed over unread. Rows are produced while the caller iterates; the statement is
 * the session's running one until the stream ends; leaving the loop, KILL QUERY or the next statement stop it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, type RowStream, type Session, type StreamedResult } from '../src/index.ts';
import { createLogger } from '../src/logging/logger.ts';

const SERIES = (n: number): string => `SELECT generate_series AS n, 'x' AS s FROM TABLE(generate_series(1, ${n}))`;

function rows(result: StreamedResult): RowStream {
  if (result.kind !== 'stream') throw new Error(`expected rows, got ${result.kind}`);
  return result;
}

describe('session.stream (library)', () => {
  let dir: string;
  let engine: Engine;
  let session: Session;
  let other: Session;

  /** What SHOW PROCESSLIST says `session` is doing. */
  async function command(): Promise<string | null | undefined> {
    const list = await other.execute('SHOW PROCESSLIST');
    if (list.kind !== 'rows') throw new Error('no rows');
    const id = list.columns.indexOf('Id');
    const cmd = list.columns.indexOf('Command');
    return list.rows.find((r) => r[id] === String(session.connectionId))?.[cmd];
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-'));
    engine = await Engine.open({ dataDir: dir, logger: createLogger({ level: 'silent' }) });
    session = engine.session();
    other = engine.session();
  });
  afterAll(async () => {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('iterates every row in order, row by row or batch by batch; the statement runs until the stream ends', async () => {
    const stream = rows(await session.stream(SERIES(5000)));
    expect(stream.columns).toEqual(['n', 's']);
    expect(stream.columnTypes.map((t) => t.name)).toEqual(['BIGINT', 'VARCHAR']);
    expect(await command()).toBe('Query');
    let n = 0;
    for await (const row of stream) expect(row).toEqual([String(++n), 'x']);
    expect(n).toBe(5000);
    expect(stream.done).toBe(true);
    expect(await command()).toBe('Sleep');

    let total = 0;
    for await (const batch of rows(await session.stream(SERIES(3000))).batches()) {
      expect(batch.length).toBeGreaterThan(0);
      total += batch.length;
    }
    expect(total).toBe(3000);
  });

  it('leaving the loop early stops the query (a billion rows are never produced)', async () => {
    const stream = rows(await session.stream(SERIES(1_000_000_000)));
    let n = 0;
    for await (const _row of stream) if (++n === 10) break;
    expect(stream.done).toBe(true);
    expect(await command()).toBe('Sleep');
  });

  it('the next statement closes a stream left unread; close() is idempotent and works before reading', async () => {
    const unread = rows(await session.stream(SERIES(1_000_000_000)));
    expect(await session.execute('SELECT 1 AS one')).toMatchObject({ kind: 'rows', rows: [['1']] });
    expect(unread.done).toBe(true);
    const none: unknown[] = [];
    for await (const row of unread) none.push(row);
    expect(none).toEqual([]);

    const closed = rows(await session.stream(SERIES(1_000_000_000)));
    await closed.close();
    await closed.close();
    expect(await command()).toBe('Sleep');
  });

  it('KILL QUERY from another session ends the stream with 1317; the session stays usable', async () => {
    const stream = rows(await session.stream(SERIES(1_000_000_000)));
    let n = 0;
    const error = await (async () => {
      try {
        for await (const _row of stream) {
          if (++n === 100) await other.execute(`KILL QUERY ${session.connectionId}`);
        }
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toMatchObject({ errno: 1317, sqlState: '70100' });
    expect(await command()).toBe('Sleep');
    expect(await session.execute('SELECT 2 AS two')).toMatchObject({ rows: [['2']] });
  });

  it('a statement without rows resolves to its OK; SHOW streams like SELECT; errors are thrown by stream()', async () => {
    expect(await session.stream('CREATE DATABASE IF NOT EXISTS s1')).toMatchObject({ kind: 'ok' });
    const show = rows(await session.stream('SHOW DATABASES'));
    const names: (string | null)[] = [];
    for await (const row of show) names.push(row[0] ?? null);
    expect(names).toContain('s1');
    await expect(session.stream('SELECT * FROM nowhere.t')).rejects.toMatchObject({ errno: 1049 });
  });

  it('streamScript yields each statement; a stream not read to the end is closed before the next one runs', async () => {
    const seen: StreamedResult[] = [];
    for await (const result of session.streamScript(`${SERIES(1_000_000_000)}; SELECT 7 AS seven`)) seen.push(result);
    expect(seen).toHaveLength(2);
    expect(rows(seen[0]!).done).toBe(true);
    expect((await rows(seen[1]!).collect()).rows).toEqual([['7']]);
  });
});
