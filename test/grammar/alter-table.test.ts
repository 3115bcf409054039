/**
 * Grammar of schema change, temporary partitions, SWAP, REPLACE PARTITION, UPDATE and SHOW ALTER TABLE COLUMN:
 * the AST each form gives, that the new words stay usable as names, and syntax errors with line and column.
 */
import { describe, expect, it } from 'vitest';
import { parseStatement } from '../../grammar/index.ts';
import { bin, col, num, str } from './helpers.ts';

const one = (sql: string): unknown => parseStatement(sql);
const actions = (sql: string): unknown => (parseStatement(sql) as { actions: unknown }).actions;
const int = { kind: 'DataType', name: 'INT' };

describe('ALTER TABLE schema change', () => {
  it('ADD COLUMN with DEFAULT, position, and the parenthesised list', () => {
    expect(actions("ALTER TABLE t ADD COLUMN c INT NOT NULL DEFAULT '0' COMMENT 'x' AFTER b")).toEqual([
      { kind: 'AddColumns', columns: [{ name: 'c', type: int, nullable: false, default: str('0'), autoIncrement: false, comment: 'x' }], position: { kind: 'After', column: 'b' } },
    ]);
    expect(actions('ALTER TABLE t ADD COLUMN c BIGINT SUM FIRST')).toEqual([
      { kind: 'AddColumns', columns: [{ name: 'c', type: { kind: 'DataType', name: 'BIGINT' }, aggregate: 'SUM', autoIncrement: false }], position: { kind: 'First' } },
    ]);
    expect(actions('ALTER TABLE t ADD COLUMN (a INT, b VARCHAR(3))')).toEqual([
      { kind: 'AddColumns', columns: [{ name: 'a', type: int, autoIncrement: false }, { name: 'b', type: { kind: 'DataType', name: 'VARCHAR', length: 3 }, autoIncrement: false }] },
    ]);
  });

  it('DROP / MODIFY / RENAME COLUMN, COMMENT, several clauses', () => {
    expect(actions('ALTER TABLE db.t DROP COLUMN c, MODIFY COLUMN v BIGINT NULL AFTER k, RENAME COLUMN a TO b, COMMENT = "hi"')).toEqual([
      { kind: 'DropColumn', name: 'c' },
      { kind: 'ModifyColumn', column: { name: 'v', type: { kind: 'DataType', name: 'BIGINT' }, nullable: true, autoIncrement: false }, position: { kind: 'After', column: 'k' } },
      { kind: 'RenameColumn', from: 'a', to: 'b' },
      { kind: 'SetComment', comment: 'hi' },
    ]);
    expect(actions("ALTER TABLE t COMMENT 'no equals'")).toEqual([{ kind: 'SetComment', comment: 'no equals' }]);
    // RENAME alone is still the table rename, even to a name spelled like the new words.
    expect(actions('ALTER TABLE t RENAME column')).toEqual([{ kind: 'RenameTable', newName: 'column' }]);
  });

  it('temporary partitions, REPLACE PARTITION, SWAP WITH, SET', () => {
    expect(actions("ALTER TABLE t ADD TEMPORARY PARTITION tp VALUES [('1'), ('5')), DROP TEMPORARY PARTITION IF EXISTS tq")).toEqual([
      {
        kind: 'AddPartition',
        partition: { kind: 'FixedRangePartition', name: 'tp', ifNotExists: false, lower: [{ kind: 'PartitionLiteral', value: '1' }], upper: [{ kind: 'PartitionLiteral', value: '5' }], properties: [] },
        temporary: true,
      },
      { kind: 'DropPartition', name: 'tq', ifExists: true, force: false, temporary: true },
    ]);
    expect(actions('ALTER TABLE t REPLACE PARTITION (p1, p2) WITH TEMPORARY PARTITION (tp1) PROPERTIES ("strict_range" = "false", "use_temp_partition_name" = "true")')).toEqual([
      {
        kind: 'ReplacePartition',
        partitions: { names: ['p1', 'p2'], temporary: false },
        with: { names: ['tp1'], temporary: true },
        properties: [{ key: 'strict_range', value: 'false' }, { key: 'use_temp_partition_name', value: 'true' }],
      },
    ]);
    expect(actions('ALTER TABLE t REPLACE PARTITION p1 WITH TEMPORARY PARTITION tp1')).toEqual([
      { kind: 'ReplacePartition', partitions: { names: ['p1'], temporary: false }, with: { names: ['tp1'], temporary: true }, properties: [] },
    ]);
    expect(actions('ALTER TABLE a SWAP WITH b')).toEqual([{ kind: 'SwapWith', table: 'b' }]);
    expect(actions('ALTER TABLE a SET ("replication_num" = "2")')).toEqual([{ kind: 'SetProperties', properties: [{ key: 'replication_num', value: '2' }] }]);
    const rn = [{ key: 'replication_num', value: '2' }];
    expect(actions('ALTER TABLE a MODIFY PARTITION p1 SET ("replication_num" = "2")')).toEqual([{ kind: 'ModifyPartition', partitions: ['p1'], properties: rn }]);
    expect(actions('ALTER TABLE a MODIFY PARTITION (p1, `p 2`) SET ("replication_num" = "2")')).toEqual([{ kind: 'ModifyPartition', partitions: ['p1', 'p 2'], properties: rn }]);
    expect(actions('ALTER TABLE a MODIFY PARTITION (*) SET ("replication_num" = "2")')).toEqual([{ kind: 'ModifyPartition', partitions: '*', properties: rn }]);
  });

  it('INSERT and SELECT name temporary partitions', () => {
    expect(one('INSERT INTO t TEMPORARY PARTITION (tp) VALUES (1)')).toMatchObject({ kind: 'Insert', partitions: { names: ['tp'], temporary: true } });
    expect(one('SELECT * FROM t TEMPORARY PARTITION (tp1, tp2)')).toMatchObject({ from: { kind: 'TableRef', partitions: { names: ['tp1', 'tp2'], temporary: true } } });
    expect(one('SHOW TEMPORARY PARTITIONS FROM t')).toMatchObject({ kind: 'ShowPartitions', temporary: true });
  });

  it('syntax errors say where', () => {
    expect(() => parseStatement('ALTER TABLE t ADD COLUMN')).toThrow(expect.objectContaining({ errno: 1064, line: 1 }));
    expect(() => parseStatement('ALTER TABLE t MODIFY c INT')).toThrow(expect.objectContaining({ errno: 1064, line: 1, column: 22 }));
    expect(() => parseStatement('ALTER TABLE t RENAME COLUMN a b')).toThrow(expect.objectContaining({ errno: 1064 }));
    expect(() => parseStatement('ALTER TABLE t MODIFY PARTITION p1 ("replication_num" = "2")')).toThrow(expect.objectContaining({ errno: 1064, column: 35 }));
    expect(() => parseStatement('ALTER TABLE t MODIFY PARTITION () SET ("replication_num" = "2")')).toThrow(expect.objectContaining({ errno: 1064 }));
    expect(() => parseStatement('ALTER TABLE t SWAP b')).toThrow(expect.objectContaining({ errno: 1064, column: 20 }));
    expect(() => parseStatement('ALTER TABLE t REPLACE PARTITION (p) TEMPORARY PARTITION (tp)')).toThrow(expect.objectContaining({ errno: 1064 }));
    expect(() => parseStatement('UPDATE t SET WHERE a = 1')).toThrow(expect.objectContaining({ errno: 1064 }));
    expect(() => parseStatement('SHOW ALTER TABLE ROLLUP')).toThrow(expect.objectContaining({ errno: 1064 }));
  });
});

describe('UPDATE and SHOW ALTER TABLE COLUMN', () => {
  it('UPDATE t SET … [WHERE …]', () => {
    expect(one('UPDATE db.t SET v = v + 1, s = "x" WHERE k = 1')).toEqual({
      kind: 'Update',
      table: { db: 'db', name: 't' },
      assignments: [{ column: 'v', value: bin('+', col('v'), num('1')) }, { column: 's', value: str('x') }],
      where: bin('=', col('k'), num('1')),
    });
    expect(one('UPDATE t SET v = 1')).toEqual({ kind: 'Update', table: { name: 't' }, assignments: [{ column: 'v', value: num('1') }] });
  });

  it('SHOW ALTER TABLE COLUMN [FROM db] [WHERE …] [ORDER BY …] [LIMIT …]', () => {
    expect(one('SHOW ALTER TABLE COLUMN')).toEqual({ kind: 'ShowAlterTable', orderBy: [] });
    expect(one("SHOW ALTER TABLE COLUMN FROM db WHERE TableName = 't' ORDER BY CreateTime DESC LIMIT 1")).toEqual({
      kind: 'ShowAlterTable',
      database: 'db',
      where: bin('=', col('TableName'), str('t')),
      orderBy: [{ expr: col('CreateTime'), descending: true }],
      limit: { count: 1, offset: 0 },
    });
  });

  it('the new words stay usable as names', () => {
    expect(one('SELECT update, column, swap, modify, after FROM t')).toMatchObject({ kind: 'Select' });
    expect(one('CREATE TABLE update (column INT, after INT)')).toMatchObject({ kind: 'CreateTable', name: { name: 'update' } });
  });
});
