/**
 * CST → users, roles, GRANT / REVOKE, SHOW GRANTS. Privileges are upper-cased with single spaces
 * (`create   table` → `CREATE TABLE`); `ALL PRIVILEGES` is normalised to `ALL`.
 */
import type { CstNode, IToken } from 'chevrotain';
import type {
  AlterUserStmt,
  CreateRoleStmt,
  CreateUserStmt,
  DropRoleStmt,
  DropUserStmt,
  Grantee,
  GrantPrivilegeStmt,
  GrantRoleStmt,
  PasswordSpec,
  PrivilegeObject,
  RevokePrivilegeStmt,
  RevokeRoleStmt,
  SetPasswordStmt,
  ShowGrantsStmt,
  UserIdentity,
} from '../ast.ts';
import { child, has, nodes, optNode, optToken, tokens } from '../cst.ts';
import { identOrString, identifier, identifierText, literalSpan, qualifiedName, stringLiteral, unescapeString, VisitError } from './common.ts';

export function userIdentity(node: CstNode): UserIdentity {
  const hostVariable = optToken(node, 'hostVariable');
  const host = optNode(node, 'host');
  return {
    user: identOrString(child(node, 'user')),
    host: hostVariable !== undefined ? hostVariable.image.slice(1) : host !== undefined ? identOrString(host) : '%',
  };
}

export function passwordSpec(node: CstNode | undefined): PasswordSpec | undefined {
  if (node === undefined) return undefined;
  const secret = optNode(node, 'secret');
  if (secret === undefined) return undefined;
  const value = stringLiteral(secret);
  const span = literalSpan(secret);
  return has(node, 'hashed') ? { kind: 'HashedPassword', hash: value, secret: span } : { kind: 'PlainPassword', password: value, secret: span };
}

function withPassword(node: CstNode): { readonly password?: PasswordSpec } {
  const password = passwordSpec(optNode(node, 'authOption'));
  return password === undefined ? {} : { password };
}

export function createUser(node: CstNode): CreateUserStmt {
  return {
    kind: 'CreateUser',
    ifNotExists: has(node, 'ifNotExists'),
    user: userIdentity(child(node, 'userIdentity')),
    ...withPassword(node),
    defaultRoles: nodes(node, 'role').map(identOrString),
  };
}

export function dropUser(node: CstNode): DropUserStmt {
  return { kind: 'DropUser', ifExists: has(node, 'ifExists'), user: userIdentity(child(node, 'userIdentity')) };
}

export function alterUser(node: CstNode): AlterUserStmt {
  return { kind: 'AlterUser', ifExists: has(node, 'ifExists'), user: userIdentity(child(node, 'userIdentity')), ...withPassword(node) };
}

export function setPassword(node: CstNode): SetPasswordStmt {
  const user = optNode(node, 'userIdentity');
  const secret = child(node, 'secret');
  const value = stringLiteral(secret);
  const span = literalSpan(secret);
  return {
    kind: 'SetPassword',
    ...(user === undefined ? {} : { user: userIdentity(user) }),
    password: has(node, 'plainFunction') ? { kind: 'PlainPassword', password: value, secret: span } : { kind: 'HashedPassword', hash: value, secret: span },
  };
}

export function createRole(node: CstNode): CreateRoleStmt {
  return { kind: 'CreateRole', ifNotExists: has(node, 'ifNotExists'), name: identOrString(child(node, 'name')) };
}

export function dropRole(node: CstNode): DropRoleStmt {
  return { kind: 'DropRole', ifExists: has(node, 'ifExists'), name: identOrString(child(node, 'name')) };
}

function wordText(word: IToken): string {
  const type = word.tokenType.name;
  if (type === 'SingleQuotedString' || type === 'DoubleQuotedString') return unescapeString(word.image);
  return identifierText(word);
}

function privileges(items: readonly CstNode[]): string[] {
  return items.map((item) => {
    const text = tokens(item, 'word')
      .map((w) => wordText(w).toUpperCase())
      .join(' ');
    return text === 'ALL PRIVILEGES' ? 'ALL' : text;
  });
}

function roles(items: readonly CstNode[]): string[] {
  return items.map((item) => {
    const words = tokens(item, 'word');
    const extra = words[1];
    if (extra !== undefined) throw new VisitError(extra, 'A role name is one word (quote it if it has spaces); to grant privileges write GRANT <privileges> ON <object> TO …');
    return wordText(words[0] as IToken);
  });
}

function privilegeObject(node: CstNode): PrivilegeObject {
  if (has(node, 'system')) return { kind: 'SystemObject' };
  if (has(node, 'starDb')) return { kind: 'AllTablesObject' };
  const database = optNode(node, 'database');
  const db = database === undefined ? {} : { database: identifier(database) };
  if (has(node, 'starTable')) return { kind: 'AllTablesObject', ...db };
  if (has(node, 'allTables')) return { kind: 'AllTablesObject', ...db };
  if (has(node, 'allViews')) return { kind: 'AllViewsObject', ...db };
  if (has(node, 'allCatalogs')) return { kind: 'CatalogObject', all: true };
  if (has(node, 'allDatabasesObject')) return { kind: 'DatabaseObject', all: true };
  const catalog = optNode(node, 'catalog');
  if (catalog !== undefined) return { kind: 'CatalogObject', name: identifier(catalog), all: false };
  if (database !== undefined) return { kind: 'DatabaseObject', name: identifier(database), all: false };
  const view = optNode(node, 'view');
  if (view !== undefined) return { kind: 'ViewObject', name: qualifiedName(view) };
  return { kind: 'TableObject', name: qualifiedName(child(node, 'table')) };
}

export function grantee(node: CstNode): Grantee {
  const role = optNode(node, 'role');
  if (role !== undefined) return { kind: 'RoleGrantee', role: identOrString(role) };
  return { kind: 'UserGrantee', user: userIdentity(child(node, 'userIdentity')) };
}

export function grant(node: CstNode): GrantPrivilegeStmt | GrantRoleStmt {
  const items = nodes(node, 'item');
  const object = optNode(node, 'privilegeObject');
  const to = grantee(child(node, 'grantee'));
  if (object === undefined) return { kind: 'GrantRole', roles: roles(items), grantee: to };
  return { kind: 'GrantPrivilege', privileges: privileges(items), object: privilegeObject(object), grantee: to, withGrantOption: has(node, 'withGrantOption') };
}

export function revoke(node: CstNode): RevokePrivilegeStmt | RevokeRoleStmt {
  const items = nodes(node, 'item');
  const object = optNode(node, 'privilegeObject');
  const from = grantee(child(node, 'grantee'));
  if (object === undefined) return { kind: 'RevokeRole', roles: roles(items), grantee: from };
  return { kind: 'RevokePrivilege', privileges: privileges(items), object: privilegeObject(object), grantee: from };
}

export function showGrants(node: CstNode): ShowGrantsStmt {
  const who = optNode(node, 'grantee');
  return { kind: 'ShowGrants', ...(who === undefined ? {} : { grantee: grantee(who) }) };
}
