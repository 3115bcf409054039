/**
 * Segments written before content hashes existed have none in their manifest entry. A backup needs one for every
 * file (the partition's content checksum is the sum), so before a snapshot is made the files that lack it are hashed
 * from disk once — on the content-hash worker, off the event loop — and the hashes recorded in their rowsets'
 * manifests (files are immutable, so it stays true). Every later backup finds them there and reads nothing.
 */
import path from 'node:path';
import { getReplica } from '../catalog/ops/get-replica.ts';
import { listRowsets } from '../catalog/ops/list-rowsets.ts';
import { recordContentHashes } from '../catalog/ops/record-content-hashes.ts';
import { sqlError } from '../errors/index.ts';
import { backendDir, type StoreContext } from './context.ts';
import { tabletDir } from './layout.ts';
import { hashSegmentFiles } from './segment/content-hash-worker.ts';

interface Missing {
  readonly rowsetId: number;
  readonly name: string;
  readonly path: string;
  readonly rows: number;
}

/**
 * Compute and record the content hash of every file of the replicas at the versions given that lacks one. Caller
 * holds (ctx.hold), so the files cannot be collected meanwhile. Returns the files hashed (0 in the usual case: two
 * indexed catalog reads per replica, no file touched).
 */
export async function fillContentHashes(
  ctx: StoreContext,
  requests: readonly { readonly replicaId: number; readonly version: number }[],
  signal?: AbortSignal,
): Promise<number> {
  const { catalog } = ctx;
  const missing: Missing[] = [];
  // A rowset's files are all hashed or none (one writer wrote them, or one fill recorded them): one indexed probe
  // per tablet finds the rare tablet that needs more than that.
  const unhashed = catalog.prepare<[number, number], { one: number }>(
    `SELECT 1 AS one FROM rowsets WHERE tablet_id = ? AND version <= ? AND files <> '[]' AND instr(files, '"contentHash"') = 0 LIMIT 1`,
  );
  catalog.db.transaction(() => {
    for (const { replicaId, version } of requests) {
      const replica = getReplica(catalog, replicaId);
      if (replica === undefined) continue; // the snapshot itself reports it
      if (unhashed.get(replica.tabletId, version) === undefined) continue;
      let dir: string | null = null;
      for (const rowset of listRowsets(catalog, replica.tabletId, version)) {
        for (const f of rowset.files) {
          if (f.contentHash !== undefined) continue;
          dir ??= tabletDir(backendDir(ctx, replica.backendId), replica.tabletId);
          missing.push({ rowsetId: rowset.id, name: f.name, path: path.join(dir, f.name), rows: f.rows });
        }
      }
    }
  }).deferred();
  if (missing.length === 0) return 0;
  const results = await hashSegmentFiles(missing.map((m) => m.path), signal);
  const byRowset = new Map<number, Map<string, string>>();
  missing.forEach((m, i) => {
    const r = results[i];
    if (r === undefined || !r.ok) {
      throw sqlError('ER_UNKNOWN_ERROR', `cannot compute the content hash of segment file ${m.path}: ${r?.ok === false ? r.message : 'no result'}`);
    }
    if (r.value.rows !== m.rows) {
      throw sqlError('ER_UNKNOWN_ERROR', `segment file ${m.path} holds ${r.value.rows} rows, its rowset records ${m.rows}: the file is damaged`);
    }
    let hashes = byRowset.get(m.rowsetId);
    if (hashes === undefined) byRowset.set(m.rowsetId, (hashes = new Map()));
    hashes.set(m.name, r.value.hash);
  });
  recordContentHashes(catalog, [...byRowset].map(([rowsetId, hashes]) => ({ rowsetId, hashes })));
  ctx.logger.info({ files: missing.length }, 'content hashes computed for segments written before they were recorded');
  return missing.length;
}
