import type { Catalog } from '../catalog.ts';
import type { PartitionMeta } from '../model.ts';
import { sqlError } from '../../errors/index.ts';
import { toPartition, type PartitionRow } from '../rows.ts';
import { insertPartition, type NewPartitionSpec } from './insert-partition.ts';

/**
 * ALTER TABLE … ADD PARTITION: the partition with its tablets and placed replicas, at version 1 (empty). Buckets
 * default to the table's distribution, replication_num to the table's first partition (else 3). Bounds are not
 * checked for overlap here: the SQL layer owns partition semantics.
 */
export function addPartition(catalog: Catalog, tableId: number, spec: NewPartitionSpec): PartitionMeta {
  return catalog.transaction(() => {
    const table = catalog
      .prepare<[number], { base_index_id: number; distribution: string; kind: string }>(
        'SELECT base_index_id, distribution, kind FROM tables WHERE id = ?',
      )
      .get(tableId);
    if (table === undefined || table.kind !== 'OLAP') throw sqlError('ER_BAD_TABLE_ERROR', `Unknown table id ${tableId}`);
    const sibling = catalog
      .prepare<[number], { replication_num: number }>('SELECT replication_num FROM partitions WHERE table_id = ? ORDER BY id LIMIT 1')
      .get(tableId);
    const id = insertPartition(catalog, { id: tableId, baseIndexId: table.base_index_id }, {
      ...spec,
      buckets: spec.buckets ?? (JSON.parse(table.distribution) as { buckets: number }).buckets,
      replicationNum: spec.replicationNum ?? sibling?.replication_num ?? 3,
    });
    return toPartition(catalog.prepare<[number], PartitionRow>('SELECT * FROM partitions WHERE id = ?').get(id)!);
  });
}
