/** SELECT: the query engine in src/sql/select, reading tables, views and information_schema through tableResolver. */
import type { QueryStmt } from '../../../grammar/ast.ts';
import type { ExecutionContext } from '../context.ts';
import type { StatementResult } from '../result.ts';
import { executeSelect } from '../select/execute-select.ts';
import { sessionEvalContext } from '../session-eval-context.ts';
import { tableResolver } from '../table/table-source.ts';

export async function executeSelectStatement(ctx: ExecutionContext, node: QueryStmt): Promise<StatementResult> {
  const evalCtx = sessionEvalContext(ctx);
  return executeSelect(node, tableResolver(ctx, evalCtx), { ...evalCtx, signal: ctx.signal });
}
