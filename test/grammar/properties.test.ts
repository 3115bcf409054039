import fc from 'fast-check';
import { tokenMatcher } from 'chevrotain';
import { describe, expect, it } from 'vitest';
import { isSqlError } from '../../src/errors/sql-error.ts';
import { parseSql, parseStatement, splitSql } from '../../grammar/index.ts';
import { withoutSourceText } from './helpers.ts';
import { tokenize } from '../../grammar/lexer.ts';
import { Keyword, kw, NonReserved } from '../../grammar/tokens.ts';

const CORPUS = [
  'SELECT DISTINCT a, count(*) AS n FROM db.t PARTITION (p1) x WHERE a BETWEEN 1 AND 2 AND b IS NOT NULL GROUP BY a HAVING n > 1 ORDER BY n DESC NULLS LAST LIMIT 5 OFFSET 1',
  "SELECT CASE WHEN a IN (1, 2) THEN DATE '2024-01-01' ELSE CAST(b AS VARCHAR(3)) END, d + INTERVAL 1 DAY, IF(x, LEFT(s, 1), RIGHT(s, 1)) FROM TABLE(generate_series(1, 3)) g",
  "CREATE TABLE IF NOT EXISTS t (k INT NOT NULL, v BIGINT SUM DEFAULT '0') AGGREGATE KEY (k) PARTITION BY RANGE (k) (PARTITION p1 VALUES LESS THAN (\"10\"), START (\"10\") END (\"20\") EVERY (5)) DISTRIBUTED BY HASH (k) BUCKETS 2 PROPERTIES (\"a\" = \"b\")",
  'BACKUP DATABASE d SNAPSHOT s TO repo ON (TABLE t PARTITION (p1), ALL MATERIALIZED VIEWS, VIEW v AS w, FUNCTION f) PROPERTIES ("type" = "full")',
  "RESTORE SNAPSHOT d.s FROM repo EXTERNAL CATALOGS (c AS c2) DATABASE d AS d2 ON (ALL TABLES) PROPERTIES ('backup_timestamp' = '2024-01-01-00-00-00')",
  // Non-reserved keywords used as names keep their spelling, so this corpus back-quotes them.
  "SHOW SNAPSHOT ON repo WHERE `SNAPSHOT` = 's' AND `TIMESTAMP` = 'ts' ORDER BY `SNAPSHOT` LIMIT 3",
  "CREATE READ ONLY REPOSITORY r WITH BROKER ON LOCATION 's3://b/p' PROPERTIES ('aws.s3.region' = 'x')",
  "GRANT CREATE TABLE, SELECT ON ALL TABLES IN ALL DATABASES TO USER 'u'@'%' WITH GRANT OPTION",
  "SET NAMES utf8mb4 COLLATE utf8mb4_bin, GLOBAL x = ON, @@session.y = 'z'",
  "INSERT OVERWRITE t PARTITION (p) WITH LABEL l (a, b) VALUES (1, 'x'), (2, NULL)",
  'ALTER TABLE t ADD PARTITION IF NOT EXISTS p VALUES [("1"), ("2")), DROP TEMPORARY PARTITION IF EXISTS q FORCE',
  "SHOW FULL TABLES FROM db LIKE 'x%'",
];

const RESERVED = new Set(
  Object.values(kw)
    .filter((t) => !(t.CATEGORIES ?? []).includes(NonReserved))
    .map((t) => t.name),
);
const NON_RESERVED = Object.values(kw)
  .filter((t) => (t.CATEGORIES ?? []).includes(NonReserved))
  .map((t) => t.name.toLowerCase());

/** Re-case every keyword token of `sql` with the given per-character choices. */
function recase(sql: string, flips: readonly boolean[]): string {
  let out = '';
  let at = 0;
  let flip = 0;
  for (const token of tokenize(sql)) {
    if (!tokenMatcher(token, Keyword)) continue;
    out += sql.slice(at, token.startOffset);
    for (const ch of token.image) out += flips[flip++ % flips.length] ? ch.toUpperCase() : ch.toLowerCase();
    at = (token.endOffset ?? token.startOffset) + 1;
  }
  return out + sql.slice(at);
}

const quote = (name: string): string => '`' + name.replace(/`/g, '``') + '`';

const identifierArb = fc.oneof(
  fc.stringMatching(/^[a-z_][a-z0-9_]{0,10}$/).map((name) => ({ name, sql: RESERVED.has(name.toUpperCase()) ? quote(name) : name })),
  fc.constantFrom(...NON_RESERVED).map((name) => ({ name, sql: name })),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }).map((name) => ({ name, sql: quote(name) })),
);

function expectOnlySqlErrors(text: string): void {
  try {
    parseSql(text);
  } catch (e) {
    if (!isSqlError(e)) throw e;
    expect([1064, 1065]).toContain(e.errno);
    if (e.errno === 1064) {
      const lines = text.split(/\r\n|\r|\n/);
      expect(e.line).toBeGreaterThanOrEqual(1);
      expect(e.line).toBeLessThanOrEqual(lines.length);
      expect(e.column).toBeGreaterThanOrEqual(1);
      expect(e.column).toBeLessThanOrEqual((lines[(e.line ?? 1) - 1]?.length ?? 0) + 1);
    }
  }
}

describe('grammar properties', () => {
  it('keyword casing never changes the AST', () => {
    const expected = CORPUS.map((sql) => withoutSourceText(parseStatement(sql)));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: CORPUS.length - 1 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }), (i, flips) => {
        expect(withoutSourceText(parseStatement(recase(CORPUS[i] as string, flips)))).toEqual(expected[i]);
      }),
      { numRuns: 150 },
    );
  });

  it('identifiers, including non-reserved keywords and odd back-quoted names, round-trip', () => {
    fc.assert(
      fc.property(identifierArb, identifierArb, identifierArb, (db, table, column) => {
        expect(parseStatement(`SELECT ${column.sql} FROM ${db.sql}.${table.sql} WHERE ${column.sql} = 1`)).toMatchObject({
          items: [{ kind: 'SelectExpr', expr: { kind: 'ColumnRef', qualifiers: [], name: column.name } }],
          from: { kind: 'TableRef', name: { db: db.name, name: table.name } },
        });
        expect(parseStatement(`BACKUP SNAPSHOT ${db.sql}.${table.sql} TO ${column.sql} ON (TABLE ${table.sql}, ${column.sql} PARTITION (${db.sql}))`)).toMatchObject({
          label: { db: db.name, name: table.name },
          repository: column.name,
          objects: [
            { objectType: 'TABLE', keyword: true, name: { name: table.name } },
            { keyword: false, name: { name: column.name }, partitions: { names: [db.name] } },
          ],
        });
        expect(parseStatement(`CREATE TABLE ${table.sql} (${column.sql} INT) DISTRIBUTED BY HASH (${column.sql})`)).toMatchObject({
          name: { name: table.name },
          columns: [{ name: column.name }],
          distribution: { columns: [column.name] },
        });
      }),
      { numRuns: 200 },
    );
  });

  it('garbage never throws anything but a positioned SqlError', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), expectOnlySqlErrors), { numRuns: 300 });
    const fragments = [
      'SELECT', 'FROM', 'WHERE', 'BACKUP', 'RESTORE', 'SNAPSHOT', 'TO', 'ON', 'PARTITION', 'TABLE', 'ALL', 'VIEW',
      'CREATE', 'DROP', 'SHOW', 'GRANT', 'SET', '(', ')', ',', ';', '.', '*', '=', '+', '-', 'NOT', 'AND', 'IN',
      'a', '`b c`', "'s'", '"d"', '1', '2.5', '@@x', '@y', 'NULL', 'CASE', 'WHEN', 'END', 'LIMIT', 'AS', '\n', '/* c */',
      '-- x\n', 'PROPERTIES', 'INTERVAL', 'DAY', 'DATE', "'", '`',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...fragments), { maxLength: 25 }), (parts) => expectOnlySqlErrors(parts.join(' '))),
      { numRuns: 400 },
    );
  });

  it('splitSql never splits inside strings, comments or back-quoted names', () => {
    const piece = fc.oneof(
      fc.string({ maxLength: 8 }).map((s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`),
      fc.string({ maxLength: 8 }).map((s) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`),
      fc.string({ maxLength: 8 }).map((s) => quote(`${s};`)),
      fc.string({ maxLength: 8 }).map((s) => `/* ${s.replace(/\*\//g, '')}; */ 1`),
      fc.string({ maxLength: 8 }).map((s) => `1 -- ${s.replace(/[\r\n]/g, '')};\n`),
      fc.constant("';'"),
    );
    fc.assert(
      fc.property(fc.array(fc.array(piece, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 5 }), (statements) => {
        const texts = statements.map((pieces) => `SELECT ${pieces.join(', ')}`);
        const chunks = splitSql(texts.join(';\n'));
        expect(chunks.length).toBe(texts.length);
        chunks.forEach((chunk, i) => expect(texts[i]?.trimEnd().startsWith(chunk.text)).toBe(true));
        expect(parseSql(texts.join(';')).length).toBe(texts.length);
      }),
      { numRuns: 200 },
    );
  });

  it('parse speed (logged, not asserted)', () => {
    const sql = CORPUS[3] as string;
    for (let i = 0; i < 200; i++) parseStatement(sql);
    const n = 2000;
    const start = performance.now();
    for (let i = 0; i < n; i++) parseStatement(sql);
    const micros = ((performance.now() - start) * 1000) / n;
    console.log(`grammar: BACKUP statement lex+parse+AST ${micros.toFixed(1)} µs each (${n} runs)`);
    expect(micros).toBeGreaterThan(0);
  });
});
