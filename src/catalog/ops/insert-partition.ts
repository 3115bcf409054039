import type { Catalog } from '../catalog.ts';
import type { PartitionBounds } from '../model.ts';
import { ddlError, sqlError } from '../../errors/index.ts';
import { placeReplicas } from './place-replicas.ts';

/** What a new partition needs; ids are assigned by the catalog. */
export interface NewPartitionSpec {
  /** Partition name (unique within the table). */
  readonly name: string;
  /** Bounds; `{ kind: 'UNPARTITIONED' }` for the single partition of an unpartitioned table. */
  readonly bounds: PartitionBounds;
  /** Tablets; defaults to the table's distribution buckets. */
  readonly buckets?: number;
  /** Replicas per tablet; defaults to the table's. */
  readonly replicationNum?: number;
  /** False to create it invisible (restore); default true. */
  readonly visible?: boolean;
  /** A temporary partition (ALTER TABLE … ADD TEMPORARY PARTITION); default false. */
  readonly temporary?: boolean;
}

/**
 * Insert one partition with its tablets (ordinals 0..buckets-1 in the base index) and their placed replicas, at
 * version 1 (empty). Internal helper; runs inside the caller's transaction. Returns the partition id.
 */
export function insertPartition(
  catalog: Catalog,
  table: { readonly id: number; readonly baseIndexId: number },
  spec: NewPartitionSpec & { readonly buckets: number; readonly replicationNum: number },
): number {
  const clash = catalog
    .prepare<[number, string], { id: number }>('SELECT id FROM partitions WHERE table_id = ? AND name = ?')
    .get(table.id, spec.name);
  if (clash !== undefined) throw sqlError('ER_SAME_NAME_PARTITION', `Duplicate partition name ${spec.name}`);
  if (!Number.isInteger(spec.buckets) || spec.buckets < 1) {
    throw ddlError(`Number of buckets should be a positive integer, but got ${spec.buckets}`);
  }
  const placement = placeReplicas(catalog, spec.buckets, spec.replicationNum);
  const now = catalog.clock.now();
  const ids = catalog.nextId(1 + spec.buckets * (1 + spec.replicationNum));
  let next = ids;
  const partitionId = next++;
  catalog
    .prepare(
      `INSERT INTO partitions (id, table_id, name, bounds, visible_version, visible_version_time, replication_num,
         buckets, visible, created_at, temporary) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)`,
    )
    .run(partitionId, table.id, spec.name, JSON.stringify(spec.bounds), now, spec.replicationNum, spec.buckets,
      spec.visible === false ? 0 : 1, now, spec.temporary === true ? 1 : 0);
  const insertTablet = catalog.prepare('INSERT INTO tablets (id, partition_id, index_id, ordinal) VALUES (?, ?, ?, ?)');
  const insertReplica = catalog.prepare('INSERT INTO replicas (id, tablet_id, backend_id, version) VALUES (?, ?, ?, 1)');
  placement.forEach((backendIds, ordinal) => {
    const tabletId = next++;
    insertTablet.run(tabletId, partitionId, table.baseIndexId, ordinal);
    for (const backendId of backendIds) insertReplica.run(next++, tabletId, backendId);
  });
  return partitionId;
}
