import { hostname } from 'node:os';

import type { BrokerEntry } from '../brokers/broker.ts';
import { isTempName } from '../brokers/keys.ts';
import { formatDateTime, type Clock } from '../util/clock.ts';
import { backoffDelay, type RandomSource } from '../util/backoff.ts';
import {
  decodeChecksummedName,
  DIR_SNAPSHOT_CONTENT,
  FILE_META_INFO,
  labelMarkerKey,
  PREFIX_JOB_INFO,
  snapshotDir,
  SUFFIX_TMP_FILE,
  tokenOfLabelMarker,
} from './layout.ts';
import type { Repository } from './repository.ts';
import { fromBrokerError, RepositoryError } from './repository-error.ts';

/**
 * Label reservation: at most one BACKUP ever writes a given `__ss_<label>`, across databases, processes and machines
 * sharing the repository — without trusting the storage to do conditional writes (S3-compatible servers may ignore
 * `If-None-Match`), only that a write, a delete and a listing are each atomic and a listing sees every write that
 * finished before it began (true of local disks, HDFS, and S3 since 2020).
 *
 * The protocol. Each submitter writes its own marker `__ss_<label>/__label_<token>` (token unique to its job), then
 * lists the directory. It owns the label iff its marker is the only marker and the directory holds nothing else.
 * Why at most one owner: take the owner's listing L. Any other marker written before L began is seen by L (so the
 * owner would not own); any marker written after L began belongs to a submitter whose own listing starts later and
 * sees the owner's marker, which stays — so that submitter does not own either. A submitter that does not own deletes
 * its marker and fails. When two submitters see each other, both would fail; so a loser first waits (jittered) and
 * looks again: if the directory is empty by then (the other one backed off too), it tries once more. Contention thus
 * ends with one winner, and a marker that stays is an owner's (or a crashed submitter's: DROP SNAPSHOT … FORCE).
 *
 * Before publishing (UPLOAD_INFO) the owner checks again that its marker is still there and no other backup's info
 * or meta file appeared, so even a reservation removed by hand cannot lead to two snapshots under one label.
 */

/** What one snapshot directory holds, by kind. */
export interface LabelDirectory {
  /** Tokens of `__label_<token>` markers. */
  readonly markers: readonly string[];
  /** Names of `__info_*` entries (checksummed or not). */
  readonly infos: readonly string[];
  /** Names of `__meta*` entries. */
  readonly metas: readonly string[];
  /** Everything else (`__ss_content`, foreign files). */
  readonly others: readonly string[];
}

/** True when the directory holds anything but markers: a snapshot (complete or not) uses the label. */
export function hasSnapshotFiles(dir: LabelDirectory): boolean {
  return dir.infos.length > 0 || dir.metas.length > 0 || dir.others.length > 0;
}

/**
 * Like readLabelDirectory, for decisions that must see uploaded data even where an object store's non-recursive
 * listing misses it (s3rver omits a common prefix whose objects all lie two or more levels below it): when the
 * listing shows no `__ss_content`, one recursive probe of it (stopped at the first key) settles the question. Stores
 * with real directories (local disk, HDFS: cheap rename) list them reliably and are not probed.
 */
async function readLabelDirectoryForDecision(repo: Repository, label: string, signal?: AbortSignal): Promise<LabelDirectory> {
  const dir = await readLabelDirectory(repo, label, signal);
  if (dir.others.length > 0 || repo.broker.capabilities.cheapRename) return dir;
  try {
    for await (const entry of repo.broker.list(`${repo.root}/${snapshotDir(label)}/${DIR_SNAPSHOT_CONTENT}/`, { signal, recursive: true })) {
      return { ...dir, others: [entry.key.slice(repo.root.length + snapshotDir(label).length + 2)] };
    }
  } catch (error) {
    throw fromBrokerError(error);
  }
  return dir;
}

/** Entries of `__ss_<label>/` (one non-recursive listing), sorted by kind. */
export async function readLabelDirectory(repo: Repository, label: string, signal?: AbortSignal): Promise<LabelDirectory> {
  const markers: string[] = [];
  const infos: string[] = [];
  const metas: string[] = [];
  const others: string[] = [];
  try {
    for await (const entry of repo.broker.list(`${repo.root}/${snapshotDir(label)}/`, { signal })) {
      const token = entry.isDirectory ? null : tokenOfLabelMarker(entry.name);
      if (token !== null) markers.push(token);
      else if (!entry.isDirectory && entry.name.startsWith(PREFIX_JOB_INFO)) infos.push(entry.name);
      else if (!entry.isDirectory && entry.name.startsWith(FILE_META_INFO)) metas.push(entry.name);
      else others.push(entry.name);
    }
  } catch (error) {
    throw fromBrokerError(error);
  }
  return { markers, infos, metas, others };
}

/**
 * Why a snapshot directory is not restorable, or null when it is: exactly one info file and one meta file, both
 * with a checksum in their name. (A directory without any info file is simply "no snapshot", see snapshot-rows.ts.)
 */
export function snapshotProblems(dir: LabelDirectory): string | null {
  const problems: string[] = [];
  if (dir.infos.length > 1) problems.push(`${dir.infos.length} info files (${dir.infos.join(', ')})`);
  if (dir.metas.length > 1) problems.push(`${dir.metas.length} meta files (${dir.metas.join(', ')})`);
  if (dir.metas.length === 0) problems.push('no meta file');
  const unnamed = [...dir.infos, ...dir.metas].filter((n) => decodeChecksummedName(n) === null);
  if (unnamed.length > 0) problems.push(`no checksum in ${unnamed.join(', ')}`);
  return problems.length === 0 ? null : problems.join('; ');
}

/** The message RESTORE and SHOW SNAPSHOT give for a directory snapshotProblems() rejects. */
export function notRestorableMessage(repoName: string, label: string, problems: string): string {
  return `snapshot '${label}' in repository ${repoName} is not restorable: it holds ${problems}, where one backup writes exactly one info and one meta file. Drop it with DROP SNAPSHOT ${label} ON ${repoName} FORCE and back up again`;
}

/** Why a label cannot be reserved or kept. */
export type LabelConflictKind = 'taken' | 'lost' | 'foreign-files';

/** A label reservation that failed (taken by another backup) or was lost (its marker gone, another backup's files). */
export class LabelConflictError extends RepositoryError {
  override name = 'LabelConflictError';
  readonly kind: LabelConflictKind;
  readonly label: string;

  constructor(kind: LabelConflictKind, label: string, message: string) {
    super('COMMON_ERROR', message);
    this.kind = kind;
    this.label = label;
  }
}

export function isLabelConflict(error: unknown): error is LabelConflictError {
  return error instanceof LabelConflictError;
}

/** Timing of the reservation protocol (tests shorten it). */
export interface ReservationTiming {
  /** Least time a loser waits before it looks again (×1 to ×2, jittered; longer on a slow store). Default 250 ms. */
  readonly settleMs: number;
  /** Rounds before contention is given up as "taken". Default 8. */
  readonly rounds: number;
  readonly clock: Clock;
  readonly random: RandomSource;
}

export const DEFAULT_SETTLE_MS = 250;
export const DEFAULT_RESERVATION_ROUNDS = 8;
/** Cap of the round-trip-scaled part of the settle wait (a store slow enough to exceed it is being retried anyway). */
const MAX_ADAPTIVE_SETTLE_MS = 5000;

/** Who reserved a label, written into its marker for operators (`cat __ss_<label>/__label_*`). */
export type ReservationOwner = Readonly<Record<string, string | number>>;

/**
 * Reserve `label` for the job holding `token` (see the protocol above). Resolves once the label is this job's;
 * rejects with LabelConflictError('taken') when another backup holds it or a snapshot is already there. Idempotent
 * for the same token (a resumed submission finds its own marker).
 */
export async function reserveLabel(
  repo: Repository,
  label: string,
  token: string,
  owner: ReservationOwner,
  timing: ReservationTiming,
  signal?: AbortSignal,
): Promise<void> {
  const marker = `${repo.root}/${labelMarkerKey(label, token)}`;
  const taken = (): LabelConflictError =>
    new LabelConflictError('taken', label, `Snapshot with name '${label}' already exist in repository ${repo.name}`);
  // The wait must outlast a contender's write + list + delete, or two retrying contenders meet again: it is the
  // configured settle time or eight of our own write + list round trips, whichever is longer, jittered ×1 to ×2.
  let roundTripMs = 0;
  const settle = async (): Promise<void> => {
    const base = Math.max(timing.settleMs, Math.min(8 * roundTripMs, MAX_ADAPTIVE_SETTLE_MS));
    const delay = backoffDelay({ baseDelayMs: base * 2, maxDelayMs: base * 2 }, 1, timing.random);
    if (delay > 0) await timing.clock.sleep(delay, signal);
  };
  const body = Buffer.from(
    JSON.stringify({ label, token, ...owner, host: hostname(), pid: process.pid, reserved_at: formatDateTime(timing.clock.now()) }),
  );
  for (let round = 1; round <= timing.rounds; round++) {
    let dir = await readLabelDirectoryForDecision(repo, label, signal);
    if (hasSnapshotFiles(dir)) throw taken();
    // Our marker alone (a resumed submission, or a delete of ours that failed): a listing after our write that shows
    // only our marker is exactly the ownership condition.
    if (dir.markers.length === 1 && dir.markers[0] === token) return;
    if (dir.markers.includes(token)) await deleteQuietly(repo, marker);
    if (dir.markers.some((t) => t !== token)) {
      // Another submitter holds the label, or is contending and will back off: wait, and look again.
      await settle();
      dir = await readLabelDirectory(repo, label, signal);
      if (hasSnapshotFiles(dir) || dir.markers.some((t) => t !== token)) throw taken();
    }
    const started = timing.clock.now();
    try {
      await repo.broker.createIfAbsent(marker, body, { signal });
    } catch (error) {
      throw fromBrokerError(error);
    }
    dir = await readLabelDirectory(repo, label, signal);
    roundTripMs = Math.max(roundTripMs, timing.clock.now() - started);
    const others = dir.markers.filter((t) => t !== token);
    if (!hasSnapshotFiles(dir) && others.length === 0 && dir.markers.includes(token)) return;
    await deleteQuietly(repo, marker);
    if (hasSnapshotFiles(dir)) throw taken();
    await settle();
  }
  throw taken();
}

/**
 * Before publishing: the label must still be this job's — its marker there (unless the job predates reservations:
 * `token` null) and no info or meta file but the ones this job writes (`mine`: stored names with checksum). Throws
 * LabelConflictError('lost' | 'foreign-files') otherwise: the snapshot must not be published.
 */
export async function verifyReservation(
  repo: Repository,
  label: string,
  token: string | null,
  mine: { readonly info: string; readonly meta: string },
  signal?: AbortSignal,
): Promise<void> {
  const dir = await readLabelDirectory(repo, label, signal);
  if (token !== null && !dir.markers.includes(token)) {
    throw new LabelConflictError(
      'lost',
      label,
      `The reservation of label '${label}' in repository ${repo.name} is gone (${labelMarkerKey(label, token)} was deleted, e.g. by DROP SNAPSHOT ${label} ON ${repo.name} FORCE); the snapshot was not published. Back up again`,
    );
  }
  const foreign = [...dir.infos.filter((n) => n !== mine.info), ...dir.metas.filter((n) => n !== mine.meta)];
  if (foreign.length > 0) {
    throw new LabelConflictError(
      'foreign-files',
      label,
      `Another backup wrote label '${label}' in repository ${repo.name} (${foreign.join(', ')}); this snapshot was not published, so the label stays unambiguous. Back up again with another label`,
    );
  }
}

/**
 * Give the label back if this job's marker is all there is (a backup cancelled before it uploaded anything): the
 * label is free again. When files were uploaded the marker stays with them, so the directory still says who wrote
 * it; DROP SNAPSHOT … FORCE removes both.
 */
export async function releaseReservation(repo: Repository, label: string, token: string, signal?: AbortSignal): Promise<boolean> {
  const dir = await readLabelDirectoryForDecision(repo, label, signal);
  if (hasSnapshotFiles(dir) || !dir.markers.includes(token)) return false;
  await deleteQuietly(repo, `${repo.root}/${labelMarkerKey(label, token)}`);
  return true;
}

/**
 * Delete the temp files crashed or retried uploads left under `__ss_<label>/` — `<file>.part` of the checksum
 * protocol and the adapters' own `.tvtmp-…` names — so a resumed backup leaves nothing behind. Call only while no
 * upload of the label runs (UPLOAD_INFO). Returns the keys deleted.
 */
export async function sweepTempFiles(repo: Repository, label: string, signal?: AbortSignal): Promise<string[]> {
  const found: BrokerEntry[] = [];
  try {
    for await (const entry of repo.broker.list(`${repo.root}/${snapshotDir(label)}/`, { signal, recursive: true, includeTemp: true })) {
      if (isTempName(entry.name) || entry.name.endsWith(`.${SUFFIX_TMP_FILE}`)) found.push(entry);
    }
    for (const entry of found) await repo.broker.delete(entry.key, { signal });
  } catch (error) {
    throw fromBrokerError(error);
  }
  return found.map((e) => e.key.slice(repo.root.length + 1));
}

async function deleteQuietly(repo: Repository, key: string): Promise<void> {
  // Without the caller's signal: a marker must not outlive a reservation that failed or was cancelled.
  await repo.broker.delete(key).catch(() => undefined);
}
