import type { ColumnType } from '../../../types/column-type.ts';
import { divRoundHalfUp, formatScaled, parseDecimal, pow10, rescale } from '../../../types/decimal.ts';
import type { Value } from '../../../types/value.ts';
import { literal, makeExpr, type CompiledExpr } from '../compiled.ts';
import { compileArithmetic } from '../arithmetic.ts';
import { comparerFor } from '../comparison.ts';
import { toBigInt, toDouble } from '../numeric.ts';
import { T, castTo, categoryOf, commonType } from '../types.ts';
import { arity, strict, type FunctionImpl } from './helpers.ts';

/**
 * Math functions. Integer and DECIMAL inputs stay exact where the result can be (abs, round, truncate, ceil, floor);
 * transcendental functions compute in double and return NULL outside their domain (sqrt(-1), ln(0)), as StarRocks.
 */

function dbl(v: Value): number {
  return toDouble(v) ?? Number.NaN;
}

function finite(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

function doubleFn(name: string, fn: (x: number) => number): FunctionImpl {
  return (args) => (arity(name, args, 1), strict(args, T.DOUBLE, ([x]) => finite(fn(dbl(x ?? null))), true));
}

/** Round/truncate a decimal text to `d` fraction digits (d may be negative), keeping scale max(d, 0). */
function roundDecimal(v: string, d: number, truncate: boolean): string | null {
  const p = parseDecimal(v);
  if (!p) return null;
  const keep = Math.max(0, d);
  let unscaled: bigint;
  if (d >= p.scale) unscaled = rescale(p, keep);
  else {
    const drop = pow10(p.scale - d);
    const q = truncate ? p.unscaled / drop : divRoundHalfUp(p.unscaled, drop);
    unscaled = d >= 0 ? q : q * pow10(-d);
  }
  return formatScaled(unscaled, keep);
}

function roundDouble(x: number, d: number, truncate: boolean): number {
  const f = 10 ** d;
  const scaled = Math.abs(x) * f;
  // Correct binary noise (2.675 * 100 = 267.49999…) before deciding the half, as MySQL does via decimal text.
  const fixed = Number(scaled.toPrecision(15));
  const r = truncate ? Math.trunc(fixed) : Math.round(fixed);
  return (Math.sign(x) * r) / f;
}

function roundLike(name: string, truncate: boolean): FunctionImpl {
  return (args) => {
    arity(name, args, truncate ? 2 : 1, 2);
    const [x, dArg] = args as [CompiledExpr, CompiledExpr | undefined];
    const cat = categoryOf(x.type);
    const dConst = dArg === undefined ? 0 : dArg.constant ? Number(toBigInt(dArg.evaluate([])) ?? 0) : undefined;
    const rest = dArg === undefined ? [x, literal(0, T.INT)] : [x, dArg];
    if (cat === 'decimal' && dConst !== undefined && x.type.name === 'DECIMAL') {
      const scale = Math.max(0, Math.min(dConst, x.type.scale));
      const type: ColumnType = { name: 'DECIMAL', precision: x.type.precision, scale };
      const digits = Math.min(dConst, x.type.scale);
      return strict(rest, type, ([v]) => roundDecimal(String(v), digits, truncate));
    }
    if ((cat === 'int' || cat === 'bool') && (dConst === undefined || dConst >= 0)) {
      return dConst === undefined ? strict(rest, x.type, ([v]) => v ?? null) : castTo(x, x.type.name === 'BOOLEAN' ? T.TINYINT : x.type);
    }
    return strict(rest, T.DOUBLE, ([v, d]) => roundDouble(dbl(v ?? null), Number(toBigInt(d ?? 0) ?? 0), truncate));
  };
}

function ceilFloor(name: string, up: boolean): FunctionImpl {
  return (args) => {
    arity(name, args, 1);
    const [x] = args as [CompiledExpr];
    const cat = categoryOf(x.type);
    if (cat === 'int' || cat === 'bool') return castTo(x, T.BIGINT);
    if (cat === 'decimal') {
      return strict(args, T.BIGINT, ([v]) => {
        const p = parseDecimal(String(v));
        if (!p) return null;
        const div = pow10(p.scale);
        let q = p.unscaled / div;
        const r = p.unscaled % div;
        if (r !== 0n && up === r > 0n) q += up ? 1n : -1n;
        return q;
      });
    }
    return strict(
      args,
      T.BIGINT,
      ([v]) => {
        const n = (up ? Math.ceil : Math.floor)(dbl(v ?? null));
        return Number.isFinite(n) ? BigInt(n) : null;
      },
      true,
    );
  };
}

function extreme(name: string, pickGreater: boolean): FunctionImpl {
  return (args) => {
    arity(name, args, 1, Infinity);
    const type = commonType(args);
    const cast = args.map((a) => castTo(a, type));
    const cmp = comparerFor(type, type);
    return strict(cast, type, (vs) => {
      let best = vs[0] ?? null;
      for (let i = 1; i < vs.length; i++) {
        const v = vs[i] ?? null;
        const c = cmp(v, best);
        if (c !== null && (pickGreater ? c > 0 : c < 0)) best = v;
      }
      return best;
    });
  };
}

export const MATH_FUNCTIONS: Readonly<Record<string, FunctionImpl>> = {
  abs: (args) => {
    arity('abs', args, 1);
    const [x] = args as [CompiledExpr];
    const cat = categoryOf(x.type);
    const type: ColumnType = cat === 'int' || cat === 'bool' ? (x.type.name === 'LARGEINT' || x.type.name === 'BIGINT' ? T.LARGEINT : T.BIGINT) : cat === 'decimal' ? x.type : T.DOUBLE;
    return strict(args, type, ([v]) => {
      if (cat === 'decimal') return String(v).replace(/^-/, '');
      if (cat === 'int' || cat === 'bool') {
        const n = toBigInt(v ?? null);
        return n === null ? null : n < 0n ? -n : n;
      }
      return finite(Math.abs(dbl(v ?? null)));
    });
  },
  ceil: ceilFloor('ceil', true),
  ceiling: ceilFloor('ceiling', true),
  floor: ceilFloor('floor', false),
  round: roundLike('round', false),
  truncate: roundLike('truncate', true),
  mod: (args) => (arity('mod', args, 2), compileArithmetic('%', args[0] as CompiledExpr, args[1] as CompiledExpr)),
  pow: (args) => (arity('pow', args, 2), strict(args, T.DOUBLE, ([a, b]) => finite(dbl(a ?? null) ** dbl(b ?? null)), true)),
  power: (args) => (arity('power', args, 2), strict(args, T.DOUBLE, ([a, b]) => finite(dbl(a ?? null) ** dbl(b ?? null)), true)),
  sqrt: doubleFn('sqrt', Math.sqrt),
  ln: doubleFn('ln', (x) => (x <= 0 ? Number.NaN : Math.log(x))),
  log2: doubleFn('log2', (x) => (x <= 0 ? Number.NaN : Math.log2(x))),
  log10: doubleFn('log10', (x) => (x <= 0 ? Number.NaN : Math.log10(x))),
  exp: doubleFn('exp', Math.exp),
  log: (args) => {
    arity('log', args, 1, 2);
    if (args.length === 1) return strict(args, T.DOUBLE, ([x]) => finite(dbl(x ?? null) <= 0 ? Number.NaN : Math.log(dbl(x ?? null))), true);
    return strict(
      args,
      T.DOUBLE,
      ([b, x]) => {
        const base = dbl(b ?? null);
        const v = dbl(x ?? null);
        return base <= 0 || base === 1 || v <= 0 ? null : finite(Math.log(v) / Math.log(base));
      },
      true,
    );
  },
  sign: (args) => (arity('sign', args, 1), strict(args, T.TINYINT, ([x]) => Math.sign(dbl(x ?? null)) || 0)),
  pi: (args) => (arity('pi', args, 0), makeExpr(() => Math.PI, T.DOUBLE, [], false)),
  greatest: extreme('greatest', true),
  least: extreme('least', false),
};
