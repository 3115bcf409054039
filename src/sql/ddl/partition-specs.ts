/**
 * Partition definitions of CREATE TABLE / ALTER TABLE ADD PARTITION → catalog partition specs. The rules (ranges
 * chain and never intersect, list values unique, START/END/EVERY expansion) live in src/sql/partition; this module
 * converts between their typed specs and the catalog's text bounds.
 */
import type { DistributionDesc, FixedRangePartitionDef, LessThanPartitionDef, ListPartitionDef, PartitionDesc } from '../../../grammar/ast.ts';
import {
  addPartition, listPartitions, type Catalog, type ColumnMeta, type NewPartitionSpec, type PartitionBounds,
  type PartitionMeta, type RangeBoundValue, type TableMeta,
} from '../../catalog/index.ts';
import { analysisError, ddlError } from '../../errors/index.ts';
import { parseLiteralForType } from '../../types/coerce.ts';
import { formatValue } from '../../types/format.ts';
import type { Value } from '../../types/value.ts';
import {
  addRangePartition, buildListPartitions, buildRangePartitions, type ListSpec, type PartitionColumn, type RangeSpec,
} from '../partition/index.ts';
import { replicationNumOf } from './table-properties.ts';

/** The partition columns of a table (by name), typed and positioned in the full row. */
export function partitionColumns(columns: readonly ColumnMeta[], names: readonly string[]): PartitionColumn[] {
  return names.map((name) => {
    const index = columns.findIndex((c) => c.name === name);
    const column = columns[index];
    if (column === undefined) throw analysisError(`Partition column[${name}] does not exist in column list`);
    return { name, type: column.type, index };
  });
}

/** Specs for the partitions written in CREATE TABLE. */
export function buildPartitionSpecs(desc: PartitionDesc, columns: readonly ColumnMeta[]): NewPartitionSpec[] {
  const pcols = partitionColumns(columns, desc.columns);
  return desc.kind === 'RangePartitionDesc'
    ? buildRangePartitions(pcols, desc.partitions).map((r) => ({ name: r.name, bounds: rangeBounds(r, pcols) }))
    : buildListPartitions(pcols, desc.partitions).map((l) => ({ name: l.name, bounds: listBounds(l, pcols) }));
}

/** ALTER TABLE … ADD PARTITION: validate against the existing partitions, then add. */
export function addPartitionSpec(
  catalog: Catalog,
  table: TableMeta,
  def: LessThanPartitionDef | FixedRangePartitionDef | ListPartitionDef,
  distribution: DistributionDesc | undefined,
  backends: number,
  temporary = false,
): void {
  const info = table.partitionInfo;
  if (info.kind === 'UNPARTITIONED') throw ddlError(`Table ${table.name} is not partitioned: it has no partitions to add to`);
  // A temporary partition may overlap formal ones (it is meant to replace them), not other temporary ones.
  const existing = listPartitions(catalog, table.id, { temporary });
  if (def.ifNotExists && existing.some((p) => p.name === def.name)) return;
  const pcols = partitionColumns(table.columns, info.columns);
  if (distribution?.kind === 'HashDistribution' && table.distribution.kind === 'HASH' && distribution.columns.join() !== table.distribution.columns.join()) {
    throw ddlError(`Cannot assign hash distribution with different distribution cols. new is: [${distribution.columns.join(', ')}] default is: [${table.distribution.columns.join(', ')}]`);
  }
  let bounds: PartitionBounds;
  if (def.kind === 'ListPartition') {
    if (info.kind !== 'LIST') throw ddlError(`Table ${table.name} is RANGE partitioned: add a partition with VALUES LESS THAN or VALUES [...)`);
    const [spec] = buildListPartitions(pcols, [def], existing.map((p) => listSpecOf(p, pcols)));
    bounds = listBounds(spec as ListSpec, pcols);
  } else {
    if (info.kind !== 'RANGE') throw ddlError(`Table ${table.name} is LIST partitioned: add a partition with VALUES IN (...)`);
    bounds = rangeBounds(addRangePartition(pcols, existing.map((p) => rangeSpecOf(p, pcols)), def), pcols);
  }
  const props = Object.fromEntries(def.properties.map((p) => [p.key, p.value]));
  addPartition(catalog, table.id, {
    name: def.name,
    bounds,
    temporary,
    ...(distribution?.buckets === undefined ? {} : { buckets: distribution.buckets }),
    // The partition's own replication_num, else the table's default (set at CREATE or by default.replication_num).
    ...(props['replication_num'] !== undefined
      ? { replicationNum: replicationNumOf(props, backends) }
      : table.properties['replication_num'] !== undefined
        ? { replicationNum: replicationNumOf({ replication_num: table.properties['replication_num'] }, backends) }
        : {}),
  });
}

/** A catalog range partition as a typed RangeSpec. */
export function rangeSpecOf(p: PartitionMeta, pcols: readonly PartitionColumn[]): RangeSpec {
  if (p.bounds.kind !== 'RANGE') throw new Error(`partition ${p.name} is not a range partition`);
  const typed = (values: readonly RangeBoundValue[]): Value[] =>
    values.map((v, i) => (v.kind === 'literal' ? parseLiteralForType(v.value, (pcols[i] as PartitionColumn).type) : null));
  const { lower, upper } = p.bounds;
  return {
    name: p.name,
    lower: lower.length === 0 || lower[0]?.kind === 'MINVALUE' ? 'MINVALUE' : typed(lower),
    upper: upper.length === 0 || upper[0]?.kind === 'MAXVALUE' ? 'MAXVALUE' : typed(upper),
  };
}

/** A catalog list partition as a typed ListSpec. */
export function listSpecOf(p: PartitionMeta, pcols: readonly PartitionColumn[]): ListSpec {
  if (p.bounds.kind !== 'LIST') throw new Error(`partition ${p.name} is not a list partition`);
  return { name: p.name, values: p.bounds.values.map((t) => t.map((v, i) => parseLiteralForType(v, (pcols[i] as PartitionColumn).type))) };
}

function rangeBounds(r: RangeSpec, pcols: readonly PartitionColumn[]): PartitionBounds {
  const side = (b: readonly Value[] | 'MINVALUE' | 'MAXVALUE'): RangeBoundValue[] =>
    typeof b === 'string' ? [{ kind: b }] : b.map((v, i) => ({ kind: 'literal', value: formatValue(v, pcols[i]?.type) ?? '' }));
  return { kind: 'RANGE', lower: side(r.lower), upper: side(r.upper) };
}

function listBounds(l: ListSpec, pcols: readonly PartitionColumn[]): PartitionBounds {
  return { kind: 'LIST', values: l.values.map((t) => t.map((v, i) => formatValue(v, pcols[i]?.type) ?? '')) };
}
