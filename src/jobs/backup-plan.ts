import { createHash } from 'node:crypto';
import type { Catalog } from '../catalog/catalog.ts';
import type { ColumnMeta, Database, PartitionMeta, TableMeta } from '../catalog/model.ts';
import { getDatabase, getTable, listPartitions, listReplicas, listTablets } from '../catalog/index.ts';
import { createBackupMeta, type BackupMeta, type MetaColumn, type MetaOlapTable, type MetaTable } from '../repository/backup-meta.ts';
import type { BackupSpec, SnapshotTarget } from './steps.ts';

/**
 * PENDING's pure half: resolve the spec against the catalog (StarRocks re-checks under the db lock here, with the
 * runtime messages of reference §5.3), and turn catalog rows into the persisted BackupMeta plus a layout that
 * SAVE_META turns into the job-info file. Versions come from the caller (pinned in one transaction).
 */

/** One backed-up partition, its pinned version and its tablets in ordinal order. */
export interface PlannedPartition {
  readonly id: number;
  readonly name: string;
  readonly version: number;
  readonly indexId: number;
  readonly tablets: readonly number[];
}

/** One backed-up object; views have no partitions. */
export interface PlannedTable {
  readonly id: number;
  readonly name: string;
  readonly kind: 'OLAP' | 'VIEW';
  /** The base index's schema hash (job info `schema_hash`). */
  readonly schemaHash: number;
  readonly partitions: readonly PlannedPartition[];
  /** View SQL, '' for tables. */
  readonly definition: string;
}

/** `BackupPlan.meta` of a tablevault backup. */
export interface PlanMeta {
  readonly dbId: number;
  readonly dbName: string;
  readonly tables: readonly PlannedTable[];
  /** The `__meta` document. */
  readonly meta: BackupMeta;
}

/** What the catalog says about the spec, before versions are pinned. */
export interface ResolvedSpec {
  readonly db: Database;
  readonly tables: readonly { readonly table: TableMeta; readonly partitions: readonly PartitionMeta[] }[];
}

/** Errors a running job reports in its Status (StarRocks' runtime wording). */
export class BackupPlanError extends Error {
  override name = 'BackupPlanError';
}

export function resolveSpec(catalog: Catalog, dbId: number, spec: BackupSpec): ResolvedSpec {
  const db = getDatabase(catalog, dbId);
  if (db === undefined) throw new BackupPlanError(`database ${dbId} does not exist`);
  const tables = spec.objects.map((o) => {
    const table = getTable(catalog, { dbId, name: o.table });
    if (table === undefined || !table.visible) throw new BackupPlanError(`table ${o.table} does not exist`);
    if (table.kind === 'VIEW') return { table, partitions: [] };
    const all = listPartitions(catalog, table.id);
    if (o.partitions.length === 0) return { table, partitions: all };
    const partitions = o.partitions.map((name) => {
      const p = all.find((x) => x.name === name);
      if (p === undefined) throw new BackupPlanError(`partition ${name} does not exist  in table${table.name}`);
      return p;
    });
    return { table, partitions };
  });
  return { db, tables };
}

/** A stable positive 31-bit hash of a schema, standing in for StarRocks' schema_hash. */
export function schemaHashOf(columns: readonly ColumnMeta[]): number {
  const d = createHash('md5').update(JSON.stringify(columns)).digest();
  return d.readUInt32BE(0) & 0x7fffffff;
}

function metaColumn(c: ColumnMeta): MetaColumn {
  return {
    name: c.name,
    type: c.type,
    nullable: c.nullable,
    default: c.default,
    aggregate: c.aggregate,
    isKey: c.isKey,
    comment: c.comment,
    autoIncrement: c.autoIncrement,
  };
}

/**
 * Choose the replica of every tablet (StarRocks: the lowest replica id whose version reaches the visible version)
 * and build the meta document and layout.
 */
export function buildPlan(
  catalog: Catalog,
  resolved: ResolvedSpec,
  versions: ReadonlyMap<number, number>,
): { readonly targets: SnapshotTarget[]; readonly meta: PlanMeta } {
  const targets: SnapshotTarget[] = [];
  const planned: PlannedTable[] = [];
  const metaTables: MetaTable[] = [];
  for (const { table, partitions } of resolved.tables) {
    const schemaHash = schemaHashOf(table.columns);
    if (table.kind === 'VIEW') {
      planned.push({ id: table.id, name: table.name, kind: 'VIEW', schemaHash, partitions: [], definition: table.viewDefinition ?? '' });
      metaTables.push({
        kind: 'VIEW',
        id: table.id,
        name: table.name,
        columns: table.columns.map(metaColumn),
        definition: table.viewDefinition ?? '',
        comment: table.comment,
      });
      continue;
    }
    const plannedParts: PlannedPartition[] = [];
    for (const p of partitions) {
      const version = versions.get(p.id);
      if (version === undefined) throw new BackupPlanError(`partition ${p.name} does not exist  in table${table.name}`);
      const tablets = listTablets(catalog, { partitionId: p.id }).filter((t) => t.indexId === table.baseIndexId);
      for (const tablet of tablets) {
        const replica = listReplicas(catalog, { tabletId: tablet.id }).find((r) => r.version >= version);
        if (replica === undefined) {
          throw new BackupPlanError(`failed to choose replica to make snapshot for tablet ${tablet.id}. visible version: ${version}`);
        }
        targets.push({
          backendId: replica.backendId,
          tabletId: tablet.id,
          replicaId: replica.id,
          version,
          tableId: table.id,
          partitionId: p.id,
          indexId: tablet.indexId,
        });
      }
      plannedParts.push({ id: p.id, name: p.name, version, indexId: table.baseIndexId, tablets: tablets.map((t) => t.id) });
    }
    planned.push({ id: table.id, name: table.name, kind: 'OLAP', schemaHash, partitions: plannedParts, definition: '' });
    const olap: MetaOlapTable = {
      kind: 'OLAP',
      id: table.id,
      name: table.name,
      columns: table.columns.map(metaColumn),
      keyModel: table.keyModel,
      keyColumns: table.keyColumns,
      partitionInfo: table.partitionInfo,
      distribution: table.distribution,
      properties: table.properties,
      comment: table.comment,
      baseIndexId: table.baseIndexId,
      schemaVersion: table.schemaVersion,
      indexes: [{ id: table.baseIndexId, name: table.name, schemaHash }],
      partitions: partitions.map((p) => ({
        id: p.id,
        name: p.name,
        bounds: p.bounds,
        visibleVersion: versions.get(p.id) ?? p.visibleVersion,
        replicationNum: p.replicationNum,
        buckets: p.buckets,
      })),
    };
    metaTables.push(olap);
  }
  // Views after tables: a restore creates what a view reads before the view.
  const order = (t: { readonly kind: string }): number => (t.kind === 'VIEW' ? 1 : 0);
  metaTables.sort((a, b) => order(a) - order(b));
  const meta = createBackupMeta({ id: resolved.db.id, name: resolved.db.name, properties: resolved.db.properties }, metaTables);
  return {
    targets,
    meta: { dbId: resolved.db.id, dbName: resolved.db.name, tables: planned, meta },
  };
}

/** Every partition id of a resolved spec (what to pin). */
export function partitionIdsOf(resolved: ResolvedSpec): number[] {
  return resolved.tables.flatMap((t) => t.partitions.map((p) => p.id));
}
