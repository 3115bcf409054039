import type { ColumnRef, Expr, FunctionCall } from '../../../grammar/ast.ts';
import { analysisError, sqlError } from '../../errors/index.ts';
import { resolveDataType } from '../../types/column-type.ts';
import { coerceValue } from '../../types/coerce.ts';
import { parseDecimal } from '../../types/decimal.ts';
import { utf8Length } from '../../types/coerce.ts';
import type { Value } from '../../types/value.ts';
import { compileArithmetic, compileNegate } from './arithmetic.ts';
import { literal, makeExpr, type CompiledExpr } from './compiled.ts';
import { applyComparison, comparerFor, type ComparisonOp } from './comparison.ts';
import type { EvalContext } from './context.ts';
import { exprToSql } from './expr-to-sql.ts';
import { compileDateAdd } from './functions/date.ts';
import { noMatchingFunction, text } from './functions/helpers.ts';
import { SCALAR_FUNCTIONS, isAggregateName } from './functions/index.ts';
import { likeMatcher, type StringMatcher } from './like.ts';
import { compiledPattern } from './functions/regexp.ts';
import { toBigInt, toBool } from './numeric.ts';
import { findColumn, resolveColumn, type Scope } from './scope.ts';
import { T, castTo, categoryOf, commonType, integerLiteralType } from './types.ts';

/** Everything compilation needs besides the expression. */
export interface CompileEnv {
  /** Input columns; a ColumnRef compiles to a read of its index in the row. */
  readonly scope: Scope;
  /** Session values for now(), database(), @@variables. */
  readonly ctx: EvalContext;
  /**
   * Consulted first for every node: a result replaces normal compilation. The SELECT executor uses it to map
   * GROUP BY expressions and aggregate calls onto the columns of the aggregated row.
   */
  readonly override?: (expr: Expr) => CompiledExpr | undefined;
  /** Clause named in "Unknown column" messages ('field list', 'where clause', 'order clause', …). */
  readonly clause?: string;
  /**
   * Columns of enclosing queries, for correlated subqueries: consulted when a column is not in `scope`; returns a
   * read of the current outer row's value (the subquery runs once per outer row), or undefined when unknown there too.
   */
  readonly outer?: (ref: ColumnRef) => CompiledExpr | undefined;
  /** Compiles `(SELECT …)`, `EXISTS (…)` and `e IN (SELECT …)`; without it a subquery is an error in this clause. */
  readonly subquery?: (expr: SubqueryNode, env: CompileEnv) => CompiledExpr;
  /** True when compiling against aggregated rows (HAVING, and the select list / ORDER BY of a grouped query). */
  readonly aggregated?: boolean;
}

/** The expression kinds that hold a query. */
export type SubqueryNode = Extract<Expr, { kind: 'Subquery' | 'Exists' | 'InSubquery' }>;

/** Compile an expression into a closure over input rows plus its inferred type. Errors are SqlErrors. */
export function compileExpr(expr: Expr, env: CompileEnv): CompiledExpr {
  const o = env.override?.(expr);
  if (o) return o;
  const c = (e: Expr): CompiledExpr => compileExpr(e, env);
  switch (expr.kind) {
    case 'NumberLiteral':
      return numberLiteral(expr.text);
    case 'StringLiteral':
      return literal(expr.value, { name: 'VARCHAR', length: Math.max(1, utf8Length(expr.value)) });
    case 'BooleanLiteral':
      return literal(expr.value, T.BOOLEAN);
    case 'NullLiteral':
      return literal(null, T.BOOLEAN);
    case 'TypedLiteral': {
      const type = expr.type === 'DATE' ? T.DATE : T.DATETIME;
      const v = coerceValue(expr.value, type, { mode: 'cast' });
      if (v === null) throw sqlError('ER_TRUNCATED_WRONG_VALUE', `Incorrect ${expr.type.toLowerCase()} value: '${expr.value}'`);
      return literal(v, type);
    }
    case 'ColumnRef': {
      if (env.outer !== undefined && findColumn(env.scope, expr, env.clause) === undefined) {
        const outer = env.outer(expr);
        if (outer) return outer;
      }
      const i = resolveColumn(env.scope, expr, env.clause);
      const col = env.scope.columns[i];
      if (!col) throw sqlError('ER_BAD_FIELD_ERROR', `Unknown column '${expr.name}'`);
      return { evaluate: (row) => row[i] ?? null, type: col.type, nullable: col.nullable, constant: false };
    }
    case 'Star':
      throw analysisError(`'*' is only allowed in a select list or in COUNT(*)`);
    case 'VariableRef': {
      const v = expr.scope === 'USER' ? env.ctx.userVariable(expr.name) : env.ctx.systemVariable(expr.name, expr.scope);
      return literal(v, valueType(v));
    }
    case 'Unary': {
      const e = c(expr.operand);
      if (expr.op === '+') return e;
      if (expr.op === '-') return compileNegate(e);
      const ev = e.evaluate;
      if (expr.op === 'NOT') {
        return makeExpr(
          (row) => {
            const b = toBool(ev(row));
            return b === null ? null : !b;
          },
          T.BOOLEAN,
          [e],
          e.nullable,
        );
      }
      return makeExpr(
        (row) => {
          const n = toBigInt(ev(row));
          return n === null ? null : BigInt.asUintN(64, ~n);
        },
        T.LARGEINT,
        [e],
        e.nullable,
      );
    }
    case 'Binary':
      return compileBinary(expr, env);
    case 'In':
      return compileIn(c(expr.expr), expr.list.map(c), expr.not);
    case 'Between': {
      const e = c(expr.expr);
      const lo = c(expr.low);
      const hi = c(expr.high);
      const ge = comparerFor(e.type, lo.type);
      const le = comparerFor(e.type, hi.type);
      const [ee, le2, he] = [e.evaluate, lo.evaluate, hi.evaluate];
      return makeExpr(
        (row) => {
          const v = ee(row);
          if (v === null) return null;
          const a = le2(row);
          const b = he(row);
          const x = a === null ? null : ge(v, a);
          const y = b === null ? null : le(v, b);
          const r = and3(x === null ? null : x >= 0, y === null ? null : y <= 0);
          return r === null ? null : r !== expr.not;
        },
        T.BOOLEAN,
        [e, lo, hi],
      );
    }
    case 'Like':
      return compileLike(c(expr.expr), c(expr.pattern), expr.escape ? c(expr.escape) : undefined, expr.op, expr.not);
    case 'IsNull': {
      const ev = c(expr.expr);
      const e = ev.evaluate;
      return makeExpr((row) => (e(row) === null) !== expr.not, T.BOOLEAN, [ev], false);
    }
    case 'Case':
      return compileCase(expr, env);
    case 'Cast': {
      const type = resolveDataType(expr.type);
      if ('error' in type) throw analysisError(type.error);
      const e = c(expr.expr);
      const ev = e.evaluate;
      return makeExpr((row) => coerceValue(ev(row), type, { mode: 'cast' }), type, [e]);
    }
    case 'FunctionCall':
      return compileCall(expr, env);
    case 'Interval':
      throw analysisError(`INTERVAL is only allowed in date arithmetic: '${exprToSql(expr)}'`);
    case 'IsTruth': {
      const ev = c(expr.expr);
      const e = ev.evaluate;
      const want = expr.truth === 'TRUE' ? true : expr.truth === 'FALSE' ? false : null;
      return makeExpr((row) => (toBool(e(row)) === want) !== expr.not, T.BOOLEAN, [ev], false);
    }
    case 'Subquery':
    case 'Exists':
    case 'InSubquery':
      if (!env.subquery) throw analysisError(`Subqueries are not supported in ${env.clause === undefined ? 'this clause' : `the ${env.clause}`}: '${exprToSql(expr)}'`);
      return env.subquery(expr, env);
  }
}

function valueType(v: Value): CompiledExpr['type'] {
  switch (typeof v) {
    case 'bigint':
      return T.BIGINT;
    case 'number':
      return Number.isInteger(v) ? T.BIGINT : T.DOUBLE;
    case 'boolean':
      return T.BOOLEAN;
    default:
      return T.VARCHAR;
  }
}

function numberLiteral(textValue: string): CompiledExpr {
  if (/^\d+$/.test(textValue)) {
    const n = BigInt(textValue);
    const type = integerLiteralType(n);
    if (type) return literal(type.name === 'BIGINT' || type.name === 'LARGEINT' ? n : Number(n), type);
    return literal(Number(textValue), T.DOUBLE);
  }
  if (/^\d*\.\d*$/.test(textValue)) {
    const d = parseDecimal(textValue);
    const frac = textValue.split('.')[1] ?? '';
    const intDigits = (textValue.split('.')[0] ?? '').replace(/^0+/, '').length;
    const precision = Math.max(1, intDigits + frac.length);
    if (d && precision <= 38) {
      const type = { name: 'DECIMAL', precision, scale: frac.length } as const;
      return literal(coerceValue(textValue, type), type);
    }
  }
  const n = Number(textValue);
  if (Number.isNaN(n)) throw analysisError(`Invalid number literal '${textValue}'`);
  return literal(n, T.DOUBLE);
}

function and3(a: boolean | null, b: boolean | null): boolean | null {
  if (a === false || b === false) return false;
  if (a === null || b === null) return null;
  return true;
}

function compileBinary(expr: Extract<Expr, { kind: 'Binary' }>, env: CompileEnv): CompiledExpr {
  const { op } = expr;
  if ((op === '+' || op === '-') && expr.right.kind === 'Interval') {
    return compileDateAdd(compileExpr(expr.left, env), compileExpr(expr.right.value, env), expr.right.unit, op === '+' ? 1 : -1);
  }
  if (op === '+' && expr.left.kind === 'Interval') {
    return compileDateAdd(compileExpr(expr.right, env), compileExpr(expr.left.value, env), expr.left.unit, 1);
  }
  const l = compileExpr(expr.left, env);
  const r = compileExpr(expr.right, env);
  const le = l.evaluate;
  const re = r.evaluate;
  switch (op) {
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
    case 'DIV':
      return compileArithmetic(op, l, r);
    case 'AND':
      return makeExpr((row) => {
        const a = toBool(le(row));
        if (a === false) return false;
        return and3(a, toBool(re(row)));
      }, T.BOOLEAN, [l, r]);
    case 'OR':
      return makeExpr((row) => {
        const a = toBool(le(row));
        if (a === true) return true;
        const b = toBool(re(row));
        if (b === true) return true;
        return a === null || b === null ? null : false;
      }, T.BOOLEAN, [l, r]);
    case 'XOR':
      return makeExpr((row) => {
        const a = toBool(le(row));
        const b = toBool(re(row));
        return a === null || b === null ? null : a !== b;
      }, T.BOOLEAN, [l, r]);
    case '&':
    case '|':
    case '^':
    case '<<':
    case '>>':
      return makeExpr((row) => {
        const a = toBigInt(le(row));
        const b = toBigInt(re(row));
        if (a === null || b === null) return null;
        const x = BigInt.asIntN(64, a);
        const y = BigInt.asIntN(64, b);
        const out = op === '&' ? x & y : op === '|' ? x | y : op === '^' ? x ^ y : op === '<<' ? x << (y & 63n) : x >> (y & 63n);
        return BigInt.asIntN(64, out);
      }, T.BIGINT, [l, r]);
    default: {
      const cmp = comparerFor(l.type, r.type);
      const cop = op as ComparisonOp;
      if (cop === '<=>') {
        return makeExpr((row) => {
          const a = le(row);
          const b = re(row);
          if (a === null || b === null) return a === b;
          return cmp(a, b) === 0;
        }, T.BOOLEAN, [l, r], false);
      }
      return makeExpr((row) => {
        const a = le(row);
        if (a === null) return null;
        const b = re(row);
        if (b === null) return null;
        const c = cmp(a, b);
        return c === null ? null : applyComparison(cop, c);
      }, T.BOOLEAN, [l, r], l.nullable || r.nullable);
    }
  }
}

function compileIn(e: CompiledExpr, list: readonly CompiledExpr[], not: boolean): CompiledExpr {
  const ee = e.evaluate;
  const allConst = list.every((x) => x.constant);
  const cat = categoryOf(e.type);
  const setable = cat === 'string' || cat === 'date' || cat === 'datetime';
  if (allConst && setable && list.every((x) => x.isNull === true || (categoryOf(x.type) === cat && cat === 'string') || x.type.name === e.type.name)) {
    // Constant list of the probe's own type: a Set lookup instead of a comparison per item.
    const values = list.map((x) => x.evaluate([]));
    const hasNull = values.includes(null);
    const set = new Set(values.filter((v) => v !== null));
    return makeExpr((row) => {
      const v = ee(row);
      if (v === null) return null;
      if (set.has(v)) return !not;
      return hasNull ? null : not;
    }, T.BOOLEAN, [e, ...list]);
  }
  const items = list.map((x) => ({ ev: x.evaluate, cmp: comparerFor(e.type, x.type) }));
  return makeExpr((row) => {
    const v = ee(row);
    if (v === null) return null;
    let sawNull = false;
    for (const it of items) {
      const w = it.ev(row);
      if (w === null) {
        sawNull = true;
        continue;
      }
      const c = it.cmp(v, w);
      if (c === null) sawNull = true;
      else if (c === 0) return !not;
    }
    return sawNull ? null : not;
  }, T.BOOLEAN, [e, ...list]);
}

function compileLike(e: CompiledExpr, pattern: CompiledExpr, escape: CompiledExpr | undefined, op: 'LIKE' | 'REGEXP', not: boolean): CompiledExpr {
  const ee = e.evaluate;
  const pe = pattern.evaluate;
  const esc = escape?.constant ? escape.evaluate([]) : undefined;
  if (escape && !escape.constant) throw analysisError('ESCAPE must be a constant single character');
  const escChar = esc === undefined || esc === null ? '\\' : text(esc);
  if (Array.from(escChar).length !== 1) throw analysisError(`Incorrect arguments to ESCAPE: '${escChar}' must be a single character`);
  // Both are linear-time matchers: a user's pattern never runs on a backtracking RegExp engine.
  const toRe = (p: string): StringMatcher => {
    if (op === 'LIKE') return likeMatcher(p, escChar);
    return compiledPattern(p);
  };
  const constRe = pattern.constant && pe([]) !== null ? toRe(text(pe([]))) : undefined;
  return makeExpr((row) => {
    const v = ee(row);
    if (v === null) return null;
    let re = constRe;
    if (!re) {
      const p = pe(row);
      if (p === null) return null;
      re = toRe(text(p));
    }
    return re.test(text(v)) !== not;
  }, T.BOOLEAN, [e, pattern]);
}

function compileCase(expr: Extract<Expr, { kind: 'Case' }>, env: CompileEnv): CompiledExpr {
  const operand = expr.operand ? compileExpr(expr.operand, env) : undefined;
  const whens = expr.whens.map((w) => ({ when: compileExpr(w.when, env), then: compileExpr(w.then, env) }));
  const elseExpr = expr.else ? compileExpr(expr.else, env) : literal(null, T.BOOLEAN);
  const type = commonType([...whens.map((w) => w.then), elseExpr]);
  const arms = whens.map((w) => ({
    when: w.when.evaluate,
    then: castTo(w.then, type).evaluate,
    cmp: operand ? comparerFor(operand.type, w.when.type) : undefined,
  }));
  const otherwise = castTo(elseExpr, type).evaluate;
  const oe = operand?.evaluate;
  const inputs = [...(operand ? [operand] : []), ...whens.flatMap((w) => [w.when, w.then]), elseExpr];
  return makeExpr((row) => {
    const base = oe ? oe(row) : undefined;
    for (const arm of arms) {
      const w = arm.when(row);
      if (arm.cmp) {
        if (base === null || w === null || base === undefined) continue;
        if (arm.cmp(base, w) === 0) return arm.then(row);
      } else if (toBool(w) === true) return arm.then(row);
    }
    return otherwise(row);
  }, type, inputs);
}

function compileCall(call: FunctionCall, env: CompileEnv): CompiledExpr {
  const name = call.name.toLowerCase();
  if (isAggregateName(name)) {
    throw analysisError(`Aggregate function '${exprToSql(call)}' is not allowed in ${env.clause ?? 'this clause'}`);
  }
  const interval = call.args[1];
  if (interval?.kind === 'Interval' && ['date_add', 'adddate', 'date_sub', 'subdate'].includes(name) && call.args.length === 2) {
    const sign = name === 'date_add' || name === 'adddate' ? 1 : -1;
    return compileDateAdd(compileExpr(call.args[0] as Expr, env), compileExpr(interval.value, env), interval.unit, sign);
  }
  const args = call.args.map((a) => compileExpr(a, env));
  const impl = SCALAR_FUNCTIONS.get(name);
  if (!impl) throw noMatchingFunction(name, args);
  if (call.distinct) throw analysisError(`DISTINCT is only allowed in aggregate functions, not in ${name}()`);
  return impl(args, call, env.ctx);
}
