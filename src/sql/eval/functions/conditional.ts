import { makeExpr, type CompiledExpr } from '../compiled.ts';
import { comparerFor } from '../comparison.ts';
import { toBool } from '../numeric.ts';
import { T, castTo, commonType } from '../types.ts';
import { arity, type FunctionImpl } from './helpers.ts';

/** Conditional functions; branches are cast to their common type so one column has one type. */

function firstNonNull(name: string, min: number, max: number): FunctionImpl {
  return (args) => {
    arity(name, args, min, max);
    const type = commonType(args);
    const evals = args.map((a) => castTo(a, type).evaluate);
    return makeExpr(
      (row) => {
        for (const e of evals) {
          const v = e(row);
          if (v !== null) return v;
        }
        return null;
      },
      type,
      args,
      args.every((a) => a.nullable),
    );
  };
}

export const CONDITIONAL_FUNCTIONS: Readonly<Record<string, FunctionImpl>> = {
  if: (args) => {
    arity('if', args, 3);
    const [c, a, b] = args as [CompiledExpr, CompiledExpr, CompiledExpr];
    const type = commonType([a, b]);
    const ce = c.evaluate;
    const ae = castTo(a, type).evaluate;
    const be = castTo(b, type).evaluate;
    return makeExpr((row) => (toBool(ce(row)) === true ? ae(row) : be(row)), type, args, a.nullable || b.nullable);
  },
  ifnull: firstNonNull('ifnull', 2, 2),
  nvl: firstNonNull('nvl', 2, 2),
  coalesce: firstNonNull('coalesce', 1, Infinity),
  nullif: (args) => {
    arity('nullif', args, 2);
    const [a, b] = args as [CompiledExpr, CompiledExpr];
    const cmp = comparerFor(a.type, b.type);
    const ae = a.evaluate;
    const be = b.evaluate;
    return makeExpr(
      (row) => {
        const x = ae(row);
        if (x === null) return null;
        const y = be(row);
        return y !== null && cmp(x, y) === 0 ? null : x;
      },
      a.type,
      args,
    );
  },
  isnull: (args) => {
    arity('isnull', args, 1);
    const e = (args[0] as CompiledExpr).evaluate;
    return makeExpr((row) => e(row) === null, T.BOOLEAN, args, false);
  },
  isnotnull: (args) => {
    arity('isnotnull', args, 1);
    const e = (args[0] as CompiledExpr).evaluate;
    return makeExpr((row) => e(row) !== null, T.BOOLEAN, args, false);
  },
};
