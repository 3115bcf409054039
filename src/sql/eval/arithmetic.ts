import type { BinaryOperator } from '../../../grammar/ast.ts';
import type { ColumnType } from '../../types/column-type.ts';
import { divRoundHalfUp, formatScaled, pow10 } from '../../types/decimal.ts';
import type { Value } from '../../types/value.ts';
import { makeExpr, type CompiledExpr } from './compiled.ts';
import { toBigInt, toDouble, toScaled } from './numeric.ts';
import { T, asDecimal, categoryOf } from './types.ts';

/**
 * Arithmetic with StarRocks' typing: integers compute exactly in bigint (INT op INT → BIGINT, anything with
 * BIGINT/LARGEINT → LARGEINT), decimals compute exactly on scaled bigints (DECIMALV3 result precision/scale rules),
 * and anything involving DOUBLE, FLOAT, text or dates computes in double. `/` never yields an integer (DOUBLE for
 * integer/double inputs, DECIMAL when a decimal is involved); division or modulo by zero yields NULL.
 * Decimal products whose scale would exceed 38 fall back to double.
 */
type Kind = 'int' | 'decimal' | 'double';

function kindOf(t: ColumnType): Kind {
  const c = categoryOf(t);
  return c === 'int' || c === 'bool' ? 'int' : c === 'decimal' ? 'decimal' : 'double';
}

function combine(a: Kind, b: Kind): Kind {
  return a === 'double' || b === 'double' ? 'double' : a === 'decimal' || b === 'decimal' ? 'decimal' : 'int';
}

const LARGEINT_BITS = 128;

function intResultType(l: ColumnType, r: ColumnType): ColumnType {
  return l.name === 'BIGINT' || l.name === 'LARGEINT' || r.name === 'BIGINT' || r.name === 'LARGEINT' ? T.LARGEINT : T.BIGINT;
}

function binaryNullable(l: CompiledExpr, r: CompiledExpr, fn: (a: Value, b: Value) => Value, type: ColumnType, alwaysNullable = false): CompiledExpr {
  const le = l.evaluate;
  const re = r.evaluate;
  return makeExpr(
    (row) => {
      const a = le(row);
      if (a === null) return null;
      const b = re(row);
      if (b === null) return null;
      return fn(a, b);
    },
    type,
    [l, r],
    alwaysNullable || l.nullable || r.nullable,
  );
}

function decimalOp(op: BinaryOperator, l: CompiledExpr, r: CompiledExpr): CompiledExpr | undefined {
  const a = asDecimal(l.type);
  const b = asDecimal(r.type);
  const intDigits = Math.max(a.precision - a.scale, b.precision - b.scale);
  switch (op) {
    case '+':
    case '-':
    case '%': {
      const scale = Math.max(a.scale, b.scale);
      const precision = Math.min(38, intDigits + scale + (op === '%' ? 0 : 1));
      const type: ColumnType = { name: 'DECIMAL', precision: Math.max(precision, scale), scale };
      return binaryNullable(
        l,
        r,
        (x, y) => {
          const u = toScaled(x, scale);
          const v = toScaled(y, scale);
          if (u === null || v === null) return null;
          if (op === '%') return v === 0n ? null : formatScaled(u % v, scale);
          return formatScaled(op === '+' ? u + v : u - v, scale);
        },
        type,
        op === '%',
      );
    }
    case '*': {
      const scale = a.scale + b.scale;
      if (scale > 38) return undefined;
      const type: ColumnType = { name: 'DECIMAL', precision: Math.max(scale, Math.min(38, a.precision + b.precision)), scale };
      return binaryNullable(
        l,
        r,
        (x, y) => {
          const u = toScaled(x, a.scale);
          const v = toScaled(y, b.scale);
          return u === null || v === null ? null : formatScaled(u * v, scale);
        },
        type,
      );
    }
    case '/': {
      // StarRocks DECIMALV3 division: the dividend's scale grows by 6 (capped at 12, or kept when already larger).
      const scale = a.scale <= 6 ? a.scale + 6 : a.scale <= 12 ? 12 : a.scale;
      const type: ColumnType = { name: 'DECIMAL', precision: 38, scale };
      return binaryNullable(
        l,
        r,
        (x, y) => {
          const u = toScaled(x, a.scale);
          const v = toScaled(y, b.scale);
          if (u === null || v === null || v === 0n) return null;
          // u/10^sa ÷ v/10^sb at scale s = u·10^(s - sa + sb) / v
          return formatScaled(divRoundHalfUp(u * pow10(scale - a.scale + b.scale), v), scale);
        },
        type,
        true,
      );
    }
    default:
      return undefined;
  }
}

/** Compile `l op r` for + - * / % DIV. */
export function compileArithmetic(op: '+' | '-' | '*' | '/' | '%' | 'DIV', l: CompiledExpr, r: CompiledExpr): CompiledExpr {
  const kind = combine(kindOf(l.type), kindOf(r.type));
  if (op === 'DIV') {
    return binaryNullable(
      l,
      r,
      (x, y) => {
        if (kind === 'int') {
          const u = toBigInt(x);
          const v = toBigInt(y);
          return u === null || v === null || v === 0n ? null : u / v;
        }
        const u = toDouble(x);
        const v = toDouble(y);
        if (u === null || v === null || v === 0) return null;
        const q = Math.trunc(u / v);
        return Number.isFinite(q) ? BigInt(q) : null;
      },
      T.BIGINT,
      true,
    );
  }
  if (kind === 'decimal') {
    const d = decimalOp(op, l, r);
    if (d) return d;
  }
  if (kind === 'int' && op !== '/') {
    const type = op === '%' ? intResultType(l.type, r.type) : intResultType(l.type, r.type);
    const large = type.name === 'LARGEINT';
    return binaryNullable(
      l,
      r,
      (x, y) => {
        const u = toBigInt(x);
        const v = toBigInt(y);
        if (u === null || v === null) return null;
        let out: bigint;
        switch (op) {
          case '+':
            out = u + v;
            break;
          case '-':
            out = u - v;
            break;
          case '*':
            out = u * v;
            break;
          default:
            if (v === 0n) return null;
            out = u % v;
        }
        return large ? BigInt.asIntN(LARGEINT_BITS, out) : out;
      },
      type,
      op === '%',
    );
  }
  return binaryNullable(
    l,
    r,
    (x, y) => {
      const u = toDouble(x);
      const v = toDouble(y);
      if (u === null || v === null) return null;
      switch (op) {
        case '+':
          return u + v;
        case '-':
          return u - v;
        case '*':
          return u * v;
        case '/':
          return v === 0 ? null : u / v;
        default:
          return v === 0 ? null : u % v;
      }
    },
    T.DOUBLE,
    op === '/' || op === '%',
  );
}

/** Unary minus keeping the operand's type family (integers stay exact, decimals stay canonical). */
export function compileNegate(e: CompiledExpr): CompiledExpr {
  const ev = e.evaluate;
  const kind = kindOf(e.type);
  const type: ColumnType = kind === 'int' ? (e.type.name === 'BOOLEAN' ? T.TINYINT : e.type) : kind === 'decimal' ? e.type : T.DOUBLE;
  return makeExpr(
    (row) => {
      const v = ev(row);
      if (v === null) return null;
      if (typeof v === 'bigint') return -v;
      if (typeof v === 'boolean') return v ? -1 : 0;
      if (typeof v === 'number') return v === 0 ? 0 : -v;
      if (kind === 'decimal') return v.startsWith('-') ? v.slice(1) : /^0(\.0*)?$/.test(v) ? v : `-${v}`;
      const n = toDouble(v);
      return n === null ? null : -n;
    },
    type,
    [e],
    e.nullable,
  );
}
