/**
 * Handlers of the statement families that live in their own modules (DDL, DML, SELECT, repositories, backup and
 * restore, accounts). Kept apart from executor.ts so each family can be wired without touching the others.
 */
import type { Statement } from '../../../grammar/ast.ts';
import type { ExecutionContext } from '../context.ts';
import type { StatementResult } from '../result.ts';
import { executeDelete } from './delete.ts';
import { executeInsert } from './insert.ts';
import { executeSelectStatement } from './select.ts';
import { executeAlterTable, executeCreateTable, executeDropTable, executeTruncateTable } from './table-ddl.ts';
import { executeAlterView, executeCreateView } from './view-ddl.ts';
import { executeAlterTableKeys, executeLockTables, executeUnlockTables } from './transaction.ts';
import { executeShowMeta } from './show-meta.ts';
import * as account from './account.ts';
import { executeBackup, executeCancelBackup, executeShowBackup } from './backup.ts';
import { executeCancelRestore, executeRestore, executeShowRestore } from './restore.ts';
import {
  executeCreateRepository,
  executeDropRepository,
  executeShowRepositories,
  executeShowSnapshot,
} from './repository.ts';
import { executeDropSnapshot, executeDropSnapshots } from './drop-snapshot.ts';
import { executeAlterRepository } from './alter-repository.ts';
import { executeShowSnapshotDiff } from './snapshot-diff.ts';
import { executeVerifySnapshot } from './verify-snapshot.ts';
import * as schedules from './backup-schedule.ts';
import { executeCancelCopy, executeCopySnapshot, executeShowCopy } from './copy.ts';

type FamilyKind = Exclude<
  Statement['kind'],
  | 'CreateDatabase' | 'DropDatabase' | 'Use' | 'ShowDatabases' | 'ShowCreate' | 'ShowTables' | 'Describe' | 'ShowPartitions'
  | 'ShowTablet' | 'ShowBackends' | 'Set' | 'ShowVariables' | 'ShowStatus' | 'ShowProcesslist' | 'ShowWarnings' | 'Kill'
  | 'Transaction'
>;

export const statementHandlers: { readonly [K in FamilyKind]: (ctx: ExecutionContext, node: Extract<Statement, { kind: K }>) => StatementResult | Promise<StatementResult> } = {
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
  CreateUser: account.executeCreateUser,
  DropUser: account.executeDropUser,
  AlterUser: account.executeAlterUser,
  SetPassword: account.executeSetPassword,
  CreateRole: account.executeCreateRole,
  DropRole: account.executeDropRole,
  GrantPrivilege: account.executeGrantPrivilege,
  RevokePrivilege: account.executeRevokePrivilege,
  GrantRole: account.executeGrantRole,
  RevokeRole: account.executeRevokeRole,
  ShowGrants: account.executeShowGrants,
  ShowUsers: account.executeShowUsers,
  ShowRoles: account.executeShowRoles,
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
