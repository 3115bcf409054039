/**
 * MySQL's executable comments, exactly as MySQL 8.0's lexer reads them (sql_lex.cc, MY_LEX_LONG_COMMENT), applied to
 * the text before the lexer sees it:
 *
 * - `/*!NNNNN … *\/` with a five-digit version at or below the one we advertise (8.0.33 → 80033): the content is SQL,
 *   as if the markers were not there. `SELECT 1 /*!50000 + 1 *\/` is `SELECT 1 + 1`.
 * - `/*!` not followed by five digits: the content is always SQL.
 * - `/*!NNNNN … *\/` for a later version: a comment (which, as in MySQL, may hold one nested `/* … *\/`).
 * - `/*M!NNNNNN … *\/` (MariaDB's form) and everything else starting `/*`: a plain comment. MySQL reads `/*M!` as an
 *   ordinary comment, and we present ourselves as MySQL 8.0.33, so the MariaDB-only parts of a mariadb-dump script
 *   (`/*M!100616 SET @OLD_NOTE_VERBOSITY=…*\/`) are skipped, as a MySQL server skips them.
 *
 * Inside executed content, strings, quoted names, `--`/`#` line comments and regular comments are what they are in
 * SQL; the first `*\/` outside them closes it (MySQL keeps one flag, so executable comments do not nest: a second
 * opener inside loses its marker and the first `*\/` ends both).
 *
 * The markers of executed comments are replaced by blanks of the same length, and skipped comments by blanks that keep
 * their line breaks, so every offset, line and column in the result is the one in the text the user wrote: syntax
 * errors point where they should. An executable comment that is never closed is a syntax error at its start (MySQL's
 * lexer aborts there too).
 */
import { quotedEnd } from './scan.ts';
import { syntaxError } from './syntax-error.ts';

/** The version executable comments are compared with: MYSQL_VERSION_ID of the 8.0.33 we advertise. */
export const EXECUTABLE_COMMENT_VERSION = 80033;

const SLASH = 0x2f;
const STAR = 0x2a;
const BANG = 0x21;
const QUOTE = 0x27;
const DOUBLE_QUOTE = 0x22;
const BACKTICK = 0x60;
const HASH = 0x23;
const DASH = 0x2d;
const LF = 0x0a;
const CR = 0x0d;

/**
 * `text` with executable comments opened into SQL and version-skipped ones blanked (same length, same lines). Never
 * throws: an executable comment that is never closed stays as written (the lexer then reads it as a comment).
 */
export function expandExecutableComments(text: string): string {
  return expand(text).text;
}

/**
 * expandExecutableComments for the parser's entry points: an executable comment that is never closed (its `*\/`
 * missing, or hidden in a string or line comment of its content) is a 1064 at its start, as in MySQL.
 */
export function sqlOfText(text: string): string {
  const result = expand(text);
  if (result.unclosedAt !== undefined) {
    throw syntaxError({
      text,
      offset: result.unclosedAt,
      endOffset: text.length,
      expected: [],
      canEnd: false,
      detail: "The comment starting here is never closed: add the closing '*/'",
    });
  }
  return result.text;
}

function expand(text: string): { readonly text: string; readonly unclosedAt?: number } {
  // Fast path: most statements have no `/*!`; they come back untouched (and unscanned beyond this search).
  if (!text.includes('/*!')) return { text };
  const out: string[] = [];
  let copied = 0;
  /** Start offset of the executable comment we are inside, or -1. */
  let openedAt = -1;
  let openerEnd = -1;
  const edits: { from: number; to: number }[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE || c === DOUBLE_QUOTE || c === BACKTICK) {
      i = skipQuoted(text, i, c);
      continue;
    }
    if (c === HASH || (c === DASH && text.charCodeAt(i + 1) === DASH && isLineCommentStart(text, i + 2))) {
      i = lineEnd(text, i);
      continue;
    }
    if (c === STAR && text.charCodeAt(i + 1) === SLASH && openedAt >= 0) {
      edits.push({ from: openedAt, to: openerEnd }, { from: i, to: i + 2 });
      openedAt = -1;
      i += 2;
      continue;
    }
    if (c === SLASH && text.charCodeAt(i + 1) === STAR) {
      if (text.charCodeAt(i + 2) !== BANG) {
        // A regular comment: to its first `*/`.
        const close = text.indexOf('*/', i + 2);
        if (close < 0) return { text };
        i = close + 2;
        continue;
      }
      const digits = fiveDigits(text, i + 3);
      const markerEnd = i + 3 + (digits === undefined ? 0 : 5);
      if ((digits === undefined || digits <= EXECUTABLE_COMMENT_VERSION) && openedAt >= 0) {
        // MySQL keeps one "in a comment" flag: a second opener inside only loses its marker, and the first `*/`
        // ends both (a later `*/` is then a syntax error, as in MySQL).
        edits.push({ from: i, to: markerEnd });
        i = markerEnd;
        continue;
      }
      if (digits === undefined || digits <= EXECUTABLE_COMMENT_VERSION) {
        openedAt = i;
        openerEnd = markerEnd;
        i = openerEnd;
        continue;
      }
      // A later version's comment: skipped, with one nested regular comment allowed inside.
      const end = skipVersionedComment(text, i + 8);
      if (end < 0) return { text };
      edits.push({ from: i, to: end });
      i = end;
      continue;
    }
    i++;
  }
  if (openedAt >= 0) return { text, unclosedAt: openedAt };
  if (edits.length === 0) return { text };
  edits.sort((a, b) => a.from - b.from);
  for (const e of edits) {
    out.push(text.slice(copied, e.from), blank(text.slice(e.from, e.to)));
    copied = e.to;
  }
  out.push(text.slice(copied));
  return { text: out.join('') };
}

/** Whether `text` holds a comment of any form outside strings (a statement made only of comments is not empty). */
export function hasComment(text: string): boolean {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE || c === DOUBLE_QUOTE || c === BACKTICK) {
      i = skipQuoted(text, i, c);
      continue;
    }
    if (c === HASH || (c === SLASH && text.charCodeAt(i + 1) === STAR)) return true;
    if (c === DASH && text.charCodeAt(i + 1) === DASH && isLineCommentStart(text, i + 2)) return true;
    i++;
  }
  return false;
}

/** MySQL wants a blank (or the end of the line) after `--` for a comment: `1--1` is `1 - -1`. */
function isLineCommentStart(text: string, at: number): boolean {
  if (at >= text.length) return true;
  const c = text.charCodeAt(at);
  return c === 0x20 || c === 0x09 || c === 0x0b || c === 0x0c || c === LF || c === CR;
}

function lineEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === LF || c === CR) return i;
    i++;
  }
  return i;
}

/** Past the closing quote of the string or quoted name opening at `from` (or the end of the text): scan.ts's rules. */
function skipQuoted(text: string, from: number, quote: number): number {
  const end = quotedEnd(text, from, quote);
  return end < 0 ? text.length : end;
}

/** The five-digit version at `at`, or undefined when there are not five digits there. */
function fiveDigits(text: string, at: number): number | undefined {
  let value = 0;
  for (let k = 0; k < 5; k++) {
    const c = text.charCodeAt(at + k);
    if (!(c >= 0x30 && c <= 0x39)) return undefined;
    value = value * 10 + (c - 0x30);
  }
  return value;
}

/** End (past `*\/`) of a skipped versioned comment whose content starts at `from`; -1 when it is never closed. */
function skipVersionedComment(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === SLASH && text.charCodeAt(i + 1) === STAR) {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) return -1;
      i = close + 2;
      continue;
    }
    if (c === STAR && text.charCodeAt(i + 1) === SLASH) return i + 2;
    i++;
  }
  return -1;
}

/** Spaces for every character but line breaks, which stay (so line numbers after it do not move). */
function blank(s: string): string {
  return s.replace(/[^\r\n]/g, ' ');
}
