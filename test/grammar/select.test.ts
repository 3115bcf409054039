import { describe, expect, it } from 'vitest';
import { parseStatement } from '../../grammar/index.ts';
import { bin, col, exprOf, fn, not, num, one, select, str } from './helpers.ts';

describe('SELECT', () => {
  it('parses the probes real MySQL clients send', () => {
    expect(one('select @@version_comment limit 1')).toEqual(
      select({ items: [{ kind: 'SelectExpr', expr: { kind: 'VariableRef', scope: 'DEFAULT', name: 'version_comment' } }], limit: { count: 1, offset: 0 } }),
    );
    expect(one('SELECT DATABASE(), USER() limit 1')).toEqual(
      select({
        items: [
          { kind: 'SelectExpr', expr: fn('database') },
          { kind: 'SelectExpr', expr: fn('user') },
        ],
        limit: { count: 1, offset: 0 },
      }),
    );
    const charset = one('select @@character_set_client, @@character_set_connection, @@character_set_server, @@character_set_database limit 1');
    expect(charset.kind === 'Select' && charset.items.length).toBe(4);
    expect(one('SELECT @@session.auto_increment_increment AS x')).toEqual(
      select({ items: [{ kind: 'SelectExpr', expr: { kind: 'VariableRef', scope: 'SESSION', name: 'auto_increment_increment' }, alias: 'x' }] }),
    );
  });

  it('parses every clause', () => {
    expect(
      one('SELECT DISTINCT a, t.b AS bee, c cee, * , t.* FROM db.t PARTITION (p1, p2) AS t WHERE a > 1 GROUP BY a, 2 HAVING count(*) > 1 ORDER BY a DESC NULLS FIRST, 2 LIMIT 10 OFFSET 5'),
    ).toEqual(
      select({
        distinct: true,
        items: [
          { kind: 'SelectExpr', expr: col('a') },
          { kind: 'SelectExpr', expr: col('b', 't'), alias: 'bee' },
          { kind: 'SelectExpr', expr: col('c'), alias: 'cee' },
          { kind: 'SelectStar' },
          { kind: 'SelectStar', table: 't' },
        ],
        from: { kind: 'TableRef', name: { db: 'db', name: 't' }, partitions: { names: ['p1', 'p2'], temporary: false }, alias: 't' },
        where: bin('>', col('a'), num('1')),
        groupBy: [col('a'), num('2')],
        having: bin('>', fn('count', [{ kind: 'Star' }]), num('1')),
        orderBy: [
          { expr: col('a'), descending: true, nulls: 'FIRST' },
          { expr: num('2'), descending: false },
        ],
        limit: { count: 10, offset: 5 },
      }),
    );
  });

  it('parses LIMIT forms', () => {
    expect(one('SELECT 1 LIMIT 3')).toMatchObject({ limit: { count: 3, offset: 0 } });
    expect(one('SELECT 1 LIMIT 2, 3')).toMatchObject({ limit: { count: 3, offset: 2 } });
    expect(one('SELECT 1 LIMIT 3 OFFSET 2')).toMatchObject({ limit: { count: 3, offset: 2 } });
  });

  it('parses table functions and subqueries', () => {
    expect(one('SELECT * FROM TABLE(generate_series(1, 10, 2)) g')).toEqual(
      select({ items: [{ kind: 'SelectStar' }], from: { kind: 'TableFunctionRef', name: 'generate_series', args: [num('1'), num('10'), num('2')], alias: 'g' } }),
    );
    expect(one('SELECT x FROM (SELECT 1 AS x) AS s')).toEqual(
      select({
        items: [{ kind: 'SelectExpr', expr: col('x') }],
        from: { kind: 'SubqueryRef', query: select({ items: [{ kind: 'SelectExpr', expr: num('1'), alias: 'x' }] }), alias: 's' },
      }),
    );
  });

  it('accepts non-reserved keywords as column names, aliases and tables', () => {
    expect(one('SELECT date, status, type, comment, timestamp, value, name FROM backup')).toEqual(
      select({
        items: ['date', 'status', 'type', 'comment', 'timestamp', 'value', 'name'].map((n) => ({ kind: 'SelectExpr' as const, expr: col(n) })),
        from: { kind: 'TableRef', name: { name: 'backup' } },
      }),
    );
    expect(one('SELECT a date FROM t')).toMatchObject({ items: [{ alias: 'date' }] });
    expect(one('SELECT `select` FROM `from`')).toMatchObject({ items: [{ expr: col('select') }], from: { name: { name: 'from' } } });
  });
});

describe('expressions', () => {
  it('parses literals', () => {
    expect(exprOf('42')).toEqual(num('42'));
    expect(exprOf('3.14')).toEqual(num('3.14'));
    expect(exprOf('1e3')).toEqual(num('1e3'));
    expect(exprOf("'it''s'")).toEqual(str("it's"));
    expect(exprOf('"say \\"hi\\"\\n"')).toEqual(str('say "hi"\n'));
    expect(exprOf("'a\\tb\\\\c\\0d\\%e\\_f\\zg'")).toEqual(str('a\tb\\c\0d\\%e\\_fzg'));
    expect(exprOf('TRUE')).toEqual({ kind: 'BooleanLiteral', value: true });
    expect(exprOf('false')).toEqual({ kind: 'BooleanLiteral', value: false });
    expect(exprOf('NULL')).toEqual({ kind: 'NullLiteral' });
    expect(exprOf("DATE '2024-01-01'")).toEqual({ kind: 'TypedLiteral', type: 'DATE', value: '2024-01-01' });
    expect(exprOf("DATETIME '2024-01-01 10:00:00'")).toEqual({ kind: 'TypedLiteral', type: 'DATETIME', value: '2024-01-01 10:00:00' });
    expect(exprOf("TIMESTAMP '2024-01-01 10:00:00'")).toEqual({ kind: 'TypedLiteral', type: 'DATETIME', value: '2024-01-01 10:00:00' });
  });

  it('parses variables', () => {
    expect(exprOf('@@global.max_connections')).toEqual({ kind: 'VariableRef', scope: 'GLOBAL', name: 'max_connections' });
    expect(exprOf('@@local.sql_mode')).toEqual({ kind: 'VariableRef', scope: 'SESSION', name: 'sql_mode' });
    expect(exprOf('@x')).toEqual({ kind: 'VariableRef', scope: 'USER', name: 'x' });
  });

  it('parses CASE, CAST, CONVERT and INTERVAL', () => {
    expect(exprOf('CASE a WHEN 1 THEN 2 END')).toEqual({ kind: 'Case', operand: col('a'), whens: [{ when: num('1'), then: num('2') }] });
    expect(exprOf("CASE WHEN a > 1 THEN 'x' WHEN a > 0 THEN 'y' ELSE 'z' END")).toEqual({
      kind: 'Case',
      whens: [
        { when: bin('>', col('a'), num('1')), then: str('x') },
        { when: bin('>', col('a'), num('0')), then: str('y') },
      ],
      else: str('z'),
    });
    expect(exprOf('CAST(a AS DECIMAL(10, 2))')).toEqual({ kind: 'Cast', expr: col('a'), type: { kind: 'DataType', name: 'DECIMAL', precision: 10, scale: 2 } });
    expect(exprOf('CAST(a AS INTEGER)')).toEqual({ kind: 'Cast', expr: col('a'), type: { kind: 'DataType', name: 'INT' } });
    expect(exprOf('CONVERT(a, VARCHAR(10))')).toEqual({ kind: 'Cast', expr: col('a'), type: { kind: 'DataType', name: 'VARCHAR', length: 10 } });
    expect(exprOf('date_add(d, INTERVAL 2 MONTH)')).toEqual(fn('date_add', [col('d'), { kind: 'Interval', value: num('2'), unit: 'MONTH' }]));
    expect(exprOf('d - INTERVAL 1 DAY')).toEqual(bin('-', col('d'), { kind: 'Interval', value: num('1'), unit: 'DAY' }));
  });

  it('parses function calls, including keyword-named ones', () => {
    expect(exprOf('COUNT(*)')).toEqual(fn('count', [{ kind: 'Star' }]));
    expect(exprOf('count(DISTINCT a, b)')).toEqual(fn('count', [col('a'), col('b')], true));
    expect(exprOf('Date_Format(d, "%Y")')).toEqual(fn('date_format', [col('d'), str('%Y')]));
    for (const name of ['IF', 'LEFT', 'RIGHT', 'DATE', 'YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'SECOND', 'REPLACE', 'TRUNCATE', 'MOD', 'SCHEMA', 'VERSION', 'NOW']) {
      expect(exprOf(`${name}(a)`)).toEqual(fn(name.toLowerCase(), [col('a')]));
    }
    expect(exprOf('CURRENT_USER')).toEqual(fn('current_user'));
    expect(exprOf('CURRENT_USER()')).toEqual(fn('current_user'));
    expect(exprOf('CURRENT_TIMESTAMP')).toEqual(fn('current_timestamp'));
    expect(exprOf('current_timestamp()')).toEqual(fn('current_timestamp'));
    expect(exprOf('CURRENT_DATE')).toEqual(fn('current_date'));
  });

  it('parses predicates', () => {
    expect(exprOf('a NOT IN (1, 2)')).toEqual({ kind: 'In', expr: col('a'), list: [num('1'), num('2')], not: true });
    expect(exprOf('a BETWEEN 1 AND 2')).toEqual({ kind: 'Between', expr: col('a'), low: num('1'), high: num('2'), not: false });
    expect(exprOf("a NOT LIKE 'x%' ESCAPE '!'")).toEqual({ kind: 'Like', op: 'LIKE', expr: col('a'), pattern: str('x%'), escape: str('!'), not: true });
    expect(exprOf("a RLIKE '^x'")).toEqual({ kind: 'Like', op: 'REGEXP', expr: col('a'), pattern: str('^x'), not: false });
    expect(exprOf("a REGEXP 'x'")).toEqual({ kind: 'Like', op: 'REGEXP', expr: col('a'), pattern: str('x'), not: false });
    expect(exprOf('a IS NOT NULL')).toEqual({ kind: 'IsNull', expr: col('a'), not: true });
    expect(exprOf('a IS NULL')).toEqual({ kind: 'IsNull', expr: col('a'), not: false });
    expect(exprOf('a <=> b')).toEqual(bin('<=>', col('a'), col('b')));
    expect(exprOf('db.t.c')).toEqual(col('c', 'db', 't'));
  });
});

describe('precedence (MySQL)', () => {
  const cases: [string, unknown][] = [
    ['1 + 2 * 3', bin('+', num('1'), bin('*', num('2'), num('3')))],
    ['1 - 2 - 3', bin('-', bin('-', num('1'), num('2')), num('3'))],
    ['a OR b AND c', bin('OR', col('a'), bin('AND', col('b'), col('c')))],
    ['a || b && c', bin('OR', col('a'), bin('AND', col('b'), col('c')))],
    ['a XOR b OR c', bin('OR', bin('XOR', col('a'), col('b')), col('c'))],
    ['a AND b XOR c', bin('XOR', bin('AND', col('a'), col('b')), col('c'))],
    ['NOT a = b', not(bin('=', col('a'), col('b')))],
    ['!a = b', bin('=', not(col('a')), col('b'))],
    ['NOT a AND b', bin('AND', not(col('a')), col('b'))],
    ['a = 1 OR b <> 2', bin('OR', bin('=', col('a'), num('1')), bin('!=', col('b'), num('2')))],
    ['a | b & c', bin('|', col('a'), bin('&', col('b'), col('c')))],
    ['a & b << c', bin('&', col('a'), bin('<<', col('b'), col('c')))],
    ['a << b + c', bin('<<', col('a'), bin('+', col('b'), col('c')))],
    ['a + b DIV c', bin('+', col('a'), bin('DIV', col('b'), col('c')))],
    ['a MOD b % c', bin('%', bin('%', col('a'), col('b')), col('c'))],
    ['a * b ^ c', bin('*', col('a'), bin('^', col('b'), col('c')))],
    ['-a ^ b', bin('^', { kind: 'Unary', op: '-', operand: col('a') }, col('b'))],
    ['- - 1', { kind: 'Unary', op: '-', operand: { kind: 'Unary', op: '-', operand: num('1') } }],
    ['~a + +b', bin('+', { kind: 'Unary', op: '~', operand: col('a') }, { kind: 'Unary', op: '+', operand: col('b') })],
    ['a = b = c', bin('=', bin('=', col('a'), col('b')), col('c'))],
    ['a + 1 > b | 2', bin('>', bin('+', col('a'), num('1')), bin('|', col('b'), num('2')))],
    ['a BETWEEN 1 AND 2 AND b', bin('AND', { kind: 'Between', expr: col('a'), low: num('1'), high: num('2'), not: false }, col('b'))],
    ['(a OR b) AND c', bin('AND', bin('OR', col('a'), col('b')), col('c'))],
    ['a IN (1) = TRUE', bin('=', { kind: 'In', expr: col('a'), list: [num('1')], not: false }, { kind: 'BooleanLiteral', value: true })],
    ['1--1', bin('-', num('1'), { kind: 'Unary', op: '-', operand: num('1') })],
  ];
  it.each(cases)('%s', (sql, expected) => {
    expect(exprOf(sql)).toEqual(expected);
  });
});

describe('parse result is immutable', () => {
  it('freezes the tree', () => {
    const stmt = parseStatement('SELECT a FROM t WHERE b = 1');
    expect(Object.isFrozen(stmt)).toBe(true);
    expect(stmt.kind === 'Select' && Object.isFrozen(stmt.items[0])).toBe(true);
  });
});

describe('select item source text', () => {
  it('keeps each unaliased item exactly as written (it titles the result column)', () => {
    const stmt = parseStatement('SELECT DATABASE(),  count( * ), a+1 AS x, `b` FROM t');
    if (stmt.kind !== 'Select') throw new Error('not a select');
    expect(stmt.items.map((i) => (i.kind === 'SelectExpr' ? i.text : undefined))).toEqual(['DATABASE()', 'count( * )', 'a+1', '`b`']);
  });
});
