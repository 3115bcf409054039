import type { Catalog } from './catalog.ts';

/**
 * The `backup_references` table (migration 0007): per incremental BACKUP job, the files it references instead of
 * uploading (src/jobs/backup-reuse.ts decides; the info file's `references` block records them).
 */

export interface BackupReferenceRow {
  readonly tabletId: number;
  /** File name inside the tablet, without checksum. */
  readonly name: string;
  readonly md5: string;
  readonly size: number;
  /** Repository-relative key of the stored content it references. */
  readonly key: string;
}

/** Replace the job's references (the decision is re-made when UPLOAD_SNAPSHOT runs again after a restart). */
export function replaceBackupReferences(catalog: Catalog, jobId: number, rows: readonly BackupReferenceRow[]): void {
  catalog.transaction(() => {
    catalog.prepare('DELETE FROM backup_references WHERE job_id = ?').run(jobId);
    const insert = catalog.prepare('INSERT INTO backup_references (job_id, tablet_id, name, md5, size, key) VALUES (?, ?, ?, ?, ?, ?)');
    for (const r of rows) insert.run(jobId, r.tabletId, r.name, r.md5, r.size, r.key);
  });
}

/** The job's references, by tablet then name. */
export function listBackupReferences(catalog: Catalog, jobId: number): BackupReferenceRow[] {
  return catalog
    .prepare<[number], { tablet_id: number; name: string; md5: string; size: number; key: string }>(
      'SELECT tablet_id, name, md5, size, key FROM backup_references WHERE job_id = ? ORDER BY tablet_id, name',
    )
    .all(jobId)
    .map((r) => ({ tabletId: r.tablet_id, name: r.name, md5: r.md5, size: r.size, key: r.key }));
}

/** Drop some references (files uploaded after all, because what they referenced was gone). */
export function deleteBackupReferences(catalog: Catalog, jobId: number, files: readonly { readonly tabletId: number; readonly name: string }[]): void {
  catalog.transaction(() => {
    const del = catalog.prepare('DELETE FROM backup_references WHERE job_id = ? AND tablet_id = ? AND name = ?');
    for (const f of files) del.run(jobId, f.tabletId, f.name);
  });
}

/** Files and bytes a job reuses (0 for jobs without references). */
export function backupReuseTotals(catalog: Catalog, jobId: number): { readonly files: number; readonly bytes: number } {
  const row = catalog
    .prepare<[number], { n: number; b: number | null }>('SELECT COUNT(*) AS n, SUM(size) AS b FROM backup_references WHERE job_id = ?')
    .get(jobId);
  return { files: row?.n ?? 0, bytes: row?.b ?? 0 };
}
