import type { Catalog } from '../catalog.ts';
import type { RowsetKind, SegmentFileMeta } from '../model.ts';
import { sqlError } from '../../errors/index.ts';

/** A rowset written by a load, ready to be registered. */
export interface NewRowset {
  /** Tablet it belongs to. */
  readonly tabletId: number;
  /** Id reserved from the sequence when writing began (its files are named after it). */
  readonly rowsetId: number;
  /** delta (INSERT) or base (replaces earlier rowsets: DELETE, TRUNCATE). */
  readonly kind: RowsetKind;
  /** Its files, already durable in every replica directory. */
  readonly files: readonly SegmentFileMeta[];
}

export interface LoadCommit {
  /** Table the load belongs to; every tablet must be in one of its partitions. */
  readonly tableId: number;
  /** Rowsets to add. */
  readonly rowsets: readonly NewRowset[];
  /**
   * Partitions replaced wholesale: every tablet of each gets a base rowset (an empty one is created for tablets the
   * caller wrote nothing to). Used by DELETE and TRUNCATE.
   */
  readonly replacePartitionIds?: readonly number[];
}

/**
 * Publish a load: in ONE durable transaction, insert the rowsets, bump the visible version of every touched
 * partition by one, and bring its replicas to that version. Returns the new version per partition (empty when
 * nothing was touched: a load of zero rows makes no version). Fails without effect if the table or a partition was
 * dropped meanwhile — the caller then deletes its files.
 */
export function commitLoad(catalog: Catalog, commit: LoadCommit): ReadonlyMap<number, number> {
  return catalog.durableTransaction(() => {
    const table = catalog.prepare<[number], { id: number }>('SELECT id FROM tables WHERE id = ?').get(commit.tableId);
    if (table === undefined) throw sqlError('ER_BAD_TABLE_ERROR', `Table ${commit.tableId} was dropped during the load`);
    const partitionOf = catalog.prepare<[number, number], { partition_id: number }>(
      'SELECT t.partition_id FROM tablets t JOIN partitions p ON p.id = t.partition_id WHERE t.id = ? AND p.table_id = ?',
    );
    const byPartition = new Map<number, NewRowset[]>();
    for (const rowset of commit.rowsets) {
      const found = partitionOf.get(rowset.tabletId, commit.tableId);
      if (found === undefined) {
        throw sqlError('ER_UNKNOWN_ERROR', `Tablet ${rowset.tabletId} of table ${commit.tableId} was dropped during the load`);
      }
      const list = byPartition.get(found.partition_id) ?? [];
      list.push(rowset);
      byPartition.set(found.partition_id, list);
    }
    const replaced = new Set(commit.replacePartitionIds ?? []);
    for (const id of replaced) {
      const found = catalog
        .prepare<[number, number], { id: number }>('SELECT id FROM partitions WHERE id = ? AND table_id = ?')
        .get(id, commit.tableId);
      if (found === undefined) throw sqlError('ER_UNKNOWN_PARTITION', `Partition ${id} was dropped during the load`);
      if (!byPartition.has(id)) byPartition.set(id, []);
    }
    const now = catalog.clock.now();
    const insert = catalog.prepare(
      `INSERT INTO rowsets (id, tablet_id, version, kind, files, num_rows, data_size, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const versions = new Map<number, number>();
    for (const [partitionId, rowsets] of byPartition) {
      const row = catalog
        .prepare<[number, number], { visible_version: number }>(
          'UPDATE partitions SET visible_version = visible_version + 1, visible_version_time = ? WHERE id = ? RETURNING visible_version',
        )
        .get(now, partitionId)!;
      const version = row.visible_version;
      versions.set(partitionId, version);
      for (const r of rowsets) {
        if (replaced.has(partitionId) && r.kind !== 'base') {
          throw new Error(`replace of partition ${partitionId} got a delta rowset for tablet ${r.tabletId}`);
        }
        insert.run(r.rowsetId, r.tabletId, version, r.kind, JSON.stringify(r.files), sum(r.files, 'rows'), sum(r.files, 'size'), now);
      }
      if (replaced.has(partitionId)) {
        const written = new Set(rowsets.map((r) => r.tabletId));
        const tablets = catalog.prepare<[number], { id: number }>('SELECT id FROM tablets WHERE partition_id = ?').all(partitionId);
        const missing = tablets.filter((t) => !written.has(t.id));
        let nextId = missing.length > 0 ? catalog.nextId(missing.length) : 0;
        for (const t of missing) insert.run(nextId++, t.id, version, 'base', '[]', 0, 0, now);
      }
      catalog
        .prepare('UPDATE replicas SET version = ? WHERE tablet_id IN (SELECT id FROM tablets WHERE partition_id = ?)')
        .run(version, partitionId);
    }
    return versions;
  });
}

function sum(files: readonly SegmentFileMeta[], key: 'rows' | 'size'): number {
  let total = 0;
  for (const f of files) total += f[key];
  return total;
}
