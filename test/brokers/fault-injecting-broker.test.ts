import fs from 'node:fs';
import { Readable } from 'node:stream';

import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { BrokerError, type Broker } from '../../src/brokers/broker.ts';
import { FaultInjectingBroker, mulberry32 } from '../../src/brokers/fault-injecting-broker.ts';
import { openBroker } from '../../src/brokers/open-broker.ts';
import { collect, patternBytes, patternStream, readAll, tempDir } from './fixtures.ts';

describe('FaultInjectingBroker', () => {
  let dir: string;
  let inner: Broker;

  beforeEach(async () => {
    dir = tempDir();
    inner = await openBroker(`file://${dir}`, {});
    await inner.write('f', patternBytes(100_000, 1));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const outcome = (p: Promise<unknown>) =>
    p.then(
      (value) => {
        if (value instanceof Readable) value.destroy(); // release the file handle of a read we do not consume
        return 'ok';
      },
      (e: unknown) => (e instanceof BrokerError ? `${e.code}:${String(e.retryable)}` : 'other'),
    );

  it('fails exactly the n-th call of one operation', async () => {
    const broker = new FaultInjectingBroker(inner, { failNthCall: { op: 'stat', n: 2 } });
    expect(await outcome(broker.stat('f'))).toBe('ok');
    expect(await outcome(broker.read('f'))).toBe('ok');
    expect(await outcome(broker.stat('f'))).toBe('IO:true');
    expect(await outcome(broker.stat('f'))).toBe('ok');
    expect(broker.stats).toEqual({ calls: { stat: 3, read: 1 }, injected: 1 });
  });

  it('fails the n-th call overall, with a permanent error when asked', async () => {
    const broker = new FaultInjectingBroker(inner, { failNthCall: { n: 3 }, errorKind: 'permanent' });
    const results = [await outcome(broker.stat('f')), await outcome(collect(broker.list(''))), await outcome(broker.delete('nothing')), await outcome(broker.stat('f'))];
    expect(results).toEqual(['ok', 'ok', 'ACCESS_DENIED:false', 'ok']);
  });

  it('fails a seeded fraction of calls, the same ones for the same seed', async () => {
    const run = async (seed: number) => {
      const broker = new FaultInjectingBroker(inner, { failFraction: 0.3, seed });
      const results: string[] = [];
      for (let i = 0; i < 200; i++) results.push(await outcome(broker.stat('f')));
      return results;
    };
    const a = await run(42);
    expect(await run(42)).toEqual(a);
    expect(await run(43)).not.toEqual(a);
    const failures = a.filter((r) => r !== 'ok').length;
    expect(failures).toBeGreaterThan(35);
    expect(failures).toBeLessThan(85);
  });

  it('applies faults only to the listed operations', async () => {
    const broker = new FaultInjectingBroker(inner, { failFraction: 1, ops: ['write'] });
    expect(await outcome(broker.stat('f'))).toBe('ok');
    expect(await outcome(broker.write('g', Buffer.from('x')))).toBe('IO:true');
    expect(await inner.stat('g')).toBeNull();
  });

  it('adds latency and honours abort while waiting', async () => {
    const broker = new FaultInjectingBroker(inner, { latencyMs: 60 });
    const started = performance.now();
    await broker.stat('f');
    expect(performance.now() - started).toBeGreaterThanOrEqual(50);
    const controller = new AbortController();
    const pending = outcome(broker.stat('f', { signal: controller.signal }));
    controller.abort();
    expect(await pending).toBe('ABORTED:false');
  });

  it('cuts a read stream after exactly N bytes', async () => {
    const broker = new FaultInjectingBroker(inner, { cutStreamAfterBytes: 12_345 });
    const stream = await broker.read('f');
    let received = 0;
    const error = await (async () => {
      try {
        for await (const chunk of stream) received += (chunk as Buffer).length;
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(BrokerError);
    expect((error as BrokerError).code).toBe('IO');
    expect(received).toBe(12_345);
    expect(broker.stats.injected).toBe(1);
  });

  it('cuts a write stream: the write fails and leaves nothing under the key', async () => {
    const broker = new FaultInjectingBroker(inner, { cutStreamAfterBytes: 3 * 1024 * 1024, ops: ['write'] });
    await expect(broker.write('cut/file', patternStream(8 * 1024 * 1024, 5))).rejects.toBeInstanceOf(BrokerError);
    expect(await inner.stat('cut/file')).toBeNull();
    expect(await collect(inner.list('', { recursive: true }))).toHaveLength(1);
    // A body shorter than the cut passes through untouched.
    await broker.write('cut/small', Buffer.from('tiny'));
    expect((await readAll(await inner.read('cut/small'))).toString()).toBe('tiny');
  });

  it('mulberry32 stays in [0, 1) and is deterministic (property)', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const a = mulberry32(seed);
        const b = mulberry32(seed);
        for (let i = 0; i < 20; i++) {
          const x = a();
          expect(x).toBeGreaterThanOrEqual(0);
          expect(x).toBeLessThan(1);
          expect(b()).toBe(x);
        }
      }),
    );
  });
});
