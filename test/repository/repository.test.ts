import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { Broker } from '../../src/brokers/broker.ts';
import { createBackupMeta } from '../../src/repository/backup-meta.ts';
import { META_VERSION, STARROCKS_META_VERSION, type BackupJobInfo } from '../../src/repository/job-info.ts';
import { md5Hex } from '../../src/repository/md5.ts';
import { Repository } from '../../src/repository/repository.ts';
import { ManualClock, formatDateTime } from '../../src/util/clock.ts';
import { tempDir } from './helpers.ts';
import { BROKER_KINDS, type BrokerKind } from './broker-kinds.ts';

const T0 = new Date(2024, 11, 9, 10, 25, 58, 842).getTime();
const ids = { dbId: 10001, tableId: 10002, partitionId: 10003, indexId: 10004, tabletId: 10005 };

function jobInfo(label: string, backupTime = T0): BackupJobInfo {
  return {
    name: label,
    database: 'db1',
    dbId: 10001,
    backupTime,
    tables: [{ name: 't1', id: 10002, partitions: [{ name: 't1', id: 10003, version: 2, subPartitions: [], indexes: [{ name: 't1', id: 10004, schemaHash: 7, tablets: [{ id: 10005, files: [] }] }] }] }],
    metaVersion: META_VERSION,
    starrocksMetaVersion: STARROCKS_META_VERSION,
    success: true,
  };
}
const meta = createBackupMeta({ id: 10001, name: 'db1', properties: {} }, []);

describe.each(BROKER_KINDS)('on $name', (kind: BrokerKind) => {
let unusable: string | null = null;
afterAll(async () => {
  await kind.teardown?.();
});
beforeAll(async () => {
  await kind.setup?.();
  const { dir: d, cleanup: c } = tempDir();
  unusable = (await kind.probe?.(d)) ?? null;
  c();
});
it('adapter completes a small write', () => {
  expect(unusable).toBeNull();
});
let dir: string;
let cleanup: () => void;
let broker: Broker;
let clock: ManualClock;
let loc: string;
const put = (key: string, text: string): Promise<unknown> => broker.write(key, Buffer.from(text));
const keys = async (prefix = ''): Promise<string[]> => {
  const out: string[] = [];
  for await (const e of broker.list(prefix, { recursive: true })) out.push(e.key);
  return out.sort();
};

beforeEach(async (ctx) => {
  if (unusable !== null) ctx.skip();
  ({ dir, cleanup } = tempDir());
  broker = await kind.open(dir);
  loc = broker.location.replace(/\/+$/, '');
  clock = new ManualClock(T0);
});
afterEach(async () => {
  if (unusable !== null) return;
  await broker.close();
  await kind.cleanup?.();
  cleanup();
});

describe('Repository.attach', () => {
  it('creates __repo_info on a fresh location and re-attaches a second instance to it', async () => {
    const first = await Repository.attach(broker, 'repo1', { clock });
    expect(first.created).toBe(true);
    expect((await keys()).filter((k) => k.endsWith('__repo_info'))).toEqual(['__starrocks_repository_repo1/__repo_info']);
    const chunks: Buffer[] = [];
    for await (const c of await broker.read('__starrocks_repository_repo1/__repo_info')) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(`{"create_time":"${formatDateTime(T0)}","name":"repo1"}`);

    clock.advance(3_600_000);
    const other = await kind.open(dir, false);
    const second = await Repository.attach(other, 'repo1', { clock });
    expect(second.created).toBe(false);
    // Second precision, like the file.
    expect(second.createTime).toBe(Math.floor(T0 / 1000) * 1000);
    expect(second.repository.createTime).toBe(second.createTime);
    await other.close();
  });

  it('prefers an existing __palo_repository_ directory', async () => {
    await put('__palo_repository_old/__repo_info', '{"name":"old","create_time":"2018-05-04 16:45:08"}');
    const r = await Repository.attach(broker, 'old', { clock });
    expect(r.created).toBe(false);
    expect(r.repository.root).toBe('__palo_repository_old');
    expect(formatDateTime(r.createTime)).toBe('2018-05-04 16:45:08');
    const reopened = await Repository.reopen(broker, 'old', { createTime: r.createTime });
    expect(reopened.root).toBe('__palo_repository_old');
  });

  it('refuses a directory with more than one repo info file', async () => {
    await put('__starrocks_repository_r/__repo_info', '{"name":"r","create_time":"2024-01-01 00:00:00"}');
    await put('__starrocks_repository_r/__repo_info.bak', '{}');
    await expect(Repository.attach(broker, 'r', { clock })).rejects.toThrow(
      `Failed to create repository: Invalid repository dir. expected one repo info file. get more: [${loc}/__starrocks_repository_r/__repo_info, ${loc}/__starrocks_repository_r/__repo_info.bak]`,
    );
  });

  it('reports an unparsable create_time', async () => {
    await put('__starrocks_repository_r/__repo_info', '{"name":"r","create_time":"yesterday"}');
    await expect(Repository.attach(broker, 'r', { clock })).rejects.toThrow('Failed to create repository: failed to parse create time of repository: yesterday');
  });

  it('ping reports a missing root and null when present', async () => {
    const { repository } = await Repository.attach(broker, 'p', { clock });
    expect(await repository.ping()).toBeNull();
    await broker.deletePrefix('__starrocks_repository_p/');
    expect(await repository.ping()).toBe(`remote path does not exist: ${loc}/__starrocks_repository_p`);
  });
});

describe('checksum protocol', () => {
  let repo: Repository;
  beforeEach(async () => {
    repo = (await Repository.attach(broker, 'repo1', { clock })).repository;
  });

  // Data files come back through RESTORE's downloadTablets (test/jobs/restore-transfer.test.ts); meta and job-info
  // files through readVerified, as here.
  it('uploads as <file>.<md5> and reads it back md5-verified', async () => {
    const local = path.join(dir, 'seg.dat');
    fs.writeFileSync(local, 'hello segment');
    const md5 = md5Hex('hello segment');
    const key = `__ss_l1/__ss_content/__db_1/__tbl_2/__part_3/__idx_4/__5/5_0.dat`;
    const progress: number[] = [];
    const stored = await repo.uploadFile(local, key, md5, 13, { onProgress: (n) => progress.push(n) });
    expect(stored.key).toBe(`${key}.${md5}`);
    expect(await keys()).toContain(`__starrocks_repository_repo1/${key}.${md5}`);
    expect(progress.at(-1)).toBe(13);
    expect(await repo.locate(key)).toEqual({ key: `${key}.${md5}`, md5, size: 13 });
    expect((await repo.readVerified(key)).toString('utf8')).toBe('hello segment');
  });

  it('a corrupted remote file fails with the md5 error', async () => {
    const stored = await repo.uploadBytes(Buffer.from('original'), '__ss_l1/__meta');
    await put(`__starrocks_repository_repo1/${stored.key}`, 'tampered');
    await expect(repo.readVerified('__ss_l1/__meta')).rejects.toMatchObject({
      code: 'BAD_FILE',
      message: `md5sum does not equal. local: ${md5Hex('tampered')}, remote: ${md5Hex('original')}`,
    });
  });

  it('a .part left by a crash is ignored by lookups and replaced by the next upload', async () => {
    await put('__starrocks_repository_repo1/__ss_l2/__meta.part', 'half a fi');
    // The .part alone is one entry with no checksum.
    await expect(repo.readVerified('__ss_l2/__meta')).rejects.toThrow(
      `file name should contains checksum: ${loc}/__starrocks_repository_repo1/__ss_l2/__meta.part`,
    );
    await repo.writeMeta('l2', meta);
    expect(await keys('__starrocks_repository_repo1/__ss_l2/')).toEqual([
      `__starrocks_repository_repo1/__ss_l2/__meta.${md5Hex(JSON.stringify(meta, null, 1) + '\n')}`,
    ]);
    expect(await repo.readMeta('l2')).toEqual(meta);
  });

  it('lookup errors: none, several, a strict prefix', async () => {
    const p = (k: string): string => `${loc}/__starrocks_repository_repo1/${k}`;
    await expect(repo.locate('__ss_x/__meta')).rejects.toThrow(`Expected one file with path: ${p('__ss_x/__meta')}. get: 0`);
    await repo.uploadBytes(Buffer.from('a'), '__ss_x/__info_2024-01-01-00-00-00-001');
    await repo.uploadBytes(Buffer.from('b'), '__ss_x/__info_2024-01-01-00-00-00-002');
    await expect(repo.readJobInfo('x', '2024-01-01')).rejects.toThrow(`Expected one file with path: ${p('__ss_x/__info_2024-01-01')}. get: 2`);
    await expect(repo.readJobInfo('x', '2024-01-01-00-00-00-00')).rejects.toThrow(`Expected one file with path: ${p('__ss_x/__info_2024-01-01-00-00-00-00')}. get: 2`);
    // One match that is not the exact name: StarRocks' endsWith check.
    await expect(repo.readJobInfo('x', '2024-01-01-00-00-00-00', undefined).catch(() => repo.locate('__ss_x/__info_2024-01-01-00-00-00-0021'))).rejects.toThrow(
      /Expected one file/,
    );
    await repo.uploadBytes(Buffer.from('c'), '__ss_y/__info_2024-01-01-00-00-00-003');
    await expect(repo.locate('__ss_y/__info_2024')).rejects.toThrow(`File does not exist: ${p('__ss_y/__info_2024')}`);
    await expect(repo.locate('__ss_y')).rejects.toThrow(`Expected file with path: ${p('__ss_y')}. but get dir`);
  });

  it('refuses writes on a read-only repository', async () => {
    const ro = await Repository.reopen(broker, 'repo1', { createTime: T0, readOnly: true });
    await expect(ro.uploadBytes(Buffer.from('x'), '__ss_a/__meta')).rejects.toThrow('Repository repo1 is read only');
    await expect(ro.deleteSnapshot('a')).rejects.toThrow('Repository repo1 is read only');
  });
});

describe('snapshots', () => {
  let repo: Repository;
  beforeEach(async () => {
    repo = (await Repository.attach(broker, 'repo1', { clock })).repository;
  });

  it('writes meta then info last, lists snapshots and SHOW SNAPSHOT rows', async () => {
    await expect(repo.writeJobInfo('s1', jobInfo('s1'))).rejects.toThrow(/Expected one file with path: .*__ss_s1\/__meta\. get: 0/);
    await repo.writeMeta('s1', meta);
    await repo.writeJobInfo('s1', jobInfo('s1'));
    await repo.writeMeta('s2', meta);
    await repo.writeJobInfo('s2', jobInfo('s2', T0 + 1));
    await repo.writeJobInfo('s2', jobInfo('s2', T0 + 86_400_000));
    // A crash left a temp info file in s3, and s4 only has data.
    await repo.uploadBytes(Buffer.from('x'), '__ss_s4/__ss_content/__db_1/__tbl_2/__part_3/__idx_4/__5/5_0.dat');
    await put('__starrocks_repository_repo1/__ss_s4/__info_2018-04-18-20-11-00.part', '');

    expect(await repo.listSnapshots()).toEqual(['s1', 's2', 's4']);
    expect(await repo.snapshotExists('s2')).toBe(true);
    expect(await repo.snapshotExists('s3')).toBe(false);
    // Beyond StarRocks (which says OK for any info file): OK means restorable — one info file, one meta file.
    const infos2 = (await repo.labelDirectory('s2')).infos;
    expect(infos2).toHaveLength(2);
    expect(await repo.snapshotInfos()).toEqual([
      { snapshot: 's1', timestamp: '2024-12-09-10-25-58-842', status: 'OK' },
      {
        snapshot: 's2',
        timestamp: '2024-12-09-10-25-58-843\n2024-12-10-10-25-58-842',
        status: `ERROR: not restorable: 2 info files (${infos2.join(', ')}); DROP SNAPSHOT s2 ON repo1 FORCE removes it`,
      },
      {
        snapshot: 's4',
        timestamp: 'Invalid: __info_2018-04-18-20-11-00.part',
        status: 'ERROR: not restorable: no meta file; no checksum in __info_2018-04-18-20-11-00.part; DROP SNAPSHOT s4 ON repo1 FORCE removes it',
      },
    ]);
    await expect(repo.readMeta('s2')).rejects.toThrow(
      `snapshot 's2' in repository repo1 is not restorable: it holds 2 info files (${infos2.join(', ')}), where one backup writes exactly one info and one meta file. Drop it with DROP SNAPSHOT s2 ON repo1 FORCE and back up again`,
    );
    expect(await repo.snapshotInfos(['s1', 'nope'])).toEqual([{ snapshot: 's1', timestamp: '2024-12-09-10-25-58-842', status: 'OK' }]);
    expect(await repo.snapshotInfo('missing')).toEqual({ snapshot: 'missing', timestamp: '', status: 'ERROR: no snapshot' });

    const detail = await repo.snapshotDetail('s1', '2024-12-09-10-25-58-842');
    expect(detail).toMatchObject({ snapshot: 's1', timestamp: '2024-12-09-10-25-58-842', database: 'db1', status: 'OK' });
    expect(JSON.parse(detail.details!)).toEqual({
      name: 's1', database: 'db1', backup_time: T0, backup_objects: { t1: { partitions: { t1: {} } } },
      meta_version: 92, starrocks_meta_version: 3, backup_result: 'succeed',
    });
    const bad = await repo.snapshotDetail('s1', '2099');
    expect(bad).toEqual({
      snapshot: 's1', timestamp: '2099', database: null, details: null,
      status: `Failed to get info: Expected one file with path: ${loc}/__starrocks_repository_repo1/__ss_s1/__info_2099. get: 0`,
    });
    expect((await repo.readJobInfo('s1', '2024-12-09-10-25-58-842')).tables[0]!.name).toBe('t1');
  });

  it('lists tablet files for resume, per tablet and per snapshot', async () => {
    const key = '__ss_s/__ss_content/__db_10001/__tbl_10002/__part_10003/__idx_10004/__10005/10005_0.dat';
    const stored = await repo.uploadBytes(Buffer.from('seg'), key);
    await put(`__starrocks_repository_repo1/${key.replace('_0.dat', '_1.dat.part')}`, 'x');
    const files = await repo.listTabletFiles('s', ids);
    expect(files).toEqual([
      { storedName: `10005_0.dat.${stored.md5}`, fileName: '10005_0.dat', md5: stored.md5, size: 3 },
      { storedName: '10005_1.dat.part', fileName: null, md5: null, size: 1 },
    ]);
    const all = await repo.listSnapshotFiles('s');
    expect(all.map((f) => [f.ids.tabletId, f.storedName])).toEqual([[10005, `10005_0.dat.${stored.md5}`], [10005, '10005_1.dat.part']]);
    expect(await repo.listTabletFiles('other', ids)).toEqual([]);
  });

  it('deleteSnapshot removes everything under __ss_<label> only', async () => {
    await repo.writeMeta('a', meta);
    await repo.writeJobInfo('a', jobInfo('a'));
    await repo.writeMeta('ab', meta);
    expect(await repo.deleteSnapshot('a')).toBe(2);
    expect(await repo.listSnapshots()).toEqual(['ab']);
  });
});
});
