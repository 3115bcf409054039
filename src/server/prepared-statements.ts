/**
 * One connection's binary-protocol prepared statements: the ids COM_STMT_PREPARE hands out, the parameter types the
 * last COM_STMT_EXECUTE bound (an execute may omit them), data collected by COM_STMT_SEND_LONG_DATA, and the rows
 * of an open cursor waiting for COM_STMT_FETCH (its query's stream, closed when the cursor goes).
 *
 * Limits: at most max_prepared_stmt_count statements per connection (MySQL's 1461 beyond), and a parameter's long
 * data at most max_allowed_packet bytes (MySQL's 1153, reported by the execute that uses it, as MySQL does).
 */
import { SqlError } from '../errors/index.ts';
import type { PreparedQuery } from '../engine.ts';
import type { OpenCursor } from './open-cursor.ts';

/** One prepared statement of the connection. */
export interface ServerStatement {
  readonly id: number;
  readonly prepared: PreparedQuery;
  /** The types (two bytes each) of the last execution, for an execute that does not resend them. */
  previousTypes: readonly number[] | undefined;
  /** COM_STMT_SEND_LONG_DATA chunks by parameter index. */
  readonly longData: Map<number, Buffer[]>;
  longDataBytes: number;
  /** Set when long data went past the limit: the next execute fails with it. */
  longDataError: SqlError | undefined;
  cursor: OpenCursor | undefined;
}

/** MySQL's ER_UNKNOWN_STMT_HANDLER. */
export function unknownStatementHandler(id: number, command: string): SqlError {
  return new SqlError(1243, 'HY000', `Unknown prepared statement handler (${id}) given to ${command}`);
}

export class StatementRegistry {
  readonly #statements = new Map<number, ServerStatement>();
  #nextId = 1;

  /** Register a prepared statement; throws 1461 past `limit` statements. */
  add(prepared: PreparedQuery, limit: number): ServerStatement {
    if (this.#statements.size >= limit) {
      throw new SqlError(1461, '42000', `Can't create more than max_prepared_stmt_count statements (current value: ${limit}): close statements the application no longer uses`);
    }
    const statement: ServerStatement = {
      id: this.#nextId++,
      prepared,
      previousTypes: undefined,
      longData: new Map(),
      longDataBytes: 0,
      longDataError: undefined,
      cursor: undefined,
    };
    // Ids are 32-bit on the wire; wrap long before that (0 is never used).
    if (this.#nextId > 0xfffffff0) this.#nextId = 1;
    this.#statements.set(statement.id, statement);
    return statement;
  }

  get(id: number, command: string): ServerStatement {
    const statement = this.#statements.get(id);
    if (statement === undefined) throw unknownStatementHandler(id, command);
    return statement;
  }

  /** COM_STMT_SEND_LONG_DATA: append to a parameter's data (no reply; errors surface at execute). */
  appendLongData(id: number, parameter: number, data: Buffer, limit: number): void {
    const statement = this.#statements.get(id);
    if (statement === undefined || statement.longDataError !== undefined) return;
    if (parameter >= statement.prepared.parameterCount) {
      statement.longDataError = new SqlError(1210, 'HY000', `Incorrect arguments to mysqld_stmt_send_long_data: the statement has no parameter ${parameter + 1}`);
      return;
    }
    statement.longDataBytes += data.length;
    if (statement.longDataBytes > limit) {
      statement.longData.clear();
      statement.longDataError = new SqlError(1153, '08S01', `Got a packet bigger than 'max_allowed_packet' bytes: the long data of this statement passed ${limit} bytes`);
      return;
    }
    const chunks = statement.longData.get(parameter);
    // Copied: the packet buffer is reused by the parser.
    if (chunks === undefined) statement.longData.set(parameter, [Buffer.from(data)]);
    else chunks.push(Buffer.from(data));
  }

  /** Long data by parameter, joined. */
  longDataOf(statement: ServerStatement): Map<number, Buffer> {
    return new Map([...statement.longData].map(([i, chunks]) => [i, Buffer.concat(chunks)]));
  }

  /** After an execute, or COM_STMT_RESET: forget long data (and its error) and any open cursor. */
  reset(statement: ServerStatement): void {
    statement.longData.clear();
    statement.longDataBytes = 0;
    statement.longDataError = undefined;
    closeCursor(statement);
  }

  /** COM_STMT_CLOSE. */
  close(id: number): void {
    const statement = this.#statements.get(id);
    if (statement !== undefined) closeCursor(statement);
    this.#statements.delete(id);
  }

  /** COM_RESET_CONNECTION / COM_CHANGE_USER, the connection's end: every statement goes. */
  clear(): void {
    for (const statement of this.#statements.values()) closeCursor(statement);
    this.#statements.clear();
  }

  get size(): number {
    return this.#statements.size;
  }
}

/** Forget a statement's cursor, stopping its query (a close that fails has nothing left to tell anyone). */
function closeCursor(statement: ServerStatement): void {
  const cursor = statement.cursor;
  statement.cursor = undefined;
  void cursor?.close().catch(() => undefined);
}
