import type { Catalog } from '../catalog.ts';
import type { RowsetKind, SegmentFileMeta } from '../model.ts';
import { sqlError } from '../../errors/index.ts';

/** The rowsets a restore brings into one tablet (from a snapshot header), with their new ids. */
export interface IngestedTablet {
  /** Local tablet receiving the rowsets. */
  readonly tabletId: number;
  /** Rowsets in version order; files are already linked into every replica's directory under these names. */
  readonly rowsets: readonly {
    readonly rowsetId: number;
    readonly version: number;
    readonly kind: RowsetKind;
    readonly files: readonly SegmentFileMeta[];
  }[];
}

export interface IngestCommit {
  /** Tablets to overwrite: their current rowsets are dropped (files queued for deletion), the ingested ones added. */
  readonly tablets: readonly IngestedTablet[];
  /** New visible version of each affected partition (the backup's version); every rowset must be ≤ it. */
  readonly partitionVersions: ReadonlyMap<number, number>;
}

/**
 * Register restored rowsets (RESTORE's publish, src/jobs/restore-publish.ts, has placed their files). Runs inside
 * the caller's transaction when there is one, so a restore can publish many tablets — and make its tables visible with
 * publishInvisible — atomically. Like StarRocks' DirMoveTask with overwrite, each tablet's previous content is
 * replaced, and the partition's visible version becomes the backed-up version.
 */
export function commitIngest(catalog: Catalog, commit: IngestCommit): void {
  catalog.durableTransaction(() => {
    const now = catalog.clock.now();
    const insert = catalog.prepare(
      `INSERT INTO rowsets (id, tablet_id, version, kind, files, num_rows, data_size, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const tablet of commit.tablets) {
      const row = catalog
        .prepare<[number], { partition_id: number }>('SELECT partition_id FROM tablets WHERE id = ?')
        .get(tablet.tabletId);
      if (row === undefined) throw sqlError('ER_UNKNOWN_ERROR', `tablet ${tablet.tabletId} has been dropped`);
      const version = commit.partitionVersions.get(row.partition_id);
      if (version === undefined) {
        throw new Error(`ingest of tablet ${tablet.tabletId} has no version for partition ${row.partition_id}`);
      }
      catalog
        .prepare(
          `INSERT INTO trash (backend_id, path, created_at)
           SELECT r.backend_id, 'data/' || rs.tablet_id || '/' || json_extract(f.value, '$.name'), ?
           FROM rowsets rs, json_each(rs.files) f JOIN replicas r ON r.tablet_id = rs.tablet_id WHERE rs.tablet_id = ?`,
        )
        .run(now, tablet.tabletId);
      catalog.prepare('DELETE FROM rowsets WHERE tablet_id = ?').run(tablet.tabletId);
      let minReadable = 1;
      for (const r of tablet.rowsets) {
        if (r.version > version) {
          throw new Error(`rowset version ${r.version} of tablet ${tablet.tabletId} is above the target version ${version}`);
        }
        if (r.kind === 'base') minReadable = r.version;
        const rows = r.files.reduce((n, f) => n + f.rows, 0);
        const size = r.files.reduce((n, f) => n + f.size, 0);
        insert.run(r.rowsetId, tablet.tabletId, r.version, r.kind, JSON.stringify(r.files), rows, size, now);
      }
      catalog.prepare('UPDATE tablets SET min_readable_version = ? WHERE id = ?').run(minReadable, tablet.tabletId);
      catalog.prepare('UPDATE replicas SET version = ? WHERE tablet_id = ?').run(version, tablet.tabletId);
    }
    for (const [partitionId, version] of commit.partitionVersions) {
      const result = catalog
        .prepare('UPDATE partitions SET visible_version = ?, visible_version_time = ? WHERE id = ?')
        .run(version, now, partitionId);
      if (result.changes === 0) throw sqlError('ER_UNKNOWN_PARTITION', `partition ${partitionId} has been dropped`);
    }
  });
}
