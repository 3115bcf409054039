import fs from 'node:fs';
import { Readable } from 'node:stream';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { BrokerError, type Broker } from '../../src/brokers/broker.ts';
import { FaultInjectingBroker, mulberry32, type FaultOptions } from '../../src/brokers/fault-injecting-broker.ts';
import { LocalBroker } from '../../src/brokers/local/local-broker.ts';
import { ResilientBroker, type RetryNotice } from '../../src/brokers/resilient-broker.ts';
import type { BrokerPolicy } from '../../src/brokers/broker-policy.ts';
import { backoffDelay } from '../../src/util/backoff.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { collect, patternBytes, readAll, tempDir } from './fixtures.ts';

/**
 * Deadlines and retries of ResilientBroker, in simulated time: a ManualClock drives every deadline and backoff, a
 * seeded generator the jitter, and the fault-injecting broker over a real local adapter the failures and hangs.
 */

let dir: string;
let local: LocalBroker;
let clock: ManualClock;

beforeEach(() => {
  dir = tempDir();
  local = new LocalBroker(`${dir}/repo`, `file://${dir}/repo`);
  clock = new ManualClock();
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const POLICY: BrokerPolicy = { requestTimeoutMs: 1000, stallTimeoutMs: 2000, maxAttempts: 4, retryBaseMs: 100, retryMaxMs: 250 };

function resilient(faults: FaultOptions, policy: Partial<BrokerPolicy> = {}, seed = 7): { broker: Broker; faulty: FaultInjectingBroker; retries: RetryNotice[] } {
  const faulty = new FaultInjectingBroker(local, faults);
  const retries: RetryNotice[] = [];
  const broker = new ResilientBroker(faulty, { policy: { ...POLICY, ...policy }, clock, random: mulberry32(seed), onRetry: (n) => retries.push(n) });
  return { broker, faulty, retries };
}

/** Settle `promise`, advancing the manual clock in `stepMs` steps while it is pending (bounded). */
async function drive<T>(promise: Promise<T>, stepMs = 10, maxSteps = 10_000): Promise<{ value?: T; error?: unknown; elapsed: number }> {
  const start = clock.now();
  let outcome: { value?: T; error?: unknown } | undefined;
  promise.then(
    (value) => (outcome = { value }),
    (error: unknown) => (outcome = { error }),
  );
  for (let i = 0; i < maxSteps && outcome === undefined; i++) {
    // A little real time per step too, so real file I/O in between is not outrun by simulated time.
    await new Promise((r) => setTimeout(r, 2));
    for (let j = 0; j < 5; j++) await new Promise((r) => setImmediate(r));
    if (outcome === undefined) clock.advance(stepMs);
  }
  if (outcome === undefined) throw new Error('operation never settled');
  return { ...outcome, elapsed: clock.now() - start };
}

describe('retries', () => {
  it('retries a transient failure with exponential backoff and jitter, a bounded number of times', async () => {
    await local.write('k', Buffer.from('v'));
    const { broker, faulty, retries } = resilient({ failFraction: 1, ops: ['stat'] });
    const { error } = await drive(broker.stat('k'));
    expect(error).toBeInstanceOf(BrokerError);
    expect((error as BrokerError).message).toBe('Injected retryable fault (stat call 4). (gave up after 4 attempts)');
    expect((error as BrokerError).retryable).toBe(true);
    expect(faulty.stats.calls['stat']).toBe(4);
    // Three waits: nominal 100, 200, 250 (capped) ms, each with a random part of its upper half taken off.
    expect(retries.map((r) => r.attempt)).toEqual([1, 2, 3]);
    const nominal = [100, 200, 250];
    retries.forEach((r, i) => {
      expect(r.delayMs).toBeGreaterThanOrEqual((nominal[i] ?? 0) / 2);
      expect(r.delayMs).toBeLessThanOrEqual(nominal[i] ?? 0);
      expect(r.error.code).toBe('IO');
    });
    // The jitter comes from the injected generator: the same seed gives the same waits, another seed other ones.
    const again = resilient({ failFraction: 1, ops: ['stat'] });
    await drive(again.broker.stat('k'));
    expect(again.retries.map((r) => r.delayMs)).toEqual(retries.map((r) => r.delayMs));
    const other = resilient({ failFraction: 1, ops: ['stat'] }, {}, 99);
    await drive(other.broker.stat('k'));
    expect(other.retries.map((r) => r.delayMs)).not.toEqual(retries.map((r) => r.delayMs));
  });

  it('spreads delays over the upper half of the nominal backoff (property over many draws)', () => {
    const random = mulberry32(3);
    const policy = { baseDelayMs: 200, maxDelayMs: 5000 };
    for (let retry = 1; retry <= 8; retry++) {
      const nominal = Math.min(5000, 200 * 2 ** (retry - 1));
      const draws = Array.from({ length: 200 }, () => backoffDelay(policy, retry, random));
      expect(Math.min(...draws)).toBeGreaterThanOrEqual(nominal / 2);
      expect(Math.max(...draws)).toBeLessThanOrEqual(nominal);
      expect(new Set(draws).size).toBeGreaterThan(20); // jittered, not a fixed delay
    }
    expect(backoffDelay({ baseDelayMs: 0, maxDelayMs: 0 }, 3)).toBe(0);
  });

  it('succeeds on a later attempt and never retries a permanent failure', async () => {
    await local.write('k', Buffer.from('v'));
    const flaky = resilient({ failNthCall: { op: 'stat', n: 1 } });
    expect((await drive(flaky.broker.stat('k'))).value).toMatchObject({ key: 'k', size: 1 });
    expect(flaky.faulty.stats.calls['stat']).toBe(2);
    const denied = resilient({ failFraction: 1, ops: ['stat'], errorKind: 'permanent' });
    const { error } = await drive(denied.broker.stat('k'));
    expect(error).toMatchObject({ code: 'ACCESS_DENIED', retryable: false, message: 'Injected permanent fault (stat call 1).' });
    expect(denied.faulty.stats.calls['stat']).toBe(1);
    expect(denied.retries).toEqual([]);
  });

  it('does not replay a streamed write body, but does replay a buffer or a local file', async () => {
    const streamed = resilient({ failNthCall: { op: 'write', n: 1 } });
    const { error } = await drive(streamed.broker.write('s', Readable.from([Buffer.from('abc')])));
    expect(error).toMatchObject({ code: 'IO' });
    expect(streamed.faulty.stats.calls['write']).toBe(1);
    const buffered = resilient({ failNthCall: { op: 'write', n: 1 } });
    await drive(buffered.broker.write('b', Buffer.from('abc')));
    expect((await readAll(await local.read('b'))).toString()).toBe('abc');
    const file = `${dir}/upload.bin`;
    fs.writeFileSync(file, 'file body');
    const uploaded = resilient({ failNthCall: { op: 'uploadFile', n: 1 } });
    await drive(uploaded.broker.uploadFile(file, 'u', { size: 9 }));
    expect((await readAll(await local.read('u'))).toString()).toBe('file body');
  });

  it('resumes a broken read at the byte it stopped, so the bytes arrive once and in order', async () => {
    const data = patternBytes(300_000, 5);
    await local.write('big', data);
    // Every read stream breaks after 64 KiB: five reopenings carry the 300 kB through.
    const { broker, retries } = resilient({ cutStreamAfterBytes: 64 * 1024, ops: ['read'] }, { maxAttempts: 8, retryBaseMs: 0 });
    const { value } = await drive(broker.read('big').then(readAll));
    expect(value?.equals(data)).toBe(true);
    expect(retries.length).toBe(4);
    const ranged = await drive(broker.read('big', { start: 1000, end: 200_000 }).then(readAll));
    expect(ranged.value?.equals(data.subarray(1000, 200_000))).toBe(true);
  });

  it('stops waiting for a retry as soon as the caller aborts', async () => {
    const { broker } = resilient({ failFraction: 1, ops: ['delete'] }, { retryBaseMs: 60_000, retryMaxMs: 60_000 });
    const controller = new AbortController();
    const pending = broker.delete('x', { signal: controller.signal });
    for (let j = 0; j < 10; j++) await new Promise((r) => setImmediate(r));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('deadlines', () => {
  it('abandons a call that never answers after the request deadline, then retries it', async () => {
    await local.write('k', Buffer.from('v'));
    const { broker, retries } = resilient({ hangCalls: { op: 'stat', from: 1, count: 2 } });
    const { value, elapsed } = await drive(broker.stat('k'));
    expect(value).toMatchObject({ key: 'k' });
    expect(retries.map((r) => r.error.code)).toEqual(['UNREACHABLE', 'UNREACHABLE']);
    expect(retries[0]?.error.message).toBe(
      `stat of "k" on file://${dir}/repo gave no answer within 1000 ms (deadline: repository property "tablevault.request_timeout_ms").`,
    );
    // Two deadlines and two backoffs (≤ 100 + 200 ms) of simulated time, not forever (the clock also moves while
    // real file I/O runs, hence the slack).
    expect(elapsed).toBeGreaterThanOrEqual(2000);
    expect(elapsed).toBeLessThan(3000);
  });

  it('fails a black-holed listing within maxAttempts deadlines', async () => {
    const { broker } = resilient({ hangCalls: { op: 'list', from: 1, count: 100 } }, { maxAttempts: 2 });
    const { error, elapsed } = await drive(collect(broker.list('a/')));
    expect(error).toMatchObject({ code: 'UNREACHABLE', retryable: true });
    expect((error as Error).message).toMatch(/gave no answer within 1000 ms .*\(gave up after 2 attempts\)$/);
    expect(elapsed).toBeLessThan(2200);
  });

  it('abandons a transfer that makes no progress for the stall deadline, but not a slow one that does', async () => {
    // Real time here (the transfer does real file I/O): a 300 ms stall deadline.
    const broker = new ResilientBroker(local, { policy: { ...POLICY, stallTimeoutMs: 300 } });
    // A body that sends one chunk and then nothing: the write must fail after the stall deadline.
    const stuck = new Readable({ read() {} });
    stuck.push(Buffer.alloc(1000));
    const started = Date.now();
    const error = await broker.write('stuck', stuck).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'UNREACHABLE' });
    expect((error as Error).message).toContain('made no progress for 300 ms');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await local.stat('stuck')).toBeNull();
    // A body that trickles a chunk every 100 ms (under the deadline) for 1 s goes through.
    let sent = 0;
    const slow = new Readable({
      read() {
        if (sent >= 10) return void this.push(null);
        sent++;
        setTimeout(() => this.push(Buffer.alloc(10, sent)), 100);
      },
    });
    const t0 = Date.now();
    await broker.write('slow', slow);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect((await local.stat('slow'))?.size).toBe(100);
  });
});
