/** Session and server administration: SET, SHOW VARIABLES / STATUS / PROCESSLIST / WARNINGS, KILL, transactions. */
import type {
  KillStmt, SetStmt, ShowProcesslistStmt, ShowStatusStmt, ShowVariablesStmt, ShowWarningsStmt, TransactionStmt,
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

export function executeSet(ctx: ExecutionContext, node: SetStmt): StatementResult {
  for (const a of node.assignments) {
    switch (a.kind) {
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
        ctx.session.variables.set(a.name, setValue, a.scope === 'GLOBAL' ? 'GLOBAL' : 'SESSION');
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

export function executeTransaction(_ctx: ExecutionContext, _node: TransactionStmt): StatementResult {
  // Every statement commits on its own (StarRocks has no multi-statement transactions for OLAP tables).
  return okResult(0);
}
