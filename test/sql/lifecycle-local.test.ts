import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openFixture, type BackupFixture } from './backup-fixture.ts';
import { backupTo, createRepositorySql, restoreTable, seedPartitionedTable, tableRows } from './lifecycle-helpers.ts';
import { killChildAt } from '../support/kill-child.ts';

/**
 * Local quick recovery: a FINISHED BACKUP keeps its hard-link snapshots (keep_local_snapshots most recent backups of
 * each table), and RESTORE … ("source" = "local") restores from them without reading the repository.
 */

const PARTS = 10;
const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lifecycle-local-crash-child.ts');

/** Run `sql` in a child engine until its job enters `state`, then SIGKILL it. False when the job ended first. */
async function killInState(dataDir: string, sql: string, state: string): Promise<boolean> {
  return (await killChildAt(CHILD, [dataDir, sql, state], /FROZEN/)).match !== null;
}

const seed = (f: BackupFixture): Promise<void> => seedPartitionedTable(f, PARTS);

/** Kept rows per job, straight from the catalog. */
function keptJobs(f: BackupFixture): number[] {
  const db = new Database(path.join(f.dataDir, 'catalog.sqlite'), { readonly: true });
  try {
    return db.prepare<[], { job_id: number }>("SELECT DISTINCT job_id FROM local_snapshots WHERE state = 'kept' ORDER BY job_id").all().map((r) => r.job_id);
  } finally {
    db.close();
  }
}

/** Every file under the backends' snapshot directories. */
function snapshotFiles(f: BackupFixture): string[] {
  const out: string[] = [];
  for (const be of fs.readdirSync(f.dataDir).filter((n) => /^be\d+$/.test(n))) {
    const root = path.join(f.dataDir, be, 'snapshot');
    if (!fs.existsSync(root)) continue;
    for (const d of fs.readdirSync(root)) for (const n of fs.readdirSync(path.join(root, d))) out.push(path.join(be, d, n));
  }
  return out.sort();
}

describe('local quick recovery', () => {
  let f: BackupFixture;
  beforeEach(async () => {
    f = await openFixture();
    await seed(f);
    await f.exec(createRepositorySql('file', f, 'r1'));
  });
  afterEach(async () => {
    await f.close();
  });

  it('keeps the snapshots of the most recent N backups of each table and prunes older ones', async () => {
    await f.exec('ALTER REPOSITORY r1 SET PROPERTIES ("keep_local_snapshots" = "2")');
    const jobs: number[] = [];
    for (let i = 0; i < 4; i++) {
      await f.exec(`INSERT INTO t VALUES (${i}, 'round${i}')`); // p0 changes every round: its old files can go
      const { job } = await backupTo(f, `BACKUP SNAPSHOT d1.s${i} TO r1 ON (t) PROPERTIES ("type" = "${i === 0 ? 'full' : 'incremental'}")`, `s${i}`, 'r1');
      jobs.push(job.id);
    }
    expect(keptJobs(f)).toEqual(jobs.slice(-2));
    // What is on disk is exactly what the two kept snapshots name: p0's older versions went with the pruned backups.
    const db = new Database(path.join(f.dataDir, 'catalog.sqlite'), { readonly: true });
    const named = new Set(
      db.prepare<[], { dir: string; files: string }>('SELECT dir, files FROM local_snapshots').all()
        .flatMap((r) => (JSON.parse(r.files) as { name: string }[]).map((x) => path.join(r.dir, x.name))),
    );
    db.close();
    const onDisk = snapshotFiles(f);
    expect(onDisk.map((p) => p.replace(/^(be\d+)\//, '$1/snapshot/'))).toEqual([...named].sort());
    // Tablets unchanged since s0 stay s0's links (a segment and a header each); p0's tablet, changed every round, is
    // linked anew by each kept backup: s2 holds its 4 segments and header, s3 its 5 and header.
    expect(onDisk.length).toBe((PARTS - 1) * 2 + 5 + 6);
    // Disk cost: while the table holds its files, only the headers are the snapshots' own; after TRUNCATE, all of it.
    const cost = async (): Promise<string[][]> =>
      (await f.rows('SELECT label, tablets, exclusive_bytes < bytes, exclusive_bytes = bytes FROM information_schema.local_snapshots ORDER BY label')).map((r) => r.map(String));
    expect(await cost()).toEqual([['s2', String(PARTS), '1', '0'], ['s3', String(PARTS), '1', '0']]);
    await f.exec('TRUNCATE TABLE t');
    expect(await cost()).toEqual([['s2', String(PARTS), '0', '1'], ['s3', String(PARTS), '0', '1']]);
    // keep_local_snapshots = 0: the next backup keeps nothing and releases its own links.
    await f.exec('ALTER REPOSITORY r1 SET PROPERTIES ("keep_local_snapshots" = "0")');
    await backupTo(f, 'BACKUP SNAPSHOT d1.s9 TO r1 ON (t) PROPERTIES ("type" = "full")', 's9', 'r1');
    expect(keptJobs(f)).toEqual(jobs.slice(-2));
  });

  it('RESTORE with "source" = "local" restores identical data with the repository gone', async () => {
    const before = await tableRows(f, 'd1', 't');
    const { ts } = await backupTo(f, 'BACKUP SNAPSHOT d1.s0 TO r1 ON (t)', 's0', 'r1');
    await f.exec("INSERT INTO t VALUES (1, 'later')");
    await f.exec('DELETE FROM t WHERE k > 50');
    // Not one byte can come from the repository.
    fs.rmSync(path.join(f.dir, 'r1'), { recursive: true, force: true });
    const job = await restoreTable(f, { repo: 'r1', label: 's0', ts, db: 'd1', table: 't', target: 'd1', extra: '"source" = "local"' });
    expect([job.state, job.statusMsg]).toEqual(['FINISHED', '']);
    expect(await tableRows(f, 'd1', 't')).toEqual(before);
    // Into a new database too, after the backup's table changed again.
    const copy = await restoreTable(f, { repo: 'r1', label: 's0', ts, db: 'd1', table: 't', target: 'copy', extra: '"source" = "local"' });
    expect([copy.state, copy.statusMsg]).toEqual(['FINISHED', '']);
    expect(await tableRows(f, 'copy', 't')).toEqual(before);
  });

  it('says to restore from the repository when the local snapshot is not kept or is incomplete', async () => {
    const { ts } = await backupTo(f, 'BACKUP SNAPSHOT d1.s0 TO r1 ON (t)', 's0', 'r1');
    const sql = (label: string, stamp: string): string =>
      `RESTORE SNAPSHOT ${label} FROM r1 DATABASE d1 AS c ON (t) PROPERTIES ("backup_timestamp" = "${stamp}", "replication_num" = "1", "source" = "local")`;
    await expect(f.exec(sql('s0', '2001-01-01-00-00-00-000'))).rejects.toThrow(/is not kept on this instance.*Restore from the repository instead/);
    await expect(f.exec(sql('s0', ts).replace('"local"', '"nearby"'))).rejects.toThrow(/Invalid source: 'nearby'/);
    // A kept file deleted behind the engine's back: the job fails cleanly, the repository restore still works.
    const victim = snapshotFiles(f).find((p) => p.endsWith('.dat'));
    if (victim === undefined) throw new Error('no kept segment file');
    const [be, ...rest] = victim.split(path.sep);
    fs.rmSync(path.join(f.dataDir, be as string, 'snapshot', ...rest));
    const failed = await restoreTable(f, { repo: 'r1', label: 's0', ts, db: 'd1', table: 't', target: 'c', extra: '"source" = "local"' });
    expect(failed.state).toBe('CANCELLED');
    expect(failed.statusMsg).toMatch(/local snapshot of s0 .* is incomplete: .*Restore from the repository instead/);
    expect((await f.rows('SHOW DATABASES')).flat()).not.toContain('c');
    const ok = await restoreTable(f, { repo: 'r1', label: 's0', ts, db: 'd1', table: 't', target: 'c' });
    expect([ok.state, ok.statusMsg]).toEqual(['FINISHED', '']);
    expect(await tableRows(f, 'c', 't')).toEqual(await tableRows(f, 'd1', 't'));
  });

  it('kill -9 during a local restore leaves the table either as it was or restored', async () => {
    const { ts } = await backupTo(f, 'BACKUP SNAPSHOT d1.s0 TO r1 ON (t)', 's0', 'r1');
    const restored = await tableRows(f, 'd1', 't');
    await f.exec("INSERT INTO t VALUES (3, 'after the backup')");
    const before = await tableRows(f, 'd1', 't');
    await f.engine.close();
    const sql = `RESTORE SNAPSHOT s0 FROM r1 ON (t) PROPERTIES ("backup_timestamp" = "${ts}", "replication_num" = "1", "source" = "local")`;
    for (const state of ['COMMITTING']) {
      expect(await killInState(f.dataDir, sql, state)).toBe(true);
      await f.reopen();
      // Resumed or cancelled after the restart: whatever the job does, readers see the old rows or the restored ones.
      const [row] = await f.rows('SHOW RESTORE FROM d1');
      const job = await f.engine.jobs.waitForJob(Number(row?.[0]));
      const now = await tableRows(f, 'd1', 't');
      expect(job.state === 'FINISHED' ? restored : before).toEqual(now);
      if (job.state === 'FINISHED') {
        await f.exec("INSERT INTO d1.t VALUES (3, 'after the backup')"); // back to "before" for the next round
      }
      await f.engine.close();
    }
    await f.reopen();
  });

  it('keeps kept snapshots across a restart and releases those of a dropped table', async () => {
    await backupTo(f, 'BACKUP SNAPSHOT d1.s0 TO r1 ON (t)', 's0', 'r1');
    const kept = snapshotFiles(f);
    expect(kept.length).toBe(PARTS * 2);
    await f.reopen();
    expect(snapshotFiles(f)).toEqual(kept);
    await f.exec('DROP TABLE d1.t FORCE');
    await f.reopen();
    expect(snapshotFiles(f)).toEqual([]);
    expect(keptJobs(f)).toEqual([]);
  });
});
