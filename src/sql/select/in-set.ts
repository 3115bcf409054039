/** The values of a one-column subquery as `x [NOT] IN (SELECT …)` needs them, and SQL's rules for reading them. */
import type { Value } from '../../types/value.ts';
import type { EqualityKey } from '../eval/equality-key.ts';

/** A subquery's values: their equality keys, whether any had none (NULL), and how many rows there were. */
export interface InSet {
  readonly keys: Set<string | number>;
  /** Some value is NULL or has no comparable form: a non-match is UNKNOWN, not FALSE. */
  readonly unknown: boolean;
  readonly size: number;
}

export const EMPTY_SET: InSet = { keys: new Set(), unknown: false, size: 0 };

/** `v [NOT] IN set` with SQL's NULL rules: no rows → FALSE (NOT IN: TRUE) whatever v is. */
export function inResult(v: Value, set: InSet, key: EqualityKey, not: boolean): Value {
  if (set.size === 0) return not;
  if (v === null) return null;
  const k = key(v);
  if (k !== undefined && set.keys.has(k)) return !not;
  if (k === undefined || set.unknown) return null;
  return not;
}
