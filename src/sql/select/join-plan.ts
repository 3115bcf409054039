/** A join node of the FROM tree as a join RowSource: ON split into hash keys, one-side filters and the residual. */
import type { Expr } from '../../../grammar/ast.ts';
import { analysisError } from '../../errors/index.ts';
import { compileExpr, type CompileEnv } from '../eval/compile.ts';
import type { CompiledExpr } from '../eval/compiled.ts';
import { equalityKeyFor } from '../eval/equality-key.ts';
import { exprToSql } from '../eval/expr-to-sql.ts';
import { findColumn, type Scope, type ScopeColumn } from '../eval/scope.ts';
import { containsAggregate } from '../eval/walk.ts';
import { leafSource } from './from-leaves.ts';
import { and, conjuncts, type JoinNode, type Node } from './from-tree.ts';
import { joinRowSource, type JoinKey } from './join.ts';
import { memoryTracker } from './memory.ts';
import { forEachColumnRef } from './needed-columns.ts';
import type { RowSource } from './row-source.ts';
import type { SelectDeps } from './select-source.ts';

export async function nodeSource(node: Node, deps: SelectDeps): Promise<RowSource> {
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
