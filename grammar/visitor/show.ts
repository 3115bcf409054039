/** CST → SHOW (table and database inspection) and DESC; the SHOW dispatcher is in statement.ts. */
import type { CstNode } from 'chevrotain';
import type { DescribeStmt, ShowCreateStmt, ShowDatabasesStmt, ShowPartitionsStmt, ShowTablesStmt, ShowTabletStmt } from '../ast.ts';
import { child, has, optNode, optToken, token } from '../cst.ts';
import { identifier, integer, partitionNames, qualifiedName, showPredicates, stringLiteral, withFilter } from './common.ts';

export function showDatabases(node: CstNode): ShowDatabasesStmt {
  return { kind: 'ShowDatabases', ...withFilter(node) };
}

export function showTables(node: CstNode): ShowTablesStmt {
  const db = optNode(node, 'database');
  return { kind: 'ShowTables', full: has(node, 'FULL'), ...(db === undefined ? {} : { database: identifier(db) }), ...withFilter(node) };
}

export function showCreate(node: CstNode): ShowCreateStmt {
  const object = token(node, 'object').tokenType.name;
  return { kind: 'ShowCreate', object: object === 'SCHEMA' ? 'DATABASE' : (object as ShowCreateStmt['object']), name: qualifiedName(child(node, 'name')) };
}

/** `SHOW [FULL] COLUMNS FROM t [FROM db]`: the second FROM names the database. */
export function showColumns(node: CstNode): DescribeStmt {
  const table = qualifiedName(child(node, 'table'));
  const db = optNode(node, 'database');
  return {
    kind: 'Describe',
    table: db === undefined ? table : { db: identifier(db), name: table.name },
    all: false,
    showColumns: true,
    full: has(node, 'FULL'),
    ...withFilter(node),
  };
}

export function describe(node: CstNode): DescribeStmt {
  const table = qualifiedName(child(node, 'table'));
  // MySQL's `DESCRIBE t col` / `DESCRIBE t 'pattern'` is SHOW COLUMNS FROM t LIKE 'pattern'.
  const column = optNode(node, 'column');
  const pattern = optNode(node, 'columnPattern');
  if (column !== undefined || pattern !== undefined) {
    const like = column !== undefined ? identifier(column) : stringLiteral(pattern as CstNode);
    return { kind: 'Describe', table, all: false, showColumns: true, full: false, filter: { kind: 'Like', pattern: like } };
  }
  return { kind: 'Describe', table, all: has(node, 'ALL'), showColumns: false, full: false };
}

export function showPartitions(node: CstNode): ShowPartitionsStmt {
  return { kind: 'ShowPartitions', table: qualifiedName(child(node, 'table')), temporary: has(node, 'TEMPORARY'), ...showPredicates(child(node, 'showPredicates')) };
}

export function showTablet(node: CstNode): ShowTabletStmt {
  const id = optToken(node, 'tabletId');
  if (id !== undefined) return { kind: 'ShowTablet', tabletId: integer(id) };
  const partitions = partitionNames(optNode(node, 'partitionNames'));
  return { kind: 'ShowTablet', table: qualifiedName(child(node, 'table')), ...(partitions === undefined ? {} : { partitions }) };
}
