import type { ColumnRef } from '../../../grammar/ast.ts';
import { analysisError, sqlError } from '../../errors/index.ts';
import type { ColumnType } from '../../types/column-type.ts';

/** One input column an expression can name. */
export interface ScopeColumn {
  /** Column name as stored (compared case-insensitively, like StarRocks). */
  readonly name: string;
  /** Names that may qualify it, outermost first: `['db', 't']` for a table, `['alias']` for an aliased source. */
  readonly qualifiers: readonly string[];
  readonly type: ColumnType;
  readonly nullable: boolean;
  /**
   * Reachable only through a qualifier: the two sides' columns of a `JOIN … USING (c)`, whose unqualified name means
   * the merged column (MySQL's rule).
   */
  readonly qualifiedOnly?: boolean;
}

/** The columns visible to an expression; a column's position here is its index in the input Row. */
export interface Scope {
  readonly columns: readonly ScopeColumn[];
  /** The columns `SELECT *` shows, in order (a USING join shows its merged columns first); absent means all. */
  readonly star?: readonly number[];
}

export const EMPTY_SCOPE: Scope = { columns: [] };

function qualifierMatches(written: readonly string[], available: readonly string[]): boolean {
  if (written.length > available.length) return false;
  const offset = available.length - written.length;
  return written.every((q, i) => q.toLowerCase() === (available[offset + i] ?? '').toLowerCase());
}

/** Display form of a reference for messages: `t.col`. */
export function columnRefText(ref: ColumnRef): string {
  return [...ref.qualifiers, ref.name].join('.');
}

/** Index of the column a reference names, or undefined when none. Throws 1052 when it is ambiguous. */
export function findColumn(scope: Scope, ref: ColumnRef, clause = 'field list'): number | undefined {
  const lower = ref.name.toLowerCase();
  let found: number | undefined;
  for (let i = 0; i < scope.columns.length; i++) {
    const c = scope.columns[i];
    if (!c || c.name.toLowerCase() !== lower || !qualifierMatches(ref.qualifiers, c.qualifiers)) continue;
    if (c.qualifiedOnly === true && ref.qualifiers.length === 0) continue;
    if (found !== undefined) throw sqlError('ER_NON_UNIQ_ERROR', `Column '${columnRefText(ref)}' in ${clause} is ambiguous`);
    found = i;
  }
  return found;
}

/** Index of the column a reference names; 1054 `Unknown column 'x' in 'field list'` when none. */
export function resolveColumn(scope: Scope, ref: ColumnRef, clause = 'field list'): number {
  const i = findColumn(scope, ref, clause);
  if (i === undefined) {
    if (ref.qualifiers.length > 0 && !scope.columns.some((c) => qualifierMatches(ref.qualifiers, c.qualifiers))) {
      throw analysisError(`Unknown table '${ref.qualifiers.join('.')}' in column reference '${columnRefText(ref)}'`);
    }
    throw sqlError('ER_BAD_FIELD_ERROR', `Unknown column '${columnRefText(ref)}' in '${clause}'`);
  }
  return i;
}
