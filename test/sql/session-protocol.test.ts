/**
 * The engine side of issue 10's protocol work, through the library door (the server and the shell run the same code):
 * SQL prepared statements (PREPARE … FROM, EXECUTE … USING, DEALLOCATE / DROP PREPARE) and Session.prepare, the
 * diagnostics area (SHOW WARNINGS / ERRORS / COUNT(*), @@warning_count / @@error_count, notes), SLEEP and the UTC
 * functions, FLUSH and SHUTDOWN, the character-set variables.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, type Session, type StatementResult } from '../../src/index.ts';
import { createLogger } from '../../src/logging/logger.ts';

const logger = createLogger({ level: 'silent' });
let dir: string;
let engine: Engine;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-proto-sql-'));
  engine = await Engine.open({ dataDir: dir, backends: 1, logger });
  await engine.session().execute(`
    CREATE DATABASE s;
    CREATE TABLE s.t (k INT, v VARCHAR(20), d DECIMAL(6, 2)) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ("replication_num" = "1");
    INSERT INTO s.t VALUES (1, 'one', 1.5), (2, 'two', NULL), (3, 'three', -2);
  `);
});

afterAll(async () => {
  await engine?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const rows = (r: StatementResult): readonly (readonly (string | null)[])[] => (r.kind === 'rows' ? r.rows : []);
async function errorOf(p: Promise<unknown>): Promise<{ errno: number; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { errno: number; message: string };
  }
  throw new Error('expected an error');
}

describe('SQL prepared statements (StarRocks 3.2 syntax)', () => {
  it('PREPARE … FROM text, EXECUTE … USING user variables, re-execute, DEALLOCATE / DROP PREPARE', async () => {
    const s = engine.session({ database: 's' });
    expect(await s.execute("PREPARE byKey FROM 'SELECT k, v FROM t WHERE k = ? OR v = ? ORDER BY k'")).toEqual({ kind: 'ok', affectedRows: 0, message: 'Statement prepared' });
    await s.execute("SET @a = 1, @b = 'three'");
    expect(rows(await s.execute('EXECUTE byKey USING @a, @b'))).toEqual([['1', 'one'], ['3', 'three']]);
    await s.execute("SET @a = 2, @b = 'it''s ? not a marker'");
    expect(rows(await s.execute('EXECUTE byKey USING @a, @b'))).toEqual([['2', 'two']]);
    // A variable never set is NULL.
    expect(rows(await s.execute('EXECUTE byKey USING @never, @never'))).toEqual([]);
    expect(await errorOf(s.execute('EXECUTE byKey USING @a'))).toMatchObject({ errno: 1210, message: expect.stringContaining('2 parameter markers (?) but 1 value was given') });
    await s.execute('DEALLOCATE PREPARE byKey');
    expect(await errorOf(s.execute('EXECUTE byKey USING @a, @b'))).toMatchObject({ errno: 1243 });
    expect(await errorOf(s.execute('DROP PREPARE byKey'))).toMatchObject({ errno: 1243 });
    s.close();
  });

  it('prepares INSERT (beyond StarRocks, which prepares SELECT only), FROM @variable, LIMIT ?; a new PREPARE replaces the name', async () => {
    const s = engine.session({ database: 's' });
    await s.execute("SET @text = 'INSERT INTO t (k, v, d) VALUES (?, ?, ?)'");
    await s.execute('PREPARE ins FROM @text');
    await s.execute("SET @k = 10, @v = 'ten', @d = 10.25");
    expect(await s.execute('EXECUTE ins USING @k, @v, @d')).toMatchObject({ kind: 'ok', affectedRows: 1 });
    expect(rows(await s.execute('SELECT k, v, d FROM t WHERE k = 10'))).toEqual([['10', 'ten', '10.25']]);
    await s.execute('DELETE FROM t WHERE k = 10');
    await s.execute("PREPARE ins FROM 'SELECT k FROM t ORDER BY k LIMIT ?'");
    await s.execute('SET @n = 2');
    expect(rows(await s.execute('EXECUTE ins USING @n'))).toEqual([['1'], ['2']]);
    expect(await errorOf(s.execute("PREPARE p FROM 'PREPARE q FROM ''SELECT 1'''"))).toMatchObject({ errno: 1295 });
    expect(await errorOf(s.execute("PREPARE p FROM 'SELECT 1; SELECT 2'"))).toMatchObject({ errno: 1064 });
    expect(await errorOf(s.execute('PREPARE p FROM @unset'))).toMatchObject({ errno: 1064 });
    s.close();
  });

  it('prepared statements belong to their session', async () => {
    const a = engine.session({ database: 's' });
    const b = engine.session({ database: 's' });
    await a.execute("PREPARE mine FROM 'SELECT 1'");
    expect(await errorOf(b.execute('EXECUTE mine'))).toMatchObject({ errno: 1243 });
    expect(rows(await a.execute('EXECUTE mine'))).toEqual([['1']]);
    a.close();
    b.close();
  });

  it('Session.prepare: parse once, result columns known before running, values typed, any number of executions', async () => {
    const s = engine.session({ database: 's' });
    const stmt = await s.prepare('SELECT k, v, d, ? AS p FROM t WHERE k > ? ORDER BY k');
    expect(stmt.parameterCount).toBe(2);
    expect(stmt.columns.map((c) => [c.name, c.type.name])).toEqual([['k', 'INT'], ['v', 'VARCHAR'], ['d', 'DECIMAL'], ['p', expect.any(String)]]);
    expect(rows(await stmt.execute([{ kind: 'string', text: "x'y\\z" }, 1n]))).toEqual([['2', 'two', null, "x'y\\z"], ['3', 'three', '-2.00', "x'y\\z"]]);
    expect(rows(await stmt.execute([{ kind: 'double', value: 0.5 }, 2n]))).toEqual([['3', 'three', '-2.00', '0.5']]);
    expect(await errorOf(stmt.execute([null]))).toMatchObject({ errno: 1210 });
    // Syntax and name errors are the prepare's.
    expect(await errorOf(s.prepare('SELEC ?'))).toMatchObject({ errno: 1064 });
    expect(await errorOf(s.prepare('SELECT * FROM nope WHERE k = ?'))).toMatchObject({ errno: 1146 });
    s.close();
  });
});

describe('diagnostics area', () => {
  let s: Session;
  beforeAll(() => {
    s = engine.session({ database: 's' });
  });

  it('an error shows in SHOW WARNINGS and SHOW ERRORS as Level Error, counts in both counters, survives SHOW WARNINGS', async () => {
    await errorOf(s.execute('SELECT * FROM nope'));
    const expected = [['Error', '1146', "Table 's.nope' doesn't exist"]];
    expect(rows(await s.execute('SHOW WARNINGS'))).toEqual(expected);
    expect(rows(await s.execute('SHOW ERRORS'))).toEqual(expected);
    expect(rows(await s.execute('SHOW COUNT(*) WARNINGS'))).toEqual([['1']]);
    expect(rows(await s.execute('SHOW COUNT(*) ERRORS'))).toEqual([['1']]);
    expect(rows(await s.execute('SHOW WARNINGS LIMIT 1, 1'))).toEqual([]);
    // A SELECT reads the counts the previous statement left, then (being nondiagnostic) clears them.
    expect(rows(await s.execute('SELECT @@warning_count, @@error_count'))).toEqual([['1', '1']]);
    expect(rows(await s.execute('SHOW WARNINGS'))).toEqual([]);
    expect(rows(await s.execute('SELECT @@warning_count, @@session.error_count'))).toEqual([['0', '0']]);
  });

  it('a syntax error is in the area too, whatever statement it was meant to be', async () => {
    await errorOf(s.execute('SHOW WARNINGZ'));
    const [row] = rows(await s.execute('SHOW WARNINGS'));
    expect(row?.slice(0, 2)).toEqual(['Error', '1064']);
  });

  it('notes of IF EXISTS / IF NOT EXISTS are counted in the OK result and listed', async () => {
    const r = await s.execute('DROP TABLE IF EXISTS s.missing');
    expect(r).toMatchObject({ kind: 'ok', warnings: 1 });
    expect(rows(await s.execute('SHOW WARNINGS'))).toEqual([['Note', '1051', "Unknown table 's.missing'"]]);
    expect(await s.execute('CREATE DATABASE IF NOT EXISTS s')).toMatchObject({ kind: 'ok', warnings: 1 });
    expect(rows(await s.execute('SHOW WARNINGS'))).toEqual([['Note', '1007', "Can't create database 's'; database exists"]]);
    // sql_notes = 0: notes are not raised.
    await s.execute('SET sql_notes = 0');
    expect(await s.execute('DROP TABLE IF EXISTS s.missing')).toEqual({ kind: 'ok', affectedRows: 0 });
    await s.execute('SET sql_notes = 1');
  });
});

describe('functions and administration', () => {
  it('UTC_TIMESTAMP / UTC_DATE / UTC_TIME read the clock in UTC', async () => {
    const s = engine.session();
    const before = Date.now();
    const [[ts, date, time]] = rows(await s.execute('SELECT UTC_TIMESTAMP(), UTC_DATE(), UTC_TIME()')) as [[string, string, string]];
    const after = Date.now();
    const at = Date.parse(`${ts.replace(' ', 'T')}Z`);
    expect(at).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(at).toBeLessThanOrEqual(after);
    expect(`${date} ${time}`).toBe(ts);
    s.close();
  });

  it("SLEEP waits (once per row it is evaluated for), returns StarRocks' 1 (NULL for NULL), and KILL QUERY ends it with 1317", async () => {
    const s = engine.session();
    let started = performance.now();
    expect(rows(await s.execute('SELECT SLEEP(0.2)'))).toEqual([['1']]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    started = performance.now();
    expect(rows(await s.execute('SELECT SLEEP(0.1) FROM TABLE(generate_series(1, 3)) g'))).toEqual([['1'], ['1'], ['1']]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(rows(await s.execute('SELECT SLEEP(NULL), SLEEP(NULL) IS NULL'))).toEqual([[null, '1']]);
    expect(await errorOf(s.execute('SELECT SLEEP(-1)'))).toMatchObject({ errno: 1210 });
    const killer = engine.session();
    started = performance.now();
    const slept = errorOf(s.execute('SELECT SLEEP(30)'));
    await new Promise((r) => setTimeout(r, 150));
    await killer.execute(`KILL QUERY ${s.connectionId}`);
    expect(await slept).toMatchObject({ errno: 1317 });
    expect(performance.now() - started).toBeLessThan(5000);
    killer.close();
    s.close();
  });

  it('FLUSH needs OPERATE (MySQL RELOAD), SHUTDOWN needs NODE and a server to stop', async () => {
    const root = engine.session();
    await root.execute("CREATE USER nobody IDENTIFIED BY 'x'");
    const nobody = engine.session({ user: 'nobody', host: '127.0.0.1' });
    expect(await errorOf(nobody.execute('FLUSH PRIVILEGES'))).toMatchObject({ errno: 1227, message: expect.stringContaining('OPERATE') });
    expect(await errorOf(nobody.execute('SHUTDOWN'))).toMatchObject({ errno: 1227, message: expect.stringContaining('NODE') });
    expect(await root.execute('FLUSH PRIVILEGES, TABLES, LOGS, STATUS, HOSTS, THREADS')).toEqual({ kind: 'ok', affectedRows: 0 });
    expect(await errorOf(root.execute('SHUTDOWN'))).toMatchObject({ errno: 1235, message: expect.stringContaining('not serving') });
    nobody.close();
    root.close();
  });

  it('character-set variables: validated names, character_set_results may be NULL; SET PASSWORD with more items', async () => {
    const s = engine.session();
    await s.execute('SET character_set_results = NULL');
    expect(rows(await s.execute('SELECT @@character_set_results'))).toEqual([[null]]);
    expect(await errorOf(s.execute('SET character_set_client = NULL'))).toMatchObject({ errno: 1231 });
    expect(await errorOf(s.execute("SET character_set_client = 'klingon'"))).toMatchObject({ errno: 1115 });
    await s.execute('SET NAMES latin1');
    expect(rows(await s.execute('SELECT @@character_set_client, @@character_set_results, @@collation_connection'))).toEqual([['latin1', 'latin1', 'latin1_swedish_ci']]);
    await s.execute("CREATE USER pw IDENTIFIED BY 'a'");
    const me = engine.session({ user: 'pw', host: '127.0.0.1' });
    await me.execute("SET PASSWORD = '*0D3CED9BEC10A777AEC23CCC353A8C08A633045E', sql_log_off = 1");
    expect(rows(await me.execute('SELECT @@sql_log_off'))).toEqual([['1']]);
    me.close();
    s.close();
  });
});

describe('prepared statements with transactions and executable comments (both halves of issue 10 together)', () => {
  it('a prepared INSERT in a transaction is invisible to others until COMMIT and gone at ROLLBACK; PREPARE keeps the transaction open', async () => {
    const a = engine.session({ database: 's' });
    const b = engine.session({ database: 's' });
    await a.execute('CREATE TABLE tx (k INT, v VARCHAR(10)) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ("replication_num" = "1")');
    const insert = await a.prepare('INSERT INTO tx VALUES (?, ?)');
    await a.execute('BEGIN');
    await insert.execute([1n, { kind: 'string', text: 'one' }]);
    // PREPARE, EXECUTE and DEALLOCATE are neither refused in an explicit transaction nor end it.
    await a.execute("PREPARE ins2 FROM 'INSERT INTO tx VALUES (?, ''two'')'");
    await a.execute('SET @k = 2');
    await a.execute('EXECUTE ins2 USING @k');
    await a.execute('DEALLOCATE PREPARE ins2');
    expect(a.transactionStatus).toEqual({ inTransaction: true, autocommit: true });
    expect(rows(await b.execute('SELECT COUNT(*) FROM tx'))).toEqual([['0']]);
    await a.execute('ROLLBACK');
    expect(rows(await b.execute('SELECT COUNT(*) FROM tx'))).toEqual([['0']]);
    await a.execute('BEGIN');
    await insert.execute([3n, { kind: 'string', text: 'three' }]);
    await a.execute('COMMIT');
    expect(rows(await b.execute('SELECT k, v FROM tx'))).toEqual([['3', 'three']]);
    a.close();
    b.close();
  });

  it("EXECUTE of a statement a transaction cannot hold is refused by that statement's kind (5305); FLUSH too", async () => {
    const a = engine.session({ database: 's' });
    await a.execute("PREPARE del FROM 'DELETE FROM t WHERE k = ?'");
    await a.execute('SET @k = 1');
    await a.execute('START TRANSACTION');
    expect(await errorOf(a.execute('EXECUTE del USING @k'))).toMatchObject({ errno: 5305, message: expect.stringContaining('DELETE cannot run inside a transaction') });
    const del = await a.prepare('DELETE FROM t WHERE k = ?');
    expect(await errorOf(del.execute([1n]))).toMatchObject({ errno: 5305 });
    expect(await errorOf(a.execute('FLUSH TABLES'))).toMatchObject({ errno: 5305 });
    await a.execute('ROLLBACK');
    expect(rows(await a.execute('SELECT COUNT(*) FROM t WHERE k = 1'))).toEqual([['1']]);
    a.close();
  });

  it('executable comments in a prepared text: a ? in /*!50000 … */ is a parameter, one in /*!99999 … */ is not', async () => {
    const s = engine.session({ database: 's' });
    const p = await s.prepare('SELECT k FROM t WHERE k = 1 /*!50000 OR k = ? */ /*!99999 OR k = ? */ ORDER BY k');
    expect(p.parameterCount).toBe(1);
    expect(rows(await p.execute([3n]))).toEqual([['1'], ['3']]);
    await s.execute("PREPARE lim FROM 'SELECT k FROM t ORDER BY k /*!40000 LIMIT ? */'");
    await s.execute('SET @n = 2');
    expect(rows(await s.execute('EXECUTE lim USING @n'))).toEqual([['1'], ['2']]);
    s.close();
  });
});
