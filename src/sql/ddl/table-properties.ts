/** Table PROPERTIES: which keys tablevault knows, and the replication_num rule. */
import { analysisError, ddlError } from '../../errors/index.ts';

/**
 * StarRocks' table properties that tablevault accepts. Most are stored and shown (SHOW CREATE TABLE) without
 * changing behaviour on a single machine; replication_num places replicas.
 */
const KNOWN = new Set([
  'replication_num', 'replication_allocation', 'storage_medium', 'storage_cooldown_time', 'storage_cooldown_ttl', 'in_memory',
  'enable_persistent_index', 'persistent_index_type', 'compression', 'bloom_filter_columns', 'bloom_filter_fpp',
  'colocate_with', 'bucket_size', 'partition_live_number', 'replicated_storage', 'fast_schema_evolution',
  'write_quorum', 'light_schema_change', 'unique_constraints', 'foreign_key_constraints', 'primary_index_cache_expire_sec',
  'partition_ttl', 'partition_retention_condition', 'datacache.enable', 'enable_async_write_back', 'storage_volume',
  'base_compaction_forbidden_time_ranges', 'labels.location', 'file_bundling', 'compaction_strategy',
]);

export function checkTableProperties(properties: Readonly<Record<string, string>>): void {
  const unknown = Object.keys(properties).filter((k) => !KNOWN.has(k) && !k.startsWith('dynamic_partition.'));
  if (unknown.length > 0) throw analysisError(`Unknown properties: {${unknown.map((k) => `${k}=${properties[k]}`).join(', ')}}`);
}

/**
 * replication_num from the properties; the default is min(3, backends) — StarRocks' default of 3 fails on clusters
 * with fewer backends (issue #45323), which is a trap, not a rule worth copying.
 */
export function replicationNumOf(properties: Readonly<Record<string, string>>, backends: number): number {
  const raw = properties['replication_num'];
  if (raw === undefined) return Math.max(1, Math.min(3, backends));
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(n) || n < 1) throw analysisError(`Invalid replication_num: '${raw}', it must be a positive integer`);
  if (n > backends) {
    throw ddlError(
      `Table replication num should be less than or equal to the number of available BE nodes. Current alive backend is [${backends}], ` +
        `replication_num is ${n}. Set PROPERTIES ("replication_num" = "${backends}") or start tablevault with more backends (--backends).`,
    );
  }
  return n;
}
