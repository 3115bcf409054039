import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BrokerError } from '../../src/brokers/broker.ts';
import { openBroker } from '../../src/brokers/open-broker.ts';
import { collect, patternHash, patternStream, streamHash } from './fixtures.ts';
import { startS3Server, type S3TestServer } from '../support/s3-server.ts';

/** A proxy in front of s3rver that answers 503 SlowDown to every `every`-th request (a real overloaded S3's answer). */
async function startFlakyProxy(target: string, every: number): Promise<{ endpoint: string; injected: () => number; close: () => Promise<void> }> {
  const upstream = new URL(target);
  let count = 0;
  let injected = 0;
  const server = http.createServer((req, res) => {
    count++;
    if ((count - 1) % every === 0) {
      injected++;
      req.resume();
      req.on('end', () => {
        const body = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>';
        res.writeHead(503, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
      return;
    }
    const forward = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    injected: () => injected,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function brokerError(p: Promise<unknown>): Promise<BrokerError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BrokerError);
  return error as BrokerError;
}

describe('S3 broker against s3rver', () => {
  let server: S3TestServer;

  beforeAll(async () => {
    server = await startS3Server({ bucket: 'tv-s3-specific' });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('retries 503 SlowDown with backoff until the operation succeeds', async () => {
    const proxy = await startFlakyProxy(server.endpoint, 3);
    const broker = await openBroker(`${server.location}/retry`, { ...server.properties, 'aws.s3.endpoint': proxy.endpoint });
    try {
      const size = 17 * 1024 * 1024; // three multipart parts: each part PUT is retried on its own
      await broker.write('big', patternStream(size, 9));
      for (let i = 0; i < 5; i++) await broker.write(`small/${i}`, Buffer.from(`v${i}`));
      expect(await streamHash(await broker.read('big'))).toEqual({ hash: await patternHash(size, 9), size });
      expect((await collect(broker.list('small/'))).map((e) => e.key)).toEqual(['small/0', 'small/1', 'small/2', 'small/3', 'small/4']);
      await broker.rename('small/0', 'small/zero');
      expect(await broker.deletePrefix('')).toBe(6);
      expect(proxy.injected()).toBeGreaterThan(4);
    } finally {
      await broker.close();
      await proxy.close();
    }
  });

  it('gives up after maxAttempts with a retryable error', async () => {
    const proxy = await startFlakyProxy(server.endpoint, 1); // every request fails
    // Two SDK attempts per call, two calls ("tablevault.max_attempts"): four requests, then the error.
    const properties = { ...server.properties, 'aws.s3.endpoint': proxy.endpoint, 'tablevault.max_attempts': '2', 'tablevault.retry_base_ms': '10' };
    const broker = await openBroker(`${server.location}/retry`, properties, { s3: { maxAttempts: 2 } });
    try {
      const error = await brokerError(broker.stat('x'));
      expect(error).toMatchObject({ code: 'IO', retryable: true });
      expect(error.message).toMatch(/\(gave up after 2 attempts\)$/);
      expect(proxy.injected()).toBe(4);
    } finally {
      await broker.close();
      await proxy.close();
    }
  });

  it('maps an unknown access key to ACCESS_DENIED without showing the secret', async () => {
    const broker = await openBroker(server.location, { ...server.properties, 'aws.s3.access_key': 'NOT-A-KEY', 'aws.s3.secret_key': 'very-secret-value-123' });
    try {
      const error = await brokerError(broker.write('x', Buffer.from('x')));
      expect(error.code).toBe('ACCESS_DENIED');
      expect(error.retryable).toBe(false);
      expect(error.message).not.toContain('very-secret-value-123');
    } finally {
      await broker.close();
    }
  });

  it('maps a missing bucket to NOT_FOUND naming the bucket', async () => {
    const broker = await openBroker('s3://no-such-bucket-here/x', server.properties);
    try {
      const error = await brokerError(collect(broker.list('')));
      expect(error.code).toBe('NOT_FOUND');
      expect(error.message).toContain('"no-such-bucket-here" does not exist');
    } finally {
      await broker.close();
    }
  });

  it('maps a refused connection to UNREACHABLE (retryable)', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const broker = await openBroker(server.location, { ...server.properties, 'aws.s3.endpoint': `http://127.0.0.1:${port}` }, { s3: { maxAttempts: 1 } });
    try {
      expect(await brokerError(broker.stat('x'))).toMatchObject({ code: 'UNREACHABLE', retryable: true });
    } finally {
      await broker.close();
    }
  });

  it('keeps keys under the location prefix and ignores directory markers', async () => {
    const a = await openBroker(`${server.location}/tenant-a`, server.properties);
    const b = await openBroker(`${server.location}/tenant-ab`, server.properties);
    try {
      await a.write('dir/f', Buffer.from('a'));
      await b.write('dir/f', Buffer.from('b'));
      await a.write('dir/', Buffer.from('')).catch(() => undefined); // invalid key: rejected, never written
      expect((await collect(a.list('', { recursive: true }))).map((e) => e.key)).toEqual(['dir/f']);
      expect((await collect(b.list('', { recursive: true }))).map((e) => e.key)).toEqual(['dir/f']);
      expect(await a.deletePrefix('')).toBe(1);
      expect(await b.stat('dir/f')).not.toBeNull();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
