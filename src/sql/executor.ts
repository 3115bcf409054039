/**
 * Statement → handler. One exhaustive visitor (the compiler rejects a statement kind without a handler), each
 * handler a plain function in ./handlers grouped by statement family.
 */
import type { Statement, StatementVisitor } from '../../grammar/ast.ts';
import { visitStatement } from '../../grammar/ast.ts';
import type { ExecutionContext } from './context.ts';
import type { StatementResult } from './result.ts';
import * as database from './handlers/database.ts';
import * as session from './handlers/session.ts';
import * as show from './handlers/show-table.ts';
import { statementHandlers as extra } from './handlers/registry.ts';
import { authorizeStatement } from './privileges/check.ts';
import { beforeStatement } from './transaction/statement-gate.ts';
import * as transaction from './handlers/transaction.ts';

type Handler = (ctx: ExecutionContext, node: never) => StatementResult | Promise<StatementResult>;

export function executeStatement(ctx: ExecutionContext, statement: Statement): Promise<StatementResult> {
  // Privileges first (StarRocks' Authorizer): a denied statement never reaches its handler.
  try {
    authorizeStatement(ctx, statement);
  } catch (error) {
    return Promise.reject(error);
  }
  const bound = Object.fromEntries(
    Object.entries(HANDLERS).map(([kind, handler]) => [kind, (node: never) => (handler as Handler)(ctx, node)]),
  ) as unknown as StatementVisitor<StatementResult | Promise<StatementResult>>;
  // A statement a transaction cannot hold is refused (explicit) or commits it first (autocommit=0).
  return beforeStatement(ctx, statement).then(() => visitStatement(bound, statement));
}

/** Every statement kind and the function that executes it. */
const HANDLERS: { readonly [K in Statement['kind']]: (ctx: ExecutionContext, node: Extract<Statement, { kind: K }>) => StatementResult | Promise<StatementResult> } = {
  CreateDatabase: database.executeCreateDatabase,
  DropDatabase: database.executeDropDatabase,
  Use: database.executeUse,
  ShowDatabases: database.executeShowDatabases,
  ShowCreate: (ctx, node) => (node.object === 'DATABASE' ? database.executeShowCreateDatabase(ctx, node) : show.executeShowCreateTable(ctx, node)),
  ShowTables: show.executeShowTables,
  Describe: show.executeDescribe,
  ShowPartitions: show.executeShowPartitions,
  ShowTablet: show.executeShowTablet,
  ShowBackends: show.executeShowBackends,
  Set: session.executeSet,
  ShowVariables: session.executeShowVariables,
  ShowStatus: session.executeShowStatus,
  ShowProcesslist: session.executeShowProcesslist,
  ShowWarnings: session.executeShowWarnings,
  Kill: session.executeKill,
  Transaction: transaction.executeTransaction,
  ...extra,
};
