/**
 * A model for query tests: the same rows in SQLite (better-sqlite3, ≥ 3.39 so RIGHT and FULL JOIN exist) and in
 * tablevault's SELECT engine over in-memory tables, the same query run on both, results compared as multisets.
 *
 * Tables t1, t2, t3 share one schema: k INT, j INT, v VARCHAR(4), all nullable. Queries avoid what the two
 * dialects do differently (mixed-type comparisons, integer division, AVG's formatting, NULL ordering: results are
 * compared unordered).
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import type { TableRef } from '../../../grammar/ast.ts';
import { parseStatement } from '../../../grammar/index.ts';
import type { QueryStmt } from '../../../grammar/ast.ts';
import { executeSelect } from '../../../src/sql/select/execute-select.ts';
import { arrayRowSource, type ResolvedSource } from '../../../src/sql/select/row-source.ts';
import type { EvalContext } from '../../../src/sql/eval/context.ts';
import type { Row } from '../../../src/types/value.ts';

export const TABLES = ['t1', 't2', 't3'] as const;
export type TableName = (typeof TABLES)[number];

export interface ModelRow {
  readonly k: number | null;
  readonly j: number | null;
  readonly v: string | null;
}
export type Tables = Readonly<Record<TableName, readonly ModelRow[]>>;

const COLUMNS = [
  { name: 'k', type: { name: 'INT' }, nullable: true },
  { name: 'j', type: { name: 'INT' }, nullable: true },
  { name: 'v', type: { name: 'VARCHAR', length: 4 }, nullable: true },
] as const;

/** Small domains so keys repeat, match across tables and are often NULL. */
export const rowArb: fc.Arbitrary<ModelRow> = fc.record({
  k: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null, freq: 4 }),
  j: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null, freq: 4 }),
  v: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: null, freq: 4 }),
});
export const tablesArb: fc.Arbitrary<Tables> = fc.record({
  t1: fc.array(rowArb, { maxLength: 7 }),
  t2: fc.array(rowArb, { maxLength: 7 }),
  t3: fc.array(rowArb, { maxLength: 5 }),
});

/** The engine side: executeSelect over in-memory tables (batches of 3, so batch edges are exercised). */
export async function engineRows(sql: string, tables: Tables, ctx: EvalContext): Promise<string[]> {
  const resolve = async (ref: TableRef): Promise<ResolvedSource> => {
    const name = ref.name.name.toLowerCase() as TableName;
    const rows = tables[name];
    if (rows === undefined) throw new Error(`no table ${ref.name.name}`);
    const data: Row[] = rows.map((r) => [r.k, r.j, r.v]);
    return { source: arrayRowSource(COLUMNS, data, 3), qualifiers: ['db1', name] };
  };
  const result = await executeSelect(parseStatement(sql) as QueryStmt, resolve, ctx);
  return canonical(result.rows);
}

/** One SQLite connection for a test file; `load` replaces the tables' contents. */
export class SqliteModel {
  readonly #db = new Database(':memory:');

  constructor() {
    for (const t of TABLES) this.#db.exec(`CREATE TABLE ${t} (k INTEGER, j INTEGER, v TEXT)`);
  }

  /** The SQLite version (RIGHT / FULL JOIN need 3.39). */
  version(): string {
    return (this.#db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  }

  load(tables: Tables): void {
    for (const t of TABLES) {
      this.#db.exec(`DELETE FROM ${t}`);
      const insert = this.#db.prepare(`INSERT INTO ${t} (k, j, v) VALUES (?, ?, ?)`);
      for (const r of tables[t]) insert.run(r.k, r.j, r.v);
    }
  }

  rows(sql: string): string[] {
    const raw = this.#db.prepare(sql).raw().all() as unknown[][];
    return canonical(raw.map((r) => r.map((v) => (v === null ? null : String(v)))));
  }

  close(): void {
    this.#db.close();
  }
}

/** Rows as sorted tab-joined text, NULL spelled out: an order-free multiset comparison. */
function canonical(rows: readonly (readonly (string | null)[])[]): string[] {
  return rows.map((r) => r.map((v) => (v === null ? 'NULL' : v)).join('\t')).sort();
}
