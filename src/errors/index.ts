export { SqlError, isSqlError } from './sql-error.ts';
export { ErrorCode, sqlError, analysisError, ddlError, notSupported, type ErrorCodeName } from './error-codes.ts';
