/**
 * Ingest: the inverse of a snapshot, used by RESTORE's COMMIT phase. Protocol:
 *
 *  1. The restore job downloads a tablet's snapshot files (segments + `<tabletId>.hdr`, md5-verified) into a
 *     directory, normally `<backend>/snapshot/<id>/<localTabletId>/` on a backend holding a replica.
 *  2. `prepareIngest` reads the header, checks each file's size (and md5 when `verify`), reserves new rowset ids
 *     and hard-links (copy across file systems) every file into every replica's tablet directory under its new
 *     name `<newRowsetId>_<n>.dat`, then fsyncs the directories. Nothing is visible yet; new names never clash with
 *     the tablet's current files, so the current version stays readable.
 *  3. The caller commits many tablets at once: `commitIngest(catalog, { tablets: plans, partitionVersions })`
 *     inside its own durableTransaction (optionally with publishInvisible), or TableStore.commitIngest. This replaces each
 *     tablet's rowsets (old files go to the trash) and sets each partition's visible version to the backup version.
 *  4. On failure before the commit, `abortIngest(plan)` deletes the linked files. A crash before the commit leaves
 *     them unreferenced: the open-time sweep deletes them. After the commit the downloaded directory can be
 *     released (the data directory holds its own links).
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { IngestedTablet } from '../catalog/ops/commit-ingest.ts';
import { listReplicas } from '../catalog/ops/list-replicas.ts';
import type { SegmentFileMeta } from '../catalog/model.ts';
import { sqlError } from '../errors/index.ts';
import { backendDir, type StoreContext } from './context.ts';
import { fsyncDir, hashFile, linkOrCopy } from './fs-util.ts';
import { segmentFileName, tabletDir } from './layout.ts';
import { readSnapshotHeader, type SnapshotHeader } from './snapshot.ts';

export interface IngestRequest {
  /** Local tablet receiving the data. */
  readonly tabletId: number;
  /** Directory with the downloaded files and exactly one `*.hdr`. */
  readonly sourceDir: string;
  /** Replicas to fill (default: every replica of the tablet). */
  readonly replicaIds?: readonly number[];
  /** Re-hash every file and compare with the header's md5 (default false: downloads are verified already). */
  readonly verify?: boolean;
}

/** A prepared ingest: the catalog rows to insert (IngestedTablet) plus the files created, for abort. */
export interface IngestPlan extends IngestedTablet {
  /** Version recorded in the snapshot header (the partition version the caller should publish). */
  readonly snapshotVersion: number;
  /** The header as read. */
  readonly header: SnapshotHeader;
  /** Absolute paths linked into replica directories. */
  readonly createdFiles: readonly string[];
}

/** Step 2 of the protocol: link a downloaded snapshot into a tablet's replicas. */
export async function prepareIngest(ctx: StoreContext, request: IngestRequest): Promise<IngestPlan> {
  const names = await fsp.readdir(request.sourceDir);
  const headers = names.filter((n) => n.endsWith('.hdr'));
  if (headers.length !== 1) {
    throw sqlError('ER_UNKNOWN_ERROR', `${request.sourceDir} must hold exactly one .hdr file, found ${headers.length}`);
  }
  const header = await readSnapshotHeader(path.join(request.sourceDir, headers[0]!));
  for (const rowset of header.rowsets) {
    for (const f of rowset.files) {
      const file = path.join(request.sourceDir, f.name);
      const stat = await fsp.stat(file).catch(() => null);
      if (stat === null) throw sqlError('ER_UNKNOWN_ERROR', `snapshot file ${f.name} is missing in ${request.sourceDir}`);
      if (stat.size !== f.size) {
        throw sqlError('ER_UNKNOWN_ERROR', `snapshot file ${f.name} has ${stat.size} bytes, expected ${f.size}`);
      }
      if (request.verify === true) {
        const { md5 } = await hashFile(file);
        if (md5 !== f.md5) throw sqlError('ER_UNKNOWN_ERROR', `invalid md5 of file ${f.name}, expected: ${f.md5}, get: ${md5}`);
      }
    }
  }
  const replicas = listReplicas(ctx.catalog, { tabletId: request.tabletId }).filter(
    (r) => request.replicaIds === undefined || request.replicaIds.includes(r.id),
  );
  if (replicas.length === 0) throw sqlError('ER_UNKNOWN_ERROR', `tablet ${request.tabletId} has no replica to ingest into`);
  const firstId = header.rowsets.length > 0 ? ctx.catalog.nextId(header.rowsets.length) : 0;
  const created: string[] = [];
  try {
    const rowsets = header.rowsets.map((r, i) => {
      const rowsetId = firstId + i;
      return {
        rowsetId,
        version: r.version,
        kind: r.kind,
        files: r.files.map((f, n): SegmentFileMeta => ({ ...f, name: segmentFileName(rowsetId, n) })),
        sourceNames: r.files.map((f) => f.name),
      };
    });
    for (const replica of replicas) {
      const dir = tabletDir(backendDir(ctx, replica.backendId), request.tabletId);
      for (const r of rowsets) {
        for (let n = 0; n < r.files.length; n++) {
          const to = path.join(dir, r.files[n]!.name);
          created.push(to);
          await linkOrCopy(path.join(request.sourceDir, r.sourceNames[n]!), to);
        }
      }
      await fsp.mkdir(dir, { recursive: true });
      await fsyncDir(dir);
    }
    return {
      tabletId: request.tabletId,
      rowsets: rowsets.map(({ sourceNames: _, ...r }) => r),
      snapshotVersion: header.version,
      header,
      createdFiles: created,
    };
  } catch (error) {
    await Promise.all(created.map((f) => fsp.rm(f, { force: true })));
    throw error;
  }
}

/** Step 4: undo a prepared, uncommitted ingest. */
export async function abortIngest(plan: IngestPlan): Promise<void> {
  await Promise.all(plan.createdFiles.map((f) => fsp.rm(f, { force: true })));
}
