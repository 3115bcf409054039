import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ColumnMeta, KeyModel, AggregateFunction, TableMeta } from '../../src/catalog/model.ts';
import { createDatabase } from '../../src/catalog/ops/create-database.ts';
import { createTable, type CreateTableInput } from '../../src/catalog/ops/create-table.ts';
import { listPartitions } from '../../src/catalog/ops/list-partitions.ts';
import { TableStore } from '../../src/storage/table-store.ts';
import { batchRows } from '../../src/storage/scan.ts';
import type { ColumnType, Row } from '../../src/types/index.ts';

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tv-'));
}

export function col(name: string, type: ColumnType, extra: Partial<ColumnMeta> = {}): ColumnMeta {
  return { name, type, nullable: true, default: null, aggregate: null, isKey: false, comment: '', autoIncrement: false, ...extra };
}

export interface Fixture {
  readonly store: TableStore;
  readonly dir: string;
  close(): Promise<void>;
}

export async function openStore(backends = 3, dir = tempDir()): Promise<Fixture> {
  const store = await TableStore.open(dir, { backends });
  return {
    store,
    dir,
    close: async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function makeTable(
  store: TableStore,
  name: string,
  opts: {
    keyModel?: KeyModel;
    columns?: ColumnMeta[];
    keyColumns?: string[];
    buckets?: number;
    replicationNum?: number;
    dbName?: string;
    aggregates?: AggregateFunction[];
    extra?: Partial<CreateTableInput>;
  } = {},
): TableMeta {
  const db = createDatabase(store.catalog, opts.dbName ?? 'db', { ifNotExists: true });
  const keyModel = opts.keyModel ?? 'DUPLICATE';
  const columns = opts.columns ?? [
    col('k', { name: 'INT' }, { isKey: true, nullable: false }),
    col('v', { name: 'BIGINT' }, keyModel === 'AGGREGATE' ? { aggregate: 'SUM' } : {}),
  ];
  const keyColumns = opts.keyColumns ?? columns.filter((c) => c.isKey).map((c) => c.name);
  return createTable(store.catalog, {
    dbId: db.id,
    name,
    columns,
    keyModel,
    keyColumns,
    distribution: { kind: 'HASH', columns: keyColumns.length > 0 ? keyColumns : [columns[0]!.name], buckets: opts.buckets ?? 4 },
    replicationNum: opts.replicationNum ?? Math.min(3, store.backends.length),
    ...opts.extra,
  });
}

export function firstPartition(store: TableStore, tableId: number): number {
  return listPartitions(store.catalog, tableId)[0]!.id;
}

export async function insert(store: TableStore, tableId: number, rows: readonly Row[], partitionId?: number): Promise<void> {
  const load = store.beginLoad(tableId);
  await load.write(partitionId ?? firstPartition(store, tableId), rows);
  await load.commit();
}

export async function readAll(store: TableStore, tableId: number, options: Parameters<TableStore['scan']>[1] = {}): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const batch of store.scan(tableId, options)) rows.push(...batchRows(batch));
  return rows;
}

/** Canonical sort key of a row (bigint-safe, distinguishes -0 and NaN). */
export function rowKey(row: Row): string {
  return row
    .map((v) => (v === null ? 'N' : typeof v === 'bigint' ? `b${v}` : typeof v === 'number' ? (Object.is(v, -0) ? 'n-0' : `n${v}`) : typeof v === 'string' ? `s${JSON.stringify(v)}` : `o${String(v)}`))
    .join('|');
}

export function sortRows(rows: readonly Row[]): string[] {
  return rows.map(rowKey).sort();
}

/** Every file under a directory, relative paths. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out.sort();
}
