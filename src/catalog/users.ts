/**
 * The account tables of migration 0004 (users, roles, grants, role memberships) as plain rows. No policy lives
 * here: what a privilege means, who may grant it and how hosts match is src/sql/privileges. Every write is one
 * statement or one transaction, so a failed GRANT leaves nothing half-applied.
 */
import type { Catalog } from './catalog.ts';

/** A grantee or role member: a user account (`host` is its pattern) or a role (`host` is `''`). */
export interface PrincipalRef {
  /** USER or ROLE. */
  readonly type: 'USER' | 'ROLE';
  /** User name or role name. */
  readonly name: string;
  /** Host pattern of a user account; `''` for a role. */
  readonly host: string;
}

/** One account row. */
export interface UserRow {
  /** User name (case-sensitive, like MySQL). */
  readonly user: string;
  /** Host pattern: `%`, an exact host, or a pattern with `%` / `_` wildcards. */
  readonly host: string;
  /** `''` (no password) or MySQL's PASSWORD() form `*<40 hex>` = SHA1(SHA1(password)). */
  readonly passwordHash: string;
  /** Creation time (epoch ms; 0 for the built-in root). */
  readonly created: number;
}

/** One role row. */
export interface RoleRow {
  /** Role name. */
  readonly name: string;
  /** True for root, db_admin, user_admin, cluster_admin, public (cannot be dropped). */
  readonly builtin: boolean;
  /** Creation time (epoch ms; 0 for built-ins). */
  readonly created: number;
}

/** Object kinds a privilege can be granted on (StarRocks 3.x object types this engine has). */
export type GrantObjectType = 'SYSTEM' | 'CATALOG' | 'DATABASE' | 'TABLE' | 'VIEW';

/** One granted privilege on one object. `'*'` means "all" in `db` / `name`; `''` means not applicable. */
export interface GrantRow {
  /** Who holds it. */
  readonly grantee: PrincipalRef;
  /** Privilege name, upper case, spaces kept (`CREATE TABLE`). */
  readonly privilege: string;
  /** Object type. */
  readonly objectType: GrantObjectType;
  /** Database of a DATABASE/TABLE/VIEW object (`'*'` = all databases); `''` for SYSTEM/CATALOG. */
  readonly db: string;
  /** Catalog name, or table/view name (`'*'` = all); `''` for SYSTEM/DATABASE. */
  readonly name: string;
  /** WITH GRANT OPTION. */
  readonly withGrantOption: boolean;
}

/** One role membership: `role` granted to `member`. */
export interface RoleMemberRow {
  /** The user or role that holds the role. */
  readonly member: PrincipalRef;
  /** The granted role. */
  readonly role: string;
}

/** Everything the account tables hold, read in one go (they are small; the privilege checker caches this). */
export interface AccountSnapshot {
  readonly users: readonly UserRow[];
  readonly roles: readonly RoleRow[];
  readonly grants: readonly GrantRow[];
  readonly memberships: readonly RoleMemberRow[];
}

interface UserDbRow { user: string; host: string; password_hash: string; created: number }
interface RoleDbRow { name: string; builtin: number; created: number }
interface GrantDbRow {
  grantee_type: 'USER' | 'ROLE'; grantee_name: string; grantee_host: string; privilege: string;
  object_type: GrantObjectType; object_db: string; object_name: string; with_grant_option: number;
}
interface MemberDbRow { member_type: 'USER' | 'ROLE'; member_name: string; member_host: string; role: string }

/** Read all account tables. */
export function readAccounts(catalog: Catalog): AccountSnapshot {
  return {
    users: catalog.prepare<[], UserDbRow>('SELECT * FROM users ORDER BY user, host').all()
      .map((r) => ({ user: r.user, host: r.host, passwordHash: r.password_hash, created: r.created })),
    roles: catalog.prepare<[], RoleDbRow>('SELECT * FROM roles ORDER BY name').all()
      .map((r) => ({ name: r.name, builtin: r.builtin === 1, created: r.created })),
    grants: catalog.prepare<[], GrantDbRow>('SELECT * FROM grants ORDER BY rowid').all().map((r) => ({
      grantee: { type: r.grantee_type, name: r.grantee_name, host: r.grantee_host },
      privilege: r.privilege,
      objectType: r.object_type,
      db: r.object_db,
      name: r.object_name,
      withGrantOption: r.with_grant_option === 1,
    })),
    memberships: catalog.prepare<[], MemberDbRow>('SELECT * FROM role_members ORDER BY rowid').all().map((r) => ({
      member: { type: r.member_type, name: r.member_name, host: r.member_host },
      role: r.role,
    })),
  };
}

/** Insert an account; false when `'user'@'host'` already exists. */
export function insertUser(catalog: Catalog, user: string, host: string, passwordHash: string, created: number): boolean {
  return catalog.prepare('INSERT INTO users (user, host, password_hash, created) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING')
    .run(user, host, passwordHash, created).changes > 0;
}

/** Set an account's password hash; false when the account does not exist. */
export function updateUserPassword(catalog: Catalog, user: string, host: string, passwordHash: string): boolean {
  return catalog.prepare('UPDATE users SET password_hash = ? WHERE user = ? AND host = ?').run(passwordHash, user, host).changes > 0;
}

/** Delete an account with its grants and role memberships; false when it did not exist. */
export function deleteUser(catalog: Catalog, user: string, host: string): boolean {
  return catalog.transaction(() => {
    const removed = catalog.prepare('DELETE FROM users WHERE user = ? AND host = ?').run(user, host).changes > 0;
    catalog.prepare("DELETE FROM grants WHERE grantee_type = 'USER' AND grantee_name = ? AND grantee_host = ?").run(user, host);
    catalog.prepare("DELETE FROM role_members WHERE member_type = 'USER' AND member_name = ? AND member_host = ?").run(user, host);
    return removed;
  });
}

/** Insert a role; false when it exists. */
export function insertRole(catalog: Catalog, name: string, created: number): boolean {
  return catalog.prepare('INSERT INTO roles (name, builtin, created) VALUES (?, 0, ?) ON CONFLICT DO NOTHING').run(name, created).changes > 0;
}

/** Delete a role, its grants and every membership of or in it; false when it did not exist. */
export function deleteRole(catalog: Catalog, name: string): boolean {
  return catalog.transaction(() => {
    catalog.prepare("DELETE FROM grants WHERE grantee_type = 'ROLE' AND grantee_name = ?").run(name);
    catalog.prepare("DELETE FROM role_members WHERE member_type = 'ROLE' AND member_name = ?").run(name);
    return catalog.prepare('DELETE FROM roles WHERE name = ?').run(name).changes > 0;
  });
}

/** Add grants (idempotent: an existing grant keeps its row; WITH GRANT OPTION is only ever added). */
export function insertGrants(catalog: Catalog, grants: readonly GrantRow[]): void {
  catalog.transaction(() => {
    const stmt = catalog.prepare(
      `INSERT INTO grants (grantee_type, grantee_name, grantee_host, privilege, object_type, object_db, object_name, with_grant_option)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET with_grant_option = max(with_grant_option, excluded.with_grant_option)`,
    );
    for (const g of grants) {
      stmt.run(g.grantee.type, g.grantee.name, g.grantee.host, g.privilege, g.objectType, g.db, g.name, g.withGrantOption ? 1 : 0);
    }
  });
}

/** Remove grants; returns how many rows went away. */
export function deleteGrants(catalog: Catalog, grants: readonly Omit<GrantRow, 'withGrantOption'>[]): number {
  return catalog.transaction(() => {
    const stmt = catalog.prepare(
      `DELETE FROM grants WHERE grantee_type = ? AND grantee_name = ? AND grantee_host = ? AND privilege = ?
       AND object_type = ? AND object_db = ? AND object_name = ?`,
    );
    let removed = 0;
    for (const g of grants) removed += stmt.run(g.grantee.type, g.grantee.name, g.grantee.host, g.privilege, g.objectType, g.db, g.name).changes;
    return removed;
  });
}

/** Grant roles to a member (idempotent). */
export function insertRoleMembers(catalog: Catalog, member: PrincipalRef, roles: readonly string[]): void {
  catalog.transaction(() => {
    const stmt = catalog.prepare(
      'INSERT INTO role_members (member_type, member_name, member_host, role) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
    );
    for (const role of roles) stmt.run(member.type, member.name, member.host, role);
  });
}

/** Revoke roles from a member; returns how many memberships went away. */
export function deleteRoleMembers(catalog: Catalog, member: PrincipalRef, roles: readonly string[]): number {
  return catalog.transaction(() => {
    const stmt = catalog.prepare('DELETE FROM role_members WHERE member_type = ? AND member_name = ? AND member_host = ? AND role = ?');
    let removed = 0;
    for (const role of roles) removed += stmt.run(member.type, member.name, member.host, role).changes;
    return removed;
  });
}
