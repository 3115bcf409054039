/**
 * The typed, immutable AST that the parser produces and every later layer consumes.
 *
 * Nodes are plain readonly data discriminated by `kind` (no classes), so they can be compared, logged, serialised
 * and pattern-matched exhaustively. Names are stored as written (back-quotes removed); keywords are upper-cased;
 * function names are lower-cased. Families live side by side here because the union is the contract; the parser's
 * productions are split by family under `grammar/productions/`.
 */

// ---------------------------------------------------------------------------------------------------------------
// Shared pieces

/** `[db.]name` — a table, view, or snapshot label reference. */
export interface QualifiedName {
  /** Database qualifier, when written. */
  readonly db?: string;
  /** The object name. */
  readonly name: string;
}

/**
 * Where something is in the text given to the parser: UTF-16 offsets, `end` exclusive. Secret literals carry one,
 * so the text can be shown with exactly those characters replaced (grammar/secrets.ts `redactStatement`).
 */
export interface SourceSpan {
  readonly start: number;
  readonly end: number;
}

/** One `"key" = "value"` entry of a PROPERTIES list. Keys and values are always quoted strings in the grammar. */
export interface Property {
  readonly key: string;
  readonly value: string;
  /**
   * Present when the value is a credential: the whole value literal, quotes included, when the key names a secret
   * (src/logging/secrets.ts `isSecretPropertyKey`); otherwise the userinfo of a URL value (`http://user:pw@host`).
   */
  readonly secret?: SourceSpan;
}

/** `'user'@'host'`; host defaults to `%`. */
export interface UserIdentity {
  readonly user: string;
  readonly host: string;
}

/** Where a statement starts in the text given to the parser (1-based). */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** Column data types, normalised: INTEGER → INT, BOOL → BOOLEAN, DECIMALV3/DECIMAL64… → DECIMAL, TEXT → STRING. */
export type DataTypeName =
  | 'BOOLEAN'
  | 'TINYINT'
  | 'SMALLINT'
  | 'INT'
  | 'BIGINT'
  | 'LARGEINT'
  | 'FLOAT'
  | 'DOUBLE'
  | 'DECIMAL'
  | 'CHAR'
  | 'VARCHAR'
  | 'STRING'
  | 'DATE'
  | 'DATETIME';

/** A written data type, e.g. `DECIMAL(10, 2)` or `VARCHAR(32)`. Parameters are absent when not written. */
export interface DataTypeNode {
  readonly kind: 'DataType';
  readonly name: DataTypeName;
  /** CHAR/VARCHAR length. */
  readonly length?: number;
  /** DECIMAL precision. */
  readonly precision?: number;
  /** DECIMAL scale. */
  readonly scale?: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Expressions

export type Expr =
  | NumberLiteral
  | StringLiteral
  | BooleanLiteral
  | NullLiteral
  | TypedLiteral
  | ColumnRef
  | StarExpr
  | VariableRef
  | UnaryExpr
  | BinaryExpr
  | InExpr
  | BetweenExpr
  | LikeExpr
  | IsNullExpr
  | CaseExpr
  | CastExpr
  | FunctionCall
  | IntervalExpr
  | SubqueryExpr
  | ExistsExpr
  | InSubqueryExpr
  | IsTruthExpr;

/** A numeric literal kept as written (`42`, `-1` is Unary minus, `3.14`, `1e3`) so decimals stay exact. */
export interface NumberLiteral {
  readonly kind: 'NumberLiteral';
  /** The literal text. Integer if it matches /^\d+$/, decimal if it has a `.` but no exponent, else float. */
  readonly text: string;
}

export interface StringLiteral {
  readonly kind: 'StringLiteral';
  /** The unescaped value. */
  readonly value: string;
}

export interface BooleanLiteral {
  readonly kind: 'BooleanLiteral';
  readonly value: boolean;
}

export interface NullLiteral {
  readonly kind: 'NullLiteral';
}

/** `DATE '2024-01-01'`, `DATETIME '2024-01-01 10:00:00'`, `TIMESTAMP '…'` (→ DATETIME). */
export interface TypedLiteral {
  readonly kind: 'TypedLiteral';
  readonly type: 'DATE' | 'DATETIME';
  readonly value: string;
}

/** `col`, `t.col` or `db.t.col`. */
export interface ColumnRef {
  readonly kind: 'ColumnRef';
  /** Qualifiers before the column name, outermost first (`['db', 't']` for `db.t.col`). Empty when unqualified. */
  readonly qualifiers: readonly string[];
  readonly name: string;
}

/** `*` or `t.*` in a select list, and the `*` of `COUNT(*)`. */
export interface StarExpr {
  readonly kind: 'Star';
  /** `t` in `t.*`. */
  readonly table?: string;
}

/** `@@x`, `@@session.x`, `@@global.x`, `@@local.x` (→ SESSION), or a user variable `@x`. */
export interface VariableRef {
  readonly kind: 'VariableRef';
  readonly scope: 'SESSION' | 'GLOBAL' | 'USER' | 'DEFAULT';
  /** Variable name as written (case preserved; system variables compare case-insensitively). */
  readonly name: string;
}

export interface UnaryExpr {
  readonly kind: 'Unary';
  readonly op: '-' | '+' | 'NOT' | '~';
  readonly operand: Expr;
}

export type BinaryOperator =
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | 'DIV'
  | '='
  | '<=>'
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'AND'
  | 'OR'
  | 'XOR'
  | '&'
  | '|'
  | '^'
  | '<<'
  | '>>';

/** Binary operators. `<>` is normalised to `!=`, `&&` to AND, `||` to OR (MySQL semantics), `MOD` to `%`. */
export interface BinaryExpr {
  readonly kind: 'Binary';
  readonly op: BinaryOperator;
  readonly left: Expr;
  readonly right: Expr;
}

/** `e [NOT] IN (a, b, …)`. */
export interface InExpr {
  readonly kind: 'In';
  readonly expr: Expr;
  readonly list: readonly Expr[];
  readonly not: boolean;
}

/** `e [NOT] BETWEEN low AND high`. */
export interface BetweenExpr {
  readonly kind: 'Between';
  readonly expr: Expr;
  readonly low: Expr;
  readonly high: Expr;
  readonly not: boolean;
}

/** `e [NOT] LIKE pattern [ESCAPE c]` and `e [NOT] REGEXP|RLIKE pattern`. */
export interface LikeExpr {
  readonly kind: 'Like';
  readonly op: 'LIKE' | 'REGEXP';
  readonly expr: Expr;
  readonly pattern: Expr;
  readonly escape?: Expr;
  readonly not: boolean;
}

/** `e IS [NOT] NULL`. */
export interface IsNullExpr {
  readonly kind: 'IsNull';
  readonly expr: Expr;
  readonly not: boolean;
}

/** `CASE [operand] WHEN … THEN … [ELSE …] END`. */
export interface CaseExpr {
  readonly kind: 'Case';
  readonly operand?: Expr;
  readonly whens: readonly { readonly when: Expr; readonly then: Expr }[];
  readonly else?: Expr;
}

/** `CAST(e AS type)`; `CONVERT(e, type)` parses to the same node. */
export interface CastExpr {
  readonly kind: 'Cast';
  readonly expr: Expr;
  readonly type: DataTypeNode;
}

/**
 * A call, scalar or aggregate: `f(a, b)`, `COUNT(*)` (args = [Star]), `COUNT(DISTINCT a, b)`.
 * Keyword-named functions (`IF`, `LEFT`, `RIGHT`, `DATE`, `YEAR`, `DATABASE`, `USER`, `CURRENT_USER`,
 * `CURRENT_TIMESTAMP` written without parentheses, …) also parse to FunctionCall.
 */
export interface FunctionCall {
  readonly kind: 'FunctionCall';
  /** Lower-cased name, e.g. `count`, `date_format`. */
  readonly name: string;
  readonly args: readonly Expr[];
  readonly distinct: boolean;
}

/** `INTERVAL n UNIT`, as an argument of date_add/date_sub or in `d + INTERVAL 1 DAY`. */
export interface IntervalExpr {
  readonly kind: 'Interval';
  readonly value: Expr;
  readonly unit: 'YEAR' | 'QUARTER' | 'MONTH' | 'WEEK' | 'DAY' | 'HOUR' | 'MINUTE' | 'SECOND' | 'MILLISECOND' | 'MICROSECOND';
}

/** `e IS [NOT] TRUE | FALSE | UNKNOWN`: never NULL itself (UNKNOWN is a NULL truth value). */
export interface IsTruthExpr {
  readonly kind: 'IsTruth';
  readonly expr: Expr;
  readonly truth: 'TRUE' | 'FALSE' | 'UNKNOWN';
  readonly not: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Subqueries in expressions

/** `(SELECT …)` used as a value: one column, at most one row (NULL when none). */
export interface SubqueryExpr {
  readonly kind: 'Subquery';
  readonly query: QueryStmt;
}

/** `EXISTS (SELECT …)`; `NOT EXISTS` is Unary NOT over it. */
export interface ExistsExpr {
  readonly kind: 'Exists';
  readonly query: QueryStmt;
}

/** `e [NOT] IN (SELECT …)`, with SQL's NULL semantics (a NULL in the subquery makes a non-match UNKNOWN). */
export interface InSubqueryExpr {
  readonly kind: 'InSubquery';
  readonly expr: Expr;
  readonly query: QueryStmt;
  readonly not: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// SELECT

/** A query: one SELECT block, or set operations over blocks. */
export type QueryStmt = SelectStmt | SetOperationStmt;

/**
 * `left UNION [ALL | DISTINCT] right`, `left INTERSECT [DISTINCT] right`, `left {EXCEPT | MINUS} [DISTINCT] right`.
 * INTERSECT binds tighter than UNION and EXCEPT, which associate left to right. ORDER BY and LIMIT written after the
 * last operand apply to the whole result (an operand's own ORDER BY / LIMIT needs parentheses). Column names come
 * from the first operand.
 */
export interface SetOperationStmt {
  readonly kind: 'SetOperation';
  readonly op: 'UNION' | 'INTERSECT' | 'EXCEPT';
  /** False only for `ALL` (duplicates kept); INTERSECT ALL / EXCEPT ALL parse but are refused by the analyzer. */
  readonly distinct: boolean;
  readonly left: QueryStmt;
  readonly right: QueryStmt;
  /** Over the output columns (names of the first operand, or 1-based ordinals). */
  readonly orderBy: readonly OrderItem[];
  readonly limit?: { readonly count: number; readonly offset: number };
}

export interface SelectStmt {
  readonly kind: 'Select';
  readonly distinct: boolean;
  readonly items: readonly SelectItem[];
  /** Absent for `SELECT 1`, `SELECT @@version_comment`. */
  readonly from?: FromItem;
  readonly where?: Expr;
  readonly groupBy: readonly Expr[];
  readonly having?: Expr;
  readonly orderBy: readonly OrderItem[];
  /** `LIMIT n`, `LIMIT off, n`, `LIMIT n OFFSET off`. */
  readonly limit?: { readonly count: number; readonly offset: number };
}

export type SelectItem =
  | {
      readonly kind: 'SelectExpr';
      readonly expr: Expr;
      readonly alias?: string;
      /** The expression exactly as written; MySQL and StarRocks title an unaliased result column with it. */
      readonly text?: string;
    }
  | { readonly kind: 'SelectStar'; readonly table?: string };

export interface OrderItem {
  /** An expression, an output alias (as ColumnRef) or a 1-based ordinal (as NumberLiteral). */
  readonly expr: Expr;
  readonly descending: boolean;
  /** Explicit NULLS FIRST / NULLS LAST; absent means the MySQL default (NULLs first ascending, last descending). */
  readonly nulls?: 'FIRST' | 'LAST';
}

export type FromItem = TableRef | TableFunctionRef | SubqueryRef | JoinRef;

/** `[db.]t [PARTITION (p, …)] [[AS] alias]`. */
export interface TableRef {
  readonly kind: 'TableRef';
  readonly name: QualifiedName;
  readonly partitions?: PartitionNames;
  readonly alias?: string;
}

/** `TABLE(generate_series(1, 10[, step])) [[AS] alias]`. */
export interface TableFunctionRef {
  readonly kind: 'TableFunctionRef';
  /** Lower-cased function name. */
  readonly name: string;
  readonly args: readonly Expr[];
  readonly alias?: string;
}

/** `(SELECT …) [AS] alias`. */
export interface SubqueryRef {
  readonly kind: 'SubqueryRef';
  readonly query: QueryStmt;
  readonly alias: string;
}

/** How a join combines its sides. CROSS is also what a comma in FROM means. */
export type JoinType = 'INNER' | 'CROSS' | 'LEFT' | 'RIGHT' | 'FULL' | 'LEFT SEMI' | 'LEFT ANTI' | 'RIGHT SEMI' | 'RIGHT ANTI';

/**
 * `left [INNER | CROSS] JOIN right`, `left {LEFT | RIGHT | FULL} [OUTER] JOIN right`, `left {LEFT | RIGHT} {SEMI |
 * ANTI} JOIN right`, `left, right`, each with `ON cond` or `USING (cols)`; joins nest left-deep as written, a
 * parenthesised join is a FromItem of its own.
 */
export interface JoinRef {
  readonly kind: 'Join';
  readonly type: JoinType;
  readonly left: FromItem;
  readonly right: FromItem;
  readonly on?: Expr;
  /** `USING (a, b)`: equality on these columns, which the result shows once (COALESCE of both sides for FULL). */
  readonly using?: readonly string[];
  /** StarRocks' distribution hint `JOIN [BROADCAST]`, upper-cased; accepted and ignored (one process, no shuffle). */
  readonly hint?: string;
}

/** `[TEMPORARY] PARTITION (p1, p2)` / `PARTITIONS p1, p2`. */
export interface PartitionNames {
  readonly names: readonly string[];
  readonly temporary: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Databases and tables (DDL)

export interface CreateDatabaseStmt {
  readonly kind: 'CreateDatabase';
  readonly ifNotExists: boolean;
  readonly name: string;
  readonly properties: readonly Property[];
}

export interface DropDatabaseStmt {
  readonly kind: 'DropDatabase';
  readonly ifExists: boolean;
  readonly name: string;
  readonly force: boolean;
}

export interface UseStmt {
  readonly kind: 'Use';
  readonly database: string;
}

export type KeyModel = 'DUPLICATE' | 'PRIMARY' | 'UNIQUE' | 'AGGREGATE';

export type AggregateFunctionName = 'SUM' | 'MIN' | 'MAX' | 'REPLACE' | 'REPLACE_IF_NOT_NULL';

export interface ColumnDef {
  readonly name: string;
  readonly type: DataTypeNode;
  /** Aggregate function of a value column in an AGGREGATE KEY table (`v BIGINT SUM`). */
  readonly aggregate?: AggregateFunctionName;
  /** `NULL` → true, `NOT NULL` → false, absent when not written. */
  readonly nullable?: boolean;
  /** `DEFAULT 'v'`, `DEFAULT NULL`, `DEFAULT CURRENT_TIMESTAMP` (a FunctionCall `current_timestamp`). */
  readonly default?: Expr;
  readonly autoIncrement: boolean;
  readonly comment?: string;
}

/** One bound value of a range partition: a literal (always kept as text) or MAXVALUE. */
export type PartitionValue = { readonly kind: 'PartitionLiteral'; readonly value: string } | { readonly kind: 'MaxValue' };

/** `PARTITION p VALUES LESS THAN ("v", …)` or `… LESS THAN MAXVALUE` (values = [MaxValue]). */
export interface LessThanPartitionDef {
  readonly kind: 'LessThanPartition';
  readonly name: string;
  readonly ifNotExists: boolean;
  readonly upper: readonly PartitionValue[];
  readonly properties: readonly Property[];
}

/** `PARTITION p VALUES [("a"), ("b"))` — a half-open fixed range. */
export interface FixedRangePartitionDef {
  readonly kind: 'FixedRangePartition';
  readonly name: string;
  readonly ifNotExists: boolean;
  readonly lower: readonly PartitionValue[];
  readonly upper: readonly PartitionValue[];
  readonly properties: readonly Property[];
}

/** `START ("2024-01-01") END ("2024-02-01") EVERY (INTERVAL 1 DAY)` or `EVERY (10)` — batch-created ranges. */
export interface BatchRangePartitionDef {
  readonly kind: 'BatchRangePartition';
  readonly start: string;
  readonly end: string;
  readonly every: { readonly value: number; readonly unit?: IntervalExpr['unit'] };
}

/** `PARTITION p VALUES IN ("a", "b")` or multi-column `VALUES IN (("a", "1"), ("b", "2"))`. */
export interface ListPartitionDef {
  readonly kind: 'ListPartition';
  readonly name: string;
  readonly ifNotExists: boolean;
  /** One tuple per listed value; single-column lists give one-element tuples. */
  readonly values: readonly (readonly string[])[];
  readonly properties: readonly Property[];
}

export type RangePartitionItem = LessThanPartitionDef | FixedRangePartitionDef | BatchRangePartitionDef;

export type PartitionDesc =
  | { readonly kind: 'RangePartitionDesc'; readonly columns: readonly string[]; readonly partitions: readonly RangePartitionItem[] }
  | { readonly kind: 'ListPartitionDesc'; readonly columns: readonly string[]; readonly partitions: readonly ListPartitionDef[] };

export type DistributionDesc =
  | { readonly kind: 'HashDistribution'; readonly columns: readonly string[]; readonly buckets?: number }
  | { readonly kind: 'RandomDistribution'; readonly buckets?: number };

export interface CreateTableStmt {
  readonly kind: 'CreateTable';
  readonly ifNotExists: boolean;
  readonly name: QualifiedName;
  readonly columns: readonly ColumnDef[];
  /** `ENGINE = OLAP` if written (the only engine). */
  readonly engine?: string;
  readonly keys?: { readonly model: KeyModel; readonly columns: readonly string[] };
  readonly comment?: string;
  readonly partition?: PartitionDesc;
  readonly distribution?: DistributionDesc;
  /** StarRocks `ORDER BY (cols)` sort key. */
  readonly orderBy?: readonly string[];
  readonly properties: readonly Property[];
}

export interface DropTableStmt {
  readonly kind: 'DropTable';
  readonly ifExists: boolean;
  readonly name: QualifiedName;
  readonly force: boolean;
}

export interface TruncateTableStmt {
  readonly kind: 'TruncateTable';
  readonly name: QualifiedName;
  readonly partitions?: PartitionNames;
}

/** Where ADD / MODIFY COLUMN puts the column: `AFTER col` or `FIRST` (absent: at the end / where it is). */
export type ColumnPosition = { readonly kind: 'After'; readonly column: string } | { readonly kind: 'First' };

export type AlterTableAction =
  | {
      readonly kind: 'AddPartition';
      readonly partition: LessThanPartitionDef | FixedRangePartitionDef | ListPartitionDef;
      readonly distribution?: DistributionDesc;
      /** `ADD TEMPORARY PARTITION`. */
      readonly temporary: boolean;
    }
  | { readonly kind: 'DropPartition'; readonly name: string; readonly ifExists: boolean; readonly force: boolean; readonly temporary: boolean }
  | { readonly kind: 'RenameTable'; readonly newName: string }
  | { readonly kind: 'SetProperties'; readonly properties: readonly Property[] }
  /** `ADD COLUMN c type … [AFTER x | FIRST]` or `ADD COLUMN (c1 type, c2 type)` (appended in order). */
  | { readonly kind: 'AddColumns'; readonly columns: readonly ColumnDef[]; readonly position?: ColumnPosition }
  | { readonly kind: 'DropColumn'; readonly name: string }
  /** `MODIFY COLUMN c type … [AFTER x | FIRST]`: the whole new definition of an existing column. */
  | { readonly kind: 'ModifyColumn'; readonly column: ColumnDef; readonly position?: ColumnPosition }
  | { readonly kind: 'RenameColumn'; readonly from: string; readonly to: string }
  /** `COMMENT [=] 'text'`: the table comment. */
  | { readonly kind: 'SetComment'; readonly comment: string }
  | { readonly kind: 'SwapWith'; readonly table: string }
  /** `MODIFY PARTITION p | (p, …) | (*) SET (…)`: properties of some partitions ('*' = all of them). */
  | { readonly kind: 'ModifyPartition'; readonly partitions: readonly string[] | '*'; readonly properties: readonly Property[] }
  /** `REPLACE PARTITION (p…) WITH TEMPORARY PARTITION (tp…) [PROPERTIES (…)]`. */
  | { readonly kind: 'ReplacePartition'; readonly partitions: PartitionNames; readonly with: PartitionNames; readonly properties: readonly Property[] };

export interface AlterTableStmt {
  readonly kind: 'AlterTable';
  readonly name: QualifiedName;
  readonly actions: readonly AlterTableAction[];
}

export interface CreateViewStmt {
  readonly kind: 'CreateView';
  readonly ifNotExists: boolean;
  readonly orReplace: boolean;
  readonly name: QualifiedName;
  readonly columns?: readonly { readonly name: string; readonly comment?: string }[];
  readonly comment?: string;
  readonly query: QueryStmt;
  /** The SELECT exactly as written (kept for SHOW CREATE VIEW and for backups). */
  readonly queryText: string;
}

/** `ALTER VIEW v [(col [COMMENT "…"], …)] AS SELECT …`: a new definition for an existing view. */
export interface AlterViewStmt {
  readonly kind: 'AlterView';
  readonly name: QualifiedName;
  readonly columns?: readonly { readonly name: string; readonly comment?: string }[];
  readonly query: QueryStmt;
  /** The SELECT exactly as written. */
  readonly queryText: string;
}

export interface DropViewStmt {
  readonly kind: 'DropView';
  readonly ifExists: boolean;
  readonly name: QualifiedName;
}

// ---------------------------------------------------------------------------------------------------------------
// DML

export interface InsertStmt {
  readonly kind: 'Insert';
  readonly overwrite: boolean;
  readonly table: QualifiedName;
  readonly partitions?: PartitionNames;
  /** `WITH LABEL l`. */
  readonly label?: string;
  readonly columns?: readonly string[];
  readonly source: { readonly kind: 'Values'; readonly rows: readonly (readonly Expr[])[] } | { readonly kind: 'Query'; readonly query: QueryStmt };
}

export interface DeleteStmt {
  readonly kind: 'Delete';
  readonly table: QualifiedName;
  readonly partitions?: PartitionNames;
  readonly where?: Expr;
}

/** `UPDATE t SET c = e, … [WHERE …]`. */
export interface UpdateStmt {
  readonly kind: 'Update';
  readonly table: QualifiedName;
  readonly assignments: readonly { readonly column: string; readonly value: Expr }[];
  readonly where?: Expr;
}

/** `SHOW ALTER TABLE COLUMN [FROM db] [WHERE …] [ORDER BY …] [LIMIT …]`. */
export interface ShowAlterTableStmt extends ShowPredicates {
  readonly kind: 'ShowAlterTable';
  readonly database?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Inspection (SHOW / DESC)

/** The optional `LIKE 'pattern'` or `WHERE expr` tail of many SHOW statements. */
export type ShowFilter = { readonly kind: 'Like'; readonly pattern: string } | { readonly kind: 'Where'; readonly expr: Expr };

export interface ShowDatabasesStmt {
  readonly kind: 'ShowDatabases';
  readonly filter?: ShowFilter;
}

export interface ShowTablesStmt {
  readonly kind: 'ShowTables';
  readonly full: boolean;
  readonly database?: string;
  readonly filter?: ShowFilter;
}

/** `SHOW CREATE TABLE t`, `SHOW CREATE VIEW v`, `SHOW CREATE DATABASE d` (object = 'DATABASE', name.name = db). */
export interface ShowCreateStmt {
  readonly kind: 'ShowCreate';
  readonly object: 'TABLE' | 'VIEW' | 'DATABASE';
  readonly name: QualifiedName;
}

/** `DESC t`, `DESCRIBE t [ALL]`, `SHOW [FULL] COLUMNS FROM t [FROM db]`. */
export interface DescribeStmt {
  readonly kind: 'Describe';
  readonly table: QualifiedName;
  readonly all: boolean;
  /** True for `SHOW [FULL] COLUMNS` (MySQL's column set) rather than DESC (StarRocks' set). */
  readonly showColumns: boolean;
  readonly full: boolean;
  /** SHOW COLUMNS … LIKE 'pattern' | WHERE expr. */
  readonly filter?: ShowFilter;
}

/** Trailing `WHERE … ORDER BY … LIMIT …` accepted by several SHOW statements. */
export interface ShowPredicates {
  readonly where?: Expr;
  readonly orderBy: readonly OrderItem[];
  readonly limit?: { readonly count: number; readonly offset: number };
}

export interface ShowPartitionsStmt extends ShowPredicates {
  readonly kind: 'ShowPartitions';
  readonly table: QualifiedName;
  readonly temporary: boolean;
}

/** `SHOW TABLET FROM t [PARTITION (p)]` or `SHOW TABLET <id>`. */
export type ShowTabletStmt =
  | { readonly kind: 'ShowTablet'; readonly table: QualifiedName; readonly partitions?: PartitionNames; readonly tabletId?: undefined }
  | { readonly kind: 'ShowTablet'; readonly tabletId: number; readonly table?: undefined; readonly partitions?: undefined };

export interface ShowBackendsStmt {
  readonly kind: 'ShowBackends';
}

// ---------------------------------------------------------------------------------------------------------------
// Backup and restore (StarRocks reference §1.1)

/** One entry of the `ON ( … )` list of BACKUP / RESTORE. */
export type BackupRestoreObject =
  | {
      readonly kind: 'BackupObject';
      readonly objectType: 'TABLE' | 'VIEW' | 'MATERIALIZED_VIEW' | 'FUNCTION';
      /** True when the object keyword was written (`TABLE t`), false for a bare `t [PARTITION (…)]`. */
      readonly keyword: boolean;
      readonly name: QualifiedName;
      readonly partitions?: PartitionNames;
      readonly alias?: string;
    }
  | { readonly kind: 'AllBackupObjects'; readonly objectType: 'TABLE' | 'VIEW' | 'MATERIALIZED_VIEW' | 'FUNCTION' };

/** `ALL EXTERNAL CATALOGS` or `EXTERNAL CATALOG[S] (c1 [AS a1], …)` (aliases only in RESTORE). */
export type ExternalCatalogsClause =
  | { readonly kind: 'AllExternalCatalogs' }
  | { readonly kind: 'ExternalCatalogs'; readonly catalogs: readonly { readonly name: string; readonly alias?: string }[] };

export interface BackupStmt {
  readonly kind: 'Backup';
  readonly externalCatalogs?: ExternalCatalogsClause;
  /** `DATABASE db`. */
  readonly database?: string;
  /** `[db.]label`. */
  readonly label: QualifiedName;
  readonly repository: string;
  /** Absent when no `ON (…)` was written: the whole database. */
  readonly objects?: readonly BackupRestoreObject[];
  readonly properties: readonly Property[];
}

export interface RestoreStmt {
  readonly kind: 'Restore';
  readonly label: QualifiedName;
  readonly repository: string;
  readonly externalCatalogs?: ExternalCatalogsClause;
  /** `DATABASE db_in_snapshot`. */
  readonly database?: string;
  /** `AS target_db`. */
  readonly databaseAlias?: string;
  readonly objects?: readonly BackupRestoreObject[];
  readonly properties: readonly Property[];
}

export interface ShowBackupStmt extends ShowPredicates {
  readonly kind: 'ShowBackup';
  readonly database?: string;
}

export interface ShowRestoreStmt extends ShowPredicates {
  readonly kind: 'ShowRestore';
  readonly database?: string;
}

export interface ShowSnapshotStmt extends ShowPredicates {
  readonly kind: 'ShowSnapshot';
  readonly repository: string;
}

export interface CancelBackupStmt {
  readonly kind: 'CancelBackup';
  readonly database?: string;
  /** `FOR EXTERNAL CATALOG`. */
  readonly externalCatalog: boolean;
}

export interface CancelRestoreStmt {
  readonly kind: 'CancelRestore';
  readonly database?: string;
  readonly externalCatalog: boolean;
}

export interface CreateRepositoryStmt {
  readonly kind: 'CreateRepository';
  readonly readOnly: boolean;
  readonly name: string;
  /** Broker name after `WITH BROKER`; absent for a brokerless repository (the usual case). */
  readonly broker?: string;
  readonly location: string;
  /** The userinfo of the location literal when one was written (`s3://key:secret@bucket`): a credential. */
  readonly locationSecret?: SourceSpan;
  readonly properties: readonly Property[];
}

export interface DropRepositoryStmt {
  readonly kind: 'DropRepository';
  readonly name: string;
}

export interface ShowRepositoriesStmt {
  readonly kind: 'ShowRepositories';
}

export interface DropSnapshotStmt {
  readonly kind: 'DropSnapshot';
  readonly snapshot: string;
  readonly repository: string;
  readonly force: boolean;
  /** `DRY RUN`: report what would be deleted, delete nothing (present only when written). */
  readonly dryRun?: true;
}

/** `DROP SNAPSHOT ON repo WHERE SNAPSHOT = 'x' | SNAPSHOT IN (…) | TIMESTAMP <= 'ts' [DRY RUN]`. */
export interface DropSnapshotsStmt {
  readonly kind: 'DropSnapshots';
  readonly repository: string;
  /** The WHERE expression, analysed by src/sql/backup/drop-snapshot-where.ts. */
  readonly where: Expr;
  readonly dryRun: boolean;
}

/** `ALTER REPOSITORY r SET PROPERTIES (…)`: the repository's lifecycle settings (never credentials). */
export interface AlterRepositoryStmt {
  readonly kind: 'AlterRepository';
  readonly name: string;
  readonly properties: readonly Property[];
}

/** `VERIFY SNAPSHOT label ON repo [PROPERTIES (…)]`. */
export interface VerifySnapshotStmt {
  readonly kind: 'VerifySnapshot';
  readonly snapshot: string;
  readonly repository: string;
  readonly properties: readonly Property[];
}

/** `SHOW VERIFY [ON repo] [WHERE …] [ORDER BY …] [LIMIT …]`: the last VERIFY of each repository (or of `repo`). */
export interface ShowVerifyStmt extends ShowPredicates {
  readonly kind: 'ShowVerify';
  readonly repository?: string;
}

/** `CANCEL VERIFY [ON repo]`. */
export interface CancelVerifyStmt {
  readonly kind: 'CancelVerify';
  readonly repository?: string;
}

/** A snapshot named in SHOW SNAPSHOT DIFF: label and, optionally, its backup timestamp. */
export interface SnapshotRef {
  readonly label: string;
  readonly timestamp?: string;
}

/** `SHOW SNAPSHOT DIFF ON repo FROM 'a' ['ts'] TO 'b' ['ts']`. */
export interface ShowSnapshotDiffStmt {
  readonly kind: 'ShowSnapshotDiff';
  readonly repository: string;
  readonly from: SnapshotRef;
  readonly to: SnapshotRef;
}

// ---------------------------------------------------------------------------------------------------------------
// Backup schedules and snapshot copies (tablevault; MRS Manager's backup tasks, CockroachDB's schedules)

/** `EVERY 'n HOUR|DAY|WEEK'` or `CRON 'm h dom mon dow'`: the text as written, checked by the handler. */
export interface ScheduleTrigger {
  readonly kind: 'EVERY' | 'CRON';
  readonly text: string;
}

/** `CREATE BACKUP SCHEDULE [IF NOT EXISTS] s FOR DATABASE db [ON (…)] TO repo EVERY|CRON '…' [STARTS '…'] [PROPERTIES (…)]`. */
export interface CreateBackupScheduleStmt {
  readonly kind: 'CreateBackupSchedule';
  readonly name: string;
  readonly ifNotExists: boolean;
  readonly database: string;
  /** Absent: the whole database. */
  readonly objects?: readonly BackupRestoreObject[];
  readonly repository: string;
  readonly trigger: ScheduleTrigger;
  /** `yyyy-MM-dd HH:mm:ss`, local time. */
  readonly starts?: string;
  readonly properties: readonly Property[];
}

/** `ALTER BACKUP SCHEDULE s [FOR DATABASE db] [ON (…)] [TO repo] [EVERY|CRON '…'] [STARTS '…'] [PROPERTIES (…)]`: what is given changes. */
export interface AlterBackupScheduleStmt {
  readonly kind: 'AlterBackupSchedule';
  readonly name: string;
  readonly database?: string;
  readonly objects?: readonly BackupRestoreObject[];
  readonly repository?: string;
  readonly trigger?: ScheduleTrigger;
  readonly starts?: string;
  /** Merged into the schedule's properties; a key given as '' goes back to its default. */
  readonly properties: readonly Property[];
}

export interface DropBackupScheduleStmt {
  readonly kind: 'DropBackupSchedule';
  readonly name: string;
  readonly ifExists: boolean;
}

/** `PAUSE BACKUP SCHEDULE s` / `RESUME BACKUP SCHEDULE s`. */
export interface SetBackupScheduleStateStmt {
  readonly kind: 'SetBackupScheduleState';
  readonly name: string;
  readonly action: 'PAUSE' | 'RESUME';
}

/** `EXECUTE BACKUP SCHEDULE s`: one run now. */
export interface ExecuteBackupScheduleStmt {
  readonly kind: 'ExecuteBackupSchedule';
  readonly name: string;
}

/** `SHOW BACKUP SCHEDULES [FROM db] [WHERE …] [ORDER BY …] [LIMIT …]`. */
export interface ShowBackupSchedulesStmt extends ShowPredicates {
  readonly kind: 'ShowBackupSchedules';
  readonly database?: string;
}

export interface ShowCreateBackupScheduleStmt {
  readonly kind: 'ShowCreateBackupSchedule';
  readonly name: string;
}

/** `COPY SNAPSHOT label FROM repo_a TO repo_b [PROPERTIES ("backup_timestamp" = "…")]`. */
export interface CopySnapshotStmt {
  readonly kind: 'CopySnapshot';
  readonly snapshot: string;
  readonly from: string;
  readonly to: string;
  readonly properties: readonly Property[];
}

/** `SHOW COPY [ON repo] [WHERE …] [ORDER BY …] [LIMIT …]`: the last copy into each repository (or into `repo`). */
export interface ShowCopyStmt extends ShowPredicates {
  readonly kind: 'ShowCopy';
  readonly repository?: string;
}

/** `CANCEL COPY [ON repo]`. */
export interface CancelCopyStmt {
  readonly kind: 'CancelCopy';
  readonly repository?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Users, roles and privileges (StarRocks 3.x)

/**
 * `IDENTIFIED BY 'plain'`, `IDENTIFIED BY PASSWORD '*HASH'`, `IDENTIFIED WITH mysql_native_password [BY|AS] '…'`.
 * `secret` is the literal's span (quotes included): both forms are credentials (a hash can be attacked offline).
 */
export type PasswordSpec =
  | { readonly kind: 'PlainPassword'; readonly password: string; readonly secret: SourceSpan }
  | { readonly kind: 'HashedPassword'; readonly hash: string; readonly secret: SourceSpan };

export interface CreateUserStmt {
  readonly kind: 'CreateUser';
  readonly ifNotExists: boolean;
  readonly user: UserIdentity;
  readonly password?: PasswordSpec;
  readonly defaultRoles: readonly string[];
}

export interface DropUserStmt {
  readonly kind: 'DropUser';
  readonly ifExists: boolean;
  readonly user: UserIdentity;
}

export interface AlterUserStmt {
  readonly kind: 'AlterUser';
  readonly ifExists: boolean;
  readonly user: UserIdentity;
  readonly password?: PasswordSpec;
}

/**
 * `SET PASSWORD [FOR u] = PASSWORD('p')` (plain) or `= '*HASH'` (hashed), optionally followed by more SET items
 * (`SET PASSWORD = '*H', sql_log_off = 0`, as mariadb-admin sends it), applied after the password.
 */
export interface SetPasswordStmt {
  readonly kind: 'SetPassword';
  readonly user?: UserIdentity;
  readonly password: PasswordSpec;
  readonly assignments?: readonly SetAssignment[];
}

export interface CreateRoleStmt {
  readonly kind: 'CreateRole';
  readonly ifNotExists: boolean;
  readonly name: string;
}

export interface DropRoleStmt {
  readonly kind: 'DropRole';
  readonly ifExists: boolean;
  readonly name: string;
}

/** What a privilege is granted on. MySQL-style `db.*` and `*.*` map to AllTables. */
export type PrivilegeObject =
  | { readonly kind: 'SystemObject' }
  | { readonly kind: 'CatalogObject'; readonly name?: string; readonly all: boolean }
  | { readonly kind: 'DatabaseObject'; readonly name?: string; readonly all: boolean }
  | { readonly kind: 'TableObject'; readonly name: QualifiedName }
  /** `ALL TABLES IN DATABASE db` (database set) or `ALL TABLES IN ALL DATABASES` (database absent). */
  | { readonly kind: 'AllTablesObject'; readonly database?: string }
  | { readonly kind: 'ViewObject'; readonly name: QualifiedName }
  | { readonly kind: 'AllViewsObject'; readonly database?: string };

export type Grantee = { readonly kind: 'UserGrantee'; readonly user: UserIdentity } | { readonly kind: 'RoleGrantee'; readonly role: string };

/**
 * `GRANT priv[, …] ON object TO grantee [WITH GRANT OPTION]`. Privilege names upper-cased, spaces kept (`CREATE TABLE`);
 * `ALL PRIVILEGES` is normalised to `ALL`. The parser accepts any words as a privilege; the analyzer validates them.
 */
export interface GrantPrivilegeStmt {
  readonly kind: 'GrantPrivilege';
  readonly privileges: readonly string[];
  readonly object: PrivilegeObject;
  readonly grantee: Grantee;
  readonly withGrantOption: boolean;
}

export interface RevokePrivilegeStmt {
  readonly kind: 'RevokePrivilege';
  readonly privileges: readonly string[];
  readonly object: PrivilegeObject;
  readonly grantee: Grantee;
}

/** `GRANT role[, …] TO [USER] u | ROLE r`. */
export interface GrantRoleStmt {
  readonly kind: 'GrantRole';
  readonly roles: readonly string[];
  readonly grantee: Grantee;
}

export interface RevokeRoleStmt {
  readonly kind: 'RevokeRole';
  readonly roles: readonly string[];
  readonly grantee: Grantee;
}

/** `SHOW GRANTS [FOR u | FOR ROLE r]`. */
export interface ShowGrantsStmt {
  readonly kind: 'ShowGrants';
  readonly grantee?: Grantee;
}

export interface ShowUsersStmt {
  readonly kind: 'ShowUsers';
}

export interface ShowRolesStmt {
  readonly kind: 'ShowRoles';
}

// ---------------------------------------------------------------------------------------------------------------
// Session and server administration

/**
 * One item of SET. Parser normalisations: `SET x`, `SET LOCAL x`, `@@x`, `@@local.x` → scope SESSION; the words
 * ON / DEFAULT and a bare unqualified name (`OFF`, `TRADITIONAL`) as the value become a StringLiteral (ON, OFF and
 * DEFAULT upper-cased, other names as written), MySQL's reading of `SET autocommit = ON`; `SET NAMES DEFAULT` gives
 * charset 'DEFAULT'.
 */
export type SetAssignment =
  | { readonly kind: 'SetVariable'; readonly scope: 'SESSION' | 'GLOBAL' | 'USER'; readonly name: string; readonly value: Expr }
  | { readonly kind: 'SetNames'; readonly charset: string; readonly collation?: string }
  | { readonly kind: 'SetCharacterSet'; readonly charset: string }
  /**
   * `SET [GLOBAL | SESSION] TRANSACTION ISOLATION LEVEL … | READ ONLY | READ WRITE [, …]`. Without a scope it
   * applies to the next transaction only (MySQL); it is always the only item of its SET.
   */
  | {
      readonly kind: 'SetTransaction';
      readonly scope: 'NEXT' | 'SESSION' | 'GLOBAL';
      readonly isolation?: IsolationLevel;
      readonly accessMode?: TransactionAccessMode;
    };

/** `SET a = 1, @@global.b = 'x', NAMES utf8mb4 …`. */
export interface SetStmt {
  readonly kind: 'Set';
  readonly assignments: readonly SetAssignment[];
}

export interface ShowVariablesStmt {
  readonly kind: 'ShowVariables';
  readonly global: boolean;
  readonly filter?: ShowFilter;
}

export interface ShowStatusStmt {
  readonly kind: 'ShowStatus';
  readonly global: boolean;
  readonly filter?: ShowFilter;
}

export interface ShowProcesslistStmt {
  readonly kind: 'ShowProcesslist';
  readonly full: boolean;
}

/** `SHOW WARNINGS` / `SHOW ERRORS` [LIMIT …], and `SHOW COUNT(*) WARNINGS | ERRORS` (`count`). */
export interface ShowWarningsStmt {
  readonly kind: 'ShowWarnings';
  readonly errorsOnly: boolean;
  readonly count?: boolean;
  readonly limit?: { readonly count: number; readonly offset: number };
}

/** `KILL [CONNECTION | QUERY] id`. */
export interface KillStmt {
  readonly kind: 'Kill';
  readonly connectionId: number;
  readonly queryOnly: boolean;
}

/** `PREPARE name FROM 'text'` or `PREPARE name FROM @variable` (the text holds `?` parameter markers). */
export interface PrepareStmt {
  readonly kind: 'Prepare';
  readonly name: string;
  /** The text literal (`span`: where it is, quotes included) or the user variable holding the text. */
  readonly source: { readonly kind: 'Text'; readonly text: string; readonly span: SourceSpan } | { readonly kind: 'Variable'; readonly name: string };
}

/** `EXECUTE name [USING @a, @b …]`: the user variables' values fill the `?` markers in order. */
export interface ExecutePreparedStmt {
  readonly kind: 'ExecutePrepared';
  readonly name: string;
  readonly using: readonly string[];
}

/** `{DEALLOCATE | DROP} PREPARE name`. */
export interface DeallocatePrepareStmt {
  readonly kind: 'DeallocatePrepare';
  readonly name: string;
}

/** What `FLUSH` can name (MySQL's flush options this engine accepts). */
export type FlushOption = 'PRIVILEGES' | 'TABLES' | 'LOGS' | 'STATUS' | 'HOSTS' | 'THREADS';

/** `FLUSH [LOCAL | NO_WRITE_TO_BINLOG] option [, option …]`. */
export interface FlushStmt {
  readonly kind: 'Flush';
  readonly options: readonly FlushOption[];
}

/** `SHUTDOWN`: stop the server gracefully (MySQL 8's statement form of COM_SHUTDOWN). */
export interface ShutdownStmt {
  readonly kind: 'Shutdown';
}

/**
 * Transaction control: `BEGIN [WORK]` / `START TRANSACTION [WITH CONSISTENT SNAPSHOT] [, READ ONLY | READ WRITE]`,
 * `COMMIT [WORK] [AND [NO] CHAIN] [[NO] RELEASE]`, `ROLLBACK …` (same options), `SAVEPOINT sp`,
 * `ROLLBACK [WORK] TO [SAVEPOINT] sp`, `RELEASE SAVEPOINT sp`.
 */
export interface TransactionStmt {
  readonly kind: 'Transaction';
  readonly action: 'BEGIN' | 'COMMIT' | 'ROLLBACK' | 'SAVEPOINT' | 'ROLLBACK_TO_SAVEPOINT' | 'RELEASE_SAVEPOINT';
  /** BEGIN: WITH CONSISTENT SNAPSHOT was written. */
  readonly consistentSnapshot?: boolean;
  /** BEGIN: READ ONLY or READ WRITE, when written. */
  readonly accessMode?: TransactionAccessMode;
  /** COMMIT / ROLLBACK: AND CHAIN (true) or AND NO CHAIN (false), when written. */
  readonly chain?: boolean;
  /** COMMIT / ROLLBACK: RELEASE (true) or NO RELEASE (false), when written. */
  readonly release?: boolean;
  /** The savepoint of SAVEPOINT, ROLLBACK TO and RELEASE SAVEPOINT. */
  readonly savepoint?: string;
}

export type TransactionAccessMode = 'READ ONLY' | 'READ WRITE';
export type IsolationLevel = 'READ UNCOMMITTED' | 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

/** One table of `LOCK TABLES`: `name [[AS] alias] {READ [LOCAL] | [LOW_PRIORITY] WRITE}`. */
export interface TableLockItem {
  readonly table: QualifiedName;
  readonly alias?: string;
  readonly mode: 'READ' | 'WRITE';
}

/** `LOCK TABLE[S] t READ [LOCAL], u WRITE …`. */
export interface LockTablesStmt {
  readonly kind: 'LockTables';
  readonly tables: readonly TableLockItem[];
}

/** MySQL's `ALTER TABLE t {DISABLE | ENABLE} KEYS` (dump files hold it). */
export interface AlterTableKeysStmt {
  readonly kind: 'AlterTableKeys';
  readonly table: QualifiedName;
  readonly enable: boolean;
}

/** `UNLOCK TABLE[S]`. */
export interface UnlockTablesStmt {
  readonly kind: 'UnlockTables';
}

/** The MySQL metadata SHOW forms clients and dump tools send. */
export type ShowMetaWhat =
  | 'TABLE STATUS' | 'INDEX' | 'ENGINES' | 'CHARSET' | 'COLLATION' | 'TRIGGERS' | 'PROCEDURE STATUS' | 'FUNCTION STATUS'
  | 'EVENTS' | 'PLUGINS' | 'PRIVILEGES';

/**
 * `SHOW TABLE STATUS [FROM db]`, `SHOW [EXTENDED] INDEX|INDEXES|KEYS FROM t [FROM db]`, `SHOW [STORAGE] ENGINES`,
 * `SHOW CHARSET | CHARACTER SET`, `SHOW COLLATION`, `SHOW TRIGGERS [FROM db]`, `SHOW PROCEDURE|FUNCTION STATUS`,
 * `SHOW EVENTS [FROM db]`, `SHOW PLUGINS`, `SHOW PRIVILEGES`, each with MySQL's optional LIKE / WHERE.
 */
export interface ShowMetaStmt {
  readonly kind: 'ShowMeta';
  readonly what: ShowMetaWhat;
  /** FROM db (or the second FROM of SHOW INDEX). */
  readonly database?: string;
  /** SHOW INDEX's table. */
  readonly table?: QualifiedName;
  readonly filter?: ShowFilter;
}

// ---------------------------------------------------------------------------------------------------------------
// The statement union

export type Statement =
  | SelectStmt
  | SetOperationStmt
  | CreateDatabaseStmt
  | DropDatabaseStmt
  | UseStmt
  | CreateTableStmt
  | DropTableStmt
  | TruncateTableStmt
  | AlterTableStmt
  | CreateViewStmt
  | AlterViewStmt
  | DropViewStmt
  | InsertStmt
  | DeleteStmt
  | UpdateStmt
  | ShowAlterTableStmt
  | ShowDatabasesStmt
  | ShowTablesStmt
  | ShowCreateStmt
  | DescribeStmt
  | ShowPartitionsStmt
  | ShowTabletStmt
  | ShowBackendsStmt
  | BackupStmt
  | RestoreStmt
  | ShowBackupStmt
  | ShowRestoreStmt
  | ShowSnapshotStmt
  | CancelBackupStmt
  | CancelRestoreStmt
  | CreateRepositoryStmt
  | DropRepositoryStmt
  | ShowRepositoriesStmt
  | DropSnapshotStmt
  | DropSnapshotsStmt
  | AlterRepositoryStmt
  | ShowSnapshotDiffStmt
  | VerifySnapshotStmt
  | ShowVerifyStmt
  | CancelVerifyStmt
  | CreateBackupScheduleStmt
  | AlterBackupScheduleStmt
  | DropBackupScheduleStmt
  | SetBackupScheduleStateStmt
  | ExecuteBackupScheduleStmt
  | ShowBackupSchedulesStmt
  | ShowCreateBackupScheduleStmt
  | CopySnapshotStmt
  | ShowCopyStmt
  | CancelCopyStmt
  | CreateUserStmt
  | DropUserStmt
  | AlterUserStmt
  | SetPasswordStmt
  | CreateRoleStmt
  | DropRoleStmt
  | GrantPrivilegeStmt
  | RevokePrivilegeStmt
  | GrantRoleStmt
  | RevokeRoleStmt
  | ShowGrantsStmt
  | ShowUsersStmt
  | ShowRolesStmt
  | SetStmt
  | ShowVariablesStmt
  | ShowStatusStmt
  | ShowProcesslistStmt
  | ShowWarningsStmt
  | KillStmt
  | TransactionStmt
  | PrepareStmt
  | ExecutePreparedStmt
  | DeallocatePrepareStmt
  | FlushStmt
  | ShutdownStmt
  | LockTablesStmt
  | UnlockTablesStmt
  | ShowMetaStmt
  | AlterTableKeysStmt;

export type StatementKind = Statement['kind'];
export type StatementOfKind<K extends StatementKind> = Extract<Statement, { readonly kind: K }>;
export type ExprKind = Expr['kind'];
export type ExprOfKind<K extends ExprKind> = Extract<Expr, { readonly kind: K }>;

/**
 * An exhaustive visitor over statements: one handler per kind, checked by the compiler, so adding a statement kind
 * fails to compile until every layer handles it.
 */
export type StatementVisitor<R> = { readonly [K in StatementKind]: (node: StatementOfKind<K>) => R };

/** An exhaustive visitor over expressions. */
export type ExprVisitor<R> = { readonly [K in ExprKind]: (node: ExprOfKind<K>) => R };

/** Dispatch a statement to its handler. */
export function visitStatement<R>(visitor: StatementVisitor<R>, node: Statement): R {
  return (visitor[node.kind] as (n: Statement) => R)(node);
}

/** Dispatch an expression to its handler. */
export function visitExpr<R>(visitor: ExprVisitor<R>, node: Expr): R {
  return (visitor[node.kind] as (n: Expr) => R)(node);
}

/** One statement of a multi-statement text, with where it starts and its own text (without the `;`). */
export interface ParsedStatement {
  readonly statement: Statement;
  /** The statement's source text, trimmed, without the trailing `;`. */
  readonly text: string;
  readonly position: SourcePosition;
}
