import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Broker } from '../../src/brokers/broker.ts';
import { openBroker } from '../../src/brokers/open-broker.ts';
import { iterateTablets, parseJobInfo, serializeJobInfo } from '../../src/repository/job-info.ts';
import { tabletDir } from '../../src/repository/layout.ts';
import { md5Hex } from '../../src/repository/md5.ts';
import { readAll } from '../../src/repository/repository-types.ts';
import { startS3Server, type S3TestServer } from '../support/s3-server.ts';
import { openFixture, type BackupFixture } from './backup-fixture.ts';
import { backupTo, createRepositorySql } from './lifecycle-helpers.ts';

/**
 * VERIFY SNAPSHOT names every kind of damage precisely — a deleted file, a truncated file, a flipped byte, a wrong
 * row count — with the path (or table and partition) and what is wrong, on file:// and on S3 (s3rver). `files` mode
 * sees what a listing can (missing, wrong size); `checksum` mode reads the data and sees all four.
 */

const PARTS = ['p1', 'p2', 'p3', 'p4'];

for (const kind of ['file', 's3'] as const) {
  describe(`VERIFY SNAPSHOT on ${kind === 'file' ? 'file://' : 'S3 (s3rver)'}`, () => {
    let s3: S3TestServer | undefined;
    let f: BackupFixture;
    let broker: Broker;
    let location = '';
    beforeAll(async () => {
      if (kind === 's3') s3 = await startS3Server({ bucket: 'tv-verify' });
    });
    afterAll(async () => {
      await s3?.close();
    });
    beforeEach(async () => {
      f = await openFixture();
      await f.exec('CREATE DATABASE d1');
      await f.exec('USE d1');
      const parts = PARTS.map((p, i) => `PARTITION ${p} VALUES LESS THAN ('${(i + 1) * 10}')`).join(', ');
      await f.exec(`CREATE TABLE t (k INT, v VARCHAR(20)) DUPLICATE KEY(k) PARTITION BY RANGE(k) (${parts}) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ("replication_num" = "1")`);
      await f.exec(`INSERT INTO t VALUES ${Array.from({ length: 40 }, (_, k) => `(${k}, 'value-${k}')`).join(', ')}`);
      const sql = createRepositorySql(kind, f, 'r1', s3);
      await f.exec(sql);
      location = /LOCATION '([^']+)'/.exec(sql)?.[1] ?? '';
      broker = await openBroker(location, s3?.properties ?? {});
    });
    afterEach(async () => {
      await f.close();
    });

    it('finds a deleted file, a truncated file, a flipped byte and a wrong row count, each by name', async () => {
      const { ts } = await backupTo(f, 'BACKUP SNAPSHOT d1.s1 TO r1 ON (t)', 's1', 'r1');
      const verify = (mode: string): Promise<(string | null)[][]> =>
        f.rows(`VERIFY SNAPSHOT s1 ON r1 PROPERTIES ("backup_timestamp" = "${ts}", "mode" = "${mode}")`);
      // Intact: both modes say OK; checksum mode reads every byte.
      const okFiles = await verify('files');
      expect(okFiles).toEqual([['OK', '1', '4', '8', expect.stringMatching(/^\d+$/), null, null]]);
      const okSum = await verify('checksum');
      expect(okSum.map((r) => r[0])).toEqual(['OK']);
      expect(Number(okSum[0]?.[4])).toBeGreaterThan(Number(okFiles[0]?.[4])); // + the meta file

      // Locate each partition's data file through the info file.
      const root = '__starrocks_repository_r1';
      const infoName = (await keysUnder(broker, `${root}/__ss_s1/`)).find((k) => k.includes('/__info_'));
      if (infoName === undefined) throw new Error('no info file');
      const info = parseJobInfo((await readAll(await broker.read(infoName))).toString('utf8'));
      const dat = new Map<string, string>();
      for (const t of iterateTablets(info)) {
        const ids = { dbId: info.dbId, tableId: t.table.id, partitionId: t.physicalPartitionId, indexId: t.index.id, tabletId: t.tablet.id };
        const name = t.tablet.files.find((n) => /\.dat\.[0-9a-f]{32}$/.test(n));
        if (name !== undefined) dat.set(t.partition.name, `${root}/${tabletDir('s1', ids)}/${name}`);
      }
      expect([...dat.keys()].sort()).toEqual(PARTS);
      const [deleted, truncated, flipped] = [dat.get('p1')!, dat.get('p2')!, dat.get('p3')!];
      // Damage: delete p1's file, cut p2's in half, flip one byte of p3's, and record a wrong row count for p4.
      await broker.delete(deleted);
      const whole = await readAll(await broker.read(truncated));
      await broker.write(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
      const bytes = Buffer.from(await readAll(await broker.read(flipped)));
      const at = Math.floor(bytes.length / 2);
      bytes[at] = (bytes[at] ?? 0) ^ 0x01;
      await broker.write(flipped, bytes);
      const stats = info.extension?.partitionStats['t']?.['p4'];
      if (info.extension === undefined || stats === undefined) throw new Error('no partition stats for p4');
      const lying = {
        ...info,
        extension: { ...info.extension, partitionStats: { t: { ...info.extension.partitionStats['t'], p4: { ...stats, rowCount: stats.rowCount + 1 } } } },
      };
      const text = serializeJobInfo(lying);
      await broker.write(`${root}/__ss_s1/__info_${ts}.${md5Hex(text)}`, Buffer.from(text));
      await broker.delete(infoName);

      const full = (key: string): string => `${location}/${key}`;
      const files = await verify('files');
      expect(files.slice(0, -1).map((r) => [r[0], r[5], r[6]])).toEqual([
        ['PROBLEM', full(deleted), expect.stringMatching(/^missing: the snapshot needs it \(its own file\), \d+ bytes$/)],
        ['PROBLEM', full(truncated), `truncated: ${Math.floor(whole.length / 2)} bytes stored, the snapshot records ${whole.length} bytes`],
      ]);
      expect(files.at(-1)?.slice(0, 4)).toEqual(['FAILED', '1', '4', '8']);
      expect(files.at(-1)?.[6]).toMatch(/^2 problems found; RESTORE this snapshot would fail/);

      const sum = await verify('checksum');
      expect(sum.slice(0, -1).map((r) => [r[5], r[6]])).toEqual([
        [full(deleted), expect.stringMatching(/^missing: /)],
        [full(truncated), expect.stringMatching(/^truncated: /)],
        [full(flipped), expect.stringMatching(new RegExp(`^content md5 is [0-9a-f]{32}, the snapshot records ${/\.([0-9a-f]{32})$/.exec(flipped)?.[1]} \\(the file was changed after the backup\\)$`))],
        ['t.p4', `the files hold ${stats.rowCount} rows, the snapshot records ${stats.rowCount + 1} rows for partition p4 of table t`],
      ]);
      expect(sum.at(-1)?.[0]).toBe('FAILED');
      // Restore mode does not restore a snapshot whose files are missing: it names them as files mode does.
      const restore = await verify('restore');
      expect(restore.map((r) => [r[0], r[5]])).toEqual([...files.slice(0, -1).map((r) => [r[0], r[5]]), ['FAILED', null]]);
      // An unknown label is named.
      await expect(f.exec('VERIFY SNAPSHOT nope ON r1')).rejects.toThrow('Snapshot does not exist in repository r1: nope');
    });
  });
}

async function keysUnder(broker: Broker, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of broker.list(prefix, { recursive: true })) if (!e.isDirectory) out.push(e.key);
  return out;
}
