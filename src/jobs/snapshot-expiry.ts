import type { JobRow } from '../catalog/jobs-types.ts';
import { readSettings, type RepositorySettings } from '../repository/repository-settings.ts';
import type { IndexedSnapshot } from '../repository/repository-index.ts';
import { planDrop } from '../repository/snapshot-drop.ts';
import { expireTimeOf, isTtl, parseTtl } from '../repository/snapshot-ttl.ts';
import { clusterIdOf } from './backup-info.ts';
import { dropSnapshots, indexOf, jobConflict, type RetentionDeps } from './snapshot-retention.ts';
import type { BackupSpec } from './steps.ts';

/**
 * Snapshot expiry (StarRocks v4.2's TTL cleaner, with a repository default): BACKUP's `"ttl" = "7 DAY"` is written
 * into the info file with its absolute `expire_time`; a snapshot without one gets the repository's
 * `default_snapshot_ttl` (ALTER REPOSITORY), counted from its finish time, when this instance wrote it. A background
 * task (SnapshotExpiry, started by the engine, driven by the engine's Clock so tests run it in simulated time) drops
 * expired snapshots this instance owns through dropSnapshots — under the submit lock, never one a live job writes or
 * reads — and, on every round, finishes interrupted drops and deletes objects nothing references any more.
 */

/** `ttl` and `expire_time` for the info file of a backup finishing at `finishedTime` (none without `ttl`). */
export function snapshotTtlOf(job: JobRow, finishedTime: number): { ttl?: string; expireTime?: number } {
  const text = (job.spec as Partial<BackupSpec> | null)?.ttl;
  if (typeof text !== 'string') return {};
  const ttl = parseTtl(text);
  return isTtl(ttl) ? { ttl: ttl.text, expireTime: expireTimeOf(finishedTime, ttl) } : {};
}

/** When a snapshot expires and why; `expireTime` -1 when it does not. */
export interface Expiry {
  /** The TTL in force (`7 DAY`), or null. */
  readonly ttl: string | null;
  readonly expireTime: number;
  /** Where the TTL comes from. */
  readonly source: 'snapshot' | 'repository' | null;
}

/** The snapshot's own TTL, else the repository's default when `me` wrote it (and its finish time is known). */
export function expiryOf(snapshot: IndexedSnapshot, settings: RepositorySettings, me: number | null): Expiry {
  const ext = snapshot.info.extension;
  if (ext?.expireTime !== undefined && ext.expireTime > 0) return { ttl: ext.ttl ?? null, expireTime: ext.expireTime, source: 'snapshot' };
  const ttl = settings.defaultTtl;
  const finished = ext?.finishedTime ?? -1;
  if (ttl === null || finished <= 0 || me === null || ext?.clusterId !== me) return { ttl: null, expireTime: -1, source: null };
  return { ttl: ttl.text, expireTime: expireTimeOf(finished, ttl), source: 'repository' };
}

export interface ExpiryDeps extends RetentionDeps {
  /** Names of the repositories to sweep (every known one). */
  repositoryNames(): readonly string[];
  /** A repository's stored lifecycle settings. */
  settingsOf(name: string): Readonly<Record<string, string>>;
  /** Whether a repository is read-only (never swept). */
  isReadOnly(name: string): boolean;
}

/** What one round did, per repository. */
export interface ExpiryRound {
  readonly dropped: readonly { readonly repository: string; readonly labels: readonly string[]; readonly bytes: number }[];
  /** Repositories skipped this round (a job uses them, or they failed), with why. */
  readonly skipped: readonly { readonly repository: string; readonly reason: string }[];
}

/** Default time between rounds. */
export const DEFAULT_EXPIRY_INTERVAL_MS = 10 * 60 * 1000;

export class SnapshotExpiry {
  readonly #deps: ExpiryDeps;
  readonly #intervalMs: number;
  #loop: { controller: AbortController; done: Promise<void> } | undefined;
  #running: Promise<ExpiryRound> | undefined;

  constructor(deps: ExpiryDeps, intervalMs = DEFAULT_EXPIRY_INTERVAL_MS) {
    this.#deps = deps;
    this.#intervalMs = intervalMs;
  }

  /** One round now (rounds never overlap: a call during a round waits for it). */
  runOnce(signal?: AbortSignal): Promise<ExpiryRound> {
    this.#running ??= this.#round(signal).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Run a round every interval of the clock. Idempotent. */
  start(): void {
    if (this.#loop !== undefined) return;
    const controller = new AbortController();
    const log = this.#deps.logger.child({ component: 'snapshot-expiry' });
    const loop = async (): Promise<void> => {
      while (!controller.signal.aborted) {
        try {
          await this.#deps.clock.sleep(this.#intervalMs, controller.signal);
          await this.runOnce(controller.signal);
        } catch (error) {
          if (controller.signal.aborted) return;
          log.error({ err: error }, 'snapshot expiry round failed');
        }
      }
    };
    this.#loop = { controller, done: loop() };
  }

  /** Stop the loop and wait for a round in progress. */
  async stop(): Promise<void> {
    const loop = this.#loop;
    if (loop === undefined) return;
    this.#loop = undefined;
    loop.controller.abort();
    await loop.done;
    await this.#running?.catch(() => undefined);
  }

  async #round(signal?: AbortSignal): Promise<ExpiryRound> {
    const deps = this.#deps;
    const log = deps.logger.child({ component: 'snapshot-expiry' });
    const me = await clusterIdOf(deps.dataDir);
    const dropped: ExpiryRound['dropped'][number][] = [];
    const skipped: ExpiryRound['skipped'][number][] = [];
    for (const name of deps.repositoryNames()) {
      if (signal?.aborted) break;
      if (deps.isReadOnly(name)) continue;
      try {
        const repo = await deps.repositories.get(name);
        const index = await indexOf(repo, signal);
        const settings = readSettings(deps.settingsOf(name));
        const now = deps.clock.now();
        const expired = index.snapshots
          .filter((s) => s.info.extension?.clusterId === me)
          .filter((s) => {
            const e = expiryOf(s, settings, me);
            return e.expireTime > 0 && e.expireTime <= now;
          })
          .map((s) => s.label);
        // Nothing expired, no interrupted drop, no unreferenced object: nothing to do (and no lock taken).
        const work = planDrop(index, expired, now);
        if (work.labels.length === 0 && work.filesDeleted === 0 && work.moves.length === 0) continue;
        const conflict = jobConflict(deps.catalog, index, name, expired);
        if (conflict !== null) {
          skipped.push({ repository: name, reason: conflict });
          log.info({ repository: name, reason: conflict }, 'expired snapshots kept for now: a job uses the repository');
          continue;
        }
        const outcome = await dropSnapshots(deps, {
          repository: name,
          labels: expired,
          force: false,
          dryRun: false,
          reason: 'ttl',
          ...(signal === undefined ? {} : { signal }),
        });
        if (outcome.plan.labels.length > 0 || outcome.plan.filesDeleted > 0) {
          dropped.push({ repository: name, labels: outcome.plan.labels, bytes: outcome.plan.bytesReclaimed });
        }
      } catch (error) {
        if (signal?.aborted) break;
        const reason = (error as Error).message;
        skipped.push({ repository: name, reason });
        log.warn({ repository: name, err: error }, 'snapshot expiry failed for a repository; retried next round');
      }
    }
    return { dropped, skipped };
  }
}
