import { sqlError } from '../../errors/index.ts';
import { formatValue } from '../../types/format.ts';
import type { Row, Value } from '../../types/value.ts';
import { tupleKey } from '../select/aggregate.ts';
import { compareBounds, compareKeyToBound, type Partitioning, type RangePartition } from './partitioning.ts';

/** Maps a full table row to the id of the partition that stores it; throws SqlError 1526 when none does. */
export type Router = (row: Row) => number;

function noPartition(p: Exclude<Partitioning, { kind: 'unpartitioned' }>, key: readonly Value[]): Error {
  const values = key.map((v, i) => formatValue(v, p.columns[i]?.type) ?? 'NULL').join("', '");
  const cols = p.columns.map((c) => c.name).join(', ');
  const how = p.kind === 'range' ? 'VALUES LESS THAN (…) or VALUES [(…), (…))' : "VALUES IN (…)";
  return sqlError(
    'ER_NO_PARTITION_FOR_GIVEN_VALUE',
    `Table has no partition for value '${values}' (column ${cols}). Add a partition that covers it: ALTER TABLE … ADD PARTITION p … ${how}`,
  );
}

/** Build a router once per statement (sorts range bounds / indexes list values), then call it per row. */
export function createRouter(p: Partitioning): Router {
  if (p.kind === 'unpartitioned') return () => p.partitionId;
  const idx = p.columns.map((c) => c.index);
  const keyOf = (row: Row): Value[] => idx.map((i) => row[i] ?? null);
  if (p.kind === 'list') {
    const map = new Map<string, number>();
    for (const part of p.partitions) for (const tuple of part.values) map.set(tupleKey(tuple), part.id);
    return (row) => {
      const key = keyOf(row);
      const id = map.get(tupleKey(key));
      if (id === undefined) throw noPartition(p, key);
      return id;
    };
  }
  const sorted: RangePartition[] = [...p.partitions].sort((a, b) => compareBounds(a.lower, b.lower, p.columns));
  return (row) => {
    const key = keyOf(row);
    // Binary search for the last partition whose lower bound is <= key, then check its upper bound.
    let lo = 0;
    let hi = sorted.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const part = sorted[mid] as RangePartition;
      if (part.lower === 'MINVALUE' || compareKeyToBound(key, part.lower, p.columns) >= 0) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const part = sorted[found];
    if (part && (part.upper === 'MAXVALUE' || compareKeyToBound(key, part.upper, p.columns) < 0)) return part.id;
    throw noPartition(p, key);
  };
}

/** Route one row (convenience over createRouter for single rows). */
export function routeRow(p: Partitioning, row: Row): number {
  return createRouter(p)(row);
}
