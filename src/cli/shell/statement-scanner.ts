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

export interface ScanResult {
  /** Complete statements (text before each top-level `;`, trimmed), statements with only comments dropped. */
  readonly statements: readonly string[];
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
  let start = 0;
  let hasContent = false;
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
      if (hasContent) statements.push(stripEdgeComments(text.slice(start, i)));
      start = i + 1;
      hasContent = false;
      i++;
    } else {
      if (!isSpace(c)) hasContent = true;
      i++;
    }
  }
  return { statements, rest: text.slice(start), restHasContent: hasContent, open };
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
