/** A catalog table's partitions as the typed Partitioning that routing and pruning work on. */
import type { PartitionMeta, TableMeta } from '../../catalog/index.ts';
import { listSpecOf, partitionColumns, rangeSpecOf } from '../ddl/partition-specs.ts';
import type { Partitioning } from '../partition/index.ts';

export function partitioningOf(table: TableMeta, partitions: readonly PartitionMeta[]): Partitioning {
  const info = table.partitionInfo;
  if (info.kind === 'UNPARTITIONED') {
    const only = partitions[0];
    if (only === undefined) throw new Error(`table ${table.name} has no partition`);
    return { kind: 'unpartitioned', partitionId: only.id };
  }
  const columns = partitionColumns(table.columns, info.columns);
  return info.kind === 'RANGE'
    ? { kind: 'range', columns, partitions: partitions.map((p) => ({ id: p.id, ...rangeSpecOf(p, columns) })) }
    : { kind: 'list', columns, partitions: partitions.map((p) => ({ id: p.id, ...listSpecOf(p, columns) })) };
}
