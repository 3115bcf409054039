import path from 'node:path';
import { expect } from 'vitest';
import type { JobRow } from '../../src/catalog/jobs-types.ts';
import type { S3TestServer } from '../support/s3-server.ts';
import type { BackupFixture } from './backup-fixture.ts';
import { runToEnd } from './restore-dataset.ts';

/** CREATE REPOSITORY on a file:// dir of the fixture or on s3rver (a prefix per fixture). */
export function createRepositorySql(kind: 'file' | 's3', f: BackupFixture, name: string, s3?: S3TestServer): string {
  if (kind === 'file') return `CREATE REPOSITORY ${name} WITH BROKER ON LOCATION 'file://${f.dir}/${name}'`;
  if (s3 === undefined) throw new Error('s3rver not started');
  const props = Object.entries(s3.properties).map(([k, v]) => `"${k}" = "${v}"`).join(', ');
  return `CREATE REPOSITORY ${name} WITH BROKER ON LOCATION '${s3.location}/${path.basename(f.dir)}-${name}' PROPERTIES (${props})`;
}

/** BACKUP to the end; returns the job and the snapshot's timestamp. */
export async function backupTo(f: BackupFixture, sql: string, label: string, repo: string): Promise<{ job: JobRow; ts: string }> {
  const job = await runToEnd(f, sql);
  expect([job.state, job.statusMsg]).toEqual(['FINISHED', '']);
  const rows = await f.rows(`SHOW SNAPSHOT ON ${repo} WHERE SNAPSHOT = '${label}'`);
  const ts = rows[0]?.[1];
  if (ts === undefined || ts === null) throw new Error(`no timestamp for ${label}`);
  return { job, ts };
}

/** RESTORE one table of a snapshot into `target` (created), one replica. */
export async function restoreTable(
  f: BackupFixture,
  o: { repo: string; label: string; ts: string; db: string; table: string; target: string; extra?: string },
): Promise<JobRow> {
  const extra = o.extra === undefined ? '' : `, ${o.extra}`;
  return runToEnd(
    f,
    `RESTORE SNAPSHOT ${o.label} FROM ${o.repo} DATABASE ${o.db} AS ${o.target} ON (${o.table}) PROPERTIES ("backup_timestamp" = "${o.ts}", "replication_num" = "1"${extra})`,
  );
}

/** Every row of a table, as sorted text lines. */
export async function tableRows(f: BackupFixture, db: string, table: string): Promise<string[]> {
  return (await f.rows(`SELECT * FROM ${db}.${table}`)).map((r) => r.join('\t')).sort();
}

/**
 * `d1.t` (k INT, v VARCHAR(20)) with `partitions` range partitions of 10 keys each, one bucket, one replica, and 10
 * rows in every partition; the session is left in d1.
 */
export async function seedPartitionedTable(f: BackupFixture, partitions: number): Promise<void> {
  await f.exec('CREATE DATABASE d1');
  await f.exec('USE d1');
  const parts = Array.from({ length: partitions }, (_, i) => `PARTITION p${i} VALUES LESS THAN ('${(i + 1) * 10}')`).join(', ');
  await f.exec(`CREATE TABLE t (k INT, v VARCHAR(20)) DUPLICATE KEY(k) PARTITION BY RANGE(k) (${parts}) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ("replication_num" = "1")`);
  await f.exec(`INSERT INTO t VALUES ${Array.from({ length: partitions * 10 }, (_, k) => `(${k}, 'v${k}')`).join(', ')}`);
}
