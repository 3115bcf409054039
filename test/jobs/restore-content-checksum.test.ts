import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { md5Hex } from '../../src/repository/md5.ts';
import { decodeSegment } from '../../src/storage/segment/segment-reader.ts';
import { encodeSegment } from '../../src/storage/segment/segment-writer.ts';
import type { Row } from '../../src/types/index.ts';
import { listTree, openFixture, seedDatabase, unkeptSnapshotFiles, type BackupFixture } from '../sql/backup-fixture.ts';
import { runToEnd } from '../sql/restore-dataset.ts';

/**
 * The per-partition content checksum of the rows: BACKUP records it (tablevault.partition_stats.*.content_checksum),
 * RESTORE recomputes it from the files it downloaded and refuses — before publishing — a snapshot whose data was
 * changed, even when every md5 the repository records was fixed to match. Snapshots without it still restore, and
 * segments written before content hashes existed get theirs once, when a backup first needs it.
 */

let f: BackupFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

interface Info {
  tablevault: { partition_stats: Record<string, Record<string, { row_count: number; checksum: string; content_checksum?: string }>> };
}

function snapshotDir(fx: BackupFixture): string {
  return path.join(fx.dir, 'repo', '__starrocks_repository_r1', '__ss_s');
}

function infoFile(fx: BackupFixture): string {
  const dir = snapshotDir(fx);
  return path.join(dir, fs.readdirSync(dir).find((n) => n.startsWith('__info_'))!);
}

function readInfo(fx: BackupFixture): Info {
  return JSON.parse(fs.readFileSync(infoFile(fx), 'utf8')) as Info;
}

/** Replace the info file (its name carries its md5). */
function writeInfo(fx: BackupFixture, text: string): void {
  const old = infoFile(fx);
  fs.rmSync(old);
  const base = path.basename(old);
  fs.writeFileSync(path.join(path.dirname(old), `${base.slice(0, base.lastIndexOf('.'))}.${md5Hex(text)}`), text);
}

/** `file.<md5>` → [`file`, md5]. */
function split(name: string): [string, string] {
  const at = name.lastIndexOf('.');
  return [name.slice(0, at), name.slice(at + 1)];
}

/** The md5 lane sum (meta-checksum.ts) with one md5 swapped for another. */
function swapLanes(sum: string, oldMd5: string, newMd5: string): string {
  const lane = (s: string, i: number): number => Number.parseInt(s.slice(i * 8, i * 8 + 8), 16);
  return [0, 1].map((i) => ((lane(sum, i) - lane(oldMd5, i) + lane(newMd5, i)) >>> 0).toString(16).padStart(8, '0')).join('');
}

/**
 * Change one value of one row of a segment of partition p1 of `t` (same size), then fix its md5 everywhere the
 * repository records it: the stored name, its tablet header (and the header's own stored name), the info file's
 * file lists, file sizes and md5-based partition checksum, and the info file's name. Every md5 check passes.
 */
function tamperSegment(fx: BackupFixture): void {
  const root = snapshotDir(fx);
  const segments = listTree(root).filter((p) => p.includes('__ss_content/') && /\.dat\.[0-9a-f]{32}$/.test(p));
  for (const rel of segments) {
    const file = path.join(root, rel);
    const decoded = decodeSegment(fs.readFileSync(file));
    const [ids, values] = decoded.columns as [number[], string[]];
    const at = ids.findIndex((id, i) => id < 100 && values[i]?.length === 1);
    if (at < 0) continue;
    const rows: Row[] = ids.map((id, i) => [id, i === at ? (values[i] === 'z' ? 'y' : 'z') : values[i]!]);
    const bytes = Buffer.concat(encodeSegment(decoded.header.columns, rows));
    const [name, oldMd5] = split(path.basename(file));
    const newMd5 = md5Hex(bytes);
    fs.rmSync(file);
    fs.writeFileSync(path.join(path.dirname(file), `${name}.${newMd5}`), bytes);
    const hdrName = fs.readdirSync(path.dirname(file)).find((n) => n.includes('.hdr.'))!;
    const hdrPath = path.join(path.dirname(file), hdrName);
    const hdrText = fs.readFileSync(hdrPath, 'utf8').replaceAll(oldMd5, newMd5);
    const [hdrBase, oldHdrMd5] = split(hdrName);
    const newHdrMd5 = md5Hex(hdrText);
    fs.rmSync(hdrPath);
    fs.writeFileSync(path.join(path.dirname(file), `${hdrBase}.${newHdrMd5}`), hdrText);
    const info = JSON.parse(fs.readFileSync(infoFile(fx), 'utf8').replaceAll(oldMd5, newMd5).replaceAll(oldHdrMd5, newHdrMd5)) as Info;
    const p1 = info.tablevault.partition_stats['t']!['p1']!;
    p1.checksum = swapLanes(p1.checksum, oldMd5, newMd5);
    writeInfo(fx, JSON.stringify(info));
    return;
  }
  throw new Error('no segment of t.p1 to tamper with');
}

/** d1 backed up as `s`; then a row of `t` deleted. */
async function prepare(fx: BackupFixture): Promise<{ ts: string; damagedT: (string | null)[][]; originalT: (string | null)[][] }> {
  await seedDatabase(fx);
  await fx.exec(`CREATE REPOSITORY r1 WITH BROKER ON LOCATION 'file://${path.join(fx.dir, 'repo')}'`);
  const originalT = await fx.rows('SELECT * FROM d1.t ORDER BY id');
  const b = await runToEnd(fx, 'BACKUP SNAPSHOT d1.s TO r1 ON (t)');
  expect(b.state).toBe('FINISHED');
  const ts = (await fx.rows("SHOW SNAPSHOT ON r1 WHERE SNAPSHOT = 's'"))[0]?.[1] ?? '';
  await fx.exec('DELETE FROM d1.t WHERE id = 2');
  return { ts, damagedT: await fx.rows('SELECT * FROM d1.t ORDER BY id'), originalT };
}

const RESTORE = (ts: string): string => `RESTORE SNAPSHOT d1.s FROM r1 ON (t) PROPERTIES ("backup_timestamp" = "${ts}")`;

async function expectUntouched(fx: BackupFixture, damagedT: (string | null)[][]): Promise<void> {
  expect(await fx.rows('SELECT * FROM d1.t ORDER BY id')).toEqual(damagedT);
  await fx.exec("INSERT INTO d1.t VALUES (5, 'e')"); // NORMAL again
  await fx.exec('DELETE FROM d1.t WHERE id = 5');
  // Nothing of the failed restore is left; the backup's own kept local snapshot (keep_local_snapshots) stays.
  expect(unkeptSnapshotFiles(fx.dataDir)).toEqual([]);
}

describe('RESTORE checks the content checksum of the rows', () => {
  it('BACKUP records a content checksum and the row count per partition', async () => {
    f = await openFixture();
    await prepare(f);
    const stats = readInfo(f).tablevault.partition_stats['t']!;
    expect(stats['p1']).toMatchObject({ row_count: 3, content_checksum: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(stats['p2']).toMatchObject({ row_count: 2, content_checksum: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(stats['p1']!.content_checksum).not.toBe(stats['p2']!.content_checksum);
  }, 30_000);

  it('a restored table keeps its content checksum: backing it up again records the same per partition', async () => {
    f = await openFixture();
    const { ts } = await prepare(f);
    const first = readInfo(f).tablevault.partition_stats['t']!;
    const restored = await runToEnd(f, `RESTORE SNAPSHOT d1.s FROM r1 ON (t AS t2) PROPERTIES ("backup_timestamp" = "${ts}")`);
    expect([restored.state, restored.statusMsg]).toEqual(['FINISHED', '']);
    expect((await runToEnd(f, 'BACKUP SNAPSHOT d1.s3 TO r1 ON (t2)')).state).toBe('FINISHED');
    const dir = path.join(f.dir, 'repo', '__starrocks_repository_r1', '__ss_s3');
    const again = (JSON.parse(fs.readFileSync(path.join(dir, fs.readdirSync(dir).find((n) => n.startsWith('__info_'))!), 'utf8')) as Info).tablevault.partition_stats['t2']!;
    expect(again['p1']).toMatchObject({ row_count: first['p1']!.row_count, content_checksum: first['p1']!.content_checksum });
    expect(again['p2']).toMatchObject({ row_count: first['p2']!.row_count, content_checksum: first['p2']!.content_checksum });
  }, 30_000);

  it('refuses a segment changed in the repository with every md5 fixed up, naming the partition; the table stays as it was', async () => {
    f = await openFixture();
    const { ts, damagedT } = await prepare(f);
    const recorded = readInfo(f).tablevault.partition_stats['t']!['p1']!.content_checksum!;
    tamperSegment(f);
    const job = await runToEnd(f, RESTORE(ts));
    expect([job.state, job.statusCode]).toEqual(['CANCELLED', 'BAD_FILE']);
    expect(job.statusMsg).toMatch(
      new RegExp(`^restored content of partition p1 of table t does not match the backup: the files hold content checksum (?!${recorded})[0-9a-f]{16}; the backup recorded content checksum ${recorded}\\. `),
    );
    await expectUntouched(f, damagedT);
  }, 30_000);

  it('refuses a snapshot whose info records another row count', async () => {
    f = await openFixture();
    const { ts, damagedT } = await prepare(f);
    const info = readInfo(f);
    info.tablevault.partition_stats['t']!['p2']!.row_count = 7;
    writeInfo(f, JSON.stringify(info));
    const job = await runToEnd(f, RESTORE(ts));
    expect([job.state, job.statusCode]).toEqual(['CANCELLED', 'BAD_FILE']);
    expect(job.statusMsg).toMatch(/^restored content of partition p2 of table t does not match the backup: the files hold 2 rows; the backup recorded 7 rows\. /);
    await expectUntouched(f, damagedT);
  }, 30_000);

  it('restores a snapshot written before content checksums (none recorded)', async () => {
    f = await openFixture();
    const { ts, originalT } = await prepare(f);
    const info = readInfo(f);
    for (const p of Object.values(info.tablevault.partition_stats['t']!)) delete p.content_checksum;
    writeInfo(f, JSON.stringify(info));
    const job = await runToEnd(f, RESTORE(ts));
    expect([job.state, job.statusMsg]).toEqual(['FINISHED', '']);
    expect(await f.rows('SELECT * FROM d1.t ORDER BY id')).toEqual(originalT);
  }, 30_000);

  it('hashes segments written before content hashes existed once, at the first backup, and records them', async () => {
    f = await openFixture();
    await seedDatabase(f);
    await f.exec(`CREATE REPOSITORY r1 WITH BROKER ON LOCATION 'file://${path.join(f.dir, 'repo')}'`);
    expect((await runToEnd(f, 'BACKUP SNAPSHOT d1.s TO r1 ON (t)')).state).toBe('FINISHED');
    const first = readInfo(f).tablevault.partition_stats['t']!;
    // Make the catalog look like one from before: no content hash in any rowset manifest.
    await f.engine.close();
    const strip = (): number => {
      const db = new Database(path.join(f!.dataDir, 'catalog.sqlite'));
      try {
        const rows = db.prepare('SELECT id, files FROM rowsets').all() as { id: number; files: string }[];
        let hashed = 0;
        for (const r of rows) {
          const files = JSON.parse(r.files) as { contentHash?: string }[];
          hashed += files.filter((x) => x.contentHash !== undefined).length;
          db.prepare('UPDATE rowsets SET files = ? WHERE id = ?').run(JSON.stringify(files.map(({ contentHash: _, ...x }) => x)), r.id);
        }
        return hashed;
      } finally {
        db.close();
      }
    };
    expect(strip()).toBeGreaterThan(0);
    await f.reopen();
    expect((await runToEnd(f, 'BACKUP SNAPSHOT d1.s2 TO r1 ON (t)')).state).toBe('FINISHED');
    const dir = path.join(f.dir, 'repo', '__starrocks_repository_r1', '__ss_s2');
    const second = (JSON.parse(fs.readFileSync(path.join(dir, fs.readdirSync(dir).find((n) => n.startsWith('__info_'))!), 'utf8')) as Info).tablevault.partition_stats['t']!;
    expect(second['p1']!.content_checksum).toBe(first['p1']!.content_checksum);
    expect(second['p2']!.content_checksum).toBe(first['p2']!.content_checksum);
    // …and recorded: the catalog's manifests hold them again.
    await f.engine.close();
    expect(strip()).toBeGreaterThan(0);
    await f.reopen();
  }, 30_000);
});
