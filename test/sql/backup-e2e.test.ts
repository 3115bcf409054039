import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseJobInfo } from '../../src/repository/job-info.ts';
import { parseBackupMeta } from '../../src/repository/backup-meta.ts';
import { startS3Server, type S3TestServer } from '../support/s3-server.ts';
import { startWebHdfsServer, type WebHdfsTestServer } from '../support/webhdfs-server.ts';
import { listTree, openFixture, seedDatabase, type BackupFixture } from './backup-fixture.ts';

const MD5_NAME = /^(.+)\.([0-9a-f]{32})$/;
const md5 = (file: string): string => createHash('md5').update(fs.readFileSync(file)).digest('hex');

let f: BackupFixture;
afterEach(async () => {
  await f?.close();
});

describe('BACKUP to file:// through SQL', () => {
  it('writes the StarRocks layout, shows the job and the snapshot, and drops it', async () => {
    f = await openFixture();
    await seedDatabase(f);
    const repoDir = path.join(f.dir, 'repo');
    await f.exec(`CREATE REPOSITORY r1 WITH BROKER ON LOCATION 'file://${repoDir}'`);
    const ok = await f.exec('BACKUP SNAPSHOT d1.snap1 TO r1');
    expect(ok.kind).toBe('ok');
    const row = await f.waitBackup('d1');
    expect(row).toHaveLength(14);
    expect(row.slice(1, 5)).toEqual(['snap1', 'd1', 'FINISHED', '[t], [u], [v]']);
    expect(row[12]).toBe('[OK]');
    expect(row[13]).toBe('86400');
    for (const i of [5, 6, 7, 8]) expect(row[i]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    // Layout: __repo_info, __ss_snap1/__meta.<md5>, __info_<ts>.<md5>, tablet dirs with <file>.<md5>.
    const root = path.join(repoDir, '__starrocks_repository_r1');
    const files = listTree(root);
    expect(files).toContain('__repo_info');
    const meta = files.filter((p) => /^__ss_snap1\/__meta\.[0-9a-f]{32}$/.test(p));
    const infos = files.filter((p) => /^__ss_snap1\/__info_\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d-\d{3}\.[0-9a-f]{32}$/.test(p));
    expect(meta).toHaveLength(1);
    expect(infos).toHaveLength(1);
    const content = files.filter((p) => p.startsWith('__ss_snap1/__ss_content/'));
    for (const p of [...content, ...meta, ...infos]) {
      const m = MD5_NAME.exec(path.basename(p));
      expect(m, p).not.toBeNull();
      expect(md5(path.join(root, p)), p).toBe(m?.[2]);
    }
    for (const p of content) expect(p).toMatch(/^__ss_snap1\/__ss_content\/__db_\d+\/__tbl_\d+\/__part_\d+\/__idx_\d+\/__\d+\/[^/]+$/);
    expect(files.some((p) => p.endsWith('.part'))).toBe(false);

    // The info file lists every tablet (2 + 2 for t, 3 for u) with exactly the files uploaded, and the stats.
    const info = parseJobInfo(fs.readFileSync(path.join(root, infos[0]!), 'utf8'));
    expect(info.name).toBe('snap1');
    expect(info.database).toBe('d1');
    expect(info.tables.map((t) => t.name)).toEqual(['t', 'u', 'v']);
    const listed = new Set<string>();
    for (const t of info.tables) for (const p of t.partitions) for (const idx of p.indexes) for (const tb of idx.tablets) for (const x of tb.files) listed.add(`${tb.id}/${x}`);
    expect(listed.size).toBe(content.length);
    for (const p of content) {
      const parts = p.split('/');
      expect(listed.has(`${parts[6]!.slice(2)}/${parts[7]}`), p).toBe(true);
    }
    expect(info.tables[0]!.partitions.map((p) => p.indexes[0]!.tablets.length)).toEqual([2, 2]);
    expect(info.extension?.partitionStats['t']).toMatchObject({ p1: { rowCount: 3 }, p2: { rowCount: 2 } });
    // Rows stored, before key-model merging (like SHOW PARTITIONS' RowCount): (2, 20) and its replacement (2, 21) both count.
    expect(info.extension?.partitionStats['u']?.['u']?.rowCount).toBe(4);
    expect(info.extension?.views['v']).toContain('SELECT');
    const metaDoc = parseBackupMeta(fs.readFileSync(path.join(root, meta[0]!), 'utf8'));
    expect(metaDoc.tables.map((t) => `${t.kind}:${t.name}`)).toEqual(['OLAP:t', 'OLAP:u', 'VIEW:v']);

    // The local job dir is gone; the only local snapshot left is the one kept for a local restore (keep_local_snapshots
    // defaults to 1): the job's own directory.
    const kept = new Set(['be1', 'be2', 'be3'].flatMap((be) => listTree(path.join(f.dataDir, be, 'snapshot')).map((p) => p.split('/')[0])));
    expect([...kept]).toHaveLength(1);
    expect([...kept][0]).toMatch(/^backup-\d+$/);
    expect(listTree(path.join(f.dataDir, 'tmp', 'backup'))).toEqual([]);

    // SHOW SNAPSHOT: both shapes.
    const ts = /__info_(.+)\.[0-9a-f]{32}$/.exec(infos[0]!)![1]!;
    const all = await f.exec('SHOW SNAPSHOT ON r1');
    expect(all.kind === 'rows' && all.columns).toEqual(['Snapshot', 'Timestamp', 'Status', 'FinishTime', 'TTL', 'ExpireTime']);
    const finish = expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(await f.rows('SHOW SNAPSHOT ON r1')).toEqual([['snap1', ts, 'OK', finish, null, null]]);
    expect(await f.rows("SHOW SNAPSHOT ON r1 WHERE SNAPSHOT = 'nope'")).toEqual([['nope', '', 'ERROR: no snapshot', null, null, null]]);
    expect(await f.rows("SHOW SNAPSHOT ON r1 WHERE SNAPSHOT IN ('snap1', 'nope')")).toEqual([['snap1', ts, 'OK', finish, null, null]]);
    const detail = await f.exec(`SHOW SNAPSHOT ON r1 WHERE TIMESTAMP = '${ts}' AND SNAPSHOT = 'snap1'`);
    expect(detail.kind === 'rows' && detail.columns).toEqual(['Snapshot', 'Timestamp', 'Database', 'Details', 'Status', 'FinishTime', 'TTL', 'ExpireTime']);
    const d = detail.kind === 'rows' ? detail.rows[0]! : [];
    expect([d[0], d[1], d[2], d[4]]).toEqual(['snap1', ts, 'd1', 'OK']);
    expect(JSON.parse(d[3]!)).toMatchObject({ name: 'snap1', database: 'd1', backup_objects: { t: { partitions: { p1: {}, p2: {} } } } });

    // The label is taken now.
    await expect(f.exec('BACKUP SNAPSHOT d1.snap1 TO r1')).rejects.toThrow("Snapshot with name 'snap1' already exist in repository");
    await expect(f.exec('BACKUP SNAPSHOT d1.snap1 TO r1 PROPERTIES ("type" = "incremental")')).rejects.toThrow('Currently does not support incremental backup');

    // DROP SNAPSHOT: this instance wrote it, so no FORCE needed.
    await expect(f.exec('DROP SNAPSHOT nope ON r1')).rejects.toThrow('Snapshot does not exist in repository r1: nope');
    await f.exec('DROP SNAPSHOT snap1 ON r1');
    expect(listTree(root)).toEqual(['__repo_info']);
    expect(await f.rows('SHOW SNAPSHOT ON r1')).toEqual([]);
  });

  it('backs up while INSERTs run and records exactly the pinned version', async () => {
    f = await openFixture();
    await f.exec('CREATE DATABASE d1');
    await f.exec('USE d1');
    await f.exec('CREATE TABLE t (id INT, batch INT) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 2');
    const repoDir = path.join(f.dir, 'repo');
    await f.exec(`CREATE REPOSITORY r1 WITH BROKER ON LOCATION 'file://${repoDir}'`);
    const writer = f.engine.session({ database: 'd1' });
    let batches = 0;
    let stop = false;
    const insert = async (): Promise<void> => {
      const b = ++batches;
      await writer.execute(`INSERT INTO t VALUES ${Array.from({ length: 5 }, (_, i) => `(${b * 10 + i}, ${b})`).join(', ')}`);
    };
    for (let i = 0; i < 3; i++) await insert();
    const loads = (async () => {
      while (!stop && batches < 200) await insert();
    })();
    await f.exec('BACKUP SNAPSHOT snap TO r1');
    const row = await f.waitBackup('d1');
    stop = true;
    await loads;
    expect(row[3]).toBe('FINISHED');
    const root = path.join(repoDir, '__starrocks_repository_r1', '__ss_snap');
    const infoFile = listTree(root).find((p) => p.startsWith('__info_'))!;
    const info = parseJobInfo(fs.readFileSync(path.join(root, infoFile), 'utf8'));
    const part = info.tables[0]!.partitions[0]!;
    // Version 1 is the empty table; each INSERT made one version: the snapshot holds exactly batches 1..V-1.
    const pinnedBatches = part.version - 1;
    expect(pinnedBatches).toBeGreaterThanOrEqual(3);
    expect(info.extension?.partitionStats['t']?.['t']?.rowCount).toBe(pinnedBatches * 5);
    // Every uploaded tablet header is at the pinned version and lists no newer rowset.
    for (const p of listTree(root).filter((x) => /\.hdr\.[0-9a-f]{32}$/.test(x))) {
      const hdr = JSON.parse(fs.readFileSync(path.join(root, p), 'utf8')) as { version: number; rowsets: { version: number }[] };
      expect(hdr.version).toBe(part.version);
      for (const r of hdr.rowsets) expect(r.version).toBeLessThanOrEqual(part.version);
    }
    // The loads went on: the table has more than the snapshot.
    const [[count]] = (await f.rows('SELECT COUNT(*) FROM t')) as [[string]];
    expect(Number(count)).toBe(batches * 5);
  });
});

describe('BACKUP to remote storage', () => {
  let s3: S3TestServer;
  let hdfs: WebHdfsTestServer;
  beforeAll(async () => {
    s3 = await startS3Server({ bucket: 'tv-backup' });
    hdfs = await startWebHdfsServer();
  });
  afterAll(async () => {
    await s3?.close();
    await hdfs?.close();
  });

  const kinds = [
    {
      name: 's3rver',
      create: () =>
        `CREATE REPOSITORY rr WITH BROKER ON LOCATION '${s3.location}/bk' PROPERTIES (${Object.entries(s3.properties)
          .map(([k, v]) => `"${k}" = "${v}"`)
          .join(', ')})`,
    },
    { name: 'WebHDFS fake', create: () => `CREATE REPOSITORY rr WITH BROKER ON LOCATION '${hdfs.url}/bk' PROPERTIES ("username" = "tv")` },
  ];
  for (const kind of kinds) {
    it(`runs a full backup on ${kind.name}`, async () => {
      f = await openFixture();
      await seedDatabase(f);
      await f.exec(kind.create());
      await f.exec('BACKUP DATABASE d1 SNAPSHOT s1 TO rr ON (TABLE t, u PARTITION (u), VIEW v)');
      const row = await f.waitBackup('d1');
      expect([row[3], row[4], row[12]]).toEqual(['FINISHED', '[t], [u PARTITION (u)], [v]', '[OK]']);
      const [[label, ts, status]] = (await f.rows('SHOW SNAPSHOT ON rr')) as [[string, string, string]];
      expect([label, status]).toEqual(['s1', 'OK']);
      const [detail] = await f.rows(`SHOW SNAPSHOT ON rr WHERE SNAPSHOT = 's1' AND TIMESTAMP = '${ts}'`);
      expect(detail?.[4]).toBe('OK');
      await f.exec('DROP SNAPSHOT s1 ON rr');
      expect(await f.rows('SHOW SNAPSHOT ON rr')).toEqual([]);
    });
  }
});
