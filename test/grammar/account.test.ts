import { describe, expect, it } from 'vitest';
import { parseStatement } from '../../grammar/index.ts';
import { one } from './helpers.ts';

describe('users and roles', () => {
  it('parses every user-identity spelling', () => {
    for (const [text, user, host] of [
      ["'u'@'h'", 'u', 'h'],
      ['"u"@"h"', 'u', 'h'],
      ['`u`@`h`', 'u', 'h'],
      ['u@h', 'u', 'h'],
      ["u@'192.168.%'", 'u', '192.168.%'],
      ["'u'", 'u', '%'],
      ['u', 'u', '%'],
    ] as const) {
      expect(one(`DROP USER ${text}`)).toEqual({ kind: 'DropUser', ifExists: false, user: { user, host } });
    }
  });

  it('parses CREATE USER password forms', () => {
    expect(one("CREATE USER 'u'@'%' IDENTIFIED BY 'secret'")).toEqual({
      kind: 'CreateUser',
      ifNotExists: false,
      user: { user: 'u', host: '%' },
      // The literal's span, quotes included: what redactStatement replaces.
      password: { kind: 'PlainPassword', password: 'secret', secret: { start: 34, end: 42 } },
      defaultRoles: [],
    });
    expect(one("CREATE USER IF NOT EXISTS u IDENTIFIED BY PASSWORD '*ABC' DEFAULT ROLE r1, 'r2'")).toEqual({
      kind: 'CreateUser',
      ifNotExists: true,
      user: { user: 'u', host: '%' },
      password: { kind: 'HashedPassword', hash: '*ABC', secret: { start: 51, end: 57 } },
      defaultRoles: ['r1', 'r2'],
    });
    expect(one("CREATE USER u IDENTIFIED WITH mysql_native_password BY 'p'")).toMatchObject({ password: { kind: 'PlainPassword', password: 'p' } });
    expect(one("CREATE USER u IDENTIFIED WITH 'mysql_native_password' AS '*H'")).toMatchObject({ password: { kind: 'HashedPassword', hash: '*H' } });
    expect(one('CREATE USER u')).toEqual({ kind: 'CreateUser', ifNotExists: false, user: { user: 'u', host: '%' }, defaultRoles: [] });
  });

  it('parses DROP / ALTER USER, SET PASSWORD, roles', () => {
    expect(one("DROP USER IF EXISTS 'u'@'h'")).toEqual({ kind: 'DropUser', ifExists: true, user: { user: 'u', host: 'h' } });
    expect(one("ALTER USER IF EXISTS u IDENTIFIED BY 'n'")).toEqual({
      kind: 'AlterUser',
      ifExists: true,
      user: { user: 'u', host: '%' },
      password: { kind: 'PlainPassword', password: 'n', secret: { start: 37, end: 40 } },
    });
    expect(one("SET PASSWORD = PASSWORD('p')")).toEqual({ kind: 'SetPassword', password: { kind: 'PlainPassword', password: 'p', secret: { start: 24, end: 27 } } });
    expect(one("SET PASSWORD FOR 'u'@'%' = '*HASH'")).toEqual({ kind: 'SetPassword', user: { user: 'u', host: '%' }, password: { kind: 'HashedPassword', hash: '*HASH', secret: { start: 27, end: 34 } } });
    expect(one('CREATE ROLE r')).toEqual({ kind: 'CreateRole', ifNotExists: false, name: 'r' });
    expect(one('CREATE ROLE IF NOT EXISTS r')).toEqual({ kind: 'CreateRole', ifNotExists: true, name: 'r' });
    expect(one('DROP ROLE IF EXISTS r')).toEqual({ kind: 'DropRole', ifExists: true, name: 'r' });
  });
});

describe('GRANT / REVOKE', () => {
  const grantOn = (on: string) => {
    const stmt = parseStatement(`GRANT SELECT ON ${on} TO u`);
    if (stmt.kind !== 'GrantPrivilege') throw new Error('not a privilege grant');
    return stmt.object;
  };

  it('parses every privilege object', () => {
    expect(grantOn('SYSTEM')).toEqual({ kind: 'SystemObject' });
    expect(grantOn('CATALOG default_catalog')).toEqual({ kind: 'CatalogObject', name: 'default_catalog', all: false });
    expect(grantOn('ALL CATALOGS')).toEqual({ kind: 'CatalogObject', all: true });
    expect(grantOn('DATABASE d')).toEqual({ kind: 'DatabaseObject', name: 'd', all: false });
    expect(grantOn('ALL DATABASES')).toEqual({ kind: 'DatabaseObject', all: true });
    expect(grantOn('TABLE db.t')).toEqual({ kind: 'TableObject', name: { db: 'db', name: 't' } });
    expect(grantOn('TABLE t')).toEqual({ kind: 'TableObject', name: { name: 't' } });
    expect(grantOn('ALL TABLES IN DATABASE d')).toEqual({ kind: 'AllTablesObject', database: 'd' });
    expect(grantOn('ALL TABLES IN ALL DATABASES')).toEqual({ kind: 'AllTablesObject' });
    expect(grantOn('VIEW db.v')).toEqual({ kind: 'ViewObject', name: { db: 'db', name: 'v' } });
    expect(grantOn('ALL VIEWS IN DATABASE d')).toEqual({ kind: 'AllViewsObject', database: 'd' });
    expect(grantOn('ALL VIEWS IN ALL DATABASES')).toEqual({ kind: 'AllViewsObject' });
    expect(grantOn('db.*')).toEqual({ kind: 'AllTablesObject', database: 'db' });
    expect(grantOn('*.*')).toEqual({ kind: 'AllTablesObject' });
    expect(grantOn('db.t')).toEqual({ kind: 'TableObject', name: { db: 'db', name: 't' } });
  });

  it('parses multi-word privileges and grantees', () => {
    expect(one("GRANT create table, CREATE   DATABASE, ALTER, DROP, SELECT, INSERT, DELETE, UPDATE, EXPORT, REPOSITORY, NODE, GRANT, OPERATE, USAGE ON SYSTEM TO USER 'u'@'h' WITH GRANT OPTION")).toEqual({
      kind: 'GrantPrivilege',
      privileges: ['CREATE TABLE', 'CREATE DATABASE', 'ALTER', 'DROP', 'SELECT', 'INSERT', 'DELETE', 'UPDATE', 'EXPORT', 'REPOSITORY', 'NODE', 'GRANT', 'OPERATE', 'USAGE'],
      object: { kind: 'SystemObject' },
      grantee: { kind: 'UserGrantee', user: { user: 'u', host: 'h' } },
      withGrantOption: true,
    });
    expect(one('GRANT ALL PRIVILEGES ON DATABASE d TO ROLE r')).toEqual({
      kind: 'GrantPrivilege',
      privileges: ['ALL'],
      object: { kind: 'DatabaseObject', name: 'd', all: false },
      grantee: { kind: 'RoleGrantee', role: 'r' },
      withGrantOption: false,
    });
    expect(one('REVOKE CREATE VIEW ON DATABASE d FROM u')).toEqual({
      kind: 'RevokePrivilege',
      privileges: ['CREATE VIEW'],
      object: { kind: 'DatabaseObject', name: 'd', all: false },
      grantee: { kind: 'UserGrantee', user: { user: 'u', host: '%' } },
    });
  });

  it('parses role grants', () => {
    expect(one("GRANT db_admin, 'user_admin' TO USER u@'%'")).toEqual({
      kind: 'GrantRole',
      roles: ['db_admin', 'user_admin'],
      grantee: { kind: 'UserGrantee', user: { user: 'u', host: '%' } },
    });
    expect(one('GRANT r1 TO ROLE r2')).toEqual({ kind: 'GrantRole', roles: ['r1'], grantee: { kind: 'RoleGrantee', role: 'r2' } });
    expect(one("REVOKE r1 FROM 'u'")).toEqual({ kind: 'RevokeRole', roles: ['r1'], grantee: { kind: 'UserGrantee', user: { user: 'u', host: '%' } } });
    expect(() => parseStatement('GRANT role one TO u')).toThrow(expect.objectContaining({ errno: 1064, column: 12 }));
  });
});
