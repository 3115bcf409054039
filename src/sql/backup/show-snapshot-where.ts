import type { Expr } from '../../../grammar/ast.ts';
import { analysisError } from '../../errors/index.ts';

/**
 * The WHERE of `SHOW SNAPSHOT ON repo` (StarRocks' ShowSnapshotAnalyzer, reference §1.6). Only three shapes are
 * accepted, keys case-insensitive, values non-empty string literals:
 * `SNAPSHOT = 'x'`, `SNAPSHOT = 'x' AND TIMESTAMP = 'ts'` (either order) and `SNAPSHOT IN ('a', 'b')`.
 */
export type SnapshotWhere =
  | { readonly kind: 'all' }
  | { readonly kind: 'one'; readonly snapshot: string }
  | { readonly kind: 'detail'; readonly snapshot: string; readonly timestamp: string }
  | { readonly kind: 'in'; readonly snapshots: readonly string[] };

const SHAPE_ERROR = "Where clause should looks like: SNAPSHOT = 'your_snapshot_name' [AND TIMESTAMP = '2018-04-18-19-19-10']";

function shapeError(): Error {
  return analysisError(SHAPE_ERROR);
}

/** `KEY = 'value'` → [key lower-cased, value], or an error. */
function equality(e: Expr): readonly [string, string] {
  if (e.kind !== 'Binary' || e.op !== '=') throw shapeError();
  if (e.left.kind !== 'ColumnRef' || e.left.qualifiers.length > 0) throw shapeError();
  if (e.right.kind !== 'StringLiteral' || e.right.value === '') throw shapeError();
  const key = e.left.name.toLowerCase();
  if (key !== 'snapshot' && key !== 'timestamp') throw shapeError();
  return [key, e.right.value];
}

export function analyzeSnapshotWhere(where: Expr | undefined): SnapshotWhere {
  if (where === undefined) return { kind: 'all' };
  if (where.kind === 'In') {
    if (where.not) throw shapeError();
    if (where.expr.kind !== 'ColumnRef' || where.expr.name.toLowerCase() !== 'snapshot') throw analysisError('Left expr of should be snapshot');
    const snapshots: string[] = [];
    for (const item of where.list) {
      if (item.kind !== 'StringLiteral') throw analysisError('Child of in predicate should be string value');
      if (item.value !== '') snapshots.push(item.value);
    }
    return { kind: 'in', snapshots };
  }
  if (where.kind === 'Binary' && where.op === 'AND') {
    const a = equality(where.left);
    const b = equality(where.right);
    if (a[0] === b[0]) throw shapeError();
    const snapshot = a[0] === 'snapshot' ? a[1] : b[1];
    const timestamp = a[0] === 'timestamp' ? a[1] : b[1];
    return { kind: 'detail', snapshot, timestamp };
  }
  const [key, value] = equality(where);
  if (key !== 'snapshot') throw shapeError();
  return { kind: 'one', snapshot: value };
}
