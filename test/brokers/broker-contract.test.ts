import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BrokerError, type Broker } from '../../src/brokers/broker.ts';
import {
  ADAPTERS,
  collect,
  mapLimit,
  patternBytes,
  patternHash,
  patternStream,
  readAll,
  sha256,
  streamHash,
  tempDir,
  type StartedAdapter,
} from './fixtures.ts';

/** The same behaviour, checked against every adapter (kysely's per-dialect loop). */

async function expectBrokerError(promise: Promise<unknown>, code: BrokerError['code']): Promise<BrokerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BrokerError);
  expect((error as BrokerError).code).toBe(code);
  return error as BrokerError;
}

const MiB = 1024 * 1024;

for (const adapter of ADAPTERS) {
  describe(adapter.name, () => {
    let started: StartedAdapter;
    let broker: Broker;
    let local: string;

    beforeAll(async () => {
      started = await adapter.start();
      broker = started.broker;
      local = tempDir();
    });

    afterAll(async () => {
      await started?.stop();
      fs.rmSync(local, { recursive: true, force: true });
    });

    it('lists an empty store and an unknown prefix as nothing', async () => {
      expect(await collect(broker.list(''))).toEqual([]);
      expect(await collect(broker.list('', { recursive: true }))).toEqual([]);
      expect(await collect(broker.list('nothing/here/'))).toEqual([]);
    });

    it('lists by prefix, recursively and grouped by directory, in key byte order', async () => {
      const files: Record<string, string> = {
        'ls/a/b/c.txt': 'c',
        'ls/a/b/d.txt': 'dd',
        'ls/a/e.txt': 'eee',
        'ls/a-f.txt': 'ffff',
        'ls/z.txt': 'zzzzz',
      };
      for (const [key, body] of Object.entries(files)) await broker.write(key, Buffer.from(body));

      const all = await collect(broker.list('ls/', { recursive: true }));
      expect(all.map((e) => e.key)).toEqual(['ls/a-f.txt', 'ls/a/b/c.txt', 'ls/a/b/d.txt', 'ls/a/e.txt', 'ls/z.txt']);
      expect(all.map((e) => e.size)).toEqual([4, 1, 2, 3, 5]);
      expect(all.every((e) => !e.isDirectory)).toBe(true);
      expect(all.find((e) => e.key === 'ls/a/e.txt')?.name).toBe('e.txt');

      const top = await collect(broker.list('ls/'));
      expect(top.map((e) => [e.key, e.isDirectory])).toEqual([
        ['ls/a-f.txt', false],
        ['ls/a', true],
        ['ls/z.txt', false],
      ]);
      expect(top.find((e) => e.isDirectory)).toMatchObject({ name: 'a', size: 0 });

      // A partial last segment is a plain string prefix, not a directory.
      expect((await collect(broker.list('ls/a'))).map((e) => e.key)).toEqual(['ls/a-f.txt', 'ls/a']);
      expect((await collect(broker.list('ls/a/'))).map((e) => [e.key, e.isDirectory])).toEqual([
        ['ls/a/b', true],
        ['ls/a/e.txt', false],
      ]);
      expect((await collect(broker.list('ls/a/b/c'))).map((e) => e.key)).toEqual(['ls/a/b/c.txt']);
      expect((await collect(broker.list('ls/a/b/c.txt/'))).map((e) => e.key)).toEqual([]);
    });

    it('pages through more than 1,000 keys', async () => {
      const keys = Array.from({ length: 1100 }, (_, i) => `many/k${String(i).padStart(5, '0')}`);
      await mapLimit(keys, 32, (key, i) => broker.write(key, Buffer.from(String(i))));
      const listed = await collect(broker.list('many/', { recursive: true }));
      expect(listed.map((e) => e.key)).toEqual(keys);
      const flat = await collect(broker.list('many/'));
      expect(flat).toHaveLength(1100);
      expect(flat.every((e) => !e.isDirectory)).toBe(true);
      if (started.webhdfs !== undefined) {
        // The NameNode caps a LISTSTATUS_BATCH answer at 1,000 entries: the second page must have been asked for.
        expect(started.webhdfs.requests.some((r) => r.op === 'LISTSTATUS_BATCH' && r.path.endsWith('/many'))).toBe(true);
      }
      expect(await broker.deletePrefix('many/')).toBe(1100);
      expect(await collect(broker.list('many/', { recursive: true }))).toEqual([]);
    });

    it('writes and reads back a large streamed file byte for byte', async () => {
      const size = 24 * MiB + 12345; // crosses the 8 MiB multipart part size several times, with a ragged tail
      let progress = 0;
      const result = await broker.write('big/blob.bin', patternStream(size, 7), { onProgress: (n) => (progress = n) });
      expect(result.size).toBe(size);
      expect(progress).toBe(size);
      expect(await broker.stat('big/blob.bin')).toMatchObject({ key: 'big/blob.bin', name: 'blob.bin', size, isDirectory: false });
      expect(await streamHash(await broker.read('big/blob.bin'))).toEqual({ hash: await patternHash(size, 7), size });
      // A range across a part boundary matches the same range of the source.
      const source = await readAll(patternStream(size, 7));
      const start = 8 * MiB - 3;
      const ranged = await readAll(await broker.read('big/blob.bin', { start, end: start + 10 }));
      expect(ranged.equals(source.subarray(start, start + 10))).toBe(true);
      await broker.delete('big/blob.bin');
    });

    it('reads byte ranges [start, end), clamping past the end', async () => {
      const data = patternBytes(1000, 3);
      await broker.write('ranges/f.bin', data);
      const range = async (start?: number, end?: number) =>
        readAll(await broker.read('ranges/f.bin', { ...(start === undefined ? {} : { start }), ...(end === undefined ? {} : { end }) }));
      expect((await range(10, 20)).equals(data.subarray(10, 20))).toBe(true);
      expect((await range(990)).equals(data.subarray(990))).toBe(true);
      expect((await range(undefined, 5)).equals(data.subarray(0, 5))).toBe(true);
      expect((await range(995, 5000)).equals(data.subarray(995))).toBe(true);
      expect(await range(500, 500)).toHaveLength(0);
      expect(await range(1000)).toHaveLength(0);
      expect(await range(2000)).toHaveLength(0);
      expect((await range()).equals(data)).toBe(true);
      await expectBrokerError(broker.read('ranges/f.bin', { start: 20, end: 10 }), 'INVALID_ARGUMENT');
      await expectBrokerError(broker.read('ranges/f.bin', { start: -1 }), 'INVALID_ARGUMENT');
    });

    it('stats files, directories and missing keys', async () => {
      await broker.write('st/dir/file.txt', Buffer.from('hello'));
      const file = await broker.stat('st/dir/file.txt');
      expect(file).toMatchObject({ key: 'st/dir/file.txt', name: 'file.txt', isDirectory: false, size: 5 });
      expect(file?.modifiedAt).toBeInstanceOf(Date);
      expect(await broker.stat('st/dir')).toMatchObject({ key: 'st/dir', name: 'dir', isDirectory: true, size: 0 });
      expect(await broker.stat('st/missing')).toBeNull();
      expect(await broker.stat('st/dir/file.txt/below')).toBeNull();
    });

    it('renames, replacing the destination, into new directories', async () => {
      await broker.write('rn/a.part', Buffer.from('new content'));
      await broker.write('rn/b', Buffer.from('old'));
      await broker.rename('rn/a.part', 'rn/b');
      expect(await broker.stat('rn/a.part')).toBeNull();
      expect((await readAll(await broker.read('rn/b'))).toString()).toBe('new content');
      await broker.rename('rn/b', 'rn/deep/er/c');
      expect((await readAll(await broker.read('rn/deep/er/c'))).toString()).toBe('new content');
      expect((await collect(broker.list('rn/', { recursive: true }))).map((e) => e.key)).toEqual(['rn/deep/er/c']);
      await broker.rename('rn/deep/er/c', 'rn/deep/er/c'); // to itself: nothing changes
      expect(await broker.stat('rn/deep/er/c')).not.toBeNull();
      await expectBrokerError(broker.rename('rn/missing', 'rn/x'), 'NOT_FOUND');
      expect(await broker.stat('rn/x')).toBeNull();
    });

    it('deletes files idempotently and prefixes with a count, leaving no empty directories', async () => {
      await broker.write('del/one', Buffer.from('1'));
      await broker.delete('del/one');
      expect(await broker.stat('del/one')).toBeNull();
      await broker.delete('del/one'); // again: still fine
      await broker.delete('del/never/existed');
      for (const key of ['del/p/x/1', 'del/p/x/2', 'del/p/y', 'del/pq', 'del/keep']) await broker.write(key, Buffer.from(key));
      expect(await broker.deletePrefix('del/p/')).toBe(3);
      expect((await collect(broker.list('del/'))).map((e) => e.key)).toEqual(['del/keep', 'del/pq']);
      expect(await broker.deletePrefix('del/p')).toBe(1);
      expect(await broker.deletePrefix('del/nothing')).toBe(0);
      await broker.delete('del/keep');
      expect(await collect(broker.list('del'))).toEqual([]);
    });

    it('reports missing objects as NOT_FOUND', async () => {
      await expectBrokerError(broker.read('missing/file'), 'NOT_FOUND');
      await expectBrokerError(broker.read('missing/file', { start: 5, end: 5 }), 'NOT_FOUND');
      const target = path.join(local, 'never.bin');
      await expectBrokerError(broker.downloadFile('missing/file', target), 'NOT_FOUND');
      expect(fs.existsSync(target)).toBe(false);
      expect(fs.readdirSync(local).filter((n) => n.startsWith('.tvtmp-'))).toEqual([]);
    });

    it('rejects keys that are absolute, empty or escape the root', async () => {
      await expectBrokerError(broker.write('/abs', Buffer.from('x')), 'INVALID_ARGUMENT');
      await expectBrokerError(broker.write('a/../../b', Buffer.from('x')), 'INVALID_ARGUMENT');
      await expectBrokerError(broker.stat(''), 'INVALID_ARGUMENT');
      await expectBrokerError(broker.read('a//b'), 'INVALID_ARGUMENT');
      // list() may throw at once or reject on first iteration; either way it is INVALID_ARGUMENT.
      await expectBrokerError(Promise.resolve().then(() => collect(broker.list('/x'))), 'INVALID_ARGUMENT');
      await expectBrokerError(Promise.resolve().then(() => collect(broker.list('a/../'))), 'INVALID_ARGUMENT');
    });

    it('an aborted write leaves the previous object (or nothing) under the key', async () => {
      await broker.write('ab/kept', Buffer.from('previous'));
      for (const key of ['ab/kept', 'ab/fresh']) {
        const controller = new AbortController();
        let sent = 0;
        const body = new Readable({
          read() {
            sent += MiB;
            if (sent > 64 * MiB) return void this.push(null);
            if (sent === 3 * MiB) controller.abort();
            setTimeout(() => this.push(Buffer.alloc(MiB, 1)), 1);
          },
        });
        await expectBrokerError(broker.write(key, body, { signal: controller.signal }), 'ABORTED');
        expect(sent).toBeLessThan(64 * MiB);
      }
      expect((await readAll(await broker.read('ab/kept'))).toString()).toBe('previous');
      expect(await broker.stat('ab/fresh')).toBeNull();
      expect((await collect(broker.list('ab/', { recursive: true }))).map((e) => e.key)).toEqual(['ab/kept']);
      // An already-aborted signal fails before anything happens.
      await expectBrokerError(broker.write('ab/pre', Buffer.from('x'), { signal: AbortSignal.abort() }), 'ABORTED');
      expect(await broker.stat('ab/pre')).toBeNull();
    });

    it('a body that fails midway leaves nothing under the key', async () => {
      let sent = 0;
      const body = new Readable({
        read() {
          sent += MiB;
          if (sent > 10 * MiB) return void this.destroy(new Error('source disk died'));
          this.push(Buffer.alloc(MiB, 2));
        },
      });
      const error = await broker.write('broken/file', body).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BrokerError);
      expect(await broker.stat('broken/file')).toBeNull();
      expect(await collect(broker.list('broken/', { recursive: true }))).toEqual([]);
    });

    it('an aborted read errors the stream with ABORTED', async () => {
      await broker.write('ar/file', patternStream(6 * MiB, 11));
      const controller = new AbortController();
      const stream = await broker.read('ar/file', { signal: controller.signal });
      let received = 0;
      const error = await (async () => {
        try {
          for await (const chunk of stream) {
            received += (chunk as Buffer).length;
            controller.abort();
          }
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(BrokerError);
      expect((error as BrokerError).code).toBe('ABORTED');
      expect(received).toBeLessThan(6 * MiB);
      await expectBrokerError(broker.read('ar/file', { signal: AbortSignal.abort() }), 'ABORTED');
    });

    it('serves concurrent writers to different keys', async () => {
      const keys = Array.from({ length: 8 }, (_, i) => `cw/dir/w${i}`);
      await Promise.all(keys.map((key, i) => broker.write(key, patternStream(MiB + i * 1000, 100 + i))));
      for (const [i, key] of keys.entries()) {
        expect((await streamHash(await broker.read(key))).hash).toBe(await patternHash(MiB + i * 1000, 100 + i));
      }
      expect(await collect(broker.list('cw/dir/'))).toHaveLength(8);
    });

    it('uploads and downloads local files', async () => {
      const source = path.join(local, 'upload.bin');
      const data = patternBytes(10 * MiB + 17, 21);
      fs.writeFileSync(source, data);
      let progress = 0;
      expect(await broker.uploadFile(source, 'ud/file.bin', { onProgress: (n) => (progress = n) })).toEqual({ size: data.length });
      expect(progress).toBe(data.length);
      expect((await streamHash(await broker.read('ud/file.bin'))).hash).toBe(sha256(data));
      const target = path.join(local, 'download.bin');
      fs.writeFileSync(target, 'to be replaced');
      expect(await broker.downloadFile('ud/file.bin', target)).toEqual({ size: data.length });
      expect(sha256(fs.readFileSync(target))).toBe(sha256(data));
      expect(fs.readdirSync(local).filter((n) => n.startsWith('.tvtmp-'))).toEqual([]);
    });

    it('writes a Uint8Array body, including an empty one', async () => {
      const bytes = new Uint8Array([0, 1, 2, 250, 255]);
      expect(await broker.write('u8/five', bytes)).toEqual({ size: 5 });
      expect([...(await readAll(await broker.read('u8/five')))]).toEqual([0, 1, 2, 250, 255]);
      expect(await broker.write('u8/empty', new Uint8Array(0))).toEqual({ size: 0 });
      expect(await broker.stat('u8/empty')).toMatchObject({ size: 0, isDirectory: false });
      expect(await readAll(await broker.read('u8/empty'))).toHaveLength(0);
    });

    it('creates a file only if absent, never replacing one', async () => {
      expect(await broker.createIfAbsent('cia/deep/er/one', Buffer.from('first'))).toBe(true);
      expect((await readAll(await broker.read('cia/deep/er/one'))).toString()).toBe('first');
      expect(await broker.createIfAbsent('cia/deep/er/one', Buffer.from('second'))).toBe(false);
      expect((await readAll(await broker.read('cia/deep/er/one'))).toString()).toBe('first');
      expect(await broker.createIfAbsent('cia/empty', new Uint8Array(0))).toBe(true);
      expect(await broker.stat('cia/empty')).toMatchObject({ size: 0, isDirectory: false });
      // Nothing but the two files: no temp name is left behind by the refused or the successful create.
      expect((await collect(broker.list('cia/', { recursive: true, includeTemp: true }))).map((e) => e.key)).toEqual(['cia/deep/er/one', 'cia/empty']);
      await expectBrokerError(broker.createIfAbsent('cia/x', Buffer.from('x'), { signal: AbortSignal.abort() }), 'ABORTED');
      expect(await broker.stat('cia/x')).toBeNull();
      await expectBrokerError(broker.createIfAbsent('/abs', Buffer.from('x')), 'INVALID_ARGUMENT');
    });

    it('lets exactly one of many concurrent creators win where creation is exclusive', async () => {
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => broker.createIfAbsent('race/marker', Buffer.from(`writer ${i}`))));
      const winners = results.flatMap((won, i) => (won ? [i] : []));
      const content = (await readAll(await broker.read('race/marker'))).toString();
      if (broker.capabilities.exclusiveCreate) {
        expect(winners).toHaveLength(1);
        expect(content).toBe(`writer ${winners[0]}`);
      } else {
        // Check-then-write (a server may ignore If-None-Match): someone won, and the file is one writer's whole body.
        expect(winners.length).toBeGreaterThanOrEqual(1);
        expect(winners.map((i) => `writer ${i}`)).toContain(content);
      }
    });

    it('reports progress of a bulk delete', async () => {
      for (let i = 0; i < 5; i++) await broker.write(`dp/f${i}`, Buffer.from('x'));
      let ticks = 0;
      expect(await broker.deletePrefix('dp/', { onProgress: () => ticks++ })).toBe(5);
      expect(ticks).toBeGreaterThan(0);
    });

    it('reports its scheme, a secret-free location and capabilities', () => {
      expect(['file', 's3', 'hdfs']).toContain(broker.scheme);
      expect(broker.location).not.toMatch(/S3RVER|secret/i);
      expect(typeof broker.capabilities.atomicWrite).toBe('boolean');
      expect(broker.capabilities.cheapRename).toBe(broker.scheme !== 's3');
      expect(broker.capabilities.exclusiveCreate).toBe(broker.scheme !== 's3');
    });
  });
}
