import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';

import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { Broker, BrokerEntry, DeletePrefixOptions, ListOptions, OperationOptions, ReadOptions, WriteOptions, WriteResult } from '../../src/brokers/broker.ts';
import { mulberry32 } from '../../src/brokers/fault-injecting-broker.ts';
import { LabelConflictError } from '../../src/repository/label-reservation.ts';
import { Repository } from '../../src/repository/repository.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { BROKER_KINDS, type BrokerKind } from './broker-kinds.ts';
import { listTree, localBroker, tempDir } from './helpers.ts';
import { MemoryBroker } from './memory-broker.ts';

/**
 * The label reservation protocol (src/repository/label-reservation.ts): on every storage kind, and — as a property
 * over random interleavings — on a store that ignores conditional writes, as s3rver does.
 */

const FAST = { settleMs: 5, rounds: 20 };
const ROOT = '__starrocks_repository_r';

async function reservationOf(promise: Promise<void>): Promise<'won' | 'taken' | Error> {
  try {
    await promise;
    return 'won';
  } catch (error) {
    return error instanceof LabelConflictError && error.kind === 'taken' ? 'taken' : (error as Error);
  }
}

describe.each(BROKER_KINDS)('on $name', (kind: BrokerKind) => {
  let dir: string;
  let cleanup: () => void;
  let broker: Broker;
  let repo: Repository;

  beforeAll(async () => {
    await kind.setup?.();
  });
  afterAll(async () => {
    await kind.teardown?.();
  });
  beforeEach(async () => {
    ({ dir, cleanup } = tempDir());
    broker = await kind.open(dir);
    repo = (await Repository.attach(broker, 'r', { labelReservation: FAST })).repository;
  });
  afterEach(async () => {
    await broker.close();
    await kind.cleanup?.();
    cleanup();
  });

  const markers = async (label: string): Promise<readonly string[]> => (await repo.labelDirectory(label)).markers;

  it('reserves a free label once, idempotently for the same job, and refuses every other job', async () => {
    await repo.reserveLabel('l1', 'job-a', { database: 'db1' });
    await repo.reserveLabel('l1', 'job-a', { database: 'db1' }); // a resumed submission finds its own marker
    expect(await markers('l1')).toEqual(['job-a']);
    // The marker says who reserved the label, for operators.
    const chunks: Buffer[] = [];
    for await (const c of (await broker.read(`${ROOT}/__ss_l1/__label_job-a`)) as Readable) chunks.push(c as Buffer);
    expect(JSON.parse(Buffer.concat(chunks).toString())).toMatchObject({ label: 'l1', token: 'job-a', database: 'db1', pid: process.pid });
    expect(await reservationOf(repo.reserveLabel('l1', 'job-b', {}))).toBe('taken');
    // The loser's marker is gone again: only the owner's remains.
    expect(await markers('l1')).toEqual(['job-a']);
    expect(await repo.listSnapshots()).toEqual(['l1']);
  });

  it('lets exactly one of several concurrent submitters win', async () => {
    const outcomes = await Promise.all(['t1', 't2', 't3', 't4'].map((t) => reservationOf(repo.reserveLabel('race', t, {}))));
    expect(outcomes.filter((o) => o === 'won')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'taken')).toHaveLength(3);
    const winner = ['t1', 't2', 't3', 't4'][outcomes.indexOf('won')];
    expect(await markers('race')).toEqual([winner]);
  });

  it('refuses a label that holds a snapshot or its leftovers, without writing', async () => {
    await repo.uploadBytes(Buffer.from('{}'), '__ss_done/__meta');
    await repo.uploadBytes(Buffer.from('{}'), '__ss_done/__info_2024-01-01-00-00-00-000');
    await repo.uploadBytes(Buffer.from('x'), '__ss_partial/__ss_content/__db_1/__tbl_2/__part_3/__idx_4/__5/5_0.dat');
    for (const label of ['done', 'partial']) {
      expect(await reservationOf(repo.reserveLabel(label, 'job-x', {}))).toBe('taken');
      expect(await markers(label)).toEqual([]);
    }
  });

  it('verifies before publishing: own marker present, no other backup\'s info or meta', async () => {
    await repo.reserveLabel('v', 'mine', {});
    const mine = { info: '__info_2024-01-01-00-00-00-000.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', meta: '__meta.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' };
    await repo.verifyReservation('v', 'mine', mine);
    // A crashed loser's marker written later does not matter; the owner's own files do not either.
    await broker.write(`${ROOT}/__ss_v/__label_crashed-loser`, Buffer.from('{}'));
    await broker.write(`${ROOT}/__ss_v/${mine.meta}`, Buffer.from('{}'));
    await repo.verifyReservation('v', 'mine', mine);
    // Another backup's info file: refused.
    await broker.write(`${ROOT}/__ss_v/__info_2024-02-02-00-00-00-000.cccccccccccccccccccccccccccccccc`, Buffer.from('{}'));
    await expect(repo.verifyReservation('v', 'mine', mine)).rejects.toMatchObject({ kind: 'foreign-files' });
    // The marker removed by hand (DROP SNAPSHOT … FORCE): refused, naming the marker.
    await broker.delete(`${ROOT}/__ss_v/__label_mine`);
    await expect(repo.verifyReservation('v', 'mine', mine)).rejects.toThrow(
      "The reservation of label 'v' in repository r is gone (__ss_v/__label_mine was deleted, e.g. by DROP SNAPSHOT v ON r FORCE); the snapshot was not published. Back up again",
    );
  });

  it('releases a reservation only while nothing else is in the directory; DROP SNAPSHOT removes markers', async () => {
    await repo.reserveLabel('c', 'job-c', {});
    expect(await repo.releaseReservation('c', 'job-c')).toBe(true);
    expect(await repo.listSnapshots()).toEqual([]);
    await repo.reserveLabel('c', 'job-d', {});
    await repo.uploadBytes(Buffer.from('x'), '__ss_c/__ss_content/__db_1/__tbl_2/__part_3/__idx_4/__5/5_0.dat');
    expect(await repo.releaseReservation('c', 'job-d')).toBe(false);
    expect(await markers('c')).toEqual(['job-d']);
    expect(await repo.deleteSnapshot('c')).toBe(2);
    expect(await repo.listSnapshots()).toEqual([]);
  });

  it('sweeps .part files of interrupted uploads', async () => {
    await broker.write(`${ROOT}/__ss_s/__ss_content/__db_1/__tbl_2/__part_3/__idx_4/__5/5_0.dat.part`, Buffer.from('half'));
    await broker.write(`${ROOT}/__ss_s/__meta.part`, Buffer.from('half'));
    await repo.uploadBytes(Buffer.from('whole'), '__ss_s/__ss_content/__db_1/__tbl_2/__part_3/__idx_4/__5/5_1.dat');
    expect((await repo.sweepTempFiles('s')).sort()).toEqual(['__ss_s/__meta.part', '__ss_s/__ss_content/__db_1/__tbl_2/__part_3/__idx_4/__5/5_0.dat.part']);
    const left: string[] = [];
    for await (const e of broker.list(`${ROOT}/__ss_s/`, { recursive: true })) left.push(e.key.slice(ROOT.length + 1));
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^__ss_s\/__ss_content\/__db_1\/__tbl_2\/__part_3\/__idx_4\/__5\/5_1\.dat\.[0-9a-f]{32}$/);
  });
});

describe('local adapter specifics', () => {
  it('sweeps the adapter\'s own hidden temp files, which listings never show', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const broker = localBroker(path.join(dir, 'remote'));
      const repo = (await Repository.attach(broker, 'r')).repository;
      const tabletDir = path.join(dir, 'remote', ROOT, '__ss_s', '__ss_content', '__db_1', '__tbl_2', '__part_3', '__idx_4', '__5');
      fs.mkdirSync(tabletDir, { recursive: true });
      fs.writeFileSync(path.join(tabletDir, '.tvtmp-0123456789ab-5_0.dat.part'), 'killed mid-write');
      expect(await repo.sweepTempFiles('s')).toEqual(['__ss_s/__ss_content/__db_1/__tbl_2/__part_3/__idx_4/__5/.tvtmp-0123456789ab-5_0.dat.part']);
      expect(listTree(path.join(dir, 'remote')).filter((p) => p.includes('__ss_s'))).toEqual([]);
    } finally {
      cleanup();
    }
  });
});

/**
 * A store like s3rver: createIfAbsent writes unconditionally (If-None-Match ignored), and every call yields to the
 * event loop a random number of times first, so concurrent submitters interleave in every order fast-check finds.
 * Listing, writing and deleting stay atomic — all the protocol assumes.
 */
class UnconditionalStore implements Broker {
  readonly scheme = 'mem';
  readonly location = 'mem://lying/store';
  readonly capabilities = { atomicWrite: true, cheapRename: false, exclusiveCreate: false };
  readonly #inner = new MemoryBroker(this.location, this.capabilities);
  readonly #random: () => number;

  constructor(seed: number) {
    this.#random = mulberry32(seed);
  }

  async #yield(): Promise<void> {
    const ticks = Math.floor(this.#random() * 6);
    for (let i = 0; i < ticks; i++) await new Promise((r) => setImmediate(r));
  }

  async *list(prefix: string, options?: ListOptions): AsyncIterable<BrokerEntry> {
    await this.#yield();
    const entries: BrokerEntry[] = [];
    for await (const e of this.#inner.list(prefix, options)) entries.push(e); // one atomic snapshot
    await this.#yield();
    yield* entries;
  }
  async stat(key: string): Promise<BrokerEntry | null> {
    await this.#yield();
    return this.#inner.stat(key);
  }
  async read(key: string, options?: ReadOptions): Promise<Readable> {
    return this.#inner.read(key, options);
  }
  async write(key: string, body: Readable | Uint8Array, options?: WriteOptions): Promise<WriteResult> {
    await this.#yield();
    return this.#inner.write(key, body, options);
  }
  async uploadFile(localPath: string, key: string, options?: WriteOptions): Promise<WriteResult> {
    return this.#inner.uploadFile(localPath, key, options);
  }
  async downloadFile(key: string, localPath: string): Promise<WriteResult> {
    return this.#inner.downloadFile(key, localPath);
  }
  async createIfAbsent(key: string, body: Uint8Array): Promise<boolean> {
    await this.#yield();
    await this.#inner.write(key, body); // the condition is ignored
    await this.#yield();
    return true;
  }
  async rename(from: string, to: string, options?: OperationOptions): Promise<void> {
    await this.#yield();
    return this.#inner.rename(from, to, options);
  }
  async delete(key: string): Promise<void> {
    await this.#yield();
    return this.#inner.delete(key);
  }
  async deletePrefix(prefix: string, _options?: DeletePrefixOptions): Promise<number> {
    await this.#yield();
    return this.#inner.deletePrefix(prefix);
  }
  async close(): Promise<void> {}
}

describe('on a store that ignores conditional writes', () => {
  it('never lets two submitters own a label, and one of them always wins (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 30 }), fc.integer({ min: 2, max: 5 }), fc.array(fc.nat(3), { minLength: 5, maxLength: 5 }), async (seed, n, offsets) => {
        const store = new UnconditionalStore(seed);
        const repo = (await Repository.attach(store, 'r', { labelReservation: { ...FAST, random: mulberry32(seed + 1) } })).repository;
        const outcomes = await Promise.all(
          Array.from({ length: n }, async (_, i) => {
            // Submitters start up to 3 event-loop turns apart.
            for (let t = 0; t < (offsets[i] ?? 0); t++) await new Promise((r) => setImmediate(r));
            return reservationOf(repo.reserveLabel('same', `job-${i}`, {}));
          }),
        );
        expect(outcomes.filter((o) => o instanceof Error)).toEqual([]);
        expect(outcomes.filter((o) => o === 'won')).toHaveLength(1);
        expect((await repo.labelDirectory('same')).markers).toEqual([`job-${outcomes.indexOf('won')}`]);
      }),
      { numRuns: 60 },
    );
  });

  it('a late submitter whose marker lands after the owner\'s listing still loses', async () => {
    // The owner reserved; a second submitter now writes and lists: it sees two markers and backs off.
    const store = new UnconditionalStore(3);
    const clock = new ManualClock();
    const repo = (await Repository.attach(store, 'r', { clock, labelReservation: { settleMs: 0, rounds: 2 } })).repository;
    await repo.reserveLabel('l', 'owner', {});
    expect(await reservationOf(repo.reserveLabel('l', 'late', {}))).toBe('taken');
    expect((await repo.labelDirectory('l')).markers).toEqual(['owner']);
  });
});
