/**
 * A schema change whose type change alters how values are stored (INT → BIGINT, DATE → DATETIME, a DECIMAL scale)
 * rewrites the table: every partition (temporary ones too) is read at a pinned version under the old schema, each
 * row is converted to the new one, and each tablet gets a base rowset of the converted rows — written by one
 * LoadWriter whose commit transaction also publishes the new schema. A crash before that commit leaves the old schema
 * over the old files (the new files are orphans the next open sweeps); after it, the new schema over the new files.
 * Never a mix. The caller holds the table lock, so no load lands in between.
 */
import { listPartitions, listTablets, type ColumnMeta, type TableMeta } from '../../catalog/index.ts';
import { batchRows, type TableStore } from '../../storage/index.ts';
import { converter, fillValue } from '../../storage/schema-map.ts';
import type { Row, Value } from '../../types/value.ts';

/** Map a row of `from`'s columns to `to`'s columns by stable id (defaults for new columns, converted types). */
export function rowMapper(from: readonly ColumnMeta[], to: readonly ColumnMeta[]): (row: Row) => Row {
  const plan = to.map((c) => {
    const at = from.findIndex((f) => f.id === c.id);
    if (at < 0) return { at: -1, fill: fillValue(c), convert: null };
    return { at, fill: null as Value, convert: converter(from[at]!.type, c.type) };
  });
  return (row) => plan.map((p) => (p.at < 0 ? p.fill : p.convert === null ? row[p.at]! : p.convert(row[p.at]!)));
}

/** Rewrite every partition of `table` under `next` (the new schema, same id); `publish` runs in the commit. */
export async function rewriteTable(
  store: TableStore,
  table: TableMeta,
  next: TableMeta,
  publish: () => void,
  signal?: AbortSignal,
): Promise<void> {
  const catalog = store.catalog;
  const partitions = [...listPartitions(catalog, table.id), ...listPartitions(catalog, table.id, { temporary: true })].map((p) => p.id);
  if (partitions.length === 0) {
    catalog.durableTransaction(publish);
    return;
  }
  const map = rowMapper(table.columns, next.columns);
  const pin = store.pinVersions(partitions);
  try {
    const writer = store.beginLoad(table.id, { schema: next, replacePartitionIds: partitions, inCommit: publish, ...(signal === undefined ? {} : { signal }) });
    try {
      for (const partitionId of partitions) {
        const version = pin.versions.get(partitionId) as number;
        for (const tablet of listTablets(catalog, { partitionId })) {
          for await (const batch of store.scanTablet(tablet.id, { version, ...(signal === undefined ? {} : { signal }) })) {
            await writer.writeTablet(tablet.id, batchRows(batch).map(map));
          }
        }
      }
      await writer.commit();
    } catch (error) {
      await writer.abort();
      throw error;
    }
  } finally {
    pin.release();
  }
}
