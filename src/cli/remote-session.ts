/**
 * The shell as a client of a running server: statements go over the MySQL protocol (mysql2), results come back as
 * text exactly as the server sent them, so output matches the embedded mode byte for byte.
 */
import mysql from 'mysql2/promise';
import { SqlError } from '../errors/index.ts';
import type { StatementResult } from '../sql/result.ts';
import { SHOW_COLUMN } from '../sql/result.ts';
import type { ColumnType } from '../types/column-type.ts';
import type { SqlTarget } from './sql-command.ts';

export interface RemoteOptions {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string | undefined;
}

export async function connectRemote(options: RemoteOptions): Promise<SqlTarget> {
  let connection: mysql.Connection;
  try {
    connection = await mysql.createConnection({
      host: options.host,
      port: options.port,
      user: options.user,
      password: options.password,
      ...(options.database === undefined ? {} : { database: options.database }),
      // Keep every value as the text the server sent: the shell prints, it does not compute.
      typeCast: (field, next) => (field.type === 'GEOMETRY' ? next() : field.string()),
    });
  } catch (error) {
    throw toSqlError(error, `Can't connect to tablevault server on '${options.host}:${options.port}'`);
  }
  return {
    async execute(sql) {
      try {
        const [rows, fields] = await connection.query({ sql, rowsAsArray: true });
        if (!Array.isArray(rows)) {
          return { kind: 'ok', affectedRows: (rows as { affectedRows?: number }).affectedRows ?? 0 };
        }
        const columns = (fields ?? []).map((f) => f.name);
        const result: StatementResult = {
          kind: 'rows',
          columns,
          columnTypes: (fields ?? []).map((f) => columnTypeOfWire(f.columnType)),
          rows: (rows as unknown as (string | null)[][]).map((r) => r.map((v) => (v === null ? null : String(v)))),
        };
        return result;
      } catch (error) {
        throw toSqlError(error, 'query failed');
      }
    },
    close: () => connection.end().catch(() => undefined),
  };
}

/**
 * The column type a result's wire metadata announces (MySQL protocol type codes), so a client-mode shell aligns
 * numbers as the embedded one does. Only the family matters here; the values stay the server's text.
 */
export function columnTypeOfWire(code: number | undefined): ColumnType {
  switch (code) {
    case 1: // TINY
      return { name: 'TINYINT' };
    case 2: // SHORT
      return { name: 'SMALLINT' };
    case 3: // LONG
    case 9: // INT24
      return { name: 'INT' };
    case 8: // LONGLONG
      return { name: 'BIGINT' };
    case 4: // FLOAT
      return { name: 'FLOAT' };
    case 5: // DOUBLE
      return { name: 'DOUBLE' };
    case 0: // DECIMAL
    case 246: // NEWDECIMAL
      return { name: 'DECIMAL', precision: 38, scale: 0 };
    case 10: // DATE
      return { name: 'DATE' };
    case 7: // TIMESTAMP
    case 12: // DATETIME
      return { name: 'DATETIME' };
    default:
      return SHOW_COLUMN;
  }
}

function toSqlError(error: unknown, context: string): SqlError {
  const e = error as { errno?: number; sqlState?: string; sqlMessage?: string; message?: string; code?: string };
  if (typeof e.errno === 'number' && e.sqlMessage !== undefined) return new SqlError(e.errno, e.sqlState ?? 'HY000', e.sqlMessage);
  // Network-level failures: mysql's 2003 "Can't connect" family.
  return new SqlError(2003, 'HY000', `${context} (${e.code ?? e.message ?? String(error)})`);
}
