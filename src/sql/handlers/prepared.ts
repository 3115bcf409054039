/**
 * PREPARE name FROM 'text' | @var, EXECUTE name [USING @a, …], {DEALLOCATE | DROP} PREPARE name: StarRocks 3.2's
 * SQL prepared statements (MySQL's syntax). StarRocks prepares only SELECT; here any statement but these three can
 * be prepared, since the binary protocol needs INSERT too and both share src/sql/prepared.
 *
 * Named statements belong to the session (a WeakMap beside its state): they vanish with it, and a new PREPARE of a
 * name replaces the old statement, as in MySQL.
 */
import type { DeallocatePrepareStmt, ExecutePreparedStmt, PrepareStmt } from '../../../grammar/ast.ts';
import { SqlError } from '../../errors/index.ts';
import type { ExecutionContext, SessionState } from '../context.ts';
import { executeStatement } from '../executor.ts';
import { prepareStatement, type PreparedStatement } from '../prepared/prepared-statement.ts';
import { parameterOfValue } from '../prepared/parameters.ts';
import { okResult, type StatementResult } from '../result.ts';
import type { HandlerResult } from '../row-stream.ts';

const named = new WeakMap<SessionState, Map<string, PreparedStatement>>();

function statementsOf(session: SessionState): Map<string, PreparedStatement> {
  let map = named.get(session);
  if (map === undefined) {
    map = new Map();
    named.set(session, map);
  }
  return map;
}

/** MySQL's ER_UNKNOWN_STMT_HANDLER. */
function unknownStatement(name: string, where: string): SqlError {
  return new SqlError(1243, 'HY000', `Unknown prepared statement handler (${name}) given to ${where}: PREPARE it first (prepared statements last as long as the session)`);
}

export async function executePrepare(ctx: ExecutionContext, node: PrepareStmt): Promise<StatementResult> {
  let text: string;
  if (node.source.kind === 'Text') text = node.source.text;
  else {
    const value = ctx.session.userVariables.get(node.source.name.toLowerCase());
    if (typeof value !== 'string') {
      throw new SqlError(1064, '42000', `PREPARE ${node.name} FROM @${node.source.name}: the variable holds ${value === undefined || value === null ? 'NULL' : 'no text'}; SET it to the statement text first`);
    }
    text = value;
  }
  const statements = statementsOf(ctx.session);
  // MySQL deallocates a statement of the same name first, even when the new one fails to prepare.
  statements.delete(node.name.toLowerCase());
  statements.set(node.name.toLowerCase(), await prepareStatement(ctx, text));
  return okResult(0, 'Statement prepared');
}

/** EXECUTE runs the bound statement as the session's statement: a SELECT's rows stream as any SELECT's do. */
export async function executeExecutePrepared(ctx: ExecutionContext, node: ExecutePreparedStmt): Promise<HandlerResult> {
  const prepared = statementsOf(ctx.session).get(node.name.toLowerCase());
  if (prepared === undefined) throw unknownStatement(node.name, 'EXECUTE');
  const values = node.using.map((name) => parameterOfValue(ctx.session.userVariables.get(name.toLowerCase()) ?? null));
  return executeStatement(ctx, prepared.bind(values).statement);
}

export function executeDeallocatePrepare(ctx: ExecutionContext, node: DeallocatePrepareStmt): StatementResult {
  if (!statementsOf(ctx.session).delete(node.name.toLowerCase())) throw unknownStatement(node.name, 'DEALLOCATE PREPARE');
  return okResult(0);
}
