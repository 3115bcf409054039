import type { ColumnRef, Expr, FunctionCall, SelectStmt } from '../../../grammar/ast.ts';
import { analysisError, sqlError } from '../../errors/index.ts';
import type { ColumnType } from '../../types/column-type.ts';
import type { Row, Value } from '../../types/value.ts';
import { compileExpr, type CompileEnv } from '../eval/compile.ts';
import type { CompiledExpr } from '../eval/compiled.ts';
import type { EvalContext } from '../eval/context.ts';
import { exprToSql } from '../eval/expr-to-sql.ts';
import { findColumn, resolveColumn, type Scope } from '../eval/scope.ts';
import { aggregateCalls, containsAggregate } from '../eval/walk.ts';
import { compileAggregate, type AggregateSpec } from './aggregate.ts';
import { sortKey, type SortKey } from './order.ts';

/**
 * Turns a SELECT over a known scope into compiled pieces: the WHERE filter, the optional aggregation (group keys
 * and aggregate specs), and the projection/ORDER BY keys, compiled against the source row (plain queries) or the
 * aggregated row `[...groupKeys, ...aggregates]` (aggregate queries).
 */
export interface SelectPlan {
  readonly where?: CompiledExpr;
  readonly aggregation?: {
    readonly groupKeys: readonly CompiledExpr[];
    readonly aggregates: readonly AggregateSpec[];
    readonly having?: CompiledExpr;
  };
  /** Output column titles. */
  readonly names: readonly string[];
  readonly outputs: readonly CompiledExpr[];
  /** Per ORDER BY item: an output column index or an expression over the projected-from row. */
  readonly orderKeys: readonly ({ readonly output: number } | { readonly expr: CompiledExpr })[];
  readonly sortKeys: readonly SortKey[];
}

interface OutItem {
  readonly name: string;
  readonly expr: Expr;
  readonly alias?: string;
  /** For `*` / `t.*`: the scope column itself (names can repeat, e.g. a set operation's `SELECT k, k`). */
  readonly index?: number;
}

function expandItems(stmt: SelectStmt, scope: Scope): OutItem[] {
  const out: OutItem[] = [];
  for (const item of stmt.items) {
    if (item.kind === 'SelectExpr') {
      const name = item.alias ?? (item.expr.kind === 'ColumnRef' ? item.expr.name : (item.text ?? exprToSql(item.expr)));
      out.push(item.alias === undefined ? { name, expr: item.expr } : { name, expr: item.expr, alias: item.alias });
      continue;
    }
    if (!stmt.from && scope.columns.length === 0) throw analysisError('No tables used');
    const table = item.table?.toLowerCase();
    const indexes =
      table === undefined
        ? (scope.star ?? scope.columns.map((_, i) => i))
        : scope.columns.flatMap((c, i) => (c.qualifiers.some((q) => q.toLowerCase() === table) ? [i] : []));
    if (indexes.length === 0) throw sqlError('ER_BAD_TABLE_ERROR', `Unknown table '${item.table ?? ''}'`);
    for (const index of indexes) {
      const c = scope.columns[index] as (typeof scope.columns)[number];
      out.push({ name: c.name, expr: { kind: 'ColumnRef', qualifiers: c.qualifiers, name: c.name }, index });
    }
  }
  return out;
}

/** Identity of an expression for GROUP BY matching: its SQL text with column references replaced by their slot. */
function exprKey(e: Expr, scope: Scope): string {
  if (e.kind === 'ColumnRef') {
    const i = findColumn(scope, e);
    return i === undefined ? `?${e.name}` : `#${i}`;
  }
  if (e.kind === 'Binary') return `(${exprKey(e.left, scope)} ${e.op} ${exprKey(e.right, scope)})`;
  if (e.kind === 'FunctionCall') return `${e.name.toLowerCase()}(${e.distinct ? 'DISTINCT ' : ''}${e.args.map((a) => exprKey(a, scope)).join(',')})`;
  if (e.kind === 'Unary') return `${e.op}(${exprKey(e.operand, scope)})`;
  return exprToSql(e);
}

/**
 * Whether @@sql_mode holds ONLY_FULL_GROUP_BY (the default, as in StarRocks and MySQL 8.0). A context without
 * session variables (a plan evaluated outside a session) keeps the default.
 */
function onlyFullGroupBy(ctx: EvalContext): boolean {
  let mode: Value;
  try {
    mode = ctx.systemVariable('sql_mode', 'DEFAULT');
  } catch {
    return true;
  }
  return typeof mode !== 'string' || mode.toUpperCase().split(',').some((m) => m.trim() === 'ONLY_FULL_GROUP_BY');
}

function ordinal(e: Expr): number | undefined {
  return e.kind === 'NumberLiteral' && /^\d+$/.test(e.text) ? Number(e.text) : undefined;
}

function slot(index: number, type: ColumnType, nullable = true): CompiledExpr {
  return { evaluate: (row: Row): Value => row[index] ?? null, type, nullable, constant: false };
}

/** What compiling may consult besides the scope: enclosing queries' columns and the block's subqueries. */
export type PlanHooks = Pick<CompileEnv, 'outer' | 'subquery'>;

export function planSelect(stmt: SelectStmt, scope: Scope, ctx: EvalContext, hooks: PlanHooks = {}): SelectPlan {
  const items = expandItems(stmt, scope);
  const env = (clause: string): CompileEnv => ({ ...hooks, scope, ctx, clause });
  if (stmt.where && containsAggregate(stmt.where)) throw analysisError(`WHERE clause '${exprToSql(stmt.where)}' cannot contain aggregations`);
  const where = stmt.where ? compileExpr(stmt.where, env('where clause')) : undefined;
  const aliasOf = (ref: ColumnRef): OutItem | undefined =>
    ref.qualifiers.length === 0 ? items.find((i) => i.alias !== undefined && i.alias.toLowerCase() === ref.name.toLowerCase()) : undefined;
  const outputIndexOf = (ref: ColumnRef): number =>
    ref.qualifiers.length > 0 ? -1 : items.findIndex((i) => i.name.toLowerCase() === ref.name.toLowerCase() && (i.alias !== undefined || i.expr.kind === 'ColumnRef'));

  const orderSources = stmt.orderBy.map((o): { readonly output: number } | { readonly expr: Expr } => {
    const n = ordinal(o.expr);
    if (n !== undefined) {
      if (n < 1 || n > items.length) throw sqlError('ER_BAD_FIELD_ERROR', `Unknown column '${n}' in 'order clause'`);
      return { output: n - 1 };
    }
    if (o.expr.kind === 'ColumnRef') {
      const idx = outputIndexOf(o.expr);
      if (idx >= 0) return { output: idx };
    }
    return { expr: o.expr };
  });

  const aggregating =
    stmt.groupBy.length > 0 ||
    items.some((i) => containsAggregate(i.expr)) ||
    (stmt.having !== undefined) ||
    orderSources.some((o) => 'expr' in o && containsAggregate(o.expr));

  let outputs: CompiledExpr[];
  let orderKeys: SelectPlan['orderKeys'];
  let aggregation: SelectPlan['aggregation'];
  if (!aggregating) {
    outputs = items.map((i) => {
      const c = i.index === undefined ? undefined : scope.columns[i.index];
      return c === undefined ? compileExpr(i.expr, env('field list')) : slot(i.index as number, c.type, c.nullable);
    });
    orderKeys = orderSources.map((o) => ('output' in o ? o : { expr: compileExpr(o.expr, env('order clause')) }));
  } else {
    const groupExprs = stmt.groupBy.map((g) => {
      const n = ordinal(g);
      if (n !== undefined) {
        const item = items[n - 1];
        if (!item) throw sqlError('ER_BAD_FIELD_ERROR', `Unknown column '${n}' in 'group statement'`);
        return item.expr;
      }
      if (g.kind === 'ColumnRef' && findColumn(scope, g) === undefined) return aliasOf(g)?.expr ?? g;
      return g;
    });
    for (const g of groupExprs) if (containsAggregate(g)) throw analysisError(`GROUP BY clause cannot contain aggregate functions: '${exprToSql(g)}'`);
    const groupKeys = groupExprs.map((g) => compileExpr(g, env('group statement')));
    const groupIndex = new Map<string, number>();
    groupExprs.forEach((g, i) => groupIndex.set(exprKey(g, scope), i));

    const calls = new Map<string, FunctionCall>();
    const collect = (e: Expr): void => {
      for (const c of aggregateCalls(e)) calls.set(exprKey(c, scope), c);
    };
    items.forEach((i) => collect(i.expr));
    if (stmt.having) collect(stmt.having);
    orderSources.forEach((o) => 'expr' in o && collect(o.expr));
    const aggIndex = new Map<string, number>();
    const aggregates: AggregateSpec[] = [];
    for (const [key, call] of calls) {
      const star = call.args.length === 1 && call.args[0]?.kind === 'Star';
      const args = star ? [] : call.args.map((a) => compileExpr(a, { ...env('field list'), clause: `aggregate function ${call.name}` }));
      aggIndex.set(key, groupKeys.length + aggregates.length);
      aggregates.push(compileAggregate(call, args));
    }
    const expanding = new Set<string>();
    const postEnv = (clause: string): CompileEnv => {
      const override = (e: Expr): CompiledExpr | undefined => {
        if (e.kind === 'Star') return undefined;
        const key = exprKey(e, scope);
        const g = groupIndex.get(key);
        if (g !== undefined) {
          const k = groupKeys[g] as CompiledExpr;
          return slot(g, k.type, k.nullable);
        }
        const a = aggIndex.get(key);
        if (a !== undefined) {
          const spec = aggregates[a - groupKeys.length] as AggregateSpec;
          return slot(a, spec.type);
        }
        if (e.kind === 'ColumnRef') {
          const alias = clause !== 'field list' ? aliasOf(e) : undefined;
          if (alias && !expanding.has(alias.name)) {
            expanding.add(alias.name);
            try {
              return compileExpr(alias.expr, { ...hooks, scope, ctx, clause, override, aggregated: true });
            } finally {
              expanding.delete(alias.name);
            }
          }
          resolveColumn(scope, e, clause);
          if (!onlyFullGroupBy(ctx)) {
            // MySQL without ONLY_FULL_GROUP_BY (mariadb-dump clears sql_mode): a column neither grouped nor aggregated
            // gives one of its group's values, as ANY_VALUE(column) would.
            const call: FunctionCall = { kind: 'FunctionCall', name: 'any_value', args: [e], distinct: false };
            const key = exprKey(call, scope);
            let index = aggIndex.get(key);
            if (index === undefined) {
              index = groupKeys.length + aggregates.length;
              aggIndex.set(key, index);
              aggregates.push(compileAggregate(call, [compileExpr(e, env('field list'))]));
            }
            return slot(index, (aggregates[index - groupKeys.length] as AggregateSpec).type);
          }
          throw analysisError(`'${exprToSql(e)}' must be an aggregate expression or appear in GROUP BY clause`);
        }
        return undefined;
      };
      return { ...hooks, scope, ctx, clause, override, aggregated: true };
    };
    outputs = items.map((i) => compileExpr(i.expr, postEnv('field list')));
    const having = stmt.having ? compileExpr(stmt.having, postEnv('having clause')) : undefined;
    orderKeys = orderSources.map((o) => ('output' in o ? o : { expr: compileExpr(o.expr, postEnv('order clause')) }));
    aggregation = having ? { groupKeys, aggregates, having } : { groupKeys, aggregates };
  }
  const sortKeys = stmt.orderBy.map((o, i) => {
    const k = orderKeys[i];
    const type = k === undefined ? outputs[0]?.type : 'output' in k ? outputs[k.output]?.type : k.expr.type;
    return sortKey(type ?? { name: 'STRING' }, o.descending, o.nulls);
  });
  const names = items.map((i) => i.name);
  const base = { names, outputs, orderKeys, sortKeys };
  return { ...base, ...(where ? { where } : {}), ...(aggregation ? { aggregation } : {}) };
}
