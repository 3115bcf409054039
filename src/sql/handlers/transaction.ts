/**
 * BEGIN / START TRANSACTION, COMMIT, ROLLBACK, savepoints, LOCK TABLES and UNLOCK TABLES (the semantics live in
 * src/sql/transaction/session-transaction.ts; these handlers only read the statement and answer), and MySQL's
 * ALTER TABLE … DISABLE | ENABLE KEYS.
 */
import type { AlterTableKeysStmt, LockTablesStmt, TransactionStmt, UnlockTablesStmt } from '../../../grammar/ast.ts';
import type { ExecutionContext } from '../context.ts';
import { requireOlapTable, requireTable } from '../names.ts';
import { okResult, type StatementResult } from '../result.ts';
import { releaseNotSupported } from '../transaction/errors.ts';

export async function executeTransaction(ctx: ExecutionContext, node: TransactionStmt): Promise<StatementResult> {
  const txn = ctx.session.transaction;
  switch (node.action) {
    case 'BEGIN':
      await txn.begin(ctx, { explicit: true, consistentSnapshot: node.consistentSnapshot === true, ...(node.accessMode === undefined ? {} : { accessMode: node.accessMode }) });
      return okResult(0);
    case 'COMMIT':
    case 'ROLLBACK': {
      if (node.release === true) throw releaseNotSupported();
      const characteristics = txn.characteristics();
      let message: string | undefined;
      if (node.action === 'COMMIT') {
        const committed = await txn.commit(ctx);
        // StarRocks answers a COMMIT that published loads with the transaction's state.
        if (committed !== undefined && committed.results.length > 0) message = `{'txnId':'${committed.id}', 'status':'VISIBLE'}`;
      } else {
        await txn.rollback();
      }
      if (node.chain === true) {
        if (characteristics !== undefined) txn.setNext(characteristics);
        await txn.begin(ctx, { explicit: true });
      }
      return okResult(0, message);
    }
    case 'SAVEPOINT':
      await txn.savepoint(ctx, node.savepoint as string);
      return okResult(0);
    case 'ROLLBACK_TO_SAVEPOINT':
      await txn.rollbackToSavepoint(node.savepoint as string);
      return okResult(0);
    case 'RELEASE_SAVEPOINT':
      txn.releaseSavepoint(node.savepoint as string);
      return okResult(0);
  }
}

export async function executeLockTables(ctx: ExecutionContext, node: LockTablesStmt): Promise<StatementResult> {
  const tables = node.tables.map((item) => ({ table: requireTable(ctx, item.table).table, item }));
  await ctx.session.transaction.lockTables(ctx, tables);
  return okResult(0);
}

export async function executeUnlockTables(ctx: ExecutionContext, _node: UnlockTablesStmt): Promise<StatementResult> {
  await ctx.session.transaction.unlockTables(ctx);
  return okResult(0);
}

/**
 * `ALTER TABLE t DISABLE | ENABLE KEYS`: MySQL suspends non-unique index maintenance during a bulk load. Here the
 * key is the sort order every segment file is written in, not an index maintained row by row, so there is nothing to
 * suspend: the table is checked (it must exist and be a table) and the statement succeeds, as InnoDB's does.
 */
export function executeAlterTableKeys(ctx: ExecutionContext, node: AlterTableKeysStmt): StatementResult {
  requireOlapTable(ctx, node.table);
  return okResult(0);
}
