/**
 * `?` parameter markers of a prepared statement. A prepared text is parsed once when it is prepared (syntax errors
 * and the parameter count are known then); each execution puts the parameters' values, written as SQL literals of
 * their type, where the markers are and runs that text. The markers are found by the lexer, so a `?` inside a
 * string, a comment or a back-quoted name is not one.
 */
import { tokenMatcher } from 'chevrotain';
import type { Statement } from './ast.ts';
import { tokenize } from './lexer.ts';
import { Placeholder } from './tokens.ts';
import { parseStatement } from './index.ts';

/** A statement text with `?` markers, checked by the parser. */
export interface PreparedText {
  /** The text as prepared. */
  readonly text: string;
  /** Offsets of the `?` markers in `text`, in order. */
  readonly markers: readonly number[];
  /** The statement as parsed with each marker taken for a constant (its kind, its tables). */
  readonly statement: Statement;
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

/**
 * Check one statement with `?` markers. It is parsed with a one-character constant in place of every marker, so a
 * syntax error's line and column point into the text as written; where a number cannot stand (a string position such
 * as a property value) an empty string is tried before the first error is reported.
 */
export function prepareText(text: string): PreparedText {
  const markers = placeholderOffsets(text);
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
  return { text, markers, statement };
}
