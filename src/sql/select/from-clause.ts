/**
 * FROM: tables, views, derived tables, table functions and joins of them become one RowSource plus the Scope
 * names resolve in. A single table keeps the plain path (pruning and column projection by the caller); a join
 * tree plans each leaf itself: the columns it must decode, the WHERE conjuncts it can apply before the join (only
 * on sides whose rows survive the joins above them unchanged) and the partitions those conjuncts prune.
 */
import type { FromItem, JoinRef, SelectStmt } from '../../../grammar/ast.ts';
import { analysisError, sqlError } from '../../errors/index.ts';
import type { ColumnType } from '../../types/column-type.ts';
import type { CompiledExpr } from '../eval/compiled.ts';
import { findColumn, type Scope, type ScopeColumn } from '../eval/scope.ts';
import { commonType } from '../eval/types.ts';
import { markNeeded, pushDownWhere } from './from-leaves.ts';
import type { JoinNode, Leaf, Node, Origin } from './from-tree.ts';
import { generateSeries } from './generate-series.ts';
import { nodeSource } from './join-plan.ts';
import type { MergedColumn } from './join.ts';
import { neededColumns } from './needed-columns.ts';
import { arrayRowSource, type ResolvedSource, type RowSource } from './row-source.ts';
import { selectRowSource, type SelectDeps } from './select-source.ts';

export { conjuncts } from './from-tree.ts';

/** FROM, resolved: rows, the names they answer to, and (single table only) what its scan should read. */
export interface FromPlan {
  readonly source: RowSource;
  readonly scope: Scope;
  /** Partitions the single table's scan needs (undefined = all, or planned inside a join). */
  readonly partitionIds?: readonly number[];
  /** Columns the single table's scan needs (undefined = all, or planned inside a join). */
  readonly columns?: readonly number[];
}


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
