/**
 * The repository work of a COPY job: plan (what the destination lacks), copy files (stream, verify, store under the
 * checksummed name), then the meta and info files, last. Like `distcp -update -diff`, a file the destination already
 * holds at the same path with the same md5 and size is not sent again — which is also how a resumed or repeated copy
 * skips what an interrupted one finished. An incremental snapshot's references to content stored elsewhere are
 * copied too (to the destination's shared object area) unless the destination already holds that content, so a
 * copy is restorable from the destination alone, with the same info file.
 */
import type { Readable } from 'node:stream';
import { Transform, type TransformCallback } from 'node:stream';
import { createHash } from 'node:crypto';
import type { JobRow } from '../../catalog/jobs-types.ts';
import { putChecksummed } from '../../repository/checksummed-files.ts';
import { isLabelConflict } from '../../repository/label-reservation.ts';
import { parseJobInfo, type BackupJobInfo } from '../../repository/job-info.ts';
import { baseNameOf, checksummedKey, decodeChecksummedName, jobInfoKey, metaKey, objectKey, PREFIX_JOB_INFO, PREFIX_SNAPSHOT_DIR, SUFFIX_TMP_FILE, tabletDir, tempKey, type TabletIds } from '../../repository/layout.ts';
import { md5Hex } from '../../repository/md5.ts';
import { fromBrokerError } from '../../repository/repository-error.ts';
import type { RepositoryManager } from '../../repository/repository-manager.ts';
import type { Repository } from '../../repository/repository.ts';
import { labelOfKey, readRepositoryIndex, type RepositoryIndex } from '../../repository/repository-index.ts';
import { JobStatusError } from '../status.ts';
import type { CopyFile, CopyPlan, CopySpec, CopyTaskPayload } from './copy-types.ts';

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

  /**
   * PENDING: every content file of the source snapshot, and those the destination already holds. An incremental
   * snapshot's info file also records references to content stored elsewhere in the source (other snapshots' tablet
   * dirs, the shared object area); the copy would not be restorable from the destination alone without them, so
   * every reference the destination cannot resolve (same key, or an object of the same md5 and size) is planned too,
   * to land in the destination's object area. The info file is copied as is: its references resolve there.
   */
  async plan(job: JobRow, signal: AbortSignal): Promise<CopyPlan> {
    const { from, to } = await this.#pair(job);
    const spec = specOf(job);
    // The info file must still be there (and verify): a snapshot dropped since submission is not copied.
    const info = await from.readJobInfo(job.label, spec.timestamp, signal);
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
    let totalFiles = source.filter((f) => f.md5 !== null).length;
    const refs = referencedFiles(job.label, info);
    if (refs.length === 0) return { tablets, files, reusedFiles, reusedBytes, totalFiles, totalBytes };
    const [src, dst] = await Promise.all([listing(from, signal), listing(to, signal)]);
    const references: Record<string, string> = {};
    const planned = new Set<string>();
    for (const r of refs) {
      totalFiles++;
      totalBytes += r.size;
      if (holds(dst, r)) {
        reusedFiles++;
        reusedBytes += r.size;
        continue;
      }
      if (src.resolve(r) === null) throw missingReference(from, job.label, r);
      // Two references to one content: one object, copied once.
      const object = objectKey(r.md5, r.size);
      if (planned.has(object)) continue;
      planned.add(object);
      references[`${r.tabletId}/${r.storedName}`] = r.key;
      files.push({ tabletId: r.tabletId, storedName: r.storedName, md5: r.md5, size: r.size });
    }
    return { tablets, files, reusedFiles, reusedBytes, totalFiles, totalBytes, references };
  }

  /** COPYING: copy `files` (all of one task), calling `done` after each is stored under its checksummed name. */
  async copyFiles(
    job: JobRow,
    payload: CopyTaskPayload,
    files: readonly { readonly tabletId: number; readonly name: string; readonly size: number; readonly md5: string }[],
    io: { readonly signal: AbortSignal; fileDone(tabletId: number, name: string): void; addBytes(n: number): void },
  ): Promise<void> {
    const { from, to } = await this.#pair(job);
    // Where referenced content is read now: a snapshot dropped since PLAN moved it to the source's object area.
    let src: RepositoryIndex | null = null;
    for (const f of files) {
      io.signal.throwIfAborted();
      const ref = payload.references?.[`${f.tabletId}/${f.name}`];
      if (ref !== undefined) {
        src ??= await listing(from, io.signal);
        const r: Reference = { tabletId: f.tabletId, storedName: f.name, key: ref, md5: f.md5, size: f.size };
        const at = src.resolve(r);
        if (at === null) throw missingReference(from, job.label, r);
        await copyObject(from, to, at, r.md5, r.size, io.signal, (n) => io.addBytes(n));
        io.fileDone(f.tabletId, f.name);
        continue;
      }
      const ids = payload.tablets[String(f.tabletId)];
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
    // The copy becomes visible with its info file: every reference must resolve in the destination by then (a drop
    // in another process may have removed what the plan found there; run the copy again to copy it).
    const refs = referencedFiles(job.label, parseJobInfo(info.toString('utf8')));
    if (refs.length > 0) {
      const dst = await listing(to, signal);
      const missing = refs.find((r) => !holds(dst, r));
      if (missing !== undefined) throw missingReference(to, job.label, missing);
    }
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

/** One file an incremental snapshot references (info file `tablevault.references`). */
interface Reference {
  readonly tabletId: number;
  readonly storedName: string;
  /** Repository-relative key the info file records. */
  readonly key: string;
  readonly md5: string;
  readonly size: number;
}

function referencedFiles(label: string, info: BackupJobInfo): Reference[] {
  const out: Reference[] = [];
  for (const [tablet, byName] of Object.entries(info.extension?.references ?? {})) {
    for (const [storedName, key] of Object.entries(byName)) {
      const decoded = decodeChecksummedName(storedName);
      const size = info.extension?.fileSizes[tablet]?.[storedName];
      if (decoded === null || size === undefined) {
        throw new JobStatusError('BAD_FILE', `snapshot ${label} references ${storedName} of tablet ${tablet} without a checksum or size in its info file; it cannot be copied`, { final: true });
      }
      out.push({ tabletId: Number(tablet), storedName, key, md5: decoded.md5, size });
    }
  }
  return out;
}

/** A listing of a repository (no info file read): where stored content is now. */
async function listing(repo: Repository, signal: AbortSignal): Promise<RepositoryIndex> {
  try {
    return await readRepositoryIndex(repo, { signal, labels: [] });
  } catch (error) {
    throw fromBrokerError(error);
  }
}

/**
 * The destination holds `r` where a reference can rely on it: the shared object area, or a snapshot directory with
 * an info file and no drop in progress (a partial directory — a cancelled copy, a failed backup — may go any time).
 */
function holds(index: RepositoryIndex, r: Reference): boolean {
  const at = index.resolve(r);
  if (at === null) return false;
  const label = labelOfKey(at);
  if (label === null) return true;
  const dir = index.dirs.get(label);
  const info = `${PREFIX_SNAPSHOT_DIR}${label}/${PREFIX_JOB_INFO}`;
  return dir !== undefined && !dir.dropping && dir.keys.some((k) => k.startsWith(info) && !k.endsWith(`.${SUFFIX_TMP_FILE}`));
}

function missingReference(repo: Repository, label: string, r: Reference): JobStatusError {
  return new JobStatusError(
    'NOT_FOUND',
    `file ${r.storedName} of tablet ${r.tabletId} of snapshot ${label} is referenced at ${repo.fullPath(r.key)} but repository ${repo.name} holds it nowhere (neither there nor in the shared object area); run VERIFY SNAPSHOT on it`,
  );
}

/**
 * Copy referenced content (read at `source`, a stored key) to the destination's shared object area, md5-verified.
 * Written through `<object>.part` and a rename where a write is not atomic, so the object key never holds a part.
 */
async function copyObject(from: Repository, to: Repository, source: string, md5: string, size: number, signal: AbortSignal, onBytes: (n: number) => void): Promise<void> {
  const object = objectKey(md5, size);
  const direct = to.broker.capabilities.atomicWrite && !to.broker.capabilities.cheapRename;
  const target = `${to.root}/${direct ? object : tempKey(object)}`;
  try {
    await stream(from, to, source, target, md5, size, signal, onBytes);
    if (!direct) await to.broker.rename(target, `${to.root}/${object}`, { signal });
  } catch (error) {
    if (error instanceof JobStatusError) throw error;
    throw fromBrokerError(error);
  }
}

/** Stream `key.<md5>` from one repository to the other with StarRocks' checksummed-file protocol, verifying md5. */
async function copyOne(from: Repository, to: Repository, key: string, md5: string, size: number, signal: AbortSignal, onBytes: (n: number) => void): Promise<void> {
  await putChecksummed(to, key, md5, size, signal, (target) => stream(from, to, `${key}.${md5}`, target, md5, size, signal, onBytes));
}

/** Read stored key `source` of `from` into full path `target` of `to`, failing (nothing written) on a wrong md5/size. */
async function stream(from: Repository, to: Repository, source: string, target: string, md5: string, size: number, signal: AbortSignal, onBytes: (n: number) => void): Promise<unknown> {
  let body: Readable;
  try {
    body = await from.broker.read(`${from.root}/${source}`, { signal });
  } catch (error) {
    throw fromBrokerError(error);
  }
  const tap = new VerifyTap(md5, size, from.fullPath(source), onBytes);
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
}
