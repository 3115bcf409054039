/**
 * FROM: tables, views, derived tables, table functions and joins of them become one RowSource plus the Scope
 * names resolve in. A single table keeps the plain path (pruning and column projection by the caller); a join
 * tree plans each leaf itself: the columns it must decode, the WHERE conjuncts it can apply before the join (only
 * on sides whose rows survive the joins above them unchanged) and the partitions those conjuncts prune.
 */
import type { Expr, FromItem, JoinRef, SelectStmt } from '../../../grammar/ast.ts';
import { analysisError, sqlError } from '../../errors/index.ts';
import type { ColumnType } from '../../types/column-type.ts';
import { compileExpr, type CompileEnv } from '../eval/compile.ts';
import type { CompiledExpr } from '../eval/compiled.ts';
import { equalityKeyFor } from '../eval/equality-key.ts';
import { exprToSql } from '../eval/expr-to-sql.ts';
import { toBool } from '../eval/numeric.ts';
import { findColumn, type Scope, type ScopeColumn } from '../eval/scope.ts';
import { commonType } from '../eval/types.ts';
import { containsAggregate, walkExpr } from '../eval/walk.ts';
import { generateSeries } from './generate-series.ts';
import { joinRowSource, type JoinKey, type MergedColumn } from './join.ts';
import { memoryTracker } from './memory.ts';
import { blockExpressions, forEachColumnRef, neededColumns } from './needed-columns.ts';
import { arrayRowSource, type ResolvedSource, type RowSource } from './row-source.ts';
import { selectRowSource, type SelectDeps } from './select-source.ts';

/** FROM, resolved: rows, the names they answer to, and (single table only) what its scan should read. */
export interface FromPlan {
  readonly source: RowSource;
  readonly scope: Scope;
  /** Partitions the single table's scan needs (undefined = all, or planned inside a join). */
  readonly partitionIds?: readonly number[];
  /** Columns the single table's scan needs (undefined = all, or planned inside a join). */
  readonly columns?: readonly number[];
}

/** Where an output column of a FROM node comes from: a leaf's column, or the merge of USING columns. */
type Origin = { readonly leaf: Leaf; readonly index: number } | { readonly merged: readonly Origin[] };

interface Leaf {
  readonly kind: 'leaf';
  readonly resolved: ResolvedSource;
  readonly scope: Scope;
  /** Which output columns come from where (the leaf's own columns; set right after the leaf is made). */
  origins: readonly Origin[];
  /** WHERE conjuncts pushed down to this leaf's scan. */
  readonly pushed: Expr[];
  /** Local column indexes the query reads; undefined = all. */
  needed: Set<number> | undefined;
}

interface JoinNode {
  readonly kind: 'join';
  readonly ref: JoinRef;
  readonly left: Node;
  readonly right: Node;
  /** What ON sees: the left scope, then the right scope. */
  readonly onScope: Scope;
  /** The join's output. */
  readonly scope: Scope;
  readonly origins: readonly Origin[];
  readonly merged: readonly MergedColumn[];
  /** `USING` columns: indexes in the left scope and in the right scope. */
  readonly using: readonly { readonly left: number; readonly right: number }[];
}

type Node = Leaf | JoinNode;

/** Resolve and plan the FROM clause of `stmt` (no FROM: one empty row, for `SELECT 1`). */
export async function planFrom(stmt: SelectStmt, deps: SelectDeps): Promise<FromPlan> {
  if (!stmt.from) return { source: arrayRowSource([], [[]]), scope: { columns: [] } };
  const root = await buildNode(stmt.from, deps);
  checkUniqueNames(root);
  if (root.kind === 'leaf') {
    const partitionIds = root.resolved.prune?.(stmt.where, root.scope);
    const columns = neededColumns(stmt, root.scope);
    return {
      source: root.resolved.source,
      scope: root.scope,
      ...(partitionIds === undefined ? {} : { partitionIds }),
      ...(columns === undefined ? {} : { columns }),
    };
  }
  pushDownWhere(root, stmt.where);
  markNeeded(root, stmt);
  return { source: await nodeSource(root, deps), scope: root.scope };
}

async function buildNode(item: FromItem, deps: SelectDeps): Promise<Node> {
  switch (item.kind) {
    case 'TableRef': {
      const resolved = await deps.resolveTable(item);
      return leaf(resolved, item.alias !== undefined ? [item.alias] : (resolved.qualifiers ?? [item.name.name]));
    }
    case 'TableFunctionRef':
      if (item.name.toLowerCase() !== 'generate_series') throw analysisError(`Unknown table function '${item.name}'`);
      return leaf({ source: generateSeries(item.args, deps.ctx) }, [item.alias ?? 'generate_series']);
    case 'SubqueryRef': {
      const source = await selectRowSource(item.query, deps);
      const names = source.columns.map((c) => c.name.toLowerCase());
      const dup = names.find((n, i) => names.indexOf(n) !== i);
      if (dup !== undefined) {
        throw sqlError('ER_DUP_FIELDNAME', `Duplicate column name '${source.columns[names.indexOf(dup)]?.name ?? dup}' in derived table ${item.alias}: give the columns distinct aliases`);
      }
      return leaf({ source }, [item.alias]);
    }
    case 'Join':
      return buildJoin(item, await buildNode(item.left, deps), await buildNode(item.right, deps));
  }
}

function leaf(resolved: ResolvedSource, qualifiers: readonly string[]): Leaf {
  const columns = resolved.source.columns.map((c): ScopeColumn => ({ name: c.name, qualifiers, type: c.type, nullable: c.nullable }));
  const node: Leaf = { kind: 'leaf', resolved, scope: { columns }, origins: [], pushed: [], needed: new Set() };
  node.origins = columns.map((_, index) => ({ leaf: node, index }));
  return node;
}

const starOf = (scope: Scope): readonly number[] => scope.star ?? scope.columns.map((_, i) => i);
const nullable = (c: ScopeColumn): ScopeColumn => ({ ...c, nullable: true });

function buildJoin(ref: JoinRef, left: Node, right: Node): JoinNode {
  const type = ref.type;
  const outer = type === 'LEFT' || type === 'RIGHT' || type === 'FULL';
  if ((outer || type.includes(' ')) && ref.on === undefined && ref.using === undefined) {
    throw analysisError(`${type.includes(' ') ? type : `${type} OUTER`} JOIN requires an ON or USING clause.`);
  }
  const lw = left.scope.columns.length;
  const leftCols = left.scope.columns.map((c) => (type === 'RIGHT' || type === 'FULL' ? nullable(c) : c));
  const rightCols = right.scope.columns.map((c) => (type === 'LEFT' || type === 'FULL' ? nullable(c) : c));
  const onScope: Scope = { columns: [...left.scope.columns, ...right.scope.columns] };

  const using = (ref.using ?? []).map((name) => ({ left: usingColumn(left.scope, name, 'left'), right: usingColumn(right.scope, name, 'right') }));
  if (type.endsWith('SEMI') || type.endsWith('ANTI')) {
    const kept = type.startsWith('LEFT') ? left : right;
    return { kind: 'join', ref, left, right, onScope, scope: kept.scope, origins: kept.origins, merged: [], using };
  }

  const merged: MergedColumn[] = [];
  const mergedCols: ScopeColumn[] = [];
  const mergedOrigins: Origin[] = [];
  const hiddenLeft = new Set<number>();
  const hiddenRight = new Set<number>();
  for (const [k, name] of (ref.using ?? []).entries()) {
    const { left: li, right: ri } = using[k] as { left: number; right: number };
    if (hiddenLeft.has(li)) throw sqlError('ER_NON_UNIQ_ERROR', `Column '${name}' in from clause is ambiguous: it is named twice in USING`);
    hiddenLeft.add(li);
    hiddenRight.add(ri);
    const l = left.scope.columns[li] as ScopeColumn;
    const r = right.scope.columns[ri] as ScopeColumn;
    const mergedType: ColumnType =
      type === 'FULL' ? commonType([asTyped(l), asTyped(r)]) : type === 'RIGHT' ? r.type : l.type;
    merged.push({ left: li, right: lw + ri, pick: type === 'FULL' ? 'coalesce' : type === 'RIGHT' ? 'right' : 'left', type: mergedType });
    mergedCols.push({ name: l.name, qualifiers: [], type: mergedType, nullable: type === 'FULL' ? l.nullable && r.nullable : type === 'RIGHT' ? r.nullable : l.nullable });
    mergedOrigins.push({ merged: [left.origins[li] as Origin, right.origins[ri] as Origin] });
  }
  const columns = [
    ...leftCols.map((c, i) => (hiddenLeft.has(i) ? { ...c, qualifiedOnly: true } : c)),
    ...rightCols.map((c, i) => (hiddenRight.has(i) ? { ...c, qualifiedOnly: true } : c)),
    ...mergedCols,
  ];
  const rw = right.scope.columns.length;
  const star =
    merged.length === 0 && left.scope.star === undefined && right.scope.star === undefined
      ? undefined
      : [
          ...mergedCols.map((_, k) => lw + rw + k),
          ...starOf(left.scope).filter((i) => !hiddenLeft.has(i)),
          ...starOf(right.scope).filter((i) => !hiddenRight.has(i)).map((i) => lw + i),
        ];
  return {
    kind: 'join',
    ref,
    left,
    right,
    onScope,
    scope: star === undefined ? { columns } : { columns, star },
    origins: [...left.origins, ...right.origins, ...mergedOrigins],
    merged,
    using,
  };
}

function asTyped(c: ScopeColumn): CompiledExpr {
  return { evaluate: () => null, type: c.type, nullable: c.nullable, constant: false };
}

/** The column a USING name means on one side: an unqualified, unambiguous name there. */
function usingColumn(scope: Scope, name: string, side: string): number {
  const i = findColumn(scope, { kind: 'ColumnRef', qualifiers: [], name }, 'from clause');
  if (i === undefined) throw sqlError('ER_BAD_FIELD_ERROR', `Unknown column '${name}' in 'from clause': USING needs it on the ${side} side of the join`);
  return i;
}

/** Two FROM items with the same name (alias, or db.table) make every column reference ambiguous: MySQL's 1066. */
function checkUniqueNames(root: Node): void {
  const seen = new Set<string>();
  const visit = (n: Node): void => {
    if (n.kind === 'join') {
      visit(n.left);
      visit(n.right);
      return;
    }
    const q = n.scope.columns[0]?.qualifiers ?? [];
    const key = q.map((x) => x.toLowerCase()).join('.');
    if (key === '') return;
    if (seen.has(key)) throw sqlError('ER_NONUNIQ_TABLE', `Not unique table/alias: '${q[q.length - 1] ?? key}': give one of them an alias`);
    seen.add(key);
  };
  visit(root);
}

/** AND-ed parts of a condition. */
export function conjuncts(e: Expr | undefined): Expr[] {
  if (e === undefined) return [];
  if (e.kind === 'Binary' && e.op === 'AND') return [...conjuncts(e.left), ...conjuncts(e.right)];
  return [e];
}

function and(parts: readonly Expr[]): Expr | undefined {
  return parts.reduce<Expr | undefined>((acc, p) => (acc === undefined ? p : { kind: 'Binary', op: 'AND', left: acc, right: p }), undefined);
}

function hasSubquery(e: Expr): boolean {
  let found = false;
  walkExpr(e, (x) => {
    if (x.kind === 'Subquery' || x.kind === 'Exists' || x.kind === 'InSubquery') found = true;
    return !found;
  });
  return found;
}

/** The leaves an expression's columns come from (resolved in `scope`), or undefined when a name is not plainly there. */
function leavesOf(e: Expr, scope: Scope, origins: readonly Origin[]): Set<Leaf> | undefined {
  const out = new Set<Leaf>();
  let ok = true;
  const addOrigin = (o: Origin): void => {
    if ('leaf' in o) out.add(o.leaf);
    else ok = false;
  };
  try {
    forEachColumnRef(e, (ref) => {
      const i = findColumn(scope, ref);
      if (i === undefined) ok = false;
      else addOrigin(origins[i] as Origin);
    });
  } catch {
    return undefined;
  }
  return ok ? out : undefined;
}

/** Leaves whose rows reach the output of `node` unchanged apart from being dropped (not null-extended). */
function preservedLeaves(node: Node, into: Set<Leaf>): void {
  if (node.kind === 'leaf') {
    into.add(node);
    return;
  }
  const t = node.ref.type;
  if (t === 'INNER' || t === 'CROSS' || t === 'LEFT' || t === 'LEFT SEMI' || t === 'LEFT ANTI') preservedLeaves(node.left, into);
  if (t === 'INNER' || t === 'CROSS' || t === 'RIGHT' || t === 'RIGHT SEMI' || t === 'RIGHT ANTI') preservedLeaves(node.right, into);
}

/** Move WHERE conjuncts that read one preserved leaf into that leaf's scan (they stay in WHERE too). */
function pushDownWhere(root: JoinNode, where: Expr | undefined): void {
  const preserved = new Set<Leaf>();
  preservedLeaves(root, preserved);
  for (const c of conjuncts(where)) {
    if (hasSubquery(c) || containsAggregate(c)) continue;
    const leaves = leavesOf(c, root.scope, root.origins);
    if (leaves === undefined || leaves.size !== 1) continue;
    const [only] = leaves as unknown as [Leaf];
    if (preserved.has(only)) only.pushed.push(c);
  }
}

function allLeaves(node: Node, out: Leaf[] = []): Leaf[] {
  if (node.kind === 'leaf') out.push(node);
  else {
    allLeaves(node.left, out);
    allLeaves(node.right, out);
  }
  return out;
}

/** Record which leaf columns the query reads; any doubt (a star, an unresolvable name) reads them all. */
function markNeeded(root: JoinNode, stmt: SelectStmt): void {
  const leaves = allLeaves(root);
  const all = (): void => {
    for (const l of leaves) l.needed = undefined;
  };
  if (stmt.items.some((i) => i.kind === 'SelectStar')) return all();
  const mark = (o: Origin): void => {
    if ('leaf' in o) o.leaf.needed?.add(o.index);
    else o.merged.forEach(mark);
  };
  const markIn = (e: Expr, scope: Scope, origins: readonly Origin[]): void =>
    forEachColumnRef(e, (ref) => {
      const i = findColumn(scope, ref);
      if (i !== undefined) mark(origins[i] as Origin);
    }, true);
  try {
    for (const e of blockExpressions(stmt)) markIn(e, root.scope, root.origins);
    const visit = (n: Node): void => {
      if (n.kind === 'leaf') return;
      visit(n.left);
      visit(n.right);
      const onOrigins = [...n.left.origins, ...n.right.origins];
      if (n.ref.on) markIn(n.ref.on, n.onScope, onOrigins);
      for (const u of n.using) {
        mark(n.left.origins[u.left] as Origin);
        mark(n.right.origins[u.right] as Origin);
      }
    };
    visit(root);
  } catch {
    all();
  }
}

/** A leaf's RowSource with its own scan options, pushed filter and pruning bound in. */
function leafSource(l: Leaf, deps: SelectDeps): RowSource {
  const pushed = and(l.pushed);
  const partitionIds = l.resolved.prune?.(pushed, l.scope);
  const width = l.scope.columns.length;
  const columns = l.needed === undefined ? undefined : l.needed.size > 0 ? [...l.needed].sort((a, b) => a - b) : width > 0 ? [0] : undefined;
  const filter = pushed === undefined ? undefined : compileExpr(pushed, { scope: l.scope, ctx: deps.ctx, clause: 'where clause' }).evaluate;
  const inner = l.resolved.source;
  return {
    columns: inner.columns,
    async *scan(options) {
      const scanOptions = {
        ...(partitionIds === undefined ? {} : { partitionIds }),
        ...(columns === undefined ? {} : { columns }),
        ...(options.signal ? { signal: options.signal } : {}),
      };
      for await (const batch of inner.scan(scanOptions)) {
        if (filter === undefined) yield batch;
        else {
          const kept = batch.filter((row) => toBool(filter(row)) === true);
          if (kept.length > 0) yield kept;
        }
      }
    },
  };
}

async function nodeSource(node: Node, deps: SelectDeps): Promise<RowSource> {
  if (node.kind === 'leaf') return leafSource(node, deps);
  const left = await nodeSource(node.left, deps);
  const right = await nodeSource(node.right, deps);
  const lw = node.left.scope.columns.length;
  const env = (scope: Scope): CompileEnv => ({ scope, ctx: deps.ctx, clause: 'on clause', ...(deps.outer ? { outer: deps.outer } : {}) });
  const on = conjuncts(node.ref.on);
  const keys: JoinKey[] = node.using.map((u) => {
    const l = node.left.scope.columns[u.left] as ScopeColumn;
    const r = node.right.scope.columns[u.right] as ScopeColumn;
    return { left: slot(u.left, l), right: slot(u.right, r), key: equalityKeyFor(l.type, r.type), nullSafe: false };
  });
  const leftOnly: Expr[] = [];
  const rightOnly: Expr[] = [];
  const residual: Expr[] = [];
  for (const c of on) {
    if (containsAggregate(c)) throw analysisError(`JOIN clause cannot contain aggregations: '${exprToSql(c)}'`);
    const sides = sidesOf(c, node.onScope, lw);
    if (sides === 'left') leftOnly.push(c);
    else if (sides === 'right') rightOnly.push(c);
    else {
      const key = equiKey(c, node, lw, env);
      if (key) keys.push(key);
      else residual.push(c);
    }
  }
  const compileAnd = (parts: readonly Expr[], scope: Scope): CompiledExpr | undefined => {
    const e = and(parts);
    return e === undefined ? undefined : compileExpr(e, env(scope));
  };
  const leftFilter = compileAnd(leftOnly, node.left.scope);
  const rightFilter = compileAnd(rightOnly, node.right.scope);
  const residualExpr = compileAnd(residual, node.onScope);
  return joinRowSource({
    type: node.ref.type,
    left,
    right,
    leftWidth: lw,
    rightWidth: node.right.scope.columns.length,
    keys,
    ...(leftFilter ? { leftFilter } : {}),
    ...(rightFilter ? { rightFilter } : {}),
    ...(residualExpr ? { residual: residualExpr } : {}),
    merged: node.merged,
    columns: node.scope.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable })),
    memory: memoryTracker(deps.ctx),
  });
}

function slot(index: number, c: ScopeColumn): CompiledExpr {
  return { evaluate: (row) => row[index] ?? null, type: c.type, nullable: c.nullable, constant: false };
}

/** Which side(s) of a join an ON conjunct reads: 'left', 'right', 'both', or 'none'/'other' (constants, outer refs). */
function sidesOf(e: Expr, scope: Scope, leftWidth: number): 'left' | 'right' | 'both' | 'other' {
  let left = false;
  let right = false;
  let other = false;
  try {
    forEachColumnRef(e, (ref) => {
      const i = findColumn(scope, ref);
      if (i === undefined) other = true;
      else if (i < leftWidth) left = true;
      else right = true;
    });
  } catch {
    return 'other';
  }
  if (other || (!left && !right)) return 'other';
  return left && right ? 'both' : left ? 'left' : 'right';
}

/** `l = r` / `l <=> r` with one operand reading only the left side and the other only the right side. */
function equiKey(c: Expr, node: JoinNode, lw: number, env: (scope: Scope) => CompileEnv): JoinKey | undefined {
  if (c.kind !== 'Binary' || (c.op !== '=' && c.op !== '<=>')) return undefined;
  const a = sidesOf(c.left, node.onScope, lw);
  const b = sidesOf(c.right, node.onScope, lw);
  let leftExpr: Expr;
  let rightExpr: Expr;
  if (a === 'left' && b === 'right') [leftExpr, rightExpr] = [c.left, c.right];
  else if (a === 'right' && b === 'left') [leftExpr, rightExpr] = [c.right, c.left];
  else return undefined;
  const l = compileExpr(leftExpr, env(node.left.scope));
  const r = compileExpr(rightExpr, env(node.right.scope));
  return { left: l, right: r, key: equalityKeyFor(l.type, r.type), nullSafe: c.op === '<=>' };
}
