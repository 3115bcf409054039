/**
 * `?` parameter markers of a prepared statement. The markers are found by the lexer, so a `?` inside a string, a
 * comment or a back-quoted name is not one. A prepared text is parsed once, when it is prepared (syntax errors and
 * the parameter count are known then). Each execution then needs a statement with the values in place:
 *
 * - where every marker stands for an expression (SELECT, INSERT … VALUES, DELETE … WHERE: the common case), the text
 *   is parsed with a unique sentinel string in each marker's place, and an execution copies that AST with each
 *   sentinel literal replaced by the value's literal node: no lexing or parsing per execution, however large the
 *   values (a multi-megabyte parameter would otherwise be lexed on every run);
 * - anywhere else (`LIMIT ?`, a property value, other statement kinds), the values are written into the text as
 *   SQL literals and that text is parsed for each execution.
 */
import { tokenMatcher } from 'chevrotain';
import type { Expr, Statement } from './ast.ts';
import { tokenize } from './lexer.ts';
import { Placeholder } from './tokens.ts';
import { parseStatement } from './index.ts';
import { sqlOfText } from './executable-comments.ts';

/** A statement text with `?` markers, checked by the parser. */
export interface PreparedText {
  /** The text as prepared, executable comments expanded (same offsets as the text as written). */
  readonly text: string;
  /** Offsets of the `?` markers in `text`, in order. */
  readonly markers: readonly number[];
  /** The statement as parsed with each marker taken for a constant (its kind, its tables). */
  readonly statement: Statement;
  /**
   * The statement with `values[i]` in place of marker i, without parsing; undefined when the markers are not all
   * expressions (then bind by text: `substitutePlaceholders` and parse).
   */
  bindExpressions(values: readonly Expr[]): Statement | undefined;
}

/** Offsets of the `?` markers of `text`. Throws the lexer's 1064 for text that does not lex. */
export function placeholderOffsets(text: string): number[] {
  return tokenize(text)
    .filter((token) => tokenMatcher(token, Placeholder))
    .map((token) => token.startOffset);
}

/** `text` with the marker at `markers[i]` replaced by `literals[i]`. */
export function substitutePlaceholders(text: string, markers: readonly number[], literals: readonly string[]): string {
  if (markers.length === 0) return text;
  let out = '';
  let from = 0;
  markers.forEach((at, i) => {
    out += text.slice(from, at) + (literals[i] as string);
    from = at + 1;
  });
  return out + text.slice(from);
}

/** Statement kinds whose markers may be bound in the AST (their other fields hold no copy of the source text). */
const AST_BINDABLE: ReadonlySet<Statement['kind']> = new Set(['Select', 'Insert', 'Delete']);
/** Control characters no SQL text a client sends contains: they make the sentinel unmistakable. */
const SENTINEL_MARK = '\u0001';
const sentinel = (i: number): string => `${SENTINEL_MARK}tv?${i}${SENTINEL_MARK}`;
const SENTINEL_IN_TEXT = new RegExp(`'${SENTINEL_MARK}tv\\?\\d+${SENTINEL_MARK}'`, 'g');

type Node = { readonly [key: string]: unknown };

/**
 * Copy `node`, replacing the StringLiteral holding sentinel i by `values[i]`, and the sentinels in source-text
 * fields (a select item's title) by `?`, which is how MySQL titles a parameter column. `seen` counts the literals.
 */
function substituteNode(node: unknown, values: readonly Expr[] | undefined, seen: number[]): unknown {
  if (typeof node === 'string') return node.includes(SENTINEL_MARK) ? node.replace(SENTINEL_IN_TEXT, '?') : node;
  if (typeof node !== 'object' || node === null) return node;
  if (Array.isArray(node)) return node.map((n) => substituteNode(n, values, seen));
  const record = node as Node;
  if (record['kind'] === 'StringLiteral' && typeof record['value'] === 'string' && record['value'].startsWith(SENTINEL_MARK)) {
    const m = /^\u0001tv\?(\d+)\u0001$/.exec(record['value']);
    if (m !== null) {
      const i = Number(m[1]);
      seen[i] = (seen[i] ?? 0) + 1;
      return values === undefined ? node : values[i];
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) out[key] = substituteNode(value, values, seen);
  return out;
}

/** Whether every sentinel appears exactly once, as an expression, and nowhere else. */
function sentinelsAreExpressions(statement: Statement, count: number): boolean {
  const seen: number[] = [];
  const copy = substituteNode(statement, undefined, seen);
  if (seen.length !== count || seen.some((n) => n !== 1)) return false;
  // No sentinel left anywhere but in the literals (a property value, a label …).
  return !JSON.stringify(copy, (_k, v: unknown) => (typeof v === 'object' && v !== null && (v as Node)['kind'] === 'StringLiteral' ? null : v)).includes(SENTINEL_MARK);
}

/**
 * Check one statement with `?` markers. The markers are read as expressions first (sentinel strings); where that
 * does not parse or they are not all expressions, as constants (a one-character number, so a syntax error's line and
 * column point into the text as written; an empty string where a number cannot stand, such as a property value).
 */
export function prepareText(written: string): PreparedText {
  // Executable comments first, as for any statement: a `?` in an executed `/*!50000 … */` is a marker, one in a later
  // version's comment is not. Offsets are those of the text as written (skipped comments become blanks).
  const text = sqlOfText(written);
  const markers = placeholderOffsets(text);
  if (markers.length > 0) {
    try {
      const statement = parseStatement(substitutePlaceholders(text, markers, markers.map((_, i) => `'${sentinel(i)}'`)));
      if (AST_BINDABLE.has(statement.kind) && sentinelsAreExpressions(statement, markers.length)) {
        return {
          text,
          markers,
          statement: substituteNode(statement, markers.map(() => ({ kind: 'NullLiteral' }) as Expr), []) as Statement,
          bindExpressions: (values) => substituteNode(statement, values, []) as Statement,
        };
      }
    } catch {
      // Not as expressions: try as constants below, which also gives the error to report.
    }
  }
  let statement: Statement;
  try {
    statement = parseStatement(substitutePlaceholders(text, markers, markers.map(() => '0')));
  } catch (first) {
    if (markers.length === 0) throw first;
    try {
      statement = parseStatement(substitutePlaceholders(text, markers, markers.map(() => "''")));
    } catch {
      throw first;
    }
  }
  return { text, markers, statement, bindExpressions: () => undefined };
}
