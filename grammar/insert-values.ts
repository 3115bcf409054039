/**
 * The fast path for `INSERT … VALUES (…), (…), …` whose values are literals — what dumps (mariadb-dump, SHOW CREATE
 * TABLE + INSERT scripts) are made of. The general parser spends ~1 ms per row on such a statement (a token object
 * per value, a CST node per expression level, a visitor pass); this reads the VALUES list with a character scan and
 * builds the very same AST.
 *
 * How it stays exact:
 * - The head (`INSERT INTO t [PARTITION …] [WITH LABEL …] [(cols)] VALUES`) is parsed by the general parser, as
 *   `<head> ()`: the AST's table, columns, partitions and label come from the grammar itself.
 * - A row is scanned when it is `(` literal, … `)` and every literal one the general parser turns into a plain node: a
 *   number (with any `+`/`-` signs before it: nested Unary, as the grammar builds them), a string ('…' or "…",
 *   unescaped by the visitor's own function), NULL, TRUE or FALSE, separated by blanks only.
 * - Any other row (an expression such as `NOW()` or `DATE '…'`) is parsed alone by the general parser, as the row of
 *   `INSERT INTO t VALUES <row>`: one odd row among 20,000 costs one small parse, not a general parse of the whole
 *   statement (~7 s and ~700 MB of CST for 1.4 MB of SQL, past the parser thread's heap). A row with a comment or a
 *   `?` (whose number depends on the whole statement) is not taken this way.
 * - On anything else — a comment between rows, a syntax error, a row the general parser refuses — it returns
 *   undefined and the general parser parses the statement, so results and errors (1064 with its line and column) are
 *   the general parser's.
 */
import type { Expr, InsertStmt, Statement } from './ast.ts';
import { quotedEnd } from './scan.ts';

/** Index of the quote closing the string or quoted name opened at `open`, or -1 (scan.ts's rules). */
function closingQuote(text: string, open: number, quote: number): number {
  const end = quotedEnd(text, open, quote);
  return end < 0 ? -1 : end - 1;
}
import { unescapeString } from './visitor/common.ts';

/** Below this many characters the general parser is fast enough; the fast path is for long VALUES lists. */
export const FAST_INSERT_MIN_LENGTH = 2048;

const WORD = /[A-Za-z_$\u0080-\uffff][\w$\u0080-\uffff]*/y;
const INSERT_START = /^\s*insert\b/i;

const NULL_LITERAL: Expr = Object.freeze({ kind: 'NullLiteral' });
const TRUE_LITERAL: Expr = Object.freeze({ kind: 'BooleanLiteral', value: true });
const FALSE_LITERAL: Expr = Object.freeze({ kind: 'BooleanLiteral', value: false });

/**
 * The AST of `text` when it is an INSERT … VALUES of literal rows, else undefined. `parseHead` parses a complete
 * statement with the general parser, returning undefined on any error.
 */
export function parseInsertValues(text: string, parseHead: (statement: string) => Statement | undefined): InsertStmt | undefined {
  if (!INSERT_START.test(text)) return undefined;
  for (const valuesEnd of valuesKeywords(text)) {
    const head = parseHead(`${text.slice(0, valuesEnd)} ()`);
    if (head === undefined) continue;
    if (head.kind !== 'Insert' || head.source.kind !== 'Values' || head.source.rows.length !== 1 || head.source.rows[0]?.length !== 0) return undefined;
    const parseRow = (row: string): readonly Expr[] | undefined => {
      const parsed = parseHead(`INSERT INTO t VALUES ${row}`);
      return parsed?.kind === 'Insert' && parsed.source.kind === 'Values' && parsed.source.rows.length === 1 ? parsed.source.rows[0] : undefined;
    };
    const rows = scanRows(text, valuesEnd, parseRow);
    return rows === undefined ? undefined : { ...head, source: { kind: 'Values', rows } };
  }
  return undefined;
}

/**
 * End offsets of the words VALUES / VALUE outside parentheses, strings and quoted names, in order (a table, label or
 * column may be called `value`; the head parse tells them apart). Stops at a comment: the general parser handles it.
 */
function* valuesKeywords(text: string): Generator<number> {
  let depth = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 39 || c === 34 || c === 96) {
      const close = closingQuote(text, i, c);
      if (close < 0) return;
      i = close + 1;
    } else if (c === 40) {
      depth++;
      i++;
    } else if (c === 41) {
      depth--;
      i++;
    } else if (c === 35 || (c === 45 && text.charCodeAt(i + 1) === 45) || (c === 47 && text.charCodeAt(i + 1) === 42)) {
      return;
    } else {
      WORD.lastIndex = i;
      const word = WORD.exec(text);
      if (word === null) {
        i++;
        continue;
      }
      i = WORD.lastIndex;
      if (depth === 0 && word[0].length <= 6) {
        const upper = word[0].toUpperCase();
        if (upper === 'VALUES' || upper === 'VALUE') yield i;
      }
    }
  }
}

/** Blanks as the lexer skips them; -1 when a comment starts here (the general parser handles comments). */
function skipBlanks(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9 || c === 12 || c === 11) i++;
    else if (c === 35 || (c === 45 && text.charCodeAt(i + 1) === 45) || (c === 47 && text.charCodeAt(i + 1) === 42)) return -1;
    else return i;
  }
}

/**
 * `(…), (…) …` from `i` to the end of the text (an optional final `;`), or undefined. Rows of literals are scanned;
 * any other row goes to `parseRow` (the general parser).
 */
function scanRows(text: string, from: number, parseRow: (row: string) => readonly Expr[] | undefined): Expr[][] | undefined {
  const rows: Expr[][] = [];
  let i = from;
  for (;;) {
    i = skipBlanks(text, i);
    if (i < 0 || text.charCodeAt(i) !== 40) return undefined;
    let row = literalRow(text, i);
    if (row !== undefined) i = literalEnd;
    else {
      const end = rowEnd(text, i);
      const parsed = end < 0 ? undefined : parseRow(text.slice(i, end));
      if (parsed === undefined) return undefined;
      row = [...parsed];
      i = end;
    }
    // Frozen here, as the parser's freeze() would: it then stops at each row instead of walking every value.
    rows.push(Object.freeze(row) as Expr[]);
    i = skipBlanks(text, i);
    if (i < 0) return undefined;
    if (i >= text.length) return rows;
    const c = text.charCodeAt(i);
    if (c === 44) {
      i++;
      continue;
    }
    if (c === 59) {
      const rest = skipBlanks(text, i + 1);
      return rest === text.length ? rows : undefined;
    }
    return undefined;
  }
}

/** The row of literals whose `(` is at `open`, ending at `literalEnd` (just past its `)`), or undefined. */
function literalRow(text: string, open: number): Expr[] | undefined {
  const row: Expr[] = [];
  let i = skipBlanks(text, open + 1);
  if (i < 0) return undefined;
  if (text.charCodeAt(i) === 41) {
    literalEnd = i + 1;
    return row;
  }
  for (;;) {
    const value = scanLiteral(text, i);
    if (value === undefined) return undefined;
    row.push(value);
    i = skipBlanks(text, literalEnd);
    if (i < 0) return undefined;
    const c = text.charCodeAt(i);
    i++;
    if (c === 41) {
      literalEnd = i;
      return row;
    }
    if (c !== 44) return undefined;
    i = skipBlanks(text, i);
    if (i < 0) return undefined;
  }
}

/**
 * Offset just past the `)` closing the row whose `(` is at `open`, or -1: unbalanced, unclosed quote, a comment, or
 * a `?` placeholder (its number counts every `?` before it in the statement, so the row cannot be parsed alone).
 */
function rowEnd(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; ) {
    const c = text.charCodeAt(i);
    if (c === 39 || c === 34 || c === 96) {
      i = quotedEnd(text, i, c);
      if (i < 0) return -1;
      continue;
    }
    if (c === 35 || c === 63 || (c === 45 && text.charCodeAt(i + 1) === 45) || (c === 47 && text.charCodeAt(i + 1) === 42)) return -1;
    if (c === 40) depth++;
    else if (c === 41 && --depth === 0) return i + 1;
    i++;
  }
  return -1;
}

/** Where the literal scanLiteral returned last ends (a module variable: a result object per value cost more). */
let literalEnd = 0;

/**
 * One literal at `i` (after blanks), as the general parser's AST node (frozen), ending at `literalEnd`; undefined
 * when there is no literal the fast path takes.
 */
function scanLiteral(text: string, i: number): Expr | undefined {
  const c = text.charCodeAt(i);
  if (c === 39 || c === 34) {
    const close = closingQuote(text, i, c);
    if (close < 0) return undefined;
    literalEnd = close + 1;
    const body = text.slice(i + 1, close);
    // Most dump strings have no escape: the body is the value. Without a backslash the only escape is the doubled
    // quote (unescapeString keeps the other quote's doubling as written).
    const quote = c === 39 ? "'" : '"';
    const value = body.includes('\\') ? unescapeString(text.slice(i, close + 1)) : body.includes(quote) ? body.replaceAll(quote + quote, quote) : body;
    return Object.freeze({ kind: 'StringLiteral', value });
  }
  if (c === 45 || c === 43) {
    // Signs: `-5` is Unary('-', 5), `- -5` Unary('-', Unary('-', 5)), as unaryExpr builds them. `--` may start a
    // comment (`-- 5`): the general parser decides.
    if (c === 45 && text.charCodeAt(i + 1) === 45) return undefined;
    const next = skipBlanks(text, i + 1);
    if (next < 0) return undefined;
    const operand = scanLiteral(text, next);
    if (operand === undefined || !isSignedNumber(operand)) return undefined;
    return Object.freeze({ kind: 'Unary', op: c === 45 ? '-' : '+', operand });
  }
  if ((c >= 48 && c <= 57) || c === 46) {
    const end = numberEnd(text, i);
    // `12abc`, `1.2.3`, `1e` go to the general parser (two tokens there, or an error).
    if (end < 0 || continuesToken(text.charCodeAt(end))) return undefined;
    literalEnd = end;
    return Object.freeze({ kind: 'NumberLiteral', text: text.slice(i, end) });
  }
  WORD.lastIndex = i;
  const word = WORD.exec(text);
  if (word === null) return undefined;
  literalEnd = WORD.lastIndex;
  switch (word[0].toUpperCase()) {
    case 'NULL':
      return NULL_LITERAL;
    case 'TRUE':
      return TRUE_LITERAL;
    case 'FALSE':
      return FALSE_LITERAL;
    default:
      return undefined;
  }
}

/**
 * End of the NumberLiteral token at `i` — `(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?`, grammar/tokens.ts — or -1 when
 * none starts there. Scanned by hand: a regular expression match per value was a visible share of a dump's load.
 */
function numberEnd(text: string, i: number): number {
  let j = i;
  const digits = (): void => {
    while (isDigit(text.charCodeAt(j))) j++;
  };
  if (isDigit(text.charCodeAt(j))) {
    digits();
    if (text.charCodeAt(j) === 46) {
      j++;
      digits();
    }
  } else {
    if (text.charCodeAt(j) !== 46 || !isDigit(text.charCodeAt(j + 1))) return -1;
    j++;
    digits();
  }
  const e = text.charCodeAt(j);
  if (e === 101 || e === 69) {
    let k = j + 1;
    const sign = text.charCodeAt(k);
    if (sign === 43 || sign === 45) k++;
    if (isDigit(text.charCodeAt(k))) {
      j = k;
      digits();
    }
  }
  return j;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isSignedNumber(expr: Expr): boolean {
  return expr.kind === 'NumberLiteral' || (expr.kind === 'Unary' && (expr.op === '-' || expr.op === '+') && isSignedNumber(expr.operand));
}

/** Whether a character glued to a number would make the lexer read something else there. */
function continuesToken(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c === 46 || c >= 0x80;
}
