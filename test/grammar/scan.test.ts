/**
 * The cheap scan (grammar/scan.ts) must split and count exactly as the real lexer does, since limits are enforced
 * on its numbers and the server splits scripts with it; and limits must be enforced before the expensive work.
 */
import { tokenMatcher, type IToken } from 'chevrotain';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseStatement, scanStatements, splitSql } from '../../grammar/index.ts';
import { tokenize } from '../../grammar/lexer.ts';
import { LParen, RParen, Semicolon } from '../../grammar/tokens.ts';
import { isSqlError } from '../../src/errors/index.ts';

/** What splitSql did before the scan: the chevrotain lexer's tokens, grouped at `;`. */
function lexerSplit(text: string): { text: string; line: number; column: number; tokens: number; depth: number }[] | undefined {
  let all: IToken[];
  try {
    all = tokenize(text);
  } catch {
    return undefined; // the lexer refuses the text; the parser reports that, not the split
  }
  const groups: IToken[][] = [];
  let current: IToken[] = [];
  for (const t of all) {
    if (tokenMatcher(t, Semicolon)) {
      if (current.length > 0) groups.push(current);
      current = [];
    } else current.push(t);
  }
  if (current.length > 0) groups.push(current);
  return groups.map((g) => {
    const first = g[0] as IToken;
    const last = g[g.length - 1] as IToken;
    let depth = 0;
    let max = 0;
    for (const t of g) {
      if (tokenMatcher(t, LParen)) max = Math.max(max, ++depth);
      else if (tokenMatcher(t, RParen) && depth > 0) depth--;
    }
    return { text: text.slice(first.startOffset, (last.endOffset ?? first.startOffset) + 1), line: first.startLine ?? 1, column: first.startColumn ?? 1, tokens: g.length, depth: max };
  });
}

const fragments = [
  'SELECT', ' ', '\n', '\r\n', '\r', '\t', ';', ';;', "'a;b'", "'", '"', '`', '`x;y`', '\\', "\\'", '--', '-- c;\n', '--x', '#c;\n',
  '/*;*/', '/*', '*/', '(', ')', '1', '1.5e3', '.5', '2.', '1e', '@x', '@@session.y', '@', '<=>', '<>', '!=', '||', ':=', 'a.b',
  'é', '日本', "''", '""', 'x', 'FROM', ',', '+', '-', '*', '/', '%', '=', '$a', '_b', '😀',
];
const script = fc.array(fc.constantFrom(...fragments), { maxLength: 30 }).map((a) => a.join(''));

describe('statement scan', () => {
  it('splits, positions, counts tokens and nesting exactly as the lexer does (property)', () => {
    fc.assert(
      fc.property(script, (text) => {
        const reference = lexerSplit(text);
        if (reference === undefined) return;
        const spans = scanStatements(text);
        expect(spans.map((s) => ({ text: text.slice(s.start, s.end), line: s.position.line, column: s.position.column, tokens: s.tokens, depth: s.depth }))).toEqual(reference);
        expect(splitSql(text).map((c) => c.text)).toEqual(reference.map((r) => r.text));
      }),
      { numRuns: 3000 },
    );
  });

  it('measures a 10 MiB literal and a 4-million-token statement without building tokens', () => {
    const literal = `SELECT '${'x'.repeat(10 * 1024 * 1024)}'; SELECT 2`;
    expect(scanStatements(literal).map((s) => s.tokens)).toEqual([2, 2]);
    const terms = `SELECT ${Array(2_000_000).fill('1').join('+')}`;
    expect(scanStatements(terms)[0]?.tokens).toBe(4_000_000);
  });
});

describe('parse limits', () => {
  const errorOf = (f: () => unknown): { errno: number; message: string } => {
    try {
      f();
    } catch (e) {
      if (isSqlError(e)) return { errno: e.errno, message: e.message };
      throw e;
    }
    throw new Error('expected an error');
  };

  it('refuses too many tokens on the scan, before lexing (StarRocks parse_tokens_limit)', () => {
    const terms = `SELECT ${Array(2_000_000).fill('1').join('+')}`;
    const started = performance.now();
    const e = errorOf(() => parseStatement(terms));
    expect(e.errno).toBe(1064);
    expect(e.message).toMatch(/^Statement exceeds maximum length limit, please consider modify 'parse_tokens_limit' session variable/);
    // Lexing 4 million tokens takes seconds and gigabytes; the scan takes milliseconds.
    expect(performance.now() - started).toBeLessThan(2000);
    expect(errorOf(() => parseStatement('SELECT 1, 2, 3', { maxTokens: 5, maxExprDepth: 1000, maxExprChildren: 10 })).errno).toBe(1064);
    expect(parseStatement('SELECT 1, 2', { maxTokens: 5, maxExprDepth: 1000, maxExprChildren: 10 }).kind).toBe('Select');
  });

  it('refuses expressions deeper than expr_depth_limit: chains, parentheses, unary operators, calls', () => {
    const limits = { maxTokens: 1_000_000, maxExprDepth: 50, maxExprChildren: 10_000 };
    const deep = [
      `SELECT ${Array(51).fill('1').join('+')}`,
      `SELECT ${'('.repeat(51)}1${')'.repeat(51)}`,
      `SELECT ${'-'.repeat(51)}1`,
      `SELECT ${'abs('.repeat(51)}1${')'.repeat(51)}`,
      `SELECT a FROM t WHERE ${Array(51).fill('a = 1').join(' OR ')}`,
    ];
    for (const sql of deep) expect(errorOf(() => parseStatement(sql, limits)).message, sql.slice(0, 40)).toMatch(/^Exceeded the maximum depth of an expression tree \(50\)/);
    expect(parseStatement(`SELECT ${Array(40).fill('1').join('+')}`, limits).kind).toBe('Select');
  });

  it('refuses wider expression lists than expr_children_limit (StarRocks wording)', () => {
    const limits = { maxTokens: 1_000_000, maxExprDepth: 1000, maxExprChildren: 100 };
    const e = errorOf(() => parseStatement(`SELECT 1 IN (${Array(101).fill('1').join(',')})`, limits));
    expect(e).toEqual({ errno: 1064, message: "The number of children in expr are 101 exceeded the maximum limit 100, please consider modify 'expr_children_limit' session variable" });
    expect(errorOf(() => parseStatement(`SELECT concat(${Array(101).fill("'a'").join(',')})`, limits)).message).toMatch(/children in expr are 101/);
    expect(parseStatement(`SELECT 1 IN (${Array(100).fill('1').join(',')})`, limits).kind).toBe('Select');
  });

  it('lexes a 10 MiB string literal (the RegExp lexer overflowed its stack)', () => {
    const statement = parseStatement(`SELECT '${'a'.repeat(10 * 1024 * 1024)}'`);
    expect(statement.kind).toBe('Select');
  });
});
