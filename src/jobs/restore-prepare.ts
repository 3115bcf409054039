import type { Catalog } from '../catalog/catalog.ts';
import type { ColumnMeta, NewPartitionSpec, PartitionMeta, TableMeta } from '../catalog/index.ts';
import {
  addPartition, createTable, getDatabase, getTable, listPartitions, listReplicas, listTablets, setTableState,
} from '../catalog/index.ts';
import type { JobRow, JsonValue } from '../catalog/jobs-types.ts';
import type { BackupJobInfo, BackupPartitionInfo, BackupTableInfo } from '../repository/job-info.ts';
import type { BackupMeta, MetaOlapTable, MetaPartition } from '../repository/backup-meta.ts';
import { tabletDir } from '../repository/layout.ts';
import type { RestoreObject, RestorePlan, FileEntry } from './steps.ts';
import { checkNoConflict, checkOverwritablePartition, checkSameSchema } from './restore-schema.ts';
import type {
  ExpectedPartitionStats, JobRestoreTarget, RestoreJobSpec, RestorePlanMeta, RestoreViewPlan,
} from './restore-types.ts';
import { JobStatusError } from './status.ts';

/**
 * PENDING's catalog half (StarRocks' checkAndPrepareMeta), synchronous so that it runs in ONE catalog transaction:
 * every check passes and every invisible object exists, or nothing changed. Tablets are mapped by ordinal.
 */

export interface PrepareInput {
  readonly catalog: Catalog;
  readonly job: JobRow;
  readonly spec: RestoreJobSpec;
  readonly info: BackupJobInfo;
  readonly meta: BackupMeta;
  /** Files of each remote tablet (name without checksum, size, md5), by remote tablet id. */
  readonly files: ReadonlyMap<number, readonly FileEntry[]>;
  /** Where `move` stages tablets for this job. */
  readonly stagingDir: string;
}

function fail(message: string): never {
  throw new JobStatusError('COMMON_ERROR', message);
}

/** The snapshot partition an object names (the single partition of an unpartitioned table whatever its name). */
function snapshotPartition(mt: MetaOlapTable, it: BackupTableInfo, name: string, label: string) {
  const mp = mt.partitions.find((p) => p.name === name);
  const ip = it.partitions.find((p) => p.name === name);
  if (mp === undefined || ip === undefined) fail(`Partition ${name} of table ${mt.name} does not exist in snapshot ${label}`);
  return { mp, ip };
}

/** The base index of a snapshot partition: named like the table, else the meta's base index id, else the first. */
function baseIndex(mt: MetaOlapTable, ip: BackupPartitionInfo) {
  if (ip.subPartitions.length > 0) fail(`Partition ${ip.name} in table ${mt.name} is automatic bucket partition, can not be restored`);
  const index = ip.indexes.find((i) => i.name === mt.name) ?? ip.indexes.find((i) => i.id === mt.baseIndexId) ?? ip.indexes[0];
  if (index === undefined) fail(`Partition ${ip.name} of table ${mt.name} has no index in the snapshot`);
  return index;
}

/** Check, create invisibly, mark RESTORE, and map local tablets to remote ones. Call inside a transaction. */
export function prepareRestore(input: PrepareInput): RestorePlan {
  const { catalog, job, spec, info, meta } = input;
  const db = getDatabase(catalog, job.dbId);
  if (db === undefined) fail(`db ${job.dbId} does not exist`);
  const targets: JobRestoreTarget[] = [];
  const createdTables: number[] = [];
  const createdPartitions: number[] = [];
  const restoringTables: number[] = [];
  const partitionVersions: [number, number][] = [];
  const views: RestoreViewPlan[] = [];
  const expected: ExpectedPartitionStats[] = [];
  const explicitReplication = spec.replicationNumExplicit ? spec.replicationNum : null;

  for (const obj of spec.objects as readonly RestoreObject[]) {
    const mt = meta.tables.find((t) => t.name === obj.table);
    if (mt === undefined) fail(`Table ${obj.table} does not exist in snapshot ${job.label}`);
    const localName = obj.alias ?? obj.table;
    const local = getTable(catalog, { dbId: db.id, name: localName }, { includeInvisible: true });
    if (mt.kind === 'VIEW') {
      if (local !== undefined && local.kind !== 'VIEW') {
        fail(`Table ${localName} already exist but with different schema, errMsg: it is a table in db ${db.name} and a view in the backup snapshot`);
      }
      views.push({ name: localName, columns: mt.columns as readonly ColumnMeta[], definition: mt.definition, comment: mt.comment });
      continue;
    }
    const it = info.tables.find((t) => t.name === obj.table);
    if (it === undefined) fail(`Table ${obj.table} does not exist in snapshot ${job.label}`);
    const unpartitioned = mt.partitionInfo.kind === 'UNPARTITIONED';

    let table: TableMeta;
    const mapped: { local: PartitionMeta; mp: MetaPartition; ip: BackupPartitionInfo }[] = [];
    if (local !== undefined) {
      if (!local.visible) fail(`Table ${localName} already exist in db: ${db.name}`);
      if (local.kind !== 'OLAP') fail(`Only support restore OLAP table: ${localName}`);
      if (local.state !== 'NORMAL') fail(`Table ${localName}'s state is not NORMAL: ${local.state}`);
      checkSameSchema(local, mt);
      const existing = [...listPartitions(catalog, local.id, { includeInvisible: true })];
      for (const pname of obj.partitions) {
        const { mp, ip } = snapshotPartition(mt, it, pname, job.label);
        const lp = unpartitioned ? existing[0] : existing.find((p) => p.name === pname);
        if (lp !== undefined) {
          checkOverwritablePartition(localName, lp, mp, explicitReplication);
          mapped.push({ local: lp, mp, ip });
          continue;
        }
        checkNoConflict(local, existing, mp);
        const added = addPartition(catalog, local.id, {
          name: mp.name, bounds: mp.bounds, buckets: mp.buckets, replicationNum: spec.replicationNum, visible: false,
        });
        existing.push(added);
        createdPartitions.push(added.id);
        mapped.push({ local: added, mp, ip });
      }
      setTableState(catalog, local.id, 'RESTORE');
      restoringTables.push(local.id);
      table = local;
    } else {
      const chosen = obj.partitions.map((p) => snapshotPartition(mt, it, p, job.label));
      const partitions: NewPartitionSpec[] = chosen.map(({ mp }) => ({
        // An unpartitioned table's single partition is named like the table: follow the alias.
        name: unpartitioned ? localName : mp.name,
        bounds: mp.bounds,
        buckets: mp.buckets,
        replicationNum: spec.replicationNum,
      }));
      table = createTable(catalog, {
        dbId: db.id,
        name: localName,
        columns: mt.columns as readonly ColumnMeta[],
        keyModel: mt.keyModel,
        keyColumns: mt.keyColumns,
        partitionInfo: mt.partitionInfo,
        distribution: mt.distribution,
        replicationNum: spec.replicationNum,
        properties: { ...mt.properties, replication_num: String(spec.replicationNum) },
        comment: mt.comment,
        partitions,
        visible: false,
        state: 'RESTORE',
      });
      createdTables.push(table.id);
      const created = listPartitions(catalog, table.id, { includeInvisible: true });
      chosen.forEach(({ mp, ip }, i) => {
        const lp = created.find((p) => p.name === partitions[i]?.name);
        if (lp === undefined) throw new Error(`restore: partition ${mp.name} was not created`);
        mapped.push({ local: lp, mp, ip });
      });
    }

    for (const { local: lp, mp, ip } of mapped) {
      const index = baseIndex(mt, ip);
      const tablets = listTablets(catalog, { partitionId: lp.id });
      if (tablets.length !== index.tablets.length) {
        fail(`Partition ${lp.name} in table ${table.name} has different bucket num ${tablets.length} with partition in repository, which is ${index.tablets.length}`);
      }
      tablets.forEach((tablet, ordinal) => {
        const remote = index.tablets[ordinal];
        if (remote === undefined) return;
        const replica = listReplicas(catalog, { tabletId: tablet.id })[0];
        if (replica === undefined) fail(`tablet ${tablet.id} of table ${table.name} has no replica`);
        targets.push({
          jobId: job.id,
          partitionId: lp.id,
          backendId: replica.backendId,
          tabletId: tablet.id,
          replicaId: replica.id,
          remoteTabletId: remote.id,
          remoteDir: tabletDir(job.label, {
            dbId: info.dbId, tableId: it.id, partitionId: ip.id, indexId: index.id, tabletId: remote.id,
          }),
          version: ip.version,
          files: input.files.get(remote.id) ?? [],
        });
      });
      partitionVersions.push([lp.id, ip.version]);
      const stats = info.extension?.partitionStats[obj.table]?.[mp.name];
      if (stats !== undefined) {
        expected.push({
          table: table.name, partition: mp.name, partitionId: lp.id, rowCount: stats.rowCount, checksum: stats.checksum,
          ...(stats.contentChecksum === undefined ? {} : { contentChecksum: stats.contentChecksum }),
        });
      }
    }
  }

  const planMeta: RestorePlanMeta = {
    dbId: db.id,
    stagingDir: input.stagingDir,
    createdTables,
    createdPartitions,
    restoringTables,
    partitionVersions,
    views,
    expected,
  };
  return { targets, meta: planMeta as unknown as JsonValue };
}
