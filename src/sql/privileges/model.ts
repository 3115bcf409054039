/**
 * The privilege vocabulary (StarRocks 3.x object types and privilege names this engine has) and the shape of a
 * privilege requirement: what a statement needs before its handler may run.
 */
import type { GrantObjectType } from '../../catalog/users.ts';

export type { GrantObjectType } from '../../catalog/users.ts';

/** The only catalog (StarRocks' internal catalog name). */
export const DEFAULT_CATALOG = 'default_catalog';

/** Privileges grantable on each object type (StarRocks 3.x names; `ALL` expands to the whole list). */
export const OBJECT_PRIVILEGES: { readonly [T in GrantObjectType]: readonly string[] } = {
  SYSTEM: [
    'GRANT', 'NODE', 'OPERATE', 'REPOSITORY', 'BLACKLIST', 'FILE', 'PLUGIN', 'CREATE RESOURCE GROUP',
    'CREATE RESOURCE', 'CREATE EXTERNAL CATALOG', 'CREATE GLOBAL FUNCTION', 'CREATE STORAGE VOLUME', 'SECURITY',
  ],
  CATALOG: ['USAGE', 'CREATE DATABASE', 'DROP', 'ALTER'],
  DATABASE: ['CREATE TABLE', 'DROP', 'ALTER', 'CREATE VIEW', 'CREATE FUNCTION', 'CREATE MATERIALIZED VIEW'],
  TABLE: ['DELETE', 'DROP', 'INSERT', 'SELECT', 'ALTER', 'EXPORT', 'UPDATE'],
  VIEW: ['SELECT', 'ALTER', 'DROP'],
};

/** The built-in roles; they cannot be created or dropped. */
export const BUILTIN_ROLES: readonly string[] = ['root', 'db_admin', 'user_admin', 'cluster_admin', 'public'];

/** Roles whose holders may do everything (the rule: root and db_admin). */
export const SUPERUSER_ROLES: ReadonlySet<string> = new Set(['root', 'db_admin']);

/** What the other built-in roles carry, as if granted (shown by SHOW GRANTS FOR ROLE, used by checks). */
export const BUILTIN_ROLE_SYSTEM_PRIVILEGES: { readonly [role: string]: readonly string[] } = {
  user_admin: ['GRANT'],
  cluster_admin: ['NODE', 'OPERATE'],
};

/** An object a privilege is checked on. Names are as stored in the catalog (case-sensitive). */
export type PrivilegeTarget =
  | { readonly kind: 'SYSTEM' }
  | { readonly kind: 'CATALOG'; readonly name: string }
  | { readonly kind: 'DATABASE'; readonly db: string }
  /** A table; `name` `'*'` means "every table of db" (only a grant on all tables covers it). */
  | { readonly kind: 'TABLE'; readonly db: string; readonly name: string }
  | { readonly kind: 'VIEW'; readonly db: string; readonly name: string };

/** A privilege name, or `ANY` = any privilege at all on the target (SHOW CREATE TABLE, DESC …). */
export type RequiredPrivilege = string;

/**
 * One thing a statement needs: at least one of `privileges` on `target` (the "(at least one of)" of the
 * message). A statement's requirements must all hold.
 */
export interface PrivilegeRequirement {
  /** Any one of these suffices; `['ANY']` = any privilege on the target. */
  readonly privileges: readonly RequiredPrivilege[];
  /** The object. */
  readonly target: PrivilegeTarget;
  /** The privilege must have been granted WITH GRANT OPTION (re-granting it). */
  readonly withGrantOption?: boolean;
  /** If this requirement fails, it still holds when every one of these does (GRANT without the GRANT privilege). */
  readonly otherwise?: readonly PrivilegeRequirement[];
}

/** Requirement helpers, so requirement lists read like the StarRocks Authorizer. */
export const need = {
  system: (...privileges: string[]): PrivilegeRequirement => ({ privileges, target: { kind: 'SYSTEM' } }),
  catalog: (privilege: string, name = DEFAULT_CATALOG): PrivilegeRequirement => ({ privileges: [privilege], target: { kind: 'CATALOG', name } }),
  database: (privilege: string, db: string): PrivilegeRequirement => ({ privileges: [privilege], target: { kind: 'DATABASE', db } }),
  table: (privilege: string, db: string, name: string): PrivilegeRequirement => ({ privileges: [privilege], target: { kind: 'TABLE', db, name } }),
  view: (privilege: string, db: string, name: string): PrivilegeRequirement => ({ privileges: [privilege], target: { kind: 'VIEW', db, name } }),
};

/** `SYSTEM`, `CATALOG default_catalog`, `DATABASE db`, `TABLE db.t` — the object as denial messages name it. */
export function describeTarget(target: PrivilegeTarget): string {
  switch (target.kind) {
    case 'SYSTEM': return 'SYSTEM';
    case 'CATALOG': return `CATALOG ${target.name}`;
    case 'DATABASE': return `DATABASE ${target.db}`;
    case 'TABLE': return target.name === '*' ? `ALL TABLES IN DATABASE ${target.db}` : `TABLE ${target.db}.${target.name}`;
    case 'VIEW': return target.name === '*' ? `ALL VIEWS IN DATABASE ${target.db}` : `VIEW ${target.db}.${target.name}`;
  }
}
