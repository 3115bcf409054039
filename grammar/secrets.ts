/**
 * Secrets in statements, known from the parsed statement — never by pattern-matching text (DESIGN §7).
 *
 * The visitors give every credential literal its source span in the AST (`PasswordSpec.secret`, `Property.secret`,
 * `CreateRepositoryStmt.locationSecret`); `secretSpans` collects them per statement kind and `redactStatement`
 * returns the statement text with exactly those ranges replaced by `<secret>`. Comments, line breaks, casing and
 * quoting cannot hide a secret from this: they never change which token the parser took as the literal.
 *
 * Text that does not parse (a syntax error, a statement still being typed in the shell, a script too long to parse
 * again for a log line) has no AST to ask. The rule for it is to mask every quoted token the lexer finds — string
 * literals, back-quoted names, and anything unterminated (an open string, name or comment runs to the end of the
 * text) — so a credential written as a literal never shows, whatever else is wrong with the statement. A credential
 * written without quotes in a statement that does not parse is not recognisable and is shown as written.
 */
import type { IToken } from 'chevrotain';
import { tokenMatcher } from './chevrotain.ts';
import { SECRET_PLACEHOLDER } from '../src/logging/secrets.ts';
import { visitStatement, type PartitionDesc, type Property, type SourceSpan, type Statement, type StatementVisitor } from './ast.ts';
import { quotedSpans, redactUnparsed, replaceSpans, unparsedSecretSpans } from './mask-quoted.ts';
import { sqlParser } from './parser.ts';
import { lexTokens } from './raw-lexer.ts';
import { Semicolon, Unterminated } from './tokens.ts';
import { unescapeString } from './visitor/common.ts';
import { statementFromCst } from './visitor/statement.ts';
import { prepareText } from './placeholders.ts';

export { SECRET_PLACEHOLDER, redactUnparsed, replaceSpans, unparsedSecretSpans };

const NONE: readonly SourceSpan[] = [];
const none = (): readonly SourceSpan[] => NONE;

function ofProperties(list: readonly Property[]): SourceSpan[] {
  return list.flatMap((p) => (p.secret === undefined ? [] : [p.secret]));
}

function ofPartitions(desc: PartitionDesc | undefined): SourceSpan[] {
  if (desc === undefined) return [];
  return desc.partitions.flatMap((p) => ('properties' in p ? ofProperties(p.properties) : []));
}

/**
 * Which statement kinds carry credentials, and where. Exhaustive on purpose: a new statement kind does not compile
 * until someone decides here whether it can hold a secret.
 */
const SPANS: StatementVisitor<readonly SourceSpan[]> = {
  Select: none,
  SetOperation: none,
  CreateDatabase: (s) => ofProperties(s.properties),
  DropDatabase: none,
  Use: none,
  CreateTable: (s) => [...ofProperties(s.properties), ...ofPartitions(s.partition)],
  DropTable: none,
  TruncateTable: none,
  AlterTable: (s) =>
    s.actions.flatMap((a) => (a.kind === 'SetProperties' ? ofProperties(a.properties) : a.kind === 'AddPartition' ? ofProperties(a.partition.properties) : [])),
  CreateView: none,
  AlterView: none,
  DropView: none,
  Insert: none,
  Delete: none,
  Update: none,
  ShowAlterTable: none,
  ShowDatabases: none,
  ShowTables: none,
  ShowCreate: none,
  Describe: none,
  ShowPartitions: none,
  ShowTablet: none,
  ShowBackends: none,
  Backup: (s) => ofProperties(s.properties),
  Restore: (s) => ofProperties(s.properties),
  ShowBackup: none,
  ShowRestore: none,
  ShowSnapshot: none,
  CancelBackup: none,
  CancelRestore: none,
  CreateRepository: (s) => [...(s.locationSecret === undefined ? [] : [s.locationSecret]), ...ofProperties(s.properties)],
  DropRepository: none,
  ShowRepositories: none,
  DropSnapshot: none,
  DropSnapshots: none,
  // Lifecycle settings only: credential keys are refused by the handler, but mask them anyway if someone tries.
  AlterRepository: (s) => ofProperties(s.properties),
  ShowSnapshotDiff: none,
  VerifySnapshot: (s) => ofProperties(s.properties),
  ShowVerify: none,
  CancelVerify: none,
  CreateBackupSchedule: (s) => ofProperties(s.properties),
  AlterBackupSchedule: (s) => ofProperties(s.properties),
  DropBackupSchedule: none,
  SetBackupScheduleState: none,
  ExecuteBackupSchedule: none,
  ShowBackupSchedules: none,
  ShowCreateBackupSchedule: none,
  CopySnapshot: (s) => ofProperties(s.properties),
  ShowCopy: none,
  CancelCopy: none,
  CreateUser: (s) => (s.password === undefined ? NONE : [s.password.secret]),
  DropUser: none,
  AlterUser: (s) => (s.password === undefined ? NONE : [s.password.secret]),
  SetPassword: (s) => [s.password.secret],
  CreateRole: none,
  DropRole: none,
  GrantPrivilege: none,
  RevokePrivilege: none,
  GrantRole: none,
  RevokeRole: none,
  ShowGrants: none,
  ShowUsers: none,
  ShowRoles: none,
  Set: none,
  ShowVariables: none,
  ShowStatus: none,
  ShowProcesslist: none,
  ShowWarnings: none,
  Kill: none,
  Transaction: none,
  // The text of a statement to prepare is masked whole unless it parses and holds no credential.
  Prepare: (s) => (s.source.kind === 'Text' && preparedTextMayHoldSecret(s.source.text) ? [s.source.span] : NONE),
  ExecutePrepared: none,
  DeallocatePrepare: none,
  Flush: none,
  Shutdown: none,
  LockTables: none,
  UnlockTables: none,
  ShowMeta: none,
  AlterTableKeys: none,
};

/** Whether a PREPARE's text holds a credential, or cannot be parsed to tell. */
function preparedTextMayHoldSecret(text: string): boolean {
  try {
    return secretSpans(prepareText(text).statement).length > 0;
  } catch {
    return true;
  }
}

/** The credential spans of a parsed statement (offsets into the text it was parsed from). */
export function secretSpans(statement: Statement): readonly SourceSpan[] {
  return visitStatement(SPANS, statement);
}

/**
 * The statement's text as it may be shown or logged: `text` must be exactly what `statement` was parsed from
 * (parseStatement's argument), since the spans are offsets into it.
 */
export function redactStatement(text: string, statement: Statement): string {
  return replaceSpans(text, secretSpans(statement));
}

/** Past this many characters a text is not parsed again for display: the unparseable rule applies to its head. */
const MAX_REPARSE = 64 * 1024;

/**
 * The secret spans of a whole script, offsets into `script`: each `;`-separated statement that parses contributes
 * its AST's spans, each one that does not (or that holds an unterminated token) has all its quoted tokens masked.
 * Never throws.
 */
export function scriptSecretSpans(script: string): SourceSpan[] {
  const { tokens, clean } = lexTokens(script);
  // A character the lexer rejects may sit anywhere; the statements around it are not what will run.
  if (!clean || script.length > MAX_REPARSE) return quotedSpans(tokens);
  const spans: SourceSpan[] = [];
  let group: IToken[] = [];
  const flush = (): void => {
    if (group.length > 0) spans.push(...statementSpans(script, group));
    group = [];
  };
  for (const token of tokens) {
    if (tokenMatcher(token, Semicolon)) flush();
    else group.push(token);
  }
  flush();
  return spans;
}

function statementSpans(script: string, group: IToken[]): readonly SourceSpan[] {
  if (group.some((t) => tokenMatcher(t, Unterminated))) return quotedSpans(group);
  try {
    const parser = sqlParser();
    const cst = parser.parseStatementTokens(group);
    if (parser.errors.length > 0) return quotedSpans(group);
    return secretSpans(statementFromCst(cst, script));
  } catch {
    // A visitor's refusal (VisitError), a nesting too deep for the stack: it does not parse.
    return quotedSpans(group);
  }
}

/**
 * Any SQL text (one statement or a script, complete or not) as it may be logged or kept: secrets masked by the
 * rules above, then cut to `maxLength` characters with an ellipsis.
 */
export function redactSql(text: string, maxLength = 1024): string {
  // Only the head is ever shown, so a long text is judged on its head (an open quote at the cut is masked to the end).
  const subject = text.length > MAX_REPARSE ? text.slice(0, Math.max(maxLength, 0) + 1) : text;
  const masked = text.length > MAX_REPARSE ? redactUnparsed(subject) : replaceSpans(text, scriptSecretSpans(text));
  return masked.length > maxLength ? `${masked.slice(0, maxLength)}…` : masked;
}

/**
 * The secret values of spans of `text`, as they may reappear in a message: the literal as written, its content, and
 * its unescaped value. Values shorter than 4 characters are left out: scrubbing them would mangle the message
 * without hiding anything a reader could not guess. Longest first.
 */
export function secretTexts(text: string, spans: readonly SourceSpan[]): string[] {
  const out = new Set<string>();
  for (const span of spans) {
    const raw = text.slice(span.start, span.end);
    out.add(raw);
    const quote = raw[0];
    if ((quote === "'" || quote === '"') && raw.length >= 2 && raw.endsWith(quote)) {
      out.add(raw.slice(1, -1));
      out.add(unescapeString(raw));
    }
  }
  return [...out].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
}

/** `message` with every occurrence of the given secret values replaced by `<secret>`. */
export function scrubSecrets(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(SECRET_PLACEHOLDER);
  return out;
}
