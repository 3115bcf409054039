/**
 * Column definitions of the information_schema tables: MySQL 8.0's names, order and types, so clients map the wire
 * types as they do against MySQL (a BIGINT column arrives as LONGLONG, CREATE_TIME as DATETIME).
 */
import type { ColumnType } from '../../../types/column-type.ts';
import type { Row } from '../../../types/value.ts';

/** A materialised virtual table. */
export interface VirtualTable {
  /** Column names and types, in order. */
  readonly columns: readonly { readonly name: string; readonly type: ColumnType }[];
  /** Rows, values in column order (BIGINT columns hold bigints, INT columns numbers, DATETIME 'YYYY-MM-DD HH:MM:SS'). */
  readonly rows: readonly Row[];
}

export type ColumnDef = VirtualTable['columns'][number];

/**
 * Whether a text column compares case-insensitively, as MySQL 8.0's information_schema does (utf8mb3_general_ci) for
 * everything but schema and table names, which compare exactly while lower_case_table_names is 0.
 */
function caseInsensitive(name: string): boolean {
  return !/(?:SCHEMA|TABLE_NAME|^TABLE|EVENT_OBJECT_TABLE)$/.test(name);
}

/**
 * Columns from a compact spec: `NAME` is VARCHAR(64); `NAME:n` BIGINT; `NAME:i` INT; `NAME:t` DATETIME;
 * `NAME:s<len>` VARCHAR(len) (`:l` is a long text, VARCHAR(65533)).
 */
export function columns(spec: string): ColumnDef[] {
  return spec
    .split(/\s+/)
    .filter(Boolean)
    .map((c) => {
      const [name, kind] = c.split(':') as [string, string | undefined];
      const ci = caseInsensitive(name);
      if (kind === undefined) return { name, type: { name: 'VARCHAR', length: 64, caseInsensitive: ci } };
      if (kind === 'n') return { name, type: { name: 'BIGINT' } };
      if (kind === 'i') return { name, type: { name: 'INT' } };
      if (kind === 't') return { name, type: { name: 'DATETIME' } };
      if (kind === 'l') return { name, type: { name: 'VARCHAR', length: 65533, caseInsensitive: ci } };
      if (kind.startsWith('s')) return { name, type: { name: 'VARCHAR', length: Number(kind.slice(1)), caseInsensitive: ci } };
      throw new Error(`system table column spec '${c}'`);
    });
}

/** A table with these columns and no rows (what has no counterpart here: routines, triggers, events, files). */
export function emptyTable(spec: string): VirtualTable {
  return { columns: columns(spec), rows: [] };
}
