/**
 * The chevrotain parser: configuration, the rule registry and the module-level singleton.
 *
 * Rules are defined by the modules under `productions/` (java-parser's `addRules($, r)` pattern): each receives
 * the parser's DSL (`$`, the protected chevrotain methods made callable) and the shared rule registry (`r`), so a
 * rule in one family can call a rule in another. The registry is typed per family, so a typo in a rule reference is
 * a compile error. `recoveryEnabled` is false: a server wants a hard reject, never a partially recovered tree.
 */
import {
  CstParser,
  type AtLeastOneSepMethodOpts,
  type ConsumeMethodOpts,
  type CstNode,
  type DSLMethodOpts,
  type DSLMethodOptsWithErr,
  type GrammarAction,
  type IOrAlt,
  type IToken,
  type ManySepMethodOpts,
  type OrMethodOpts,
  type ParserMethod,
  type SubruleMethodOpts,
  type TokenType,
} from 'chevrotain';
import { workerData } from 'node:worker_threads';
import { allTokens } from './tokens.ts';
import { childrenLimitError, DEFAULT_PARSE_LIMITS, depthLimitError, type ParseLimits } from './limits.ts';
import { parserErrorMessages } from './syntax-error.ts';
import { defineCommonRules, type CommonRules } from './productions/common.ts';
import { defineExpressionRules, type ExpressionRules } from './productions/expressions.ts';
import { defineSelectRules, type SelectRules } from './productions/select.ts';
import { defineDatabaseRules, type DatabaseRules } from './productions/ddl-database.ts';
import { defineTableRules, type TableRules } from './productions/ddl-table.ts';
import { defineDmlRules, type DmlRules } from './productions/dml.ts';
import { defineShowRules, type ShowRules } from './productions/show.ts';
import { defineBackupRestoreRules, type BackupRestoreRules } from './productions/backup-restore.ts';
import { defineBackupScheduleRules, type BackupScheduleRules } from './productions/backup-schedule.ts';
import { defineAccountRules, type AccountRules } from './productions/account.ts';
import { defineSessionRules, type SessionRules } from './productions/session.ts';
import { defineTransactionRules, type TransactionRules } from './productions/transaction.ts';
import { defineShowMetaRules, type ShowMetaRules } from './productions/show-meta.ts';
import { defineMysqlCompatRules, type MysqlCompatRules } from './productions/mysql-compat.ts';
import { defineStatementRules, type StatementRules } from './productions/statement.ts';

/** A grammar rule as callable from SUBRULE. */
export type Rule = ParserMethod<[], CstNode>;

/** Every rule of the grammar, by family. */
export type Rules = CommonRules &
  ExpressionRules &
  SelectRules &
  DatabaseRules &
  TableRules &
  DmlRules &
  ShowRules &
  BackupRestoreRules &
  BackupScheduleRules &
  AccountRules &
  SessionRules &
  TransactionRules &
  ShowMetaRules &
  MysqlCompatRules &
  StatementRules;

type Idx = '' | '1' | '2' | '3' | '4' | '5' | '6' | '7';
type ConsumeFn = (tokType: TokenType, options?: ConsumeMethodOpts) => IToken;
type SubruleFn = (rule: Rule, options?: SubruleMethodOpts<[]>) => CstNode;
type OptionFn = (action: GrammarAction<unknown> | DSLMethodOpts<unknown>) => unknown;
type OrFn = (alts: IOrAlt<unknown>[] | OrMethodOpts<unknown>) => unknown;
type ManyFn = (action: GrammarAction<unknown> | DSLMethodOpts<unknown>) => void;
type AtLeastOneFn = (action: GrammarAction<unknown> | DSLMethodOptsWithErr<unknown>) => void;
type ManySepFn = (options: ManySepMethodOpts<unknown>) => void;
type AtLeastOneSepFn = (options: AtLeastOneSepMethodOpts<unknown>) => void;

/** The chevrotain DSL as the production modules see it (the same methods, made public for them). */
export type Dsl = { readonly [K in `CONSUME${Idx}`]: ConsumeFn } & { readonly [K in `SUBRULE${Idx}`]: SubruleFn } & {
  readonly [K in `OPTION${Idx}`]: OptionFn;
} & { readonly [K in `OR${Idx}`]: OrFn } & { readonly [K in `MANY${Idx}`]: ManyFn } & {
  readonly [K in `AT_LEAST_ONE${Idx}`]: AtLeastOneFn;
} & { readonly [K in `MANY_SEP${Idx}`]: ManySepFn } & { readonly [K in `AT_LEAST_ONE_SEP${Idx}`]: AtLeastOneSepFn } & {
  readonly addRule: (name: string, impl: () => void) => Rule;
  readonly LA: (howMuch: number) => IToken;
  /** Run `impl` while parsing, not while chevrotain records the grammar (every limit check is wrapped in it). */
  readonly ACTION: (impl: () => void) => void;
  /** Enter one level of expression nesting (parentheses, a function call, a unary operator); throws past the limit. */
  readonly nest: () => void;
  /** Leave the level `nest` entered. */
  readonly unnest: () => void;
  /** An operator chain (a + b + c …) nests one level per operand; throws past the depth limit. */
  readonly checkChain: (operands: number) => void;
  /** An expression list (IN (…), arguments, CASE arms) has this many items; throws past the children limit. */
  readonly checkChildren: (items: number) => void;
};

/**
 * Whether this is tablevault's parser thread (src/sql/parse/worker-pool.ts says so in its workerData): its process
 * built and validated this same grammar on the main thread already, so the thread skips chevrotain's grammar
 * validations — more than half of the self-analysis, which a replaced thread (after KILL QUERY) pays again.
 */
const GRAMMAR_VALIDATED = (workerData as { grammarValidated?: unknown } | null | undefined)?.grammarValidated === true;

/** tablevault's StarRocks-dialect parser. Use the {@link sqlParser} singleton: construction costs the self-analysis. */
export class SqlParser extends CstParser {
  /** The rules, by name; `statement` is the entry point. */
  readonly rules: Rules;

  constructor() {
    super(allTokens as TokenType[], {
      // 2, not 3: with ~300 keyword tokens in the identifier category, k=3 lookahead paths explode and the
      // self-analysis took over a minute; the grammar validates as LL(2) without ambiguity errors.
      maxLookahead: 2,
      recoveryEnabled: false,
      nodeLocationTracking: 'onlyOffset',
      errorMessageProvider: parserErrorMessages,
      skipValidations: GRAMMAR_VALIDATED,
    });
    const $ = this as unknown as Dsl;
    const r = {} as Rules;
    defineCommonRules($, r);
    defineExpressionRules($, r);
    defineSelectRules($, r);
    defineDatabaseRules($, r);
    defineTableRules($, r);
    defineDmlRules($, r);
    defineShowRules($, r);
    defineBackupRestoreRules($, r);
    defineBackupScheduleRules($, r);
    defineAccountRules($, r);
    defineSessionRules($, r);
    defineTransactionRules($, r);
    defineShowMetaRules($, r);
    defineMysqlCompatRules($, r);
    defineStatementRules($, r);
    this.rules = r;
    this.performSelfAnalysis();
  }

  /** The limits of the parse in progress. */
  #limits: ParseLimits = DEFAULT_PARSE_LIMITS;
  /** Expression nesting at the current point of the parse. */
  #nesting = 0;

  /** Parse one statement's tokens (no `;`) within `limits`; check `errors` afterwards. */
  parseStatementTokens(tokens: IToken[], limits: ParseLimits = DEFAULT_PARSE_LIMITS): CstNode {
    this.input = tokens;
    this.#limits = limits;
    this.#nesting = 0;
    return this.rules.statement.call(this);
  }

  nest(): void {
    if (++this.#nesting > this.#limits.maxExprDepth) throw depthLimitError(this.#limits.maxExprDepth);
  }

  unnest(): void {
    this.#nesting--;
  }

  checkChain(operands: number): void {
    if (operands + this.#nesting > this.#limits.maxExprDepth) throw depthLimitError(this.#limits.maxExprDepth);
  }

  checkChildren(items: number): void {
    if (items > this.#limits.maxExprChildren) throw childrenLimitError(items, this.#limits.maxExprChildren);
  }

  /** Define a rule and store it under its name, where chevrotain's self-analysis looks for it. */
  addRule(name: string, impl: () => void): Rule {
    const rule = this.RULE(name, impl);
    (this as unknown as Record<string, Rule>)[name] = rule;
    return rule;
  }
}

/** The one parser instance of the process (chevrotain parsers are reusable: set `input`, call a rule). */
export const sqlParser = new SqlParser();
