import type { Expr } from '../../../grammar/ast.ts';
import { shouldYield, throwIfInterrupted, yieldTurn } from '../pace.ts';
import type { ColumnType } from '../../types/column-type.ts';
import type { Row } from '../../types/value.ts';
import type { Scope } from '../eval/scope.ts';

/** One column a row source produces. */
export interface SourceColumn {
  /** Column name (what `SELECT *` shows and what ColumnRefs match, case-insensitively). */
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
}

/** What a scan may be told. */
export interface ScanOptions {
  /** Stop early: the scan should end (or throw) soon after this aborts. */
  readonly signal?: AbortSignal;
  /** Only these partitions (from pruning or an explicit PARTITION clause); absent means all. */
  readonly partitionIds?: readonly number[];
  /**
   * The only columns the consumer reads (indexes into `columns`). Rows keep their full width; a source may leave
   * the other positions null, so a columnar scan decodes just these. Absent means every column.
   */
  readonly columns?: readonly number[];
}

/**
 * Anything SELECT can read from: a table scan, a view, a subquery, a table function. Rows come in batches so a scan
 * of millions of rows streams; the consumer may stop iterating early (LIMIT), so sources must release resources in
 * their iterator's `return()` (a `finally` in an async generator does this).
 */
export interface RowSource {
  readonly columns: readonly SourceColumn[];
  scan(options: ScanOptions): AsyncIterable<readonly Row[]>;
}

/** What the FROM resolver returns for a table or view. */
export interface ResolvedSource {
  readonly source: RowSource;
  /**
   * Names that qualify this source's columns, outermost first: `['db', 'tbl']` for a table (so both `tbl.c` and
   * `db.tbl.c` work) or `['alias']`. Defaults to the alias or table name of the FROM item.
   */
  readonly qualifiers?: readonly string[];
  /**
   * Partition pruning: given the WHERE clause and the scope the columns are seen through, the partitions that may
   * hold matching rows (undefined = all). Tables implement it with prunePartitions (src/sql/partition).
   */
  readonly prune?: (where: Expr | undefined, scope: Scope) => readonly number[] | undefined;
}

/** Rows already in memory as a RowSource (for SHOW-like results, tests, and VALUES). */
export function arrayRowSource(columns: readonly SourceColumn[], rows: readonly Row[], batchSize = 1024): RowSource {
  return {
    columns,
    async *scan(options) {
      for (let i = 0; i < rows.length; i += batchSize) {
        throwIfAborted(options.signal);
        if (shouldYield()) await yieldTurn(options.signal);
        yield rows.slice(i, i + batchSize);
      }
    },
  };
}

/** Why the statement was stopped (KILL QUERY's 1317, a query timeout) when its signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  throwIfInterrupted(signal);
}
