/**
 * Prepared statements inside the streaming statement run (the protocol merge of issue 10's binary protocol with
 * issue 9's streamed results), through the library door the server uses (PreparedQuery.results / cursor):
 * - a prepared SELECT's result is a stream read batch by batch: a result of a billion rows hands over its first
 *   batch at once (collecting it first would never finish), and the statement runs until the stream ends;
 * - a statement whose stream fails mid-way (query_timeout) leaves its error in SHOW WARNINGS, as any failed
 *   statement does, and the next statement's area replaces it;
 * - a cursor (COM_STMT_EXECUTE with a read-only cursor) reads from the stream too, and the session's next statements
 *   leave it open (two cursors or a cursor and a query interleave on one connection, as in MySQL).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, type StreamedResult } from '../../src/index.ts';
import { createLogger } from '../../src/logging/logger.ts';

const logger = createLogger({ level: 'silent' });
const BILLION = 1_000_000_000n;
let dir: string;
let engine: Engine;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-prep-stream-'));
  engine = await Engine.open({ dataDir: dir, backends: 1, logger });
});

afterAll(async () => {
  await engine?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function only(results: AsyncGenerator<StreamedResult, void, void>): Promise<StreamedResult> {
  let last: StreamedResult | undefined;
  for await (const result of results) last = result;
  if (last === undefined) throw new Error('no result');
  return last;
}

async function firstBatch(result: StreamedResult): Promise<readonly (readonly (string | null)[])[]> {
  if (result.kind !== 'stream') throw new Error(`expected a stream, got ${result.kind}`);
  const batches = result.batches();
  const first = await batches.next();
  if (first.done === true) throw new Error('no rows');
  return first.value;
}

describe('prepared statements stream their rows', () => {
  it('a prepared SELECT of a billion rows hands over its first batch; the statement runs until the stream is closed', async () => {
    const s = engine.session();
    const watcher = engine.session();
    const prepared = await s.prepare('SELECT generate_series FROM TABLE(generate_series(1, ?))');
    const result = await only(prepared.results([BILLION]));
    expect(result.kind).toBe('stream');
    if (result.kind !== 'stream') return;
    const batches = result.batches();
    const first = await batches.next();
    expect(first.done).toBe(false);
    expect(first.value?.[0]).toEqual(['1']);
    // Still running while its reader holds the stream: SHOW PROCESSLIST shows the statement.
    const list = await watcher.execute('SHOW FULL PROCESSLIST');
    const info = list.kind === 'rows' ? list.rows.find((r) => r[0] === String(s.connectionId)) : undefined;
    expect(info?.[8]).toMatch(/^SELECT generate_series FROM TABLE\(generate_series\(1, /);
    await batches.return(undefined);
    expect(result.done).toBe(true);
    const after = await watcher.execute('SHOW FULL PROCESSLIST');
    const idle = after.kind === 'rows' ? after.rows.find((r) => r[0] === String(s.connectionId)) : undefined;
    expect(idle?.[8] ?? null).toBeNull();
    s.close();
    watcher.close();
  });

  it("a stream that fails mid-way (query_timeout) leaves its error in SHOW WARNINGS; the next statement's area replaces it", async () => {
    const s = engine.session();
    await s.execute('SET query_timeout = 1');
    const prepared = await s.prepare('SELECT generate_series FROM TABLE(generate_series(1, ?))');
    const result = await only(prepared.results([BILLION]));
    let errno: number | undefined;
    try {
      if (result.kind !== 'stream') throw new Error('expected a stream');
      for await (const _batch of result.batches()) await new Promise((resolve) => setTimeout(resolve, 50));
    } catch (error) {
      errno = (error as { errno?: number }).errno;
    }
    expect(errno).toBeGreaterThan(0);
    const warnings = await s.execute('SHOW WARNINGS');
    expect(warnings.kind === 'rows' ? warnings.rows.map((r) => [r[0], r[1]]) : []).toEqual([['Error', String(errno)]]);
    await s.execute('SET query_timeout = 300');
    const again = await s.execute('SHOW WARNINGS');
    expect(again.kind === 'rows' ? again.rows : undefined).toEqual([]);
    s.close();
  }, 20_000);

  it('a cursor reads from the stream, and the session runs other statements (and another cursor) while it is open', async () => {
    const s = engine.session();
    const prepared = await s.prepare('SELECT generate_series FROM TABLE(generate_series(?, ?))');
    const a = await prepared.cursor([1n, BILLION]);
    // Another statement and another cursor on the same session do not close the first cursor.
    expect(await s.execute('SELECT 1 AS one')).toMatchObject({ kind: 'rows', rows: [['1']] });
    const b = await prepared.cursor([5n, 7n]);
    expect((await firstBatch(a))[0]).toEqual(['1']);
    expect(b.kind === 'stream' ? (await b.collect()).rows : undefined).toEqual([['5'], ['6'], ['7']]);
    if (a.kind === 'stream') await a.close();
    expect(a.kind === 'stream' && a.done).toBe(true);
    s.close();
  });
});
