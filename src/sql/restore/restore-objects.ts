import type { BackupRestoreObject } from '../../../grammar/ast.ts';
import { analysisError, ddlError, notSupported } from '../../errors/index.ts';
import type { RestoreObject } from '../../jobs/steps.ts';
import type { BackupMeta } from '../../repository/backup-meta.ts';
import type { BackupJobInfo } from '../../repository/job-info.ts';

/**
 * RESTORE's `ON (…)` list in two passes, as StarRocks splits them: the analyzer checks the statement alone
 * (unsupported object kinds, duplicate aliases), the submit step checks it against the snapshot's info and meta
 * (tables, views and partitions must be in the snapshot) and expands `ALL TABLES` / `ALL VIEWS` / no ON clause.
 */

function displayName(o: Extract<BackupRestoreObject, { kind: 'BackupObject' }>): string {
  return o.name.db === undefined ? o.name.name : `${o.name.db}.${o.name.name}`;
}

/** Analysis-time checks (`Getting analyzing error …`). */
export function checkRestoreObjects(objects: readonly BackupRestoreObject[] | undefined): void {
  if (objects === undefined) return;
  const localNames = new Set<string>();
  for (const o of objects) {
    if (o.objectType === 'MATERIALIZED_VIEW') throw notSupported('RESTORE of materialized views');
    if (o.objectType === 'FUNCTION') throw notSupported('RESTORE of functions');
    if (o.kind === 'AllBackupObjects') continue;
    const local = o.alias ?? o.name.name;
    if (localNames.has(local)) throw analysisError(`Duplicated alias name: ${local}`);
    localNames.add(local);
  }
}

/**
 * Resolve the objects against the snapshot (submit time, `ERROR 1064 (HY000): <msg>`): every table or view the
 * snapshot holds when there is no ON clause; otherwise the named ones (all their partitions unless a PARTITION
 * list is given) plus every table / view of a kind named with ALL. Views keep an empty partition list.
 */
export function resolveRestoreObjects(
  objects: readonly BackupRestoreObject[] | undefined,
  info: BackupJobInfo,
  meta: BackupMeta,
  label: string,
): RestoreObject[] {
  const kindOf = (name: string): 'TABLE' | 'VIEW' | undefined => {
    const t = meta.tables.find((m) => m.name === name);
    return t === undefined ? undefined : t.kind === 'VIEW' ? 'VIEW' : 'TABLE';
  };
  // The meta keeps the source table's partition order; the info file's JSON object order is a hash order.
  const allPartitions = (name: string): string[] => {
    const m = meta.tables.find((t) => t.name === name);
    const inInfo = new Set(info.tables.find((t) => t.name === name)?.partitions.map((p) => p.name) ?? []);
    return m === undefined || m.kind === 'VIEW' ? [] : m.partitions.map((p) => p.name).filter((p) => inInfo.has(p));
  };
  const result: RestoreObject[] = [];
  const named = new Set<string>();
  const add = (table: string, partitions: readonly string[], alias: string | null): void => {
    named.add(table);
    result.push({ table, partitions: [...partitions], alias });
  };
  // Tables before views: a view's SQL may read a table restored by the same job.
  const inSnapshotOrder = (kind: 'TABLE' | 'VIEW'): string[] => meta.tables.filter((t) => (t.kind === 'VIEW') === (kind === 'VIEW')).map((t) => t.name);

  if (objects === undefined) {
    for (const kind of ['TABLE', 'VIEW'] as const) for (const name of inSnapshotOrder(kind)) add(name, kind === 'TABLE' ? allPartitions(name) : [], null);
    return result;
  }
  const all = new Set<'TABLE' | 'VIEW'>();
  for (const o of objects) {
    if (o.kind === 'AllBackupObjects') {
      if (o.objectType === 'TABLE' || o.objectType === 'VIEW') all.add(o.objectType);
      continue;
    }
    const name = o.name.name;
    const kind = o.name.db !== undefined && o.name.db !== info.database ? undefined : kindOf(name);
    if (kind === undefined) throw ddlError(`Table ${displayName(o)} does not exist in snapshot ${label}`);
    if (named.has(name)) throw ddlError(`Duplicated table: ${name}`);
    if (o.objectType === 'VIEW' && kind !== 'VIEW') throw ddlError(`${name} is not a view in snapshot ${label}: restore it with TABLE ${name}`);
    if (o.objectType === 'TABLE' && o.keyword && kind !== 'TABLE') throw ddlError(`${name} is a view in snapshot ${label}: restore it with VIEW ${name}`);
    if (o.partitions?.temporary === true) throw ddlError('Do not support restoring temporary partitions');
    const partitions = o.partitions?.names ?? [];
    if (partitions.length > 0 && kind === 'VIEW') throw ddlError(`Can not restore partitions of view ${name}`);
    const inSnapshot = allPartitions(name);
    for (const p of partitions) {
      if (!inSnapshot.includes(p)) throw ddlError(`Partition ${p} of table ${name} does not exist in snapshot ${label}`);
    }
    add(name, partitions.length > 0 ? [...new Set(partitions)] : kind === 'TABLE' ? inSnapshot : [], o.alias ?? null);
  }
  for (const kind of ['TABLE', 'VIEW'] as const) {
    if (!all.has(kind)) continue;
    for (const name of inSnapshotOrder(kind)) if (!named.has(name)) add(name, kind === 'TABLE' ? allPartitions(name) : [], null);
  }
  // Keep tables ahead of views whatever order the ON list used.
  return [...result.filter((o) => kindOf(o.table) === 'TABLE'), ...result.filter((o) => kindOf(o.table) === 'VIEW')];
}
