import path from 'node:path';
import { deleteBackupReferences, listBackupReferences, replaceBackupReferences, type BackupReferenceRow } from '../catalog/backup-references.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { JobRow } from '../catalog/jobs-types.ts';
import type { Logger } from '../logging/logger.ts';
import { checksummedKey, FILE_DROP_MARKER, PREFIX_JOB_INFO, PREFIX_SNAPSHOT_DIR, tabletFileKey, tokenOfLabelMarker, type TabletIds } from '../repository/layout.ts';
import { contentId, contentLocations, labelOfKey, readRepositoryIndex, type RepositoryIndex } from '../repository/repository-index.ts';
import type { Repository } from '../repository/repository.ts';
import { isLinkedSnapshot } from './backup-info.ts';
import { JobStatusError } from './status.ts';
import type { BackupSpec, SnapshotTarget, TabletSnapshot } from './steps.ts';

/**
 * Incremental-forever BACKUP (`PROPERTIES ("type" = "incremental")`): a file whose content — same md5 and same
 * size — the repository already holds is not uploaded again; the snapshot records a reference to where it is
 * (info file `tablevault.references`), so it stays logically complete: RESTORE needs nothing but the repository.
 * There is no base snapshot and no chain: a reference names content, and DROP SNAPSHOT keeps (moves to the shared
 * object area) any content a remaining snapshot references (src/repository/snapshot-drop.ts).
 *
 * Two moments:
 * - selectUploads (UPLOAD_SNAPSHOT): one listing of the repository and a read of each snapshot's info file give
 *   every content a restorable snapshot (or the object area) holds with a name carrying its md5 and the recorded
 *   size; files found there are recorded in `backup_references` and left out of the upload tasks.
 * - finalizeReferences (SAVE_META, local snapshots still held): a fresh listing checks every reference again. One
 *   whose file is gone or no longer has the recorded size (its snapshot was dropped meanwhile — in another process,
 *   since this one refuses such drops — or the repository was edited) is not recorded: the file is uploaded now
 *   from the local snapshot instead. A file this job uploaded after all (a resumed job) is recorded as its own.
 */

export interface ReuseDeps {
  readonly catalog: Catalog;
  readonly logger: Logger;
}

/** True for an incremental BACKUP job. */
export function isIncrementalBackup(job: JobRow): boolean {
  return String((job.spec as Partial<BackupSpec> | null)?.type ?? '').toUpperCase() === 'INCREMENTAL';
}

function idsOf(job: JobRow, target: SnapshotTarget): TabletIds {
  return { dbId: job.dbId, tableId: target.tableId, partitionId: target.partitionId, indexId: target.indexId, tabletId: target.tabletId };
}

/**
 * Whether the repository (as `index` lists it) holds a content an incremental backup of `job` may reference: what
 * selectUploads would reference, and what lets the snapshot step skip linking a tablet whose every file it holds.
 */
export function reusableContent(index: RepositoryIndex, job: JobRow): (file: { readonly md5: string; readonly size: number }) => boolean {
  const locations = contentLocations(index);
  return (f) => {
    const at = locations.get(contentId(f.md5, f.size));
    return at !== undefined && labelOfKey(at) !== job.label;
  };
}

/** The final error of an unlinked tablet whose content left the repository after it was snapshotted. */
function referenceGone(job: JobRow, tabletId: number, file: string): JobStatusError {
  return new JobStatusError(
    'COMMON_ERROR',
    `File ${file} of tablet ${tabletId}, which incremental backup ${job.label} references instead of uploading, is no longer in the repository (a snapshot was dropped meanwhile). Run the BACKUP again`,
    { final: true },
  );
}

/**
 * UPLOAD_SNAPSHOT of an incremental backup: record references, return the tablets with only the files to upload.
 * `index` is the one the snapshot step read (fresh enough: SAVE_META checks every reference again).
 */
export async function selectUploads(
  deps: ReuseDeps,
  repo: Repository,
  job: JobRow,
  tablets: readonly TabletSnapshot<SnapshotTarget>[],
  signal: AbortSignal,
  index?: RepositoryIndex,
): Promise<TabletSnapshot<SnapshotTarget>[]> {
  if (!isIncrementalBackup(job)) return [...tablets];
  const locations = contentLocations(index ?? (await readRepositoryIndex(repo, { signal })));
  const refs: BackupReferenceRow[] = [];
  const out: TabletSnapshot<SnapshotTarget>[] = [];
  let reusedBytes = 0;
  for (const t of tablets) {
    const upload = t.snapshot.files.filter((f) => {
      const at = locations.get(contentId(f.md5, f.size));
      // Never this label's own files (a resumed job re-deciding): those are checked as own files at SAVE_META.
      if (at === undefined || labelOfKey(at) === job.label) return true;
      refs.push({ tabletId: t.target.tabletId, name: f.name, md5: f.md5, size: f.size, key: at });
      reusedBytes += f.size;
      return false;
    });
    if (upload.length > 0) {
      // Not linked (the repository held all of it when snapshotted): nothing local to upload from.
      if (!isLinkedSnapshot(t.snapshot)) throw referenceGone(job, t.target.tabletId, upload[0]?.name ?? '');
      out.push({ target: t.target, snapshot: { ...t.snapshot, files: upload } });
    }
  }
  replaceBackupReferences(deps.catalog, job.id, refs);
  deps.logger.info({ jobId: job.id, label: job.label, reusedFiles: refs.length, reusedBytes }, 'incremental backup: content already in the repository is referenced, not uploaded');
  return out;
}

/** What SAVE_META records about reuse in the info file. */
export interface ReuseRecord {
  /** By tablet id: stored name `<file>.<md5>` → repository-relative key of the content. */
  readonly references: Record<string, Record<string, string>>;
  readonly reusedBytes: number;
}

/** SAVE_META of a backup: check every reference again (uploading what can no longer be referenced); see above. */
export async function finalizeReferences(
  deps: ReuseDeps,
  repo: Repository,
  job: JobRow,
  tablets: readonly TabletSnapshot<SnapshotTarget>[],
  signal: AbortSignal,
): Promise<ReuseRecord | null> {
  const rows = listBackupReferences(deps.catalog, job.id);
  if (!isIncrementalBackup(job) && rows.length === 0) return null;
  const byFile = new Map(rows.map((r) => [`${r.tabletId}/${r.name}`, r]));
  const quick = await referencedSnapshotsIntact(repo, job, rows, signal);
  // A listing only (no info file read): what is stored now — unless the quick check above vouches for every reference.
  const index = quick ?? (await readRepositoryIndex(repo, { signal, labels: [] }));
  const references: Record<string, Record<string, string>> = {};
  const uploadedAfterAll: { tabletId: number; name: string }[] = [];
  let reusedBytes = 0;
  for (const t of tablets) {
    const ids = idsOf(job, t.target);
    for (const f of t.snapshot.files) {
      const stored = checksummedKey(f.name, f.md5);
      const own = checksummedKey(tabletFileKey(job.label, ids, f.name), f.md5);
      const ref = byFile.get(`${t.target.tabletId}/${f.name}`);
      if (index.stored.get(own) === f.size) {
        if (ref !== undefined) uploadedAfterAll.push({ tabletId: t.target.tabletId, name: f.name });
        continue;
      }
      const at = ref === undefined ? null : index.resolve({ key: ref.key, md5: f.md5, size: f.size });
      if (at !== null) {
        (references[String(t.target.tabletId)] ??= {})[stored] = at;
        reusedBytes += f.size;
        continue;
      }
      // Missing or changed since it was chosen: upload a fresh copy from the local snapshot.
      if (!isLinkedSnapshot(t.snapshot)) throw referenceGone(job, t.target.tabletId, f.name);
      deps.logger.warn(
        { jobId: job.id, label: job.label, file: f.name, referenced: ref?.key ?? null },
        'a file the backup meant to reference is missing or changed in the repository; uploading a fresh copy',
      );
      await repo.uploadFile(path.join(t.snapshot.dir, f.name), tabletFileKey(job.label, ids, f.name), f.md5, f.size, { signal });
      uploadedAfterAll.push({ tabletId: t.target.tabletId, name: f.name });
    }
  }
  if (uploadedAfterAll.length > 0) deleteBackupReferences(deps.catalog, job.id, uploadedAfterAll);
  return { references, reusedBytes };
}

/** What finalizeReferences reads of an index: stored sizes and where a reference resolves. */
type StoredView = Pick<RepositoryIndex, 'stored' | 'resolve'>;

/**
 * SAVE_META's re-check without listing the whole repository, when every reference points into another snapshot's
 * directory: a snapshot loses files only by DROP SNAPSHOT, which first writes its `__dropping` marker (and deletes
 * its info file before any content), so a referenced snapshot whose top level still shows its info file and no
 * marker still holds what the snapshot step found there moments ago. Returns the stored view (this label's own files,
 * and the references as found), or null — a reference into the shared object area, a snapshot being dropped or gone
 * — to take the full listing instead.
 */
async function referencedSnapshotsIntact(repo: Repository, job: JobRow, rows: readonly BackupReferenceRow[], signal: AbortSignal): Promise<StoredView | null> {
  const labels = new Set<string>();
  for (const r of rows) {
    const label = labelOfKey(r.key);
    if (label === null || label === job.label) return null;
    labels.add(label);
  }
  for (const label of labels) {
    const names: string[] = [];
    for await (const e of repo.broker.list(`${repo.root}/${PREFIX_SNAPSHOT_DIR}${label}/`, { signal })) {
      if (!e.isDirectory) names.push(e.key.slice(e.key.lastIndexOf('/') + 1));
    }
    if (names.includes(FILE_DROP_MARKER)) return null;
    if (!names.some((n) => n.startsWith(PREFIX_JOB_INFO) && tokenOfLabelMarker(n) === null)) return null;
  }
  const stored = new Map<string, number>();
  for (const r of rows) stored.set(r.key, r.size);
  for (const f of await repo.listSnapshotFiles(job.label, signal)) {
    if (f.md5 === null || f.fileName === null) continue;
    stored.set(checksummedKey(tabletFileKey(job.label, f.ids, f.fileName), f.md5), f.size);
  }
  return {
    stored,
    resolve: (file) => (stored.get(file.key) === file.size ? file.key : null),
  };
}
