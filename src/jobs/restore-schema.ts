import type { ColumnMeta, PartitionBounds, PartitionMeta, RangeBoundValue, TableMeta } from '../catalog/model.ts';
import type { MetaBoundValue, MetaColumn, MetaOlapTable, MetaPartition } from '../repository/backup-meta.ts';
import { formatColumnType } from '../types/column-type.ts';
import type { ColumnType } from '../types/column-type.ts';
import { parseLiteralForType } from '../types/coerce.ts';
import { compareValues } from '../types/compare.ts';
import { JobStatusError } from './status.ts';

/**
 * StarRocks' restore-into-existing-table checks (RestoreJob.checkAndPrepareMeta, reference §5.1), with one change:
 * the message names the FIRST difference precisely (StarRocks prints a signature diff users could not read,
 * issues #21418 / #27227). Every failure is a job-status error: the job is cancelled with this text.
 */

function fail(message: string): never {
  throw new JobStatusError('COMMON_ERROR', message);
}

/** `` `v` int(11) NULL KEY SUM `` — how a column appears in a schema-difference message. */
export function describeColumn(c: ColumnMeta | MetaColumn): string {
  const parts = [`\`${c.name}\``, formatColumnType(c.type as ColumnType), c.nullable ? 'NULL' : 'NOT NULL'];
  if (c.isKey) parts.push('KEY');
  if (c.aggregate !== null) parts.push(c.aggregate);
  return parts.join(' ');
}

function sameColumn(a: ColumnMeta, b: MetaColumn): boolean {
  return (
    a.name.toLowerCase() === b.name.toLowerCase() &&
    formatColumnType(a.type) === formatColumnType(b.type as ColumnType) &&
    a.nullable === b.nullable &&
    a.isKey === b.isKey &&
    (a.aggregate ?? null) === (b.aggregate ?? null)
  );
}

function partitioningText(p: { readonly kind: string; readonly columns?: readonly string[] }): string {
  return p.kind === 'UNPARTITIONED' ? 'UNPARTITIONED' : `${p.kind}(${(p.columns ?? []).join(', ')})`;
}

/**
 * Throw the first difference between an existing table and the snapshot's: columns by position (name, type,
 * nullability, key, aggregate), column count, key model, key columns, partitioning, distribution columns.
 */
export function checkSameSchema(local: TableMeta, remote: MetaOlapTable): void {
  try {
    compareSchemas(local, remote);
  } catch (error) {
    // Which schema versions met: the backup's (when it recorded one) and the table's, so an operator sees that an
    // ALTER TABLE since the backup is why (and can RESTORE … AS another table, then SWAP).
    if (!(error instanceof JobStatusError)) throw error;
    const versions = `snapshot schema version ${remote.schemaVersion ?? 'unknown'}, table schema version ${local.schemaVersion}`;
    fail(`${error.message} (${versions}; restore AS another table, then SWAP)`);
  }
}

function compareSchemas(local: TableMeta, remote: MetaOlapTable): void {
  const name = local.name;
  const n = Math.max(local.columns.length, remote.columns.length);
  for (let i = 0; i < n; i++) {
    const l = local.columns[i];
    const r = remote.columns[i];
    if (l === undefined && r !== undefined) {
      fail(`Table ${name} already exist but with different schema, errMsg: column ${describeColumn(r)} of the backup snapshot does not exist in the existed table`);
    }
    if (r === undefined && l !== undefined) {
      fail(`Table ${name} already exist but with different schema, errMsg: column ${describeColumn(l)} of the existed table does not exist in the backup snapshot`);
    }
    if (l !== undefined && r !== undefined && !sameColumn(l, r)) {
      fail(
        `Table ${name} already exist but with different schema, column: ${describeColumn(l)} in existed table is different from the column in backup snapshot, column: ${describeColumn(r)}`,
      );
    }
  }
  if (local.keyModel !== remote.keyModel) {
    fail(`Table ${name} already exist but with different key type, existed table is ${local.keyModel} KEY, backup snapshot is ${remote.keyModel} KEY`);
  }
  const lk = local.keyColumns.map((c) => c.toLowerCase()).join(', ');
  const rk = remote.keyColumns.map((c) => c.toLowerCase()).join(', ');
  if (lk !== rk) fail(`Table ${name} already exist but with different schema, errMsg: key columns (${local.keyColumns.join(', ')}) differ from the backup snapshot's (${remote.keyColumns.join(', ')})`);
  const lp = partitioningText(local.partitionInfo);
  const rp = partitioningText(remote.partitionInfo);
  if (lp.toLowerCase() !== rp.toLowerCase()) {
    fail(`Table ${name} already exist but with different schema, errMsg: partitioning ${lp} differs from the backup snapshot's ${rp}`);
  }
  const ld = local.distribution.kind === 'HASH' ? `HASH(${local.distribution.columns.join(', ')})` : 'RANDOM';
  const rd = remote.distribution.kind === 'HASH' ? `HASH(${remote.distribution.columns.join(', ')})` : 'RANDOM';
  if (ld.toLowerCase() !== rd.toLowerCase()) {
    fail(`Table ${name} already exist but with different schema, errMsg: distribution ${ld} differs from the backup snapshot's ${rd}`);
  }
}

function canonicalBounds(b: PartitionBounds | MetaPartition['bounds']): string {
  return JSON.stringify(b, (_k, v: unknown) => v);
}

/**
 * An existing partition the snapshot overwrites: same bounds, same bucket count, and (when replication_num was
 * given) the same replication number — StarRocks' messages.
 */
export function checkOverwritablePartition(
  table: string,
  local: PartitionMeta,
  remote: MetaPartition,
  replicationNum: number | null,
): void {
  if (local.bounds.kind === 'RANGE' && canonicalBounds(local.bounds) !== canonicalBounds(remote.bounds)) {
    fail(`Partition ${local.name} in table ${table} has different range with partition in repository`);
  }
  if (local.bounds.kind === 'LIST' && canonicalBounds(local.bounds) !== canonicalBounds(remote.bounds)) {
    fail(`Partition ${local.name} in table ${table} has different list values with partition in repository`);
  }
  if (local.buckets !== remote.buckets) {
    fail(`Partition ${local.name} in table ${table} has different bucket num ${local.buckets} with partition in repository, which is ${remote.buckets}`);
  }
  if (replicationNum !== null && local.replicationNum !== replicationNum) {
    fail(`Partition ${local.name} in table ${table} has different replication num '${local.replicationNum}' with partition in repository, which is ${replicationNum}`);
  }
}

type Bound = readonly MetaBoundValue[] | readonly RangeBoundValue[];

function compareBound(a: Bound, b: Bound, types: readonly ColumnType[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    // A missing trailing value of a bound is MINVALUE (StarRocks fills partial keys with the type's minimum).
    const xk = x === undefined ? 'MINVALUE' : x.kind;
    const yk = y === undefined ? 'MINVALUE' : y.kind;
    if (xk !== 'literal' || yk !== 'literal') {
      const rank = (k: string): number => (k === 'MINVALUE' ? -1 : k === 'MAXVALUE' ? 1 : 0);
      if (rank(xk) !== rank(yk)) return rank(xk) - rank(yk);
      if (xk !== 'literal') continue;
    }
    const type = types[i] ?? { name: 'STRING' };
    const c = compareValues(
      parseLiteralForType((x as { value: string }).value, type),
      parseLiteralForType((y as { value: string }).value, type),
      type,
    );
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * A snapshot partition that is added to an existing table must not overlap the table's partitions: ranges may not
 * intersect (`… has conflict range with existing ranges`), list values may not repeat.
 */
export function checkNoConflict(table: TableMeta, existing: readonly PartitionMeta[], remote: MetaPartition): void {
  if (remote.bounds.kind === 'UNPARTITIONED') fail(`No partition exist in single partitioned table ${table.name}`);
  const columns = table.partitionInfo.kind === 'UNPARTITIONED' ? [] : table.partitionInfo.columns;
  const types = columns.map((c) => table.columns.find((col) => col.name.toLowerCase() === c.toLowerCase())?.type ?? { name: 'STRING' as const });
  if (remote.bounds.kind === 'RANGE') {
    const r = remote.bounds;
    for (const p of existing) {
      if (p.bounds.kind !== 'RANGE') continue;
      if (compareBound(r.lower, p.bounds.upper, types) < 0 && compareBound(p.bounds.lower, r.upper, types) < 0) {
        fail(`Partition ${remote.name} in table ${table.name} has conflict range with existing ranges`);
      }
    }
    return;
  }
  const remoteKeys = new Set(remote.bounds.values.map((v) => JSON.stringify(v)));
  for (const p of existing) {
    if (p.bounds.kind !== 'LIST') continue;
    const clash = p.bounds.values.find((v) => remoteKeys.has(JSON.stringify(v)));
    if (clash !== undefined) {
      fail(`Partition ${remote.name} in table ${table.name} has conflict list values with existing partition ${p.name}: (${clash.join(', ')})`);
    }
  }
}
