import type { QueryStmt } from '../../../grammar/ast.ts';
import { formatValue } from '../../types/format.ts';
import type { ResultSet } from '../result.ts';
import type { EvalContext } from '../eval/context.ts';
import type { TableRef } from '../../../grammar/ast.ts';
import type { ResolvedSource } from './row-source.ts';
import { selectRowSource } from './select-source.ts';
import { shouldYield, yieldTurn } from '../pace.ts';

/**
 * Run a SELECT to a text ResultSet (rows formatted with formatValue, exactly as the MySQL protocol sends them).
 * `resolveTable` maps a table or view name to its rows; subqueries and TABLE(generate_series(…)) are handled here.
 */
export async function executeSelect(
  stmt: QueryStmt,
  resolveTable: (ref: TableRef) => Promise<ResolvedSource>,
  ctx: EvalContext & { readonly signal?: AbortSignal },
): Promise<ResultSet> {
  const source = await selectRowSource(stmt, ctx.signal ? { resolveTable, ctx, signal: ctx.signal } : { resolveTable, ctx });
  const types = source.columns.map((c) => c.type);
  const rows: (string | null)[][] = [];
  for await (const batch of source.scan(ctx.signal ? { signal: ctx.signal } : {})) {
    for (const row of batch) rows.push(row.map((v, i) => formatValue(v, types[i])));
    if (shouldYield()) await yieldTurn(ctx.signal);
  }
  return { kind: 'rows', columns: source.columns.map((c) => c.name), columnTypes: types, rows };
}
