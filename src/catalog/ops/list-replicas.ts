import type { Catalog } from '../catalog.ts';
import type { ReplicaMeta } from '../model.ts';
import { toReplica, type ReplicaRow } from '../rows.ts';

/** Replicas of a tablet, of every tablet of a partition, or on a backend; ordered by tablet then replica id. */
export function listReplicas(
  catalog: Catalog,
  of: { readonly tabletId: number } | { readonly partitionId: number } | { readonly backendId: number },
): readonly ReplicaMeta[] {
  let rows: ReplicaRow[];
  if ('tabletId' in of) {
    rows = catalog.prepare<[number], ReplicaRow>('SELECT * FROM replicas WHERE tablet_id = ? ORDER BY id').all(of.tabletId);
  } else if ('partitionId' in of) {
    rows = catalog
      .prepare<[number], ReplicaRow>(
        `SELECT r.* FROM replicas r JOIN tablets t ON t.id = r.tablet_id WHERE t.partition_id = ?
         ORDER BY t.ordinal, r.id`,
      )
      .all(of.partitionId);
  } else {
    rows = catalog.prepare<[number], ReplicaRow>('SELECT * FROM replicas WHERE backend_id = ? ORDER BY tablet_id, id').all(of.backendId);
  }
  return rows.map(toReplica);
}
