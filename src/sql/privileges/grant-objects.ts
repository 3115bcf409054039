/**
 * GRANT/REVOKE objects: from the AST's PrivilegeObject to the stored (object_type, db, name) triple and back to
 * StarRocks' text (`ON ALL TABLES IN DATABASE db`), plus privilege-name validation per object type.
 */
import type { PrivilegeObject } from '../../../grammar/ast.ts';
import type { GrantObjectType, GrantRow } from '../../catalog/users.ts';
import { analysisError } from '../../errors/index.ts';
import { DEFAULT_CATALOG, OBJECT_PRIVILEGES, type PrivilegeTarget } from './model.ts';

/** A grant's object as stored: `'*'` = all, `''` = not applicable. */
export interface GrantObject {
  readonly objectType: GrantObjectType;
  readonly db: string;
  readonly name: string;
}

/** The stored object for an AST object; unqualified names use `currentDb` (which must then be given). */
export function grantObjectOf(object: PrivilegeObject, currentDb: () => string): GrantObject {
  switch (object.kind) {
    case 'SystemObject': return { objectType: 'SYSTEM', db: '', name: '' };
    case 'CatalogObject': return { objectType: 'CATALOG', db: '', name: object.all ? '*' : (object.name ?? DEFAULT_CATALOG) };
    case 'DatabaseObject': return { objectType: 'DATABASE', db: object.all ? '*' : (object.name ?? currentDb()), name: '' };
    case 'TableObject': return { objectType: 'TABLE', db: object.name.db ?? currentDb(), name: object.name.name };
    case 'AllTablesObject': return { objectType: 'TABLE', db: object.database ?? '*', name: '*' };
    case 'ViewObject': return { objectType: 'VIEW', db: object.name.db ?? currentDb(), name: object.name.name };
    case 'AllViewsObject': return { objectType: 'VIEW', db: object.database ?? '*', name: '*' };
  }
}

/** The privilege-check target a stored object is (an "all" object becomes a `'*'` target only grants on all cover). */
export function targetOf(object: GrantObject): PrivilegeTarget {
  switch (object.objectType) {
    case 'SYSTEM': return { kind: 'SYSTEM' };
    case 'CATALOG': return { kind: 'CATALOG', name: object.name };
    case 'DATABASE': return { kind: 'DATABASE', db: object.db };
    case 'TABLE': return { kind: 'TABLE', db: object.db, name: object.name };
    case 'VIEW': return { kind: 'VIEW', db: object.db, name: object.name };
  }
}

/**
 * Validate privilege names for an object type and expand `ALL` / `ALL PRIVILEGES`. Unknown names are an
 * analysis error that lists what the object type accepts.
 */
export function expandPrivileges(privileges: readonly string[], objectType: GrantObjectType): readonly string[] {
  const allowed = OBJECT_PRIVILEGES[objectType];
  const out = new Set<string>();
  for (const raw of privileges) {
    const p = raw.toUpperCase().replace(/\s+/g, ' ').trim();
    if (p === 'ALL' || p === 'ALL PRIVILEGES') {
      for (const a of allowed) out.add(a);
    } else if (allowed.includes(p)) out.add(p);
    else {
      throw analysisError(
        `Cannot grant or revoke '${raw}' on ${objectType}: valid privileges are ${allowed.join(', ')}, ALL`,
      );
    }
  }
  return [...out];
}

/** `SYSTEM`, `CATALOG default_catalog`, `ALL CATALOGS`, `DATABASE db`, `ALL TABLES IN DATABASE db`, `TABLE db.t` … */
export function objectText(object: GrantObject): string {
  switch (object.objectType) {
    case 'SYSTEM': return 'SYSTEM';
    case 'CATALOG': return object.name === '*' ? 'ALL CATALOGS' : `CATALOG ${object.name}`;
    case 'DATABASE': return object.db === '*' ? 'ALL DATABASES' : `DATABASE ${object.db}`;
    case 'TABLE':
    case 'VIEW': {
      const plural = object.objectType === 'TABLE' ? 'TABLES' : 'VIEWS';
      if (object.db === '*') return `ALL ${plural} IN ALL DATABASES`;
      if (object.name === '*') return `ALL ${plural} IN DATABASE ${object.db}`;
      return `${object.objectType} ${object.db}.${object.name}`;
    }
  }
}

/** Group grants of one grantee into StarRocks-style statements: one GRANT per object, privileges in grant order. */
export function grantStatements(grants: readonly GrantRow[], granteeText: string): string[] {
  const byObject = new Map<string, { object: GrantObject; privileges: string[]; option: boolean }>();
  for (const g of grants) {
    const key = `${g.objectType}\u0000${g.db}\u0000${g.name}\u0000${g.withGrantOption ? 1 : 0}`;
    const entry = byObject.get(key) ?? { object: g, privileges: [], option: g.withGrantOption };
    entry.privileges.push(g.privilege);
    byObject.set(key, entry);
  }
  return [...byObject.values()].map(
    (e) => `GRANT ${e.privileges.join(', ')} ON ${objectText(e.object)} TO ${granteeText}${e.option ? ' WITH GRANT OPTION' : ''}`,
  );
}
