import { randomInt } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { JavaJsonValue } from '../repository/java-json.ts';
import { writeJavaJson } from '../repository/java-json.ts';
import {
  JOB_INFO_EXTENSION_VERSION,
  META_VERSION,
  STARROCKS_META_VERSION,
  jobInfoToJson,
  type BackupJobInfo,
  type BackupTableInfo,
  type JobInfoExtension,
  type PartitionStats,
} from '../repository/job-info.ts';
import { checksummedKey } from '../repository/layout.ts';
import type { PlanMeta } from './backup-plan.ts';
import { combineContentStats, EMPTY_CONTENT, type ContentStats } from './meta-checksum.ts';
import type { LocalSnapshot, SnapshotTarget, TabletSnapshot } from './steps.ts';

/**
 * A backup's local snapshot as the snapshot task records it: files plus the tablet's content stats. `linked: false`
 * marks a tablet of an incremental backup whose whole content the repository already held when it was snapshotted:
 * nothing was linked (`dir` is the live tablet dir, never released) and nothing of it is uploaded.
 */
export type BackupLocalSnapshot = LocalSnapshot & { readonly stats?: ContentStats; readonly linked?: false };

/** True for a snapshot that holds hard links of its own (see BackupLocalSnapshot). */
export function isLinkedSnapshot(snapshot: LocalSnapshot): boolean {
  return (snapshot as BackupLocalSnapshot).linked !== false;
}

/** Key under the `"tablevault"` block naming the instance that wrote a snapshot (DROP SNAPSHOT ownership, v4.2). */
export const CLUSTER_ID_KEY = 'cluster_id';

/**
 * The StarRocks job-info document of a finished upload: every table → partition → base index → tablet with its
 * `<file>.<md5>` names, plus tablevault's block (file sizes, per-partition row counts and content checksums, view
 * SQL, finish time and the writing instance's cluster id).
 */
/** Lifecycle facts of the info file beyond the file lists (src/jobs/backup-reuse.ts, the `ttl` property). */
export type JobInfoLifecycle = Pick<JobInfoExtension, 'backupType' | 'references' | 'ttl' | 'expireTime' | 'reusedBytes'>;

export function buildJobInfo(
  label: string,
  createTime: number,
  finishedTime: number,
  plan: PlanMeta,
  snapshots: readonly TabletSnapshot<SnapshotTarget>[],
  lifecycle: JobInfoLifecycle = {},
): BackupJobInfo {
  const byTablet = new Map<number, BackupLocalSnapshot>();
  for (const s of snapshots) byTablet.set(s.target.tabletId, s.snapshot as BackupLocalSnapshot);
  const fileSizes: Record<string, Record<string, number>> = {};
  const partitionStats: Record<string, Record<string, PartitionStats>> = {};
  const views: Record<string, string> = {};
  const tables: BackupTableInfo[] = plan.tables.map((t) => {
    if (t.kind === 'VIEW') {
      views[t.name] = t.definition;
      return { name: t.name, id: t.id, partitions: [] };
    }
    const stats: Record<string, PartitionStats> = {};
    partitionStats[t.name] = stats;
    return {
      name: t.name,
      id: t.id,
      partitions: t.partitions.map((p) => {
        const tabletStats: ContentStats[] = [];
        const tablets = p.tablets.map((id) => {
          const snap = byTablet.get(id);
          if (snap === undefined) throw new Error(`no snapshot of tablet ${id} of table ${t.name}`);
          const sizes: Record<string, number> = {};
          const files = snap.files.map((f) => {
            const stored = checksummedKey(f.name, f.md5);
            sizes[stored] = f.size;
            return stored;
          });
          fileSizes[String(id)] = sizes;
          tabletStats.push(snap.stats ?? EMPTY_CONTENT);
          return { id, files };
        });
        stats[p.name] = combineContentStats(tabletStats);
        return {
          name: p.name,
          id: p.id,
          version: p.version,
          indexes: [{ name: t.name, id: p.indexId, schemaHash: t.schemaHash, tablets }],
          subPartitions: [],
        };
      }),
    };
  });
  return {
    name: label,
    database: plan.dbName,
    dbId: plan.dbId,
    backupTime: createTime,
    tables,
    metaVersion: META_VERSION,
    starrocksMetaVersion: STARROCKS_META_VERSION,
    success: true,
    extension: {
      version: JOB_INFO_EXTENSION_VERSION,
      fileSizes,
      partitionStats,
      views,
      finishedTime,
      backupType: lifecycle.backupType ?? 'full',
      ...lifecycle,
      uploadedBytes: totalBytes(fileSizes) - (lifecycle.reusedBytes ?? 0),
      reusedBytes: lifecycle.reusedBytes ?? 0,
    },
  };
}

function totalBytes(sizes: Readonly<Record<string, Readonly<Record<string, number>>>>): number {
  let n = 0;
  for (const t of Object.values(sizes)) for (const s of Object.values(t)) n += s;
  return n;
}

/** The info file's bytes: StarRocks' compact JSON with `tablevault.cluster_id` added. */
export function serializeBackupJobInfo(info: BackupJobInfo, clusterId: number): string {
  const root = jobInfoToJson(info, true);
  const ext = root.get('tablevault');
  // jobInfoToJson builds plain Maps; its type is read-only only to callers that should not edit.
  if (ext instanceof Map) (ext as Map<string, JavaJsonValue>).set(CLUSTER_ID_KEY, clusterId);
  return writeJavaJson(root);
}

/** The cluster id recorded in an info file's text, or null when it records none (StarRocks, older tablevault). */
export function clusterIdOfJobInfo(text: string): number | null {
  try {
    const root = JSON.parse(text) as { tablevault?: { cluster_id?: unknown } };
    const id = root.tablevault?.cluster_id;
    return typeof id === 'number' && Number.isInteger(id) ? id : null;
  } catch {
    return null;
  }
}

const CLUSTER_ID_FILE = 'cluster-id';

/**
 * Forget this instance's cluster id (the next clusterIdOf makes a new one). For a data dir that turns out to be a
 * copy of another: a copy is another instance and must not own — or drop — the original's snapshots.
 */
export async function forgetClusterId(dataDir: string): Promise<void> {
  await fsp.rm(path.join(dataDir, CLUSTER_ID_FILE), { force: true });
}

/**
 * This instance's cluster id (StarRocks' cluster id, which v4.2 records in snapshots to decide who may drop them):
 * a random positive 31-bit number kept in `<dataDir>/cluster-id`, created on first use.
 */
export async function clusterIdOf(dataDir: string): Promise<number> {
  const file = path.join(dataDir, CLUSTER_ID_FILE);
  try {
    const n = Number((await fsp.readFile(file, 'utf8')).trim());
    if (Number.isInteger(n) && n > 0) return n;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const id = randomInt(1, 2 ** 31 - 1);
  try {
    await fsp.writeFile(file, `${id}\n`, { flag: 'wx' });
    return id;
  } catch (error) {
    // Another opener won the race: use its id.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return clusterIdOf(dataDir);
    throw error;
  }
}
