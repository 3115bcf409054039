/**
 * Server administration statements MySQL tools send (mariadb-admin flush-*, reload, refresh, password, shutdown).
 *
 * FLUSH options and what they do here:
 * - PRIVILEGES: re-reads the account and grant tables from the catalog (the in-memory copy privilege checks use);
 * - TABLES, STATUS, HOSTS, THREADS: nothing to do, accepted: no table, status, host or thread cache exists (every
 *   load is durable when it commits; SHOW STATUS counters are not reset, as MySQL's FLUSH STATUS leaves the ones we
 *   have alone);
 * - LOGS: nothing to do, accepted: the server logs to stderr, which the process manager rotates.
 */
import type { FlushStmt, SetPasswordStmt, ShutdownStmt } from '../../../grammar/ast.ts';
import type { ExecutionContext } from '../context.ts';
import { okResult, type StatementResult } from '../result.ts';
import { executeSetPassword } from './account.ts';
import { executeSet } from './session.ts';

export function executeFlush(ctx: ExecutionContext, node: FlushStmt): StatementResult {
  if (node.options.includes('PRIVILEGES')) ctx.services.access.invalidate();
  return okResult(0);
}

export function executeShutdown(ctx: ExecutionContext, _node: ShutdownStmt): StatementResult {
  ctx.services.logger.info({ user: ctx.session.user, host: ctx.session.host, connectionId: ctx.session.connectionId }, 'SHUTDOWN requested');
  ctx.services.shutdownRequests.request(`'${ctx.session.user}'@'${ctx.session.host}'`);
  return okResult(0);
}

/** SET PASSWORD, then the SET items written after it (`SET PASSWORD = '*H', sql_log_off = 0`). */
export async function executeSetPasswordStatement(ctx: ExecutionContext, node: SetPasswordStmt): Promise<StatementResult> {
  const result = await executeSetPassword(ctx, node);
  if (node.assignments === undefined || node.assignments.length === 0) return result;
  executeSet(ctx, { kind: 'Set', assignments: node.assignments });
  return result;
}
