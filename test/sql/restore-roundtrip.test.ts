import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Server, type S3TestServer } from '../support/s3-server.ts';
import { startWebHdfsServer, type WebHdfsTestServer } from '../support/webhdfs-server.ts';
import { openFixture, type BackupFixture } from './backup-fixture.ts';
import { datasetContents, partitionRowCounts, runToEnd, seedDataset } from './restore-dataset.ts';

/**
 * BACKUP → damage → RESTORE through SQL on the library Engine, with a ~100k-row database of every key model, range
 * and list partitions, a view, NULLs and every column type. Full ordered SELECT outputs and per-partition row counts
 * must come back identical.
 */

const OLAP = ['events', 'accounts', 'regions', 'totals'] as const;

async function backup(f: BackupFixture, db: string, label: string, repo: string): Promise<string> {
  const job = await runToEnd(f, `BACKUP SNAPSHOT ${db}.${label} TO ${repo}`);
  expect([job.state, job.statusMsg]).toEqual(['FINISHED', '']);
  const rows = await f.rows(`SHOW SNAPSHOT ON ${repo} WHERE SNAPSHOT = '${label}'`);
  const ts = rows[0]?.[1];
  if (ts === undefined || ts === null) throw new Error('no snapshot timestamp');
  return ts;
}

async function allCounts(f: BackupFixture, db: string): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = {};
  for (const t of OLAP) out[t] = await partitionRowCounts(f, db, t);
  return out;
}

function repoSql(kind: string, s3: S3TestServer | undefined, dir: string, name: string): string {
  if (kind === 'file') return `CREATE REPOSITORY ${name} WITH BROKER ON LOCATION 'file://${dir}/repo'`;
  const props = Object.entries(s3!.properties).map(([k, v]) => `"${k}" = "${v}"`).join(', ');
  return `CREATE REPOSITORY ${name} WITH BROKER ON LOCATION '${s3!.location}/${path.basename(dir)}' PROPERTIES (${props})`;
}

let s3: S3TestServer | undefined;
beforeAll(async () => {
  s3 = await startS3Server({ bucket: 'tv-restore' });
});
afterAll(async () => {
  await s3?.close();
});

describe.each(['file', 's3rver'])('RESTORE round trip on %s', (kind) => {
  let f: BackupFixture;
  let original: Record<string, string[]>;
  let counts: Record<string, Record<string, string>>;
  let ts: string;
  const repo = 'repo1';

  beforeAll(async () => {
    f = await openFixture();
    await seedDataset(f, 'shop');
    original = await datasetContents(f, 'shop');
    counts = await allCounts(f, 'shop');
    expect(Object.values(original).slice(0, 4).reduce((n, rows) => n + rows.length, 0)).toBeGreaterThan(80_000);
    await f.exec(repoSql(kind, s3, f.dir, repo));
    ts = await backup(f, 'shop', 'snap1', repo);
  }, 60_000);
  afterAll(async () => {
    await f?.close();
  });

  it('restores a dropped database whole: same rows, same partitions, SHOW RESTORE per StarRocks', async () => {
    await f.exec('DROP DATABASE shop');
    const job = await runToEnd(f, `RESTORE SNAPSHOT shop.snap1 FROM ${repo} PROPERTIES ("backup_timestamp" = "${ts}")`);
    expect([job.state, job.statusCode, job.statusMsg]).toEqual(['FINISHED', 'OK', '']);
    expect(await datasetContents(f, 'shop')).toEqual(original);
    expect(await allCounts(f, 'shop')).toEqual(counts);
    const [row] = await f.rows('SHOW RESTORE FROM shop');
    expect(row).toHaveLength(18);
    expect(row?.slice(1, 8)).toEqual([
      'snap1', ts, 'shop', 'FINISHED', 'false', '3',
      'accounts, events PARTITIONS [p2024, p2025, pmax], regions PARTITIONS [p_east, p_west, p_other], totals PARTITIONS [t1, t2], v_totals',
    ]);
    for (const i of [8, 9, 10, 11, 12]) expect(row?.[i]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(row?.slice(13)).toEqual(['', '', '', '[OK]', '86400']);
    // The restored tables take the restore's replication_num (default min(3, backends) = 3), not the snapshot's
    // (regions and totals were backed up with 1, events with 2): in the catalog, and as replicas on 3 backends.
    for (const table of OLAP) {
      const partitions = await f.rows(`SHOW PARTITIONS FROM shop.${table}`);
      expect(partitions.map((p) => p[10]), table).toEqual(partitions.map(() => '3'));
      const backendsOf = new Map<string, Set<string>>();
      for (const [tabletId, , backendId] of await f.rows(`SHOW TABLET FROM shop.${table}`)) {
        backendsOf.set(tabletId!, (backendsOf.get(tabletId!) ?? new Set()).add(backendId!));
      }
      expect(backendsOf.size, table).toBeGreaterThan(0);
      for (const [tabletId, backends] of backendsOf) expect(backends.size, `${table} tablet ${tabletId}`).toBe(3);
    }
    // No local snapshot or staging dir is left behind.
    expect(fs.existsSync(path.join(f.dataDir, 'restore')) ? fs.readdirSync(path.join(f.dataDir, 'restore')) : []).toEqual([]);
  }, 60_000);

  if (kind !== 'file') return;

  it('overwrites damaged existing tables (deleted rows, truncated) in place', async () => {
    // events is DUPLICATE KEY: StarRocks takes only column-op-value conditions there (not `id % 5 = 0`).
    await f.exec('DELETE FROM shop.events WHERE id > 50000');
    await f.exec('TRUNCATE TABLE shop.accounts');
    await f.exec("INSERT INTO shop.totals VALUES (1, 1000, 1, 1, 'damage')");
    const job = await runToEnd(f, `RESTORE SNAPSHOT shop.snap1 FROM ${repo} ON (events, TABLE accounts, totals) PROPERTIES ("backup_timestamp" = "${ts}")`);
    expect([job.state, job.statusMsg]).toEqual(['FINISHED', '']);
    expect(await datasetContents(f, 'shop')).toEqual(original);
    expect(await allCounts(f, 'shop')).toEqual(counts);
  }, 60_000);

  it('restores only the named partitions and leaves the others as they are', async () => {
    await f.exec("DELETE FROM shop.events WHERE d < '2025-01-01'");
    await f.exec("INSERT INTO shop.events (d, id) VALUES ('2025-06-01', 9999999)");
    const job = await runToEnd(f, `RESTORE SNAPSHOT shop.snap1 FROM ${repo} ON (events PARTITION (p2024)) PROPERTIES ("backup_timestamp" = "${ts}")`);
    expect([job.state, job.statusMsg]).toEqual(['FINISHED', '']);
    const [row] = await f.rows('SHOW RESTORE FROM shop');
    expect(row?.[7]).toBe('events PARTITIONS [p2024]');
    const now = await partitionRowCounts(f, 'shop', 'events');
    expect(now['p2024']).toBe(counts['events']?.['p2024']);
    expect(Number(now['p2025'])).toBe(Number(counts['events']?.['p2025']) + 1);
    await f.exec('DELETE FROM shop.events WHERE id = 9999999');
    expect((await datasetContents(f, 'shop', ['events']))['events']).toEqual(original['events']);
  }, 60_000);

  it('restores under an alias next to the original', async () => {
    const job = await runToEnd(f, `RESTORE SNAPSHOT shop.snap1 FROM ${repo} ON (regions AS regions_copy, VIEW v_totals AS v2) PROPERTIES ("backup_timestamp" = "${ts}", "replication_num" = "1")`);
    expect([job.state, job.statusMsg]).toEqual(['FINISHED', '']);
    const copy = await f.rows('SELECT * FROM shop.regions_copy ORDER BY region, id');
    expect(copy.map((r) => r.map((v) => v ?? '\\N').join('\t'))).toEqual(original['regions']);
    expect(await partitionRowCounts(f, 'shop', 'regions_copy')).toEqual(counts['regions']);
    expect((await f.rows('SELECT COUNT(*) FROM shop.v2'))[0]).toEqual(['100']);
  }, 60_000);

  it('restores DATABASE shop AS shop2 into a database it creates', async () => {
    const job = await runToEnd(f, `RESTORE SNAPSHOT snap1 FROM ${repo} DATABASE shop AS shop2 PROPERTIES ("backup_timestamp" = "${ts}")`);
    expect([job.state, job.statusMsg, job.dbName]).toEqual(['FINISHED', '', 'shop2']);
    const restored = await datasetContents(f, 'shop2', ['events', 'accounts', 'regions', 'totals']);
    for (const t of OLAP) expect(restored[t], t).toEqual(original[t]);
    for (const t of OLAP) expect(await partitionRowCounts(f, 'shop2', t), t).toEqual(counts[t]);
  }, 60_000);

  it('restores into another data dir that re-attached the same repository', async () => {
    const other = await openFixture({ backends: 2 });
    try {
      // Same location and name: CREATE REPOSITORY re-attaches to the existing __starrocks_repository_repo1.
      await other.exec(repoSql(kind, s3, f.dir, repo));
      const snaps = await other.rows(`SHOW SNAPSHOT ON ${repo}`);
      expect(snaps.map((r) => r[0])).toContain('snap1');
      const job = await runToEnd(other, `RESTORE SNAPSHOT shop.snap1 FROM ${repo} PROPERTIES ("backup_timestamp" = "${ts}")`);
      expect([job.state, job.statusMsg]).toEqual(['FINISHED', '']);
      // Two backends: the default replication_num is 2, not StarRocks' 3.
      expect((await other.rows('SHOW RESTORE FROM shop'))[0]?.[6]).toBe('2');
      expect(await datasetContents(other, 'shop')).toEqual(original);
    } finally {
      await other.close();
    }
  }, 60_000);
});

describe('RESTORE from WebHDFS', () => {
  let hdfs: WebHdfsTestServer;
  beforeAll(async () => {
    hdfs = await startWebHdfsServer();
  });
  afterAll(async () => {
    await hdfs?.close();
  });

  it('round-trips a table through the WebHDFS fake', async () => {
    const f = await openFixture();
    try {
      await f.exec('CREATE DATABASE h');
      await f.exec("CREATE TABLE h.t (k INT, v VARCHAR(10)) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 2 PROPERTIES ('replication_num' = '1')");
      await f.exec("INSERT INTO h.t SELECT generate_series, concat('x', generate_series) FROM TABLE(generate_series(1, 2000))");
      const before = await f.rows('SELECT * FROM h.t ORDER BY k');
      await f.exec(`CREATE REPOSITORY hr WITH BROKER ON LOCATION '${hdfs.url}/bk' PROPERTIES ("username" = "tv")`);
      const ts = await backup(f, 'h', 'hs', 'hr');
      await f.exec('DROP TABLE h.t');
      const job = await runToEnd(f, `RESTORE SNAPSHOT h.hs FROM hr PROPERTIES ("backup_timestamp" = "${ts}")`);
      expect([job.state, job.statusMsg]).toEqual(['FINISHED', '']);
      expect(await f.rows('SELECT * FROM h.t ORDER BY k')).toEqual(before);
    } finally {
      await f.close();
    }
  }, 60_000);
});

