import type { JobRow } from '../../src/catalog/jobs-types.ts';
import type { BackupFixture } from './backup-fixture.ts';

/**
 * The RESTORE suites' database: every key model, range and list partitions, a view, NULLs and every column type,
 * ROWS rows in total, generated with INSERT … SELECT FROM TABLE(generate_series(…)).
 */

export const DATASET_ROWS = { events: 60_000, accounts: 20_000, regions: 12_000, totals: 10_000 } as const;
export const DATASET_TOTAL = Object.values(DATASET_ROWS).reduce((a, b) => a + b, 0);

/** Tables of the dataset with the ORDER BY that makes their full SELECT deterministic. */
export const DATASET_TABLES: Readonly<Record<string, string>> = {
  events: 'id',
  accounts: 'k',
  regions: 'region, id',
  totals: 'k',
  v_totals: 'k',
};

export async function seedDataset(f: BackupFixture, db: string): Promise<void> {
  const { events, accounts, regions, totals } = DATASET_ROWS;
  const statements = [
    `CREATE DATABASE ${db}`,
    `CREATE TABLE ${db}.events (
       d DATE NOT NULL, id BIGINT NOT NULL, flag BOOLEAN, ti TINYINT, si SMALLINT, i INT, li LARGEINT, f FLOAT,
       dbl DOUBLE, amount DECIMAL(18, 4), c CHAR(8), vc VARCHAR(32), s STRING, dt DATETIME
     ) DUPLICATE KEY(d, id)
     PARTITION BY RANGE(d) (PARTITION p2024 VALUES LESS THAN ('2025-01-01'), PARTITION p2025 VALUES LESS THAN ('2026-01-01'),
       PARTITION pmax VALUES LESS THAN (MAXVALUE))
     DISTRIBUTED BY HASH(id) BUCKETS 4 PROPERTIES ("replication_num" = "2")`,
    `INSERT INTO ${db}.events SELECT date_add('2024-01-01', generate_series % 900), generate_series, generate_series % 3 = 0,
       generate_series % 100, generate_series % 30000, if(generate_series % 7 = 0, NULL, generate_series),
       generate_series * 1000000007, generate_series / 8, generate_series / 7, generate_series / 9,
       concat('c', generate_series % 1000), if(generate_series % 11 = 0, NULL, concat('vc-', generate_series)),
       repeat('s', generate_series % 5), date_add('2024-01-01 00:00:00', generate_series % 5000)
     FROM TABLE(generate_series(1, ${events}))`,
    `CREATE TABLE ${db}.accounts (k INT NOT NULL, name VARCHAR(40), balance DECIMAL(20, 2), updated DATETIME)
     PRIMARY KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 3 PROPERTIES ("replication_num" = "3")`,
    `INSERT INTO ${db}.accounts SELECT generate_series, concat('acct', generate_series), generate_series * 1.5, '2024-05-01 10:00:00'
     FROM TABLE(generate_series(1, ${accounts}))`,
    `INSERT INTO ${db}.accounts SELECT generate_series, NULL, generate_series * -1, NULL FROM TABLE(generate_series(1, ${accounts}, 10))`,
    `CREATE TABLE ${db}.regions (region VARCHAR(10) NOT NULL, id INT NOT NULL, score DOUBLE)
     UNIQUE KEY(region, id)
     PARTITION BY LIST(region) (PARTITION p_east VALUES IN ('east'), PARTITION p_west VALUES IN ('west'),
       PARTITION p_other VALUES IN ('north', 'south'))
     DISTRIBUTED BY HASH(id) BUCKETS 2 PROPERTIES ("replication_num" = "1")`,
    `INSERT INTO ${db}.regions SELECT if(generate_series % 4 = 0, 'east', if(generate_series % 4 = 1, 'west', if(generate_series % 4 = 2, 'north', 'south'))),
       generate_series, if(generate_series % 13 = 0, NULL, generate_series / 3) FROM TABLE(generate_series(1, ${regions}))`,
    `CREATE TABLE ${db}.totals (k INT NOT NULL, total BIGINT SUM, lo INT MIN, hi INT MAX, last_note VARCHAR(20) REPLACE)
     AGGREGATE KEY(k)
     PARTITION BY RANGE(k) (PARTITION t1 VALUES LESS THAN ('500'), PARTITION t2 VALUES LESS THAN ('1000'))
     DISTRIBUTED BY HASH(k) BUCKETS 2 PROPERTIES ("replication_num" = "1")`,
    `INSERT INTO ${db}.totals SELECT generate_series % 1000, generate_series, generate_series, generate_series, concat('n', generate_series)
     FROM TABLE(generate_series(1, ${totals}))`,
    `CREATE VIEW ${db}.v_totals AS SELECT k, total, hi - lo AS spread FROM ${db}.totals WHERE k < 100`,
  ];
  for (const sql of statements) await f.exec(sql);
}

/** Full ordered contents of every dataset table and the view. */
export async function datasetContents(f: BackupFixture, db: string, tables: readonly string[] = Object.keys(DATASET_TABLES)): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const t of tables) {
    const rows = await f.rows(`SELECT * FROM ${db}.${t} ORDER BY ${DATASET_TABLES[t] ?? '1'}`);
    out[t] = rows.map((r) => r.map((v) => (v === null ? '\\N' : v)).join('\t'));
  }
  return out;
}

/** Per-partition row counts (SHOW PARTITIONS' RowCount) of an OLAP table. */
export async function partitionRowCounts(f: BackupFixture, db: string, table: string): Promise<Record<string, string>> {
  const r = await f.session.execute(`SHOW PARTITIONS FROM ${db}.${table}`);
  if (r.kind !== 'rows') throw new Error('SHOW PARTITIONS returned OK');
  const name = r.columns.indexOf('PartitionName');
  const count = r.columns.indexOf('RowCount');
  return Object.fromEntries(r.rows.map((row) => [row[name] ?? '', row[count] ?? '']));
}

/** Run a BACKUP / RESTORE statement and wait for its job to finish or be cancelled. */
export async function runToEnd(f: BackupFixture, sql: string): Promise<JobRow> {
  const r = await f.exec(sql);
  if (r.kind !== 'ok' || r.message === undefined) throw new Error(`${sql} did not submit a job`);
  const id = Number(/job (\d+)/.exec(r.message)?.[1]);
  return f.engine.jobs.waitForJob(id);
}
