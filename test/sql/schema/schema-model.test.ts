/**
 * Model-based test through SQL: random sequences of ADD / DROP / MODIFY / RENAME COLUMN interleaved with INSERTs,
 * UPDATEs and DELETEs, on PRIMARY and DUPLICATE KEY tables with 1–3 buckets, applied to the engine and to a plain
 * in-memory model (rows as maps from a column's identity to its value). After every statement `SELECT *` must equal
 * the model: old segment files read under every later schema (added columns read their default, dropped ones never
 * come back, renamed ones keep their data, widened ones convert), rewrites included; SHOW ALTER TABLE COLUMN lists
 * one FINISHED job per change, with consecutive schema versions and a transaction only where data was rewritten.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../data-plane/helpers.ts';

type Kind = 'INT' | 'BIGINT' | 'VARCHAR';
interface Col {
  readonly uid: number;
  name: string;
  kind: Kind;
  length: number;
  readonly fill: string | null;
}
type V = string | null;
type Row = Map<number, V>;

interface State {
  cols: Col[];
  rows: Row[];
  nextUid: number;
  nextName: number;
}

type Op =
  | { readonly kind: 'add'; readonly type: 'INT' | 'VARCHAR'; readonly fill: number | null; readonly after: number | null }
  | { readonly kind: 'drop'; readonly pick: number }
  | { readonly kind: 'rename'; readonly pick: number }
  | { readonly kind: 'modify'; readonly pick: number }
  | { readonly kind: 'insert'; readonly rows: readonly { readonly k: number; readonly vals: readonly (number | null)[] }[] }
  | { readonly kind: 'update'; readonly pick: number; readonly value: number | null; readonly below: number }
  | { readonly kind: 'delete'; readonly k: number; readonly orNull: number | null };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('add' as const), type: fc.constantFrom('INT' as const, 'VARCHAR' as const), fill: fc.option(fc.integer({ min: -9, max: 99 }), { nil: null }), after: fc.option(fc.nat(5), { nil: null }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), pick: fc.nat(5) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rename' as const), pick: fc.nat(5) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('modify' as const), pick: fc.nat(5) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('insert' as const),
      rows: fc.array(fc.record({ k: fc.integer({ min: 0, max: 12 }), vals: fc.array(fc.option(fc.integer({ min: -50, max: 2_000_000_000 }), { nil: null }), { minLength: 6, maxLength: 6 }) }), { minLength: 1, maxLength: 6 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('update' as const), pick: fc.nat(5), value: fc.option(fc.integer({ min: 0, max: 99 }), { nil: null }), below: fc.integer({ min: 0, max: 13 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), k: fc.integer({ min: 0, max: 12 }), orNull: fc.option(fc.nat(5), { nil: null }) }) },
);

const typeSql = (c: Col): string => (c.kind === 'VARCHAR' ? `VARCHAR(${c.length})` : c.kind);
const lit = (v: V): string => (v === null ? 'NULL' : `'${v}'`);
/** The text a value of this column reads back as (VARCHAR keeps the literal's text; integers their decimal form). */
const valueFor = (c: Col, n: number | null): V => (n === null ? null : c.kind === 'VARCHAR' ? `s${n}`.slice(0, c.length) : String(n));

/** Apply one op to the model; return the SQL for it, or null when the op does not apply to this state. */
function step(model: State, keyModel: 'PRIMARY' | 'DUPLICATE', op: Op, table: string): { sql: string; refused?: RegExp } | null {
  const values = model.cols.slice(1);
  const pickValue = (i: number): Col | undefined => values[i % Math.max(1, values.length)];
  switch (op.kind) {
    case 'add': {
      const name = `c${model.nextName++}`;
      const col: Col = { uid: model.nextUid++, name, kind: op.type, length: 12, fill: null };
      const fill = op.fill === null ? null : valueFor(col, op.fill);
      const added: Col = { ...col, fill };
      const anchor = op.after === null ? undefined : model.cols[op.after % model.cols.length];
      const at = anchor === undefined ? model.cols.length : model.cols.indexOf(anchor) + 1;
      model.cols.splice(at, 0, added);
      for (const r of model.rows) r.set(added.uid, fill);
      return { sql: `ALTER TABLE ${table} ADD COLUMN ${name} ${typeSql(added)}${fill === null ? '' : ` DEFAULT ${lit(fill)}`}${anchor === undefined ? '' : ` AFTER ${anchor.name}`}` };
    }
    case 'drop': {
      const c = pickValue(op.pick);
      if (c === undefined || values.length === 1) return null;
      model.cols = model.cols.filter((x) => x !== c);
      return { sql: `ALTER TABLE ${table} DROP COLUMN ${c.name}` };
    }
    case 'rename': {
      const c = pickValue(op.pick);
      if (c === undefined) return null;
      const from = c.name;
      c.name = `c${model.nextName++}`;
      return { sql: `ALTER TABLE ${table} RENAME COLUMN ${from} TO ${c.name}` };
    }
    case 'modify': {
      const c = pickValue(op.pick);
      if (c === undefined || c.kind === 'BIGINT') return null;
      // INT → BIGINT changes the stored encoding (a rewrite); a longer VARCHAR is metadata only.
      if (c.kind === 'INT') c.kind = 'BIGINT';
      else c.length += 5;
      return { sql: `ALTER TABLE ${table} MODIFY COLUMN ${c.name} ${typeSql(c)}` };
    }
    case 'insert': {
      const rows = op.rows.map((r) => new Map<number, V>(model.cols.map((c, i) => [c.uid, i === 0 ? String(r.k) : valueFor(c, c.kind === 'INT' ? (r.vals[i % 6] ?? null) === null ? null : ((r.vals[i % 6] as number) % 1_000_000) : (r.vals[i % 6] ?? null))])));
      for (const row of rows) {
        if (keyModel === 'PRIMARY') {
          const k = row.get(model.cols[0]!.uid);
          model.rows = model.rows.filter((x) => x.get(model.cols[0]!.uid) !== k);
        }
        model.rows.push(row);
      }
      return { sql: `INSERT INTO ${table} (${model.cols.map((c) => c.name).join(', ')}) VALUES ${rows.map((r) => `(${model.cols.map((c) => lit(r.get(c.uid) ?? null)).join(', ')})`).join(', ')}` };
    }
    case 'update': {
      const c = pickValue(op.pick);
      if (c === undefined) return null;
      const v = valueFor(c, op.value);
      const sql = `UPDATE ${table} SET ${c.name} = ${lit(v)} WHERE k < ${op.below}`;
      if (keyModel !== 'PRIMARY') return { sql, refused: /only support updating primary key table/ };
      for (const r of model.rows) if (Number(r.get(model.cols[0]!.uid)) < op.below) r.set(c.uid, v);
      return { sql };
    }
    case 'delete': {
      const key = model.cols[0]!.uid;
      const nullCol = op.orNull === null ? undefined : pickValue(op.orNull);
      if (keyModel === 'PRIMARY' && nullCol !== undefined) {
        model.rows = model.rows.filter((r) => !(Number(r.get(key)) === op.k || r.get(nullCol.uid) === null));
        return { sql: `DELETE FROM ${table} WHERE k = ${op.k} OR ${nullCol.name} IS NULL` };
      }
      model.rows = model.rows.filter((r) => Number(r.get(key)) !== op.k);
      return { sql: `DELETE FROM ${table} WHERE k = ${op.k}` };
    }
  }
}

function expected(model: State): V[][] {
  const rows = model.rows.map((r) => model.cols.map((c) => r.get(c.uid) ?? null));
  return rows.sort(compareRows);
}

function compareRows(a: readonly V[], b: readonly V[]): number {
  const ka = Number(a[0]);
  const kb = Number(b[0]);
  if (ka !== kb) return ka - kb;
  return JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0;
}

describe('schema change model', () => {
  let t: TestDb;
  let n = 0;
  beforeAll(async () => {
    t = await openTestDb({ database: 'db', backends: 2 });
  });
  afterAll(async () => {
    await t.close();
  });

  it('random schema changes interleaved with loads, UPDATEs and DELETEs read back like the model', async () => {
    const scenario = fc.tuple(fc.constantFrom('PRIMARY' as const, 'DUPLICATE' as const), fc.integer({ min: 1, max: 3 }), fc.array(opArb, { minLength: 3, maxLength: 14 }));
    await fc.assert(
      fc.asyncProperty(scenario, async ([keyModel, buckets, ops]) => {
        const table = `m${n++}`;
        const model: State = {
          cols: [
            { uid: 0, name: 'k', kind: 'INT', length: 0, fill: null },
            { uid: 1, name: 'a', kind: 'INT', length: 0, fill: null },
            { uid: 2, name: 'b', kind: 'VARCHAR', length: 8, fill: null },
          ],
          rows: [],
          nextUid: 3,
          nextName: 0,
        };
        await t.exec(`CREATE TABLE ${table} (k INT NOT NULL, a INT, b VARCHAR(8)) ${keyModel} KEY(k) DISTRIBUTED BY HASH(k) BUCKETS ${buckets} PROPERTIES ("replication_num" = "${1 + (buckets % 2)}")`);
        // SHOW ALTER TABLE COLUMN's expected rows: one per schema change, whether it rewrote the data.
        const changes: boolean[] = [];
        try {
          for (const op of ops) {
            const before = model.cols.map((c) => c.kind).join();
            const s = step(model, keyModel, op, table);
            if (s === null) continue;
            if (['add', 'drop', 'rename', 'modify'].includes(op.kind)) changes.push(op.kind === 'modify' && before !== model.cols.map((c) => c.kind).join());
            if (s.refused !== undefined) {
              expect((await t.fails(s.sql)).message, s.sql).toMatch(s.refused);
            } else {
              await t.exec(s.sql);
            }
            const got = (await t.rows(`SELECT * FROM ${table}`)).sort(compareRows);
            expect(got, `after ${s.sql}`).toEqual(expected(model));
          }
          const jobs = await t.result(`SHOW ALTER TABLE COLUMN WHERE TableName = '${table}' ORDER BY JobId`);
          const at = (name: string): number => jobs.columns.indexOf(name);
          expect(jobs.rows.map((r) => [r[at('SchemaVersion')]?.split(':')[0], r[at('TransactionId')] !== '0', r[at('State')]])).toEqual(
            changes.map((rewrote, i) => [String(i + 1), rewrote, 'FINISHED']),
          );
          expect((await t.rows(`DESC ${table}`)).map((r) => [r[0], r[1]])).toEqual(
            model.cols.map((c) => [c.name, c.kind === 'INT' ? 'int(11)' : c.kind === 'BIGINT' ? 'bigint(20)' : `varchar(${c.length})`]),
          );
        } finally {
          await t.exec(`DROP TABLE ${table}`);
        }
      }),
      { numRuns: 30 },
    );
  }, 120_000);
});
