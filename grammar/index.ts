/**
 * tablevault's SQL front door: text → typed, immutable AST (see ast.ts).
 *
 * - `parseSql` parses every statement of a text (empty statements between `;` are skipped).
 * - `parseStatement` parses exactly one statement (an optional trailing `;` is fine).
 * - `splitSql` splits a text on top-level `;` with the cheap scan (scan.ts), so `;` in strings, comments or
 *   back-quoted names never splits; the server uses it to execute a multi-statement text one statement at a time.
 *
 * Every parse is bounded (limits.ts): the token count and parenthesis depth are checked on the scan before the
 * lexer runs, operator chains and list widths while parsing, and the finished tree's depth before it is returned.
 *
 * Every failure is a SqlError: 1064 (SQLSTATE 42000) with line and column for syntax errors, 1065 for an empty
 * query.
 */
import type { IRecognitionException, IToken } from 'chevrotain';
import { EOF, tokenMatcher } from './chevrotain.ts';
import { ErrorCode, sqlError } from '../src/errors/error-codes.ts';
import { isSqlError, SqlError } from '../src/errors/sql-error.ts';
import type { ParsedStatement, SourcePosition, Statement } from './ast.ts';
import { FAST_INSERT_MIN_LENGTH, parseInsertValues } from './insert-values.ts';
import { expandExecutableComments, sqlOfText } from './executable-comments.ts';
import { tokenize } from './lexer.ts';
import { DEFAULT_PARSE_LIMITS, depthLimitError, maxExprDepth, tokenLimitError, type ParseLimits } from './limits.ts';
import { sqlParser } from './parser.ts';
import { scanStatements, type StatementSpan } from './scan.ts';
import { expectedList, shiftPosition, syntaxError } from './syntax-error.ts';
import { Semicolon } from './tokens.ts';
import { VisitError } from './visitor/common.ts';
import { statementFromCst } from './visitor/statement.ts';

export type * from './ast.ts';
export { visitExpr, visitStatement } from './ast.ts';
export { expandExecutableComments, hasComment, sqlOfText } from './executable-comments.ts';
export { DEFAULT_PARSE_LIMITS, type ParseLimits } from './limits.ts';
export { quoteIdentifier, quoteString } from './quote.ts';
export { quotedEnd, scanStatements, StatementScanner, type StatementSpan } from './scan.ts';
export { shiftPosition } from './syntax-error.ts';
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
export function parseSql(sql: string, limits: ParseLimits = DEFAULT_PARSE_LIMITS): ParsedStatement[] {
  // MySQL's executable comments: executed ones become plain SQL, the others blanks (offsets and lines kept).
  const text = sqlOfText(sql);
  const spans = scanStatements(text);
  if (spans.length === 0) throw emptyQuery();
  return spans.map((span) => {
    const statementText = text.slice(span.start, span.end);
    let statement: Statement;
    try {
      statement = parseStatement(statementText, limits);
    } catch (error) {
      throw shiftPosition(error, span.position);
    }
    return freeze({ statement, text: statementText, position: span.position });
  });
}

/** Parse exactly one statement (an optional trailing `;` is allowed) within `limits`. */
export function parseStatement(sql: string, limits: ParseLimits = DEFAULT_PARSE_LIMITS): Statement {
  return parseOne(sql, limits, true);
}

/** parseStatement through the general parser only: what the INSERT fast path must agree with. */
export function parseStatementWithParser(sql: string, limits: ParseLimits = DEFAULT_PARSE_LIMITS): Statement {
  return parseOne(sql, limits, false);
}

function parseOne(sql: string, limits: ParseLimits, fastInsert: boolean): Statement {
  const text = sqlOfText(sql);
  const [only, second] = scanStatements(text, limits.maxTokens);
  if (only === undefined) throw emptyQuery();
  if (second !== undefined) {
    throw syntaxError({ text, offset: second.start, endOffset: text.length, expected: [], canEnd: false, detail: 'Only one statement is allowed here' });
  }
  checkScannedLimits(only, limits);
  return guard(text, () => {
    // Long INSERT … VALUES of literal rows (dumps): a character scan builds the same AST (insert-values.ts).
    const fast = fastInsert && text.length >= FAST_INSERT_MIN_LENGTH ? parseInsertValues(text, (head) => parseOrUndefined(head, limits)) : undefined;
    const groups = fast === undefined ? statementTokens(tokenize(text)) : [];
    const statement = fast ?? parseTokens(text, groups[0] as IToken[], limits);
    if (maxExprDepth(statement, limits.maxExprDepth) > limits.maxExprDepth) throw depthLimitError(limits.maxExprDepth);
    return freeze(statement);
  });
}

/** The one statement of `text`, or undefined for any error (the fast INSERT path's head parse). */
function parseOrUndefined(text: string, limits: ParseLimits): Statement | undefined {
  try {
    const groups = statementTokens(tokenize(text));
    return groups.length === 1 ? parseTokens(text, groups[0] as IToken[], limits) : undefined;
  } catch {
    return undefined;
  }
}

/** The limits a scan can tell before any token is made: token count and parenthesis depth. */
export function checkScannedLimits(span: StatementSpan, limits: ParseLimits): void {
  if (span.tokens > limits.maxTokens) throw tokenLimitError(span.tokens, limits.maxTokens, span.truncated === true);
  if (span.depth > limits.maxExprDepth) throw depthLimitError(limits.maxExprDepth);
}

/** Split `text` into statements on top-level `;`; empty statements are dropped. Never throws: errors are the parser's. */
export function splitSql(sql: string): SqlChunk[] {
  // Chunks are slices of the expanded text: an executed `/*!…*/` is plain SQL in them, its markers blanks.
  const text = expandExecutableComments(sql);
  return scanStatements(text).map((span) => ({ text: text.slice(span.start, span.end), position: span.position }));
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

function parseTokens(text: string, group: IToken[], limits: ParseLimits): Statement {
  const parser = sqlParser();
  const cst = parser.parseStatementTokens(group, limits);
  const error = parser.errors[0];
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
      expected = expectedList(sqlParser().computeContentAssist('statement', preceding).map((path) => path.nextTokenType));
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
      const error = syntaxError({ text, offset: 0, endOffset: text.length, expected: [], canEnd: false, detail: 'The statement is nested too deeply' });
      // The cause says it was this thread's stack: src/sql/parse retries on the parser thread's larger one.
      throw new SqlError(error.errno, error.sqlState, error.message, { line: error.line ?? 1, column: error.column ?? 1 }, { cause: e });
    }
    const { errno, sqlState } = ErrorCode.ER_UNKNOWN_ERROR;
    throw new SqlError(errno, sqlState, `Internal parser error: ${e instanceof Error ? e.message : String(e)}`, undefined, { cause: e });
  }
}

/** Deep-freeze without recursion (an AST may be as deep as the depth limit allows). */
export function freeze<T>(value: T): T {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null || Object.isFrozen(node)) continue;
    Object.freeze(node);
    for (const inner of Object.values(node)) if (typeof inner === 'object' && inner !== null) stack.push(inner);
  }
  return value;
}
