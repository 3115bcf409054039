/**
 * The chevrotain parser: configuration, the rule registry and the module-level singleton.
 *
 * Rules are defined by the modules under `productions/` (java-parser's `addRules($, r)` pattern): each receives
 * the parser's DSL (`$`, the protected chevrotain methods made callable) and the shared rule registry (`r`), so a
 * rule in one family can call a rule in another. The registry is typed per family, so a typo in a rule reference is
 * a compile error. `recoveryEnabled` is false: a server wants a hard reject, never a partially recovered tree.
 */
import type {
  AtLeastOneSepMethodOpts,
  ConsumeMethodOpts,
  CstNode,
  DSLMethodOpts,
  DSLMethodOptsWithErr,
  GrammarAction,
  IOrAlt,
  IToken,
  ManySepMethodOpts,
  OrMethodOpts,
  ParserMethod,
  SubruleMethodOpts,
  TokenType,
  ILookaheadStrategy,
} from 'chevrotain';
import { CstParser, LLkLookaheadStrategy } from './chevrotain.ts';
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
import { definePreparedRules, type PreparedRules } from './productions/prepared.ts';

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
  PreparedRules &
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

type AlternationOptions = Parameters<ILookaheadStrategy['buildLookaheadForAlternation']>[0];
type AlternationLookahead = ReturnType<ILookaheadStrategy['buildLookaheadForAlternation']>;
type OptionalOptions = Parameters<ILookaheadStrategy['buildLookaheadForOptional']>[0];
type OptionalLookahead = ReturnType<ILookaheadStrategy['buildLookaheadForOptional']>;

/**
 * Builds each lookahead function the first time it is used instead of all of them in `performSelfAnalysis`. Why:
 * computing all ~250 LL(2) lookahead functions (keyword-heavy alternations) up front took ~0.45 s of every start,
 * while a statement touches a few dozen. Each function is still built by chevrotain's own LL(k) strategy, once, so
 * parsing is unchanged; only the moment it is built moves.
 */
class LazyLookaheadStrategy extends LLkLookaheadStrategy {
  override buildLookaheadForAlternation(options: AlternationOptions): AlternationLookahead {
    let built: AlternationLookahead | undefined;
    const build = (): AlternationLookahead => (built ??= super.buildLookaheadForAlternation(options));
    return function (this: ThisParameterType<AlternationLookahead>, orAlts) {
      return build().call(this, orAlts);
    };
  }

  override buildLookaheadForOptional(options: OptionalOptions): OptionalLookahead {
    let built: OptionalLookahead | undefined;
    const build = (): OptionalLookahead => (built ??= super.buildLookaheadForOptional(options));
    return function (this: ThisParameterType<OptionalLookahead>) {
      return build().call(this);
    };
  }
}

/**
 * Chevrotain's lookahead depth. 2, not 3: with ~300 keyword tokens in the identifier category, k=3 lookahead paths
 * explode and the self-analysis took over a minute; the grammar validates as LL(2) without ambiguity errors.
 */
const MAX_LOOKAHEAD = 2;

export interface SqlParserOptions {
  /**
   * Run chevrotain's grammar validations (ambiguities, left recursion, empty alternatives) during self-analysis.
   * They cost ~0.5 s and find nothing new at run time, so the process-wide parser skips them; the grammar tests
   * construct a validated parser, which throws on any definition error.
   */
  readonly validate?: boolean;
}

/** tablevault's StarRocks-dialect parser. Use {@link sqlParser}: construction costs the self-analysis. */
export class SqlParser extends CstParser {
  /** The rules, by name; `statement` is the entry point. */
  readonly rules: Rules;

  constructor(options: SqlParserOptions = {}) {
    const validate = options.validate ?? false;
    super(allTokens as TokenType[], {
      maxLookahead: MAX_LOOKAHEAD,
      lookaheadStrategy: new LazyLookaheadStrategy({ maxLookahead: MAX_LOOKAHEAD }),
      skipValidations: !validate,
      recoveryEnabled: false,
      nodeLocationTracking: 'onlyOffset',
      errorMessageProvider: parserErrorMessages,
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
    definePreparedRules($, r);
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

let instance: SqlParser | undefined;

/**
 * The one parser instance of the process (chevrotain parsers are reusable: set `input`, call a rule), built on
 * first use so that splitting statements (the lexer alone) never pays for the parser's self-analysis.
 */
export function sqlParser(): SqlParser {
  return (instance ??= new SqlParser());
}
