import type { BackupRestoreObject, BackupStmt, Property } from '../../../grammar/ast.ts';
import { getDatabase, listPartitions, listTables, type Database, type TableMeta } from '../../catalog/index.ts';
import { analysisError, ddlError, notSupported, sqlError } from '../../errors/index.ts';
import type { BackupObject, BackupSpec } from '../../jobs/steps.ts';
import { isTtl, parseTtl } from '../../repository/snapshot-ttl.ts';
import type { ExecutionContext } from '../context.ts';
import { findTable } from '../names.ts';

/**
 * BACKUP's analysis (StarRocks' BackupRestoreAnalyzer, 3.4+ grammar), in StarRocks' order: repository, database,
 * objects (tables, partitions, views, duplicates, aliases), properties. Every failure is an analysis error with the
 * reference's exact text (§5.3); what needs the submit lock (read-only repository, label uniqueness, one job per
 * database) is checked later, at submit.
 */

/** StarRocks' FeNameFormat label regex. */
export const LABEL_REGEX = /^[-\w]{1,128}$/;
/** StarRocks' backup_job_default_timeout_ms. */
export const DEFAULT_BACKUP_TIMEOUT_MS = 86_400 * 1000;
const MIN_TIMEOUT_SECONDS = 600;
const DB_NAME = /^[a-zA-Z]\w{0,255}$|^_[a-zA-Z0-9]\w{0,254}$/;

/** What a valid BACKUP statement asks for. */
export interface AnalyzedBackup {
  readonly db: Database;
  readonly label: string;
  readonly repository: string;
  readonly spec: BackupSpec;
  readonly timeoutMs: number;
  /** The statement's properties as written. */
  readonly properties: Readonly<Record<string, string>>;
}

export function analyzeBackup(ctx: ExecutionContext, stmt: BackupStmt): AnalyzedBackup {
  if (stmt.externalCatalogs !== undefined) throw notSupported('BACKUP of external catalogs');
  if (stmt.repository === '') throw analysisError('Repository is empty');
  if (!ctx.services.repositories.has(stmt.repository)) throw analysisError(`Repository [${stmt.repository}] does not exist`);
  const db = resolveDatabase(ctx, stmt);
  const label = stmt.label.name;
  if (label === '') throw analysisError(`Incorrect label name '${label}'`);
  if (!LABEL_REGEX.test(label)) throw analysisError(`Label format error. regex: ${LABEL_REGEX.source}, label: ${label}`);
  const objects = analyzeObjects(ctx, db, stmt.objects);
  const { type, timeoutMs, ttl } = analyzeProperties(stmt.properties);
  return {
    db,
    label,
    repository: stmt.repository,
    spec: { objects, type, ...(ttl === undefined ? {} : { ttl }) },
    timeoutMs,
    properties: Object.fromEntries(stmt.properties.map((p) => [p.key, p.value])),
  };
}

/** `DATABASE x`, else the label's qualifier, else the current database; both given is refused. */
function resolveDatabase(ctx: ExecutionContext, stmt: BackupStmt): Database {
  if (stmt.database !== undefined && stmt.label.db !== undefined) {
    throw analysisError(
      `Can not specify the database twice: use either DATABASE ${stmt.database} SNAPSHOT ${stmt.label.name} or SNAPSHOT ${stmt.label.db}.${stmt.label.name}`,
    );
  }
  const name = stmt.database ?? stmt.label.db ?? ctx.session.database;
  if (name === undefined) throw sqlError('ER_NO_DB_ERROR', 'No database selected. Run USE <database> or write BACKUP DATABASE <db> SNAPSHOT …');
  if (!DB_NAME.test(name)) throw analysisError(`Incorrect database name '${name}'`);
  const db = getDatabase(ctx.services.catalog, name);
  if (db === undefined) throw analysisError(`Unknown database '${name}'`);
  return db;
}

type Entry = { readonly table: TableMeta; readonly partitions: readonly string[] };

function analyzeObjects(ctx: ExecutionContext, db: Database, objects: readonly BackupRestoreObject[] | undefined): BackupObject[] {
  const visible = listTables(ctx.services.catalog, db.id);
  const entries: Entry[] = [];
  const named = new Set<string>();
  const add = (table: TableMeta, partitions: readonly string[]): void => {
    if (named.has(table.name)) throw analysisError(`Duplicated table: ${table.name}`);
    named.add(table.name);
    entries.push({ table, partitions });
  };
  if (objects === undefined) {
    // No ON clause: every table and view of the database (views after the tables they may read).
    for (const t of visible) if (t.kind === 'OLAP') add(t, []);
    for (const t of visible) if (t.kind === 'VIEW') add(t, []);
  } else {
    const all = new Set<'TABLE' | 'VIEW'>();
    for (const o of objects) {
      if (o.objectType === 'MATERIALIZED_VIEW') throw notSupported('BACKUP of materialized views');
      if (o.objectType === 'FUNCTION') throw notSupported('BACKUP of functions');
      if (o.kind === 'AllBackupObjects') {
        all.add(o.objectType);
        continue;
      }
      const shown = o.name.db === undefined ? o.name.name : `${o.name.db}.${o.name.name}`;
      if (o.alias !== undefined) throw analysisError(`Can not set alias for table in Backup Stmt: ${shown}`);
      if (o.name.db !== undefined && o.name.db !== db.name) throw analysisError(`Incorrect table name '${shown}'`);
      const table = findTable(ctx, db, o.name.name);
      if (table === undefined) throw analysisError(`Incorrect table name '${o.name.name}'`);
      if (o.objectType === 'VIEW' && table.kind !== 'VIEW') throw analysisError(`${table.name} is not a view: back it up with TABLE ${table.name}`);
      if (o.objectType === 'TABLE' && o.keyword && table.kind !== 'OLAP') {
        throw analysisError(`Table: ${table.name} can not support backup restore, type: VIEW. Back it up with VIEW ${table.name}`);
      }
      const partitions = o.partitions?.names ?? [];
      if (o.partitions?.temporary === true) throw analysisError('Do not support backing up temp partitions');
      if (partitions.length > 0) {
        if (table.kind !== 'OLAP') throw analysisError(`Can not back up partitions of view ${table.name}`);
        const existing = new Set(listPartitions(ctx.services.catalog, table.id).map((p) => p.name));
        for (const p of partitions) if (!existing.has(p)) throw analysisError(`partition[${p}] does not exist  in table${table.name}`);
        const seen = new Set<string>();
        for (const p of partitions) {
          if (seen.has(p)) throw analysisError(`Duplicated partition: ${p} in table ${table.name}`);
          seen.add(p);
        }
      }
      add(table, partitions);
    }
    // ALL TABLES / ALL VIEWS add what was not named explicitly.
    for (const kind of ['TABLE', 'VIEW'] as const) {
      if (!all.has(kind)) continue;
      for (const t of visible) if ((kind === 'TABLE') === (t.kind === 'OLAP') && !named.has(t.name)) add(t, []);
    }
  }
  if (entries.length === 0) throw analysisError(`Database: ${db.name} is empty`);
  for (const e of entries) {
    // StarRocks (BackupHandler): a table holding temporary partitions cannot be backed up; replace or drop them first.
    if (e.table.kind === 'OLAP' && listPartitions(ctx.services.catalog, e.table.id, { temporary: true }).length > 0) {
      throw ddlError(`Do not support backing up table with temp partitions. Table ${e.table.name} has some: replace them in (ALTER TABLE ${e.table.name} REPLACE PARTITION … WITH TEMPORARY PARTITION …) or drop them (SHOW TEMPORARY PARTITIONS FROM ${e.table.name})`);
    }
  }
  return entries.map((e) => ({ table: e.table.name, partitions: [...e.partitions] }));
}

function analyzeProperties(properties: readonly Property[]): { type: string; timeoutMs: number; ttl?: string } {
  let type = 'FULL';
  let ttl: string | undefined;
  let timeoutMs = DEFAULT_BACKUP_TIMEOUT_MS;
  const unknown: string[] = [];
  for (const { key, value } of properties) {
    if (key === 'type') {
      const upper = value.toUpperCase();
      if (upper !== 'FULL' && upper !== 'INCREMENTAL') throw analysisError(`Invalid backup job type: ${value}`);
      type = upper;
    } else if (key === 'timeout') {
      if (!/^[-+]?\d+$/.test(value.trim())) throw analysisError(`Invalid timeout format: ${value}`);
      const seconds = Number(value.trim());
      if (!Number.isSafeInteger(seconds)) throw analysisError(`Invalid timeout format: ${value}`);
      if (seconds < MIN_TIMEOUT_SECONDS) throw analysisError('timeout must be at least 10 min');
      timeoutMs = seconds * 1000;
    } else if (key === 'ttl') {
      // StarRocks v4.2: how long the snapshot is kept (see src/repository/snapshot-ttl.ts).
      const parsed = parseTtl(value);
      if (!isTtl(parsed)) throw analysisError(parsed.error);
      ttl = parsed.text;
    } else if (!unknown.includes(key)) {
      unknown.push(key);
    }
  }
  if (unknown.length > 0) throw analysisError(`Unknown backup job properties: [${unknown.join(', ')}]`);
  return { type, timeoutMs, ...(ttl === undefined ? {} : { ttl }) };
}
