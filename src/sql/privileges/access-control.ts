/**
 * AccessControl: the engine's view of accounts and privileges. It reads the account tables once into memory and
 * answers login and privilege questions from there; account statements write the catalog and call
 * `invalidate()`. One engine owns its data dir (LOCK file), so the in-memory copy cannot go stale behind its back,
 * and a privilege check on the hot path is a few map lookups, not SQL.
 */
import type { Catalog } from '../../catalog/index.ts';
import { readAccounts, type AccountSnapshot, type GrantRow, type PrincipalRef, type UserRow } from '../../catalog/users.ts';
import { verifyNativePassword } from '../../util/native-password.ts';
import { checkBlankPasswordLogin } from './blank-password.ts';
import { hostMatches, hostSpecificity } from './host-match.ts';
import { BUILTIN_ROLE_SYSTEM_PRIVILEGES, SUPERUSER_ROLES, type PrivilegeTarget } from './model.ts';

/** The account a session acts as, plus its effective roles. */
export interface ResolvedAccount {
  /** The matched account row (`host` is its pattern, as CURRENT_USER() shows it). */
  readonly account: UserRow;
  /** Roles granted directly to the account (without `public`), sorted. */
  readonly grantedRoles: readonly string[];
  /** Every role in effect: granted, inherited through roles, and `public`. */
  readonly effectiveRoles: ReadonlySet<string>;
  /** Holds root or db_admin (or is root itself): every check passes. */
  readonly superuser: boolean;
}

interface Model {
  readonly snapshot: AccountSnapshot;
  /** Accounts by user name, most specific host first. */
  readonly byUser: ReadonlyMap<string, readonly UserRow[]>;
  /** Grants by principal key. */
  readonly grants: ReadonlyMap<string, readonly GrantRow[]>;
  /** Directly granted roles by principal key. */
  readonly roles: ReadonlyMap<string, readonly string[]>;
}

/** Map key of a principal. */
export function principalKey(p: PrincipalRef): string {
  return `${p.type}\u0000${p.name}\u0000${p.host}`;
}

export class AccessControl {
  readonly #catalog: Catalog;
  #model: Model | undefined;
  readonly #resolved = new Map<string, ResolvedAccount | null>();

  constructor(catalog: Catalog) {
    this.#catalog = catalog;
  }

  /** Forget the cached tables; call after every write to them. */
  invalidate(): void {
    this.#model = undefined;
    this.#resolved.clear();
  }

  /** The account tables as last read. */
  snapshot(): AccountSnapshot {
    return this.#load().snapshot;
  }

  /** The exact account `'user'@'host'` (host compared as a pattern string, not matched). */
  findAccount(user: string, host: string): UserRow | undefined {
    return this.#load().byUser.get(user)?.find((a) => a.host === host);
  }

  /** Whether a role exists. */
  roleExists(name: string): boolean {
    return this.#load().snapshot.roles.some((r) => r.name === name);
  }

  /** The account a client `user` connecting from `host` is: the matching account with the most specific host. */
  resolve(user: string, host: string): ResolvedAccount | undefined {
    const key = `${user}\u0000${host}`;
    const cached = this.#resolved.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const model = this.#load();
    const account = model.byUser.get(user)?.find((a) => hostMatches(a.host, host));
    const resolved = account === undefined ? undefined : this.#describe(model, account);
    this.#resolved.set(key, resolved ?? null);
    return resolved;
  }

  /**
   * mysql_native_password login: the account matching (user, host) must exist and the token must prove its
   * password. Unknown users and wrong passwords look the same to the client (1045), as in MySQL. An account with a
   * blank password (empty or whitespace) is refused to a client not on this machine: SqlError 1045 saying how to set
   * one (blank-password.ts). Checked after the password, so only someone who knows it learns that it is blank.
   */
  authenticate(user: string, host: string, scramble: Buffer, authToken: Buffer): boolean {
    const resolved = this.resolve(user, host);
    if (resolved === undefined) return false;
    if (!verifyNativePassword(scramble, authToken, resolved.account.passwordHash)) return false;
    checkBlankPasswordLogin(user, host, resolved.account);
    return true;
  }

  /** Roles in effect for a principal (transitively through role grants), including `public` for users. */
  effectiveRoles(principal: PrincipalRef): ReadonlySet<string> {
    return this.#closure(this.#load(), principal);
  }

  /** Whether `account` holds `privilege` (or, with `'ANY'`, anything) on `target`. */
  allows(account: ResolvedAccount | undefined, privilege: string, target: PrivilegeTarget, withGrantOption = false): boolean {
    if (account === undefined) return false;
    if (account.superuser) return true;
    const model = this.#load();
    const principals: PrincipalRef[] = [
      { type: 'USER', name: account.account.user, host: account.account.host },
      ...[...account.effectiveRoles].map((name): PrincipalRef => ({ type: 'ROLE', name, host: '' })),
    ];
    for (const role of account.effectiveRoles) {
      const builtin = BUILTIN_ROLE_SYSTEM_PRIVILEGES[role];
      // Built-in roles carry their privileges with grant option (StarRocks: user_admin may grant GRANT).
      if (builtin !== undefined && target.kind === 'SYSTEM' && (privilege === 'ANY' || builtin.includes(privilege))) return true;
    }
    for (const p of principals) {
      for (const g of model.grants.get(principalKey(p)) ?? []) {
        if (withGrantOption && !g.withGrantOption) continue;
        if ((privilege === 'ANY' || g.privilege === privilege) && grantCovers(g, target)) return true;
      }
    }
    return false;
  }

  /**
   * Whether `account` holds any privilege on database `db` or on anything in it (a table or view, `*` grants
   * included): StarRocks' checkAnyActionOnOrInDb, which decides what SHOW DATABASES lists and what USE allows.
   */
  seesDatabase(account: ResolvedAccount | undefined, db: string): boolean {
    if (account === undefined) return false;
    if (account.superuser) return true;
    return this.#anyGrant(account, (g) => (g.objectType === 'DATABASE' || g.objectType === 'TABLE' || g.objectType === 'VIEW') && (g.db === '*' || g.db === db));
  }

  /** Whether `account` holds any privilege on table or view `db.name` (what SHOW TABLES lists). */
  seesTable(account: ResolvedAccount | undefined, db: string, name: string): boolean {
    if (account === undefined) return false;
    if (account.superuser) return true;
    return this.#anyGrant(account, (g) => (g.objectType === 'TABLE' || g.objectType === 'VIEW') && (g.db === '*' || g.db === db) && (g.name === '*' || g.name === name));
  }

  #anyGrant(account: ResolvedAccount, matches: (g: GrantRow) => boolean): boolean {
    const model = this.#load();
    const principals: PrincipalRef[] = [
      { type: 'USER', name: account.account.user, host: account.account.host },
      ...[...account.effectiveRoles].map((name): PrincipalRef => ({ type: 'ROLE', name, host: '' })),
    ];
    return principals.some((p) => (model.grants.get(principalKey(p)) ?? []).some(matches));
  }

  /** Grants held directly by a principal (not through roles). */
  grantsOf(principal: PrincipalRef): readonly GrantRow[] {
    return this.#load().grants.get(principalKey(principal)) ?? [];
  }

  /** Roles granted directly to a principal. */
  rolesOf(principal: PrincipalRef): readonly string[] {
    return this.#load().roles.get(principalKey(principal)) ?? [];
  }

  #describe(model: Model, account: UserRow): ResolvedAccount {
    const self: PrincipalRef = { type: 'USER', name: account.user, host: account.host };
    const effectiveRoles = this.#closure(model, self);
    const superuser = (account.user === 'root' && account.host === '%') || [...effectiveRoles].some((r) => SUPERUSER_ROLES.has(r));
    const grantedRoles = [...(model.roles.get(principalKey(self)) ?? [])].filter((r) => r !== 'public').sort();
    return { account, grantedRoles, effectiveRoles, superuser };
  }

  #closure(model: Model, principal: PrincipalRef): ReadonlySet<string> {
    const seen = new Set<string>(principal.type === 'USER' ? ['public'] : []);
    const stack = [...(model.roles.get(principalKey(principal)) ?? [])];
    while (stack.length > 0) {
      const role = stack.pop() as string;
      if (seen.has(role)) continue;
      seen.add(role);
      stack.push(...(model.roles.get(principalKey({ type: 'ROLE', name: role, host: '' })) ?? []));
    }
    return seen;
  }

  #load(): Model {
    if (this.#model !== undefined) return this.#model;
    const snapshot = readAccounts(this.#catalog);
    const byUser = new Map<string, UserRow[]>();
    for (const u of snapshot.users) {
      const list = byUser.get(u.user) ?? [];
      list.push(u);
      byUser.set(u.user, list);
    }
    for (const list of byUser.values()) list.sort((a, b) => hostSpecificity(b.host) - hostSpecificity(a.host) || a.host.localeCompare(b.host));
    const grants = new Map<string, GrantRow[]>();
    for (const g of snapshot.grants) {
      const key = principalKey(g.grantee);
      const list = grants.get(key) ?? [];
      list.push(g);
      grants.set(key, list);
    }
    const roles = new Map<string, string[]>();
    for (const m of snapshot.memberships) {
      const key = principalKey(m.member);
      const list = roles.get(key) ?? [];
      list.push(m.role);
      roles.set(key, list);
    }
    this.#model = { snapshot, byUser, grants, roles };
    return this.#model;
  }
}

/** Whether a stored grant's object covers the checked target (`'*'` in the grant = all). */
export function grantCovers(g: GrantRow, target: PrivilegeTarget): boolean {
  if (g.objectType !== target.kind) return false;
  switch (target.kind) {
    case 'SYSTEM': return true;
    case 'CATALOG': return g.name === '*' || g.name === target.name;
    case 'DATABASE': return g.db === '*' || g.db === target.db;
    case 'TABLE':
    case 'VIEW':
      return (g.db === '*' || g.db === target.db) && (g.name === '*' || g.name === target.name);
  }
}
