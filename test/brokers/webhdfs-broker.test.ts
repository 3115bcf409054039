import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

import { afterEach, describe, expect, it } from 'vitest';

import { BrokerError, type Broker } from '../../src/brokers/broker.ts';
import { openBroker } from '../../src/brokers/open-broker.ts';
import { collect, readAll } from './fixtures.ts';
import { startWebHdfsServer, type WebHdfsTestServer } from '../support/webhdfs-server.ts';

async function brokerError(p: Promise<unknown>): Promise<BrokerError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BrokerError);
  return error as BrokerError;
}

describe('WebHDFS broker against the WebHDFS fake', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup(options: Parameters<typeof startWebHdfsServer>[0] = {}, properties: Record<string, string> = { username: 'tv' }): Promise<{ server: WebHdfsTestServer; broker: Broker }> {
    const server = await startWebHdfsServer(options);
    const broker = await openBroker(`${server.url}/user/tv/repo`, properties);
    cleanups.push(() => server.close(), () => broker.close());
    return { server, broker };
  }

  it('creates files in two steps through a temp name, with user.name', async () => {
    const { server, broker } = await setup();
    await broker.write('a/b.txt', Buffer.from('hello'));
    const creates = server.requests.filter((r) => r.op === 'CREATE');
    expect(creates.map((r) => r.datanode)).toEqual([false, true]);
    expect(creates[0]?.path).toMatch(/^\/user\/tv\/repo\/a\/\.tvtmp-[0-9a-f]+-b\.txt$/);
    expect(server.requests.some((r) => r.op === 'RENAME' && r.path === creates[0]?.path)).toBe(true);
    expect((await readAll(await broker.read('a/b.txt'))).toString()).toBe('hello');
    expect(server.requests.filter((r) => r.op === 'OPEN').map((r) => r.datanode)).toEqual([false, true]);
  });

  it('pages listings with LISTSTATUS_BATCH', async () => {
    const { server, broker } = await setup({ listBatchSize: 7 });
    for (let i = 0; i < 20; i++) await broker.write(`d/f${String(i).padStart(2, '0')}`, Buffer.from('x'));
    const before = server.requests.length;
    expect(await collect(broker.list('d/'))).toHaveLength(20);
    expect(server.requests.slice(before).filter((r) => r.op === 'LISTSTATUS_BATCH')).toHaveLength(3);
  });

  it('hides an in-progress write until it completes (HDFS shows files while they are written)', async () => {
    const { broker } = await setup();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let step = 0;
    const body = new Readable({
      read() {
        step++;
        if (step === 1) this.push(Buffer.alloc(1024, 1));
        else if (step === 2) void gate.then(() => this.push(null));
      },
    });
    const writing = broker.write('slow/file', body);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await broker.stat('slow/file')).toBeNull();
    expect(await collect(broker.list('slow/', { recursive: true }))).toEqual([]);
    release();
    expect(await writing).toEqual({ size: 1024 });
    expect(await broker.stat('slow/file')).toMatchObject({ size: 1024 });
  });

  it('maps AccessControlException and a missing user to ACCESS_DENIED', async () => {
    const { broker } = await setup({ allowedUsers: ['tv'] }, { username: 'mallory' });
    const denied = await brokerError(broker.write('x', Buffer.from('x')));
    expect(denied.code).toBe('ACCESS_DENIED');
    expect(denied.message).toContain('user=mallory');
    const { broker: anonymous } = await setup({}, {});
    expect((await brokerError(anonymous.stat('x'))).code).toBe('ACCESS_DENIED');
  });

  it('maps a refused connection to UNREACHABLE', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const broker = await openBroker(`hdfs://127.0.0.1:${port}/x`, { username: 'tv' });
    expect(await brokerError(broker.stat('k'))).toMatchObject({ code: 'UNREACHABLE', retryable: true });
  });

  it('refuses to replace a non-empty directory by rename', async () => {
    const { broker } = await setup();
    await broker.write('src', Buffer.from('s'));
    await broker.write('dst/inner', Buffer.from('i'));
    const error = await brokerError(broker.rename('src', 'dst'));
    expect(error.code).toBe('IO');
    expect((await readAll(await broker.read('src'))).toString()).toBe('s');
  });
});
