/**
 * A cheap first pass over SQL text: where statements start and end (top-level `;`), how many tokens each has and
 * how deeply its parentheses nest. It reads every character once, keeps no tokens and builds no strings, so a
 * multi-megabyte text is measured in milliseconds — before the real lexer and parser (which allocate per token and
 * recurse per nesting level) are allowed near it. Limits are enforced on these numbers first.
 *
 * It follows the lexer's rules (tokens.ts) for everything that decides where a `;` is: strings with `\` escapes
 * and doubled quotes, back-quoted names, `/* … *\/`, `#` and `-- ` comments (MySQL needs a space after `--`), each
 * running to the end of the text when unterminated. The token count matches the lexer's on well-formed text; on
 * malformed text the parser reports the error.
 */
import type { SourcePosition } from './ast.ts';

/** One statement's extent and size. */
export interface StatementSpan {
  /** Offset of its first token. */
  readonly start: number;
  /** Offset just past its last token (the text between is the statement, without the `;`). */
  readonly end: number;
  /** Line and column of its first token (1-based). */
  readonly position: SourcePosition;
  /** Number of tokens (comments and whitespace excluded). */
  readonly tokens: number;
  /** Deepest nesting of parentheses. */
  readonly depth: number;
  /**
   * True when the scan stopped inside this statement because it already had more than `stopAfterTokens` tokens:
   * `end`, `tokens` and `depth` only cover what was read, and nothing after it was scanned.
   */
  readonly truncated?: boolean;
}

/** Character codes the scan compares against. */
const C = {
  TAB: 9, LF: 10, VT: 11, FF: 12, CR: 13, SPACE: 32, BANG: 33, DQUOTE: 34, HASH: 35, DOLLAR: 36, AMP: 38, QUOTE: 39,
  LPAREN: 40, RPAREN: 41, STAR: 42, PLUS: 43, MINUS: 45, DOT: 46, SLASH: 47, ZERO: 48, NINE: 57, COLON: 58, SEMI: 59,
  LT: 60, EQ: 61, GT: 62, AT: 64, UPPER_E: 69, BACKSLASH: 92, UNDERSCORE: 95, BACKTICK: 96, LOWER_E: 101, PIPE: 124,
} as const;

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === C.UNDERSCORE || c === C.DOLLAR || c >= 0x80;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= C.ZERO && c <= C.NINE);
}

function isDigit(c: number): boolean {
  return c >= C.ZERO && c <= C.NINE;
}

function isSpace(c: number): boolean {
  return c === C.SPACE || c === C.TAB || c === C.LF || c === C.CR || c === C.FF || c === C.VT;
}

/**
 * Offset just past the closing quote of a quoted string or name opened at `i`, or -1 when it is never closed. `\`
 * escapes the next character except in back-quoted names; a doubled quote stands for itself. Jumps with indexOf,
 * so a long literal costs a native search, not a loop step per character. Every search is bounded by the literal
 * itself: the backslash search only looks before the next quote, so a script of many short strings costs its
 * length once, not once per string (an unbounded search for a backslash that never comes read to the end of the
 * text for every literal — quadratic in a 20,000-row INSERT).
 */
export function quotedEnd(text: string, i: number, quote: number): number {
  const q = String.fromCharCode(quote);
  const escapes = quote !== C.BACKTICK;
  let j = i + 1;
  let close = -1;
  for (;;) {
    if (close < j) {
      close = text.indexOf(q, j);
      if (close < 0) return -1;
    }
    if (escapes) {
      // A sliced string shares the text's storage: this is a bounded native search, not a copy.
      const backslash = text.slice(j, close).indexOf('\\');
      if (backslash >= 0) {
        j += backslash + 2;
        continue;
      }
    }
    if (text.charCodeAt(close + 1) === quote) {
      j = close + 2;
      continue;
    }
    return close + 1;
  }
}

/** Length of a multi-character operator at `i` (2 or 3), or 1. */
function operatorLength(text: string, i: number, c: number): number {
  const d = text.charCodeAt(i + 1);
  if (c === C.LT) {
    if (d === C.EQ) return text.charCodeAt(i + 2) === C.GT ? 3 : 2;
    return d === C.GT || d === C.LT ? 2 : 1;
  }
  if (c === C.GT) return d === C.EQ || d === C.GT ? 2 : 1;
  if (c === C.BANG) return d === C.EQ ? 2 : 1;
  if (c === C.AMP) return d === C.AMP ? 2 : 1;
  if (c === C.PIPE) return d === C.PIPE ? 2 : 1;
  if (c === C.COLON) return d === C.EQ ? 2 : 1;
  return 1;
}

/**
 * Split `text` into statements (empty ones dropped) and measure each. A statement with more than `stopAfterTokens`
 * tokens ends the scan (it is refused anyway): its span is marked `truncated` and is the last one returned.
 */
export function scanStatements(text: string, stopAfterTokens = Infinity): StatementSpan[] {
  const scanner = new StatementScanner(text, stopAfterTokens);
  scanner.scan(Infinity);
  return scanner.spans;
}

/**
 * scanStatements in slices: `scan(budget)` reads about `budget` more characters (a token is never split) and says
 * whether the text is done, so a caller can let the event loop run between slices of a multi-megabyte text.
 */
export class StatementScanner {
  readonly #text: string;
  readonly #stopAfter: number;
  readonly #spans: StatementSpan[] = [];
  #i = 0;
  #done = false;
  #line = 1;
  #lineStart = 0;
  // The statement being read: its first token (-1 = none yet), last token end, counts.
  #start = -1;
  #startLine = 1;
  #startColumn = 1;
  #end = 0;
  #tokens = 0;
  #depth = 0;
  #maxDepth = 0;
  // Next line feed / carriage return at or after the scan position (2^32 - 1 when none): found with indexOf, so a
  // long literal or comment is crossed by a native search, not a step per character.
  #nextLf = -1;
  #nextCr = -1;

  constructor(text: string, stopAfterTokens = Infinity) {
    this.#text = text;
    this.#stopAfter = stopAfterTokens;
  }

  /** The statements found so far (all of them once `scan` returned true). */
  get spans(): StatementSpan[] {
    return this.#spans;
  }

  /** Read on for about `budget` characters; true when the whole text (or the first oversized statement) is read. */
  scan(budget: number): boolean {
    if (this.#done) return true;
    const text = this.#text;
    const n = text.length;
    const stop = budget === Infinity ? n : Math.min(n, this.#i + budget);
    let i = this.#i;
    while (i < stop) {
      if (this.#tokens > this.#stopAfter) {
        this.#spans.push({ ...this.#current(), truncated: true });
        this.#done = true;
        return true;
      }
      const c = text.charCodeAt(i);
      if (isSpace(c)) {
        if (c === C.LF || c === C.CR) this.#lines(i, i + 1);
        i++;
        continue;
      }
      if (c === C.HASH || (c === C.MINUS && text.charCodeAt(i + 1) === C.MINUS && (i + 2 >= n || isSpace(text.charCodeAt(i + 2))))) {
        // Line comment: up to (not including) the line break.
        i = Math.min(this.#nextBreak(i), n);
        continue;
      }
      if (c === C.SLASH && text.charCodeAt(i + 1) === C.STAR) {
        const close = text.indexOf('*/', i + 2);
        const to = close < 0 ? n : close + 2;
        this.#lines(i, to);
        // An unterminated comment is a token (the parser reports it); a closed one is skipped.
        if (close < 0) this.#token(i, to);
        i = to;
        continue;
      }
      if (c === C.QUOTE || c === C.DQUOTE || c === C.BACKTICK) {
        const closed = quotedEnd(text, i, c);
        const to = closed < 0 ? n : closed;
        this.#token(i, to);
        this.#lines(i, to);
        i = to;
        continue;
      }
      if (c === C.SEMI) {
        this.#finish();
        i++;
        continue;
      }
      if (isDigit(c) || (c === C.DOT && isDigit(text.charCodeAt(i + 1)))) {
        let j = i;
        while (j < n && isDigit(text.charCodeAt(j))) j++;
        if (text.charCodeAt(j) === C.DOT) {
          j++;
          while (j < n && isDigit(text.charCodeAt(j))) j++;
        }
        const e = text.charCodeAt(j);
        if (e === C.LOWER_E || e === C.UPPER_E) {
          let k = j + 1;
          const sign = text.charCodeAt(k);
          if (sign === C.PLUS || sign === C.MINUS) k++;
          if (isDigit(text.charCodeAt(k))) {
            while (k < n && isDigit(text.charCodeAt(k))) k++;
            j = k;
          }
        }
        this.#token(i, j);
        i = j;
        continue;
      }
      if (isIdentStart(c)) {
        let j = i + 1;
        while (j < n && isIdentPart(text.charCodeAt(j))) j++;
        this.#token(i, j);
        i = j;
        continue;
      }
      if (c === C.AT) {
        // @x, @@x, @@session.x (names may contain dots); a lone @ is a token of its own.
        let j = i + 1;
        if (text.charCodeAt(j) === C.AT && isIdentStart(text.charCodeAt(j + 1))) j++;
        if (isIdentStart(text.charCodeAt(j)) && text.charCodeAt(j) < 0x80) {
          j++;
          while (j < n) {
            const d = text.charCodeAt(j);
            if (!((d >= 65 && d <= 90) || (d >= 97 && d <= 122) || isDigit(d) || d === C.UNDERSCORE || d === C.DOLLAR || d === C.DOT)) break;
            j++;
          }
        } else j = i + 1;
        this.#token(i, j);
        i = j;
        continue;
      }
      if (c === C.LPAREN) {
        this.#depth++;
        if (this.#depth > this.#maxDepth) this.#maxDepth = this.#depth;
      } else if (c === C.RPAREN && this.#depth > 0) this.#depth--;
      const len = operatorLength(text, i, c);
      this.#token(i, i + len);
      i += len;
    }
    this.#i = i;
    if (i < n) return false;
    if (this.#tokens > this.#stopAfter) this.#spans.push({ ...this.#current(), truncated: true });
    else this.#finish();
    this.#done = true;
    return true;
  }

  #current(): StatementSpan {
    return { start: this.#start, end: this.#end, position: { line: this.#startLine, column: this.#startColumn }, tokens: this.#tokens, depth: this.#maxDepth };
  }

  /** Offset of the first line break at or after `from` (2^32 - 1 when none). */
  #nextBreak(from: number): number {
    if (this.#nextLf < from) this.#nextLf = this.#text.indexOf('\n', from) >>> 0;
    if (this.#nextCr < from) this.#nextCr = this.#text.indexOf('\r', from) >>> 0;
    return Math.min(this.#nextLf, this.#nextCr);
  }

  /** Count line breaks in text[from, to) (tokens that may span lines: strings, comments, quoted names). */
  #lines(from: number, to: number): void {
    for (;;) {
      const k = this.#nextBreak(from);
      if (k >= to) return;
      // CRLF counts once, at its LF.
      if (k === this.#nextLf || this.#text.charCodeAt(k + 1) !== C.LF) {
        this.#line++;
        this.#lineStart = k + 1;
      }
      from = k + 1;
    }
  }

  #token(from: number, to: number): void {
    if (this.#start < 0) {
      this.#start = from;
      this.#startLine = this.#line;
      this.#startColumn = from - this.#lineStart + 1;
    }
    this.#end = to;
    this.#tokens++;
  }

  #finish(): void {
    if (this.#start >= 0) this.#spans.push(this.#current());
    this.#start = -1;
    this.#tokens = 0;
    this.#depth = 0;
    this.#maxDepth = 0;
  }
}
