import { describe, expect, it } from 'vitest';
import type { BackupRestoreObject } from '../../grammar/index.ts';
import { parseStatement } from '../../grammar/index.ts';
import { one } from './helpers.ts';

const objectsOf = (on: string): readonly BackupRestoreObject[] | undefined => {
  const stmt = parseStatement(`BACKUP SNAPSHOT s TO r ON (${on})`);
  if (stmt.kind !== 'Backup') throw new Error('not a backup');
  return stmt.objects;
};

describe('BACKUP', () => {
  it('parses the 3.0-compatible form', () => {
    expect(one('BACKUP SNAPSHOT db.snap1 TO repo ON (t1 PARTITION (p1, p2), t2) PROPERTIES ("type" = "full", "timeout" = "3600")')).toEqual({
      kind: 'Backup',
      label: { db: 'db', name: 'snap1' },
      repository: 'repo',
      objects: [
        { kind: 'BackupObject', objectType: 'TABLE', keyword: false, name: { name: 't1' }, partitions: { names: ['p1', 'p2'], temporary: false } },
        { kind: 'BackupObject', objectType: 'TABLE', keyword: false, name: { name: 't2' } },
      ],
      properties: [
        { key: 'type', value: 'full' },
        { key: 'timeout', value: '3600' },
      ],
    });
    expect(one('BACKUP SNAPSHOT snap TO repo')).toEqual({ kind: 'Backup', label: { name: 'snap' }, repository: 'repo', properties: [] });
  });

  it('parses the 3.4 database and external-catalog forms', () => {
    expect(one('BACKUP DATABASE sr_hub SNAPSHOT sr_hub_backup TO test_repo')).toEqual({
      kind: 'Backup',
      database: 'sr_hub',
      label: { name: 'sr_hub_backup' },
      repository: 'test_repo',
      properties: [],
    });
    expect(one('BACKUP ALL EXTERNAL CATALOGS SNAPSHOT all_catalog_backup TO test_repo')).toEqual({
      kind: 'Backup',
      externalCatalogs: { kind: 'AllExternalCatalogs' },
      label: { name: 'all_catalog_backup' },
      repository: 'test_repo',
      properties: [],
    });
    expect(one('BACKUP EXTERNAL CATALOGS (iceberg, hive) DATABASE d SNAPSHOT cat_backup TO test_repo')).toEqual({
      kind: 'Backup',
      externalCatalogs: { kind: 'ExternalCatalogs', catalogs: [{ name: 'iceberg' }, { name: 'hive' }] },
      database: 'd',
      label: { name: 'cat_backup' },
      repository: 'test_repo',
      properties: [],
    });
    expect(one('BACKUP EXTERNAL CATALOG (iceberg) SNAPSHOT s TO r')).toMatchObject({ externalCatalogs: { kind: 'ExternalCatalogs', catalogs: [{ name: 'iceberg' }] } });
  });

  it('rejects catalog aliases in BACKUP with a positioned 1064', () => {
    expect(() => parseStatement('BACKUP EXTERNAL CATALOG (ice AS x) SNAPSHOT s TO r')).toThrow(
      expect.objectContaining({ errno: 1064, line: 1, column: 30, message: expect.stringContaining('only in RESTORE') }),
    );
  });

  it('parses every object form', () => {
    const obj = (objectType: BackupRestoreObject['objectType'], name: string, extra: object = {}, keyword = true): BackupRestoreObject =>
      ({ kind: 'BackupObject', objectType, keyword, name: { name }, ...extra }) as BackupRestoreObject;
    const all = (objectType: BackupRestoreObject['objectType']): BackupRestoreObject => ({ kind: 'AllBackupObjects', objectType });
    expect(objectsOf('t')).toEqual([obj('TABLE', 't', {}, false)]);
    expect(objectsOf('db.t AS t2')).toEqual([{ kind: 'BackupObject', objectType: 'TABLE', keyword: false, name: { db: 'db', name: 't' }, alias: 't2' }]);
    expect(objectsOf('t PARTITION (p1, p2)')).toEqual([obj('TABLE', 't', { partitions: { names: ['p1', 'p2'], temporary: false } }, false)]);
    expect(objectsOf('t PARTITIONS p1, p2')).toEqual([obj('TABLE', 't', { partitions: { names: ['p1', 'p2'], temporary: false } }, false)]);
    expect(objectsOf('t TEMPORARY PARTITION (tp)')).toEqual([obj('TABLE', 't', { partitions: { names: ['tp'], temporary: true } }, false)]);
    expect(objectsOf("t PARTITION ('p1') AS x")).toEqual([obj('TABLE', 't', { partitions: { names: ['p1'], temporary: false }, alias: 'x' }, false)]);
    expect(objectsOf('TABLE t')).toEqual([obj('TABLE', 't')]);
    expect(objectsOf('TABLES t PARTITION (p) AS u')).toEqual([obj('TABLE', 't', { partitions: { names: ['p'], temporary: false }, alias: 'u' })]);
    expect(objectsOf('ALL TABLE')).toEqual([all('TABLE')]);
    expect(objectsOf('ALL TABLES')).toEqual([all('TABLE')]);
    expect(objectsOf('VIEW v')).toEqual([obj('VIEW', 'v')]);
    expect(objectsOf('VIEWS v AS w')).toEqual([obj('VIEW', 'v', { alias: 'w' })]);
    expect(objectsOf('ALL VIEW')).toEqual([all('VIEW')]);
    expect(objectsOf('ALL VIEWS')).toEqual([all('VIEW')]);
    expect(objectsOf('MATERIALIZED VIEW mv')).toEqual([obj('MATERIALIZED_VIEW', 'mv')]);
    expect(objectsOf('MATERIALIZED VIEWS mv AS mv2')).toEqual([obj('MATERIALIZED_VIEW', 'mv', { alias: 'mv2' })]);
    expect(objectsOf('ALL MATERIALIZED VIEW')).toEqual([all('MATERIALIZED_VIEW')]);
    expect(objectsOf('ALL MATERIALIZED VIEWS')).toEqual([all('MATERIALIZED_VIEW')]);
    expect(objectsOf('FUNCTION f')).toEqual([obj('FUNCTION', 'f')]);
    expect(objectsOf('FUNCTIONS db.f AS g')).toEqual([{ kind: 'BackupObject', objectType: 'FUNCTION', keyword: true, name: { db: 'db', name: 'f' }, alias: 'g' }]);
    expect(objectsOf('ALL FUNCTION')).toEqual([all('FUNCTION')]);
    expect(objectsOf('ALL FUNCTIONS')).toEqual([all('FUNCTION')]);
    // The reference's mixed example, and tables named like the non-reserved object keywords.
    expect(objectsOf('FUNCTION f, ALL VIEW, VIEW v1, t0 PARTITION (p1), TABLE t2 AS t3')).toEqual([
      obj('FUNCTION', 'f'),
      all('VIEW'),
      obj('VIEW', 'v1'),
      obj('TABLE', 't0', { partitions: { names: ['p1'], temporary: false } }, false),
      obj('TABLE', 't2', { alias: 't3' }),
    ]);
    expect(objectsOf('view, views, functions, materialized, snapshot')).toEqual(
      ['view', 'views', 'functions', 'materialized', 'snapshot'].map((n) => obj('TABLE', n, {}, false)),
    );
  });
});

describe('RESTORE', () => {
  it('parses the compatible and 3.4 forms', () => {
    expect(one('RESTORE SNAPSHOT db.snap FROM repo ON (t1 PARTITION (p1) AS t1_new, t2) PROPERTIES ("backup_timestamp" = "2024-12-09-10-25-58-842", "replication_num" = "1")')).toEqual({
      kind: 'Restore',
      label: { db: 'db', name: 'snap' },
      repository: 'repo',
      objects: [
        { kind: 'BackupObject', objectType: 'TABLE', keyword: false, name: { name: 't1' }, partitions: { names: ['p1'], temporary: false }, alias: 't1_new' },
        { kind: 'BackupObject', objectType: 'TABLE', keyword: false, name: { name: 't2' } },
      ],
      properties: [
        { key: 'backup_timestamp', value: '2024-12-09-10-25-58-842' },
        { key: 'replication_num', value: '1' },
      ],
    });
    expect(one("RESTORE SNAPSHOT s FROM r DATABASE d AS d2 ON (ALL TABLES, MATERIALIZED VIEW mv AS mv2) PROPERTIES ('backup_timestamp' = 'x')")).toEqual({
      kind: 'Restore',
      label: { name: 's' },
      repository: 'r',
      database: 'd',
      databaseAlias: 'd2',
      objects: [
        { kind: 'AllBackupObjects', objectType: 'TABLE' },
        { kind: 'BackupObject', objectType: 'MATERIALIZED_VIEW', keyword: true, name: { name: 'mv' }, alias: 'mv2' },
      ],
      properties: [{ key: 'backup_timestamp', value: 'x' }],
    });
    expect(one('RESTORE SNAPSHOT s FROM r EXTERNAL CATALOG (iceberg AS iceberg_new, hive) DATABASE d')).toEqual({
      kind: 'Restore',
      label: { name: 's' },
      repository: 'r',
      externalCatalogs: { kind: 'ExternalCatalogs', catalogs: [{ name: 'iceberg', alias: 'iceberg_new' }, { name: 'hive' }] },
      database: 'd',
      properties: [],
    });
    expect(one('RESTORE SNAPSHOT s FROM r ALL EXTERNAL CATALOGS')).toMatchObject({ externalCatalogs: { kind: 'AllExternalCatalogs' } });
  });
});

describe('CANCEL, repositories and snapshots', () => {
  it('parses CANCEL BACKUP / RESTORE', () => {
    expect(one('CANCEL BACKUP')).toEqual({ kind: 'CancelBackup', externalCatalog: false });
    expect(one('CANCEL BACKUP FROM db')).toEqual({ kind: 'CancelBackup', database: 'db', externalCatalog: false });
    expect(one('CANCEL BACKUP FOR EXTERNAL CATALOG')).toEqual({ kind: 'CancelBackup', externalCatalog: true });
    expect(one('CANCEL RESTORE IN db')).toEqual({ kind: 'CancelRestore', database: 'db', externalCatalog: false });
    expect(one('CANCEL RESTORE FOR EXTERNAL CATALOG')).toEqual({ kind: 'CancelRestore', externalCatalog: true });
  });

  it('parses CREATE / DROP REPOSITORY and DROP SNAPSHOT', () => {
    expect(one('CREATE REPOSITORY repo WITH BROKER ON LOCATION "s3a://bucket/path" PROPERTIES ("aws.s3.access_key" = "k")')).toEqual({
      kind: 'CreateRepository',
      readOnly: false,
      name: 'repo',
      location: 's3a://bucket/path',
      properties: [{ key: 'aws.s3.access_key', value: 'k', secret: { start: 101, end: 104 } }],
    });
    expect(one("CREATE READ ONLY REPOSITORY r WITH BROKER hdfs_broker ON LOCATION 'hdfs://h/p'")).toEqual({
      kind: 'CreateRepository',
      readOnly: true,
      name: 'r',
      broker: 'hdfs_broker',
      location: 'hdfs://h/p',
      properties: [],
    });
    expect(one("CREATE REPOSITORY r WITH BROKER 'my broker' ON LOCATION 'file:///x'")).toMatchObject({ broker: 'my broker' });
    expect(one('DROP REPOSITORY repo')).toEqual({ kind: 'DropRepository', name: 'repo' });
    expect(one('DROP SNAPSHOT snap1 ON repo')).toEqual({ kind: 'DropSnapshot', snapshot: 'snap1', repository: 'repo', force: false });
    expect(one('DROP SNAPSHOT snap1 ON repo FORCE')).toEqual({ kind: 'DropSnapshot', snapshot: 'snap1', repository: 'repo', force: true });
  });
});
