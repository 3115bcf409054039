import { describe, expect, it } from 'vitest';
import { bin, col, num, one, str } from './helpers.ts';

describe('SHOW and DESC', () => {
  it('parses database and table inspection', () => {
    expect(one('SHOW DATABASES')).toEqual({ kind: 'ShowDatabases' });
    expect(one("SHOW SCHEMAS LIKE 'd%'")).toEqual({ kind: 'ShowDatabases', filter: { kind: 'Like', pattern: 'd%' } });
    expect(one("SHOW DATABASES WHERE `Database` = 'x'")).toEqual({ kind: 'ShowDatabases', filter: { kind: 'Where', expr: bin('=', col('Database'), str('x')) } });
    expect(one('SHOW TABLES')).toEqual({ kind: 'ShowTables', full: false });
    expect(one("SHOW FULL TABLES FROM db LIKE 't%'")).toEqual({ kind: 'ShowTables', full: true, database: 'db', filter: { kind: 'Like', pattern: 't%' } });
    expect(one('SHOW TABLES IN db')).toEqual({ kind: 'ShowTables', full: false, database: 'db' });
    expect(one('SHOW CREATE TABLE db.t')).toEqual({ kind: 'ShowCreate', object: 'TABLE', name: { db: 'db', name: 't' } });
    expect(one('SHOW CREATE VIEW v')).toEqual({ kind: 'ShowCreate', object: 'VIEW', name: { name: 'v' } });
    expect(one('SHOW CREATE DATABASE d')).toEqual({ kind: 'ShowCreate', object: 'DATABASE', name: { name: 'd' } });
    expect(one('SHOW CREATE SCHEMA d')).toEqual({ kind: 'ShowCreate', object: 'DATABASE', name: { name: 'd' } });
  });

  it('parses DESC and SHOW COLUMNS', () => {
    expect(one('DESC t')).toEqual({ kind: 'Describe', table: { name: 't' }, all: false, showColumns: false, full: false });
    expect(one('DESCRIBE db.t ALL')).toEqual({ kind: 'Describe', table: { db: 'db', name: 't' }, all: true, showColumns: false, full: false });
    expect(one('SHOW FULL COLUMNS FROM t FROM db')).toEqual({ kind: 'Describe', table: { db: 'db', name: 't' }, all: false, showColumns: true, full: true });
    expect(one('SHOW FIELDS IN t')).toEqual({ kind: 'Describe', table: { name: 't' }, all: false, showColumns: true, full: false });
  });

  it('parses partitions, tablets and backends', () => {
    expect(one("SHOW PARTITIONS FROM t WHERE PartitionName = 'p1' ORDER BY PartitionId DESC LIMIT 2")).toEqual({
      kind: 'ShowPartitions',
      table: { name: 't' },
      temporary: false,
      where: bin('=', col('PartitionName'), str('p1')),
      orderBy: [{ expr: col('PartitionId'), descending: true }],
      limit: { count: 2, offset: 0 },
    });
    expect(one('SHOW TEMPORARY PARTITIONS FROM db.t')).toEqual({ kind: 'ShowPartitions', table: { db: 'db', name: 't' }, temporary: true, orderBy: [] });
    expect(one('SHOW TABLET FROM t PARTITION (p1)')).toEqual({ kind: 'ShowTablet', table: { name: 't' }, partitions: { names: ['p1'], temporary: false } });
    expect(one('SHOW TABLET FROM t')).toEqual({ kind: 'ShowTablet', table: { name: 't' } });
    expect(one('SHOW TABLET 10042')).toEqual({ kind: 'ShowTablet', tabletId: 10042 });
    expect(one('SHOW BACKENDS')).toEqual({ kind: 'ShowBackends' });
  });

  it('parses session SHOWs', () => {
    expect(one("SHOW VARIABLES LIKE 'lower_case%'")).toEqual({ kind: 'ShowVariables', global: false, filter: { kind: 'Like', pattern: 'lower_case%' } });
    expect(one("SHOW GLOBAL VARIABLES WHERE Variable_name = 'x'")).toEqual({
      kind: 'ShowVariables',
      global: true,
      filter: { kind: 'Where', expr: bin('=', col('Variable_name'), str('x')) },
    });
    expect(one('SHOW SESSION VARIABLES')).toEqual({ kind: 'ShowVariables', global: false });
    expect(one('SHOW STATUS')).toEqual({ kind: 'ShowStatus', global: false });
    expect(one("SHOW GLOBAL STATUS LIKE 'Up%'")).toEqual({ kind: 'ShowStatus', global: true, filter: { kind: 'Like', pattern: 'Up%' } });
    expect(one('SHOW PROCESSLIST')).toEqual({ kind: 'ShowProcesslist', full: false });
    expect(one('SHOW FULL PROCESSLIST')).toEqual({ kind: 'ShowProcesslist', full: true });
    expect(one('SHOW WARNINGS')).toEqual({ kind: 'ShowWarnings', errorsOnly: false });
    expect(one('SHOW ERRORS LIMIT 10')).toEqual({ kind: 'ShowWarnings', errorsOnly: true, limit: { count: 10, offset: 0 } });
    expect(one('SHOW WARNINGS LIMIT 2, 5')).toEqual({ kind: 'ShowWarnings', errorsOnly: false, limit: { count: 5, offset: 2 } });
    expect(one('SHOW COUNT(*) WARNINGS')).toEqual({ kind: 'ShowWarnings', errorsOnly: false, count: true });
    expect(one('show count ( * ) errors')).toEqual({ kind: 'ShowWarnings', errorsOnly: true, count: true });
    expect(() => one('SHOW FOO(*) WARNINGS')).toThrow(/Expected WARNINGS, ERRORS or COUNT\(\*\) but found 'FOO'/);
  });

  it('parses account SHOWs', () => {
    expect(one('SHOW GRANTS')).toEqual({ kind: 'ShowGrants' });
    expect(one("SHOW GRANTS FOR 'u'@'%'")).toEqual({ kind: 'ShowGrants', grantee: { kind: 'UserGrantee', user: { user: 'u', host: '%' } } });
    expect(one('SHOW GRANTS FOR ROLE r')).toEqual({ kind: 'ShowGrants', grantee: { kind: 'RoleGrantee', role: 'r' } });
    expect(one('SHOW USERS')).toEqual({ kind: 'ShowUsers' });
    expect(one('SHOW ROLES')).toEqual({ kind: 'ShowRoles' });
  });

  it('parses backup SHOWs', () => {
    expect(one('SHOW BACKUP')).toEqual({ kind: 'ShowBackup', orderBy: [] });
    expect(one("SHOW BACKUP FROM db WHERE SnapshotName = 's' ORDER BY CreateTime LIMIT 1")).toEqual({
      kind: 'ShowBackup',
      database: 'db',
      where: bin('=', col('SnapshotName'), str('s')),
      orderBy: [{ expr: col('CreateTime'), descending: false }],
      limit: { count: 1, offset: 0 },
    });
    expect(one('SHOW RESTORE IN db')).toEqual({ kind: 'ShowRestore', database: 'db', orderBy: [] });
    expect(one('SHOW RESTORE WHERE a = 1')).toEqual({ kind: 'ShowRestore', where: bin('=', col('a'), num('1')), orderBy: [] });
    expect(one("SHOW SNAPSHOT ON repo WHERE SNAPSHOT = 's1' AND TIMESTAMP = '2024-01-01-00-00-00'")).toEqual({
      kind: 'ShowSnapshot',
      repository: 'repo',
      where: bin('AND', bin('=', col('SNAPSHOT'), str('s1')), bin('=', col('TIMESTAMP'), str('2024-01-01-00-00-00'))),
      orderBy: [],
    });
    expect(one("SHOW SNAPSHOT ON repo WHERE SNAPSHOT IN ('a', 'b')")).toMatchObject({ where: { kind: 'In', expr: col('SNAPSHOT'), list: [str('a'), str('b')] } });
    expect(one('SHOW REPOSITORIES')).toEqual({ kind: 'ShowRepositories' });
  });
});
