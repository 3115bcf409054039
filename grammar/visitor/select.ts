/** CST → SelectStmt. */
import type { CstNode } from 'chevrotain';
import type { FromItem, SelectItem, SelectStmt } from '../ast.ts';
import { child, has, nodes, optNode } from '../cst.ts';
import { identOrString, identifier, limit, orderBy, partitionNames, qualifiedName } from './common.ts';
import { expr, functionArgs, functionName } from './expressions.ts';
import { sourceOf } from './source-text.ts';

function alias(node: CstNode | undefined): { readonly alias?: string } {
  if (node === undefined) return {};
  const name = child(node, 'name');
  return { alias: name.name === 'identifier' ? identifier(name) : identOrString(name) };
}

function selectItem(node: CstNode): SelectItem {
  const table = optNode(node, 'table');
  if (table !== undefined) return { kind: 'SelectStar', table: identifier(table) };
  if (has(node, 'Star')) return { kind: 'SelectStar' };
  const expression = child(node, 'expression');
  const text = sourceOf(expression);
  return { kind: 'SelectExpr', expr: expr(expression), ...alias(optNode(node, 'alias')), ...(text === undefined ? {} : { text }) };
}

function fromItem(node: CstNode): FromItem {
  const subquery = optNode(node, 'subquery');
  if (subquery !== undefined) return { kind: 'SubqueryRef', query: selectStatement(subquery), alias: identifier(child(node, 'subqueryAlias')) };
  const fn = optNode(node, 'functionName');
  if (fn !== undefined) {
    const { args } = functionArgs(child(node, 'functionArgs'));
    return { kind: 'TableFunctionRef', name: functionName(fn), args, ...alias(optNode(node, 'alias')) };
  }
  const partitions = partitionNames(optNode(node, 'partitionNames'));
  return {
    kind: 'TableRef',
    name: qualifiedName(child(node, 'table')),
    ...(partitions === undefined ? {} : { partitions }),
    ...alias(optNode(node, 'alias')),
  };
}

export function selectStatement(node: CstNode): SelectStmt {
  const from = optNode(node, 'fromItem');
  const where = optNode(node, 'where');
  const having = optNode(node, 'having');
  const groupBy = optNode(node, 'groupByClause');
  const limitValue = limit(optNode(node, 'limitClause'));
  return {
    kind: 'Select',
    distinct: has(node, 'DISTINCT'),
    items: nodes(node, 'item').map(selectItem),
    ...(from === undefined ? {} : { from: fromItem(from) }),
    ...(where === undefined ? {} : { where: expr(where) }),
    groupBy: groupBy === undefined ? [] : nodes(groupBy, 'item').map(expr),
    ...(having === undefined ? {} : { having: expr(having) }),
    orderBy: orderBy(optNode(node, 'orderByClause')),
    ...(limitValue === undefined ? {} : { limit: limitValue }),
  };
}
