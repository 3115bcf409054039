/**
 * sql_mode without ONLY_FULL_GROUP_BY, as MySQL: a selected column neither grouped nor aggregated gives one of its
 * group's values (ANY_VALUE). mariadb-dump clears sql_mode and then runs such a query on information_schema.FILES;
 * with the default sql_mode the query stays refused, as in StarRocks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../data-plane/helpers.ts';

let db: TestDb;

beforeAll(async () => {
  db = await openTestDb({ database: 'g' });
  await db.exec(`CREATE TABLE g.t (k INT, tag VARCHAR(5), v INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1;
    INSERT INTO g.t VALUES (1, 'a', 10), (1, 'a', 20), (2, 'b', 5)`);
});

afterAll(async () => {
  await db?.close();
});

describe('GROUP BY and sql_mode', () => {
  it('ONLY_FULL_GROUP_BY (the default) refuses a column neither grouped nor aggregated', async () => {
    expect(await db.rows('SELECT @@sql_mode')).toEqual([['ONLY_FULL_GROUP_BY']]);
    expect((await db.fails('SELECT k, tag, SUM(v) FROM g.t GROUP BY k')).message).toContain("'tag' must be an aggregate expression or appear in GROUP BY clause");
  });

  it("sql_mode = '' gives one value of the group, in the select list, HAVING and ORDER BY", async () => {
    const s = db.engine.session({ database: 'g' });
    try {
      await s.execute("SET SQL_MODE = ''");
      const r = await s.execute('SELECT k, tag, SUM(v) FROM t GROUP BY k HAVING tag <> \'z\' ORDER BY tag DESC');
      expect(r.kind === 'rows' ? r.rows : undefined).toEqual([['2', 'b', '5'], ['1', 'a', '30']]);
      const whole = await s.execute('SELECT tag, COUNT(*) FROM t WHERE k = 2');
      expect(whole.kind === 'rows' ? whole.rows : undefined).toEqual([['b', '1']]);
      // mariadb-dump's tablespace query (EXTRA is not grouped).
      const files = await s.execute(
        "SELECT LOGFILE_GROUP_NAME, FILE_NAME, TOTAL_EXTENTS, INITIAL_SIZE, ENGINE, EXTRA FROM INFORMATION_SCHEMA.FILES WHERE FILE_TYPE = 'UNDO LOG' AND FILE_NAME IS NOT NULL GROUP BY LOGFILE_GROUP_NAME, FILE_NAME, ENGINE, TOTAL_EXTENTS, INITIAL_SIZE ORDER BY LOGFILE_GROUP_NAME",
      );
      expect(files.kind === 'rows' ? files.rows : undefined).toEqual([]);
      await s.execute("SET sql_mode = 'STRICT_TRANS_TABLES,only_full_group_by'");
      await expect(s.execute('SELECT k, tag FROM t GROUP BY k')).rejects.toThrow('must be an aggregate expression');
    } finally {
      s.close();
    }
  });
});
