/** Transactions, savepoints, SET TRANSACTION, LOCK / UNLOCK TABLES, the metadata SHOW forms, query-cache hints. */
import { describe, expect, it } from 'vitest';
import { parseStatement } from '../../grammar/index.ts';
import { SqlError } from '../../src/errors/sql-error.ts';

const one = parseStatement;

function errorOf(sql: string): SqlError {
  try {
    parseStatement(sql);
  } catch (e) {
    if (e instanceof SqlError) return e;
    throw e;
  }
  throw new Error(`expected ${sql} to fail`);
}

describe('transaction statements', () => {
  it('parses BEGIN / START TRANSACTION with MySQL characteristics', () => {
    expect(one('START TRANSACTION WITH CONSISTENT SNAPSHOT')).toEqual({ kind: 'Transaction', action: 'BEGIN', consistentSnapshot: true });
    expect(one('start transaction read only')).toEqual({ kind: 'Transaction', action: 'BEGIN', accessMode: 'READ ONLY' });
    expect(one('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ WRITE')).toEqual({
      kind: 'Transaction', action: 'BEGIN', consistentSnapshot: true, accessMode: 'READ WRITE',
    });
    // mariadb-dump's form, after its executable comment is opened.
    expect(one('START TRANSACTION /*!40100 WITH CONSISTENT SNAPSHOT */')).toEqual({ kind: 'Transaction', action: 'BEGIN', consistentSnapshot: true });
  });

  it('parses COMMIT / ROLLBACK completion options and savepoints', () => {
    expect(one('COMMIT AND CHAIN')).toEqual({ kind: 'Transaction', action: 'COMMIT', chain: true });
    expect(one('COMMIT WORK AND NO CHAIN NO RELEASE')).toEqual({ kind: 'Transaction', action: 'COMMIT', chain: false, release: false });
    expect(one('ROLLBACK RELEASE')).toEqual({ kind: 'Transaction', action: 'ROLLBACK', release: true });
    expect(one('SAVEPOINT sp')).toEqual({ kind: 'Transaction', action: 'SAVEPOINT', savepoint: 'sp' });
    expect(one('ROLLBACK TO SAVEPOINT sp')).toEqual({ kind: 'Transaction', action: 'ROLLBACK_TO_SAVEPOINT', savepoint: 'sp' });
    expect(one('ROLLBACK WORK TO `sp`')).toEqual({ kind: 'Transaction', action: 'ROLLBACK_TO_SAVEPOINT', savepoint: 'sp' });
    expect(one('RELEASE SAVEPOINT sp')).toEqual({ kind: 'Transaction', action: 'RELEASE_SAVEPOINT', savepoint: 'sp' });
    expect(errorOf('RELEASE sp').errno).toBe(1064);
  });

  it('parses SET TRANSACTION with and without a scope, and leaves variables named like it alone', () => {
    expect(one('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ')).toEqual({
      kind: 'Set', assignments: [{ kind: 'SetTransaction', scope: 'SESSION', isolation: 'REPEATABLE READ' }],
    });
    expect(one('SET TRANSACTION READ ONLY, ISOLATION LEVEL READ COMMITTED')).toEqual({
      kind: 'Set', assignments: [{ kind: 'SetTransaction', scope: 'NEXT', isolation: 'READ COMMITTED', accessMode: 'READ ONLY' }],
    });
    expect(one('SET GLOBAL TRANSACTION ISOLATION LEVEL READ UNCOMMITTED')).toEqual({
      kind: 'Set', assignments: [{ kind: 'SetTransaction', scope: 'GLOBAL', isolation: 'READ UNCOMMITTED' }],
    });
    expect(one('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE')).toEqual({
      kind: 'Set', assignments: [{ kind: 'SetTransaction', scope: 'NEXT', isolation: 'SERIALIZABLE' }],
    });
    expect(one("SET SESSION transaction_isolation = 'READ-COMMITTED'")).toEqual({
      kind: 'Set', assignments: [{ kind: 'SetVariable', scope: 'SESSION', name: 'transaction_isolation', value: { kind: 'StringLiteral', value: 'READ-COMMITTED' } }],
    });
  });

  it('parses LOCK TABLES with aliases and modes, and UNLOCK TABLES', () => {
    expect(one('LOCK TABLES t READ, db.u AS x WRITE, v r READ LOCAL')).toEqual({
      kind: 'LockTables',
      tables: [
        { table: { name: 't' }, mode: 'READ' },
        { table: { db: 'db', name: 'u' }, alias: 'x', mode: 'WRITE' },
        { table: { name: 'v' }, alias: 'r', mode: 'READ' },
      ],
    });
    // mariadb-dump's form.
    expect(one('LOCK TABLES `a` READ /*!32311 LOCAL */,`b` READ /*!32311 LOCAL */')).toEqual({
      kind: 'LockTables', tables: [{ table: { name: 'a' }, mode: 'READ' }, { table: { name: 'b' }, mode: 'READ' }],
    });
    expect(one('LOCK TABLE t WRITE')).toEqual({ kind: 'LockTables', tables: [{ table: { name: 't' }, mode: 'WRITE' }] });
    expect(one('UNLOCK TABLES')).toEqual({ kind: 'UnlockTables' });
    expect(errorOf('LOCK TABLES t').errno).toBe(1064);
  });

  it('keeps the new words usable as names', () => {
    const s = one('SELECT level, events, lock, no, `index` FROM keys');
    expect(s.kind).toBe('Select');
  });
});

describe('metadata SHOW forms', () => {
  it('parses each form with its database, table and filter', () => {
    expect(one("SHOW TABLE STATUS FROM db LIKE 't%'")).toEqual({ kind: 'ShowMeta', what: 'TABLE STATUS', database: 'db', filter: { kind: 'Like', pattern: 't%' } });
    expect(one('SHOW INDEX FROM t FROM db')).toEqual({ kind: 'ShowMeta', what: 'INDEX', table: { db: 'db', name: 't' } });
    expect(one('SHOW EXTENDED KEYS IN db.t')).toEqual({ kind: 'ShowMeta', what: 'INDEX', table: { db: 'db', name: 't' } });
    expect(one("SHOW INDEXES FROM t WHERE Key_name = 'PRIMARY'")).toMatchObject({ kind: 'ShowMeta', what: 'INDEX', filter: { kind: 'Where' } });
    expect(one('SHOW STORAGE ENGINES')).toEqual({ kind: 'ShowMeta', what: 'ENGINES' });
    expect(one("SHOW CHARACTER SET LIKE 'utf8%'")).toEqual({ kind: 'ShowMeta', what: 'CHARSET', filter: { kind: 'Like', pattern: 'utf8%' } });
    expect(one('SHOW CHARSET')).toEqual({ kind: 'ShowMeta', what: 'CHARSET' });
    expect(one("SHOW COLLATION WHERE Charset = 'utf8'")).toMatchObject({ kind: 'ShowMeta', what: 'COLLATION' });
    expect(one("SHOW TRIGGERS LIKE 't'")).toEqual({ kind: 'ShowMeta', what: 'TRIGGERS', filter: { kind: 'Like', pattern: 't' } });
    expect(one('SHOW PROCEDURE STATUS')).toEqual({ kind: 'ShowMeta', what: 'PROCEDURE STATUS' });
    expect(one("SHOW FUNCTION STATUS WHERE Db = 'x'")).toMatchObject({ kind: 'ShowMeta', what: 'FUNCTION STATUS' });
    expect(one('SHOW EVENTS FROM db')).toEqual({ kind: 'ShowMeta', what: 'EVENTS', database: 'db' });
    expect(one('SHOW PLUGINS')).toEqual({ kind: 'ShowMeta', what: 'PLUGINS' });
    expect(one('SHOW PRIVILEGES')).toEqual({ kind: 'ShowMeta', what: 'PRIVILEGES' });
    expect(one("SHOW FULL COLUMNS FROM t LIKE 'a%'")).toEqual({
      kind: 'Describe', table: { name: 't' }, all: false, showColumns: true, full: true, filter: { kind: 'Like', pattern: 'a%' },
    });
  });

  it('drops SQL_NO_CACHE / SQL_CACHE among the options after SELECT only', () => {
    expect(one('SELECT SQL_NO_CACHE a FROM t')).toEqual(one('SELECT a FROM t'));
    expect(one('SELECT DISTINCT sql_cache a FROM t')).toEqual(one('SELECT DISTINCT a FROM t'));
    expect(one('SELECT /*!40001 SQL_NO_CACHE */ * FROM `t`')).toEqual(one('SELECT * FROM t'));
    // Elsewhere it is a name.
    expect(one('SELECT a AS sql_no_cache FROM t')).toMatchObject({ kind: 'Select' });
  });
});
