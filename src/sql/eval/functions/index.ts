import { CONDITIONAL_FUNCTIONS } from './conditional.ts';
import { DATE_FUNCTIONS } from './date.ts';
import type { FunctionImpl } from './helpers.ts';
import { MATH_FUNCTIONS } from './math.ts';
import { MISC_FUNCTIONS } from './misc.ts';
import { REGEXP_FUNCTIONS } from './regexp.ts';
import { STRING_FUNCTIONS } from './string.ts';

export type { FunctionImpl } from './helpers.ts';

/** Every scalar function by lower-case name. */
export const SCALAR_FUNCTIONS: ReadonlyMap<string, FunctionImpl> = new Map(
  Object.entries({ ...STRING_FUNCTIONS, ...REGEXP_FUNCTIONS, ...MATH_FUNCTIONS, ...DATE_FUNCTIONS, ...CONDITIONAL_FUNCTIONS, ...MISC_FUNCTIONS }),
);

/** Aggregate function names (compiled by the SELECT executor, never by the scalar compiler). */
export const AGGREGATE_FUNCTIONS: ReadonlySet<string> = new Set(['count', 'sum', 'min', 'max', 'avg', 'any_value', 'group_concat']);

export function isAggregateName(name: string): boolean {
  return AGGREGATE_FUNCTIONS.has(name.toLowerCase());
}
