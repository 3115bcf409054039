import type { Expr } from '../../../grammar/ast.ts';
import { analysisError } from '../../errors/index.ts';

/**
 * The WHERE of the bulk `DROP SNAPSHOT ON repo WHERE …` (the form proposed in StarRocks #53855 / #71318): keys
 * case-insensitive, values non-empty string literals, combined with AND:
 *   `SNAPSHOT = 'x'`, `SNAPSHOT IN ('a', 'b')`, `TIMESTAMP <= 'yyyy-MM-dd-HH-mm-ss-SSS'` (also `<`).
 * A timestamp may be written with spaces, colons or a dot (`2026-11-21 10:00:00.000`); it is compared as
 * StarRocks' `__info_` timestamp text, which sorts chronologically, so a shorter value such as `2026-11-21` selects
 * the snapshots taken before that day.
 */
export interface DropSnapshotWhere {
  /** Labels named (`=` or `IN`); undefined = every snapshot. */
  readonly labels?: readonly string[];
  /** Upper bound on the backup timestamp. */
  readonly timestamp?: { readonly value: string; readonly inclusive: boolean };
}

const SHAPE = "Where clause should looks like: SNAPSHOT = 'name' | SNAPSHOT IN ('a', 'b') | TIMESTAMP <= '2018-04-18-19-19-10-000', combined with AND";

function shapeError(): Error {
  return analysisError(SHAPE);
}

/** `2026-11-21 10:00:00.123` → `2026-11-21-10-00-00-123`. */
export function normalizeSnapshotTimestamp(value: string): string {
  return value.trim().replace(/[ :.T]/g, '-');
}

function conjuncts(e: Expr): Expr[] {
  return e.kind === 'Binary' && e.op === 'AND' ? [...conjuncts(e.left), ...conjuncts(e.right)] : [e];
}

function keyOf(e: Expr): string {
  if (e.kind !== 'ColumnRef' || e.qualifiers.length > 0) throw shapeError();
  return e.name.toLowerCase();
}

function text(e: Expr): string {
  if (e.kind !== 'StringLiteral' || e.value === '') throw shapeError();
  return e.value;
}

export function analyzeDropSnapshotWhere(where: Expr): DropSnapshotWhere {
  let labels: string[] | undefined;
  let timestamp: DropSnapshotWhere['timestamp'];
  const setLabels = (next: string[]): void => {
    // Two label conditions intersect (SNAPSHOT IN (a, b) AND SNAPSHOT = 'a' → a).
    labels = labels === undefined ? next : labels.filter((l) => next.includes(l));
  };
  for (const c of conjuncts(where)) {
    if (c.kind === 'In') {
      if (c.not || keyOf(c.expr) !== 'snapshot') throw shapeError();
      setLabels(c.list.map(text));
      continue;
    }
    if (c.kind !== 'Binary') throw shapeError();
    const key = keyOf(c.left);
    const value = text(c.right);
    if (key === 'snapshot' && c.op === '=') setLabels([value]);
    else if (key === 'timestamp' && (c.op === '<=' || c.op === '<')) {
      if (timestamp !== undefined) throw shapeError();
      timestamp = { value: normalizeSnapshotTimestamp(value), inclusive: c.op === '<=' };
    } else throw shapeError();
  }
  return { ...(labels === undefined ? {} : { labels }), ...(timestamp === undefined ? {} : { timestamp }) };
}
