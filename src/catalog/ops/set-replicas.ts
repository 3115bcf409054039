import type { Catalog } from '../catalog.ts';
import { sqlError } from '../../errors/index.ts';

/** A change of replica count, planned by storage (whose files are already in place for the added replicas). */
export interface ReplicaChange {
  /** Partitions whose replication_num becomes `replicationNum`. */
  readonly partitionIds: readonly number[];
  readonly replicationNum: number;
  /** New replicas, holding every file of their tablet up to `version`. */
  readonly added: readonly { readonly tabletId: number; readonly backendId: number; readonly version: number }[];
  /** Replicas to remove (their tablet directories are queued for deletion). */
  readonly removed: readonly number[];
}

/**
 * Publish a replica change in one durable transaction. An added replica's version is the one its files were copied
 * at; a load since then leaves it behind, unhealthy, rather than claiming files it lacks (the caller holds the table
 * lock so this does not happen in practice).
 */
export function setReplicas(catalog: Catalog, change: ReplicaChange): void {
  catalog.durableTransaction(() => {
    const now = catalog.clock.now();
    const n = change.added.length;
    let next = n > 0 ? catalog.nextId(n) : 0;
    const insert = catalog.prepare('INSERT INTO replicas (id, tablet_id, backend_id, version) VALUES (?, ?, ?, ?)');
    for (const a of change.added) {
      if (catalog.prepare('SELECT id FROM tablets WHERE id = ?').get(a.tabletId) === undefined) {
        throw sqlError('ER_UNKNOWN_ERROR', `tablet ${a.tabletId} was dropped during the replica change`);
      }
      insert.run(next++, a.tabletId, a.backendId, a.version);
    }
    for (const id of change.removed) {
      catalog
        .prepare(`INSERT INTO trash (backend_id, path, created_at) SELECT backend_id, 'data/' || tablet_id, ? FROM replicas WHERE id = ?`)
        .run(now, id);
      catalog.prepare('DELETE FROM replicas WHERE id = ?').run(id);
    }
    const update = catalog.prepare('UPDATE partitions SET replication_num = ? WHERE id = ?');
    for (const id of change.partitionIds) update.run(change.replicationNum, id);
  });
}
