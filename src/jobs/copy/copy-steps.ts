/**
 * The repository work of a COPY job: plan (what the destination lacks), copy files (stream, verify, store under the
 * checksummed name), then the meta and info files, last. Like `distcp -update -diff`, a file the destination already
 * holds at the same path with the same md5 and size is not sent again — which is also how a resumed or repeated copy
 * skips what an interrupted one finished.
 */
import type { Readable } from 'node:stream';
import { Transform, type TransformCallback } from 'node:stream';
import { createHash } from 'node:crypto';
import type { JobRow } from '../../catalog/jobs-types.ts';
import { putChecksummed } from '../../repository/checksummed-files.ts';
import { isLabelConflict } from '../../repository/label-reservation.ts';
import { baseNameOf, checksummedKey, decodeChecksummedName, jobInfoKey, metaKey, tabletDir, type TabletIds } from '../../repository/layout.ts';
import { md5Hex } from '../../repository/md5.ts';
import { fromBrokerError } from '../../repository/repository-error.ts';
import type { RepositoryManager } from '../../repository/repository-manager.ts';
import type { Repository } from '../../repository/repository.ts';
import { JobStatusError } from '../status.ts';
import type { CopyFile, CopyPlan, CopySpec } from './copy-types.ts';

/** A pass-through that fails at the end when the bytes are not the `md5` / `size` the name promises. */
class VerifyTap extends Transform {
  readonly #hash = createHash('md5');
  #bytes = 0;
  readonly #md5: string;
  readonly #size: number;
  readonly #what: string;
  readonly #onBytes: (n: number) => void;

  constructor(md5: string, size: number, what: string, onBytes: (n: number) => void) {
    super();
    this.#md5 = md5;
    this.#size = size;
    this.#what = what;
    this.#onBytes = onBytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#hash.update(chunk);
    this.#bytes += chunk.length;
    this.#onBytes(chunk.length);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const md5 = this.#hash.digest('hex');
    // Failing here, before the last byte reaches the destination, aborts its write: nothing lands under the name.
    if (md5 !== this.#md5 || this.#bytes !== this.#size) {
      callback(new JobStatusError('BAD_FILE', `invalid md5 of copied file: ${this.#what}, expected: ${this.#md5} (${this.#size} bytes), get: ${md5} (${this.#bytes} bytes)`));
      return;
    }
    callback();
  }
}

function specOf(job: JobRow): CopySpec {
  return job.spec as unknown as CopySpec;
}

/** What a copy job does to repositories. */
export class CopySteps {
  readonly #repositories: RepositoryManager;

  constructor(repositories: RepositoryManager) {
    this.#repositories = repositories;
  }

  async #pair(job: JobRow): Promise<{ from: Repository; to: Repository }> {
    const spec = specOf(job);
    return { from: await this.#repositories.get(spec.from), to: await this.#repositories.get(spec.to) };
  }

  /** PENDING: every content file of the source snapshot, and those the destination already holds. */
  async plan(job: JobRow, signal: AbortSignal): Promise<CopyPlan> {
    const { from, to } = await this.#pair(job);
    const spec = specOf(job);
    // The info file must still be there (and verify): a snapshot dropped since submission is not copied.
    await from.readJobInfo(job.label, spec.timestamp, signal);
    const source = await from.listSnapshotFiles(job.label, signal);
    const present = new Map<string, number>();
    for (const f of await to.listSnapshotFiles(job.label, signal)) present.set(`${tabletDir(job.label, f.ids)}/${f.storedName}`, f.size);
    const tablets: Record<string, TabletIds> = {};
    const files: CopyFile[] = [];
    let reusedFiles = 0;
    let reusedBytes = 0;
    let totalBytes = 0;
    for (const f of source) {
      if (f.md5 === null) continue;
      totalBytes += f.size;
      if (present.get(`${tabletDir(job.label, f.ids)}/${f.storedName}`) === f.size) {
        reusedFiles++;
        reusedBytes += f.size;
        continue;
      }
      tablets[String(f.ids.tabletId)] = f.ids;
      files.push({ tabletId: f.ids.tabletId, storedName: f.storedName, md5: f.md5, size: f.size });
    }
    return { tablets, files, reusedFiles, reusedBytes, totalFiles: source.filter((f) => f.md5 !== null).length, totalBytes };
  }

  /** COPYING: copy `files` (all of one task), calling `done` after each is stored under its checksummed name. */
  async copyFiles(
    job: JobRow,
    tablets: Readonly<Record<string, TabletIds>>,
    files: readonly { readonly tabletId: number; readonly name: string; readonly size: number; readonly md5: string }[],
    io: { readonly signal: AbortSignal; fileDone(tabletId: number, name: string): void; addBytes(n: number): void },
  ): Promise<void> {
    const { from, to } = await this.#pair(job);
    for (const f of files) {
      io.signal.throwIfAborted();
      const ids = tablets[String(f.tabletId)];
      const decoded = decodeChecksummedName(f.name);
      if (ids === undefined || decoded === null) throw new Error(`copy task lists an unknown file ${f.tabletId}/${f.name}`);
      const key = `${tabletDir(job.label, ids)}/${decoded.name}`;
      await copyOne(from, to, key, f.md5, f.size, io.signal, (n) => io.addBytes(n));
      io.fileDone(f.tabletId, f.name);
    }
  }

  /** UPLOAD_META: the meta file, md5-verified on the way, once the label is checked to be still this job's. */
  async copyMeta(job: JobRow, signal: AbortSignal): Promise<void> {
    const { from, to } = await this.#pair(job);
    const meta = await from.readVerified(metaKey(job.label), signal);
    const info = await from.readVerified(jobInfoKey(job.label, specOf(job).timestamp), signal);
    await to.sweepTempFiles(job.label, signal);
    await stillOurs(to, job, meta, info, signal);
    await to.uploadBytes(meta, metaKey(job.label), { signal });
  }

  /** UPLOAD_INFO: the info file, after the meta file is in place (the copy becomes visible). */
  async copyInfo(job: JobRow, signal: AbortSignal): Promise<void> {
    const { from, to } = await this.#pair(job);
    const key = jobInfoKey(job.label, specOf(job).timestamp);
    const info = await from.readVerified(key, signal);
    const meta = await from.readVerified(metaKey(job.label), signal);
    await to.locate(metaKey(job.label), signal);
    await stillOurs(to, job, meta, info, signal);
    await to.uploadBytes(info, key, { signal });
  }

  /**
   * Cancel: remove what the copy wrote to the destination — only while the label is still this job's (its marker the
   * only one, no info file): a complete snapshot, or one another writer owns, is never deleted by a cancelled copy.
   */
  async discard(job: JobRow): Promise<void> {
    const { to } = await this.#pair(job);
    const dir = await to.labelDirectory(job.label);
    const token = specOf(job).reservation;
    if (dir.infos.length > 0 || dir.markers.length !== 1 || dir.markers[0] !== token) return;
    await to.deleteSnapshot(job.label);
  }
}

/** The label is still this copy's in the destination: its marker, no other writer's meta or info (else final). */
async function stillOurs(to: Repository, job: JobRow, meta: Buffer, info: Buffer, signal: AbortSignal): Promise<void> {
  const mine = {
    meta: baseNameOf(checksummedKey(metaKey(job.label), md5Hex(meta))),
    info: baseNameOf(checksummedKey(jobInfoKey(job.label, specOf(job).timestamp), md5Hex(info))),
  };
  try {
    await to.verifyReservation(job.label, specOf(job).reservation, mine, signal);
  } catch (error) {
    if (isLabelConflict(error)) throw new JobStatusError('COMMON_ERROR', error.message, { cause: error, final: true });
    throw error;
  }
}

/** Stream `key.<md5>` from one repository to the other with StarRocks' checksummed-file protocol, verifying md5. */
async function copyOne(from: Repository, to: Repository, key: string, md5: string, size: number, signal: AbortSignal, onBytes: (n: number) => void): Promise<void> {
  const stored = `${key}.${md5}`;
  await putChecksummed(to, key, md5, size, signal, async (target) => {
    let body: Readable;
    try {
      body = await from.broker.read(`${from.root}/${stored}`, { signal });
    } catch (error) {
      throw fromBrokerError(error);
    }
    const tap = new VerifyTap(md5, size, from.fullPath(stored), onBytes);
    body.on('error', (error) => tap.destroy(error));
    try {
      return await to.broker.write(target, body.pipe(tap), { signal, size });
    } finally {
      // A write that failed before reading all of it leaves the source read open, and its later abort error would
      // reach a tap nobody listens to any more: an uncaught exception that stops the process. Close both, quietly.
      const quiet = (): undefined => undefined;
      body.on('error', quiet);
      tap.on('error', quiet);
      body.destroy();
      tap.destroy();
    }
  });
}
