/** CST `statement` → Statement: looks through the CREATE / DROP / ALTER / SHOW dispatchers to the body rule. */
import { withSourceText } from './source-text.ts';
import type { CstNode } from 'chevrotain';
import type { Statement } from '../ast.ts';
import { onlyChild } from '../cst.ts';
import * as account from './account.ts';
import * as br from './backup-restore.ts';
import * as bs from './backup-schedule.ts';
import * as ddl from './ddl.ts';
import * as dml from './dml.ts';
import { selectStatement } from './select.ts';
import * as session from './session.ts';
import * as show from './show.ts';
import * as prepared from './prepared.ts';
import { showMeta } from './show-meta.ts';
import * as txn from './transaction.ts';

type Builder = (node: CstNode, text: string) => Statement;

const DISPATCHERS: ReadonlySet<string> = new Set(['createStatement', 'dropStatement', 'alterStatement', 'showStatement']);

const BUILDERS: Readonly<Record<string, Builder>> = {
  selectStatement,
  createDatabaseBody: ddl.createDatabase,
  dropDatabaseBody: ddl.dropDatabase,
  useStatement: ddl.use,
  createTableBody: ddl.createTable,
  dropTableBody: ddl.dropTable,
  truncateStatement: ddl.truncateTable,
  alterTableBody: ddl.alterTable,
  createViewBody: ddl.createView,
  alterViewBody: ddl.alterView,
  dropViewBody: ddl.dropView,
  insertStatement: dml.insert,
  deleteStatement: dml.deleteFrom,
  updateStatement: dml.update,
  showAlterTableBody: ddl.showAlterTable,
  showDatabasesBody: show.showDatabases,
  showTablesBody: show.showTables,
  showCreateBody: show.showCreate,
  showColumnsBody: show.showColumns,
  describeStatement: show.describe,
  showPartitionsBody: show.showPartitions,
  showTabletBody: show.showTablet,
  showBackendsBody: () => ({ kind: 'ShowBackends' }),
  backupStatement: br.backup,
  restoreStatement: br.restore,
  showBackupBody: br.showBackup,
  showRestoreBody: br.showRestore,
  showSnapshotBody: br.showSnapshot,
  cancelStatement: br.cancel,
  createRepositoryBody: br.createRepository,
  dropRepositoryBody: br.dropRepository,
  showRepositoriesBody: () => ({ kind: 'ShowRepositories' }),
  dropSnapshotBody: br.dropSnapshot,
  alterRepositoryBody: br.alterRepository,
  showSnapshotDiffBody: br.showSnapshotDiff,
  verifyStatement: br.verifySnapshot,
  showVerifyBody: br.showVerify,
  cancelVerifyStatement: br.cancelVerify,
  createUserBody: account.createUser,
  dropUserBody: account.dropUser,
  alterUserBody: account.alterUser,
  setPasswordBody: account.setPassword,
  createRoleBody: account.createRole,
  dropRoleBody: account.dropRole,
  grantStatement: account.grant,
  revokeStatement: account.revoke,
  showGrantsBody: account.showGrants,
  showUsersBody: () => ({ kind: 'ShowUsers' }),
  showRolesBody: () => ({ kind: 'ShowRoles' }),
  setStatement: (node) => {
    const password = node.children['setPasswordBody']?.[0];
    if (password === undefined || !('name' in password)) return session.set(node);
    const assignments = session.setAssignments(node);
    const statement = account.setPassword(password);
    return assignments.length === 0 ? statement : { ...statement, assignments };
  },
  showVariablesBody: session.showVariables,
  showStatusBody: session.showStatus,
  showProcesslistBody: session.showProcesslist,
  showWarningsBody: session.showWarnings,
  killStatement: session.kill,
  prepareStatement: prepared.prepare,
  executeStatement: prepared.execute,
  deallocateStatement: prepared.deallocate,
  dropPrepareBody: prepared.deallocate,
  flushStatement: prepared.flush,
  shutdownStatement: () => ({ kind: 'Shutdown' }),
  transactionStatement: txn.transaction,
  lockTablesStatement: txn.lockTables,
  unlockTablesStatement: () => ({ kind: 'UnlockTables' }),
  showMetaBody: showMeta,
  alterTableKeysBody: txn.alterTableKeys,
  createBackupScheduleBody: bs.createBackupSchedule,
  alterBackupScheduleBody: bs.alterBackupSchedule,
  dropBackupScheduleBody: bs.dropBackupSchedule,
  scheduleStateStatement: bs.scheduleState,
  executeScheduleStatement: bs.executeSchedule,
  showBackupSchedulesBody: bs.showBackupSchedules,
  showCreateBackupScheduleBody: bs.showCreateBackupSchedule,
  copySnapshotStatement: bs.copySnapshot,
  showCopyBody: bs.showCopy,
  cancelCopyStatement: bs.cancelCopy,
};

/** Build the AST of one parsed `statement` node. `text` is the whole source (for CREATE VIEW's queryText). */
export function statementFromCst(node: CstNode, text: string): Statement {
  let target = onlyChild(node);
  if (DISPATCHERS.has(target.name)) target = onlyChild(target);
  const build = BUILDERS[target.name];
  if (build === undefined) throw new Error(`grammar/visitor mismatch: no builder for '${target.name}'`);
  return withSourceText(text, () => build(target, text));
}
