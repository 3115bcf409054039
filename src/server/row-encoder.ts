/**
 * How one result set goes on the wire: its column definitions and its rows, in the text protocol (COM_QUERY) or
 * the binary one (COM_STMT_EXECUTE / FETCH), with text in the connection's results charset (column names, text
 * values; text columns then carry that charset's collation).
 */
import type { ColumnType } from '../types/column-type.ts';
import { binaryRowPayload } from './binary-rows.ts';
import { collationIdOf, type ClientCharset } from './charsets.ts';
import { columnDefinition } from './column-definitions.ts';
import { columnDefinitionPayload, textRowPayload, type ColumnDefinition } from './packets.ts';

/** One row as the engine hands it over: text per column, SQL NULL as null. */
export type TextRow = readonly (string | null)[];

/** Text rows (COM_QUERY) or binary rows (prepared statements). */
export type RowFormat = 'text' | 'binary';

/** A result set's encoder, built once per result. */
export interface RowEncoder {
  /** The column definition packets' payloads. */
  readonly definitions: readonly Buffer[];
  /** One row packet's payload. */
  row(row: TextRow): Buffer;
}

/** Text columns are announced in utf8_general_ci; they take the results charset's collation instead. */
const UTF8_GENERAL_CI = 33;

/** Wire definitions of a result's columns for a connection whose results charset is `charset`. */
export function wireColumns(columns: readonly string[], types: readonly ColumnType[], charset: ClientCharset | null): ColumnDefinition[] {
  const textCollation = charset === null ? UTF8_GENERAL_CI : collationIdOf(charset);
  return columns.map((name, i) => {
    const definition = columnDefinition(name, types[i] ?? { name: 'VARCHAR', length: 255 });
    return definition.characterSet === UTF8_GENERAL_CI ? { ...definition, characterSet: textCollation } : definition;
  });
}

export function rowEncoder(columns: readonly string[], types: readonly ColumnType[], charset: ClientCharset | null, format: RowFormat): RowEncoder {
  const wire = wireColumns(columns, types, charset);
  return {
    definitions: wire.map((c) => columnDefinitionPayload(c, charset)),
    row: format === 'binary' ? (row) => binaryRowPayload(row, wire, charset) : (row) => textRowPayload(row, charset),
  };
}
