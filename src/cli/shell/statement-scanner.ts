/**
 * The shell's statement splitter for partial input. The grammar's `splitSql` needs a complete text (an open quote
 * is a lexer error); the shell must instead say, after every line typed, which statements are complete and what is
 * still open — a quote, a back-quoted name, a block comment — so it can pick the continuation prompt. The lexical
 * rules mirror grammar/tokens.ts: `'…'` and `"…"` with backslash escapes and doubled quotes, back-quoted names with
 * doubled back quotes, `#` comments, `--` comments only when followed by whitespace or the end of the line, and
 * `/* … *\/` comments.
 */

/** What is still open at the end of the scanned text. */
export type OpenConstruct = 'none' | "'" | '"' | '`' | '/*';

/**
 * One complete piece of a script: a statement (ended by `;`, or by the mysql client's `\g` / `\G`, `\G` asking for
 * vertical output), or a backslash command on a line of its own (`\wait 12`).
 */
export type ScriptItem =
  | { readonly kind: 'statement'; readonly text: string; readonly vertical: boolean; readonly offset: number }
  | { readonly kind: 'command'; readonly text: string; readonly offset: number };

/** The suffix a statement ended by `\G` keeps in `ScanResult.statements`, so a caller of texts can tell. */
export const VERTICAL_SUFFIX = '\\G';

/** Split a statement text ended by `\G` into the statement and the request for vertical output. */
export function verticalRequest(text: string): { readonly sql: string; readonly vertical: boolean } {
  return text.endsWith(VERTICAL_SUFFIX) ? { sql: text.slice(0, -VERTICAL_SUFFIX.length), vertical: true } : { sql: text, vertical: false };
}

export interface ScanResult {
  /**
   * Complete statements (text before each top-level `;`, `\g` or `\G`, trimmed; `\G` kept at the end), statements
   * with only comments dropped.
   */
  readonly statements: readonly string[];
  /** The same statements with where each starts, and the backslash command lines, in order. */
  readonly items: readonly ScriptItem[];
  /** The text after the last top-level `;`. */
  readonly rest: string;
  /** Whether `rest` holds anything but whitespace and comments. */
  readonly restHasContent: boolean;
  /** The construct open at the end of the text. */
  readonly open: OpenConstruct;
}

/** Scan `text` once, left to right; never throws, whatever the input. */
export function scanStatements(text: string): ScanResult {
  const statements: string[] = [];
  const items: ScriptItem[] = [];
  let start = 0;
  let hasContent = false;
  const end = (at: number, vertical: boolean): void => {
    if (hasContent) {
      const raw = text.slice(start, at);
      const statement = stripEdgeComments(raw);
      statements.push(vertical ? statement + VERTICAL_SUFFIX : statement);
      items.push({ kind: 'statement', text: statement, vertical, offset: start + firstContent(raw) });
    }
    hasContent = false;
  };
  let open: OpenConstruct = 'none';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i] as string;
    if (open === "'" || open === '"') {
      if (c === '\\') i += 2;
      else if (c === open) {
        // A doubled quote stays inside the string.
        if (text[i + 1] === open) i += 2;
        else {
          open = 'none';
          i++;
        }
      } else i++;
      continue;
    }
    if (open === '`') {
      if (c === '`') {
        if (text[i + 1] === '`') i += 2;
        else {
          open = 'none';
          i++;
        }
      } else i++;
      continue;
    }
    if (open === '/*') {
      if (c === '*' && text[i + 1] === '/') {
        open = 'none';
        i += 2;
      } else i++;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      open = c;
      hasContent = true;
      i++;
    } else if (c === '/' && text[i + 1] === '*') {
      open = '/*';
      i += 2;
    } else if (c === '#' || (c === '-' && text[i + 1] === '-' && isCommentStart(text, i + 2))) {
      while (i < n && text[i] !== '\n' && text[i] !== '\r') i++;
    } else if (c === ';') {
      end(i, false);
      start = i + 1;
      i++;
    } else if (c === '\\' && (text[i + 1] === 'g' || text[i + 1] === 'G')) {
      // The mysql client's go (`\g`) and go-vertical (`\G`), anywhere outside quotes and comments.
      end(i, text[i + 1] === 'G');
      start = i + 2;
      i += 2;
    } else if (c === '\\' && !hasContent && /[A-Za-z?]/.test(text[i + 1] ?? '') && atLineStart(text, i)) {
      // A backslash command on a line of its own, between statements (a script's `\wait`).
      let lineEnd = i;
      while (lineEnd < n && text[lineEnd] !== '\n' && text[lineEnd] !== '\r') lineEnd++;
      items.push({ kind: 'command', text: text.slice(i, lineEnd).trim(), offset: i });
      start = lineEnd;
      i = lineEnd;
    } else {
      if (!isSpace(c)) hasContent = true;
      i++;
    }
  }
  return { statements, items, rest: text.slice(start), restHasContent: hasContent, open };
}

/** Only spaces or tabs between the previous line break (or the start) and `at`. */
function atLineStart(text: string, at: number): boolean {
  for (let j = at - 1; j >= 0; j--) {
    const c = text[j];
    if (c === '\n' || c === '\r') return true;
    if (c !== ' ' && c !== '\t') return false;
  }
  return true;
}

/** Offset of a statement's first token within its raw text (after whitespace and leading comments). */
function firstContent(raw: string): number {
  const stripped = stripEdgeComments(raw);
  if (stripped === '') return 0;
  const at = raw.indexOf(stripped.slice(0, Math.min(stripped.length, 16)));
  return at < 0 ? 0 : at;
}

/** `--` starts a comment only before whitespace or at the end of the text. */
function isCommentStart(text: string, at: number): boolean {
  const next = text[at];
  return next === undefined || next === ' ' || next === '\t' || next === '\n' || next === '\r' || next === '\f' || next === '\v';
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
}

/**
 * Trim whitespace and leading/trailing comments, so the text sent is the statement itself (as `splitSql` does, which
 * slices from the first to the last token). Comments inside the statement stay.
 */
function stripEdgeComments(statement: string): string {
  let s = statement.trim();
  for (;;) {
    const before = s;
    if (s.startsWith('/*')) {
      const end = s.indexOf('*/', 2);
      if (end >= 0) s = s.slice(end + 2).trimStart();
    } else if (s.startsWith('#') || (s.startsWith('--') && isCommentStart(s, 2))) {
      const end = s.search(/[\r\n]/);
      s = end < 0 ? '' : s.slice(end + 1).trimStart();
    }
    if (s === before) break;
  }
  return trimTrailingComments(s);
}

/** Drop comments after the last token: rescan to find where the last token ends. */
function trimTrailingComments(s: string): string {
  let lastTokenEnd = 0;
  let i = 0;
  const n = s.length;
  while (i < n) {
    const c = s[i] as string;
    if (c === "'" || c === '"' || c === '`') {
      i++;
      while (i < n) {
        const d = s[i] as string;
        if (d === '\\' && c !== '`') i += 2;
        else if (d === c) {
          if (s[i + 1] === c) i += 2;
          else {
            i++;
            break;
          }
        } else i++;
      }
      lastTokenEnd = Math.min(i, n);
    } else if (c === '/' && s[i + 1] === '*') {
      const end = s.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === '#' || (c === '-' && s[i + 1] === '-' && isCommentStart(s, i + 2))) {
      while (i < n && s[i] !== '\n' && s[i] !== '\r') i++;
    } else {
      i++;
      if (!isSpace(c)) lastTokenEnd = i;
    }
  }
  return s.slice(0, lastTokenEnd);
}

/**
 * Lines typed at the prompt accumulate here until a top-level `;` ends a statement. A backslash meta-command on a line
 * of its own is the shell's business, not part of the buffer.
 */
export class StatementBuffer {
  #text = '';

  /** Add one line; returns the statements it completed (possibly none). */
  push(line: string): readonly string[] {
    this.#text = this.#text.length === 0 ? line : `${this.#text}\n${line}`;
    const scan = scanStatements(this.#text);
    // Whitespace or comments after the last `;` are not the start of a statement: forget them.
    this.#text = scan.restHasContent || scan.open !== 'none' ? scan.rest : '';
    return scan.statements;
  }

  /** True while a statement is being continued. */
  get pending(): boolean {
    return this.#text.length > 0;
  }

  /** What is open at the end of the buffer (for the continuation prompt). */
  get open(): OpenConstruct {
    return scanStatements(this.#text).open;
  }

  /** The unfinished text. */
  get text(): string {
    return this.#text;
  }

  /** Drop the unfinished statement (Ctrl-C at a continuation prompt, `\r`). */
  clear(): void {
    this.#text = '';
  }
}
