/**
 * The errors of transactions and table locks, with MySQL's (and, for what only StarRocks has, StarRocks') numbers,
 * SQLSTATEs and wording, each followed by what to do next. Kept here rather than in src/errors/error-codes.ts: no
 * other family raises them.
 */
import { SqlError } from '../../errors/index.ts';

/** StarRocks 5305: a statement an explicit transaction cannot hold. */
export function notInTransaction(what: string): SqlError {
  return new SqlError(
    5305,
    '25P01',
    `Explicit transaction only support begin/commit/rollback/insert/set/select/show statements: ${what} cannot run inside a transaction. COMMIT or ROLLBACK first`,
  );
}

/** StarRocks 5307: a read of a table this transaction has loaded into (its loads are not visible before COMMIT). */
export function selectOnModifiedTable(table: string): SqlError {
  return new SqlError(
    5307,
    '25P01',
    `SELECT cannot read table '${table}' modified earlier in the same transaction: its rows become visible at COMMIT; COMMIT first to read them`,
  );
}

/** MySQL 1305 ER_SP_DOES_NOT_EXIST, as MySQL words it for savepoints. */
export function noSuchSavepoint(name: string): SqlError {
  return new SqlError(1305, '42000', `SAVEPOINT ${name} does not exist`);
}

/** MySQL 1100 ER_TABLE_NOT_LOCKED. */
export function tableNotLocked(table: string): SqlError {
  return new SqlError(1100, 'HY000', `Table '${table}' was not locked with LOCK TABLES; add it to LOCK TABLES or run UNLOCK TABLES first`);
}

/** MySQL 1099 ER_TABLE_NOT_LOCKED_FOR_WRITE. */
export function tableLockedForRead(table: string): SqlError {
  return new SqlError(1099, 'HY000', `Table '${table}' was locked with a READ lock and can't be updated; lock it WRITE or run UNLOCK TABLES first`);
}

/** MySQL 1205 ER_LOCK_WAIT_TIMEOUT. */
export function lockWaitTimeout(table: string, seconds: number): SqlError {
  return new SqlError(1205, 'HY000', `Lock wait timeout exceeded; try restarting transaction (table '${table}' stayed locked by another session for ${seconds} s, the lock_wait_timeout)`);
}

/** MySQL 1792 ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION. */
export function readOnlyTransaction(): SqlError {
  return new SqlError(1792, '25006', 'Cannot execute statement in a READ ONLY transaction.');
}

/** MySQL 1412 ER_TABLE_DEF_CHANGED: the table did not exist when the transaction's snapshot was taken. */
export function tableDefinitionChanged(table: string): SqlError {
  return new SqlError(1412, 'HY000', `Table definition has changed, please retry transaction ('${table}' was created after this transaction's snapshot)`);
}

/** MySQL 1568 ER_CANT_CHANGE_TX_CHARACTERISTICS. */
export function cannotChangeCharacteristics(): SqlError {
  return new SqlError(1568, '25001', "Transaction characteristics can't be changed while a transaction is in progress");
}

/** SERIALIZABLE is refused rather than silently weakened: there is no write-conflict detection to give it. */
export function serializableNotSupported(): SqlError {
  return new SqlError(
    1235,
    '42000',
    "This version of tablevault doesn't yet support 'SERIALIZABLE isolation': use REPEATABLE READ (one snapshot per transaction) or READ COMMITTED",
  );
}

/** COMMIT / ROLLBACK … RELEASE would close the connection from inside a statement; not offered. */
export function releaseNotSupported(): SqlError {
  return new SqlError(1235, '42000', "This version of tablevault doesn't yet support 'COMMIT/ROLLBACK ... RELEASE': end the transaction, then close the connection");
}
