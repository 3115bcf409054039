/**
 * A table's key as MySQL metadata describes keys (STATISTICS, KEY_COLUMN_USAGE, TABLE_CONSTRAINTS, COLUMNS.COLUMN_KEY,
 * SHOW INDEX, SHOW COLUMNS):
 * - PRIMARY KEY and UNIQUE KEY tables: the key is `PRIMARY` (unique, its columns COLUMN_KEY 'PRI'). A UNIQUE KEY
 *   table keeps one row per key (the last one loaded), which is what a primary key means to JDBC and GUI tools.
 * - AGGREGATE KEY tables: a unique index `aggregate_key` (rows with equal keys are merged, so keys are unique).
 * - DUPLICATE KEY tables: a non-unique index `duplicate_key` (the sort key).
 * Non-unique and multi-column unique indexes mark their first column 'MUL', as MySQL does.
 */
import type { TableMeta } from '../../../catalog/index.ts';

export interface TableKey {
  /** INDEX_NAME / CONSTRAINT_NAME. */
  readonly name: 'PRIMARY' | 'aggregate_key' | 'duplicate_key';
  readonly unique: boolean;
  /** Key columns in key order. */
  readonly columns: readonly string[];
}

/** The table's key, or undefined (views; a table without key columns). */
export function tableKey(table: TableMeta): TableKey | undefined {
  if (table.kind !== 'OLAP' || table.keyColumns.length === 0) return undefined;
  switch (table.keyModel) {
    case 'PRIMARY':
    case 'UNIQUE':
      return { name: 'PRIMARY', unique: true, columns: table.keyColumns };
    case 'AGGREGATE':
      return { name: 'aggregate_key', unique: true, columns: table.keyColumns };
    case 'DUPLICATE':
      return { name: 'duplicate_key', unique: false, columns: table.keyColumns };
  }
}

/** COLUMN_KEY of a column: 'PRI', 'MUL' (first column of a non-primary key) or ''. */
export function columnKey(table: TableMeta, column: string): '' | 'PRI' | 'MUL' {
  const key = tableKey(table);
  if (key === undefined || !key.columns.includes(column)) return '';
  if (key.name === 'PRIMARY') return 'PRI';
  return key.columns[0] === column ? 'MUL' : '';
}
