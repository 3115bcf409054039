import type { QueryStmt, TableRef } from '../../../grammar/ast.ts';
import { formatValue } from '../../types/format.ts';
import type { ResultSet } from '../result.ts';
import { RowStream, type TextRow } from '../row-stream.ts';
import type { EvalContext } from '../eval/context.ts';
import type { ResolvedSource } from './row-source.ts';
import { selectRowSource } from './select-source.ts';
import { shouldYield, yieldTurn } from '../pace.ts';

/**
 * Run a SELECT as a stream of text rows (formatted with formatValue, exactly as the MySQL protocol sends them).
 * FROM is resolved and the query planned now, so unknown names fail before any row; the rows are produced batch by
 * batch as the reader pulls them. `resolveTable` maps a table or view name to its rows; subqueries and
 * TABLE(generate_series(…)) are handled by the query pipeline.
 */
export async function streamSelect(
  stmt: QueryStmt,
  resolveTable: (ref: TableRef) => Promise<ResolvedSource>,
  ctx: EvalContext & { readonly signal?: AbortSignal },
): Promise<RowStream> {
  const source = await selectRowSource(stmt, ctx.signal ? { resolveTable, ctx, signal: ctx.signal } : { resolveTable, ctx });
  const types = source.columns.map((c) => c.type);
  const options = ctx.signal ? { signal: ctx.signal } : {};
  async function* text(): AsyncGenerator<readonly TextRow[], void, void> {
    for await (const batch of source.scan(options)) {
      yield batch.map((row) => row.map((v, i) => formatValue(v, types[i])));
      // A reader that never waits (collect(), a fast client) would let a large result hold the event loop.
      if (shouldYield()) await yieldTurn(ctx.signal);
    }
  }
  return new RowStream(source.columns.map((c) => c.name), types, text(), { signal: ctx.signal });
}

/** Run a SELECT to a complete text ResultSet (every row in memory): {@link streamSelect}, read to the end. */
export async function executeSelect(
  stmt: QueryStmt,
  resolveTable: (ref: TableRef) => Promise<ResolvedSource>,
  ctx: EvalContext & { readonly signal?: AbortSignal },
): Promise<ResultSet> {
  return (await streamSelect(stmt, resolveTable, ctx)).collect();
}
