import path from 'node:path';
import type { JobRow } from '../catalog/jobs-types.ts';
import type { RepositoryIndex } from '../repository/repository-index.ts';
import type { SharedSnapshot, SnapshotFile } from '../storage/index.ts';
import { fsPool, unwrap, type FsOp } from '../util/fs-pool.ts';
import { syncFileSystem } from '../util/sync-barrier.ts';
import { isIncrementalBackup, reusableContent } from './backup-reuse.ts';

/** Up to this many linked files are made durable one by one rather than by a flush of the file system. */
const FEW_FILES = 64;

/**
 * What an incremental BACKUP's snapshot step decides per job, held between its batches and the next states: the
 * repository index its batches share (read once, handed on to selectUploads), and what it linked — nothing (then
 * SNAPSHOTING has nothing to flush) or a few files (fsynced one by one: a flush of the whole file system also waits
 * for every other writer's dirty data on a shared disk). Lost on restart, where the safe paths run: a fresh index
 * read, a full flush.
 */
export class IncrementalLinking {
  readonly #readIndex: (job: JobRow, signal: AbortSignal) => Promise<RepositoryIndex>;
  /** The job's index read, shared by its concurrent snapshot batches. */
  readonly #index = new Map<number, Promise<RepositoryIndex>>();
  /** Whether any batch of the job linked something. */
  readonly #linkedAny = new Map<number, boolean>();
  /** Files an incremental job linked (SNAPSHOTING fsyncs them when few). */
  readonly #linkedFiles = new Map<number, string[]>();

  constructor(readIndex: (job: JobRow, signal: AbortSignal) => Promise<RepositoryIndex>) {
    this.#readIndex = readIndex;
  }

  /**
   * For an incremental job: the makeSnapshots `linkIf` that declines a tablet whose every file (header included) the
   * repository already holds — its files at the pinned version are immutable and will be referenced. Undefined for
   * a full backup (everything is linked).
   */
  async linkIf(job: JobRow, signal: AbortSignal): Promise<((files: readonly SnapshotFile[]) => boolean) | undefined> {
    if (!isIncrementalBackup(job)) return undefined;
    let reading = this.#index.get(job.id);
    if (reading === undefined) {
      reading = this.#readIndex(job, signal);
      this.#index.set(job.id, reading);
      reading.catch(() => this.#index.delete(job.id));
    }
    const reusable = reusableContent(await reading, job);
    return (files) => !files.every((f) => reusable(f));
  }

  /** Record a batch's snapshots; returns how many were linked. */
  record(job: JobRow, snaps: readonly SharedSnapshot[], tracked: boolean): number {
    const linked = snaps.filter((s) => s.linked).length;
    this.#linkedAny.set(job.id, (this.#linkedAny.get(job.id) ?? false) || linked > 0);
    if (tracked) {
      const files = this.#linkedFiles.get(job.id) ?? [];
      for (const snap of snaps) if (snap.linked) files.push(...snap.files.map((f) => path.join(snap.dir, f.name)));
      this.#linkedFiles.set(job.id, files);
    }
    return linked;
  }

  /** The index the snapshot step read (once: selectUploads takes it), or undefined. */
  async takeIndex(job: JobRow): Promise<RepositoryIndex | undefined> {
    const index = await this.#index.get(job.id)?.catch(() => undefined);
    this.#index.delete(job.id);
    return index;
  }

  /** SNAPSHOTING's durability: nothing when nothing was linked, the few files linked, else one flush of `dataDir`. */
  async makeDurable(job: JobRow, dataDir: string): Promise<void> {
    const linked = this.#linkedAny.get(job.id);
    const few = this.#linkedFiles.get(job.id);
    this.#linkedAny.delete(job.id);
    this.#linkedFiles.delete(job.id);
    if (linked === false) return;
    if (few !== undefined && few.length <= FEW_FILES) {
      const paths = [...few, ...new Set(few.map((f) => path.dirname(f)))];
      for (const r of await fsPool().run(paths.map((p): FsOp => ({ op: 'fsync', path: p })))) unwrap(r);
      return;
    }
    // One flush of the data dir's file system for every link and header of the phase (they were not fsynced).
    await syncFileSystem(dataDir);
  }

  /** A job cancelled or restarted from PENDING. */
  forget(jobId: number): void {
    this.#index.delete(jobId);
    this.#linkedAny.delete(jobId);
    this.#linkedFiles.delete(jobId);
  }
}
