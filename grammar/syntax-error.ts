/**
 * MySQL-style syntax errors (errno 1064, SQLSTATE 42000) with a position and the list of what would have been
 * accepted, e.g. `… near 'FROMM t' at line 1, column 10. Expected one of: ',', FROM, WHERE, …`.
 *
 * Tokens carry SQL-word labels (`FROM`, `'('`, `identifier`), so the expected list reads as SQL. The list comes
 * from chevrotain's content assist over the statement's preceding tokens (complete: it includes every optional
 * clause that could have come next), falling back to the exception's own expectation when that is not available.
 * The quoted text is the statement's own, so its quoted tokens are shown as `<secret>` (grammar/mask-quoted.ts): a
 * statement that does not parse may still hold a password.
 */
import type { IParserErrorMessageProvider, IToken, TokenType } from 'chevrotain';
import { ErrorCode } from '../src/errors/error-codes.ts';
import { SqlError } from '../src/errors/sql-error.ts';
import type { SourcePosition } from './ast.ts';
import { redactUnparsed } from './mask-quoted.ts';

/** At most this many alternatives are listed; more are summarised by `…`. */
const MAX_EXPECTED = 12;
/** MySQL quotes at most this much of the text after the error. */
const NEAR_LENGTH = 80;

const MYSQL_PREFIX = 'You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use';

/** The user-facing name of a token type: its label, else its name. */
export function tokenLabel(type: TokenType): string {
  return type.LABEL ?? type.name;
}

/** Distinct labels of the given token types, in order, capped with `…`. */
export function expectedList(types: readonly TokenType[]): string[] {
  const labels: string[] = [];
  for (const type of types) {
    const label = tokenLabel(type);
    if (label === 'keyword') continue; // the catch-all of GRANT's word lists: too vague to help
    if (!labels.includes(label)) labels.push(label);
  }
  return labels;
}

function describeExpected(expected: readonly string[], canEnd: boolean): string {
  const items = [...expected];
  if (canEnd) items.push('end of statement');
  if (items.length === 0) return '';
  const shown = items.length > MAX_EXPECTED ? [...items.slice(0, MAX_EXPECTED), '…'] : items;
  return shown.length === 1 ? ` Expected: ${shown[0]}.` : ` Expected one of: ${shown.join(', ')}.`;
}

/** 1-based line/column of a character offset of `text`. */
export function positionAt(text: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** What went wrong, for {@link syntaxError}. */
export interface SyntaxErrorInfo {
  /** The whole text given to the parser (for the `near '…'` excerpt and positions). */
  readonly text: string;
  /** Offset of the offending input, or undefined at end of input. */
  readonly offset: number | undefined;
  /** Offset just past the end of the statement, used for the position when the input ended too early. */
  readonly endOffset: number;
  /** Labels of what would have been accepted. */
  readonly expected: readonly string[];
  /** True when ending the statement at that point would also have been valid. */
  readonly canEnd: boolean;
  /** Extra explanation placed before the expected list (e.g. "unterminated string"). */
  readonly detail?: string;
}

/** Build the 1064 SqlError. */
export function syntaxError(info: SyntaxErrorInfo): SqlError {
  const { errno, sqlState } = ErrorCode.ER_PARSE_ERROR;
  const detail = info.detail === undefined ? '' : ` ${info.detail}.`;
  const expected = describeExpected(info.expected, info.canEnd);
  if (info.offset === undefined) {
    const position = positionAt(info.text, info.endOffset);
    const message = `${MYSQL_PREFIX} at end of input (line ${position.line}, column ${position.column}).${detail}${expected}`;
    return new SqlError(errno, sqlState, message, position);
  }
  const position = positionAt(info.text, info.offset);
  // The statement did not parse, so nothing says which literal is a credential: every quoted token is masked.
  const near = redactUnparsed(info.text.slice(info.offset, info.offset + NEAR_LENGTH)).replace(/\s+$/, '');
  const message = `${MYSQL_PREFIX} near '${near}' at line ${position.line}, column ${position.column}.${detail}${expected}`;
  return new SqlError(errno, sqlState, message, position);
}

/** A token's description for messages: `'FROMM'` or `end of input`. */
export function describeToken(token: IToken): string {
  return token.tokenType.name === 'EOF' ? 'end of input' : `'${token.image}'`;
}

/**
 * Chevrotain's own messages, only used as the fallback expectation (the final message is built by syntaxError).
 * They list first tokens of each expected path, by label.
 */
export const parserErrorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected }) => tokenLabel(expected),
  buildNotAllInputParsedMessage: () => '',
  buildNoViableAltMessage: ({ expectedPathsPerAlt, customUserDescription }) =>
    customUserDescription ??
    expectedList(expectedPathsPerAlt.flatMap((paths) => paths.map((path) => path[0]).filter((x): x is TokenType => x !== undefined))).join('\u0000'),
  buildEarlyExitMessage: ({ expectedIterationPaths, customUserDescription }) =>
    customUserDescription ??
    expectedList(expectedIterationPaths.map((path) => path[0]).filter((x): x is TokenType => x !== undefined)).join('\u0000'),
};

/** Make a syntax error's position (relative to one statement starting at `start`) absolute within the whole text. */
export function shiftPosition(error: unknown, start: { readonly line: number; readonly column: number }): unknown {
  if (!(error instanceof SqlError) || error.line === undefined || error.column === undefined) return error;
  const line = error.line + start.line - 1;
  const column = error.line === 1 ? error.column + start.column - 1 : error.column;
  if (line === error.line && column === error.column) return error;
  const message = error.message.replace(`line ${error.line}, column ${error.column}`, `line ${line}, column ${column}`);
  return new SqlError(error.errno, error.sqlState, message, { line, column }, { cause: error.cause });
}
