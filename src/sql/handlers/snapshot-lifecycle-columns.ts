/** SHOW SNAPSHOT's lifecycle columns: FinishTime, TTL, ExpireTime (after StarRocks' own, as StarRocks v4.2 adds). */
import { clusterIdOf } from '../../jobs/backup-info.ts';
import { expiryOf } from '../../jobs/snapshot-expiry.ts';
import { readSettings } from '../../repository/repository-settings.ts';
import type { Repository } from '../../repository/repository.ts';
import { formatDateTime } from '../../util/clock.ts';
import type { ExecutionContext } from '../context.ts';

export const LIFECYCLE_COLUMNS = ['FinishTime', 'TTL', 'ExpireTime'] as const;

/**
 * The three values for snapshot `label` at `timestamp` (null: not one restorable snapshot → all NULL). TTL is the
 * snapshot's own `ttl`, else the repository's `default_snapshot_ttl` for snapshots this instance wrote (which the
 * expiry task drops); NULL when it never expires. Snapshots written by StarRocks record no finish time.
 */
export async function lifecycleColumns(ctx: ExecutionContext, repo: Repository, label: string, timestamp: string | null): Promise<(string | null)[]> {
  if (timestamp === null) return [null, null, null];
  let info;
  try {
    info = await repo.readJobInfo(label, timestamp, ctx.signal);
  } catch {
    return [null, null, null];
  }
  const me = await clusterIdOf(ctx.services.dataDir);
  const settings = readSettings(ctx.services.repositories.settings(repo.name));
  const finished = info.extension?.finishedTime ?? -1;
  const expiry = expiryOf({ label, timestamp, infoKey: '', metaKey: '', info, files: [] }, settings, me);
  return [formatDateTime(finished), expiry.ttl, formatDateTime(expiry.expireTime)];
}
