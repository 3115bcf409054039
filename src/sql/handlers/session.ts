/** Session and server administration: SET, SHOW VARIABLES / STATUS / PROCESSLIST / WARNINGS, KILL. */
import type {
  KillStmt, SetAssignment, SetStmt, ShowProcesslistStmt, ShowStatusStmt, ShowVariablesStmt, ShowWarningsStmt,
} from '../../../grammar/ast.ts';
import { sqlError } from '../../errors/index.ts';
import { formatDateTime } from '../../util/clock.ts';
import type { ExecutionContext } from '../context.ts';
import { okResult, showResult, type StatementResult } from '../result.ts';
import { applyShowFilter } from '../show-filter.ts';
import { evaluateConstant } from '../constant.ts';
import { showLikeMatcher } from '../eval/like.ts';
import { processlistEntries } from './information-schema.ts';
import type { SetValue } from '../variables/index.ts';
import { serializableNotSupported } from '../transaction/errors.ts';
import { autocommit } from '../transaction/session-transaction.ts';

export async function executeSet(ctx: ExecutionContext, node: SetStmt): Promise<StatementResult> {
  for (const a of node.assignments) {
    switch (a.kind) {
      case 'SetTransaction':
        setTransaction(ctx, a);
        break;
      case 'SetNames':
        if (a.charset.toUpperCase() !== 'DEFAULT') ctx.session.variables.setNames(a.charset, a.collation);
        break;
      case 'SetCharacterSet':
        ctx.session.variables.setNames(a.charset);
        break;
      case 'SetVariable': {
        const value = a.value.kind === 'StringLiteral' && a.value.value === 'DEFAULT' ? null : evaluateConstant(ctx, a.value);
        if (a.scope === 'USER') {
          ctx.session.userVariables.set(a.name.toLowerCase(), value);
          break;
        }
        const setValue: SetValue = a.value.kind === 'StringLiteral' && a.value.value === 'DEFAULT' ? { default: true } : value;
        const wasAutocommit = autocommit(ctx);
        const scope = a.scope === 'GLOBAL' ? 'GLOBAL' : 'SESSION';
        const isolation = ctx.session.variables.get('transaction_isolation', scope);
        ctx.session.variables.set(a.name, setValue, scope);
        if (ctx.session.variables.get('transaction_isolation', scope) === 'SERIALIZABLE') {
          // SERIALIZABLE cannot be given (no write-conflict detection): refused, not silently weakened.
          ctx.session.variables.set('transaction_isolation', isolation, scope);
          throw serializableNotSupported();
        }
        // MySQL: turning autocommit on commits the open transaction.
        if (a.scope !== 'GLOBAL' && !wasAutocommit && autocommit(ctx)) await ctx.session.transaction.commit(ctx);
        break;
      }
    }
  }
  return okResult(0);
}

export function executeShowVariables(ctx: ExecutionContext, node: ShowVariablesStmt): StatementResult {
  const like = node.filter?.kind === 'Like' ? node.filter.pattern : undefined;
  const rows = ctx.session.variables.showRows(like === undefined ? {} : { like }, node.global ? 'GLOBAL' : 'SESSION');
  const result = showResult(['Variable_name', 'Value'], rows.map((r) => [...r]));
  return node.filter?.kind === 'Where' ? applyShowFilter(ctx, result, node.filter, 'Variable_name') : result;
}

export function executeShowStatus(ctx: ExecutionContext, node: ShowStatusStmt): StatementResult {
  const { stats, sessions, clock } = ctx.services;
  const all = sessions.list();
  const rows: [string, string][] = [
    ['Aborted_clients', '0'],
    ['Connections', String(stats.connections)],
    ['Questions', String(stats.questions)],
    ['Queries', String(stats.questions)],
    ['Slow_queries', '0'],
    ['Threads_connected', String(all.length)],
    ['Threads_running', String(all.filter((s) => s.current !== undefined).length)],
    ['Uptime', String(Math.floor((clock.now() - stats.startedAt) / 1000))],
  ];
  const pattern = node.filter?.kind === 'Like' ? showLikeMatcher(node.filter.pattern) : undefined;
  const result = showResult(['Variable_name', 'Value'], rows.filter(([n]) => pattern === undefined || pattern.test(n)));
  return node.filter?.kind === 'Where' ? applyShowFilter(ctx, result, node.filter, 'Variable_name') : result;
}

export function executeShowProcesslist(ctx: ExecutionContext, node: ShowProcesslistStmt): StatementResult {
  const rows = processlistEntries(ctx.services).map((p) => [
    String(p.id), p.user, p.host, p.db, p.command, formatDateTime(p.connectedAt), String(p.seconds), p.state,
    p.info === null ? null : node.full ? p.info : p.info.slice(0, 100), 'false',
  ]);
  return showResult(['Id', 'User', 'Host', 'Db', 'Command', 'ConnectionStartTime', 'Time', 'State', 'Info', 'IsPending'], rows);
}

export function executeShowWarnings(_ctx: ExecutionContext, _node: ShowWarningsStmt): StatementResult {
  // Statements either succeed cleanly or fail with an error; none leaves warnings behind.
  return showResult(['Level', 'Code', 'Message'], []);
}

export function executeKill(ctx: ExecutionContext, node: KillStmt): StatementResult {
  const target = ctx.services.sessions.get(node.connectionId);
  if (target === undefined) throw sqlError('ER_NO_SUCH_THREAD', `Unknown thread id: ${node.connectionId}`);
  // Killing another user's connection needs OPERATE on SYSTEM, checked with every statement's privileges
  // (src/sql/privileges/required.ts) before this handler runs.
  ctx.services.sessions.kill(node.connectionId, node.queryOnly);
  return okResult(0);
}

/**
 * `SET [GLOBAL | SESSION] TRANSACTION …`: with a scope it sets @@transaction_isolation / @@transaction_read_only of
 * that scope; without one, the next transaction only (refused inside a transaction, 1568).
 */
function setTransaction(ctx: ExecutionContext, a: Extract<SetAssignment, { kind: 'SetTransaction' }>): void {
  if (a.scope === 'NEXT') {
    ctx.session.transaction.setNext({ ...(a.isolation === undefined ? {} : { isolation: a.isolation }), ...(a.accessMode === undefined ? {} : { accessMode: a.accessMode }) });
    return;
  }
  if (a.isolation === 'SERIALIZABLE') throw serializableNotSupported();
  if (a.isolation !== undefined) ctx.session.variables.set('transaction_isolation', a.isolation.replace(' ', '-'), a.scope);
  if (a.accessMode !== undefined) ctx.session.variables.set('transaction_read_only', a.accessMode === 'READ ONLY' ? 1n : 0n, a.scope);
}
