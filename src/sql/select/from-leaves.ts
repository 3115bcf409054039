/**
 * What each leaf of a join tree scans: the WHERE conjuncts it can apply before the join (only leaves whose rows no
 * join above null-extends), the partitions those prune, and the columns the query reads from it.
 */
import type { Expr, SelectStmt } from '../../../grammar/ast.ts';
import { compileExpr } from '../eval/compile.ts';
import { toBool } from '../eval/numeric.ts';
import { findColumn, type Scope } from '../eval/scope.ts';
import { containsAggregate } from '../eval/walk.ts';
import { and, conjuncts, hasSubquery, type JoinNode, type Leaf, type Node, type Origin } from './from-tree.ts';
import { blockExpressions, forEachColumnRef } from './needed-columns.ts';
import type { RowSource } from './row-source.ts';
import type { SelectDeps } from './select-source.ts';

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
export function pushDownWhere(root: JoinNode, where: Expr | undefined): void {
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
export function markNeeded(root: JoinNode, stmt: SelectStmt): void {
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
export function leafSource(l: Leaf, deps: SelectDeps): RowSource {
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
