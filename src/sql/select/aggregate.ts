import type { FunctionCall } from '../../../grammar/ast.ts';
import { analysisError } from '../../errors/index.ts';
import type { ColumnType } from '../../types/column-type.ts';
import { compareValues } from '../../types/compare.ts';
import { divRoundHalfUp, formatScaled, pow10 } from '../../types/decimal.ts';
import type { Row, Value } from '../../types/value.ts';
import type { CompiledExpr } from '../eval/compiled.ts';
import { exprToSql } from '../eval/expr-to-sql.ts';
import { text } from '../eval/functions/helpers.ts';
import { toDouble, toScaled } from '../eval/numeric.ts';
import { T, categoryOf } from '../eval/types.ts';

/** Per-group running state of one aggregate call. */
export interface Accumulator {
  /** Fold one input row in. */
  add(row: Row): void;
  /** The aggregate's value for the group. */
  result(): Value;
}

/** A compiled aggregate call: its result type and a factory of per-group accumulators. */
export interface AggregateSpec {
  readonly type: ColumnType;
  readonly create: () => Accumulator;
}

/** Canonical key of a tuple of values, for DISTINCT and GROUP BY hashing (type tags keep 1 and '1' apart). */
export function tupleKey(values: readonly Value[]): string {
  let key = '';
  for (const v of values) key += `${v === null ? 'n' : (typeof v)[0]}${String(v)}\u0001`;
  return key;
}

/** Wrap an accumulator so it sees each distinct non-null argument tuple once. */
function distinctOnly(args: readonly CompiledExpr[], inner: () => Accumulator): () => Accumulator {
  const evals = args.map((a) => a.evaluate);
  return () => {
    const acc = inner();
    const seen = new Set<string>();
    return {
      add(row) {
        const vs = evals.map((e) => e(row));
        if (vs.includes(null)) return;
        const k = tupleKey(vs);
        if (seen.has(k)) return;
        seen.add(k);
        acc.add(row);
      },
      result: () => acc.result(),
    };
  };
}

/**
 * SUM: integers exactly (a JS number while the running total is a safe integer, bigint beyond), DECIMAL exactly on
 * scaled bigints with result DECIMAL(38, s), everything else in double. SUM of TINYINT‥INT is BIGINT; of BIGINT or
 * LARGEINT it is LARGEINT (no silent wrap-around).
 */
function sumSpec(arg: CompiledExpr, avg: boolean): AggregateSpec {
  const e = arg.evaluate;
  const cat = categoryOf(arg.type);
  if (cat === 'decimal' && arg.type.name === 'DECIMAL') {
    const scale = arg.type.scale;
    const avgScale = Math.min(38, Math.max(scale, 6));
    const type: ColumnType = { name: 'DECIMAL', precision: 38, scale: avg ? avgScale : scale };
    return {
      type,
      create: () => {
        let sum = 0n;
        let n = 0n;
        return {
          add(row) {
            const v = e(row);
            if (v === null) return;
            sum += toScaled(v, scale) ?? 0n;
            n++;
          },
          result: () => {
            if (n === 0n) return null;
            if (!avg) return formatScaled(sum, scale);
            return formatScaled(divRoundHalfUp(sum * pow10(avgScale - scale), n), avgScale);
          },
        };
      },
    };
  }
  if ((cat === 'int' || cat === 'bool') && !avg) {
    const type = arg.type.name === 'BIGINT' || arg.type.name === 'LARGEINT' ? T.LARGEINT : T.BIGINT;
    return {
      type,
      create: () => {
        let small = 0;
        let big = 0n;
        let any = false;
        return {
          add(row) {
            const v = e(row);
            if (v === null) return;
            any = true;
            if (typeof v === 'number') {
              const s = small + v;
              if (Number.isSafeInteger(s)) small = s;
              else {
                big += BigInt(small) + BigInt(v);
                small = 0;
              }
            } else big += typeof v === 'bigint' ? v : v ? 1n : 0n;
          },
          result: () => (any ? big + BigInt(small) : null),
        };
      },
    };
  }
  return {
    type: T.DOUBLE,
    create: () => {
      let sum = 0;
      let n = 0;
      return {
        add(row) {
          const v = toDouble(e(row));
          if (v === null) return;
          sum += v;
          n++;
        },
        result: () => (n === 0 ? null : avg ? sum / n : sum),
      };
    },
  };
}

function minMaxSpec(arg: CompiledExpr, max: boolean): AggregateSpec {
  const e = arg.evaluate;
  const type = arg.type;
  return {
    type,
    create: () => {
      let best: Value = null;
      return {
        add(row) {
          const v = e(row);
          if (v === null) return;
          if (best === null) best = v;
          else {
            const c = compareValues(v, best, type);
            if (max ? c > 0 : c < 0) best = v;
          }
        },
        result: () => best,
      };
    },
  };
}

/** Compile one aggregate call from its already compiled arguments (COUNT(*) passes none). */
export function compileAggregate(call: FunctionCall, args: readonly CompiledExpr[]): AggregateSpec {
  const name = call.name.toLowerCase();
  const star = call.args.length === 1 && call.args[0]?.kind === 'Star';
  const wrongArgs = (want: string): Error => analysisError(`No matching function with signature: ${exprToSql(call)}. ${name}() takes ${want}`);
  let spec: AggregateSpec;
  switch (name) {
    case 'count': {
      if (star) {
        if (call.distinct) throw wrongArgs('a column list with DISTINCT, not *');
        return { type: T.BIGINT, create: () => countAcc(() => true) };
      }
      if (args.length === 0) throw wrongArgs('* or at least one argument');
      const evals = args.map((a) => a.evaluate);
      const counter = (): Accumulator => countAcc((row) => evals.every((ev) => ev(row) !== null));
      return { type: T.BIGINT, create: call.distinct ? distinctOnly(args, counter) : counter };
    }
    case 'sum':
    case 'avg':
      if (args.length !== 1 || star) throw wrongArgs('exactly one argument');
      spec = sumSpec(args[0] as CompiledExpr, name === 'avg');
      break;
    case 'min':
    case 'max':
      if (args.length !== 1 || star) throw wrongArgs('exactly one argument');
      spec = minMaxSpec(args[0] as CompiledExpr, name === 'max');
      break;
    case 'any_value': {
      if (args.length !== 1 || star) throw wrongArgs('exactly one argument');
      const a = args[0] as CompiledExpr;
      spec = {
        type: a.type,
        create: () => {
          let v: Value = null;
          return {
            add(row) {
              if (v === null) v = a.evaluate(row);
            },
            result: () => v,
          };
        },
      };
      break;
    }
    case 'group_concat': {
      if (args.length < 1 || star) throw wrongArgs('at least one argument');
      const evals = args.map((a) => a.evaluate);
      spec = {
        type: T.VARCHAR,
        create: () => {
          const parts: string[] = [];
          return {
            add(row) {
              const vs = evals.map((ev) => ev(row));
              if (vs.includes(null)) return;
              parts.push(vs.map(text).join(''));
            },
            // StarRocks' default separator is ', ' (MySQL's is ',').
            result: () => (parts.length === 0 ? null : parts.join(', ')),
          };
        },
      };
      return { type: spec.type, create: call.distinct ? distinctOnly(args, spec.create) : spec.create };
    }
    default:
      throw analysisError(`Unknown aggregate function '${name}'`);
  }
  return call.distinct ? { type: spec.type, create: distinctOnly(args, spec.create) } : spec;
}

function countAcc(counts: (row: Row) => boolean): Accumulator {
  let n = 0;
  return {
    add(row) {
      if (counts(row)) n++;
    },
    result: () => BigInt(n),
  };
}
