/**
 * Handlers of the statement families that live in their own modules (DDL, DML, SELECT, repositories, backup and
 * restore, accounts). Kept apart from executor.ts so each family can be wired without touching the others.
 */
import type { Statement } from '../../../grammar/ast.ts';
import type { ExecutionContext } from '../context.ts';
import type { HandlerResult } from '../row-stream.ts';
import { executeDelete } from './delete.ts';
import { executeInsert } from './insert.ts';
import { executeSelectStatement } from './select.ts';
import { executeAlterTable } from './alter-table.ts';
import { executeCreateTable, executeDropTable, executeTruncateTable } from './table-ddl.ts';
import { executeShowAlterTable } from './show-alter.ts';
import { executeUpdate } from './update.ts';
import { executeAlterView, executeCreateView } from './view-ddl.ts';
import { executeAlterTableKeys, executeLockTables, executeUnlockTables } from './transaction.ts';
import { executeShowMeta } from './show-meta.ts';
import * as account from './account.ts';
import { executeBackup, executeCancelBackup, executeShowBackup } from './backup.ts';
import { executeCancelRestore, executeRestore, executeShowRestore } from './restore.ts';
import { executeFlush, executeSetPasswordStatement, executeShutdown } from './admin.ts';
import { executeDeallocatePrepare, executeExecutePrepared, executePrepare } from './prepared.ts';
import {
  executeCreateRepository,
  executeDropRepository,
  executeShowRepositories,
  executeShowSnapshot,
} from './repository.ts';
import { executeDropSnapshot, executeDropSnapshots } from './drop-snapshot.ts';
import { executeAlterRepository } from './alter-repository.ts';
import { executeShowSnapshotDiff } from './snapshot-diff.ts';
import { executeCancelVerify, executeShowVerify, executeVerifySnapshot } from './verify-snapshot.ts';
import * as schedules from './backup-schedule.ts';
import { executeCancelCopy, executeCopySnapshot, executeShowCopy } from './copy.ts';

type FamilyKind = Exclude<
  Statement['kind'],
  | 'CreateDatabase' | 'DropDatabase' | 'Use' | 'ShowDatabases' | 'ShowCreate' | 'ShowTables' | 'Describe' | 'ShowPartitions'
  | 'ShowTablet' | 'ShowBackends' | 'Set' | 'ShowVariables' | 'ShowStatus' | 'ShowProcesslist' | 'ShowWarnings' | 'Kill'
  | 'Transaction'
>;

export const statementHandlers: { readonly [K in FamilyKind]: (ctx: ExecutionContext, node: Extract<Statement, { kind: K }>) => HandlerResult | Promise<HandlerResult> } = {
  Select: executeSelectStatement,
  SetOperation: executeSelectStatement,
  CreateTable: executeCreateTable,
  DropTable: executeDropTable,
  TruncateTable: executeTruncateTable,
  AlterTable: executeAlterTable,
  CreateView: executeCreateView,
  AlterView: executeAlterView,
  DropView: executeDropTable,
  Insert: executeInsert,
  Delete: executeDelete,
  Update: executeUpdate,
  ShowAlterTable: executeShowAlterTable,
  Backup: executeBackup,
  Restore: executeRestore,
  ShowBackup: executeShowBackup,
  ShowRestore: executeShowRestore,
  ShowSnapshot: executeShowSnapshot,
  CancelBackup: executeCancelBackup,
  CancelRestore: executeCancelRestore,
  CreateRepository: executeCreateRepository,
  DropRepository: executeDropRepository,
  ShowRepositories: executeShowRepositories,
  DropSnapshot: executeDropSnapshot,
  DropSnapshots: executeDropSnapshots,
  AlterRepository: executeAlterRepository,
  ShowSnapshotDiff: executeShowSnapshotDiff,
  VerifySnapshot: executeVerifySnapshot,
  ShowVerify: executeShowVerify,
  CancelVerify: executeCancelVerify,
  CreateUser: account.executeCreateUser,
  DropUser: account.executeDropUser,
  AlterUser: account.executeAlterUser,
  SetPassword: executeSetPasswordStatement,
  CreateRole: account.executeCreateRole,
  DropRole: account.executeDropRole,
  GrantPrivilege: account.executeGrantPrivilege,
  RevokePrivilege: account.executeRevokePrivilege,
  GrantRole: account.executeGrantRole,
  RevokeRole: account.executeRevokeRole,
  ShowGrants: account.executeShowGrants,
  ShowUsers: account.executeShowUsers,
  ShowRoles: account.executeShowRoles,
  Prepare: executePrepare,
  ExecutePrepared: executeExecutePrepared,
  DeallocatePrepare: executeDeallocatePrepare,
  Flush: executeFlush,
  Shutdown: executeShutdown,
  CreateBackupSchedule: schedules.executeCreateBackupSchedule,
  AlterBackupSchedule: schedules.executeAlterBackupSchedule,
  DropBackupSchedule: schedules.executeDropBackupSchedule,
  SetBackupScheduleState: schedules.executeSetBackupScheduleState,
  ExecuteBackupSchedule: schedules.executeExecuteBackupSchedule,
  ShowBackupSchedules: schedules.executeShowBackupSchedules,
  ShowCreateBackupSchedule: schedules.executeShowCreateBackupSchedule,
  CopySnapshot: executeCopySnapshot,
  ShowCopy: executeShowCopy,
  CancelCopy: executeCancelCopy,
  LockTables: executeLockTables,
  UnlockTables: executeUnlockTables,
  ShowMeta: executeShowMeta,
  AlterTableKeys: executeAlterTableKeys,
};
