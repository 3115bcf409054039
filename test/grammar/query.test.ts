/** Joins, set operations, subqueries in expressions, IS TRUE/FALSE/UNKNOWN and ALTER VIEW. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Expr, FromItem, JoinType, QueryStmt, SelectStmt } from '../../grammar/ast.ts';
import { parseStatement } from '../../grammar/index.ts';
import { isSqlError } from '../../src/errors/index.ts';
import { queryToSql } from '../../src/sql/eval/expr-to-sql.ts';
import { bin, col, exprOf as rawExprOf, num, one, select, withoutSourceText } from './helpers.ts';

const exprOf = (sql: string): Expr => withoutSourceText(rawExprOf(sql));

const t = (name: string, alias?: string): FromItem => ({ kind: 'TableRef', name: { name }, ...(alias === undefined ? {} : { alias }) });
const join = (type: JoinType, left: FromItem, right: FromItem, extra: { on?: Expr; using?: readonly string[]; hint?: string } = {}): FromItem => ({
  kind: 'Join',
  type,
  left,
  right,
  ...extra,
});
const fromOf = (sql: string): FromItem | undefined => (one(sql) as SelectStmt).from;
const block = (n: string): SelectStmt => select({ items: [{ kind: 'SelectExpr', expr: num(n) }] });

function syntaxError(sql: string): { errno: number; message: string } {
  try {
    parseStatement(sql);
  } catch (e) {
    if (isSqlError(e)) return { errno: e.errno, message: e.message };
    throw e;
  }
  throw new Error(`parsed: ${sql}`);
}

describe('joins', () => {
  const on = bin('=', col('k', 'a'), col('k', 'b'));

  it('parses every join kind, with and without OUTER', () => {
    const cases: [string, JoinType][] = [
      ['JOIN', 'INNER'],
      ['INNER JOIN', 'INNER'],
      ['CROSS JOIN', 'CROSS'],
      ['LEFT JOIN', 'LEFT'],
      ['LEFT OUTER JOIN', 'LEFT'],
      ['RIGHT JOIN', 'RIGHT'],
      ['right outer join', 'RIGHT'],
      ['FULL JOIN', 'FULL'],
      ['FULL OUTER JOIN', 'FULL'],
      ['LEFT SEMI JOIN', 'LEFT SEMI'],
      ['LEFT ANTI JOIN', 'LEFT ANTI'],
      ['RIGHT SEMI JOIN', 'RIGHT SEMI'],
      ['RIGHT ANTI JOIN', 'RIGHT ANTI'],
    ];
    for (const [written, type] of cases) {
      expect(fromOf(`SELECT * FROM t1 a ${written} t2 b ON a.k = b.k`), written).toEqual(join(type, t('t1', 'a'), t('t2', 'b'), { on }));
    }
  });

  it('parses USING, hints, joins without a condition and aliases with AS', () => {
    expect(fromOf('SELECT * FROM t1 AS a FULL JOIN t2 b USING (k, `j`)')).toEqual(join('FULL', t('t1', 'a'), t('t2', 'b'), { using: ['k', 'j'] }));
    expect(fromOf('SELECT * FROM t1 a JOIN [broadcast] t2 b ON a.k = b.k')).toEqual(join('INNER', t('t1', 'a'), t('t2', 'b'), { on, hint: 'BROADCAST' }));
    expect(fromOf('SELECT * FROM t1 JOIN t2')).toEqual(join('INNER', t('t1'), t('t2')));
  });

  it('nests left-deep; a comma binds looser than JOIN; parentheses group', () => {
    expect(fromOf('SELECT * FROM a JOIN b ON x LEFT JOIN c ON y')).toEqual(
      join('LEFT', join('INNER', t('a'), t('b'), { on: col('x') }), t('c'), { on: col('y') }),
    );
    expect(fromOf('SELECT * FROM a, b JOIN c ON y, d')).toEqual(join('CROSS', join('CROSS', t('a'), join('INNER', t('b'), t('c'), { on: col('y') })), t('d')));
    expect(fromOf('SELECT * FROM a JOIN (b JOIN c ON y) ON x')).toEqual(join('INNER', t('a'), join('INNER', t('b'), t('c'), { on: col('y') }), { on: col('x') }));
    expect(fromOf('SELECT * FROM (a, b)')).toEqual(join('CROSS', t('a'), t('b')));
  });

  it('joins subqueries (however parenthesised) and table functions', () => {
    const from = fromOf('SELECT * FROM ((SELECT 1) UNION (SELECT 2)) s JOIN TABLE(generate_series(1, 2)) g ON TRUE');
    expect(from).toMatchObject({
      kind: 'Join',
      left: { kind: 'SubqueryRef', alias: 's', query: { kind: 'SetOperation', op: 'UNION' } },
      right: { kind: 'TableFunctionRef', name: 'generate_series', alias: 'g' },
    });
  });

  it('asks for the alias a derived table needs', () => {
    const e = syntaxError('SELECT * FROM (SELECT 1) JOIN t');
    expect(e.errno).toBe(1064);
    expect(e.message).toContain('Every derived table must have its own alias');
  });

  it('keeps JOIN words reserved, so they never become aliases', () => {
    expect(fromOf('SELECT * FROM t1 inner join t2')).toEqual(join('INNER', t('t1'), t('t2')));
    expect(syntaxError('SELECT * FROM t1 join').message).toContain('at end of input');
    expect(syntaxError('SELECT * FROM t1 JOIN t2 USING ()').errno).toBe(1064);
    expect(syntaxError('SELECT * FROM t1 OUTER JOIN t2 ON x').errno).toBe(1064);
    expect(syntaxError('SELECT * FROM t1 FULL SEMI JOIN t2 ON x').errno).toBe(1064);
    expect(syntaxError('SELECT * FROM t1 JOIN t2 ON').message).toContain('at end of input');
  });

  it('leaves semi, anti and unknown usable as names', () => {
    expect(one('SELECT semi, anti, unknown FROM t semi')).toMatchObject({ from: { kind: 'TableRef', alias: 'semi' } });
  });
});

describe('set operations', () => {
  it('binds INTERSECT tighter than UNION / EXCEPT, which associate left to right', () => {
    expect(one('SELECT 1 UNION SELECT 2 INTERSECT SELECT 3 EXCEPT SELECT 4 MINUS ALL SELECT 5')).toEqual({
      kind: 'SetOperation',
      op: 'EXCEPT',
      distinct: false,
      left: {
        kind: 'SetOperation',
        op: 'EXCEPT',
        distinct: true,
        left: { kind: 'SetOperation', op: 'UNION', distinct: true, left: block('1'), right: { kind: 'SetOperation', op: 'INTERSECT', distinct: true, left: block('2'), right: block('3'), orderBy: [] }, orderBy: [] },
        right: block('4'),
        orderBy: [],
      },
      right: block('5'),
      orderBy: [],
    });
  });

  it('puts a trailing ORDER BY / LIMIT on the whole, and a parenthesised one on its operand', () => {
    expect(one('SELECT 1 UNION ALL SELECT 2 ORDER BY 1 DESC LIMIT 1')).toMatchObject({
      kind: 'SetOperation',
      distinct: false,
      right: { kind: 'Select', orderBy: [] },
      orderBy: [{ expr: num('1'), descending: true }],
      limit: { count: 1, offset: 0 },
    });
    expect(one('(SELECT 1 ORDER BY 1 LIMIT 1) UNION DISTINCT (SELECT 2)')).toMatchObject({
      kind: 'SetOperation',
      left: { kind: 'Select', limit: { count: 1 } },
      orderBy: [],
    });
    // A parenthesised query with its own LIMIT and an outer one: the inner becomes a derived table.
    expect(one('(SELECT 1 LIMIT 2) LIMIT 1')).toMatchObject({ kind: 'Select', from: { kind: 'SubqueryRef', query: { limit: { count: 2 } } }, limit: { count: 1 } });
  });

  it('parses a random chain like a precedence-climbing reference would', () => {
    const ops = ['UNION', 'UNION ALL', 'INTERSECT', 'EXCEPT', 'MINUS', 'UNION DISTINCT', 'INTERSECT DISTINCT'] as const;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ops), { minLength: 1, maxLength: 6 }), (chosen) => {
        const sql = chosen.reduce((acc, op, i) => `${acc} ${op} SELECT ${i + 2}`, 'SELECT 1');
        // Reference: fold the INTERSECT runs first, then the rest left to right.
        type Node = QueryStmt;
        const mk = (op: string, left: Node, right: Node): Node => ({
          kind: 'SetOperation',
          op: op.startsWith('UNION') ? 'UNION' : op.startsWith('INTERSECT') ? 'INTERSECT' : 'EXCEPT',
          distinct: !op.endsWith('ALL'),
          left,
          right,
          orderBy: [],
        });
        const terms: Node[] = [block('1')];
        const between: string[] = [];
        chosen.forEach((op, i) => {
          const next = block(String(i + 2));
          if (op.startsWith('INTERSECT')) terms[terms.length - 1] = mk(op, terms[terms.length - 1] as Node, next);
          else {
            between.push(op);
            terms.push(next);
          }
        });
        const expected = between.reduce((acc, op, i) => mk(op, acc, terms[i + 1] as Node), terms[0] as Node);
        expect(one(sql)).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });

  it('rejects a dangling operator', () => {
    expect(syntaxError('SELECT 1 UNION').message).toContain('at end of input');
    expect(syntaxError('SELECT 1 UNION ORDER BY 1').errno).toBe(1064);
  });
});

describe('subqueries in expressions', () => {
  const sub = (n: string): QueryStmt => block(n);

  it('parses scalar, EXISTS, NOT EXISTS, IN and NOT IN subqueries', () => {
    expect(exprOf('(SELECT 1)')).toEqual({ kind: 'Subquery', query: sub('1') });
    expect(exprOf('((SELECT 1))')).toEqual({ kind: 'Subquery', query: sub('1') });
    expect(exprOf('EXISTS (SELECT 1)')).toEqual({ kind: 'Exists', query: sub('1') });
    expect(exprOf('NOT EXISTS (SELECT 1)')).toEqual({ kind: 'Unary', op: 'NOT', operand: { kind: 'Exists', query: sub('1') } });
    expect(exprOf('a IN (SELECT 1)')).toEqual({ kind: 'InSubquery', expr: col('a'), query: sub('1'), not: false });
    expect(exprOf('a NOT IN (SELECT 1 UNION SELECT 2)')).toMatchObject({ kind: 'InSubquery', not: true, query: { kind: 'SetOperation' } });
    // A list whose items are parenthesised values stays a list.
    expect(exprOf('a IN ((1), (2))')).toEqual({ kind: 'In', expr: col('a'), list: [num('1'), num('2')], not: false });
    expect(exprOf('(SELECT 1) + 1')).toEqual(bin('+', { kind: 'Subquery', query: sub('1') }, num('1')));
  });

  it('parses subqueries anywhere a value goes, nested', () => {
    const stmt = one('SELECT (SELECT MAX(b.v) FROM b WHERE b.k = a.k) m FROM a WHERE EXISTS (SELECT 1 FROM b WHERE b.k IN (SELECT k FROM c)) HAVING COUNT(*) > (SELECT 1)');
    expect(stmt).toMatchObject({
      items: [{ kind: 'SelectExpr', alias: 'm', expr: { kind: 'Subquery' } }],
      where: { kind: 'Exists', query: { where: { kind: 'InSubquery' } } },
      having: { kind: 'Binary', right: { kind: 'Subquery' } },
    });
  });

  it('rejects an unclosed subquery', () => {
    expect(syntaxError('SELECT a IN (SELECT 1').message).toContain('at end of input');
    expect(syntaxError('SELECT EXISTS SELECT 1').errno).toBe(1064);
  });
});

describe('IS [NOT] TRUE | FALSE | UNKNOWN', () => {
  it('parses every form, after comparisons (a <=> b IS NOT TRUE is (a <=> b) IS NOT TRUE)', () => {
    for (const truth of ['TRUE', 'FALSE', 'UNKNOWN'] as const) {
      for (const notWord of ['', 'NOT '] as const) {
        expect(exprOf(`x IS ${notWord}${truth}`)).toEqual({ kind: 'IsTruth', expr: col('x'), truth, not: notWord !== '' });
      }
    }
    expect(exprOf('a.v <=> b.v IS NOT TRUE')).toEqual({ kind: 'IsTruth', expr: bin('<=>', col('v', 'a'), col('v', 'b')), truth: 'TRUE', not: true });
    expect(exprOf('x IS NULL')).toEqual({ kind: 'IsNull', expr: col('x'), not: false });
  });
});

describe('ALTER VIEW', () => {
  it('parses column lists and keeps the query text', () => {
    expect(one('ALTER VIEW db.v (a COMMENT "first", b) AS SELECT 1, 2 UNION SELECT 3, 4')).toMatchObject({
      kind: 'AlterView',
      name: { db: 'db', name: 'v' },
      columns: [{ name: 'a', comment: 'first' }, { name: 'b' }],
      query: { kind: 'SetOperation' },
      queryText: 'SELECT 1, 2 UNION SELECT 3, 4',
    });
    expect(syntaxError('ALTER VIEW v SELECT 1').errno).toBe(1064);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Round trip: random join trees and set-operation trees, printed by queryToSql, parse back to the same tree.

const nameArb = fc.constantFrom('t1', 't2', 'orders', 'x');
const condArb: fc.Arbitrary<Expr> = fc.constantFrom(bin('=', col('k', 'a'), col('k', 'b')), bin('<=>', col('j'), num('1')), bin('AND', col('p'), col('q')));
const leafArb: fc.Arbitrary<FromItem> = fc.record({ name: nameArb, alias: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined }) }).map(({ name, alias }) => t(name, alias));
const typeArb = fc.constantFrom<JoinType>('INNER', 'CROSS', 'LEFT', 'RIGHT', 'FULL', 'LEFT SEMI', 'LEFT ANTI', 'RIGHT SEMI', 'RIGHT ANTI');
const { from: fromArb } = fc.letrec<{ from: FromItem }>((tie) => ({
  from: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafArb,
    fc
      .record({
        type: typeArb,
        left: tie('from'),
        right: tie('from'),
        criteria: fc.oneof(fc.constant({}), condArb.map((on) => ({ on })), fc.constantFrom({ using: ['k'] }, { using: ['k', 'j'] })),
        hint: fc.option(fc.constantFrom('BROADCAST', 'SHUFFLE'), { nil: undefined }),
      })
      .map(({ type, left, right, criteria, hint }): FromItem => join(type, left, right, { ...criteria, ...(hint === undefined ? {} : { hint }) })),
  ),
}));
const blockArb: fc.Arbitrary<SelectStmt> = fc.record({ from: fromArb, n: fc.nat(9) }).map(({ from, n }) => select({ items: [{ kind: 'SelectExpr', expr: num(String(n)) }], from }));
const { query: queryArb } = fc.letrec<{ query: QueryStmt }>((tie) => ({
  query: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    blockArb,
    fc
      .record({ op: fc.constantFrom('UNION', 'INTERSECT', 'EXCEPT'), distinct: fc.boolean(), left: tie('query'), right: tie('query') })
      .map(({ op, distinct, left, right }): QueryStmt => ({ kind: 'SetOperation', op: op as 'UNION', distinct, left, right, orderBy: [] })),
  ),
}));

describe('round trip', () => {
  it('prints joins and set operations as SQL that parses back to the same tree', () => {
    fc.assert(
      fc.property(queryArb, (q) => {
        expect(one(queryToSql(q))).toEqual(q);
      }),
      { numRuns: 200 },
    );
  });
});
