import { SqlError } from './sql-error.ts';

/**
 * MySQL error numbers and SQLSTATEs used by tablevault. Names follow MySQL's `ER_*` constants so that a reader can
 * look them up; the factories below keep message wording in one place.
 */
export const ErrorCode = {
  ER_DB_CREATE_EXISTS: { errno: 1007, sqlState: 'HY000' },
  ER_DB_DROP_EXISTS: { errno: 1008, sqlState: 'HY000' },
  /** A local write found no space (ENOSPC, EDQUOT, EFBIG, SQLITE_FULL). */
  ER_DISK_FULL: { errno: 1021, sqlState: 'HY000' },
  /** A local write was refused (read-only file system, permissions). */
  ER_ERROR_ON_WRITE: { errno: 1026, sqlState: 'HY000' },
  ER_DBACCESS_DENIED_ERROR: { errno: 1044, sqlState: '42000' },
  ER_ACCESS_DENIED_ERROR: { errno: 1045, sqlState: '28000' },
  ER_NO_DB_ERROR: { errno: 1046, sqlState: '3D000' },
  ER_UNKNOWN_COM_ERROR: { errno: 1047, sqlState: '08S01' },
  ER_BAD_NULL_ERROR: { errno: 1048, sqlState: '23000' },
  ER_BAD_DB_ERROR: { errno: 1049, sqlState: '42000' },
  ER_TABLE_EXISTS_ERROR: { errno: 1050, sqlState: '42S01' },
  ER_BAD_TABLE_ERROR: { errno: 1051, sqlState: '42S02' },
  ER_NON_UNIQ_ERROR: { errno: 1052, sqlState: '23000' },
  ER_BAD_FIELD_ERROR: { errno: 1054, sqlState: '42S22' },
  ER_WRONG_FIELD_WITH_GROUP: { errno: 1055, sqlState: '42000' },
  ER_DUP_FIELDNAME: { errno: 1060, sqlState: '42S21' },
  ER_PARSE_ERROR: { errno: 1064, sqlState: '42000' },
  /** StarRocks reports analysis and DDL errors as 1064 with SQLSTATE HY000. */
  ER_STARROCKS_ANALYSIS: { errno: 1064, sqlState: 'HY000' },
  ER_EMPTY_QUERY: { errno: 1065, sqlState: '42000' },
  ER_NO_SUCH_THREAD: { errno: 1094, sqlState: 'HY000' },
  ER_UNKNOWN_ERROR: { errno: 1105, sqlState: 'HY000' },
  ER_WRONG_VALUE_COUNT_ON_ROW: { errno: 1136, sqlState: '21S01' },
  ER_PASSWORD_NO_MATCH: { errno: 1133, sqlState: '42000' },
  ER_TABLEACCESS_DENIED_ERROR: { errno: 1142, sqlState: '42000' },
  ER_NO_SUCH_TABLE: { errno: 1146, sqlState: '42S02' },
  ER_NET_PACKET_TOO_LARGE: { errno: 1153, sqlState: '08S01' },
  ER_UNKNOWN_SYSTEM_VARIABLE: { errno: 1193, sqlState: 'HY000' },
  ER_SPECIFIC_ACCESS_DENIED_ERROR: { errno: 1227, sqlState: '42000' },
  ER_NOT_SUPPORTED_YET: { errno: 1235, sqlState: '42000' },
  ER_UNSUPPORTED_PS: { errno: 1295, sqlState: 'HY000' },
  ER_CANNOT_USER: { errno: 1396, sqlState: 'HY000' },
  ER_TRUNCATED_WRONG_VALUE: { errno: 1292, sqlState: '22007' },
  ER_QUERY_INTERRUPTED: { errno: 1317, sqlState: '70100' },
  ER_WARN_DATA_OUT_OF_RANGE: { errno: 1264, sqlState: '22003' },
  ER_DATA_TOO_LONG: { errno: 1406, sqlState: '22001' },
  ER_DIVISION_BY_ZERO: { errno: 1365, sqlState: '22012' },
  ER_NO_PARTITION_FOR_GIVEN_VALUE: { errno: 1526, sqlState: 'HY000' },
  ER_UNKNOWN_PARTITION: { errno: 1735, sqlState: 'HY000' },
  ER_SAME_NAME_PARTITION: { errno: 1517, sqlState: 'HY000' },
  ER_WRONG_OBJECT: { errno: 1347, sqlState: 'HY000' },
  ER_UNKNOWN_TABLE: { errno: 1109, sqlState: '42S02' },
  ER_TOO_BIG_PRECISION: { errno: 1426, sqlState: '42000' },
  ER_INVALID_CAST: { errno: 1105, sqlState: 'HY000' },
  ER_NONUNIQ_TABLE: { errno: 1066, sqlState: '42000' },
  ER_OPERAND_COLUMNS: { errno: 1241, sqlState: '21000' },
  ER_SUBQUERY_NO_1_ROW: { errno: 1242, sqlState: '21000' },
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;

/** Build a SqlError from a named MySQL code. */
export function sqlError(code: ErrorCodeName, message: string, options?: { cause?: unknown }): SqlError {
  const { errno, sqlState } = ErrorCode[code];
  return new SqlError(errno, sqlState, message, undefined, options);
}

/**
 * StarRocks' rendering of analyzer errors: `Getting analyzing error. Detail message: <msg>.`
 * Use for the analysis-time messages of the compatibility reference (§5.3, "Analysis").
 */
export function analysisError(detail: string): SqlError {
  return sqlError('ER_STARROCKS_ANALYSIS', `Getting analyzing error. Detail message: ${detail}.`);
}

/** StarRocks' rendering of DDL / submit-time errors (DdlException): the message as is, errno 1064, HY000. */
export function ddlError(message: string): SqlError {
  return sqlError('ER_STARROCKS_ANALYSIS', message);
}

/** A statement or feature tablevault parses but does not implement. */
export function notSupported(what: string): SqlError {
  return sqlError('ER_NOT_SUPPORTED_YET', `${what} is not supported by tablevault`);
}
