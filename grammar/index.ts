/**
 * tablevault's SQL front door: text → typed, immutable AST (see ast.ts).
 *
 * - `parseSql` parses every statement of a text (empty statements between `;` are skipped).
 * - `parseStatement` parses exactly one statement (an optional trailing `;` is fine).
 * - `splitSql` splits a text on top-level `;` using the lexer, so `;` in strings, comments or back-quoted names
 *   never splits; the server uses it to execute a multi-statement text one statement at a time.
 *
 * Every failure is a SqlError: 1064 (SQLSTATE 42000) with line and column for syntax errors, 1065 for an empty
 * query.
 */
import { EOF, tokenMatcher, type IRecognitionException, type IToken } from 'chevrotain';
import { ErrorCode, sqlError } from '../src/errors/error-codes.ts';
import { isSqlError, SqlError } from '../src/errors/sql-error.ts';
import type { ParsedStatement, SourcePosition, Statement } from './ast.ts';
import { tokenize } from './lexer.ts';
import { sqlParser } from './parser.ts';
import { expectedList, syntaxError } from './syntax-error.ts';
import { Semicolon } from './tokens.ts';
import { VisitError } from './visitor/common.ts';
import { statementFromCst } from './visitor/statement.ts';

export type * from './ast.ts';
export { visitExpr, visitStatement } from './ast.ts';
export {
  redactSql, redactStatement, redactUnparsed, replaceSpans, scriptSecretSpans, scrubSecrets, secretSpans, secretTexts, unparsedSecretSpans, SECRET_PLACEHOLDER,
} from './secrets.ts';

/** One statement's slice of a multi-statement text. */
export interface SqlChunk {
  /** The statement text, from its first to its last token (no trailing `;`). */
  readonly text: string;
  /** Where it starts in the whole text. */
  readonly position: SourcePosition;
}

/** Parse every statement of `text`. Throws SqlError 1064 on a syntax error, 1065 when there is no statement. */
export function parseSql(text: string): ParsedStatement[] {
  return guard(text, () => {
    const groups = statementTokens(tokenize(text));
    if (groups.length === 0) throw emptyQuery();
    return groups.map((group) => {
      const first = group[0] as IToken;
      return freeze({
        statement: parseTokens(text, group),
        text: sliceOf(text, group),
        position: { line: first.startLine ?? 1, column: first.startColumn ?? 1 },
      });
    });
  });
}

/** Parse exactly one statement (an optional trailing `;` is allowed). */
export function parseStatement(text: string): Statement {
  return guard(text, () => {
    const groups = statementTokens(tokenize(text));
    const [only, second] = groups;
    if (only === undefined) throw emptyQuery();
    if (second !== undefined) {
      const at = second[0] as IToken;
      throw syntaxError({ text, offset: at.startOffset, endOffset: text.length, expected: [], canEnd: false, detail: 'Only one statement is allowed here' });
    }
    return freeze(parseTokens(text, only));
  });
}

/** Split `text` into statements on top-level `;` tokens; empty statements are dropped. */
export function splitSql(text: string): SqlChunk[] {
  return guard(text, () =>
    statementTokens(tokenize(text)).map((group) => {
      const first = group[0] as IToken;
      return { text: sliceOf(text, group), position: { line: first.startLine ?? 1, column: first.startColumn ?? 1 } };
    }),
  );
}

function emptyQuery(): SqlError {
  return sqlError('ER_EMPTY_QUERY', 'Query was empty');
}

function statementTokens(all: readonly IToken[]): IToken[][] {
  const groups: IToken[][] = [];
  let current: IToken[] = [];
  for (const token of all) {
    if (tokenMatcher(token, Semicolon)) {
      if (current.length > 0) groups.push(current);
      current = [];
    } else {
      current.push(token);
    }
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

function sliceOf(text: string, group: readonly IToken[]): string {
  const first = group[0] as IToken;
  const last = group[group.length - 1] as IToken;
  return text.slice(first.startOffset, (last.endOffset ?? last.startOffset) + 1);
}

function parseTokens(text: string, group: IToken[]): Statement {
  const cst = sqlParser.parseStatementTokens(group);
  const error = sqlParser.errors[0];
  if (error !== undefined) throw recognitionError(text, group, error);
  try {
    return statementFromCst(cst, text);
  } catch (e) {
    if (e instanceof VisitError) {
      throw syntaxError({ text, offset: e.token.startOffset, endOffset: text.length, expected: [], canEnd: false, detail: e.message });
    }
    throw e;
  }
}

/** The statement's tokens before the offending one; content assist needs them to list what could come next. */
function recognitionError(text: string, group: readonly IToken[], error: IRecognitionException): SqlError {
  const atEnd = tokenMatcher(error.token, EOF);
  const index = atEnd ? group.length : group.findIndex((t) => t.startOffset === error.token.startOffset);
  const preceding = group.slice(0, index < 0 ? group.length : index);
  const last = group[group.length - 1] as IToken;
  let expected: string[] = [];
  if (preceding.length <= MAX_ASSIST_TOKENS) {
    try {
      expected = expectedList(sqlParser.computeContentAssist('statement', preceding).map((path) => path.nextTokenType));
    } catch {
      expected = [];
    }
  }
  if (expected.length === 0) expected = error.message.split('\u0000').filter((s) => s !== '');
  return syntaxError({
    text,
    offset: atEnd ? undefined : error.token.startOffset,
    endOffset: (last.endOffset ?? last.startOffset) + 1,
    expected,
    canEnd: error.name === 'NotAllInputParsedException',
  });
}

/** Content assist walks the grammar from the start of the statement; past this many tokens we use the cheaper hint. */
const MAX_ASSIST_TOKENS = 400;

/** Only SqlErrors leave the parser: a runaway nesting depth becomes a 1064, a parser bug a 1105 with its cause. */
function guard<T>(text: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (isSqlError(e)) throw e;
    if (e instanceof RangeError) {
      throw syntaxError({ text, offset: 0, endOffset: text.length, expected: [], canEnd: false, detail: 'The statement is nested too deeply' });
    }
    const { errno, sqlState } = ErrorCode.ER_UNKNOWN_ERROR;
    throw new SqlError(errno, sqlState, `Internal parser error: ${e instanceof Error ? e.message : String(e)}`, undefined, { cause: e });
  }
}

function freeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) freeze(inner);
  }
  return value;
}
