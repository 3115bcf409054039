/**
 * Subqueries in expressions: `(SELECT …)` as a value, `EXISTS (SELECT …)`, `e [NOT] IN (SELECT …)`.
 *
 * Each subquery's RowSource is planned when the enclosing SELECT is planned. Names it does not know are looked up in
 * the enclosing query's scope; finding one there makes it correlated.
 * - Uncorrelated subqueries run once, before the enclosing query's rows flow (`prepare`); IN keeps a hash set.
 *   A scalar subquery with more than one row fails with 1242 when its value is read, as MySQL does.
 * - Correlated subqueries run for each row of the enclosing FROM (`wrap`), with a cache keyed by the outer values
 *   they read, and their results ride along as extra columns of the row for WHERE and the select list to read.
 *   They are not supported where rows are aggregated (HAVING, a grouped select list).
 */
import type { ColumnRef, Expr, SelectStmt } from '../../../grammar/ast.ts';
import { analysisError, sqlError } from '../../errors/index.ts';
import type { Row, Value } from '../../types/value.ts';
import { compileExpr, type CompileEnv, type SubqueryNode } from '../eval/compile.ts';
import type { CompiledExpr } from '../eval/compiled.ts';
import { equalityKeyFor, type EqualityKey } from '../eval/equality-key.ts';
import { exprToSql } from '../eval/expr-to-sql.ts';
import { findColumn, type Scope } from '../eval/scope.ts';
import { toBool } from '../eval/numeric.ts';
import { T } from '../eval/types.ts';
import { walkExpr } from '../eval/walk.ts';
import { tupleKey } from './aggregate.ts';
import { rowCheckpoint } from './checkpoint.ts';
import { decorrelate } from './decorrelate.ts';
import { inResult, type InSet } from './in-set.ts';
import { keyedLookup, prepareKeyed, type Keyed, type KeyedState } from './keyed-subquery.ts';
import { HASH_ENTRY_BYTES, keyBytes, memoryTracker, Reservation } from './memory.ts';
import { blockExpressions } from './needed-columns.ts';
import type { RowSource } from './row-source.ts';
import { selectRowSource, type SelectDeps } from './select-source.ts';

type Result = { readonly value: Value } | { readonly set: InSet };

/** Distinct outer values whose correlated results are kept; past this the cache starts over. */
const CACHE_ENTRIES = 4096;

interface Planned {
  readonly node: SubqueryNode;
  readonly source: RowSource;
  /** Reads the enclosing row (directly, or through to a query further out). */
  correlated: boolean;
  /** Enclosing-scope columns it reads: the cache key of a correlated subquery. */
  readonly outerColumns: Set<number>;
  /** Correlated: the index of its value in the extended row; assigned when compiled. */
  slot?: number;
  /** IN: the compiled left operand and the key function shared by both sides. */
  probe?: CompiledExpr;
  key?: EqualityKey;
  /** Decorrelated (decorrelate.ts): the keyed query, and once compiled, the enclosing side's key expressions. */
  keyed?: KeyedState;
  /** Uncorrelated or decorrelated: the result once prepared (or the error reading it raises). */
  result?: { readonly value: Value } | { readonly set: InSet } | { readonly keyed: Keyed } | { readonly error: Error };
}


/** The subquery expressions of one SELECT block (not those inside nested queries: they plan themselves). */
function subqueryNodes(stmt: SelectStmt): SubqueryNode[] {
  const out: SubqueryNode[] = [];
  for (const e of blockExpressions(stmt)) {
    walkExpr(e, (x: Expr) => {
      if (x.kind === 'Subquery' || x.kind === 'Exists' || x.kind === 'InSubquery') out.push(x);
    });
  }
  return out;
}

function oneColumn(source: RowSource, node: SubqueryNode): void {
  if (node.kind !== 'Exists' && source.columns.length !== 1) {
    throw sqlError('ER_OPERAND_COLUMNS', `Operand should contain 1 column(s): the subquery '${exprToSql(node)}' returns ${source.columns.length}`);
  }
}

/** Plans, runs and exposes the subqueries of one SELECT block over the rows of its FROM. */
export class SubqueryPlanner {
  readonly #scope: Scope;
  readonly #deps: SelectDeps;
  readonly #planned = new Map<SubqueryNode, Planned>();
  /** The enclosing row correlated subqueries read while they run. */
  readonly #frame: { row: Row } = { row: [] };
  #nextSlot: number;

  private constructor(scope: Scope, deps: SelectDeps) {
    this.#scope = scope;
    this.#deps = deps;
    this.#nextSlot = scope.columns.length;
  }

  /** Plan every subquery of `stmt` over `scope`; undefined when there is none. */
  static async create(stmt: SelectStmt, scope: Scope, deps: SelectDeps): Promise<SubqueryPlanner | undefined> {
    const nodes = subqueryNodes(stmt);
    if (nodes.length === 0) return undefined;
    const planner = new SubqueryPlanner(scope, deps);
    for (const node of nodes) await planner.#plan(node);
    return planner;
  }

  async #plan(node: SubqueryNode): Promise<void> {
    if (this.#planned.has(node)) return;
    const outerColumns = new Set<number>();
    const record = { correlated: false };
    const scope = this.#scope;
    const frame = this.#frame;
    const up = this.#deps.outer;
    const outer = (ref: ColumnRef): CompiledExpr | undefined => {
      const i = findColumn(scope, ref);
      if (i !== undefined) {
        record.correlated = true;
        outerColumns.add(i);
        const c = scope.columns[i];
        return { evaluate: () => frame.row[i] ?? null, type: c?.type ?? T.BOOLEAN, nullable: true, constant: false };
      }
      const further = up?.(ref);
      if (further) record.correlated = true;
      return further;
    };
    const source = await selectRowSource(node.query, { ...this.#deps, outer });
    oneColumn(source, node);
    // Correlated through equalities only: one keyed run instead of one run per row.
    const keyed = record.correlated ? await decorrelate(node, scope, this.#deps) : undefined;
    this.#planned.set(node, { node, source, correlated: record.correlated && keyed === undefined, outerColumns, ...(keyed ? { keyed } : {}) });
  }

  /** CompileEnv.subquery: the value of a planned subquery as an expression of the enclosing row. */
  readonly compile = (node: SubqueryNode, env: CompileEnv): CompiledExpr => {
    const p = this.#planned.get(node);
    if (p === undefined) throw new Error(`subquery planned twice or not at all: ${exprToSql(node)}`);
    if (node.kind === 'InSubquery' && p.probe === undefined) {
      p.probe = compileExpr(node.expr, env);
      p.key = equalityKeyFor(p.probe.type, (p.source.columns[0] as { type: CompiledExpr['type'] }).type);
    }
    const type = node.kind === 'Subquery' ? (p.source.columns[0] as { type: CompiledExpr['type'] }).type : T.BOOLEAN;
    const nullable = node.kind !== 'Exists';
    if (p.correlated) {
      if (env.aggregated === true) {
        throw analysisError(`Correlated subquery '${exprToSql(node)}' is not supported in ${env.clause ?? 'this clause'} of an aggregating query: join the tables and aggregate instead`);
      }
      const slot = (p.slot ??= this.#nextSlot++);
      return { evaluate: (row) => row[slot] ?? null, type, nullable, constant: false };
    }
    const read = (): Planned['result'] => {
      const r = p.result;
      if (r !== undefined && 'error' in r) throw r.error;
      return r;
    };
    if (p.keyed) {
      const readKeyed = (): Keyed | undefined => {
        const r = read();
        return r !== undefined && 'keyed' in r ? r.keyed : undefined;
      };
      return keyedLookup(node, p.keyed, env, { type, nullable, ...(p.probe ? { probe: p.probe } : {}), ...(p.key ? { valueKey: p.key } : {}) }, readKeyed);
    }
    if (node.kind === 'InSubquery') {
      const probe = (p.probe as CompiledExpr).evaluate;
      const key = p.key as EqualityKey;
      return {
        evaluate: (row) => {
          const r = read();
          return r !== undefined && 'set' in r ? inResult(probe(row), r.set, key, node.not) : null;
        },
        type,
        nullable,
        constant: false,
      };
    }
    return {
      evaluate: () => {
        const r = read();
        return r !== undefined && 'value' in r ? r.value : null;
      },
      type,
      nullable,
      constant: false,
    };
  };

  /** Whether some subquery runs per row (wrap then changes the rows). */
  get correlated(): boolean {
    return [...this.#planned.values()].some((p) => p.correlated);
  }

  /** Run the uncorrelated subqueries (once per statement); call before the enclosing rows are read. */
  async prepare(signal: AbortSignal | undefined): Promise<void> {
    for (const p of this.#planned.values()) {
      if (p.correlated || p.result !== undefined) continue;
      if (p.keyed) {
        // Prepared only once compiled (its key functions come from the enclosing expressions' types).
        if (p.keyed.keys !== undefined) p.result = { keyed: await prepareKeyed(p.node, p.keyed, p.key, memoryTracker(this.#deps.ctx), signal) };
        continue;
      }
      try {
        // An uncorrelated IN set is read by every row: it is held (and counted) until the statement ends.
        const held = new Reservation(memoryTracker(this.#deps.ctx), `IN subquery values of '${exprToSql(p.node)}'.`);
        p.result = p.node.kind === 'InSubquery' ? { set: await this.#collect(p, signal, held) } : { value: await this.#single(p, signal) };
      } catch (error) {
        // 1242 is raised where MySQL raises it: when the value is read (not at all when no row needs it).
        if (error instanceof Error && (error as { errno?: number }).errno === 1242) p.result = { error };
        else throw error;
      }
    }
  }

  /**
   * The FROM rows, each extended with the values of the correlated subqueries compiled against them. Rows that fail
   * `prefilter` (the WHERE conjuncts without subqueries) are dropped first: WHERE would drop them anyway, and a
   * subquery run per row is the expensive part.
   */
  wrap(source: RowSource, prefilter?: CompiledExpr): RowSource {
    const keep = prefilter?.evaluate;
    const correlated = [...this.#planned.values()].filter((p) => p.correlated && p.slot !== undefined).sort((a, b) => (a.slot ?? 0) - (b.slot ?? 0));
    if (correlated.length === 0) return source;
    const frame = this.#frame;
    const tracker = memoryTracker(this.#deps.ctx);
    const run = (p: Planned, signal: AbortSignal | undefined, reservation: Reservation): Promise<Result> =>
      p.node.kind === 'InSubquery' ? this.#collect(p, signal, reservation).then((set) => ({ set })) : this.#single(p, signal).then((value) => ({ value }));
    return {
      columns: source.columns,
      async *scan(options) {
        // One cache per subquery, per scan (a scan of a correlated query runs under one outer row).
        const caches = correlated.map(() => ({ entries: new Map<string, Result>(), reservation: new Reservation(tracker, 'Correlated subquery results.') }));
        const check = rowCheckpoint(options.signal);
        try {
          for await (const batch of source.scan(options)) {
            const out: Row[] = [];
            for (const row of batch) {
              const wait = check.pass();
              if (wait) await wait;
              if (keep !== undefined && toBool(keep(row)) !== true) continue;
              const extended = [...row];
              for (let k = 0; k < correlated.length; k++) {
                const p = correlated[k] as Planned;
                const cache = caches[k] as (typeof caches)[number];
                const cacheKey = tupleKey([...p.outerColumns].map((i) => row[i] ?? null));
                let r = cache.entries.get(cacheKey);
                if (r === undefined) {
                  if (cache.entries.size >= CACHE_ENTRIES) {
                    cache.entries.clear();
                    cache.reservation.release();
                  }
                  frame.row = row;
                  r = await run(p, options.signal, cache.reservation);
                  cache.reservation.add(HASH_ENTRY_BYTES + keyBytes(cacheKey));
                  cache.entries.set(cacheKey, r);
                }
                extended[p.slot as number] = 'set' in r ? inResult((p.probe as CompiledExpr).evaluate(row), r.set, p.key as EqualityKey, (p.node as { not: boolean }).not) : r.value;
              }
              out.push(extended);
            }
            yield out;
          }
        } finally {
          for (const c of caches) c.reservation.release();
        }
      },
    };
  }

  /** A scalar subquery's value (NULL for no row, 1242 for two), or whether EXISTS finds a row. */
  async #single(p: Planned, signal: AbortSignal | undefined): Promise<Value> {
    const exists = p.node.kind === 'Exists';
    let value: Value = exists ? false : null;
    let seen = false;
    for await (const batch of p.source.scan(signal ? { signal } : {})) {
      if (batch.length === 0) continue;
      if (exists) return true;
      if (seen || batch.length > 1) throw sqlError('ER_SUBQUERY_NO_1_ROW', 'Subquery returns more than 1 row');
      seen = true;
      value = (batch[0] as Row)[0] ?? null;
    }
    return value;
  }

  /** The values of an IN subquery as a hash set, counted in `reservation`. */
  async #collect(p: Planned, signal: AbortSignal | undefined, reservation: Reservation): Promise<InSet> {
    const key = p.key as EqualityKey;
    const keys = new Set<string | number>();
    let unknown = false;
    let size = 0;
    const check = rowCheckpoint(signal);
    for await (const batch of p.source.scan(signal ? { signal } : {})) {
      for (const row of batch) {
        const wait = check.pass();
        if (wait) await wait;
        size++;
        const v = row[0] ?? null;
        const k = v === null ? undefined : key(v);
        if (k === undefined) unknown = true;
        else if (!keys.has(k)) {
          keys.add(k);
          reservation.add(HASH_ENTRY_BYTES + keyBytes(k));
        }
      }
    }
    return { keys, unknown, size };
  }
}
