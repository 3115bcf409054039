/**
 * The grammar's INSERT … VALUES fast path agrees with the parser on every input (splitting is scan.ts's, tested
 * in its own file):
 * - the INSERT … VALUES scan (insert-values.ts) builds the parser's exact AST (rows of literals scanned, other rows
 *   parsed alone), and any statement it does not take gets the parser's exact result or error (1064 with the same line
 *   and column).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseStatement, parseStatementWithParser, type Statement } from '../../grammar/index.ts';
import { FAST_INSERT_MIN_LENGTH, parseInsertValues } from '../../grammar/insert-values.ts';

type Outcome = { ok: unknown } | { error: { errno: unknown; message: unknown; line: unknown; column: unknown } };

function outcome(run: () => unknown): Outcome {
  try {
    return { ok: run() };
  } catch (e) {
    const x = e as { errno?: unknown; message?: unknown; line?: unknown; column?: unknown };
    return { error: { errno: x.errno, message: x.message, line: x.line, column: x.column } };
  }
}

const headParse = (text: string): Statement | undefined => {
  try {
    return parseStatementWithParser(text);
  } catch {
    return undefined;
  }
};

// ---------------------------------------------------------------------------------------------------------------
// Literals as a dump writes them, and things that must send the statement to the parser.

const digits = fc.stringMatching(/^[0-9]{1,25}$/);
const number = fc.oneof(
  digits,
  fc.tuple(digits, digits).map(([a, b]) => `${a}.${b}`),
  digits.map((d) => `.${d}`),
  digits.map((d) => `${d}.`),
  fc.tuple(digits, fc.constantFrom('e', 'E', 'e+', 'e-', 'E-'), fc.stringMatching(/^[0-9]{1,3}$/)).map(([a, e, x]) => `${a}${e}${x}`),
  fc.constantFrom('0', '00', '0.0', '18446744073709551616', '170141183460469231731687303715884105728', '1e400'),
);
const sign = fc.constantFrom('', '', '', '-', '+', '- ', '-\n', '--', '-+', '- -', '+-');
const escape = fc.constantFrom("\\'", '\\"', '\\\\', '\\n', '\\t', '\\0', '\\Z', '\\b', '\\r', '\\%', '\\_', '\\x', "''");
const stringBody = fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 6 }).map((s) => s.replace(/['"\\]/g, '')), escape, fc.constantFrom(' ', '  ', ';', ',', ')', '(', '--', '#', '/*', '日本', '😀', '\n', '\r\n')), { maxLength: 6 }).map((parts) => parts.join(''));
const str = fc.oneof(
  stringBody.map((b) => `'${b}'`),
  stringBody.map((b) => `"${b.replace(/''/g, '""')}"`),
);
const word = fc.constantFrom('NULL', 'null', 'Null', 'TRUE', 'true', 'False', 'FALSE');
const literal = fc.oneof({ weight: 4, arbitrary: fc.tuple(sign, number).map(([s, n]) => s + n) }, { weight: 4, arbitrary: str }, { weight: 2, arbitrary: word });
/** Not literals: the parser's business (expressions, typed literals, comments, names, errors). */
const other = fc.constantFrom('1+2', '-(3)', "DATE '2024-01-01'", 'nullx', 'abs(-1)', '/* c */ 1', '1 -- c\n', '-- 5\n5', '# x\n 7', '@v', '1.2.3', '12abc', "'a' 'b'", '?', '', ',', "'open", '0x1F', '- NULL', "-'5'");
const cell = fc.oneof({ weight: 60, arbitrary: literal }, { weight: 1, arbitrary: other });
const separator = fc.constantFrom(', ', ',', ' , ', ',\n  ', '\t,\t');
const row = fc.array(cell, { maxLength: 5 }).chain((cells) => separator.map((sep) => `(${cells.join(sep)})`));
const insertText = fc
  .record({
    head: fc.constantFrom('INSERT INTO t', 'insert into db.t', 'INSERT OVERWRITE t', 'INSERT INTO TABLE t PARTITION (p1)', 'INSERT INTO value', 'INSERT INTO t WITH LABEL value', 'INSERT INTO t (a, value, `b c`)', 'INSERT INTO t (a) '),
    keyword: fc.constantFrom(' VALUES ', ' values', ' VALUE ', '  VALUES\n'),
    rows: fc.array(row, { minLength: 1, maxLength: 6 }),
    join: separator,
    tail: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('', ';', ' ;  ', '\n') }, { weight: 1, arbitrary: fc.constantFrom(', ', ' (1)', ') ', ' SELECT 1', '; SELECT 1', ' -- end', ';;') }),
    pad: fc.boolean(),
  })
  // Past the length where the fast path starts: long rows of padding (a dump's size) or spaces.
  .map(({ head, keyword, rows, join, tail, pad }) => `${head}${keyword}${pad ? ' '.repeat(FAST_INSERT_MIN_LENGTH) : ''}${rows.join(join)}${tail}${pad ? '' : `, ${Array.from({ length: 200 }, (_, i) => `(${i}, 'row ${i}')`).join(', ')}`}`);

describe('INSERT … VALUES fast path', () => {
  it('builds the parser\'s AST, or leaves the statement to the parser (same result or same 1064 and position)', () => {
    let fast = 0;
    let runs = 0;
    fc.assert(
      fc.property(insertText, (text) => {
        runs++;
        if (parseInsertValues(text, headParse) !== undefined) fast++;
        expect(outcome(() => parseStatement(text))).toEqual(outcome(() => parseStatementWithParser(text)));
      }),
      { numRuns: 300 },
    );
    // The property above is only worth something if the fast path takes most dump-like statements.
    expect(fast / runs).toBeGreaterThan(0.3);
  });

  it('a dump-sized statement: same AST; an error at row 900 reported at the same line and column', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => `(${i}, -${i}.5, 'it''s \\n ${i}', NULL, TRUE, ${i}e-3)`);
    const text = `INSERT INTO t VALUES\n${rows.join(',\n')};`;
    expect(parseInsertValues(text, headParse)).toBeDefined();
    expect(parseStatement(text)).toEqual(parseStatementWithParser(text));
    const broken = text.replace('(900, -900.5', '(900, -900.5.1');
    const error = outcome(() => parseStatement(broken));
    expect(error).toEqual(outcome(() => parseStatementWithParser(broken)));
    expect(error).toMatchObject({ error: { errno: 1064, line: 902 } });
  });

  it('rows that are not all literals are parsed one by one, giving the parser\'s AST; a `?` or a comment in a row sends the statement to the parser', () => {
    const odd = ['(7, NOW())', "(8, DATE '2024-01-02' + INTERVAL 1 DAY)", '(9, abs(-1) + (2 * 3))', "(10, 'a' = 'b', -x)", '(11, -(3))', '(12, CAST(\'5\' AS INT))'];
    const rows = Array.from({ length: 1000 }, (_, i) => (i % 100 === 50 ? odd[Math.floor(i / 100) % odd.length]! : `(${i}, 'r${i}')`));
    const text = `INSERT INTO t VALUES ${rows.join(', ')}`;
    expect(parseInsertValues(text, headParse)).toEqual(parseStatementWithParser(text));
    for (const spoiler of ['(13, ?)', '(14, 1 /* c */)', '(15, 1 -- c\n)', '(16, (1)']) {
      const spoilt = text.replace('(900, ', `${spoiler}, (900, `);
      expect(parseInsertValues(spoilt, headParse)).toBeUndefined();
      expect(outcome(() => parseStatement(spoilt))).toEqual(outcome(() => parseStatementWithParser(spoilt)));
    }
  });

  it('freezes the AST it builds, like the parser', () => {
    const text = `INSERT INTO t VALUES ${Array.from({ length: 300 }, (_, i) => `(${i}, 'x')`).join(', ')}`;
    const ast = parseStatement(text);
    expect(Object.isFrozen(ast)).toBe(true);
    expect(ast.kind === 'Insert' && ast.source.kind === 'Values' && Object.isFrozen(ast.source.rows[7]?.[1])).toBe(true);
  });
});
