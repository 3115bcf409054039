/**
 * Users, roles and privileges (StarRocks 3.x RBAC over MySQL accounts). What other layers call:
 * - the executor: authorizeStatement(ctx, statement) before every handler;
 * - backup/restore handlers: canSee(ctx, db, tables) to filter SHOW BACKUP, checkPrivileges(ctx,
 *   backupRequirements(db, tables)) for CANCEL BACKUP's job tables;
 * - the engine/server: AccessControl.authenticate for mysql_native_password logins.
 */
export { AccessControl, type ResolvedAccount } from './access-control.ts';
export {
  accessDenied, authorizeStatement, canSee, canSeeDatabase, canSeeTable, checkPrivileges, databaseAccessDenied, holds, sessionAccount,
} from './check.ts';
export { hostMatches, isLoopbackAddress } from './host-match.ts';
export {
  BUILTIN_ROLES, DEFAULT_CATALOG, OBJECT_PRIVILEGES, need,
  type PrivilegeRequirement, type PrivilegeTarget, type RequiredPrivilege,
} from './model.ts';
export { backupRequirements, requiredPrivileges } from './required.ts';
