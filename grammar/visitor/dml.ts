/** CST → INSERT / DELETE / UPDATE. */
import type { CstNode } from 'chevrotain';
import type { DeleteStmt, InsertStmt, UpdateStmt } from '../ast.ts';
import { child, has, nodes, optNode } from '../cst.ts';
import { identifier, partitionNames, qualifiedName } from './common.ts';
import { expr } from './expressions.ts';
import { selectStatement } from './select.ts';

export function insert(node: CstNode): InsertStmt {
  const partitions = partitionNames(optNode(node, 'partitionNames'));
  const label = optNode(node, 'label');
  const columns = optNode(node, 'columns');
  const query = optNode(node, 'query');
  return {
    kind: 'Insert',
    overwrite: has(node, 'OVERWRITE'),
    table: qualifiedName(child(node, 'table')),
    ...(partitions === undefined ? {} : { partitions }),
    ...(label === undefined ? {} : { label: identifier(label) }),
    ...(columns === undefined ? {} : { columns: nodes(columns, 'item').map(identifier) }),
    source:
      query === undefined
        ? { kind: 'Values', rows: nodes(node, 'row').map((row) => nodes(row, 'value').map(expr)) }
        : { kind: 'Query', query: selectStatement(query) },
  };
}

export function deleteFrom(node: CstNode): DeleteStmt {
  const partitions = partitionNames(optNode(node, 'partitionNames'));
  const where = optNode(node, 'where');
  return {
    kind: 'Delete',
    table: qualifiedName(child(node, 'table')),
    ...(partitions === undefined ? {} : { partitions }),
    ...(where === undefined ? {} : { where: expr(where) }),
  };
}

export function update(node: CstNode): UpdateStmt {
  const where = optNode(node, 'where');
  return {
    kind: 'Update',
    table: qualifiedName(child(node, 'table')),
    assignments: nodes(node, 'assignment').map((a) => ({ column: identifier(child(a, 'column')), value: expr(child(a, 'value')) })),
    ...(where === undefined ? {} : { where: expr(where) }),
  };
}
