import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AggregateFunction, KeyModel } from '../../src/catalog/model.ts';
import { listPartitions } from '../../src/catalog/ops/list-partitions.ts';
import { listRowsets } from '../../src/catalog/ops/list-rowsets.ts';
import { listTablets } from '../../src/catalog/ops/list-tablets.ts';
import { batchRows } from '../../src/storage/scan.ts';
import type { Row, Value } from '../../src/types/index.ts';
import { col, insert, listFiles, makeTable, openStore, readAll, sortRows, type Fixture } from './helpers.ts';

// Schema: k INT, k2 VARCHAR (keys) | s BIGINT SUM, mx VARCHAR MAX, mn INT MIN, r INT REPLACE,
// rn INT REPLACE_IF_NOT_NULL, d DECIMAL(10,2) SUM.
const AGGS: readonly (AggregateFunction | null)[] = [null, null, 'SUM', 'MAX', 'MIN', 'REPLACE', 'REPLACE_IF_NOT_NULL', 'SUM'];

function columnsFor(model: KeyModel) {
  const agg = (i: number) => (model === 'AGGREGATE' ? { aggregate: AGGS[i]! } : {});
  return [
    col('k', { name: 'INT' }, { isKey: true, nullable: false }),
    col('k2', { name: 'VARCHAR', length: 8 }, { isKey: true, nullable: false }),
    col('s', { name: 'BIGINT' }, agg(2)),
    col('mx', { name: 'VARCHAR', length: 8 }, agg(3)),
    col('mn', { name: 'INT' }, agg(4)),
    col('r', { name: 'INT' }, agg(5)),
    col('rn', { name: 'INT' }, agg(6)),
    col('d', { name: 'DECIMAL', precision: 10, scale: 2 }, agg(7)),
  ];
}

const cents = (n: number): string => {
  const neg = n < 0;
  const a = Math.abs(n);
  return `${neg ? '-' : ''}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
};

const rowArb: fc.Arbitrary<Row> = fc.tuple(
  fc.integer({ min: 0, max: 7 }),
  fc.constantFrom('a', 'b', 'é'),
  fc.option(fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }), { nil: null }),
  fc.option(fc.string({ maxLength: 3 }), { nil: null }),
  fc.option(fc.integer({ min: -100, max: 100 }), { nil: null }),
  fc.option(fc.integer({ min: -100, max: 100 }), { nil: null }),
  fc.option(fc.integer({ min: -100, max: 100 }), { nil: null }),
  fc.option(fc.integer({ min: -99999, max: 99999 }).map(cents), { nil: null }),
);

type Op =
  | { kind: 'insert'; rows: Row[]; segmentRows: number }
  | { kind: 'delete'; k: number }
  | { kind: 'truncate'; partition: number | null };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('insert' as const), rows: fc.array(rowArb, { maxLength: 25 }), segmentRows: fc.constantFrom(2, 7, 1 << 20) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), k: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), partition: fc.option(fc.constantFrom(0, 1), { nil: null }) }) },
);

/** The reference: what a table of this model holds, computed from the raw rows without any storage code. */
function expected(model: KeyModel, raw: readonly Row[]): Row[] {
  if (model === 'DUPLICATE') return [...raw];
  const byKey = new Map<string, Value[]>();
  for (const row of raw) {
    const key = `${String(row[0])}\u0000${String(row[1])}`;
    const old = byKey.get(key);
    if (old === undefined || model !== 'AGGREGATE') {
      byKey.set(key, [...row]);
      continue;
    }
    const sumBig = (a: Value, b: Value) => (a === null ? b : b === null ? a : BigInt.asIntN(64, (a as bigint) + (b as bigint)));
    const toCents = (s: string) => Math.round(Number(s) * 100);
    const pick = (a: Value, b: Value, better: (x: never, y: never) => boolean) => (a === null ? b : b === null ? a : better(b as never, a as never) ? b : a);
    old[2] = sumBig(old[2]!, row[2]!);
    old[3] = pick(old[3]!, row[3]!, (x: string, y: string) => x > y) as Value;
    old[4] = pick(old[4]!, row[4]!, (x: number, y: number) => x < y) as Value;
    old[5] = row[5]!;
    old[6] = row[6] === null ? old[6]! : row[6]!;
    old[7] = old[7] === null ? row[7]! : row[7] === null ? old[7]! : cents(toCents(old[7] as string) + toCents(row[7] as string));
  }
  return [...byKey.values()];
}

let fx: Fixture;
beforeAll(async () => {
  fx = await openStore(3);
});
afterAll(async () => {
  await fx.close();
});

let tableNo = 0;

describe.each<KeyModel>(['DUPLICATE', 'PRIMARY', 'UNIQUE', 'AGGREGATE'])('%s key model', (model) => {
  it('random loads, deletes and truncates read back like the reference model (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 8 }), async (ops) => {
        const t = makeTable(fx.store, `t${tableNo++}`, {
          keyModel: model,
          columns: columnsFor(model),
          keyColumns: ['k', 'k2'],
          buckets: 3,
          extra: {
            partitionInfo: { kind: 'LIST', columns: ['k'] },
            partitions: [
              { name: 'even', bounds: { kind: 'LIST', values: [['0'], ['2'], ['4'], ['6']] } },
              { name: 'odd', bounds: { kind: 'LIST', values: [['1'], ['3'], ['5'], ['7']] } },
            ],
          },
        });
        const parts = listPartitions(fx.store.catalog, t.id).map((p) => p.id);
        const raw: Row[][] = [[], []];
        for (const op of ops) {
          if (op.kind === 'insert') {
            const load = fx.store.beginLoad(t.id, { segmentRows: op.segmentRows });
            for (const p of [0, 1]) await load.write(parts[p]!, op.rows.filter((r) => (r[0] as number) % 2 === p));
            await load.commit();
            for (const r of op.rows) raw[(r[0] as number) % 2]!.push(r);
          } else if (op.kind === 'delete') {
            const p = op.k % 2;
            const survivors: Row[] = [];
            for await (const b of fx.store.scan(t.id, { partitionIds: [parts[p]!] })) survivors.push(...batchRows(b).filter((r) => r[0] !== op.k));
            const load = fx.store.beginLoad(t.id, { replacePartitionIds: [parts[p]!] });
            await load.write(parts[p]!, survivors);
            await load.commit();
            raw[p] = expected(model, raw[p]!).filter((r) => r[0] !== op.k);
          } else {
            fx.store.truncate(t.id, op.partition === null ? undefined : [parts[op.partition]!]);
            for (const p of op.partition === null ? [0, 1] : [op.partition]) raw[p] = [];
          }
        }
        const got = await readAll(fx.store, t.id);
        expect(sortRows(got)).toEqual(sortRows([...expected(model, raw[0]!), ...expected(model, raw[1]!)]));
        // Projection returns the same rows restricted to the asked columns.
        const proj = await readAll(fx.store, t.id, { columns: [7, 0] });
        expect(sortRows(proj)).toEqual(sortRows(got.map((r) => [r[7]!, r[0]!])));
      }),
      { numRuns: 10 },
    );
  });
});

describe('loads and scans', () => {
  it('routes by a stable hash: equal keys share a tablet, rows spread over tablets', async () => {
    const t = makeTable(fx.store, 'hash', { buckets: 8 });
    const rows = Array.from({ length: 400 }, (_, i) => [i % 100, BigInt(i)]);
    await insert(fx.store, t.id, rows);
    const tabletOfKey = new Map<Value, number>();
    const used = new Set<number>();
    for await (const b of fx.store.scan(t.id)) {
      used.add(b.tabletId);
      for (const k of b.columns[0]!) {
        expect(tabletOfKey.get(k) ?? b.tabletId).toBe(b.tabletId);
        tabletOfKey.set(k, b.tabletId);
      }
    }
    expect(used.size).toBe(8);
  });

  it('keeps every load version readable until superseded, and refuses merged versions after collection', async () => {
    const t = makeTable(fx.store, 'versions');
    await insert(fx.store, t.id, [[1, 1n]]);
    await insert(fx.store, t.id, [[2, 2n]]);
    const pid = listPartitions(fx.store.catalog, t.id)[0]!.id;
    const at = (v: number) => readAll(fx.store, t.id, { versions: new Map([[pid, v]]) });
    expect(await at(1)).toEqual([]);
    expect(sortRows(await at(2))).toEqual(sortRows([[1, 1n]]));
    expect(sortRows(await at(3))).toEqual(sortRows([[1, 1n], [2, 2n]]));
    const pin = fx.store.pinVersions([pid]);
    expect(pin.versions.get(pid)).toBe(3);
    fx.store.truncate(t.id);
    await fx.store.collectGarbage();
    // The pin keeps old rowsets: version 3 is still readable.
    expect(sortRows(await at(3))).toHaveLength(2);
    pin.release();
    await fx.store.collectGarbage();
    await expect(at(3)).rejects.toThrow(/version already merged/);
    expect(await at(4)).toEqual([]);
    const tablets = listTablets(fx.store.catalog, { partitionId: pid });
    for (const tab of tablets) expect(listRowsets(fx.store.catalog, tab.id, 4).map((r) => r.kind)).toEqual(['base']);
  });

  it('cuts big loads into several segments under a memory bound and stores every file on every replica', async () => {
    const t = makeTable(fx.store, 'big', { buckets: 2 });
    const load = fx.store.beginLoad(t.id, { memoryLimitBytes: 4096, segmentRows: 500 });
    const pid = listPartitions(fx.store.catalog, t.id)[0]!.id;
    for (let i = 0; i < 10; i++) await load.write(pid, Array.from({ length: 300 }, (_, j) => [i * 300 + j, BigInt(j)]));
    const result = await load.commit();
    expect(result.rows).toBe(3000);
    expect(result.files).toBeGreaterThan(6);
    const rows = await readAll(fx.store, t.id);
    expect(rows).toHaveLength(3000);
    for (const tab of listTablets(fx.store.catalog, { partitionId: pid })) {
      const files = listRowsets(fx.store.catalog, tab.id, 2).flatMap((r) => r.files.map((f) => f.name));
      for (const be of fx.store.backends) {
        expect(listFiles(`${be.dir}/data/${tab.id}`)).toEqual([...files].sort());
      }
    }
  });

  it('abort deletes written files; an empty commit makes no version; writes after commit are refused', async () => {
    const t = makeTable(fx.store, 'abort');
    const pid = listPartitions(fx.store.catalog, t.id)[0]!.id;
    const all = () => fx.store.backends.flatMap((b) => listFiles(b.dir));
    const before = new Set(all());
    const load = fx.store.beginLoad(t.id);
    await load.write(pid, [[1, 1n], [2, 2n]]);
    await load.flush();
    const written = all().filter((f) => !before.has(f));
    expect(written.length).toBeGreaterThan(0);
    await load.abort();
    expect(written.length).toBeGreaterThan(0);
    expect(written.length % 3).toBe(0);
    expect(all().filter((f) => written.includes(f))).toEqual([]);
    expect(await readAll(fx.store, t.id)).toEqual([]);
    const empty = fx.store.beginLoad(t.id);
    expect((await empty.commit()).versions.size).toBe(0);
    await expect(empty.write(pid, [[1, 1n]])).rejects.toThrow(/already committed/);
  });

  it('a load into a table dropped meanwhile fails and leaves no files', async () => {
    const t = makeTable(fx.store, 'dropped');
    const pid = listPartitions(fx.store.catalog, t.id)[0]!.id;
    const load = fx.store.beginLoad(t.id);
    await load.write(pid, [[1, 1n]]);
    await load.flush();
    fx.store.dropTable(t.id);
    await expect(load.commit()).rejects.toThrow(/dropped/);
    await fx.store.collectGarbage();
    const tablets = fx.store.catalog.db.prepare('SELECT id FROM tablets').all() as { id: number }[];
    const live = new Set(tablets.map((x) => String(x.id)));
    for (const b of fx.store.backends) {
      for (const f of listFiles(`${b.dir}/data`)) expect(live.has(f.split('/')[0]!)).toBe(true);
    }
  });

  it('honours an AbortSignal in loads and scans', async () => {
    const t = makeTable(fx.store, 'signal');
    const pid = listPartitions(fx.store.catalog, t.id)[0]!.id;
    await insert(fx.store, t.id, [[1, 1n], [2, 2n], [3, 3n]]);
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(readAll(fx.store, t.id, { signal: ac.signal })).rejects.toThrow('stop');
    const load = fx.store.beginLoad(t.id, { signal: ac.signal });
    await expect(load.write(pid, [[4, 4n]])).rejects.toThrow('stop');
  });
});
