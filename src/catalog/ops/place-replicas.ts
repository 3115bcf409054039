import type { Catalog } from '../catalog.ts';
import { ddlError } from '../../errors/index.ts';

/**
 * Choose backends for the replicas of `tabletCount` new tablets: each tablet on `replicationNum` distinct backends,
 * least-loaded first (replica count across the whole catalog), ties by backend id and rotating so consecutive
 * tablets start on different backends. Internal helper of create-table / add-partition (runs in their transaction).
 */
export function placeReplicas(catalog: Catalog, tabletCount: number, replicationNum: number): number[][] {
  const loads = catalog
    .prepare<[], { id: number; n: number }>(
      'SELECT b.id AS id, (SELECT count(*) FROM replicas r WHERE r.backend_id = b.id) AS n FROM backends b ORDER BY b.id',
    )
    .all();
  if (!Number.isInteger(replicationNum) || replicationNum < 1) {
    throw ddlError(`Invalid replication_num: ${replicationNum}. It must be a positive integer.`);
  }
  if (replicationNum > loads.length) {
    throw ddlError(
      'Table replication num should be less than or equal to the number of available BE nodes. ' +
        'You can change this default by setting the replication_num table properties. ' +
        `Current alive backend is [${loads.map((b) => b.id).join(',')}]. ` +
        `replication_num=${replicationNum}, alive backends=${loads.length}.`,
    );
  }
  const load = new Map(loads.map((b) => [b.id, b.n]));
  const ids = loads.map((b) => b.id);
  const placement: number[][] = [];
  for (let t = 0; t < tabletCount; t++) {
    // Stable sort by load over a rotated id list: equal loads fall back to round-robin order.
    const rotated = ids.map((_, i) => ids[(i + t) % ids.length]!);
    const chosen = [...rotated].sort((a, b) => load.get(a)! - load.get(b)!).slice(0, replicationNum);
    for (const id of chosen) load.set(id, load.get(id)! + 1);
    placement.push(chosen);
  }
  return placement;
}
