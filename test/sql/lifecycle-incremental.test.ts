import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openFixture, listTree, type BackupFixture } from './backup-fixture.ts';
import { backupTo, createRepositorySql, restoreTable, seedPartitionedTable, tableRows } from './lifecycle-helpers.ts';
import { runToEnd } from './restore-dataset.ts';

/**
 * Incremental-forever BACKUP: only content the repository does not hold is uploaded, the rest is referenced, and
 * the snapshot restores alone from the repository.
 */

const PARTS = 100;

const seed = (f: BackupFixture): Promise<void> => seedPartitionedTable(f, PARTS);

describe('incremental BACKUP on file://', () => {
  let f: BackupFixture;
  beforeEach(async () => {
    f = await openFixture();
    await seed(f);
    await f.exec(createRepositorySql('file', f, 'r1'));
  });
  afterEach(async () => {
    await f.close();
  });

  it('after changing 1% of the partitions uploads only their new files, and restores from the repository alone', async () => {
    await backupTo(f, 'BACKUP SNAPSHOT d1.full0 TO r1 ON (t)', 'full0', 'r1');
    await f.exec("INSERT INTO t VALUES (5, 'new')"); // partition p0 only
    const { job, ts } = await backupTo(f, 'BACKUP SNAPSHOT d1.inc1 TO r1 ON (t) PROPERTIES ("type" = "incremental")', 'inc1', 'r1');
    const root = path.join(f.dir, 'r1', '__starrocks_repository_r1');
    const content = listTree(path.join(root, '__ss_inc1', '__ss_content'));
    // p0's tablet: its two segment files (old + new rowset) share one is already stored; the new segment and the
    // new header are all that was uploaded.
    expect(content.length).toBe(2);
    expect(content.some((n) => n.endsWith('.hdr.' + n.split('.').pop()))).toBe(true);
    const progress = f.engine.jobs.watch(job.id);
    const last = (await progress.next()).value;
    expect(last?.bytesReused).toBeGreaterThan(0);
    const [row] = await f.rows('SHOW BACKUP FROM d1');
    expect(row?.[10]).toMatch(/^\[uploaded: \d+ bytes, reused: \d+ bytes\]$/);
    // The full snapshot can go; the incremental still restores everything.
    await f.exec('DROP SNAPSHOT full0 ON r1');
    const restored = await restoreTable(f, { repo: 'r1', label: 'inc1', ts, db: 'd1', table: 't', target: 'copy' });
    expect([restored.state, restored.statusMsg]).toEqual(['FINISHED', '']);
    expect(await tableRows(f, 'copy', 't')).toEqual(await tableRows(f, 'd1', 't'));
    expect(fs.existsSync(path.join(root, '__ss_full0'))).toBe(false);
  });

  it('hard-links only the changed tablets: an unchanged tablet is referenced from its catalog state, never linked', async () => {
    await backupTo(f, 'BACKUP SNAPSHOT d1.full0 TO r1 ON (t)', 'full0', 'r1');
    await f.exec("INSERT INTO t VALUES (5, 'new')"); // partition p0 only: 1 of 100 tablets changes
    const { job, ts } = await backupTo(f, 'BACKUP SNAPSHOT d1.inc1 TO r1 ON (t) PROPERTIES ("type" = "incremental")', 'inc1', 'r1');
    // Where each snapshot task took its tablet's files from: a hard-link snapshot dir, or (not linked) the live tablet.
    const db = new Database(path.join(f.dataDir, 'catalog.sqlite'), { readonly: true });
    const dirs = db
      .prepare<[number], { result: string }>("SELECT result FROM job_tasks WHERE job_id = ? AND kind = 'snapshot'")
      .all(job.id)
      .map((r) => (JSON.parse(r.result) as { dir: string }).dir);
    db.close();
    expect(dirs).toHaveLength(PARTS);
    expect(dirs.filter((d) => d.split(path.sep).includes('snapshot'))).toHaveLength(1);
    // Uploaded: only p0's tablet (its new segment and header); the snapshot restores complete and identical.
    const root = path.join(f.dir, 'r1', '__starrocks_repository_r1');
    expect(new Set(listTree(path.join(root, '__ss_inc1', '__ss_content')).map((n) => path.dirname(n))).size).toBe(1);
    const restored = await restoreTable(f, { repo: 'r1', label: 'inc1', ts, db: 'd1', table: 't', target: 'copy' });
    expect([restored.state, restored.statusMsg]).toEqual(['FINISHED', '']);
    expect(await tableRows(f, 'copy', 't')).toEqual(await tableRows(f, 'd1', 't'));
  });

  it('a referenced snapshot that starts being dropped before SAVE_META fails the job clearly; a new backup uploads afresh', async () => {
    await backupTo(f, 'BACKUP SNAPSHOT d1.full0 TO r1 ON (t)', 'full0', 'r1');
    await f.exec("INSERT INTO t VALUES (5, 'new')");
    const root = path.join(f.dir, 'r1', '__starrocks_repository_r1');
    const victims = listTree(path.join(root, '__ss_full0', '__ss_content')).filter((n) => /\.dat\.[0-9a-f]{32}$/.test(n));
    // Another process's DROP of full0, between the choice of references and their re-check: marker first, then files.
    const off = f.engine.jobs.events.on('state', (e) => {
      if (e.label !== 'inc1' || e.to !== 'SAVE_META') return;
      fs.writeFileSync(path.join(root, '__ss_full0', '__dropping'), '');
      for (const v of victims) fs.rmSync(path.join(root, '__ss_full0', '__ss_content', v));
    });
    const failed = await runToEnd(f, 'BACKUP SNAPSHOT d1.inc1 TO r1 ON (t) PROPERTIES ("type" = "incremental")');
    off();
    expect(failed.state).toBe('CANCELLED');
    expect(failed.statusMsg).toMatch(/incremental backup inc1 references instead of uploading, is no longer in the repository .*Run the BACKUP again/);
    // Run again: full0 is being dropped, so nothing is referenced from it; the new snapshot restores complete.
    const { ts } = await backupTo(f, 'BACKUP SNAPSHOT d1.inc2 TO r1 ON (t) PROPERTIES ("type" = "incremental")', 'inc2', 'r1');
    const restored = await restoreTable(f, { repo: 'r1', label: 'inc2', ts, db: 'd1', table: 't', target: 'copy' });
    expect([restored.state, restored.statusMsg]).toEqual(['FINISHED', '']);
    expect(await tableRows(f, 'copy', 't')).toEqual(await tableRows(f, 'd1', 't'));
  });

  it('refuses to reference a file that is gone or has the wrong size, and uploads a fresh copy of it', async () => {
    await backupTo(f, 'BACKUP SNAPSHOT d1.full0 TO r1 ON (t)', 'full0', 'r1');
    const root = path.join(f.dir, 'r1', '__starrocks_repository_r1');
    const contentDir = path.join(root, '__ss_full0', '__ss_content');
    const dats = listTree(contentDir).filter((n) => /\.dat\.[0-9a-f]{32}$/.test(n));
    const [gone, cut] = [dats[0]!, dats[1]!];
    fs.rmSync(path.join(contentDir, gone));
    const whole = fs.readFileSync(path.join(contentDir, cut));
    fs.writeFileSync(path.join(contentDir, cut), whole.subarray(0, whole.length - 1));
    // Nothing changed in the table: every file but the two damaged ones is referenced.
    const { ts } = await backupTo(f, 'BACKUP SNAPSHOT d1.inc1 TO r1 ON (t) PROPERTIES ("type" = "incremental")', 'inc1', 'r1');
    const own = listTree(path.join(root, '__ss_inc1', '__ss_content'));
    expect(own.map((n) => path.basename(n)).sort()).toEqual([path.basename(gone), path.basename(cut)].sort());
    expect((await f.rows("VERIFY SNAPSHOT full0 ON r1")).at(-1)?.[0]).toBe('FAILED');
    expect((await f.rows("VERIFY SNAPSHOT inc1 ON r1 PROPERTIES ('mode' = 'checksum')")).map((r) => r[0])).toEqual(['OK']);
    const restored = await restoreTable(f, { repo: 'r1', label: 'inc1', ts, db: 'd1', table: 't', target: 'copy' });
    expect([restored.state, restored.statusMsg]).toEqual(['FINISHED', '']);
    expect(await tableRows(f, 'copy', 't')).toEqual(await tableRows(f, 'd1', 't'));
  });
});
