/**
 * What a schedule backs up each run (its policy, MRS Manager's "backup policy") and which of its snapshots it keeps
 * (`keep_last`, MRS's "maximum number of backup copies", and `ttl`). Pure functions over the schedule's past runs, so
 * the same rules decide in the engine and in the tests' model.
 */
import type { BackupType } from '../../catalog/schedules-types.ts';

/**
 * - `full`: every run a full backup;
 * - `incremental`: every run reuses what the repository already holds (the first has nothing to reuse);
 * - `full_then_incremental`: full until one succeeds, then incremental;
 * - `full_every_n` (`full_every` = n): full, then n - 1 incrementals, then full again; a failed run does not count.
 */
export type BackupPolicy =
  | { readonly kind: 'full' }
  | { readonly kind: 'incremental' }
  | { readonly kind: 'full_then_incremental' }
  | { readonly kind: 'full_every_n'; readonly every: number };

export const POLICY_NAMES = ['full', 'incremental', 'full_then_incremental', 'full_every_n'] as const;

/** The backup type of the next run, given the types of the schedule's successful runs so far (oldest first). */
export function nextBackupType(policy: BackupPolicy, successes: readonly BackupType[]): BackupType {
  switch (policy.kind) {
    case 'full':
      return 'FULL';
    case 'incremental':
      return 'INCREMENTAL';
    case 'full_then_incremental':
      return successes.includes('FULL') ? 'INCREMENTAL' : 'FULL';
    case 'full_every_n': {
      const lastFull = successes.lastIndexOf('FULL');
      if (lastFull < 0) return 'FULL';
      const since = successes.length - 1 - lastFull;
      return since >= policy.every - 1 ? 'FULL' : 'INCREMENTAL';
    }
  }
}

/** A snapshot a schedule made and has not dropped yet. */
export interface KeptSnapshot {
  readonly label: string;
  /** When its run succeeded (epoch ms). */
  readonly finishedAt: number;
}

/**
 * Which of the schedule's snapshots to drop after a successful run: all but the `keepLast` newest, and (with a ttl)
 * every one finished more than `ttlMs` ago — except the newest, which is never dropped (a schedule always keeps its
 * last good backup). Returned oldest first.
 */
export function snapshotsToDrop(
  kept: readonly KeptSnapshot[],
  rules: { readonly keepLast: number | null; readonly ttlMs: number | null },
  now: number,
): KeptSnapshot[] {
  const newestFirst = [...kept].sort((a, b) => b.finishedAt - a.finishedAt);
  const drop = newestFirst.filter(
    (s, i) => i > 0 && ((rules.keepLast !== null && i >= rules.keepLast) || (rules.ttlMs !== null && now - s.finishedAt > rules.ttlMs)),
  );
  return drop.reverse();
}
