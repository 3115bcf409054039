/**
 * The one error type that crosses every layer boundary. Anything a user can cause surfaces as a SqlError carrying
 * the MySQL errno and SQLSTATE a client expects, so the server, the shell and the library report it identically.
 */
export class SqlError extends Error {
  override name = 'SqlError';
  /** MySQL error number, e.g. 1064 for a syntax error. */
  readonly errno: number;
  /** Five-character SQLSTATE, e.g. '42000'. Never the placeholder '_____'. */
  readonly sqlState: string;
  /** 1-based line of the offending input, when the error points into SQL text. */
  readonly line: number | undefined;
  /** 1-based column of the offending input, when the error points into SQL text. */
  readonly column: number | undefined;

  constructor(
    errno: number,
    sqlState: string,
    message: string,
    position?: { line: number; column: number },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.errno = errno;
    this.sqlState = sqlState;
    this.line = position?.line;
    this.column = position?.column;
  }
}

/** True for SqlError instances, including ones from another copy of this module. */
export function isSqlError(error: unknown): error is SqlError {
  return error instanceof SqlError || (error instanceof Error && error.name === 'SqlError' && 'errno' in error);
}
