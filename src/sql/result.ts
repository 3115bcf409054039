import type { ColumnType } from '../types/column-type.ts';

/**
 * What executing one statement returns through every door (library, server, shell).
 * Rows are text, exactly as the MySQL protocol sends them, so the three doors print identical results.
 */
export type StatementResult = ResultSet | OkResult;

export interface ResultSet {
  readonly kind: 'rows';
  /** Column names in order (StarRocks' exact titles for SHOW statements). */
  readonly columns: readonly string[];
  /** Column types, for wire metadata (numbers are sent as numeric columns). SHOW results are VARCHAR. */
  readonly columnTypes: readonly ColumnType[];
  /** One array per row; SQL NULL is null. */
  readonly rows: readonly (readonly (string | null)[])[];
}

export interface OkResult {
  readonly kind: 'ok';
  /** Rows inserted, deleted or otherwise affected. */
  readonly affectedRows: number;
  /** Optional info message (MySQL's OK packet `info`), e.g. a job id for BACKUP. */
  readonly message?: string;
  readonly warnings?: number;
}

/** A VARCHAR column type for SHOW-style results (StarRocks declares them VARCHAR(30)). */
export const SHOW_COLUMN: ColumnType = { name: 'VARCHAR', length: 30 };

/** Build a SHOW-style result: all columns VARCHAR, values already text. */
export function showResult(columns: readonly string[], rows: readonly (readonly (string | null)[])[]): ResultSet {
  return { kind: 'rows', columns, columnTypes: columns.map(() => SHOW_COLUMN), rows };
}

export function okResult(affectedRows = 0, message?: string): OkResult {
  return message === undefined ? { kind: 'ok', affectedRows } : { kind: 'ok', affectedRows, message };
}
