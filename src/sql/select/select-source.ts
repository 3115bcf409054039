import type { ColumnRef, Expr, QueryStmt, SelectStmt, TableRef } from '../../../grammar/ast.ts';
import type { Row, Value } from '../../types/value.ts';
import type { CompiledExpr } from '../eval/compiled.ts';
import type { EvalContext } from '../eval/context.ts';
import { toBool } from '../eval/numeric.ts';
import { tupleKey, type Accumulator } from './aggregate.ts';
import { rowComparator, type SortableRow } from './order.ts';
import { compileExpr } from '../eval/compile.ts';
import type { Scope } from '../eval/scope.ts';
import { walkExpr } from '../eval/walk.ts';
import { conjuncts, planFrom, type FromPlan } from './from-clause.ts';
import { HASH_ENTRY_BYTES, keyBytes, memoryTracker, Reservation } from './memory.ts';
import { setOperationSource } from './set-operation.ts';
import { SubqueryPlanner } from './subquery.ts';
import { planSelect, type SelectPlan } from './plan.ts';
import { shouldYield, sortPaced, yieldTurn } from '../pace.ts';
import { throwIfAborted, type ResolvedSource, type RowSource } from './row-source.ts';

/** What running a SELECT needs from the executor. */
export interface SelectDeps {
  /** Resolve a table or view name in FROM (subqueries and table functions are handled here). */
  readonly resolveTable: (ref: TableRef) => Promise<ResolvedSource>;
  readonly ctx: EvalContext;
  readonly signal?: AbortSignal;
  /** Columns of enclosing queries, for a correlated subquery (CompileEnv.outer); absent at the top level. */
  readonly outer?: (ref: ColumnRef) => CompiledExpr | undefined;
}

const OUT_BATCH = 1024;

function filterPasses(where: CompiledExpr | undefined, row: Row): boolean {
  return where === undefined || toBool(where.evaluate(row)) === true;
}

function project(plan: SelectPlan, row: Row): SortableRow {
  const out = plan.outputs.map((o) => o.evaluate(row));
  const keys = plan.orderKeys.map((k) => ('output' in k ? (out[k.output] ?? null) : k.expr.evaluate(row)));
  return { out, keys };
}

/** Streams `plan` rows of the source through WHERE and aggregation, yielding projected rows (unsorted). */
async function* projected(
  plan: SelectPlan,
  source: RowSource,
  partitionIds: readonly number[] | undefined,
  columns: readonly number[] | undefined,
  deps: SelectDeps,
): AsyncGenerator<SortableRow> {
  const options = {
    ...(partitionIds === undefined ? {} : { partitionIds }),
    ...(columns === undefined ? {} : { columns }),
    ...(deps.signal ? { signal: deps.signal } : {}),
  };
  const agg = plan.aggregation;
  if (!agg) {
    for await (const batch of source.scan(options)) {
      throwIfAborted(deps.signal);
      for (const row of batch) {
        if (filterPasses(plan.where, row)) yield project(plan, row);
        if (shouldYield()) await yieldTurn(deps.signal);
      }
    }
    return;
  }
  // Memory is one entry per group: rows are folded into accumulators as they stream past.
  const groups = new Map<unknown, { keys: Value[]; accs: Accumulator[] }>();
  const single = agg.groupKeys.length === 1;
  const newGroup = (keys: Value[]): { keys: Value[]; accs: Accumulator[] } => ({ keys, accs: agg.aggregates.map((a) => a.create()) });
  if (agg.groupKeys.length === 0) groups.set('', newGroup([]));
  const keyEvals = agg.groupKeys.map((k) => k.evaluate);
  for await (const batch of source.scan(options)) {
    throwIfAborted(deps.signal);
    for (const row of batch) {
      if (!filterPasses(plan.where, row)) continue;
      const keys = keyEvals.map((e) => e(row));
      const id = keyEvals.length === 0 ? '' : single ? (keys[0] === null ? groups : keys[0]) : tupleKey(keys);
      let g = groups.get(id);
      if (!g) {
        g = newGroup(keys);
        groups.set(id, g);
      }
      for (const acc of g.accs) acc.add(row);
      if (shouldYield()) await yieldTurn(deps.signal);
    }
  }
  for (const g of groups.values()) {
    const aggRow: Value[] = [...g.keys, ...g.accs.map((a) => a.result())];
    if (shouldYield()) await yieldTurn(deps.signal);
    if (agg.having && toBool(agg.having.evaluate(aggRow)) !== true) continue;
    yield project(plan, aggRow);
  }
}

/** The WHERE conjuncts without subqueries, compiled: rows failing them need no per-row subquery run. */
function prefilter(stmt: SelectStmt, scope: Scope, deps: SelectDeps): CompiledExpr | undefined {
  const plain = conjuncts(stmt.where).filter((c) => {
    let sub = false;
    walkExpr(c, (x) => {
      if (x.kind === 'Subquery' || x.kind === 'Exists' || x.kind === 'InSubquery') sub = true;
      return !sub;
    });
    return !sub;
  });
  const e = plain.reduce<Expr | undefined>((acc, p) => (acc === undefined ? p : { kind: 'Binary', op: 'AND', left: acc, right: p }), undefined);
  return e === undefined ? undefined : compileExpr(e, { scope, ctx: deps.ctx, clause: 'where clause', ...(deps.outer ? { outer: deps.outer } : {}) });
}

/**
 * A query as a RowSource of typed values (not text): what subqueries, views and INSERT … SELECT read. FROM is
 * resolved now (so unknown tables fail early); rows flow when scanned. Without ORDER BY/aggregation, LIMIT stops
 * the underlying scan as soon as enough rows have passed; with ORDER BY + LIMIT only the best rows are kept.
 */
export async function selectRowSource(stmt: QueryStmt, deps: SelectDeps): Promise<RowSource> {
  if (stmt.kind === 'SetOperation') return setOperationSource(stmt, deps);
  return selectOverSource(stmt, await planFrom(stmt, deps), deps);
}

/** A SELECT block over a FROM that is already resolved (set operations' ORDER BY / LIMIT come this way too). */
export async function selectOverSource(stmt: SelectStmt, from: FromPlan, deps: SelectDeps): Promise<RowSource> {
  const { scope } = from;
  const subqueries = await SubqueryPlanner.create(stmt, scope, deps);
  const plan = planSelect(stmt, scope, deps.ctx, {
    ...(deps.outer ? { outer: deps.outer } : {}),
    ...(subqueries ? { subquery: subqueries.compile } : {}),
  });
  const partitionIds = from.partitionIds;
  const needed = from.columns;
  const source = subqueries ? subqueries.wrap(from.source, subqueries.correlated ? prefilter(stmt, scope, deps) : undefined) : from.source;
  const tracker = memoryTracker(deps.ctx);
  const columns = plan.names.map((name, i) => ({ name, type: (plan.outputs[i] as CompiledExpr).type, nullable: (plan.outputs[i] as CompiledExpr).nullable }));
  const offset = stmt.limit?.offset ?? 0;
  const count = stmt.limit?.count ?? Infinity;
  const sorting = stmt.orderBy.length > 0;
  const cmp = rowComparator(plan.sortKeys);
  return {
    columns,
    async *scan(options) {
      const inner: SelectDeps = options.signal ? { ...deps, signal: options.signal } : deps;
      if (count === 0) return;
      await subqueries?.prepare(inner.signal);
      const seen = stmt.distinct ? new Set<string>() : undefined;
      const distinctState = new Reservation(tracker, 'SELECT DISTINCT state.');
      const isNew = (r: SortableRow): boolean => {
        if (!seen) return true;
        const k = tupleKey(r.out);
        if (seen.has(k)) return false;
        seen.add(k);
        distinctState.add(HASH_ENTRY_BYTES + keyBytes(k));
        return true;
      };
      try {
        if (!sorting) {
          let skipped = 0;
          let emitted = 0;
          let batch: Row[] = [];
          for await (const r of projected(plan, source, partitionIds, needed, inner)) {
            if (!isNew(r)) continue;
            if (skipped < offset) {
              skipped++;
              continue;
            }
            batch.push(r.out);
            emitted++;
            if (emitted >= count) break;
            if (batch.length >= OUT_BATCH) {
              yield batch;
              batch = [];
            }
          }
          if (batch.length > 0) yield batch;
          return;
        }
        const keep = offset + count;
        let buffer: SortableRow[] = [];
        // Top-N: once the buffer has been cut to the best `offset + count` rows, anything not better than the worst
        // of those can never be returned, so it is rejected with one comparison.
        let worst: SortableRow | undefined;
        for await (const r of projected(plan, source, partitionIds, needed, inner)) {
          if (worst && cmp(r, worst) >= 0) continue;
          if (!isNew(r)) continue;
          buffer.push(r);
          if (Number.isFinite(keep) && buffer.length >= Math.max(2 * keep, 4096)) {
            buffer = (await sortPaced(buffer, cmp, inner.signal)).slice(0, keep);
            worst = buffer[buffer.length - 1];
          }
        }
        await sortPaced(buffer, cmp, inner.signal);
        const rows = buffer.slice(offset, Number.isFinite(keep) ? keep : undefined).map((r) => r.out);
        for (let i = 0; i < rows.length; i += OUT_BATCH) yield rows.slice(i, i + OUT_BATCH);
      } finally {
        distinctState.release();
      }
    },
  };
}
