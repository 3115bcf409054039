import { readFile, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';

import {
  BrokerError,
  type Broker,
  type BrokerCapabilities,
  type BrokerEntry,
  type ListOptions,
  type OperationOptions,
  type ReadOptions,
  type WriteOptions,
  type WriteResult,
} from '../../src/brokers/broker.ts';

/**
 * TEST DOUBLE ONLY: an in-memory Broker with object-store semantics (directories exist only as key prefixes). It lets
 * the repository's pure logic run with either protocol branch (`atomicWrite`/`cheapRename` are configurable); the
 * suites also run against the real local adapter and s3rver.
 */
export class MemoryBroker implements Broker {
  readonly scheme = 'mem';
  readonly location: string;
  readonly capabilities: BrokerCapabilities;
  /** Every call, in order, as `op key` (lets tests check the protocol's steps). */
  readonly calls: string[] = [];
  readonly #files = new Map<string, Buffer>();

  constructor(location = 'mem://bucket/path', capabilities: BrokerCapabilities = { atomicWrite: true, cheapRename: false, exclusiveCreate: false }) {
    this.location = location;
    this.capabilities = capabilities;
  }

  async *list(prefix: string, options?: ListOptions): AsyncIterable<BrokerEntry> {
    this.calls.push(`list ${prefix}`);
    const seen = new Set<string>();
    for (const key of [...this.#files.keys()].sort()) {
      if (!key.startsWith(prefix)) continue;
      const cut = key.indexOf('/', prefix.length);
      if (options?.recursive !== true && cut >= 0) {
        const dir = key.slice(0, cut);
        if (!seen.has(dir)) {
          seen.add(dir);
          yield { key: dir, name: dir.slice(dir.lastIndexOf('/') + 1), isDirectory: true, size: 0 };
        }
        continue;
      }
      yield { key, name: key.slice(key.lastIndexOf('/') + 1), isDirectory: false, size: (this.#files.get(key) as Buffer).length };
    }
  }

  async stat(key: string): Promise<BrokerEntry | null> {
    const f = this.#files.get(key);
    if (f !== undefined) return { key, name: key.slice(key.lastIndexOf('/') + 1), isDirectory: false, size: f.length };
    return null;
  }

  async read(key: string, options?: ReadOptions): Promise<Readable> {
    this.calls.push(`read ${key}`);
    const f = this.#files.get(key);
    if (f === undefined) throw new BrokerError('NOT_FOUND', `File not found: ${this.location}/${key}`, { key });
    return Readable.from([f.subarray(options?.start ?? 0, options?.end ?? f.length)]);
  }

  async write(key: string, body: Readable | Uint8Array, options?: WriteOptions): Promise<WriteResult> {
    this.calls.push(`write ${key}`);
    if (options?.signal?.aborted) throw new BrokerError('ABORTED', 'aborted', { key });
    let bytes: Buffer;
    if (body instanceof Uint8Array) bytes = Buffer.from(body);
    else {
      const chunks: Buffer[] = [];
      for await (const c of body) chunks.push(c as Buffer);
      bytes = Buffer.concat(chunks);
    }
    this.#files.set(key, bytes);
    options?.onProgress?.(bytes.length);
    return { size: bytes.length };
  }

  async uploadFile(localPath: string, key: string, options?: WriteOptions): Promise<WriteResult> {
    return this.write(key, await readFile(localPath), options);
  }

  async downloadFile(key: string, localPath: string): Promise<WriteResult> {
    const f = this.#files.get(key);
    if (f === undefined) throw new BrokerError('NOT_FOUND', `File not found: ${key}`, { key });
    await writeFile(localPath, f);
    return { size: f.length };
  }

  async createIfAbsent(key: string, body: Uint8Array, options?: OperationOptions): Promise<boolean> {
    this.calls.push(`createIfAbsent ${key}`);
    if (options?.signal?.aborted) throw new BrokerError('ABORTED', 'aborted', { key });
    if (this.#files.has(key)) return false;
    this.#files.set(key, Buffer.from(body));
    return true;
  }

  async rename(from: string, to: string, _options?: OperationOptions): Promise<void> {
    this.calls.push(`rename ${from} ${to}`);
    const f = this.#files.get(from);
    if (f === undefined) throw new BrokerError('NOT_FOUND', `File not found: ${from}`, { key: from });
    this.#files.delete(from);
    this.#files.set(to, f);
  }

  async delete(key: string): Promise<void> {
    this.calls.push(`delete ${key}`);
    this.#files.delete(key);
  }

  async deletePrefix(prefix: string): Promise<number> {
    this.calls.push(`deletePrefix ${prefix}`);
    let n = 0;
    for (const key of [...this.#files.keys()]) {
      if (key.startsWith(prefix)) {
        this.#files.delete(key);
        n++;
      }
    }
    return n;
  }

  async close(): Promise<void> {}

  /** Test hook: put raw bytes under a key, bypassing the protocol (crash leftovers, tampering). */
  put(key: string, bytes: string | Buffer): void {
    this.#files.set(key, Buffer.from(bytes));
  }

  /** Test hook: raw bytes under a key. */
  get(key: string): Buffer | undefined {
    return this.#files.get(key);
  }

  /** Test hook: all keys, sorted. */
  keys(): string[] {
    return [...this.#files.keys()].sort();
  }
}
