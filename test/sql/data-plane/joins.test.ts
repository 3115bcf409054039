/**
 * Joins, set operations and subqueries through the Engine on stored tables (partitioned, several buckets), views
 * and derived tables: column layout of SELECT *, type unification, pruning through joins, privileges, and every
 * error a user can hit with its errno.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from './helpers.ts';

let db: TestDb;

beforeAll(async () => {
  db = await openTestDb({ database: 'shop' });
  await db.exec(`
    CREATE TABLE customers (id INT NOT NULL, name VARCHAR(16), city VARCHAR(16)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 2;
    CREATE TABLE orders (order_date DATE NOT NULL, id BIGINT NOT NULL, customer_id INT, amount DECIMAL(10, 2))
      DUPLICATE KEY(order_date, id)
      PARTITION BY RANGE(order_date) (PARTITION p2023 VALUES LESS THAN ('2024-01-01'), PARTITION p2024 VALUES LESS THAN ('2025-01-01'))
      DISTRIBUTED BY HASH(id) BUCKETS 3;
    INSERT INTO customers VALUES (1, 'ann', 'rome'), (2, 'bob', 'oslo'), (3, 'cid', NULL), (4, 'dee', 'rome');
    INSERT INTO orders VALUES ('2023-12-30', 10, 1, 5.00), ('2024-02-01', 11, 1, 7.50), ('2024-03-01', 12, 2, 1.25), ('2024-03-02', 13, 9, 2.00), ('2024-04-01', 14, NULL, 3.00);
    CREATE VIEW big_spenders AS SELECT customer_id, SUM(amount) AS total FROM orders GROUP BY customer_id HAVING SUM(amount) > 2;
  `);
});
afterAll(async () => {
  await db?.close();
});

describe('joins on stored tables', () => {
  it('inner, outer and full joins, with pruning on the preserved side and a WHERE on the other', async () => {
    expect(await db.rows('SELECT c.name, o.id FROM customers c JOIN orders o ON o.customer_id = c.id ORDER BY o.id')).toEqual([
      ['ann', '10'], ['ann', '11'], ['bob', '12'],
    ]);
    expect(await db.rows("SELECT c.name, o.id FROM customers c LEFT JOIN orders o ON o.customer_id = c.id AND o.order_date >= '2024-01-01' ORDER BY c.id, o.id")).toEqual([
      ['ann', '11'], ['bob', '12'], ['cid', null], ['dee', null],
    ]);
    // The anti-join idiom: the WHERE on the null-extended side must run after the join.
    expect(await db.rows('SELECT c.name FROM customers c LEFT JOIN orders o ON o.customer_id = c.id WHERE o.id IS NULL ORDER BY 1')).toEqual([['cid'], ['dee']]);
    expect(await db.rows("SELECT o.id, c.name FROM orders o RIGHT JOIN customers c ON o.customer_id = c.id WHERE o.order_date < '2024-01-01' OR o.id IS NULL ORDER BY c.id")).toEqual([
      ['10', 'ann'], [null, 'cid'], [null, 'dee'],
    ]);
    expect(await db.rows('SELECT COUNT(*), COUNT(c.id), COUNT(o.id) FROM customers c FULL JOIN orders o ON o.customer_id = c.id')).toEqual([['7', '5', '5']]);
  });

  it('joins views, derived tables and table functions, three ways', async () => {
    expect(
      await db.rows(`SELECT c.name, b.total, g.generate_series FROM big_spenders b
        JOIN customers c ON c.id = b.customer_id
        CROSS JOIN TABLE(generate_series(1, 2)) g ORDER BY c.name, g.generate_series`),
    ).toEqual([['ann', '12.50', '1'], ['ann', '12.50', '2']]);
    expect(await db.rows('SELECT x.city, COUNT(*) FROM (SELECT city FROM customers) x JOIN customers c ON c.city <=> x.city GROUP BY x.city ORDER BY 1')).toEqual([
      [null, '1'], ['oslo', '1'], ['rome', '4'],
    ]);
  });

  it('USING shows each column once, first; t.* still shows all of t; FULL merges with COALESCE', async () => {
    await db.exec(`
      CREATE TABLE l (k INT, a VARCHAR(4)); CREATE TABLE r (b VARCHAR(4), k INT);
      INSERT INTO l VALUES (1, 'l1'), (2, 'l2'); INSERT INTO r VALUES ('r2', 2), ('r3', 3);
    `);
    const all = await db.result('SELECT * FROM l FULL JOIN r USING (k) ORDER BY k');
    expect(all.columns).toEqual(['k', 'a', 'b']);
    expect(all.rows).toEqual([['1', 'l1', null], ['2', 'l2', 'r2'], ['3', null, 'r3']]);
    const right = await db.result('SELECT r.*, l.* FROM l RIGHT JOIN r USING (k) ORDER BY r.k');
    expect(right.columns).toEqual(['b', 'k', 'k', 'a']);
    expect(right.rows).toEqual([['r2', '2', '2', 'l2'], ['r3', '3', null, null]]);
    expect(await db.rows('SELECT k, l.k, r.k FROM l LEFT JOIN r USING (k) ORDER BY 1')).toEqual([['1', '1', null], ['2', '2', '2']]);
  });

  it('semi and anti joins keep one side', async () => {
    const semi = await db.result('SELECT * FROM customers c LEFT SEMI JOIN orders o ON o.customer_id = c.id ORDER BY 1');
    expect(semi.columns).toEqual(['id', 'name', 'city']);
    expect(semi.rows.map((r) => r[1])).toEqual(['ann', 'bob']);
    expect(await db.rows('SELECT o.id FROM customers c RIGHT ANTI JOIN orders o ON o.customer_id = c.id ORDER BY 1')).toEqual([['13'], ['14']]);
  });
});

describe('set operations on stored tables', () => {
  it('unifies column types across operands and names columns after the first', async () => {
    const r = await db.result('SELECT id AS n FROM customers UNION SELECT amount FROM orders ORDER BY n LIMIT 3');
    expect(r.columns).toEqual(['n']);
    expect(r.columnTypes?.[0]).toMatchObject({ name: 'DECIMAL' });
    expect(r.rows).toEqual([['1.00'], ['1.25'], ['2.00']]);
    const mixed = await db.result("SELECT order_date FROM orders WHERE id = 10 UNION ALL SELECT '2024-01-01 10:00:00' UNION ALL SELECT name FROM customers WHERE id = 1");
    expect(mixed.columnTypes?.[0]?.name).toBe('VARCHAR');
    expect(mixed.rows).toEqual([['2023-12-30'], ['2024-01-01 10:00:00'], ['ann']]);
    expect(await db.rows("SELECT city FROM customers INTERSECT SELECT 'rome' MINUS SELECT 'oslo'")).toEqual([['rome']]);
  });
});

describe('subqueries on stored tables', () => {
  it('IN, NOT IN, EXISTS and scalar subqueries, correlated and not', async () => {
    expect(await db.rows('SELECT name FROM customers WHERE id IN (SELECT customer_id FROM orders) ORDER BY 1')).toEqual([['ann'], ['bob']]);
    // customer_id has a NULL: NOT IN finds nothing (SQL's three-valued logic).
    expect(await db.rows('SELECT name FROM customers WHERE id NOT IN (SELECT customer_id FROM orders)')).toEqual([]);
    expect(await db.rows('SELECT name FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id) ORDER BY 1')).toEqual([['cid'], ['dee']]);
    expect(await db.rows('SELECT name, (SELECT SUM(amount) FROM orders o WHERE o.customer_id = c.id) FROM customers c ORDER BY id')).toEqual([
      ['ann', '12.50'], ['bob', '1.25'], ['cid', null], ['dee', null],
    ]);
    expect(await db.rows('SELECT id FROM orders WHERE amount > (SELECT AVG(amount) FROM orders) ORDER BY 1')).toEqual([['10'], ['11']]);
    // Correlated on a grouped column, in HAVING and in the select list of a grouped query.
    expect(await db.rows('SELECT c.id, COUNT(*), (SELECT COUNT(*) FROM orders o WHERE o.customer_id = c.id) FROM customers c GROUP BY c.id HAVING (SELECT COUNT(*) FROM orders o WHERE o.customer_id = c.id) > 0 ORDER BY 1')).toEqual([
      ['1', '1', '2'], ['2', '1', '1'],
    ]);
  });
});

describe('views over queries', () => {
  it('CREATE OR REPLACE VIEW, ALTER VIEW and SHOW CREATE VIEW', async () => {
    await db.exec('CREATE VIEW v_join AS SELECT c.name, o.id FROM customers c JOIN orders o ON o.customer_id = c.id');
    expect(await db.rows('SELECT COUNT(*) FROM v_join')).toEqual([['3']]);
    await db.exec('ALTER VIEW v_join (who, order_id) AS SELECT name, id FROM customers UNION ALL SELECT NULL, id FROM orders');
    const show = await db.result('SHOW CREATE VIEW v_join');
    expect(show.columns).toEqual(['View', 'Create View', 'character_set_client', 'collation_connection']);
    expect(show.rows).toEqual([['v_join', 'CREATE VIEW `v_join` (`who`, `order_id`) AS SELECT name, id FROM customers UNION ALL SELECT NULL, id FROM orders', 'utf8', 'utf8_general_ci']]);
    expect(await db.rows('SELECT COUNT(*), COUNT(who) FROM v_join')).toEqual([['9', '4']]);
    await db.exec('CREATE OR REPLACE VIEW v_join AS SELECT 1 AS one');
    expect(await db.rows('SELECT * FROM v_join')).toEqual([['1']]);
    expect((await db.result('DESC v_join')).rows.map((r) => r[0])).toEqual(['one']);
  });

  it('refuses ALTER VIEW on a missing view or a table, and a query that does not analyse', async () => {
    expect((await db.fails('ALTER VIEW nope AS SELECT 1')).errno).toBe(1146);
    const table = await db.fails('ALTER VIEW customers AS SELECT 1');
    expect([table.errno, table.message]).toEqual([1347, "'shop.customers' is not VIEW: use ALTER TABLE for tables"]);
    expect((await db.fails('ALTER VIEW big_spenders AS SELECT nope FROM customers')).errno).toBe(1054);
    expect((await db.fails('ALTER VIEW big_spenders (a, b) AS SELECT 1')).message).toContain('does not match the number of columns');
    // Nothing changed.
    expect(await db.rows('SELECT COUNT(*) FROM big_spenders')).toEqual([['2']]);
  });
});

describe('errors', () => {
  const cases: [string, number, string][] = [
    ['SELECT * FROM customers JOIN customers ON TRUE', 1066, "Not unique table/alias: 'customers'"],
    ['SELECT * FROM customers c JOIN orders c ON TRUE', 1066, "Not unique table/alias: 'c'"],
    ['SELECT id FROM customers c JOIN orders o ON o.customer_id = c.id', 1052, "Column 'id' in field list is ambiguous"],
    ['SELECT * FROM customers c JOIN orders o USING (nope)', 1054, "Unknown column 'nope' in 'from clause'"],
    ['SELECT * FROM customers c LEFT JOIN orders o', 1064, 'LEFT OUTER JOIN requires an ON or USING clause.'],
    ['SELECT * FROM customers c LEFT SEMI JOIN orders o', 1064, 'LEFT SEMI JOIN requires an ON or USING clause.'],
    ['SELECT * FROM customers c JOIN orders o ON c.nope = o.id', 1054, "Unknown column 'c.nope' in 'on clause'"],
    ['SELECT * FROM customers c JOIN orders o ON c.id IN (SELECT 1)', 1064, 'Subqueries are not supported in the on clause'],
    ['SELECT (SELECT id FROM customers)', 1242, 'Subquery returns more than 1 row'],
    ['SELECT id FROM customers WHERE id IN (SELECT id, name FROM customers)', 1241, 'Operand should contain 1 column(s)'],
    ['SELECT * FROM (SELECT id, id FROM customers) x', 1060, "Duplicate column name 'id'"],
    ['SELECT id FROM customers UNION SELECT id, name FROM customers', 1064, 'Operands have unequal number of columns'],
    ['SELECT id FROM customers EXCEPT ALL SELECT 1', 1064, 'EXCEPT does not support ALL qualifier'],
    ['SELECT id FROM customers INTERSECT ALL SELECT 1', 1064, 'INTERSECT does not support ALL qualifier'],
    ['SELECT id FROM customers UNION SELECT 1 ORDER BY nope', 1054, "Unknown column 'nope' in 'order clause'"],
    ['SELECT city, COUNT(*) FROM customers c GROUP BY city HAVING COUNT(*) > (SELECT COUNT(*) FROM orders o WHERE o.customer_id = c.id)', 1064, "'c.id' must be an aggregate expression or appear in GROUP BY clause"],
    ['SELECT city, COUNT(*) FROM customers c GROUP BY city HAVING COUNT(*) > (SELECT COUNT(*) FROM orders o WHERE o.amount > c.id)', 1064, 'is not supported in having clause'],
  ];
  it.each(cases)('%s → %i', async (sql, errno, text) => {
    const e = await db.fails(sql);
    expect(e.errno).toBe(errno);
    expect(e.message).toContain(text);
  });

  it('reports 1242 only when a scalar subquery value is read', async () => {
    expect(await db.rows('SELECT (SELECT id FROM customers) FROM orders WHERE id < 0')).toEqual([]);
    // Correlated, per row: rows the other WHERE conjuncts reject never run it (for c.id > 1 it finds several rows).
    expect(await db.rows('SELECT name FROM customers c WHERE c.id = 1 AND (SELECT o.id FROM orders o WHERE o.customer_id < c.id) IS NULL')).toEqual([['ann']]);
  });
});

describe('privileges', () => {
  it('needs SELECT on every table a query reads: both join sides, set-operation operands, subqueries', async () => {
    await db.exec("CREATE USER 'reader'@'%'; GRANT SELECT ON TABLE shop.customers TO USER 'reader'@'%'");
    const reader = db.engine.session({ user: 'reader', host: '127.0.0.1', database: 'shop' });
    try {
      expect((await reader.execute('SELECT COUNT(*) FROM customers')).kind).toBe('rows');
      for (const sql of [
        'SELECT * FROM customers c JOIN orders o ON o.customer_id = c.id',
        'SELECT * FROM customers c, (SELECT 1 FROM orders) x',
        'SELECT id FROM customers UNION SELECT id FROM orders',
        'SELECT id FROM customers WHERE id IN (SELECT customer_id FROM orders)',
        'SELECT (SELECT COUNT(*) FROM orders)',
        'SELECT * FROM customers c JOIN customers d ON EXISTS (SELECT 1 FROM orders)',
      ]) {
        await expect(reader.execute(sql), sql).rejects.toMatchObject({ errno: 1142 });
      }
    } finally {
      reader.close();
    }
  });
});
