import { describe, expect, it } from 'vitest';
import { parseStatement } from '../../grammar/index.ts';
import { bin, col, fn, num, one, select, str } from './helpers.ts';

describe('databases', () => {
  it('parses CREATE / DROP DATABASE and USE', () => {
    expect(one('CREATE DATABASE d')).toEqual({ kind: 'CreateDatabase', ifNotExists: false, name: 'd', properties: [] });
    expect(one('create schema if not exists `my db` PROPERTIES ("a" = "b")')).toEqual({
      kind: 'CreateDatabase',
      ifNotExists: true,
      name: 'my db',
      properties: [{ key: 'a', value: 'b' }],
    });
    expect(one('DROP DATABASE IF EXISTS d FORCE')).toEqual({ kind: 'DropDatabase', ifExists: true, name: 'd', force: true });
    expect(one('DROP SCHEMA d')).toEqual({ kind: 'DropDatabase', ifExists: false, name: 'd', force: false });
    expect(one('USE status')).toEqual({ kind: 'Use', database: 'status' });
  });
});

describe('CREATE TABLE', () => {
  it('parses the full StarRocks form', () => {
    const sql = `CREATE TABLE IF NOT EXISTS db.sales (
      id BIGINT NOT NULL AUTO_INCREMENT COMMENT 'row id',
      dt DATE,
      city VARCHAR(32) NULL DEFAULT 'x',
      amount DECIMAL64(18, 4) SUM DEFAULT "0",
      qty INTEGER MAX,
      flag BOOL REPLACE_IF_NOT_NULL,
      ts TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
      s TEXT REPLACE,
      c CHAR(2) MIN,
      t TINYINT, sm SMALLINT, li LARGEINT, f FLOAT, d DOUBLE, dec32 DECIMAL32(9), str STRING, dtm DATETIME, b BOOLEAN,
      e INT DEFAULT (1 + 2),
      n INT DEFAULT -1
    ) ENGINE = olap
    AGGREGATE KEY (id, dt)
    COMMENT 'sales facts'
    PARTITION BY RANGE (dt) (
      PARTITION p1 VALUES LESS THAN ("2024-01-01"),
      PARTITION p2 VALUES [("2024-01-01"), ("2024-02-01")),
      START ("2024-02-01") END ("2024-03-01") EVERY (INTERVAL 1 DAY),
      START ("1") END ("10") EVERY (3),
      PARTITION p9 VALUES LESS THAN MAXVALUE ("storage_medium" = "SSD")
    )
    DISTRIBUTED BY HASH (id) BUCKETS 8
    ORDER BY (dt, id)
    PROPERTIES ("replication_num" = "1", 'storage_medium' = 'HDD')`;
    const t = (name: string, extra: object = {}) => ({ kind: 'DataType', name, ...extra });
    expect(one(sql)).toEqual({
      kind: 'CreateTable',
      ifNotExists: true,
      name: { db: 'db', name: 'sales' },
      columns: [
        { name: 'id', type: t('BIGINT'), nullable: false, autoIncrement: true, comment: 'row id' },
        { name: 'dt', type: t('DATE'), autoIncrement: false },
        { name: 'city', type: t('VARCHAR', { length: 32 }), nullable: true, default: str('x'), autoIncrement: false },
        { name: 'amount', type: t('DECIMAL', { precision: 18, scale: 4 }), aggregate: 'SUM', default: str('0'), autoIncrement: false },
        { name: 'qty', type: t('INT'), aggregate: 'MAX', autoIncrement: false },
        { name: 'flag', type: t('BOOLEAN'), aggregate: 'REPLACE_IF_NOT_NULL', autoIncrement: false },
        { name: 'ts', type: t('DATETIME'), default: fn('current_timestamp'), autoIncrement: false },
        { name: 's', type: t('STRING'), aggregate: 'REPLACE', autoIncrement: false },
        { name: 'c', type: t('CHAR', { length: 2 }), aggregate: 'MIN', autoIncrement: false },
        { name: 't', type: t('TINYINT'), autoIncrement: false },
        { name: 'sm', type: t('SMALLINT'), autoIncrement: false },
        { name: 'li', type: t('LARGEINT'), autoIncrement: false },
        { name: 'f', type: t('FLOAT'), autoIncrement: false },
        { name: 'd', type: t('DOUBLE'), autoIncrement: false },
        { name: 'dec32', type: t('DECIMAL', { precision: 9 }), autoIncrement: false },
        { name: 'str', type: t('STRING'), autoIncrement: false },
        { name: 'dtm', type: t('DATETIME'), autoIncrement: false },
        { name: 'b', type: t('BOOLEAN'), autoIncrement: false },
        { name: 'e', type: t('INT'), default: bin('+', num('1'), num('2')), autoIncrement: false },
        { name: 'n', type: t('INT'), default: { kind: 'Unary', op: '-', operand: num('1') }, autoIncrement: false },
      ],
      engine: 'OLAP',
      keys: { model: 'AGGREGATE', columns: ['id', 'dt'] },
      comment: 'sales facts',
      partition: {
        kind: 'RangePartitionDesc',
        columns: ['dt'],
        partitions: [
          { kind: 'LessThanPartition', name: 'p1', ifNotExists: false, upper: [{ kind: 'PartitionLiteral', value: '2024-01-01' }], properties: [] },
          {
            kind: 'FixedRangePartition',
            name: 'p2',
            ifNotExists: false,
            lower: [{ kind: 'PartitionLiteral', value: '2024-01-01' }],
            upper: [{ kind: 'PartitionLiteral', value: '2024-02-01' }],
            properties: [],
          },
          { kind: 'BatchRangePartition', start: '2024-02-01', end: '2024-03-01', every: { value: 1, unit: 'DAY' } },
          { kind: 'BatchRangePartition', start: '1', end: '10', every: { value: 3 } },
          { kind: 'LessThanPartition', name: 'p9', ifNotExists: false, upper: [{ kind: 'MaxValue' }], properties: [{ key: 'storage_medium', value: 'SSD' }] },
        ],
      },
      distribution: { kind: 'HashDistribution', columns: ['id'], buckets: 8 },
      orderBy: ['dt', 'id'],
      properties: [
        { key: 'replication_num', value: '1' },
        { key: 'storage_medium', value: 'HDD' },
      ],
    });
  });

  it('parses LIST partitions, bare numbers and RANDOM distribution', () => {
    expect(
      one(`CREATE TABLE t (k INT, city STRING, n INT) DUPLICATE KEY(k)
           PARTITION BY LIST (city, n) (PARTITION pa VALUES IN (("a", "1"), ("b", 2)), PARTITION pb VALUES IN ("c", -3))
           DISTRIBUTED BY RANDOM`),
    ).toMatchObject({
      keys: { model: 'DUPLICATE', columns: ['k'] },
      partition: {
        kind: 'ListPartitionDesc',
        columns: ['city', 'n'],
        partitions: [
          { kind: 'ListPartition', name: 'pa', ifNotExists: false, values: [['a', '1'], ['b', '2']], properties: [] },
          { kind: 'ListPartition', name: 'pb', ifNotExists: false, values: [['c'], ['-3']], properties: [] },
        ],
      },
      distribution: { kind: 'RandomDistribution' },
    });
    expect(one('CREATE TABLE t (k INT) PRIMARY KEY (k) DISTRIBUTED BY RANDOM BUCKETS 2')).toMatchObject({
      keys: { model: 'PRIMARY', columns: ['k'] },
      distribution: { kind: 'RandomDistribution', buckets: 2 },
    });
    expect(one('CREATE TABLE t (`date` DATE, status INT, type INT, comment STRING, value INT) UNIQUE KEY (`date`)')).toMatchObject({
      columns: [{ name: 'date' }, { name: 'status' }, { name: 'type' }, { name: 'comment' }, { name: 'value' }],
    });
  });

  it('rejects a LIST partition under RANGE and unknown types with 1064', () => {
    expect(() => parseStatement('CREATE TABLE t (a INT) PARTITION BY RANGE (a) (PARTITION p VALUES IN ("1"))')).toThrow(/VALUES LESS THAN/);
    expect(() => parseStatement('CREATE TABLE t (a WIDGET)')).toThrow(expect.objectContaining({ errno: 1064, line: 1, column: 19 }));
  });
});

describe('other table DDL', () => {
  it('parses DROP / TRUNCATE / ALTER TABLE', () => {
    expect(one('DROP TABLE IF EXISTS db.t FORCE')).toEqual({ kind: 'DropTable', ifExists: true, name: { db: 'db', name: 't' }, force: true });
    expect(one('DROP TABLE t')).toEqual({ kind: 'DropTable', ifExists: false, name: { name: 't' }, force: false });
    expect(one('TRUNCATE TABLE t PARTITION (p1, p2)')).toEqual({ kind: 'TruncateTable', name: { name: 't' }, partitions: { names: ['p1', 'p2'], temporary: false } });
    expect(one('TRUNCATE TABLE t')).toEqual({ kind: 'TruncateTable', name: { name: 't' } });
    expect(
      one(`ALTER TABLE t ADD PARTITION IF NOT EXISTS p3 VALUES LESS THAN ("2024-04-01") DISTRIBUTED BY HASH(k) BUCKETS 4,
           DROP TEMPORARY PARTITION IF EXISTS p1 FORCE, RENAME t2, SET ("a" = "b")`),
    ).toEqual({
      kind: 'AlterTable',
      name: { name: 't' },
      actions: [
        {
          kind: 'AddPartition',
          partition: { kind: 'LessThanPartition', name: 'p3', ifNotExists: true, upper: [{ kind: 'PartitionLiteral', value: '2024-04-01' }], properties: [] },
          distribution: { kind: 'HashDistribution', columns: ['k'], buckets: 4 },
          temporary: false,
        },
        { kind: 'DropPartition', name: 'p1', ifExists: true, force: true, temporary: true },
        { kind: 'RenameTable', newName: 't2' },
        { kind: 'SetProperties', properties: [{ key: 'a', value: 'b' }] },
      ],
    });
    expect(one("ALTER TABLE t ADD PARTITION p VALUES IN ('x')")).toMatchObject({ actions: [{ kind: 'AddPartition', partition: { kind: 'ListPartition', values: [['x']] } }] });
    expect(one('ALTER TABLE t DROP PARTITION p')).toMatchObject({ actions: [{ kind: 'DropPartition', name: 'p', ifExists: false, force: false, temporary: false }] });
  });

  it('parses CREATE / DROP VIEW keeping the exact query text', () => {
    const sql = "CREATE OR REPLACE VIEW IF NOT EXISTS db.v (a COMMENT 'first', b) COMMENT 'my view' AS SELECT x,  y FROM t WHERE x > 1 ;";
    expect(one(sql)).toEqual({
      kind: 'CreateView',
      ifNotExists: true,
      orReplace: true,
      name: { db: 'db', name: 'v' },
      columns: [{ name: 'a', comment: 'first' }, { name: 'b' }],
      comment: 'my view',
      query: select({
        items: [
          { kind: 'SelectExpr', expr: col('x') },
          { kind: 'SelectExpr', expr: col('y') },
        ],
        from: { kind: 'TableRef', name: { name: 't' } },
        where: bin('>', col('x'), num('1')),
      }),
      queryText: 'SELECT x,  y FROM t WHERE x > 1',
    });
    expect(one('CREATE VIEW v AS SELECT 1')).toMatchObject({ kind: 'CreateView', orReplace: false, ifNotExists: false, queryText: 'SELECT 1' });
    expect(one('DROP VIEW IF EXISTS v')).toEqual({ kind: 'DropView', ifExists: true, name: { name: 'v' } });
  });
});

describe('DML', () => {
  it('parses INSERT forms', () => {
    expect(one("INSERT INTO db.t PARTITION (p1) WITH LABEL l1 (a, b) VALUES (1, 'x'), (2, NULL)")).toEqual({
      kind: 'Insert',
      overwrite: false,
      table: { db: 'db', name: 't' },
      partitions: { names: ['p1'], temporary: false },
      label: 'l1',
      columns: ['a', 'b'],
      source: {
        kind: 'Values',
        rows: [
          [num('1'), str('x')],
          [num('2'), { kind: 'NullLiteral' }],
        ],
      },
    });
    expect(one('INSERT OVERWRITE t SELECT * FROM s')).toEqual({
      kind: 'Insert',
      overwrite: true,
      table: { name: 't' },
      source: { kind: 'Query', query: select({ items: [{ kind: 'SelectStar' }], from: { kind: 'TableRef', name: { name: 's' } } }) },
    });
    expect(one('INSERT INTO t TEMPORARY PARTITION (tp) VALUES ()')).toMatchObject({
      partitions: { names: ['tp'], temporary: true },
      source: { kind: 'Values', rows: [[]] },
    });
  });

  it('parses DELETE', () => {
    expect(one('DELETE FROM t PARTITION (p1) WHERE a = 1')).toEqual({
      kind: 'Delete',
      table: { name: 't' },
      partitions: { names: ['p1'], temporary: false },
      where: bin('=', col('a'), num('1')),
    });
    expect(one('DELETE FROM db.t')).toEqual({ kind: 'Delete', table: { db: 'db', name: 't' } });
  });
});
