/**
 * ALTER TABLE schema change, analysed: ADD / DROP / MODIFY / RENAME COLUMN clauses applied in order to the table's
 * schema, with StarRocks' rules and messages (SchemaChangeHandler, Column.checkSchemaChangeAllowed). Pure: the result
 * is the new schema plus which columns changed type so that the executor knows whether files must be rewritten.
 * Surviving columns keep their stable ids (a rename or a type change is the same column); added columns get new ids
 * that are never reused, so data of a dropped column can never reappear under a new one.
 */
import type { AlterTableAction, ColumnDef, ColumnPosition } from '../../../grammar/ast.ts';
import type { ColumnMeta, DistributionInfo, PartitionInfo, TableMeta } from '../../catalog/index.ts';
import { ddlError, sqlError } from '../../errors/index.ts';
import { coerceValue } from '../../types/coerce.ts';
import { analyzeColumns } from '../handlers/table-ddl.ts';
import { checkTypeChange, needsRewrite } from './type-change.ts';

/** The column clauses of ALTER TABLE. */
export type ColumnAction = Extract<AlterTableAction, { kind: 'AddColumns' | 'DropColumn' | 'ModifyColumn' | 'RenameColumn' }>;

export function isColumnAction(a: AlterTableAction): a is ColumnAction {
  return a.kind === 'AddColumns' || a.kind === 'DropColumn' || a.kind === 'ModifyColumn' || a.kind === 'RenameColumn';
}

/** The schema an ALTER TABLE leaves. */
export interface NewSchema {
  readonly columns: readonly ColumnMeta[];
  readonly keyColumns: readonly string[];
  readonly partitionInfo: PartitionInfo;
  readonly distribution: DistributionInfo;
  readonly nextColumnId: number;
  /** Ids of columns whose stored values must be rewritten (their type's encoding or text changed). */
  readonly rewrite: ReadonlySet<number>;
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

function indexOf(columns: readonly ColumnMeta[], name: string): number {
  return columns.findIndex((c) => same(c.name, name));
}

function partitionColumns(info: PartitionInfo): readonly string[] {
  return info.kind === 'UNPARTITIONED' ? [] : info.columns;
}

/** Resolve one written column definition with CREATE TABLE's rules, as a value (or key) column of this table. */
function resolveDef(table: TableMeta, def: ColumnDef, isKey: boolean): ColumnMeta {
  // analyzeColumns checks types, aggregates and nullability per key model; a one-column schema of the right shape.
  const [resolved] = analyzeColumns([def], table.keyModel, isKey ? [def.name] : []).map((c) => ({ ...c, isKey }));
  return resolved as ColumnMeta;
}

/** Reject a schema whose key columns do not all come first (StarRocks' check after every column change). */
function checkOrder(table: TableMeta, columns: readonly ColumnMeta[]): void {
  let meetValue = false;
  for (const c of columns) {
    if (c.isKey && meetValue) throw ddlError(`Invalid column order. value should be after key. index[${table.name}]`);
    if (!c.isKey) meetValue = true;
  }
}

function place(columns: ColumnMeta[], column: ColumnMeta, position: ColumnPosition | undefined): void {
  if (position === undefined) {
    columns.push(column);
    return;
  }
  if (position.kind === 'First') {
    columns.unshift(column);
    return;
  }
  const at = indexOf(columns, position.column);
  if (at < 0) throw ddlError(`Column[${position.column}] does not exist`);
  columns.splice(at + 1, 0, column);
}

function addColumns(table: TableMeta, columns: ColumnMeta[], action: Extract<ColumnAction, { kind: 'AddColumns' }>, nextId: () => number): void {
  let position = action.position;
  for (const def of action.columns) {
    if (indexOf(columns, def.name) >= 0) throw ddlError(`Can not add column which already exists in base table: ${def.name}`);
    if (def.autoIncrement) throw ddlError(`Can not add AUTO_INCREMENT column ${def.name} to an existing table; create the table with it`);
    if (table.keyModel === 'AGGREGATE' && def.aggregate === undefined) {
      throw ddlError(`The column[${def.name}] of AGGREGATE KEY table must specify aggregate function`);
    }
    const column = { ...resolveDef(table, def, false), id: nextId() };
    const d = column.default;
    if (d === 'CURRENT_TIMESTAMP' || (d !== null && d.startsWith('('))) {
      throw ddlError(`ADD COLUMN ${def.name} takes a constant DEFAULT (existing rows read it); ${d} is not one`);
    }
    if (d !== null && d !== 'NULL' && coerceValue(d, column.type, { mode: 'cast' }) === null) {
      throw ddlError(`Invalid default value for '${def.name}': '${d}' is not a ${column.type.name}`);
    }
    if (!column.nullable && (d === null || d === 'NULL')) {
      throw ddlError(`Column '${def.name}' is NOT NULL and has no DEFAULT, so the rows already loaded would have no value. Give it a DEFAULT or make it NULL`);
    }
    place(columns, column, position);
    // ADD COLUMN (a, b) AFTER x puts b right after a.
    if (position !== undefined) position = { kind: 'After', column: def.name };
  }
}

function dropColumn(table: TableMeta, columns: ColumnMeta[], name: string): void {
  const at = indexOf(columns, name);
  if (at < 0) throw ddlError(`Column does not exists: ${name}`);
  const column = columns[at]!;
  if (column.isKey) {
    if (table.keyModel === 'PRIMARY') throw ddlError('Can not drop key column in primary data model table');
    if (table.keyModel === 'UNIQUE') throw ddlError('Can not drop key column in Unique data model table');
    if (table.keyModel === 'AGGREGATE' && columns.some((c) => c.aggregate === 'REPLACE' || c.aggregate === 'REPLACE_IF_NOT_NULL')) {
      throw ddlError('Can not drop key column when table has value column with REPLACE aggregation method');
    }
    if (columns.filter((c) => c.isKey).length === 1) throw ddlError(`Can not drop the last key column ${name} of table ${table.name}`);
  }
  if (partitionColumns(table.partitionInfo).some((p) => same(p, name))) throw ddlError(`Partition column[${name}] cannot be dropped. index[${table.name}]`);
  if (table.distribution.kind === 'HASH' && table.distribution.columns.some((d) => same(d, name))) {
    throw ddlError(`Distribution column[${name}] cannot be dropped. index[${table.name}]`);
  }
  if (columns.length === 1) throw ddlError('Table should contain at least one column');
  columns.splice(at, 1);
}

function modifyColumn(table: TableMeta, columns: ColumnMeta[], action: Extract<ColumnAction, { kind: 'ModifyColumn' }>, rewrite: Set<number>): void {
  const def = action.column;
  const at = indexOf(columns, def.name);
  if (at < 0) throw ddlError(`Column[${def.name}] does not exists`);
  const old = columns[at]!;
  // Unwritten attributes keep their current values; written ones must be changes StarRocks allows.
  const written = resolveDef(table, { ...def, ...(def.aggregate === undefined && old.aggregate !== null ? { aggregate: old.aggregate } : {}) }, old.isKey);
  if ((written.aggregate ?? null) !== (old.aggregate ?? null)) throw ddlError('Can not change aggregation type');
  const nullable = def.nullable ?? old.nullable;
  if (old.nullable && !nullable) throw ddlError('Can not change from nullable to non-nullable');
  if (def.default !== undefined && written.default !== old.default) throw ddlError('Can not change default value');
  const typeChanged = JSON.stringify(written.type) !== JSON.stringify(old.type);
  if (typeChanged) {
    if (partitionColumns(table.partitionInfo).some((p) => same(p, old.name))) throw ddlError(`Can not modify partition column[${old.name}]. index[${table.name}]`);
    if (table.distribution.kind === 'HASH' && table.distribution.columns.some((d) => same(d, old.name))) {
      throw ddlError(`Can not modify distribution column[${old.name}]. index[${table.name}]`);
    }
    checkTypeChange(old.type, written.type);
    if (needsRewrite(old.type, written.type)) rewrite.add(old.id as number);
  }
  const column: ColumnMeta = {
    ...old,
    type: written.type,
    nullable,
    comment: def.comment ?? old.comment,
  };
  columns.splice(at, 1);
  if (action.position === undefined) columns.splice(at, 0, column);
  else place(columns, column, action.position);
}

/** Apply the column clauses to `table`'s schema (in order). Throws the first StarRocks error. */
export function applyColumnActions(table: TableMeta, actions: readonly ColumnAction[]): NewSchema {
  if (table.kind !== 'OLAP') throw sqlError('ER_WRONG_OBJECT', `'${table.name}' is a view`);
  const columns = table.columns.map((c, i) => ({ ...c, id: c.id ?? i + 1 }));
  let next = table.nextColumnId;
  const nextId = (): number => next++;
  const rewrite = new Set<number>();
  let keyColumns = [...table.keyColumns];
  let partitionInfo = table.partitionInfo;
  let distribution = table.distribution;
  for (const action of actions) {
    switch (action.kind) {
      case 'AddColumns':
        addColumns(table, columns, action, nextId);
        break;
      case 'DropColumn': {
        dropColumn(table, columns, action.name);
        keyColumns = keyColumns.filter((k) => !same(k, action.name));
        break;
      }
      case 'ModifyColumn':
        modifyColumn(table, columns, action, rewrite);
        break;
      case 'RenameColumn': {
        const at = indexOf(columns, action.from);
        if (at < 0) throw ddlError(`Column[${action.from}] does not exists`);
        if (indexOf(columns, action.to) >= 0 && !same(action.from, action.to)) throw ddlError(`Column name[${action.to}] is already used`);
        if (!/^[^\0\n\r\t`]{1,64}$/.test(action.to)) throw ddlError(`Incorrect column name '${action.to}'`);
        const from = columns[at]!.name;
        columns[at] = { ...columns[at]!, name: action.to };
        const rename = (n: string): string => (same(n, from) ? action.to : n);
        keyColumns = keyColumns.map(rename);
        if (partitionInfo.kind !== 'UNPARTITIONED') partitionInfo = { ...partitionInfo, columns: partitionInfo.columns.map(rename) };
        if (distribution.kind === 'HASH') distribution = { ...distribution, columns: distribution.columns.map(rename) };
        break;
      }
    }
    checkOrder(table, columns);
  }
  return { columns, keyColumns: columns.filter((c) => c.isKey).map((c) => c.name), partitionInfo, distribution, nextColumnId: next, rewrite };
}
