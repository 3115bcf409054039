import type { FunctionCall } from '../../../../grammar/ast.ts';
import { analysisError } from '../../../errors/index.ts';
import type { ColumnType } from '../../../types/column-type.ts';
import type { Value } from '../../../types/value.ts';
import { formatValue } from '../../../types/format.ts';
import type { EvalContext } from '../context.ts';
import { makeExpr, type CompiledExpr } from '../compiled.ts';
import { typeLabel } from '../types.ts';

/** Compiles one call given its compiled arguments. */
export type FunctionImpl = (args: readonly CompiledExpr[], call: FunctionCall, ctx: EvalContext) => CompiledExpr;

/** StarRocks' message for a call that matches no overload (unknown name or wrong argument list). */
export function noMatchingFunction(name: string, args: readonly CompiledExpr[], hint?: string): Error {
  const sig = `${name}(${args.map((a) => typeLabel(a.type)).join(', ')})`;
  return analysisError(`No matching function with signature: ${sig}${hint ? `. ${hint}` : ''}`);
}

/** Reject a call whose argument count is outside [min, max]. */
export function arity(name: string, args: readonly CompiledExpr[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw noMatchingFunction(name, args, `${name}() takes ${want} argument${min === 1 && max === 1 ? '' : 's'}`);
  }
}

/**
 * A strict scalar function: NULL in any argument gives NULL (most SQL functions), otherwise `fn` on the values.
 * Folds to a constant when every argument is constant.
 */
export function strict(args: readonly CompiledExpr[], type: ColumnType, fn: (values: Value[]) => Value, alwaysNullable = false): CompiledExpr {
  const evals = args.map((a) => a.evaluate);
  const n = evals.length;
  const nullable = alwaysNullable || args.some((a) => a.nullable);
  if (n === 1) {
    const e0 = evals[0] as (row: readonly Value[]) => Value;
    return makeExpr(
      (row) => {
        const v = e0(row);
        return v === null ? null : fn([v]);
      },
      type,
      args,
      nullable,
    );
  }
  return makeExpr(
    (row) => {
      const values: Value[] = new Array<Value>(n);
      for (let i = 0; i < n; i++) {
        const v = (evals[i] as (row: readonly Value[]) => Value)(row);
        if (v === null) return null;
        values[i] = v;
      }
      return fn(values);
    },
    type,
    args,
    nullable,
  );
}

/** A value as text, the way string functions see numbers and dates. */
export function text(v: Value): string {
  if (typeof v === 'string') return v;
  return formatValue(v) ?? '';
}
