import type { StatementResult } from '../sql/result.ts';

/**
 * The mysql client's batch format (`mysql -B`, or `-e` with output to a pipe): a header line of column names, then one
 * line per row, tab-separated, NULL printed as `NULL`, and tab / newline / backslash / NUL escaped as `\t` `\n` `\\`
 * `\0`, so every row stays on one line and the output can be split reliably.
 */
export function formatBatch(result: StatementResult, options: { readonly columnNames: boolean }): string {
  // mysql prints nothing at all for an OK packet or an empty result set in batch mode (not even the header).
  if (result.kind === 'ok' || result.rows.length === 0) return '';
  const lines: string[] = [];
  if (options.columnNames) lines.push(result.columns.map(escapeBatchValue).join('\t'));
  for (const row of result.rows) lines.push(row.map((v) => (v === null ? 'NULL' : escapeBatchValue(v))).join('\t'));
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** Lines of a streamed result: the header (when given, i.e. before the first batch) and these rows. */
export function formatBatchRows(columns: readonly string[] | undefined, rows: readonly (readonly (string | null)[])[]): string {
  let text = columns === undefined ? '' : `${columns.map(escapeBatchValue).join('\t')}\n`;
  for (const row of rows) text += `${row.map((v) => (v === null ? 'NULL' : escapeBatchValue(v))).join('\t')}\n`;
  return text;
}

export function escapeBatchValue(value: string): string {
  return value.replace(/[\\\t\n\0]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\0'));
}

/** `ERROR 1146 (42S02) at line 3: Table 'db.t' doesn't exist`, as the mysql client prints it. */
export function formatBatchError(error: { readonly errno: number; readonly sqlState: string; readonly message: string }, line: number | undefined): string {
  return `ERROR ${error.errno} (${error.sqlState})${line === undefined ? '' : ` at line ${line}`}: ${error.message}\n`;
}

/**
 * The mysql client's vertical format (`\G`, `-E`): one block per row, a `*** n. row ***` rule, each column as
 * `name: value` with the names right-aligned; values printed as they are (not escaped), NULL as `NULL`. Without
 * column names (-N) only the values. An empty result prints nothing, as mysql does in batch mode.
 */
export function formatVertical(result: StatementResult, options: { readonly columnNames: boolean }): string {
  if (result.kind === 'ok' || result.rows.length === 0) return '';
  const width = Math.max(0, ...result.columns.map((c) => c.length));
  let out = '';
  result.rows.forEach((row, r) => {
    out += `*************************** ${r + 1}. row ***************************\n`;
    result.columns.forEach((name, i) => {
      const value = row[i] ?? null;
      out += `${options.columnNames ? `${name.padStart(width)}: ` : ''}${value === null ? 'NULL' : value}\n`;
    });
  });
  return out;
}
