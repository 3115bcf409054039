/**
 * `information_schema.local_snapshots`: the hard-link snapshots BACKUP keeps on the backends for
 * `RESTORE … PROPERTIES ("source" = "local")` (keep_local_snapshots; src/jobs/local-snapshots.ts), one row per kept
 * backup and table. `bytes` is everything the snapshot names; `exclusive_bytes` the part no live tablet holds any more
 * (files a later load, compaction, DELETE, TRUNCATE or DROP left behind, and the tablet headers) — the disk the kept
 * snapshot costs. Two kept backups of a table name the same unchanged files, so their rows do not add up.
 */
import type { Catalog } from '../../catalog/catalog.ts';
import { listLocalSnapshots, type LocalSnapshotRow } from '../../catalog/local-snapshots.ts';
import type { ColumnType } from '../../types/column-type.ts';
import type { Row } from '../../types/value.ts';
import { formatDateTime } from '../../util/clock.ts';

const S: ColumnType = { name: 'VARCHAR', length: 512 };
const N: ColumnType = { name: 'BIGINT' };

export const LOCAL_SNAPSHOTS_COLUMNS = `repository label backup_timestamp job_id:n database_name table_name tablets:n files:n bytes:n
  exclusive_bytes:n create_time`
  .split(/\s+/)
  .filter(Boolean)
  .map((c) => (c.endsWith(':n') ? { name: c.slice(0, -2), type: N } : { name: c, type: S }));

export function localSnapshotRows(catalog: Catalog): Row[] {
  const groups = new Map<string, LocalSnapshotRow[]>();
  for (const r of listLocalSnapshots(catalog, { state: 'kept' })) {
    const key = `${r.jobId}/${r.tableId}`;
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [r]);
    else list.push(r);
  }
  // The files each live tablet holds now.
  const live = new Map<number, Set<string>>();
  for (const row of catalog
    .prepare<[], { tablet_id: number; name: string }>(
      `SELECT rs.tablet_id, json_extract(f.value, '$.name') AS name FROM rowsets rs, json_each(rs.files) f
       WHERE rs.tablet_id IN (SELECT DISTINCT tablet_id FROM local_snapshots)`,
    )
    .all()) {
    const set = live.get(row.tablet_id) ?? new Set<string>();
    set.add(row.name);
    live.set(row.tablet_id, set);
  }
  const names = catalog.prepare<[number], { table_name: string; database_name: string }>(
    'SELECT t.name AS table_name, d.name AS database_name FROM tables t JOIN databases d ON d.id = t.db_id WHERE t.id = ?',
  );
  const out: Row[] = [];
  for (const rows of groups.values()) {
    const first = rows[0] as LocalSnapshotRow;
    let files = 0;
    let bytes = 0;
    let exclusive = 0;
    for (const r of rows) {
      for (const f of r.files) {
        files++;
        bytes += f.size;
        if (live.get(r.tabletId)?.has(f.name) !== true) exclusive += f.size;
      }
    }
    const n = names.get(first.tableId);
    out.push([
      first.repoName, first.label, first.timestamp, BigInt(first.jobId), n?.database_name ?? null, n?.table_name ?? null,
      BigInt(rows.length), BigInt(files), BigInt(bytes), BigInt(exclusive), formatDateTime(first.createdAt),
    ]);
  }
  return out;
}
