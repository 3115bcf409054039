/**
 * Inspection statements (SHOW TABLES, DESC, SHOW PARTITIONS, SHOW TABLET, information_schema) with StarRocks'
 * exact columns and plausible values, plus views and DROP TABLE / VIEW.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { column, openTestDb, type TestDb } from './helpers.ts';

const PARTITION_COLUMNS = [
  'PartitionId', 'PartitionName', 'VisibleVersion', 'VisibleVersionTime', 'VisibleVersionHash', 'State', 'PartitionKey', 'Range',
  'DistributionKey', 'Buckets', 'ReplicationNum', 'StorageMedium', 'CooldownTime', 'LastConsistencyCheckTime', 'DataSize',
  'IsInMemory', 'RowCount',
];
const TABLET_COLUMNS = [
  'TabletId', 'ReplicaId', 'BackendId', 'SchemaHash', 'Version', 'VersionHash', 'LstSuccessVersion', 'LstSuccessVersionHash',
  'LstFailedVersion', 'LstFailedVersionHash', 'LstFailedTime', 'DataSize', 'RowCount', 'State', 'LstConsistencyCheckTime',
  'CheckVersion', 'CheckVersionHash', 'VersionCount', 'PathHash', 'MetaUrl', 'CompactionStatus',
];

/** `1.234 KB` / `100B` → bytes (approximately, for plausibility checks). */
function bytes(text: string | null): number {
  const m = /^([\d.]+) ?(B|KB|MB|GB)$/.exec(text ?? '');
  if (m === null) throw new Error(`not a size: ${text}`);
  return Number(m[1]) * { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[m[2] as 'B'];
}

describe('SHOW statements and views', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb({ database: 'db' });
    await t.exec(`CREATE TABLE sales (d DATE, id INT, amount DECIMAL(10, 2)) DUPLICATE KEY(d, id)
      PARTITION BY RANGE(d) (PARTITION p1 VALUES LESS THAN ("2024-01-01"), PARTITION p2 VALUES LESS THAN ("2025-01-01"))
      DISTRIBUTED BY HASH(id) BUCKETS 4 PROPERTIES ("replication_num" = "2")`);
  });
  afterAll(async () => {
    await t.close();
  });

  it('SHOW PARTITIONS: exact columns; versions, row counts and sizes follow loads', async () => {
    let r = await t.result('SHOW PARTITIONS FROM sales');
    expect(r.columns).toEqual(PARTITION_COLUMNS);
    expect(r.rows.map((row) => [row[1], row[2], row[5], row[6], row[8], row[9], row[10], row[14], row[16]])).toEqual([
      ['p1', '1', 'NORMAL', 'd', 'id', '4', '2', '0B', '0'],
      ['p2', '1', 'NORMAL', 'd', 'id', '4', '2', '0B', '0'],
    ]);
    expect(r.rows[1]?.[7]).toBe('[types: [DATE]; keys: [2024-01-01]; ..types: [DATE]; keys: [2025-01-01]; )');
    await t.exec("INSERT INTO sales SELECT '2024-06-01', generate_series, 1.25 FROM TABLE(generate_series(1, 500))");
    await t.exec("INSERT INTO sales VALUES ('2024-07-01', 1000, 2)");
    r = await t.result('SHOW PARTITIONS FROM sales');
    expect(column(r, 'VisibleVersion')).toEqual(['1', '3']);
    expect(column(r, 'RowCount')).toEqual(['0', '501']);
    expect(bytes(column(r, 'DataSize')[1] ?? null)).toBeGreaterThan(501 * 4);
    // WHERE / ORDER BY / LIMIT on SHOW PARTITIONS.
    expect((await t.rows("SHOW PARTITIONS FROM sales WHERE PartitionName = 'p2'")).map((x) => x[1])).toEqual(['p2']);
    expect((await t.rows('SHOW PARTITIONS FROM sales ORDER BY PartitionName DESC LIMIT 1')).map((x) => x[1])).toEqual(['p2']);
  });

  it('SHOW TABLET: exact columns; one row per replica on distinct backends; row counts add up; versions match', async () => {
    const r = await t.result('SHOW TABLET FROM sales');
    expect(r.columns).toEqual(TABLET_COLUMNS);
    expect(r.rows).toHaveLength(2 * 4 * 2);
    const backends = (await t.rows('SHOW BACKENDS')).map((b) => b[0]);
    expect(backends).toHaveLength(3);
    const byTablet = new Map<string, (string | null)[][]>();
    for (const row of r.rows) byTablet.set(row[0] as string, [...(byTablet.get(row[0] as string) ?? []), [...row]]);
    expect(byTablet.size).toBe(8);
    for (const replicas of byTablet.values()) {
      expect(replicas).toHaveLength(2);
      expect(new Set(replicas.map((x) => x[2])).size).toBe(2);
      for (const x of replicas) expect(backends).toContain(x[2]);
      // Replicas of one tablet agree on version, rows and size.
      expect(new Set(replicas.map((x) => `${x[4]}/${x[11]}/${x[12]}`)).size).toBe(1);
    }
    const p2 = await t.result('SHOW TABLET FROM sales PARTITION (p2)');
    const rows = column(p2, 'RowCount').map(Number);
    expect(rows.reduce((a, b) => a + b, 0)).toBe(501 * 2);
    expect(new Set(column(p2, 'Version'))).toEqual(new Set(['3']));
    // Hash distribution spreads 500 ids over every bucket.
    expect(rows.every((n) => n > 0)).toBe(true);
    const tabletId = p2.rows[0]?.[0] as string;
    expect(await t.rows(`SHOW TABLET ${tabletId}`)).toEqual([
      ['db', 'sales', 'p2', 'sales', expect.any(String), expect.any(String), expect.any(String), expect.any(String), 'true', 'SHOW TABLET FROM `db`.`sales`'],
    ]);
    expect((await t.fails('SHOW TABLET FROM sales PARTITION (nope)')).errno).toBe(1735);
  });

  it('SHOW TABLES [FULL] [LIKE], DESC / SHOW COLUMNS for tables and views', async () => {
    await t.exec('CREATE VIEW big_sales AS SELECT d, id, amount * 100 AS cents FROM sales WHERE amount > 1.5');
    expect(await t.rows('SHOW TABLES')).toEqual([['big_sales'], ['sales']]);
    expect(await t.rows('SHOW FULL TABLES')).toEqual([['big_sales', 'VIEW'], ['sales', 'BASE TABLE']]);
    expect(await t.rows("SHOW TABLES LIKE 'sa%'")).toEqual([['sales']]);
    expect((await t.result('SHOW TABLES FROM db')).columns).toEqual(['Tables_in_db']);
    expect(await t.rows('DESC sales')).toEqual([
      ['d', 'date', 'YES', 'true', null, ''],
      ['id', 'int(11)', 'YES', 'true', null, ''],
      ['amount', 'decimal(10, 2)', 'YES', 'false', null, ''],
    ]);
    expect((await t.result('SHOW COLUMNS FROM sales')).columns).toEqual(['Field', 'Type', 'Null', 'Key', 'Default', 'Extra']);
    expect((await t.rows('DESC big_sales')).map((r) => r[0])).toEqual(['d', 'id', 'cents']);
    expect((await t.fails('DESC nope')).errno).toBe(1146);
  });

  it('views: SELECT through a view, filters and aggregates on top, SHOW CREATE VIEW, OR REPLACE, errors', async () => {
    expect(await t.rows('SELECT COUNT(*), SUM(cents) FROM big_sales')).toEqual([['1', '200.00']]);
    await t.exec('CREATE VIEW v_ids (n COMMENT "the id") AS SELECT id FROM sales WHERE id <= 3');
    expect(await t.rows('SELECT n FROM v_ids ORDER BY n')).toEqual([['1'], ['2'], ['3']]);
    expect(await t.rows('SELECT MAX(n) FROM v_ids WHERE n < 3')).toEqual([['2']]);
    const create = await t.result('SHOW CREATE VIEW v_ids');
    expect(create.columns).toEqual(['View', 'Create View', 'character_set_client', 'collation_connection']);
    expect(create.rows[0]?.[1]).toContain('AS SELECT id FROM sales WHERE id <= 3');
    // A view of a view, resolved in the view's own database whatever the session's current one is.
    await t.exec('CREATE VIEW v2 AS SELECT n * 2 AS m FROM v_ids');
    await t.exec('CREATE DATABASE other');
    const s = t.engine.session({ database: 'other' });
    const r = await s.execute('SELECT SUM(m) FROM db.v2');
    expect(r.kind === 'rows' ? r.rows : r).toEqual([['12']]);
    s.close();
    let e = await t.fails('CREATE VIEW v_ids AS SELECT 1');
    expect(e.errno).toBe(1050);
    await t.exec('CREATE OR REPLACE VIEW v_ids AS SELECT id AS n FROM sales WHERE id = 1');
    expect(await t.rows('SELECT SUM(m) FROM v2')).toEqual([['2']]);
    e = await t.fails('CREATE OR REPLACE VIEW sales AS SELECT 1');
    expect(e.errno).toBe(1347);
    e = await t.fails('CREATE VIEW bad AS SELECT nope FROM sales');
    expect(e.errno).toBe(1054);
    e = await t.fails('CREATE VIEW bad2 AS SELECT 1 AS a, 2 AS a');
    expect(e.errno).toBe(1060);
    e = await t.fails('CREATE VIEW bad3 (a, b) AS SELECT 1');
    expect(e.message).toContain('number of columns');
    expect((await t.fails('SELECT * FROM v_ids PARTITION (p1)')).message).toContain('PARTITION can not be used on view');
  });

  it('DROP TABLE / DROP VIEW: kind checks, IF EXISTS, 1051; dropping a table a view reads breaks the view cleanly', async () => {
    await t.exec('CREATE TABLE gone (a INT); CREATE VIEW v_gone AS SELECT a FROM gone');
    let e = await t.fails('DROP TABLE v_gone');
    expect([e.errno, e.message]).toEqual([1347, "'db.v_gone' is a view; use DROP VIEW"]);
    // IF EXISTS leaves the view alone without an error, as MySQL and MariaDB (mariadb-dump writes it before every view).
    await t.exec('DROP TABLE IF EXISTS v_gone');
    expect(await t.rows("SHOW FULL TABLES LIKE 'v_gone'")).toEqual([['v_gone', 'VIEW']]);
    e = await t.fails('DROP VIEW gone');
    expect([e.errno, e.message]).toEqual([1347, "'db.gone' is not VIEW"]);
    await t.exec('DROP TABLE gone');
    expect((await t.fails('SELECT * FROM v_gone')).errno).toBe(1146);
    await t.exec('DROP VIEW v_gone');
    e = await t.fails('DROP TABLE gone');
    expect([e.errno, e.sqlState, e.message]).toEqual([1051, '42S02', "Unknown table 'db.gone'"]);
    await t.exec('DROP TABLE IF EXISTS gone');
    await t.exec('DROP VIEW IF EXISTS v_gone');
    expect(await t.rows("SHOW TABLES LIKE '%gone%'")).toEqual([]);
  });

  it('information_schema: SCHEMATA, TABLES (rows and bytes), COLUMNS, PARTITIONS, VIEWS', async () => {
    expect(await t.rows("SELECT SCHEMA_NAME FROM information_schema.schemata ORDER BY SCHEMA_NAME")).toEqual([['db'], ['information_schema'], ['other']]);
    const tables = await t.rows("SELECT TABLE_NAME, TABLE_TYPE, TABLE_ROWS FROM information_schema.tables WHERE TABLE_SCHEMA = 'db' ORDER BY TABLE_NAME");
    expect(tables).toContainEqual(['sales', 'BASE TABLE', '501']);
    // Views have no rows of their own: NULL, as in MySQL.
    expect(tables).toContainEqual(['big_sales', 'VIEW', null]);
    expect(await t.rows("SELECT COLUMN_NAME, ORDINAL_POSITION, DATA_TYPE, COLUMN_TYPE, COLUMN_KEY, NUMERIC_PRECISION, NUMERIC_SCALE FROM information_schema.columns WHERE TABLE_SCHEMA = 'db' AND TABLE_NAME = 'sales'")).toEqual([
      // A DUPLICATE KEY is a non-unique index: MUL on its first column, as MySQL marks one.
      ['d', '1', 'date', 'date', 'MUL', null, null],
      ['id', '2', 'int', 'int(11)', '', '10', '0'],
      ['amount', '3', 'decimal', 'decimal(10,2)', '', '10', '2'],
    ]);
    expect(await t.rows("SELECT PARTITION_NAME, PARTITION_METHOD, TABLE_ROWS FROM information_schema.partitions WHERE TABLE_NAME = 'sales' ORDER BY 1")).toEqual([
      ['p1', 'RANGE', '0'], ['p2', 'RANGE', '501'],
    ]);
    expect(await t.rows("SELECT TABLE_NAME FROM information_schema.views WHERE TABLE_SCHEMA = 'db' ORDER BY 1")).toEqual([['big_sales'], ['v2'], ['v_ids']]);
    await t.exec('USE information_schema');
    expect((await t.rows('SELECT COUNT(*) FROM engines'))[0]).toEqual(['1']);
    expect((await t.rows("SELECT ENGINE, TRANSACTIONS, SAVEPOINTS FROM engines"))[0]).toEqual(['StarRocks', 'YES', 'YES']);
    expect((await t.fails('SELECT * FROM information_schema.nope')).errno).toBe(1146);
    await t.exec('USE db');
  });
});
