import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';

import type { Broker, BrokerEntry } from '../../src/brokers/broker.ts';
import { FaultInjectingBroker } from '../../src/brokers/fault-injecting-broker.ts';
import { openBroker } from '../../src/brokers/open-broker.ts';
import { startS3Server } from '../support/s3-server.ts';
import { startWebHdfsServer, type WebHdfsTestServer } from '../support/webhdfs-server.ts';

/** One adapter under the contract suite: how to start its storage and open a broker on it. */
export interface AdapterFixture {
  readonly name: string;
  start(): Promise<StartedAdapter>;
}

export interface StartedAdapter {
  readonly broker: Broker;
  /** The WebHDFS fake, for protocol assertions (hdfs only). */
  readonly webhdfs?: WebHdfsTestServer;
  stop(): Promise<void>;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tv-'));
}

async function localAdapter(): Promise<{ broker: Broker; dir: string }> {
  const dir = tempDir();
  return { broker: await openBroker(`file://${dir}/repo`, {}), dir };
}

export const ADAPTERS: readonly AdapterFixture[] = [
  {
    name: 'local (file://)',
    async start() {
      const { broker, dir } = await localAdapter();
      return { broker, stop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 's3 (s3rver)',
    async start() {
      const server = await startS3Server();
      const broker = await openBroker(`${server.location}/contract/root`, server.properties, { s3: { maxAttempts: 2 } });
      return {
        broker,
        async stop() {
          await broker.close();
          await server.close();
        },
      };
    },
  },
  {
    name: 'hdfs (WebHDFS fake)',
    async start() {
      const webhdfs = await startWebHdfsServer();
      const broker = await openBroker(`${webhdfs.url}/user/tv/repo`, { username: 'tv' });
      return {
        broker,
        webhdfs,
        async stop() {
          await broker.close();
          await webhdfs.close();
        },
      };
    },
  },
  {
    name: 'fault wrapper (no faults) over local',
    async start() {
      const { broker, dir } = await localAdapter();
      return { broker: new FaultInjectingBroker(broker, {}), stop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
    },
  },
];

/** Deterministic pseudo-random bytes (fast: one SHA-256 per 32 bytes is too slow, so expand a seed block). */
export function patternBytes(size: number, seed: number): Buffer {
  const block = Buffer.alloc(64 * 1024);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < block.length; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    block.writeUInt32LE(x, i);
  }
  const out = Buffer.alloc(size);
  for (let offset = 0; offset < size; offset += block.length) block.copy(out, offset, 0, Math.min(block.length, size - offset));
  // Make every 64 KiB block distinct, so a misplaced part would change the hash.
  for (let offset = 0; offset + 8 <= size; offset += block.length) out.writeDoubleLE(offset + seed, offset);
  return out;
}

/** A stream of `total` pattern bytes in `chunk`-sized pieces, generated lazily (never all in memory). */
export function patternStream(total: number, seed: number, chunk = 256 * 1024): Readable {
  const piece = patternBytes(chunk, seed);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const n = Math.min(chunk, total - sent);
      const out = Buffer.from(piece.subarray(0, n));
      if (n >= 4) out.writeUInt32LE(sent >>> 0, 0); // every chunk distinct: a reordered or repeated chunk changes the hash
      sent += n;
      this.push(out);
    },
  });
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function streamHash(stream: Readable): Promise<{ hash: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { hash: hash.digest('hex'), size };
}

/** Hash of what patternStream(total, seed, chunk) produces. */
export async function patternHash(total: number, seed: number, chunk?: number): Promise<string> {
  return (await streamHash(patternStream(total, seed, chunk))).hash;
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function collect(iterable: AsyncIterable<BrokerEntry>): Promise<BrokerEntry[]> {
  const out: BrokerEntry[] = [];
  for await (const entry of iterable) out.push(entry);
  return out;
}

/** Run `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
