import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Expr } from '../../../grammar/ast.ts';
import { isSqlError } from '../../../src/errors/index.ts';
import { compileExpr } from '../../../src/sql/eval/compile.ts';
import { exprToSql } from '../../../src/sql/eval/expr-to-sql.ts';
import { EMPTY_SCOPE, type Scope } from '../../../src/sql/eval/scope.ts';
import { formatValue } from '../../../src/types/format.ts';
import type { Value } from '../../../src/types/value.ts';
import { bin, col, fn, not, nul, num, str, testContext } from '../helpers.ts';

// Session time is local time; pin it so the from_unixtime round-trip has no DST-ambiguous hour.
process.env.TZ = 'UTC';
const ctx = testContext();

/** Evaluate a constant expression to result text. */
function run(e: Expr, scope: Scope = EMPTY_SCOPE, row: readonly Value[] = []): string | null {
  const c = compileExpr(e, { scope, ctx });
  return formatValue(c.evaluate(row), c.type);
}

function errOf(f: () => unknown): { errno: number; message: string } {
  try {
    f();
  } catch (e) {
    if (isSqlError(e)) return { errno: e.errno, message: e.message };
    throw e;
  }
  throw new Error('expected an error');
}

const scope: Scope = {
  columns: [
    { name: 'a', qualifiers: ['db', 't'], type: { name: 'INT' }, nullable: true },
    { name: 'b', qualifiers: ['db', 't'], type: { name: 'INT' }, nullable: true },
    { name: 's', qualifiers: ['db', 't'], type: { name: 'VARCHAR', length: 20 }, nullable: true },
    { name: 'd', qualifiers: ['db', 't'], type: { name: 'DATE' }, nullable: true },
    { name: 'x', qualifiers: ['db', 't'], type: { name: 'DECIMAL', precision: 10, scale: 2 }, nullable: true },
  ],
};

describe('reference model: integer arithmetic, comparison, 3VL', () => {
  const intOrNull = fc.option(fc.integer({ min: -1_000_000, max: 1_000_000 }), { nil: null });
  const model = {
    arith: (op: string, a: number | null, b: number | null): bigint | number | null => {
      if (a === null || b === null) return null;
      const x = BigInt(a);
      const y = BigInt(b);
      switch (op) {
        case '+':
          return x + y;
        case '-':
          return x - y;
        case '*':
          return x * y;
        case '%':
          return y === 0n ? null : x % y;
        case 'DIV':
          return y === 0n ? null : x / y;
        default:
          return b === 0 ? null : a / b;
      }
    },
    cmp: (op: string, a: number | null, b: number | null): boolean | null => {
      if (a === null || b === null) return op === '<=>' ? a === b : null;
      return { '=': a === b, '<=>': a === b, '!=': a !== b, '<': a < b, '<=': a <= b, '>': a > b, '>=': a >= b }[op] ?? null;
    },
  };

  it('arithmetic matches exact BigInt math; / is double; x/0 is NULL', () => {
    fc.assert(
      fc.property(intOrNull, intOrNull, (a, b) => {
        for (const op of ['+', '-', '*', '/', '%', 'DIV'] as const) {
          const got = run(bin(op, col('a'), col('b')), scope, [a, b, null, null, null]);
          const want = model.arith(op, a, b);
          expect(got).toBe(want === null ? null : formatValue(want));
        }
      }),
    );
  });

  it('comparisons match the model including NULL handling', () => {
    fc.assert(
      fc.property(intOrNull, intOrNull, (a, b) => {
        for (const op of ['=', '<=>', '!=', '<', '<=', '>', '>='] as const) {
          const want = model.cmp(op, a, b);
          expect(run(bin(op, col('a'), col('b')), scope, [a, b, null, null, null])).toBe(want === null ? null : want ? '1' : '0');
        }
      }),
    );
  });

  it('AND/OR/NOT/XOR follow three-valued logic', () => {
    const tv = fc.constantFrom<boolean | null>(true, false, null);
    const lit = (v: boolean | null): Expr => (v === null ? nul : { kind: 'BooleanLiteral', value: v });
    const and = (a: boolean | null, b: boolean | null): boolean | null => (a === false || b === false ? false : a === null || b === null ? null : true);
    const or = (a: boolean | null, b: boolean | null): boolean | null => (a === true || b === true ? true : a === null || b === null ? null : false);
    const show = (v: boolean | null): string | null => (v === null ? null : v ? '1' : '0');
    fc.assert(
      fc.property(tv, tv, (a, b) => {
        expect(run(bin('AND', lit(a), lit(b)))).toBe(show(and(a, b)));
        expect(run(bin('OR', lit(a), lit(b)))).toBe(show(or(a, b)));
        expect(run(bin('XOR', lit(a), lit(b)))).toBe(show(a === null || b === null ? null : a !== b));
        expect(run(not(lit(a)))).toBe(show(a === null ? null : !a));
      }),
    );
  });

  it('expression columns printed by exprToSql re-render identically (stable names)', () => {
    const e = bin('*', bin('+', col('a'), num(1)), bin('-', col('b'), bin('-', num(2), num(3))));
    expect(exprToSql(e)).toBe('(a + 1) * (b - (2 - 3))');
    expect(exprToSql(fn('count', { kind: 'Star' }))).toBe('count(*)');
    expect(exprToSql(bin('AND', bin('OR', col('a'), col('b')), col('s')))).toBe('(a OR b) AND s');
    expect(exprToSql(col('a', 't'), { quote: true })).toBe('`t`.`a`');
  });
});

describe('numeric typing', () => {
  it('decimals are exact; division by zero is NULL; DIV and %', () => {
    expect(run(bin('+', num('0.1'), num('0.2')))).toBe('0.3');
    expect(run(bin('*', num('1.25'), num('2.5')))).toBe('3.125');
    expect(run(bin('/', num('1.0'), num('3')))).toBe('0.3333333');
    expect(run(bin('/', num(1), num(0)))).toBeNull();
    expect(run(bin('/', num('1.5'), num(0)))).toBeNull();
    expect(run(bin('DIV', num(7), num(2)))).toBe('3');
    expect(run(bin('%', num(-7), num(2)))).toBe('-1');
    expect(run(bin('+', num('1e0'), num('0.5')))).toBe('1.5');
    expect(run(bin('+', num('9223372036854775807'), num(1)))).toBe('9223372036854775808');
    expect(run({ kind: 'Unary', op: '-', operand: num('2.50') })).toBe('-2.50');
  });
  it('string vs number compares numerically; date vs string as dates', () => {
    expect(run(bin('=', str('10'), num(10)))).toBe('1');
    expect(run(bin('<', str('9'), num(10)))).toBe('1');
    expect(run(bin('<', str('9'), str('10')))).toBe('0');
    expect(run(bin('=', str('abc'), num(0)))).toBeNull();
    expect(run(bin('>', col('d'), str('2024-1-5')), scope, [null, null, null, '2024-01-10', null])).toBe('1');
    expect(run(bin('=', col('d'), str('2024-01-10 00:00:00')), scope, [null, null, null, '2024-01-10', null])).toBe('1');
    expect(run(bin('=', col('x'), num(1)), scope, [null, null, null, null, '1.00'])).toBe('1');
  });
});

describe('predicates', () => {
  it('IN / NOT IN with NULLs, BETWEEN, LIKE, REGEXP, IS NULL, CASE, CAST', () => {
    const inE = (e: Expr, list: Expr[], n = false): Expr => ({ kind: 'In', expr: e, list, not: n });
    expect(run(inE(num(1), [num(1), num(2)]))).toBe('1');
    expect(run(inE(num(3), [num(1), nul]))).toBeNull();
    expect(run(inE(num(3), [num(1), num(2)], true))).toBe('1');
    expect(run(inE(str('b'), [str('a'), str('b')]))).toBe('1');
    expect(run(inE(num(2), [str('2'), num(5)]))).toBe('1');
    expect(run({ kind: 'Between', expr: num(5), low: num(1), high: num(5), not: false })).toBe('1');
    expect(run({ kind: 'Between', expr: num(6), low: num(1), high: nul, not: false })).toBeNull();
    expect(run({ kind: 'Between', expr: num(6), low: num(7), high: nul, not: false })).toBe('0');
    const like = (v: string, p: string, escape?: string): string | null =>
      run({ kind: 'Like', op: 'LIKE', expr: str(v), pattern: str(p), not: false, ...(escape ? { escape: str(escape) } : {}) });
    expect(like('abc', 'a%')).toBe('1');
    expect(like('abc', 'a_c')).toBe('1');
    expect(like('abc', 'A%')).toBe('0');
    expect(like('a%c', 'a\\%c')).toBe('1');
    expect(like('abc', 'a\\%c')).toBe('0');
    expect(like('a%c', 'a!%c', '!')).toBe('1');
    expect(like('a.c', 'a.c')).toBe('1');
    expect(like('abc', 'a.c')).toBe('0');
    expect(run({ kind: 'Like', op: 'REGEXP', expr: str('abc123'), pattern: str('[0-9]+$'), not: false })).toBe('1');
    expect(run({ kind: 'IsNull', expr: nul, not: false })).toBe('1');
    expect(run({ kind: 'Case', whens: [{ when: bin('>', num(1), num(2)), then: str('x') }], else: str('y') })).toBe('y');
    expect(run({ kind: 'Case', operand: num(2), whens: [{ when: num(1), then: num(10) }, { when: num(2), then: num('2.5') }] })).toBe('2.5');
    expect(run({ kind: 'Case', operand: num(3), whens: [{ when: num(1), then: num(10) }] })).toBeNull();
    const cast = (e: Expr, name: 'INT' | 'DATE' | 'VARCHAR' | 'DECIMAL' | 'DOUBLE', extra = {}): string | null => run({ kind: 'Cast', expr: e, type: { kind: 'DataType', name, ...extra } });
    expect(cast(str('42'), 'INT')).toBe('42');
    expect(cast(str('abc'), 'INT')).toBeNull();
    expect(cast(str('2024-02-30'), 'DATE')).toBeNull();
    expect(cast(num('3.14159'), 'DECIMAL', { precision: 5, scale: 2 })).toBe('3.14');
    expect(cast(num(7), 'VARCHAR')).toBe('7');
    expect(cast(str('1e3'), 'DOUBLE')).toBe('1000');
  });
});

describe('function library', () => {
  const cases: [Expr, string | null][] = [
    [fn('concat', str('a'), num(1), str('b')), 'a1b'],
    [fn('concat', str('a'), nul), null],
    [fn('concat_ws', str('-'), str('a'), nul, str('b')), 'a-b'],
    [fn('length', str('héllo')), '6'],
    [fn('char_length', str('héllo')), '5'],
    [fn('upper', str('abc')), 'ABC'],
    [fn('lcase', str('ABC')), 'abc'],
    [fn('substr', str('hello'), num(2), num(3)), 'ell'],
    [fn('substring', str('hello'), num(-3)), 'llo'],
    [fn('substr', str('hello'), num(0)), ''],
    [fn('left', str('hello'), num(2)), 'he'],
    [fn('right', str('hello'), num(2)), 'lo'],
    [fn('trim', str('  x  ')), 'x'],
    [fn('ltrim', str('  x ')), 'x '],
    [fn('rtrim', str(' x  ')), ' x'],
    [fn('replace', str('aXbX'), str('X'), str('-')), 'a-b-'],
    [fn('lpad', str('5'), num(3), str('0')), '005'],
    [fn('rpad', str('hello'), num(2), str('x')), 'he'],
    [fn('reverse', str('abc')), 'cba'],
    [fn('instr', str('foobar'), str('bar')), '4'],
    [fn('locate', str('o'), str('foo'), num(3)), '3'],
    [fn('split_part', str('a,b,c'), str(','), num(2)), 'b'],
    [fn('split_part', str('a,b,c'), str(','), num(5)), null],
    [fn('repeat', str('ab'), num(3)), 'ababab'],
    [fn('starts_with', str('hello'), str('he')), '1'],
    [fn('ends_with', str('hello'), str('x')), '0'],
    [fn('md5', str('abc')), '900150983cd24fb0d6963f7d28e17f72'],
    [fn('abs', num(-5)), '5'],
    [fn('abs', num('-2.50')), '2.50'],
    [fn('ceil', num('1.2')), '2'],
    [fn('ceil', num('-1.2')), '-1'],
    [fn('floor', num('-1.2')), '-2'],
    [fn('floor', num('1.5e0')), '1'],
    [fn('round', num('2.5')), '3'],
    [fn('round', num('-2.5')), '-3'],
    [fn('round', num('1.2345'), num(2)), '1.23'],
    [fn('round', num('2.675e0'), num(2)), '2.68'],
    [fn('round', num(15)), '15'],
    [fn('truncate', num('1.999'), num(1)), '1.9'],
    [fn('mod', num(10), num(3)), '1'],
    [fn('pow', num(2), num(10)), '1024'],
    [fn('sqrt', num(16)), '4'],
    [fn('sqrt', num(-1)), null],
    [fn('ln', num(1)), '0'],
    [fn('log', num(2), num(8)), '3'],
    [fn('log2', num(8)), '3'],
    [fn('log10', num(1000)), '3'],
    [fn('exp', num(0)), '1'],
    [fn('sign', num(-3)), '-1'],
    [fn('pi'), '3.141592653589793'],
    [fn('greatest', num(1), num(3), num(2)), '3'],
    [fn('least', str('b'), str('a')), 'a'],
    [fn('greatest', num(1), nul), null],
    [fn('if', bin('>', num(2), num(1)), str('yes'), str('no')), 'yes'],
    [fn('if', nul, num(1), num(2)), '2'],
    [fn('ifnull', nul, num(5)), '5'],
    [fn('nullif', num(5), num(5)), null],
    [fn('nullif', num(5), num(6)), '5'],
    [fn('coalesce', nul, nul, str('z')), 'z'],
    [fn('isnull', nul), '1'],
    [fn('now'), '2024-01-15 10:30:00'],
    [fn('year', str('2024-03-05')), '2024'],
    [fn('quarter', str('2024-08-05')), '3'],
    [fn('month', str('2024-03-05')), '3'],
    [fn('day', str('2024-03-05')), '5'],
    [fn('dayofweek', str('2024-03-05')), '3'],
    [fn('dayofyear', str('2024-03-05')), '65'],
    [fn('hour', str('2024-03-05 07:08:09')), '7'],
    [fn('minute', str('2024-03-05 07:08:09')), '8'],
    [fn('second', str('2024-03-05 07:08:09')), '9'],
    [fn('date', str('2024-03-05 07:08:09')), '2024-03-05'],
    [fn('to_date', str('2024-03-05 07:08:09')), '2024-03-05'],
    [fn('date_format', str('2024-03-05 17:08:09'), str('%Y-%m-%d %h:%i %p %a %b %e %D %%')), '2024-03-05 05:08 PM Tue Mar 5 5th %'],
    [fn('date_add', str('2024-01-31'), { kind: 'Interval', value: num(1), unit: 'MONTH' }), '2024-02-29 00:00:00'],
    [fn('date_sub', { kind: 'TypedLiteral', type: 'DATE', value: '2024-03-01' }, { kind: 'Interval', value: num(1), unit: 'DAY' }), '2024-02-29'],
    [fn('days_add', { kind: 'TypedLiteral', type: 'DATE', value: '2024-12-31' }, num(1)), '2025-01-01'],
    [bin('+', { kind: 'TypedLiteral', type: 'DATETIME', value: '2024-01-01 23:00:00' }, { kind: 'Interval', value: num(2), unit: 'HOUR' }), '2024-01-02 01:00:00'],
    [fn('datediff', str('2024-03-01'), str('2024-02-01 23:59:59')), '29'],
    [fn('str_to_date', str('05/03/2024'), str('%d/%m/%Y')), '2024-03-05'],
    [fn('str_to_date', str('05/03/2024 10:11'), str('%d/%m/%Y %H:%i')), '2024-03-05 10:11:00'],
    [fn('str_to_date', str('31/02/2024'), str('%d/%m/%Y')), null],
    [fn('date_trunc', str('month'), str('2024-03-05 10:11:12')), '2024-03-01 00:00:00'],
    [fn('date_trunc', str('week'), { kind: 'TypedLiteral', type: 'DATE', value: '2024-03-07' }), '2024-03-04'],
    [fn('last_day', str('2024-02-10')), '2024-02-29'],
    [fn('year', str('not a date')), null],
    [fn('database'), 'db1'],
    [fn('schema'), 'db1'],
    [fn('user'), "'root'@'127.0.0.1'"],
    [fn('current_user'), "'root'@'%'"],
    [fn('connection_id'), '7'],
    [fn('version'), '5.7.99-tablevault'],
    [{ kind: 'VariableRef', scope: 'SESSION', name: 'version_comment' }, 'tablevault'],
    [{ kind: 'VariableRef', scope: 'USER', name: 'nothing' }, null],
  ];
  it.each(cases.map(([e, want]) => [exprToSql(e), e, want] as const))('%s', (_name, e, want) => {
    expect(run(e)).toBe(want);
  });

  it('unix_timestamp/from_unixtime round-trip', () => {
    expect(run(fn('unix_timestamp'))).toBe(String(Math.floor(Date.UTC(2024, 0, 15, 10, 30) / 1000)));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000 }), (secs) => {
        const text = run(fn('from_unixtime', num(secs)));
        expect(run(fn('unix_timestamp', str(text ?? '')))).toBe(String(secs));
      }),
      { numRuns: 200 },
    );
  });

  it('date_add by days agrees with JS UTC date math', () => {
    fc.assert(
      fc.property(fc.integer({ min: -200_000, max: 200_000 }), (days) => {
        const base = Date.UTC(2000, 0, 1);
        const want = new Date(base + days * 86_400_000).toISOString().slice(0, 10);
        expect(run(fn('date_add', { kind: 'TypedLiteral', type: 'DATE', value: '2000-01-01' }, { kind: 'Interval', value: num(days), unit: 'DAY' }))).toBe(want);
      }),
      { numRuns: 300 },
    );
  });
});

describe('errors', () => {
  it('unknown column 1054, ambiguous 1052, unknown function, wrong arity, system variable 1193', () => {
    expect(errOf(() => run(col('nope'), scope))).toEqual({ errno: 1054, message: "Unknown column 'nope' in 'field list'" });
    const dup: Scope = { columns: [...scope.columns, { name: 'a', qualifiers: ['u'], type: { name: 'INT' }, nullable: true }] };
    expect(errOf(() => run(col('a'), dup)).errno).toBe(1052);
    expect(run(col('a', 'u'), dup, [1, 2, null, null, null, 9])).toBe('9');
    expect(run(col('a', 'db', 't'), dup, [1, 2, null, null, null, 9])).toBe('1');
    expect(errOf(() => run(col('a', 'zz'), scope)).errno).toBe(1064);
    const unknown = errOf(() => run(fn('foo', num(1))));
    expect(unknown.errno).toBe(1064);
    expect(unknown.message).toContain('No matching function with signature: foo(tinyint)');
    expect(errOf(() => run(fn('substr', str('x')))).message).toContain('substr() takes 2 to 3 arguments');
    expect(errOf(() => run({ kind: 'VariableRef', scope: 'DEFAULT', name: 'no_such_var' }))).toEqual({ errno: 1193, message: "Unknown system variable 'no_such_var'" });
    expect(errOf(() => run(fn('sum', num(1)))).message).toContain("Aggregate function 'sum(1)' is not allowed");
    expect(errOf(() => run({ kind: 'Interval', value: num(1), unit: 'DAY' })).errno).toBe(1064);
    expect(errOf(() => run({ kind: 'Star' })).errno).toBe(1064);
    expect(errOf(() => run({ kind: 'TypedLiteral', type: 'DATE', value: '2024-02-30' })).errno).toBe(1292);
    expect(errOf(() => run({ kind: 'Cast', expr: num(1), type: { kind: 'DataType', name: 'DECIMAL', precision: 50 } })).errno).toBe(1064);
    expect(errOf(() => run({ kind: 'Like', op: 'REGEXP', expr: str('a'), pattern: str('('), not: false })).errno).toBe(1105);
    expect(errOf(() => run(fn('date_trunc', str('fortnight'), str('2024-01-01')))).errno).toBe(1064);
  });
});
