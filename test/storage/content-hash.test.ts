import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listRowsets } from '../../src/catalog/ops/list-rowsets.ts';
import { listTablets } from '../../src/catalog/ops/list-tablets.ts';
import { combineContentStats, manifestStats } from '../../src/jobs/meta-checksum.ts';
import { contentHasher, EMPTY_CONTENT_HASH, segmentContentHash } from '../../src/storage/segment/content-hash.ts';
import { hashSegmentFiles } from '../../src/storage/segment/content-hash-worker.ts';
import type { SegmentColumn } from '../../src/storage/segment/format.ts';
import { SegmentBuilder } from '../../src/storage/segment/segment-writer.ts';
import type { ColumnType, Row, Value } from '../../src/types/index.ts';
import { col, firstPartition, makeTable, openStore, tempDir } from './helpers.ts';

const TYPES: readonly ColumnType[] = [
  { name: 'BOOLEAN' }, { name: 'TINYINT' }, { name: 'SMALLINT' }, { name: 'INT' }, { name: 'BIGINT' }, { name: 'LARGEINT' },
  { name: 'FLOAT' }, { name: 'DOUBLE' }, { name: 'VARCHAR', length: 40 }, { name: 'DECIMAL', precision: 10, scale: 2 },
  { name: 'DATE' }, { name: 'DATETIME' },
];

function valueArb(t: ColumnType): fc.Arbitrary<Value> {
  const v: fc.Arbitrary<Value> = (() => {
    switch (t.name) {
      case 'BOOLEAN':
        return fc.boolean();
      case 'TINYINT':
        return fc.integer({ min: -128, max: 127 });
      case 'SMALLINT':
        return fc.integer({ min: -32768, max: 32767 });
      case 'INT':
        return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
      case 'BIGINT':
        return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
      case 'LARGEINT':
        return fc.bigInt({ min: -(2n ** 127n), max: 2n ** 127n - 1n });
      case 'FLOAT':
      case 'DOUBLE':
        return fc.oneof(fc.double({ noNaN: true }), fc.constantFrom(-0, 0, Infinity, -Infinity));
      case 'DECIMAL':
        return fc.tuple(fc.integer({ min: -99999999, max: 99999999 }), fc.integer({ min: 0, max: 99 })).map(([i, f]) => `${i}.${String(f).padStart(2, '0')}`);
      case 'DATE':
        return fc.integer({ min: 0, max: 3000 }).map((d) => new Date(Date.UTC(2000, 0, 1 + d)).toISOString().slice(0, 10));
      case 'DATETIME':
        return fc.integer({ min: 0, max: 1e9 }).map((s) => new Date(Date.UTC(2000, 0, 1) + s * 1000).toISOString().replace('T', ' ').slice(0, 19));
      default:
        return fc.oneof(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.constant(''));
    }
  })();
  return fc.option(v, { nil: null, freq: 5 });
}

const tableArb = fc.array(fc.constantFrom(...TYPES), { minLength: 1, maxLength: 6 }).chain((types) =>
  fc.tuple(
    fc.constant(types.map((type, i): SegmentColumn => ({ name: `c${i}`, type }))),
    fc.array(fc.tuple(...types.map(valueArb)) as fc.Arbitrary<Value[]>, { minLength: 1, maxLength: 40 }),
  ),
);

function hashOf(columns: readonly SegmentColumn[], rows: readonly Row[]): string {
  const b = new SegmentBuilder(columns);
  for (const r of rows) b.append(r);
  return b.contentHash();
}

/** Whether two values are stored alike (the hash covers what is stored). */
function sameStored(a: Value, b: Value): boolean {
  return typeof a === typeof b && Object.is(a, b);
}

describe('segment content hash', () => {
  it('is the same however rows are split into segments and ordered, and what a reader computes from the file (fast-check)', () => {
    const kit = contentHasher();
    fc.assert(
      fc.property(tableArb, fc.array(fc.nat(), { maxLength: 60 }), fc.array(fc.nat({ max: 40 }), { maxLength: 4 }), ([columns, rows], keys, cuts) => {
        const whole = hashOf(columns, rows);
        const shuffled = rows.map((r, i) => ({ r, k: keys[i] ?? i })).sort((x, y) => x.k - y.k).map((x) => x.r);
        const bounds = [0, ...cuts.map((c) => c % (shuffled.length + 1)).sort((x, y) => x - y), shuffled.length];
        let sum = EMPTY_CONTENT_HASH;
        for (let i = 0; i + 1 < bounds.length; i++) {
          const part = shuffled.slice(bounds[i], bounds[i + 1]);
          if (part.length === 0) continue;
          const builder = new SegmentBuilder(columns);
          for (const r of part) builder.append(r);
          const written = builder.contentHash();
          const file = segmentContentHash(Buffer.concat(builder.encode()));
          expect(file).toEqual({ rows: part.length, hash: written });
          sum = kit.add(sum, written);
        }
        expect(sum).toBe(whole);
      }),
      { numRuns: 150 },
    );
  });

  it('differs when one value of one row changes, of any type (fast-check)', () => {
    fc.assert(
      fc.property(
        tableArb.chain(([columns, rows]) =>
          fc.tuple(fc.constant(columns), fc.constant(rows), fc.nat({ max: rows.length - 1 }), fc.nat({ max: columns.length - 1 })).chain(([c, r, ri, ci]) =>
            fc.tuple(fc.constant(c), fc.constant(r), fc.constant(ri), fc.constant(ci), valueArb(c[ci]!.type)),
          ),
        ),
        ([columns, rows, ri, ci, value]) => {
          fc.pre(!sameStored(rows[ri]![ci]!, value));
          const changed = rows.map((r, i) => (i === ri ? r.map((v, j) => (j === ci ? value : v)) : r));
          expect(hashOf(columns, changed)).not.toBe(hashOf(columns, rows));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('tells apart NULL and the empty string, NULL and 0, -0 and 0, DECIMAL texts, and values swapped between columns', () => {
    const s: SegmentColumn[] = [{ name: 's', type: { name: 'VARCHAR', length: 5 } }];
    expect(hashOf(s, [[null]])).not.toBe(hashOf(s, [['']]));
    const i: SegmentColumn[] = [{ name: 'i', type: { name: 'INT' } }];
    expect(hashOf(i, [[null]])).not.toBe(hashOf(i, [[0]]));
    const d: SegmentColumn[] = [{ name: 'd', type: { name: 'DOUBLE' } }];
    expect(hashOf(d, [[-0]])).not.toBe(hashOf(d, [[0]]));
    const m: SegmentColumn[] = [{ name: 'm', type: { name: 'DECIMAL', precision: 5, scale: 2 } }];
    expect(hashOf(m, [['1.50']])).not.toBe(hashOf(m, [['1.05']]));
    const two: SegmentColumn[] = [{ name: 'a', type: { name: 'INT' } }, { name: 'b', type: { name: 'INT' } }];
    expect(hashOf(two, [[1, 2]])).not.toBe(hashOf(two, [[2, 1]]));
    // Rows are not sets of values: [1,2],[3,4] is not [1,4],[3,2].
    expect(hashOf(two, [[1, 2], [3, 4]])).not.toBe(hashOf(two, [[1, 4], [3, 2]]));
  });

  it('the worker hashes files like the writer did, and names a file that is not a segment', async () => {
    const dir = tempDir();
    try {
      const columns: SegmentColumn[] = [{ name: 'k', type: { name: 'INT' } }, { name: 's', type: { name: 'STRING' } }];
      const b = new SegmentBuilder(columns);
      for (let k = 0; k < 1000; k++) b.append([k, k % 7 === 0 ? null : `v${k}`]);
      fs.writeFileSync(path.join(dir, 'a.dat'), Buffer.concat(b.encode()));
      fs.writeFileSync(path.join(dir, 'b.dat'), 'not a segment');
      const [a, bad, gone] = await hashSegmentFiles([path.join(dir, 'a.dat'), path.join(dir, 'b.dat'), path.join(dir, 'c.dat')]);
      expect(a).toEqual({ ok: true, value: { rows: 1000, hash: b.contentHash() } });
      expect(bad).toMatchObject({ ok: false, message: expect.stringMatching(/corrupt/) });
      expect(gone).toMatchObject({ ok: false, message: expect.stringMatching(/ENOENT/) });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('partition content checksum through loads', () => {
  const fixtures: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const f of fixtures) await f.close();
  });

  it('is the same however rows are split into loads and segments and ordered (fast-check)', async () => {
    const fx = await openStore(2);
    fixtures.push(fx);
    const columns = [
      col('k', { name: 'INT' }, { isKey: true }),
      col('s', { name: 'VARCHAR', length: 20 }),
      col('d', { name: 'DECIMAL', precision: 9, scale: 2 }),
      col('x', { name: 'DOUBLE' }),
    ];
    let n = 0;
    const stats = (tableId: number) => {
      const pid = firstPartition(fx.store, tableId);
      const version = fx.store.catalog.prepare<[number], { visible_version: number }>('SELECT visible_version FROM partitions WHERE id = ?').get(pid)!.visible_version;
      return combineContentStats(listTablets(fx.store.catalog, { partitionId: pid }).map((t) => manifestStats(listRowsets(fx.store.catalog, t.id, version))));
    };
    const rowArb = fc.tuple(
      fc.integer({ min: -1000, max: 1000 }),
      fc.option(fc.string({ maxLength: 8 }), { nil: null }),
      fc.option(fc.integer({ min: -9999, max: 9999 }).map((c) => (c / 100).toFixed(2)), { nil: null }),
      fc.option(fc.constantFrom(0, -0, 1.5, -2.25, 1e300), { nil: null }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(rowArb, { minLength: 1, maxLength: 50 }), fc.array(fc.nat(), { maxLength: 50 }), fc.array(fc.nat({ max: 50 }), { maxLength: 3 }), fc.integer({ min: 1, max: 5 }), async (rows, keys, cuts, segmentRows) => {
        const a = makeTable(fx.store, `a${n}`, { columns, buckets: 3, replicationNum: 1 });
        const b = makeTable(fx.store, `b${n++}`, { columns, buckets: 3, replicationNum: 1 });
        const load = fx.store.beginLoad(a.id);
        await load.write(firstPartition(fx.store, a.id), rows as Row[]);
        await load.commit();
        const shuffled = rows.map((r, i) => ({ r, k: keys[i] ?? i })).sort((x, y) => x.k - y.k).map((x) => x.r);
        const bounds = [0, ...cuts.map((c) => c % (shuffled.length + 1)).sort((x, y) => x - y), shuffled.length];
        for (let i = 0; i + 1 < bounds.length; i++) {
          const part = shuffled.slice(bounds[i], bounds[i + 1]);
          if (part.length === 0) continue;
          const l = fx.store.beginLoad(b.id, { segmentRows });
          await l.write(firstPartition(fx.store, b.id), part as Row[]);
          await l.commit();
        }
        const sa = stats(a.id);
        const sb = stats(b.id);
        expect(sa.contentChecksum).toMatch(/^[0-9a-f]{16}$/);
        expect(sb).toMatchObject({ rowCount: sa.rowCount, contentChecksum: sa.contentChecksum });
      }),
      { numRuns: 15 },
    );
  });
});
