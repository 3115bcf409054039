import type { Catalog } from '../catalog.ts';
import type { ReplicaMeta } from '../model.ts';
import { toReplica, type ReplicaRow } from '../rows.ts';

/** A replica by id, or undefined. */
export function getReplica(catalog: Catalog, replicaId: number): ReplicaMeta | undefined {
  const row = catalog.prepare<[number], ReplicaRow>('SELECT * FROM replicas WHERE id = ?').get(replicaId);
  return row === undefined ? undefined : toReplica(row);
}
