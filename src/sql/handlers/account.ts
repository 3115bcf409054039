/**
 * Account statements: CREATE/DROP/ALTER USER, SET PASSWORD, CREATE/DROP ROLE, GRANT/REVOKE (privileges and
 * roles), SHOW GRANTS/USERS/ROLES. Who may run them is decided before they get here (privileges/required.ts);
 * these handlers check that the objects make sense, write the catalog, and refresh the in-memory copy.
 * Passwords arrive in clear text only inside the statement and leave as MySQL's double SHA1.
 */
import type {
  AlterUserStmt, CreateRoleStmt, CreateUserStmt, DropRoleStmt, DropUserStmt, Grantee, GrantPrivilegeStmt, GrantRoleStmt,
  PasswordSpec, RevokePrivilegeStmt, RevokeRoleStmt, SetPasswordStmt, ShowGrantsStmt, UserIdentity,
} from '../../../grammar/ast.ts';
import { getDatabase, getTable } from '../../catalog/index.ts';
import {
  deleteGrants, deleteRole, deleteRoleMembers, deleteUser, insertGrants, insertRole, insertRoleMembers, insertUser,
  updateUserPassword, type GrantRow, type PrincipalRef,
} from '../../catalog/users.ts';
import { analysisError, SqlError, sqlError } from '../../errors/index.ts';
import { nativePasswordHash } from '../../util/native-password.ts';
import type { ExecutionContext } from '../context.ts';
import { databaseName, unknownDatabase, unknownTable } from '../names.ts';
import { blankPasswordError, isBlankPassword } from '../privileges/blank-password.ts';
import { sessionAccount } from '../privileges/check.ts';
import { expandPrivileges, grantObjectOf, grantStatements, type GrantObject } from '../privileges/grant-objects.ts';
import { BUILTIN_ROLE_SYSTEM_PRIVILEGES, BUILTIN_ROLES, DEFAULT_CATALOG, SUPERUSER_ROLES } from '../privileges/model.ts';
import { okResult, showResult, type StatementResult } from '../result.ts';

const quoteIdentity = (u: UserIdentity): string => `'${u.user}'@'${u.host}'`;

function cannotUser(operation: string, who: string, why?: string): SqlError {
  return sqlError('ER_CANNOT_USER', `Operation ${operation} failed for ${who}${why === undefined ? '' : `: ${why}`}`);
}

/**
 * `IDENTIFIED BY 'p'` → hash; `IDENTIFIED BY PASSWORD '*HEX'` → checked as is; absent → empty. A password of only
 * whitespace is refused: it would pass for a password while protecting nothing (privileges/blank-password.ts).
 */
function passwordHash(spec: PasswordSpec | undefined): string {
  if (spec === undefined) return '';
  if (spec.kind === 'PlainPassword') {
    if (spec.password !== '' && isBlankPassword(spec.password)) throw blankPasswordError();
    return nativePasswordHash(spec.password);
  }
  if (spec.hash === '') return '';
  if (!/^\*[0-9A-Fa-f]{40}$/.test(spec.hash)) {
    // MySQL ER_PASSWD_LENGTH; StarRocks words it the same way.
    throw new SqlError(1372, 'HY000', "Password hash should be a 41-digit hexadecimal number: '*' followed by 40 hex digits, as PASSWORD('…') returns");
  }
  return spec.hash.toUpperCase();
}

function changed(ctx: ExecutionContext): void {
  ctx.services.access.invalidate();
}

function requireRole(ctx: ExecutionContext, role: string): void {
  if (!ctx.services.access.roleExists(role)) throw analysisError(`Role ${role} doesn't exist. Create it with CREATE ROLE ${role}`);
}

/** The principal a GRANT/REVOKE/SHOW GRANTS names; it must exist. */
function principalOf(ctx: ExecutionContext, grantee: Grantee): PrincipalRef {
  if (grantee.kind === 'RoleGrantee') {
    requireRole(ctx, grantee.role);
    return { type: 'ROLE', name: grantee.role, host: '' };
  }
  const { user, host } = grantee.user;
  if (ctx.services.access.findAccount(user, host) === undefined) {
    throw analysisError(`Cannot find user ${quoteIdentity(grantee.user)}. Create it first with CREATE USER`);
  }
  return { type: 'USER', name: user, host };
}

const principalText = (p: PrincipalRef): string => (p.type === 'ROLE' ? `ROLE '${p.name}'` : `USER '${p.name}'@'${p.host}'`);

/** Whether the session acts as the built-in `'root'@'%'` (only root may hand out root / cluster_admin). */
function isRootUser(ctx: ExecutionContext): boolean {
  const me = sessionAccount(ctx);
  return me !== undefined && me.account.user === 'root' && me.account.host === '%';
}

export function executeCreateUser(ctx: ExecutionContext, s: CreateUserStmt): StatementResult {
  if (s.user.user === '') throw analysisError('User name must not be empty');
  const hash = passwordHash(s.password);
  for (const role of s.defaultRoles) requireRole(ctx, role);
  const catalog = ctx.services.catalog;
  const created = catalog.transaction(() => {
    if (!insertUser(catalog, s.user.user, s.user.host, hash, ctx.services.clock.now())) return false;
    const roles = s.defaultRoles.filter((r) => r !== 'public');
    if (roles.length > 0) insertRoleMembers(catalog, { type: 'USER', name: s.user.user, host: s.user.host }, roles);
    return true;
  });
  if (!created) {
    if (s.ifNotExists) return okResult(0);
    throw cannotUser('CREATE USER', quoteIdentity(s.user));
  }
  changed(ctx);
  return okResult(0);
}

export function executeDropUser(ctx: ExecutionContext, s: DropUserStmt): StatementResult {
  if (s.user.user === 'root' && s.user.host === '%') throw cannotUser('DROP USER', quoteIdentity(s.user), 'root cannot be dropped');
  if (!deleteUser(ctx.services.catalog, s.user.user, s.user.host)) {
    if (s.ifExists) return okResult(0);
    throw cannotUser('DROP USER', quoteIdentity(s.user));
  }
  changed(ctx);
  return okResult(0);
}

export function executeAlterUser(ctx: ExecutionContext, s: AlterUserStmt): StatementResult {
  if (ctx.services.access.findAccount(s.user.user, s.user.host) === undefined) {
    if (s.ifExists) return okResult(0);
    throw cannotUser('ALTER USER', quoteIdentity(s.user));
  }
  if (s.password === undefined) return okResult(0);
  setPassword(ctx, s.user, s.password);
  return okResult(0);
}

export function executeSetPassword(ctx: ExecutionContext, s: SetPasswordStmt): StatementResult {
  const me = sessionAccount(ctx);
  const target = s.user ?? (me === undefined ? undefined : { user: me.account.user, host: me.account.host });
  if (target === undefined || ctx.services.access.findAccount(target.user, target.host) === undefined) {
    throw sqlError('ER_PASSWORD_NO_MATCH', "Can't find any matching row in the user table");
  }
  setPassword(ctx, target, s.password);
  return okResult(0);
}

function setPassword(ctx: ExecutionContext, user: UserIdentity, password: PasswordSpec): void {
  if (user.user === 'root' && user.host === '%' && !isRootUser(ctx)) {
    throw analysisError('Can not set password for root user, except root itself');
  }
  updateUserPassword(ctx.services.catalog, user.user, user.host, passwordHash(password));
  changed(ctx);
}

export function executeCreateRole(ctx: ExecutionContext, s: CreateRoleStmt): StatementResult {
  if (!insertRole(ctx.services.catalog, s.name, ctx.services.clock.now())) {
    if (s.ifNotExists) return okResult(0);
    throw cannotUser('CREATE ROLE', `'${s.name}'`, 'the role already exists');
  }
  changed(ctx);
  return okResult(0);
}

export function executeDropRole(ctx: ExecutionContext, s: DropRoleStmt): StatementResult {
  if (BUILTIN_ROLES.includes(s.name)) throw cannotUser('DROP ROLE', `'${s.name}'`, 'built-in roles cannot be dropped');
  if (!deleteRole(ctx.services.catalog, s.name)) {
    if (s.ifExists) return okResult(0);
    throw cannotUser('DROP ROLE', `'${s.name}'`, 'the role does not exist');
  }
  changed(ctx);
  return okResult(0);
}

/** The stored object of a GRANT/REVOKE, checked to exist (a typo should fail, not grant on nothing). */
function checkedObject(ctx: ExecutionContext, object: GrantPrivilegeStmt['object']): GrantObject {
  const stored = grantObjectOf(object, () => databaseName(ctx, undefined));
  const catalog = ctx.services.catalog;
  if (stored.objectType === 'CATALOG' && stored.name !== '*' && stored.name !== DEFAULT_CATALOG) {
    throw sqlError('ER_BAD_DB_ERROR', `Unknown catalog '${stored.name}': the only catalog is ${DEFAULT_CATALOG}`);
  }
  if ((stored.objectType === 'DATABASE' || stored.objectType === 'TABLE' || stored.objectType === 'VIEW') && stored.db !== '*') {
    const db = getDatabase(catalog, stored.db);
    if (db === undefined) throw unknownDatabase(stored.db);
    if (stored.objectType !== 'DATABASE' && stored.name !== '*') {
      const table = getTable(catalog, { dbId: db.id, name: stored.name });
      if (table === undefined) throw unknownTable(stored.db, stored.name);
      if (stored.objectType === 'VIEW' && table.kind !== 'VIEW') throw sqlError('ER_WRONG_OBJECT', `'${stored.db}.${stored.name}' is not VIEW`);
    }
  }
  return stored;
}

function grantRows(ctx: ExecutionContext, s: GrantPrivilegeStmt | RevokePrivilegeStmt): GrantRow[] {
  const object = checkedObject(ctx, s.object);
  const privileges = expandPrivileges(s.privileges, object.objectType);
  const grantee = principalOf(ctx, s.grantee);
  const option = s.kind === 'GrantPrivilege' && s.withGrantOption;
  return privileges.map((privilege) => ({ grantee, privilege, ...object, withGrantOption: option }));
}

export function executeGrantPrivilege(ctx: ExecutionContext, s: GrantPrivilegeStmt): StatementResult {
  insertGrants(ctx.services.catalog, grantRows(ctx, s));
  changed(ctx);
  return okResult(0);
}

export function executeRevokePrivilege(ctx: ExecutionContext, s: RevokePrivilegeStmt): StatementResult {
  deleteGrants(ctx.services.catalog, grantRows(ctx, s));
  changed(ctx);
  return okResult(0);
}

function checkRoleChange(ctx: ExecutionContext, roles: readonly string[], grantee: PrincipalRef, revoke: boolean): void {
  for (const role of roles) {
    requireRole(ctx, role);
    if (role === 'public') throw analysisError('Every user holds the public role implicitly; it cannot be granted or revoked');
    if ((role === 'root' || role === 'cluster_admin') && !isRootUser(ctx)) {
      throw analysisError('Can not grant root or cluster_admin role except root user');
    }
    if (revoke && role === 'root' && grantee.type === 'USER' && grantee.name === 'root' && grantee.host === '%') {
      throw analysisError('Can not revoke root role from root user');
    }
    if (!revoke && grantee.type === 'ROLE') {
      // Role inheritance must stay acyclic: the grantee may not already be inherited by the granted role.
      if (role === grantee.name || ctx.services.access.effectiveRoles({ type: 'ROLE', name: role, host: '' }).has(grantee.name)) {
        throw analysisError(`Granting role ${role} to role ${grantee.name} would make a role inheritance cycle`);
      }
    }
  }
}

export function executeGrantRole(ctx: ExecutionContext, s: GrantRoleStmt): StatementResult {
  const grantee = principalOf(ctx, s.grantee);
  checkRoleChange(ctx, s.roles, grantee, false);
  insertRoleMembers(ctx.services.catalog, grantee, s.roles);
  changed(ctx);
  return okResult(0);
}

export function executeRevokeRole(ctx: ExecutionContext, s: RevokeRoleStmt): StatementResult {
  const grantee = principalOf(ctx, s.grantee);
  checkRoleChange(ctx, s.roles, grantee, true);
  deleteRoleMembers(ctx.services.catalog, grantee, s.roles);
  changed(ctx);
  return okResult(0);
}

/** What a built-in role carries, as statements (its powers are in code, not in grant rows). */
function builtinRoleGrants(role: string): string[] {
  if (SUPERUSER_ROLES.has(role)) {
    return ['SYSTEM', 'ALL CATALOGS', 'ALL DATABASES', 'ALL TABLES IN ALL DATABASES', 'ALL VIEWS IN ALL DATABASES']
      .map((o) => `GRANT ALL ON ${o} TO ROLE '${role}'`);
  }
  const system = BUILTIN_ROLE_SYSTEM_PRIVILEGES[role];
  return system === undefined ? [] : [`GRANT ${system.join(', ')} ON SYSTEM TO ROLE '${role}'`];
}

/**
 * SHOW GRANTS [FOR u | FOR ROLE r] in StarRocks 3.x's shape: columns `UserIdentity` (or `RoleName`), `Catalog`,
 * `Grants`; role grants and SYSTEM privileges have Catalog NULL, object privileges `default_catalog`.
 */
export function executeShowGrants(ctx: ExecutionContext, s: ShowGrantsStmt): StatementResult {
  let principal: PrincipalRef;
  if (s.grantee === undefined) {
    const me = sessionAccount(ctx);
    if (me === undefined) throw analysisError(`No account matches '${ctx.session.user}'@'${ctx.session.host}'`);
    principal = { type: 'USER', name: me.account.user, host: me.account.host };
  } else principal = principalOf(ctx, s.grantee);
  const access = ctx.services.access;
  const who = principal.type === 'ROLE' ? principal.name : `'${principal.name}'@'${principal.host}'`;
  const rows: (string | null)[][] = [];
  const roles = access.rolesOf(principal);
  if (roles.length > 0) rows.push([who, null, `GRANT ${roles.map((r) => `'${r}'`).join(', ')} TO ${principalText(principal)}`]);
  if (principal.type === 'ROLE') for (const g of builtinRoleGrants(principal.name)) rows.push([who, g.includes(' ON SYSTEM ') ? null : DEFAULT_CATALOG, g]);
  const grants = access.grantsOf(principal);
  const system = grants.filter((g) => g.objectType === 'SYSTEM');
  const objects = grants.filter((g) => g.objectType !== 'SYSTEM');
  for (const g of grantStatements(system, principalText(principal))) rows.push([who, null, g]);
  for (const g of grantStatements(objects, principalText(principal))) rows.push([who, DEFAULT_CATALOG, g]);
  return showResult([principal.type === 'ROLE' ? 'RoleName' : 'UserIdentity', 'Catalog', 'Grants'], rows);
}

/** SHOW USERS: one row per account, `'user'@'host'`. */
export function executeShowUsers(ctx: ExecutionContext): StatementResult {
  return showResult(['User'], ctx.services.access.snapshot().users.map((u) => [`'${u.user}'@'${u.host}'`]));
}

/** SHOW ROLES: `Name`, `Builtin`, `Comment` (StarRocks 3.x). */
export function executeShowRoles(ctx: ExecutionContext): StatementResult {
  const comments: { readonly [role: string]: string } = {
    root: 'root role with all privileges',
    db_admin: 'database administrator: every privilege on every object (tablevault: everything)',
    user_admin: 'user administrator: GRANT on SYSTEM (users, roles, grants)',
    cluster_admin: 'cluster administrator: NODE and OPERATE on SYSTEM',
    public: 'held by every user',
  };
  return showResult(['Name', 'Builtin', 'Comment'], ctx.services.access.snapshot().roles.map((r) => [
    r.name, r.builtin ? 'true' : 'false', comments[r.name] ?? null,
  ]));
}
