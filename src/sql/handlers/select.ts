/**
 * SELECT: the query engine in src/sql/select, reading tables, views and information_schema through tableResolver.
 * The rows are handed over as a stream: the server writes them as they are produced, the library collects them.
 */
import type { QueryStmt } from '../../../grammar/ast.ts';
import type { ExecutionContext } from '../context.ts';
import type { RowStream } from '../row-stream.ts';
import { streamSelect } from '../select/execute-select.ts';
import { sessionEvalContext } from '../session-eval-context.ts';
import { tableResolver } from '../table/table-source.ts';

export async function executeSelectStatement(ctx: ExecutionContext, node: QueryStmt): Promise<RowStream> {
  const evalCtx = sessionEvalContext(ctx);
  return streamSelect(node, tableResolver(ctx, evalCtx), { ...evalCtx, signal: ctx.signal });
}
