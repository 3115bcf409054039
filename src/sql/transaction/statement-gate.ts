/**
 * What each statement kind is to a transaction, checked before every statement runs (executor.ts):
 *
 * - control: BEGIN, COMMIT, LOCK TABLES … — their handlers do the work;
 * - neutral: SET, SHOW, DESC, USE, KILL — allowed anywhere, no effect on the transaction;
 * - read / load: SELECT (and UNION …) and INSERT (not OVERWRITE) — part of the transaction (SessionTransaction opens one under
 *   autocommit=0 when they touch a table);
 * - rewrite / other: INSERT OVERWRITE, DELETE, TRUNCATE (rewrites a transaction cannot hold) and DDL / accounts /
 *   BACKUP … — refused inside an explicit transaction (StarRocks 5305); under autocommit=0 they first commit the
 *   open transaction (MySQL's implicit commit) and then run on their own.
 *
 * Exhaustive on purpose: a new statement kind does not compile until someone decides what it is here.
 */
import type { Statement, StatementKind } from '../../../grammar/ast.ts';
import type { ExecutionContext } from '../context.ts';
import { notInTransaction } from './errors.ts';

type StatementClass = 'control' | 'neutral' | 'read' | 'load' | 'rewrite' | 'other';

const CLASSES: { readonly [K in StatementKind]: StatementClass | ((s: Extract<Statement, { kind: K }>) => StatementClass) } = {
  Select: 'read',
  SetOperation: 'read',
  Insert: (s) => (s.overwrite ? 'rewrite' : 'load'),
  Delete: 'rewrite',
  Update: 'rewrite',
  TruncateTable: 'rewrite',
  CreateDatabase: 'other',
  DropDatabase: 'other',
  CreateTable: 'other',
  DropTable: 'other',
  AlterTable: 'other',
  AlterTableKeys: 'other',
  CreateView: 'other',
  DropView: 'other',
  AlterView: 'other',
  Backup: 'other',
  Restore: 'other',
  CancelBackup: 'other',
  CancelRestore: 'other',
  CreateRepository: 'other',
  DropRepository: 'other',
  DropSnapshot: 'other',
  DropSnapshots: 'other',
  AlterRepository: 'other',
  // Reads the repository only, but runs for as long as it reads every file: not part of a transaction.
  VerifySnapshot: 'other',
  CancelVerify: 'other',
  ShowVerify: 'neutral',
  CreateBackupSchedule: 'other',
  AlterBackupSchedule: 'other',
  DropBackupSchedule: 'other',
  SetBackupScheduleState: 'other',
  ExecuteBackupSchedule: 'other',
  CopySnapshot: 'other',
  CancelCopy: 'other',
  ShowBackupSchedules: 'neutral',
  ShowCreateBackupSchedule: 'neutral',
  ShowCopy: 'neutral',
  CreateUser: 'other',
  DropUser: 'other',
  AlterUser: 'other',
  SetPassword: 'other',
  CreateRole: 'other',
  DropRole: 'other',
  GrantPrivilege: 'other',
  RevokePrivilege: 'other',
  GrantRole: 'other',
  RevokeRole: 'other',
  Use: 'neutral',
  ShowDatabases: 'neutral',
  ShowTables: 'neutral',
  ShowCreate: 'neutral',
  Describe: 'neutral',
  ShowPartitions: 'neutral',
  ShowTablet: 'neutral',
  ShowBackends: 'neutral',
  ShowBackup: 'neutral',
  ShowRestore: 'neutral',
  ShowSnapshot: 'neutral',
  ShowSnapshotDiff: 'neutral',
  ShowRepositories: 'neutral',
  ShowGrants: 'neutral',
  ShowUsers: 'neutral',
  ShowRoles: 'neutral',
  ShowVariables: 'neutral',
  ShowStatus: 'neutral',
  ShowProcesslist: 'neutral',
  ShowWarnings: 'neutral',
  ShowMeta: 'neutral',
  ShowAlterTable: 'neutral',
  Set: 'neutral',
  Kill: 'neutral',
  Transaction: 'control',
  LockTables: 'control',
  UnlockTables: 'control',
  // Prepared statements: PREPARE and DEALLOCATE touch no table; EXECUTE runs its bound statement through
  // executeStatement, where that statement's own class decides.
  Prepare: 'neutral',
  ExecutePrepared: 'neutral',
  DeallocatePrepare: 'neutral',
  // FLUSH commits implicitly in MySQL, as DDL does.
  Flush: 'other',
  // SHUTDOWN only asks the server to stop; closing the connections rolls their transactions back.
  Shutdown: 'neutral',
};

function classOf(statement: Statement): StatementClass {
  const c = CLASSES[statement.kind] as StatementClass | ((s: Statement) => StatementClass);
  return typeof c === 'function' ? c(statement) : c;
}

/** `CreateTable` → `CREATE TABLE`, for messages. */
function statementName(statement: Statement): string {
  if (statement.kind === 'Insert' && statement.overwrite) return 'INSERT OVERWRITE';
  return statement.kind.replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
}

/** Refuse, or implicitly commit before, a statement a transaction cannot hold (see the module comment). */
export async function beforeStatement(ctx: ExecutionContext, statement: Statement): Promise<void> {
  const cls = classOf(statement);
  if (cls !== 'rewrite' && cls !== 'other') return;
  const txn = ctx.session.transaction;
  if (!txn.inTransaction) return;
  if (txn.explicit) throw notInTransaction(statementName(statement));
  await txn.commit(ctx);
}
