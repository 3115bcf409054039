/** The FROM tree while it is planned: leaves (tables, views, derived tables, functions) and joins, and helpers. */
import type { Expr, JoinRef } from '../../../grammar/ast.ts';
import type { Scope } from '../eval/scope.ts';
import { walkExpr } from '../eval/walk.ts';
import type { MergedColumn } from './join.ts';
import type { ResolvedSource } from './row-source.ts';

/** Where an output column of a FROM node comes from: a leaf's column, or the merge of USING columns. */
export type Origin = { readonly leaf: Leaf; readonly index: number } | { readonly merged: readonly Origin[] };

export interface Leaf {
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

export interface JoinNode {
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

export type Node = Leaf | JoinNode;
/** AND-ed parts of a condition. */
export function conjuncts(e: Expr | undefined): Expr[] {
  if (e === undefined) return [];
  if (e.kind === 'Binary' && e.op === 'AND') return [...conjuncts(e.left), ...conjuncts(e.right)];
  return [e];
}

export function and(parts: readonly Expr[]): Expr | undefined {
  return parts.reduce<Expr | undefined>((acc, p) => (acc === undefined ? p : { kind: 'Binary', op: 'AND', left: acc, right: p }), undefined);
}

export function hasSubquery(e: Expr): boolean {
  let found = false;
  walkExpr(e, (x) => {
    if (x.kind === 'Subquery' || x.kind === 'Exists' || x.kind === 'InSubquery') found = true;
    return !found;
  });
  return found;
}
