/**
 * The whole vocabulary of tablevault's StarRocks dialect, in one file (the chevrotain / java-parser layout).
 *
 * Keywords are case-insensitive and carry `longer_alt: Identifier`, so `snapshotter` lexes as one identifier and not
 * as SNAPSHOT + `ter`. Every keyword is in the `Keyword` category; the non-reserved ones are also in `NonReserved`,
 * which the `identifier` rule accepts, so a column called `date`, `status`, `type` or `comment` works unquoted.
 * Keywords are handed to the lexer longest first: with `longer_alt`, a shorter keyword tried first (DATE) would
 * otherwise turn a longer keyword (DATETIME) into a plain identifier.
 *
 * Deliberately NOT keywords: data type names (INT, VARCHAR, …: validated by the visitor, so they stay usable as
 * names), privilege names (any word is accepted and upper-cased; the analyzer validates), OFF.
 */
import type { TokenType } from 'chevrotain';
import { createToken, Lexer } from './chevrotain.ts';
import { quotedEnd } from './scan.ts';

// ---------------------------------------------------------------------------------------------------------------
// Categories (never produced by the lexer itself)

/** Every keyword, reserved or not. */
export const Keyword = createToken({ name: 'Keyword', pattern: Lexer.NA, label: 'keyword' });
/** Keywords StarRocks lets you use as identifiers. */
export const NonReserved = createToken({ name: 'NonReserved', pattern: Lexer.NA, label: 'identifier' });
/** Reserved keywords that are also function names: `IF(…)`, `LEFT(…)`, `DATABASE()`, `MOD(a, b)`, … */
export const FunctionKeyword = createToken({ name: 'FunctionKeyword', pattern: Lexer.NA, label: 'function name' });
/** `CURRENT_TIMESTAMP` and friends, callable without parentheses. */
export const NiladicFunction = createToken({ name: 'NiladicFunction', pattern: Lexer.NA, label: 'CURRENT_TIMESTAMP' });
/** Units of `INTERVAL n UNIT`. */
export const IntervalUnit = createToken({ name: 'IntervalUnit', pattern: Lexer.NA, label: 'interval unit' });
/** Tokens the lexer emits for an unterminated string, quoted identifier or comment: turned into a syntax error. */
export const Unterminated = createToken({ name: 'Unterminated', pattern: Lexer.NA });

// ---------------------------------------------------------------------------------------------------------------
// Trivia, literals, names

/**
 * Strings, back-quoted names and block comments are matched by a plain scan, not a RegExp: V8's RegExp engine
 * backtracks through `'(?:[^'\\]|\\[\s\S]|'')*'`, and a 10 MiB string literal overflowed its stack ("Maximum call
 * stack size exceeded"). The scan is the same as grammar/scan.ts': `\` escapes the next character in strings (not
 * in back-quoted names) and a doubled quote stands for itself. With `closed`, only a terminated token matches;
 * without, only an unterminated one (running to the end of the text).
 */
function quoted(text: string, offset: number, quote: string, closed: boolean): [string] | null {
  if (text[offset] !== quote) return null;
  const end = quotedEnd(text, offset, quote.charCodeAt(0));
  if (closed) return end < 0 ? null : [text.slice(offset, end)];
  return end < 0 ? [text.slice(offset)] : null;
}

/** `/* … *\/` (with `closed`) or an unterminated `/* …` running to the end. */
function blockComment(text: string, offset: number, closed: boolean): [string] | null {
  if (text.charCodeAt(offset) !== 47 || text.charCodeAt(offset + 1) !== 42) return null;
  const end = text.indexOf('*/', offset + 2);
  if (closed) return end < 0 ? null : [text.slice(offset, end + 2)];
  return end < 0 ? [text.slice(offset)] : null;
}

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\f\v]+/, group: Lexer.SKIPPED, line_breaks: true });
/** MySQL needs whitespace (or the end of the line) after `--`: `1--1` is `1 - -1`. */
export const LineComment = createToken({
  name: 'LineComment',
  pattern: /--(?:[ \t\f\v][^\r\n]*|(?=[\r\n])|(?![\s\S]))|#[^\r\n]*/,
  group: Lexer.SKIPPED,
  start_chars_hint: ['-', '#'],
});
export const BlockComment = createToken({
  name: 'BlockComment',
  pattern: { exec: (text, offset) => blockComment(text, offset, true) },
  group: Lexer.SKIPPED,
  line_breaks: true,
  start_chars_hint: ['/'],
});
export const UnterminatedComment = createToken({
  name: 'UnterminatedComment',
  pattern: { exec: (text, offset) => blockComment(text, offset, false) },
  line_breaks: true,
  categories: [Unterminated],
  label: 'unterminated comment',
  start_chars_hint: ['/'],
});

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_$\u0080-\uffff][\w$\u0080-\uffff]*/, label: 'identifier' });
export const QuotedIdentifier = createToken({
  name: 'QuotedIdentifier',
  pattern: { exec: (text, offset) => quoted(text, offset, '`', true) },
  line_breaks: true,
  label: 'identifier',
  start_chars_hint: ['`'],
});
export const UnterminatedQuotedIdentifier = createToken({
  name: 'UnterminatedQuotedIdentifier',
  pattern: { exec: (text, offset) => quoted(text, offset, '`', false) },
  line_breaks: true,
  categories: [Unterminated],
  label: 'unterminated quoted identifier',
  start_chars_hint: ['`'],
});
export const SingleQuotedString = createToken({
  name: 'SingleQuotedString',
  pattern: { exec: (text, offset) => quoted(text, offset, "'", true) },
  line_breaks: true,
  label: 'string',
  start_chars_hint: ["'"],
});
export const DoubleQuotedString = createToken({
  name: 'DoubleQuotedString',
  pattern: { exec: (text, offset) => quoted(text, offset, '"', true) },
  line_breaks: true,
  label: 'string',
  start_chars_hint: ['"'],
});
export const UnterminatedString = createToken({
  name: 'UnterminatedString',
  pattern: { exec: (text, offset) => quoted(text, offset, "'", false) ?? quoted(text, offset, '"', false) },
  line_breaks: true,
  categories: [Unterminated],
  label: 'unterminated string',
  start_chars_hint: ["'", '"'],
});
export const NumberLiteral = createToken({ name: 'NumberLiteral', pattern: /(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?/, label: 'number' });
/** `@@x`, `@@session.x`, `@@global.x`. */
export const SystemVariable = createToken({ name: 'SystemVariable', pattern: /@@[A-Za-z_$][\w$.]*/, label: '@@variable' });
/** `@x`; also the `@host` of an unquoted `user@host`. */
export const UserVariable = createToken({ name: 'UserVariable', pattern: /@[A-Za-z_$][\w$.]*/, label: '@variable' });

// ---------------------------------------------------------------------------------------------------------------
// Operators and punctuation (longest first where one is a prefix of another)

function punct(name: string, pattern: RegExp, label: string): TokenType {
  return createToken({ name, pattern, label: `'${label}'`, line_breaks: false });
}
export const NullSafeEquals = punct('NullSafeEquals', /<=>/, '<=>');
export const LessEquals = punct('LessEquals', /<=/, '<=');
export const GreaterEquals = punct('GreaterEquals', />=/, '>=');
export const LessGreater = punct('LessGreater', /<>/, '<>');
export const BangEquals = punct('BangEquals', /!=/, '!=');
export const ShiftLeft = punct('ShiftLeft', /<</, '<<');
export const ShiftRight = punct('ShiftRight', />>/, '>>');
export const DoubleAmpersand = punct('DoubleAmpersand', /&&/, '&&');
export const DoublePipe = punct('DoublePipe', /\|\|/, '||');
export const ColonEquals = punct('ColonEquals', /:=/, ':=');
export const Equals = punct('Equals', /=/, '=');
export const Less = punct('Less', /</, '<');
export const Greater = punct('Greater', />/, '>');
export const Plus = punct('Plus', /\+/, '+');
export const Minus = punct('Minus', /-/, '-');
export const Star = punct('Star', /\*/, '*');
export const Slash = punct('Slash', /\//, '/');
export const Percent = punct('Percent', /%/, '%');
export const Bang = punct('Bang', /!/, '!');
export const Tilde = punct('Tilde', /~/, '~');
export const Ampersand = punct('Ampersand', /&/, '&');
export const Pipe = punct('Pipe', /\|/, '|');
export const Caret = punct('Caret', /\^/, '^');
export const LParen = punct('LParen', /\(/, '(');
export const RParen = punct('RParen', /\)/, ')');
export const LBracket = punct('LBracket', /\[/, '[');
export const RBracket = punct('RBracket', /\]/, ']');
export const Comma = punct('Comma', /,/, ',');
export const Dot = punct('Dot', /\./, '.');
export const Semicolon = punct('Semicolon', /;/, ';');
export const At = punct('At', /@/, '@');
/** `?`, a prepared statement's parameter marker (grammar/placeholders.ts). */
export const Placeholder = punct('Placeholder', /\?/, '?');

// ---------------------------------------------------------------------------------------------------------------
// Keywords

const RESERVED = [
  'ADD', 'ALL', 'ALTER', 'AND', 'AS', 'ASC', 'BETWEEN', 'BY', 'CASE', 'CAST', 'CHARACTER', 'COLLATE', 'CONVERT',
  'CREATE', 'CURRENT_DATE', 'CURRENT_TIME', 'CURRENT_TIMESTAMP', 'CURRENT_USER', 'DATABASE', 'DATABASES', 'DEFAULT',
  'DELETE', 'DESC', 'DESCRIBE', 'DISTINCT', 'DISTRIBUTED', 'DIV', 'DROP', 'ELSE', 'EXISTS', 'FALSE', 'FOR', 'FORCE',
  'FROM', 'FULL', 'FUNCTION', 'GRANT', 'GROUP', 'HAVING', 'IF', 'IN', 'INSERT', 'INTERVAL', 'INTO', 'IS', 'KEY',
  'KILL', 'LEFT', 'LIKE', 'LIMIT', 'LOCALTIME', 'LOCALTIMESTAMP', 'MAXVALUE', 'MOD', 'NOT', 'NULL', 'ON', 'OR',
  'ORDER', 'PARTITION', 'PRIMARY', 'RANGE', 'REGEXP', 'RENAME', 'REPLACE', 'REVOKE', 'RIGHT', 'RLIKE', 'SCHEMA',
  'SCHEMAS', 'SELECT', 'SET', 'SHOW', 'SYSTEM', 'TABLE', 'THEN', 'TO', 'TRUE', 'TRUNCATE', 'UNIQUE', 'USE', 'VALUES',
  'WHEN', 'WHERE', 'WITH', 'XOR',
] as const;

const NON_RESERVED = [
  'AGGREGATE', 'AUTO_INCREMENT', 'BACKENDS', 'BACKUP', 'BEGIN', 'BROKER', 'BUCKETS', 'CANCEL', 'CATALOG', 'CATALOGS',
  'CHARSET', 'COLUMNS', 'COMMENT', 'COMMIT', 'CONNECTION', 'DATE', 'DATETIME', 'DAY', 'DIFF', 'DRY', 'DUPLICATE', 'END', 'ENGINE',
  'ERRORS', 'ESCAPE', 'EVERY', 'EXTERNAL', 'FIELDS', 'FIRST', 'FUNCTIONS', 'GLOBAL', 'GRANTS', 'HASH', 'HOUR',
  'IDENTIFIED', 'LABEL', 'LAST', 'LESS', 'LIST', 'LOCAL', 'LOCATION', 'MATERIALIZED', 'MAX', 'MICROSECOND',
  'MILLISECOND', 'MIN', 'MINUTE', 'MONTH', 'NAME', 'NAMES', 'NULLS', 'OFFSET', 'ONLY', 'OPTION', 'OVERWRITE',
  'PARTITIONS', 'PASSWORD', 'PRIVILEGES', 'PROCESSLIST', 'PROPERTIES', 'QUARTER', 'QUERY', 'RANDOM', 'READ',
  'REPLACE_IF_NOT_NULL', 'REPOSITORIES', 'REPOSITORY', 'RESTORE', 'ROLE', 'ROLES', 'ROLLBACK', 'RUN', 'SECOND', 'SESSION',
  'SNAPSHOT', 'START', 'STATUS', 'SUM', 'TABLES', 'TABLET', 'TABLETS', 'TEMPORARY', 'THAN', 'TIMESTAMP',
  'TRANSACTION', 'TYPE', 'USER', 'USERS', 'VALUE', 'VARIABLES', 'VERIFY', 'VIEW', 'VIEWS', 'WARNINGS', 'WEEK', 'WORK', 'YEAR',
] as const;

/** Schema change and UPDATE words: non-reserved, as in StarRocks (they stay usable as names). */
const NON_RESERVED_ALTER = ['AFTER', 'COLUMN', 'MODIFY', 'SWAP', 'UPDATE'] as const;

/**
 * Joins, set operations and subqueries. Reserved (as in StarRocks): a table alias written without AS can never be one
 * of them, so `FROM t JOIN u` and `SELECT … FROM t UNION …` read as intended.
 */
const QUERY_RESERVED = ['CROSS', 'EXCEPT', 'INNER', 'INTERSECT', 'JOIN', 'MINUS', 'OUTER', 'UNION', 'USING'] as const;
/** Words that only have a meaning after another keyword (`LEFT SEMI JOIN`, `IS UNKNOWN`), so names stay free. */
const QUERY_NON_RESERVED = ['ANTI', 'SEMI', 'UNKNOWN'] as const;
/** Prepared statements and server administration (PREPARE … FROM, EXECUTE … USING (reserved above), FLUSH, SHUTDOWN). */
const PROTOCOL_NON_RESERVED = ['DEALLOCATE', 'EXECUTE', 'FLUSH', 'HOSTS', 'LOGS', 'PREPARE', 'SHUTDOWN', 'THREADS'] as const;
/** Backup schedules and snapshot copies (CREATE BACKUP SCHEDULE, PAUSE / RESUME / EXECUTE, COPY SNAPSHOT). */
const AUTOMATION_NON_RESERVED = ['COPY', 'CRON', 'PAUSE', 'RESUME', 'SCHEDULE', 'SCHEDULES', 'STARTS'] as const;

/**
 * Non-reserved words of transactions, LOCK TABLES and the MySQL metadata SHOW forms (kept apart so their hunk stays
 * separate from other families' additions). Non-reserved: a column called `level` or `events` still works.
 */
const TRANSACTION_AND_METADATA_WORDS = [
  'CHAIN', 'COLLATION', 'COMMITTED', 'CONSISTENT', 'ENGINES', 'EVENTS', 'EXTENDED', 'INDEX', 'INDEXES', 'ISOLATION',
  'KEYS', 'LEVEL', 'LOCK', 'NO', 'PLUGINS', 'PROCEDURE', 'RELEASE', 'REPEATABLE', 'SAVEPOINT', 'SERIALIZABLE',
  'STORAGE', 'TRIGGERS', 'UNCOMMITTED', 'UNLOCK', 'WRITE',
] as const;

export type KeywordName =
  | (typeof RESERVED)[number]
  | (typeof NON_RESERVED)[number]
  | (typeof QUERY_RESERVED)[number]
  | (typeof QUERY_NON_RESERVED)[number]
  | (typeof PROTOCOL_NON_RESERVED)[number]
  | (typeof NON_RESERVED_ALTER)[number]
  | (typeof AUTOMATION_NON_RESERVED)[number]
  | (typeof TRANSACTION_AND_METADATA_WORDS)[number];

const FUNCTION_KEYWORDS: ReadonlySet<string> = new Set([
  'IF', 'LEFT', 'RIGHT', 'REPLACE', 'TRUNCATE', 'MOD', 'DATABASE', 'SCHEMA', 'INSERT', 'CURRENT_DATE', 'CURRENT_TIME',
  'CURRENT_TIMESTAMP', 'CURRENT_USER', 'LOCALTIME', 'LOCALTIMESTAMP',
]);
const NILADIC: ReadonlySet<string> = new Set(['CURRENT_DATE', 'CURRENT_TIME', 'CURRENT_TIMESTAMP', 'CURRENT_USER', 'LOCALTIME', 'LOCALTIMESTAMP']);
const UNITS: ReadonlySet<string> = new Set([
  'YEAR', 'QUARTER', 'MONTH', 'WEEK', 'DAY', 'HOUR', 'MINUTE', 'SECOND', 'MILLISECOND', 'MICROSECOND',
]);

function keyword(name: KeywordName, nonReserved: boolean): TokenType {
  const categories = [Keyword];
  if (nonReserved) categories.push(NonReserved);
  if (FUNCTION_KEYWORDS.has(name)) categories.push(FunctionKeyword);
  if (NILADIC.has(name)) categories.push(NiladicFunction);
  if (UNITS.has(name)) categories.push(IntervalUnit);
  // The first characters and "no line breaks" are given, not derived: deriving them means parsing ~230 regular
  // expressions at every start (~70 ms of building the lexer).
  const first = name.charAt(0);
  return createToken({
    name,
    pattern: new RegExp(name, 'i'),
    longer_alt: Identifier,
    categories,
    label: name,
    start_chars_hint: [first, first.toLowerCase()],
    line_breaks: false,
  });
}

/** Keyword token types by upper-case name: `kw.SELECT`. */
export const kw = Object.freeze(
  Object.fromEntries([
    ...RESERVED.map((n) => [n, keyword(n, false)] as const),
    ...NON_RESERVED.map((n) => [n, keyword(n, true)] as const),
    ...QUERY_RESERVED.map((n) => [n, keyword(n, false)] as const),
    ...QUERY_NON_RESERVED.map((n) => [n, keyword(n, true)] as const),
    ...PROTOCOL_NON_RESERVED.map((n) => [n, keyword(n, true)] as const),
    ...NON_RESERVED_ALTER.map((n) => [n, keyword(n, true)] as const),
    ...AUTOMATION_NON_RESERVED.map((n) => [n, keyword(n, true)] as const),
    ...TRANSACTION_AND_METADATA_WORDS.map((n) => [n, keyword(n, true)] as const),
  ]),
) as Readonly<Record<KeywordName, TokenType>>;

const keywordsLongestFirst = Object.values(kw).sort((a, b) => b.name.length - a.name.length || a.name.localeCompare(b.name));

/** Lexer order: trivia, keywords (longest first), then names/literals/operators. */
export const allTokens: readonly TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedComment,
  Keyword,
  NonReserved,
  FunctionKeyword,
  NiladicFunction,
  IntervalUnit,
  Unterminated,
  ...keywordsLongestFirst,
  Identifier,
  QuotedIdentifier,
  UnterminatedQuotedIdentifier,
  SingleQuotedString,
  DoubleQuotedString,
  UnterminatedString,
  NumberLiteral,
  SystemVariable,
  UserVariable,
  NullSafeEquals,
  LessEquals,
  GreaterEquals,
  LessGreater,
  BangEquals,
  ShiftLeft,
  ShiftRight,
  DoubleAmpersand,
  DoublePipe,
  ColonEquals,
  Equals,
  Less,
  Greater,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  Bang,
  Tilde,
  Ampersand,
  Pipe,
  Caret,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Dot,
  Semicolon,
  At,
  Placeholder,
];
