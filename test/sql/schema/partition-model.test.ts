/**
 * Model-based test through SQL for the statements that move partitions and tables around: random sequences of
 * INSERT (into the table or into one of its temporary partitions), ADD / DROP TEMPORARY PARTITION, REPLACE PARTITION
 * (strict or not, keeping the formal names or taking the temporary ones), SWAP WITH, SET ("replication_num") and
 * MODIFY PARTITION … SET ("replication_num") on two range-partitioned tables and an unpartitioned one, applied to the
 * engine and to a plain model (partitions as ranges holding rows). After every statement each table's rows, its partitions (formal and temporary, with their
 * rows) and its replicas must equal the model, and a statement the model says StarRocks refuses must be refused.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../data-plane/helpers.ts';

type Row = readonly [number, number | null];
interface Part {
  name: string;
  readonly lo: number;
  readonly hi: number;
  rows: Row[];
  /** Replicas per tablet (SHOW PARTITIONS' ReplicationNum). */
  replicas: number;
}
interface Table {
  formal: Part[];
  temps: Part[];
}
interface Model {
  tables: Record<'a' | 'b', Table>;
  /** Rows and replica count of the unpartitioned table `c`. */
  c: { rows: Row[]; replicas: number };
  nextTemp: number;
}

type Which = 'a' | 'b';
type Op =
  | { readonly kind: 'insert'; readonly t: Which; readonly rows: readonly Row[] }
  | { readonly kind: 'addTemp'; readonly t: Which; readonly at: number; readonly width: number; readonly aligned: boolean }
  | { readonly kind: 'insertTemp'; readonly t: Which; readonly pick: number; readonly rows: readonly Row[] }
  | { readonly kind: 'dropTemp'; readonly t: Which; readonly pick: number }
  | {
      readonly kind: 'replace';
      readonly t: Which;
      /** Formal partitions to replace by index, or null: the ones the temporary partition overlaps. */
      readonly formal: readonly number[] | null;
      readonly temp: number;
      readonly strict: boolean;
      readonly tempNames: boolean;
    }
  | { readonly kind: 'swap' }
  | { readonly kind: 'replicas'; readonly n: number; readonly partitioned: boolean }
  | { readonly kind: 'modifyPartition'; readonly t: Which; readonly pick: number | null; readonly n: number }
  | { readonly kind: 'insertC'; readonly rows: readonly Row[] };

const which = fc.constantFrom<Which>('a', 'b');
const rowsArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 29 }), fc.option(fc.integer({ min: -99, max: 99 }), { nil: null })), { minLength: 1, maxLength: 5 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('insert' as const), t: which, rows: rowsArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('addTemp' as const), t: which, at: fc.integer({ min: 0, max: 5 }), width: fc.integer({ min: 1, max: 4 }), aligned: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('insertTemp' as const), t: which, pick: fc.nat(4), rows: rowsArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('dropTemp' as const), t: which, pick: fc.nat(4) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('replace' as const),
      t: which,
      formal: fc.option(fc.uniqueArray(fc.nat(5), { minLength: 1, maxLength: 2 }), { nil: null }),
      temp: fc.nat(4),
      strict: fc.boolean(),
      tempNames: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('swap' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('replicas' as const), n: fc.integer({ min: 1, max: 2 }), partitioned: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insertC' as const), rows: rowsArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('modifyPartition' as const), t: which, pick: fc.option(fc.nat(5), { nil: null }), n: fc.integer({ min: 1, max: 2 }) }) },
);

const values = (rows: readonly Row[]): string => rows.map(([k, v]) => `(${k}, ${v === null ? 'NULL' : v})`).join(', ');
const covering = (parts: readonly Part[], k: number): Part | undefined => parts.find((p) => p.lo <= k && k < p.hi);
const overlaps = (x: { lo: number; hi: number }, y: { lo: number; hi: number }): boolean => x.lo < y.hi && y.lo < x.hi;

/** The union of ranges as sorted disjoint [lo, hi) pairs. */
function union(parts: readonly { lo: number; hi: number }[]): [number, number][] {
  const out: [number, number][] = [];
  for (const p of [...parts].sort((x, y) => x.lo - y.lo)) {
    const last = out[out.length - 1];
    if (last !== undefined && p.lo <= last[1]) last[1] = Math.max(last[1], p.hi);
    else out.push([p.lo, p.hi]);
  }
  return out;
}

/** Apply `op` to the model; the SQL to run, and the message pattern when StarRocks' rules refuse it (model unchanged). */
function step(m: Model, op: Op): { sql: string; refused?: RegExp } | null {
  switch (op.kind) {
    case 'insert': {
      const t = m.tables[op.t];
      const sql = `INSERT INTO ${op.t} VALUES ${values(op.rows)}`;
      if (op.rows.some(([k]) => covering(t.formal, k) === undefined)) return { sql, refused: /has no partition for value/ };
      for (const r of op.rows) covering(t.formal, r[0])!.rows.push(r);
      return { sql };
    }
    case 'addTemp': {
      const t = m.tables[op.t];
      // Aligned: one formal partition's range, or two neighbours' (what a strict REPLACE needs); else any 5-grid range.
      const first = t.formal[op.at % t.formal.length]!;
      const next = t.formal[(op.at % t.formal.length) + 1];
      const lo = op.aligned ? first.lo : op.at * 5;
      const hi = op.aligned ? (op.width > 2 && next !== undefined && next.lo === first.hi ? next.hi : first.hi) : Math.min(30, lo + op.width * 5);
      const name = `tp${m.nextTemp++}`;
      const sql = `ALTER TABLE ${op.t} ADD TEMPORARY PARTITION ${name} VALUES [('${lo}'), ('${hi}'))`;
      if (t.temps.some((p) => overlaps(p, { lo, hi }))) return { sql, refused: /intersect|overlap|conflict/i };
      t.temps.push({ name, lo, hi, rows: [], replicas: 1 });
      return { sql };
    }
    case 'insertTemp': {
      const t = m.tables[op.t];
      const p = t.temps[op.pick % Math.max(1, t.temps.length)];
      if (p === undefined) return null;
      // Keys folded into the temporary partition's range: every row belongs to it.
      const rows = op.rows.map(([k, v]): Row => [p.lo + (k % (p.hi - p.lo)), v]);
      p.rows.push(...rows);
      return { sql: `INSERT INTO ${op.t} TEMPORARY PARTITION (${p.name}) VALUES ${values(rows)}` };
    }
    case 'dropTemp': {
      const t = m.tables[op.t];
      const p = t.temps[op.pick % Math.max(1, t.temps.length)];
      if (p === undefined) return null;
      t.temps = t.temps.filter((x) => x !== p);
      return { sql: `ALTER TABLE ${op.t} DROP TEMPORARY PARTITION ${p.name}` };
    }
    case 'replace': {
      const t = m.tables[op.t];
      const temp = t.temps[op.temp % Math.max(1, t.temps.length)];
      if (temp === undefined) return null;
      const out = op.formal === null ? t.formal.filter((p) => overlaps(p, temp)) : [...new Set(op.formal.map((i) => t.formal[i % t.formal.length]!))];
      if (out.length === 0) return null;
      const props = `PROPERTIES ("strict_range" = "${op.strict}", "use_temp_partition_name" = "${op.tempNames}")`;
      const sql = `ALTER TABLE ${op.t} REPLACE PARTITION (${out.map((p) => p.name).join(', ')}) WITH TEMPORARY PARTITION (${temp.name}) ${props}`;
      if (op.strict) {
        if (JSON.stringify(union(out)) !== JSON.stringify(union([temp]))) return { sql, refused: /range must be equal to origin partitions/ };
      } else if (t.formal.some((p) => !out.includes(p) && overlaps(p, temp))) {
        return { sql, refused: /overlaps partition/ };
      }
      t.formal = t.formal.filter((p) => !out.includes(p));
      t.temps = t.temps.filter((p) => p !== temp);
      t.formal.push({ ...temp, name: !op.tempNames && out.length === 1 ? out[0]!.name : temp.name });
      t.formal.sort((x, y) => x.lo - y.lo);
      return { sql };
    }
    case 'swap': {
      const { a, b } = m.tables;
      m.tables = { a: b, b: a };
      return { sql: 'ALTER TABLE a SWAP WITH b' };
    }
    case 'replicas': {
      if (op.partitioned) return { sql: `ALTER TABLE a SET ("replication_num" = "${op.n}")`, refused: /This is a partitioned table/ };
      m.c.replicas = op.n;
      return { sql: `ALTER TABLE c SET ("replication_num" = "${op.n}")` };
    }
    case 'modifyPartition': {
      const t = m.tables[op.t];
      const one = op.pick === null ? undefined : t.formal[op.pick % t.formal.length]!;
      for (const p of one === undefined ? t.formal : [one]) p.replicas = op.n;
      return { sql: `ALTER TABLE ${op.t} MODIFY PARTITION ${one === undefined ? '(*)' : one.name} SET ("replication_num" = "${op.n}")` };
    }
    case 'insertC':
      m.c.rows.push(...op.rows);
      return { sql: `INSERT INTO c VALUES ${values(op.rows)}` };
  }
}

const sortRows = (rows: readonly (readonly (string | null)[])[]): string[] => rows.map((r) => JSON.stringify(r)).sort();
const asText = (rows: readonly Row[]): string[] => sortRows(rows.map(([k, v]) => [String(k), v === null ? null : String(v)]));

async function check(db: TestDb, m: Model, buckets: number, after: string): Promise<void> {
  for (const name of ['a', 'b'] as const) {
    const t = m.tables[name];
    expect(sortRows(await db.rows(`SELECT k, v FROM ${name}`)), `${name} after ${after}`).toEqual(asText(t.formal.flatMap((p) => p.rows)));
    const formal = await db.rows(`SHOW PARTITIONS FROM ${name}`);
    expect(formal.map((r) => `${r[1]}×${r[10]}`).sort(), `${name}'s partitions after ${after}`).toEqual(t.formal.map((p) => `${p.name}×${p.replicas}`).sort());
    const temps = await db.rows(`SHOW TEMPORARY PARTITIONS FROM ${name}`);
    expect(temps.map((r) => `${r[1]}×${r[10]}`).sort(), `${name}'s temporary partitions after ${after}`).toEqual(t.temps.map((p) => `${p.name}×${p.replicas}`).sort());
    const tablets = await db.rows(`SHOW TABLET FROM ${name}`);
    expect(tablets.length, `${name}'s replicas after ${after}`).toBe(buckets * t.formal.reduce((sum, p) => sum + p.replicas, 0));
    for (const p of t.formal) {
      expect(sortRows(await db.rows(`SELECT k, v FROM ${name} PARTITION (${p.name})`)), `${name}.${p.name} after ${after}`).toEqual(asText(p.rows));
    }
    for (const p of t.temps) {
      expect(sortRows(await db.rows(`SELECT k, v FROM ${name} TEMPORARY PARTITION (${p.name})`)), `${name}.${p.name} after ${after}`).toEqual(asText(p.rows));
    }
  }
  expect(sortRows(await db.rows('SELECT k, v FROM c')), `c after ${after}`).toEqual(asText(m.c.rows));
  // One SHOW TABLET row per replica: every bucket has exactly `replicas` of them, on distinct backends.
  const tablets = await db.rows('SHOW TABLET FROM c');
  expect(tablets.length, `c's replicas after ${after}`).toBe(buckets * m.c.replicas);
  const perTablet = new Map<string | null, Set<string | null>>();
  for (const r of tablets) perTablet.set(r[0] ?? null, (perTablet.get(r[0] ?? null) ?? new Set()).add(r[2] ?? null));
  expect([...perTablet.values()].map((s) => s.size)).toEqual(Array.from({ length: buckets }, () => m.c.replicas));
}

describe('temporary partitions, REPLACE PARTITION, SWAP and replica changes: model', () => {
  let db: TestDb;
  let n = 0;
  beforeAll(async () => {
    db = await openTestDb({ database: 'db', backends: 2 });
  });
  afterAll(async () => {
    await db.close();
  });

  it('random sequences read back like the model, and are refused where the model says', async () => {
    const scenario = fc.tuple(fc.integer({ min: 1, max: 2 }), fc.array(opArb, { minLength: 4, maxLength: 12 }));
    await fc.assert(
      fc.asyncProperty(scenario, async ([buckets, ops]) => {
        const dbName = `pm${n++}`;
        await db.exec(`CREATE DATABASE ${dbName}`);
        await db.exec(`USE ${dbName}`);
        const m: Model = { tables: { a: { formal: [], temps: [] }, b: { formal: [], temps: [] } }, c: { rows: [], replicas: 1 }, nextTemp: 0 };
        for (const name of ['a', 'b'] as const) {
          m.tables[name].formal = [0, 1, 2].map((i) => ({ name: `p${i}`, lo: i * 10, hi: i * 10 + 10, rows: [], replicas: 1 }));
          await db.exec(`CREATE TABLE ${name} (k INT, v INT) DUPLICATE KEY(k) PARTITION BY RANGE(k)
            (PARTITION p0 VALUES [('0'), ('10')), PARTITION p1 VALUES [('10'), ('20')), PARTITION p2 VALUES [('20'), ('30')))
            DISTRIBUTED BY HASH(k) BUCKETS ${buckets} PROPERTIES ("replication_num" = "1")`);
        }
        await db.exec(`CREATE TABLE c (k INT, v INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS ${buckets} PROPERTIES ("replication_num" = "1")`);
        try {
          for (const op of ops) {
            const s = step(m, op);
            if (s === null) continue;
            if (s.refused !== undefined) expect((await db.fails(s.sql)).message, s.sql).toMatch(s.refused);
            else await db.exec(s.sql);
            await check(db, m, buckets, s.sql);
          }
        } finally {
          await db.exec(`DROP DATABASE ${dbName} FORCE`);
        }
      }),
      { numRuns: 15 },
    );
  }, 120_000);
});
