/**
 * Joins, set operations and subqueries against SQLite: random tables (NULLs, duplicate keys), random queries,
 * the same answer from both. Each generated query carries its tablevault text and its SQLite text, which differ
 * only where the dialects spell the same thing differently (`<=>` is SQLite's `IS`, semi/anti joins are
 * EXISTS / NOT EXISTS, and SQLite's compound SELECTs need a subquery to nest).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { testContext } from '../helpers.ts';
import { engineRows, SqliteModel, tablesArb } from './sqlite-model.ts';

interface Q {
  readonly engine: string;
  readonly sqlite: string;
}
const same = (text: string): Q => ({ engine: text, sqlite: text });
const ctx = testContext();
const model = new SqliteModel();
afterAll(() => model.close());

async function check(tables: Parameters<typeof model.load>[0], q: Q): Promise<void> {
  model.load(tables);
  const expected = model.rows(q.sqlite);
  const actual = await engineRows(q.engine, tables, ctx);
  expect(actual, `${q.engine}\n(SQLite: ${q.sqlite})\ntables: ${JSON.stringify(tables)}`).toEqual(expected);
}

// ---------------------------------------------------------------------------------------------------------------
// Joins

/** ON conditions between aliases x and y, in both spellings. */
function conditionArb(x: string, y: string): fc.Arbitrary<Q> {
  return fc.constantFrom<Q>(
    same(`${x}.k = ${y}.k`),
    same(`${y}.k = ${x}.k AND ${x}.j = ${y}.j`),
    { engine: `${x}.k <=> ${y}.k`, sqlite: `${x}.k IS ${y}.k` },
    { engine: `${x}.k <=> ${y}.k AND ${x}.j <=> ${y}.j`, sqlite: `${x}.k IS ${y}.k AND ${x}.j IS ${y}.j` },
    same(`${x}.k = ${y}.k AND ${x}.j < ${y}.j`),
    same(`${x}.j < ${y}.j`),
    same(`${x}.k = ${y}.k OR ${x}.v = ${y}.v`),
    same(`${x}.k = ${y}.k AND ${y}.v = 'a'`),
    same(`${x}.k = ${y}.k AND ${x}.v <> 'b'`),
    same(`${x}.k + 1 = ${y}.j`),
    same(`${x}.v = ${y}.v AND ${x}.k IS NOT NULL`),
    same('1 = 1'),
    same('1 = 0'),
  );
}

const joinKindArb = fc.constantFrom('JOIN', 'INNER JOIN', 'LEFT JOIN', 'LEFT OUTER JOIN', 'RIGHT JOIN', 'RIGHT OUTER JOIN', 'FULL JOIN', 'FULL OUTER JOIN');

const whereArb = fc.constantFrom<Q | undefined>(
  undefined,
  same('a.j IS NULL'),
  same('b.k IS NULL'),
  same('a.k > 1'),
  same("b.v = 'a' OR a.v IS NULL"),
  same('(a.k = b.k) IS NOT TRUE'),
  { engine: '(a.j > b.j) IS UNKNOWN', sqlite: '(a.j > b.j) IS NULL' },
  { engine: 'a.k <=> b.k', sqlite: 'a.k IS b.k' },
  same('b.j IN (0, 2)'),
);

const COLS2 = 'a.k, a.j, a.v, b.k, b.j, b.v';

const twoTableJoinArb: fc.Arbitrary<Q> = fc
  .record({
    kind: joinKindArb,
    right: fc.constantFrom('t2', 't1', 't3'),
    criteria: fc.oneof(
      conditionArb('a', 'b').map((c) => ({ engine: ` ON ${c.engine}`, sqlite: ` ON ${c.sqlite}`, using: false })),
      fc.constantFrom(' USING (k)', ' USING (k, j)', ' USING (v)').map((u) => ({ ...same(u), using: true })),
    ),
    where: whereArb,
    aggregate: fc.boolean(),
  })
  .map(({ kind, right, criteria, where, aggregate }) => {
    const merged = criteria.using ? `${criteria.engine.includes('v') ? 'v' : 'k'}, ` : '';
    const list = aggregate ? 'COUNT(*), COUNT(b.k), SUM(a.j), MAX(b.v)' : `${merged}${COLS2}`;
    const from = `FROM t1 a ${kind} ${right} b`;
    return {
      engine: `SELECT ${list} ${from}${criteria.engine}${where ? ` WHERE ${where.engine}` : ''}`,
      sqlite: `SELECT ${list} ${from}${criteria.sqlite}${where ? ` WHERE ${where.sqlite}` : ''}`,
    };
  });

const commaJoinArb: fc.Arbitrary<Q> = fc
  .record({ cond: fc.option(conditionArb('a', 'b'), { nil: undefined }), cross: fc.boolean() })
  .map(({ cond, cross }) => {
    const from = cross ? 'FROM t1 a CROSS JOIN t2 b' : 'FROM t1 a, t2 b';
    return {
      engine: `SELECT ${COLS2} ${from}${cond ? ` WHERE ${cond.engine}` : ''}`,
      sqlite: `SELECT ${COLS2} ${from}${cond ? ` WHERE ${cond.sqlite}` : ''}`,
    };
  });

const threeTableJoinArb: fc.Arbitrary<Q> = fc
  .record({
    first: joinKindArb,
    second: joinKindArb,
    c1: conditionArb('a', 'b'),
    c2: fc.oneof(conditionArb('b', 'c'), conditionArb('a', 'c')),
    where: whereArb,
  })
  .map(({ first, second, c1, c2, where }) => {
    const list = `${COLS2}, c.k, c.j, c.v`;
    const w = (x: Q | undefined, side: 'engine' | 'sqlite'): string => (x ? ` WHERE ${x[side]}` : '');
    return {
      engine: `SELECT ${list} FROM t1 a ${first} t2 b ON ${c1.engine} ${second} t3 c ON ${c2.engine}${w(where, 'engine')}`,
      sqlite: `SELECT ${list} FROM t1 a ${first} t2 b ON ${c1.sqlite} ${second} t3 c ON ${c2.sqlite}${w(where, 'sqlite')}`,
    };
  });

/** LEFT/RIGHT SEMI/ANTI JOIN are EXISTS / NOT EXISTS of the other side. */
const semiAntiArb: fc.Arbitrary<Q> = fc
  .record({ side: fc.constantFrom('LEFT', 'RIGHT'), kind: fc.constantFrom('SEMI', 'ANTI'), cond: conditionArb('a', 'b') })
  .map(({ side, kind, cond }) => {
    const [kept, other, otherTable, keptTable] = side === 'LEFT' ? ['a', 'b', 't2', 't1'] : ['b', 'a', 't1', 't2'];
    const exists = `${kind === 'ANTI' ? 'NOT ' : ''}EXISTS (SELECT 1 FROM ${otherTable} ${other} WHERE ${cond.sqlite})`;
    return {
      engine: `SELECT ${kept}.k, ${kept}.j, ${kept}.v FROM t1 a ${side} ${kind} JOIN t2 b ON ${cond.engine}`,
      sqlite: `SELECT ${kept}.k, ${kept}.j, ${kept}.v FROM ${keptTable} ${kept} WHERE ${exists}`,
    };
  });

describe('joins match SQLite', () => {
  it('runs on a SQLite with RIGHT and FULL JOIN (3.39+)', () => {
    const [major, minor] = model.version().split('.').map(Number) as [number, number];
    expect(major > 3 || (major === 3 && minor >= 39)).toBe(true);
  });

  it('two-table joins: every kind, ON (hash keys, <=>, residuals, nested loop) and USING, WHERE across outer joins', async () => {
    await fc.assert(fc.asyncProperty(tablesArb, twoTableJoinArb, check), { numRuns: 250 });
  });

  it('comma and CROSS joins', async () => {
    await fc.assert(fc.asyncProperty(tablesArb, commaJoinArb, check), { numRuns: 60 });
  });

  it('three-table joins', async () => {
    await fc.assert(fc.asyncProperty(tablesArb, threeTableJoinArb, check), { numRuns: 150 });
  });

  it('semi and anti joins', async () => {
    await fc.assert(fc.asyncProperty(tablesArb, semiAntiArb, check), { numRuns: 100 });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Set operations

type SetTree = { readonly leaf: Q } | { readonly op: string; readonly sqliteOp: string; readonly left: SetTree; readonly right: SetTree };

function setTreeArb(width: 1 | 2): fc.Arbitrary<SetTree> {
  const column = fc.constantFrom('k', 'j');
  const leaf = fc
    .record({
      table: fc.constantFrom('t1', 't2', 't3'),
      cols: fc.array(column, { minLength: width, maxLength: width }),
      where: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    })
    .map(({ table, cols, where }) => ({ leaf: same(`SELECT ${cols.join(', ')} FROM ${table}${where === undefined ? '' : ` WHERE j >= ${where}`}`) }));
  const ops = fc.constantFrom(
    ['UNION', 'UNION'],
    ['UNION ALL', 'UNION ALL'],
    ['UNION DISTINCT', 'UNION'],
    ['INTERSECT', 'INTERSECT'],
    ['INTERSECT DISTINCT', 'INTERSECT'],
    ['EXCEPT', 'EXCEPT'],
    ['MINUS', 'EXCEPT'],
    ['EXCEPT DISTINCT', 'EXCEPT'],
  );
  const { tree } = fc.letrec<{ tree: SetTree }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.record({ op: ops, left: tie('tree'), right: tie('tree') }).map(({ op, left, right }) => ({ op: op[0] as string, sqliteOp: op[1] as string, left, right })),
    ),
  }));
  return tree;
}

function renderEngine(t: SetTree): string {
  return 'leaf' in t ? t.leaf.engine : `(${renderEngine(t.left)}) ${t.op} (${renderEngine(t.right)})`;
}

function renderSqlite(t: SetTree): string {
  return 'leaf' in t ? t.leaf.sqlite : `SELECT * FROM (${renderSqlite(t.left)}) ${t.sqliteOp} SELECT * FROM (${renderSqlite(t.right)})`;
}

const setOpArb: fc.Arbitrary<Q> = fc
  .record({ width: fc.constantFrom<1 | 2>(1, 2), limit: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }) })
  .chain(({ width, limit }) =>
    setTreeArb(width).map((tree) => {
      const tail = limit === undefined ? '' : ` ORDER BY ${width === 1 ? '1' : '1, 2'} LIMIT ${limit}`;
      return { engine: `${renderEngine(tree)}${tail}`, sqlite: `SELECT * FROM (${renderSqlite(tree)})${tail}` };
    }),
  );

/** Unparenthesised chains: INTERSECT binds tighter, the rest associate left to right. */
const precedenceArb: fc.Arbitrary<Q> = fc
  .tuple(fc.constantFrom('UNION', 'UNION ALL', 'EXCEPT'), fc.constantFrom('t1', 't2'), fc.constantFrom('t2', 't3'), fc.constantFrom('t3', 't1'))
  .map(([op, x, y, z]) => ({
    engine: `SELECT k FROM ${x} ${op} SELECT k FROM ${y} INTERSECT SELECT k FROM ${z}`,
    sqlite: `SELECT k FROM ${x} ${op} SELECT * FROM (SELECT k FROM ${y} INTERSECT SELECT k FROM ${z})`,
  }));

describe('set operations match SQLite', () => {
  it('UNION [ALL | DISTINCT], INTERSECT, EXCEPT / MINUS, nested, with ORDER BY / LIMIT on the whole', async () => {
    await fc.assert(fc.asyncProperty(tablesArb, setOpArb, check), { numRuns: 200 });
  });

  it('precedence of unparenthesised chains', async () => {
    await fc.assert(fc.asyncProperty(tablesArb, precedenceArb, check), { numRuns: 40 });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Subqueries

const predicateArb: fc.Arbitrary<Q> = fc.constantFrom<Q>(
  same('a.k IN (SELECT b.k FROM t2 b)'),
  same('a.k NOT IN (SELECT b.k FROM t2 b)'),
  same('a.k NOT IN (SELECT b.k FROM t2 b WHERE b.k IS NOT NULL)'),
  same('a.k IN (SELECT b.k FROM t2 b WHERE b.j = a.j)'),
  same('a.k NOT IN (SELECT b.k FROM t2 b WHERE b.j = a.j)'),
  same('EXISTS (SELECT 1 FROM t2 b WHERE b.k = a.k)'),
  same('NOT EXISTS (SELECT 1 FROM t2 b WHERE b.k = a.k AND b.j > a.j)'),
  same('a.j > (SELECT MIN(b.j) FROM t2 b)'),
  same('a.j = (SELECT MAX(b.j) FROM t2 b WHERE b.k = a.k)'),
  same('(SELECT COUNT(*) FROM t2 b WHERE b.k = a.k) > 1'),
  same('EXISTS (SELECT 1 FROM t2 b WHERE b.k = a.k AND b.j IN (SELECT c.j FROM t3 c WHERE c.k = a.k))'),
  same('a.k IN (SELECT k FROM t2 UNION SELECT j FROM t3)'),
  same('a.v IN (SELECT b.v FROM t2 b JOIN t3 c ON b.k = c.k)'),
  same('(a.k IN (SELECT b.k FROM t2 b)) IS NOT TRUE'),
  same('a.k IN (SELECT b.k FROM t2 b WHERE b.j = a.j AND b.v = a.v)'),
  same('EXISTS (SELECT 1 FROM t2 b WHERE a.k + 1 = b.j)'),
  same('(SELECT SUM(b.j) FROM t2 b WHERE b.k = a.k) IS NULL'),
  same('(SELECT COUNT(b.v) FROM t2 b WHERE b.k = a.k AND b.j > 1) = 0'),
  same('NOT EXISTS (SELECT 1 FROM t2 b JOIN t3 c ON b.k = c.k WHERE c.j = a.j)'),
);

const subqueryArb: fc.Arbitrary<Q> = fc.oneof(
  fc.record({ p: predicateArb, q: fc.option(predicateArb, { nil: undefined }), glue: fc.constantFrom('AND', 'OR', 'AND NOT') }).map(({ p, q, glue }) => ({
    engine: `SELECT a.k, a.j, a.v FROM t1 a WHERE ${p.engine}${q ? ` ${glue} ${q.engine}` : ''}`,
    sqlite: `SELECT a.k, a.j, a.v FROM t1 a WHERE ${p.sqlite}${q ? ` ${glue} ${q.sqlite}` : ''}`,
  })),
  fc.constantFrom<Q>(
    same('SELECT a.k, (SELECT COUNT(*) FROM t2 b WHERE b.k = a.k), (SELECT MAX(b.v) FROM t2 b WHERE b.j = a.j) FROM t1 a'),
    same('SELECT a.k, a.k IN (SELECT b.k FROM t2 b), EXISTS (SELECT 1 FROM t3 c WHERE c.v = a.v) FROM t1 a'),
    same('SELECT x.k, COUNT(*) FROM (SELECT k FROM t1 UNION ALL SELECT k FROM t2) x GROUP BY x.k'),
    same('SELECT COUNT(*) FROM t1 a WHERE a.k IN (SELECT k FROM t2) HAVING COUNT(*) >= (SELECT COUNT(*) FROM t3)'),
    same('SELECT a.k FROM t1 a JOIN t2 b ON a.k = b.k WHERE b.j = (SELECT MIN(c.j) FROM t3 c WHERE c.k = b.k)'),
  ),
);

describe('subqueries match SQLite', () => {
  it('IN / NOT IN (NULL semantics), EXISTS, scalar, correlated and nested, in WHERE and the select list', async () => {
    await fc.assert(fc.asyncProperty(tablesArb, subqueryArb, check), { numRuns: 200 });
  });
});
