/**
 * The shell as a client of a running server: statements go over the MySQL protocol (mysql2), results come back as
 * text exactly as the server sent them, so output matches the embedded mode byte for byte.
 */
import { createConnection, type Connection as CallbackConnection, type FieldPacket } from 'mysql2';
import type { Connection } from 'mysql2/promise';
import { SqlError } from '../errors/index.ts';
import type { StatementResult } from '../sql/result.ts';
import { SHOW_COLUMN } from '../sql/result.ts';
import { RowStream, type StreamedResult, type TextRow } from '../sql/row-stream.ts';
import type { ColumnType } from '../types/column-type.ts';
import type { SqlTarget } from './sql-command.ts';

export interface RemoteOptions {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string | undefined;
}

/** Rows per batch a streamed remote result hands to the shell. */
const REMOTE_BATCH = 512;

export async function connectRemote(options: RemoteOptions): Promise<SqlTarget> {
  // The callback connection streams (query().stream() pauses the socket while the reader is behind); its promise
  // wrapper runs everything else.
  let base: CallbackConnection;
  try {
    base = createConnection({
      host: options.host,
      port: options.port,
      user: options.user,
      password: options.password,
      ...(options.database === undefined ? {} : { database: options.database }),
      // Keep every value as the text the server sent: the shell prints, it does not compute.
      typeCast: (field, next) => (field.type === 'GEOMETRY' ? next() : field.string()),
    });
    await new Promise<void>((resolve, reject) => base.connect((error) => (error ? reject(error) : resolve())));
  } catch (error) {
    throw toSqlError(error, `Can't connect to tablevault server on '${options.host}:${options.port}'`);
  }
  const connection: Connection = base.promise();
  return {
    stream: (sql) => streamQuery(base, sql),
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

/**
 * One statement with its rows read as the server sends them (batch output streams). Resolves once the server has
 * said what comes back: an OK, or column definitions (then the rows are pulled while the caller iterates).
 */
async function streamQuery(base: CallbackConnection, sql: string): Promise<StreamedResult> {
  const readable = base.query({ sql, rowsAsArray: true }).stream({ highWaterMark: REMOTE_BATCH });
  let fields: FieldPacket[] | undefined;
  readable.once('fields', (f: FieldPacket[]) => (fields = f));
  const iterator = readable[Symbol.asyncIterator]() as AsyncIterator<unknown>;
  let first: IteratorResult<unknown>;
  try {
    first = await iterator.next();
  } catch (error) {
    throw toSqlError(error, 'query failed');
  }
  if (fields === undefined) {
    const header = (first.done ? {} : first.value) as { affectedRows?: number };
    return { kind: 'ok', affectedRows: header.affectedRows ?? 0 };
  }
  const columns = fields.map((f) => f.name);
  const columnTypes = fields.map((f) => columnTypeOfWire(f.columnType));
  async function* batches(): AsyncGenerator<readonly TextRow[], void, void> {
    let batch: TextRow[] = [];
    let next = first;
    try {
      while (!next.done) {
        batch.push((next.value as unknown[]).map((v) => (v === null ? null : String(v))));
        if (batch.length >= REMOTE_BATCH) {
          yield batch;
          batch = [];
        }
        next = await iterator.next();
      }
    } catch (error) {
      throw toSqlError(error, 'query failed');
    } finally {
      await iterator.return?.();
    }
    if (batch.length > 0) yield batch;
  }
  return new RowStream(columns, columnTypes, batches());
}

function toSqlError(error: unknown, context: string): SqlError {
  const e = error as { errno?: number; sqlState?: string; sqlMessage?: string; message?: string; code?: string };
  if (typeof e.errno === 'number' && e.sqlMessage !== undefined) return new SqlError(e.errno, e.sqlState ?? 'HY000', e.sqlMessage);
  // Network-level failures: mysql's 2003 "Can't connect" family.
  return new SqlError(2003, 'HY000', `${context} (${e.code ?? e.message ?? String(error)})`);
}
