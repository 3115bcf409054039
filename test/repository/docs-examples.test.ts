import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openCatalog, type Catalog } from '../../src/catalog/catalog.ts';
import { CatalogRepositoryStore } from '../../src/catalog/repositories.ts';
import { createBackupMeta } from '../../src/repository/backup-meta.ts';
import { META_VERSION, STARROCKS_META_VERSION } from '../../src/repository/job-info.ts';
import { md5Hex } from '../../src/repository/md5.ts';
import { RepositoryManager } from '../../src/repository/repository-manager.ts';
import { SECRET_KEY_FILE_NAME, SecretBox } from '../../src/repository/secret-box.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { listTree, tempDir } from './helpers.ts';

/**
 * What docs/repositories.md states beyond its SQL examples (those run in test/docs/docs-examples.test.ts): the
 * `__repo_info` content, the remote layout of a backup's files, SHOW SNAPSHOT's status of a label without an info
 * file, re-attaching with the recorded create time, and the secret key file's mode — through the repository manager.
 */
describe('docs/repositories.md facts', () => {
  let dir: string;
  let cleanup: () => void;
  const open: { catalog: Catalog; manager: RepositoryManager }[] = [];
  const clock = new ManualClock(new Date(2026, 0, 2, 3, 4, 5).getTime());

  async function instance(name: string): Promise<RepositoryManager> {
    const catalog = openCatalog(path.join(dir, `${name}.db`));
    const manager = new RepositoryManager({
      store: new CatalogRepositoryStore(catalog),
      secrets: await SecretBox.open(path.join(dir, name, SECRET_KEY_FILE_NAME)),
      clock,
    });
    open.push({ catalog, manager });
    return manager;
  }

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
  });
  afterEach(async () => {
    for (const o of open.splice(0)) {
      await o.manager.close();
      o.catalog.close();
    }
    cleanup();
  });

  it('CREATE / SHOW / re-attach / DROP / layout / SHOW SNAPSHOT', async () => {
    const nas = path.join(dir, 'mnt/nas/backup');
    const m = await instance('a');
    // CREATE REPOSITORY nightly WITH BROKER ON LOCATION 'file:///mnt/nas/backup/';
    await m.create({ name: 'nightly', location: `file://${nas}/` });
    expect(m.showRows()).toEqual([['10001', 'nightly', '2026-01-02 03:04:05', 'false', `file://${nas}`, '', null]]);
    expect(fs.readFileSync(path.join(nas, '__starrocks_repository_nightly/__repo_info'), 'utf8')).toBe(
      '{"create_time":"2026-01-02 03:04:05","name":"nightly"}',
    );
    // CREATE READ ONLY REPOSITORY … WITH BROKER hdfs_broker …: the name is recorded and shown.
    await m.create({ name: 'prod_snapshots', location: `file://${nas}`, readOnly: true, brokerName: 'hdfs_broker' });
    expect(m.showRows()[1]!.slice(3, 6)).toEqual(['true', `file://${nas}`, 'hdfs_broker']);

    // A backup's files, in the documented order (data, meta, info last).
    const repo = await m.get('nightly');
    const seg = path.join(dir, 'seg.dat');
    fs.writeFileSync(seg, 'rows');
    await repo.uploadFile(seg, '__ss_snap1/__ss_content/__db_10001/__tbl_10002/__part_10003/__idx_10004/__10005/10005_0.dat', md5Hex('rows'), 4);
    await repo.writeMeta('snap1', createBackupMeta({ id: 10001, name: 'db1', properties: {} }, []));
    await repo.writeJobInfo('snap1', {
      name: 'snap1', database: 'db1', dbId: 10001, backupTime: clock.now(), tables: [],
      metaVersion: META_VERSION, starrocksMetaVersion: STARROCKS_META_VERSION, success: true,
    });
    await repo.writeMeta('cancelled', createBackupMeta({ id: 10001, name: 'db1', properties: {} }, []));
    const tree = listTree(path.join(nas, '__starrocks_repository_nightly')).map((k) => k.replace(/\.[0-9a-f]{32}$/, '.<md5>'));
    expect(tree).toEqual([
      '__repo_info',
      '__ss_cancelled/__meta.<md5>',
      '__ss_snap1/__info_2026-01-02-03-04-05-000.<md5>',
      '__ss_snap1/__meta.<md5>',
      '__ss_snap1/__ss_content/__db_10001/__tbl_10002/__part_10003/__idx_10004/__10005/10005_0.dat.<md5>',
    ]);
    expect(await repo.snapshotInfos()).toEqual([
      { snapshot: 'cancelled', timestamp: '', status: 'ERROR: no snapshot' },
      { snapshot: 'snap1', timestamp: '2026-01-02-03-04-05-000', status: 'OK' },
    ]);

    // DROP REPOSITORY nightly; — remote data stays; a second instance re-attaches and sees the snapshot.
    await m.drop('nightly');
    expect(fs.existsSync(path.join(nas, '__starrocks_repository_nightly/__ss_snap1'))).toBe(true);
    clock.advance(3_600_000);
    const other = await instance('b');
    const info = await other.create({ name: 'nightly', location: `file://${nas}`, readOnly: true });
    expect(info.createTime).toBe(new Date(2026, 0, 2, 3, 4, 5).getTime());
    expect(await (await other.get('nightly')).listSnapshots()).toEqual(['cancelled', 'snap1']);
    expect((fs.statSync(path.join(dir, 'b', SECRET_KEY_FILE_NAME)).mode & 0o777).toString(8)).toBe('600');
  });
});
