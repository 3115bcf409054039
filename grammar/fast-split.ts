/**
 * Splitting a script on top-level `;` without the lexer. A dump's INSERT can be megabytes of VALUES, and the lexer
 * builds a token object per value (~0.35 s per MB) only for splitSql to throw them away; this scan reads each
 * character once and keeps nothing.
 *
 * It recognises exactly what decides where a statement ends — the lexer's strings ('…' and "…" with backslash
 * escapes and doubled quotes), quoted identifiers, comments (`/* … *\/`, `#`, and `--` followed by a blank or the end
 * of a line) — and the characters that can start a token. On anything else (a character the lexer rejects, an
 * unterminated string or comment) it gives up and returns undefined, so splitSql's lexer path produces the error
 * with its exact message and position. Positions count lines as the lexer does (`\n`, `\r\n` and a lone `\r`).
 */
import type { SourcePosition } from './ast.ts';

/** One statement's slice of a script, as splitSql returns it. */
export interface ScannedChunk {
  /** The statement text, from its first to its last token (no trailing `;`). */
  readonly text: string;
  /** Where it starts in the whole text. */
  readonly position: SourcePosition;
}

const SPACE = 1;
const WORD = 2;
const PUNCT = 3;
/** Character classes of the ASCII range; everything at or above 0x80 starts or continues an identifier. */
const CLASS = new Uint8Array(128);
for (const c of ' \t\r\n\f\v') CLASS[c.charCodeAt(0)] = SPACE;
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9_$]/.test(ch)) CLASS[c] = WORD;
}
// Characters that start an operator or punctuation token of grammar/tokens.ts (':' only as ':=').
for (const c of '.,;()[+-*/%<>=!~&|^@') CLASS[c.charCodeAt(0)] = PUNCT;

/** Character codes the scan compares against. */
const Ch = {
  LF: 10,
  CR: 13,
  Hash: 35,
  Quote: 39,
  DoubleQuote: 34,
  Star: 42,
  Minus: 45,
  Slash: 47,
  Colon: 58,
  Semicolon: 59,
  Equals: 61,
  Backslash: 92,
  Backquote: 96,
} as const;

/** The statements of `text`, or undefined when only the lexer can say what the text holds. */
export function scanStatements(text: string): ScannedChunk[] | undefined {
  const chunks: ScannedChunk[] = [];
  const n = text.length;
  let line = 1;
  let lineStart = 0;
  // The current statement: where its first token starts (-1: none yet) and where its last token ends.
  let start = -1;
  let startPosition: SourcePosition = { line: 1, column: 1 };
  let end = 0;
  const tokenAt = (i: number): void => {
    if (start < 0) {
      start = i;
      startPosition = { line, column: i - lineStart + 1 };
    }
  };
  /** Count the line breaks of text[from, to) as the lexer does. */
  const lines = (from: number, to: number): void => {
    for (let j = from; j < to; j++) {
      const c = text.charCodeAt(j);
      if (c === Ch.LF || (c === Ch.CR && text.charCodeAt(j + 1) !== Ch.LF)) {
        line++;
        lineStart = j + 1;
      }
    }
  };
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const cls = c < 128 ? CLASS[c] : WORD;
    if (cls === SPACE) {
      if (c === Ch.LF || (c === Ch.CR && text.charCodeAt(i + 1) !== Ch.LF)) {
        line++;
        lineStart = i + 1;
      }
      i++;
      continue;
    }
    if (cls === WORD) {
      tokenAt(i);
      i++;
      end = i;
      continue;
    }
    if (c === Ch.Quote || c === Ch.DoubleQuote || c === Ch.Backquote) {
      const close = closingQuote(text, i, c);
      if (close < 0) return undefined; // unterminated: the lexer's error
      tokenAt(i);
      lines(i, close + 1);
      i = close + 1;
      end = i;
      continue;
    }
    if (c === Ch.Hash || (c === Ch.Minus && text.charCodeAt(i + 1) === Ch.Minus && startsLineComment(text, i + 2))) {
      while (i < n && text.charCodeAt(i) !== Ch.LF && text.charCodeAt(i) !== Ch.CR) i++;
      continue;
    }
    if (c === Ch.Slash && text.charCodeAt(i + 1) === Ch.Star) {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) return undefined; // unterminated comment
      lines(i, close + 2);
      i = close + 2;
      continue;
    }
    if (c === Ch.Semicolon) {
      if (start >= 0) chunks.push({ text: text.slice(start, end), position: startPosition });
      start = -1;
      i++;
      continue;
    }
    if (cls === PUNCT || (c === Ch.Colon && text.charCodeAt(i + 1) === Ch.Equals)) {
      tokenAt(i);
      i++;
      end = i;
      continue;
    }
    return undefined; // a character no token starts with: the lexer reports it
  }
  if (start >= 0) chunks.push({ text: text.slice(start, end), position: startPosition });
  return chunks;
}

/** `--` starts a comment only before a blank, a line break or the end (MySQL: `1--1` is `1 - -1`). */
function startsLineComment(text: string, at: number): boolean {
  if (at >= text.length) return true;
  const c = text.charCodeAt(at);
  return c === 32 || c === 9 || c === 12 || c === 11 || c === Ch.LF || c === Ch.CR;
}

/**
 * Index of the quote closing the string or quoted identifier opened at `open`, or -1. Strings take backslash
 * escapes and doubled quotes; quoted identifiers only doubled backquotes (the lexer's patterns).
 */
export function closingQuote(text: string, open: number, quote: number): number {
  const n = text.length;
  const escapes = quote !== Ch.Backquote;
  let i = open + 1;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (escapes && c === Ch.Backslash) {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (text.charCodeAt(i + 1) === quote) {
        i += 2;
        continue;
      }
      return i;
    }
    i++;
  }
  return -1;
}
