/** CST → QueryStmt (SELECT blocks, set operations) and FromItem (tables, subqueries, joins). */
import type { CstNode, IToken } from 'chevrotain';
import type { FromItem, JoinType, OrderItem, QueryStmt, SelectItem, SelectStmt } from '../ast.ts';
import { child, has, nodes, optNode, optToken, token, tokens } from '../cst.ts';
import { identOrString, identifier, limit, orderBy, partitionNames, qualifiedName, VisitError } from './common.ts';
import { expr, functionArgs, functionName } from './expressions.ts';
import { sourceOf } from './source-text.ts';

type Limit = { readonly count: number; readonly offset: number };

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

function joinType(node: CstNode): JoinType {
  const written = optToken(node, 'joinType')?.tokenType.name;
  const semiAnti = optToken(node, 'semiAnti')?.tokenType.name;
  switch (written) {
    case undefined:
    case 'INNER':
      return 'INNER';
    case 'CROSS':
      return 'CROSS';
    case 'FULL':
      return 'FULL';
    default: {
      const side = written === 'LEFT' ? 'LEFT' : 'RIGHT';
      return semiAnti === undefined ? side : (`${side} ${semiAnti}` as JoinType);
    }
  }
}

function join(left: FromItem, node: CstNode): FromItem {
  const criteria = optNode(node, 'joinCriteria');
  const on = criteria === undefined ? undefined : optNode(criteria, 'on');
  const using = criteria === undefined ? [] : nodes(criteria, 'using').map(identifier);
  const hint = optNode(node, 'hint');
  return {
    kind: 'Join',
    type: joinType(node),
    left,
    right: fromItem(child(node, 'right')),
    ...(on === undefined ? {} : { on: expr(on) }),
    ...(using.length === 0 ? {} : { using }),
    ...(hint === undefined ? {} : { hint: identifier(hint).toUpperCase() }),
  };
}

function relation(node: CstNode): FromItem {
  return nodes(node, 'join').reduce(join, fromItem(child(node, 'primary')));
}

/** `a, b, c` → CROSS(CROSS(a, b), c). */
function relations(node: CstNode): FromItem {
  const items = nodes(node, 'relation').map(relation);
  return items.slice(1).reduce((left, right): FromItem => ({ kind: 'Join', type: 'CROSS', left, right }), items[0] as FromItem);
}

function fromItem(node: CstNode): FromItem {
  const subquery = optNode(node, 'subquery');
  if (subquery !== undefined) {
    const name = optNode(node, 'subqueryAlias');
    if (name === undefined) throw new VisitError(token(node, 'RParen'), 'Every derived table must have its own alias: write (SELECT …) AS name');
    return { kind: 'SubqueryRef', query: selectStatement(subquery), alias: identifier(name) };
  }
  const nested = optNode(node, 'nested');
  if (nested !== undefined) return relations(nested);
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

function selectBlock(node: CstNode): SelectStmt {
  const from = optNode(node, 'relations');
  const where = optNode(node, 'where');
  const having = optNode(node, 'having');
  const groupBy = optNode(node, 'groupByClause');
  return {
    kind: 'Select',
    distinct: has(node, 'DISTINCT'),
    items: nodes(node, 'item').map(selectItem),
    ...(from === undefined ? {} : { from: relations(from) }),
    ...(where === undefined ? {} : { where: expr(where) }),
    groupBy: groupBy === undefined ? [] : nodes(groupBy, 'item').map(expr),
    ...(having === undefined ? {} : { having: expr(having) }),
    orderBy: [],
  };
}

function queryPrimary(node: CstNode): QueryStmt {
  const block = optNode(node, 'block');
  return block === undefined ? selectStatement(child(node, 'nested')) : selectBlock(block);
}

/** Set operations of one level, folded left to right: `a op1 b op2 c` → op2(op1(a, b), c). */
function fold(operands: readonly QueryStmt[], operators: readonly IToken[], quantifiers: readonly (CstNode | undefined)[]): QueryStmt {
  let result = operands[0] as QueryStmt;
  operators.forEach((op, i) => {
    const quantifier = quantifiers[i];
    const name = op.tokenType.name;
    result = {
      kind: 'SetOperation',
      op: name === 'UNION' ? 'UNION' : name === 'INTERSECT' ? 'INTERSECT' : 'EXCEPT',
      distinct: quantifier === undefined || !has(quantifier, 'ALL'),
      left: result,
      right: operands[i + 1] as QueryStmt,
      orderBy: [],
    };
  });
  return result;
}

/**
 * The quantifier node that follows each operator. Chevrotain records OPTION children by label only, so which
 * operator a quantifier belongs to is read from token offsets.
 */
function quantifiersOf(node: CstNode, operators: readonly IToken[]): (CstNode | undefined)[] {
  const found = nodes(node, 'quantifier');
  return operators.map((op, i) => {
    const next = operators[i + 1]?.startOffset ?? Infinity;
    return found.find((q) => {
      const at = q.location?.startOffset ?? -1;
      return at > op.startOffset && at < next;
    });
  });
}

function queryTerm(node: CstNode): QueryStmt {
  const operators = tokens(node, 'setOp');
  return fold(nodes(node, 'primary').map(queryPrimary), operators, quantifiersOf(node, operators));
}

/** Attach a whole-query ORDER BY / LIMIT; a block that already has its own is wrapped as a derived table first. */
function withOrderAndLimit(query: QueryStmt, order: readonly OrderItem[], lim: Limit | undefined): QueryStmt {
  if (order.length === 0 && lim === undefined) return query;
  if (query.orderBy.length > 0 || query.limit !== undefined) {
    const wrapped: SelectStmt = {
      kind: 'Select',
      distinct: false,
      items: [{ kind: 'SelectStar' }],
      from: { kind: 'SubqueryRef', query, alias: '__parenthesized' },
      groupBy: [],
      orderBy: order,
      ...(lim === undefined ? {} : { limit: lim }),
    };
    return wrapped;
  }
  return { ...query, orderBy: order, ...(lim === undefined ? {} : { limit: lim }) };
}

/** A whole query: set operations (INTERSECT first), then ORDER BY / LIMIT over the result. */
export function selectStatement(node: CstNode): QueryStmt {
  const operators = tokens(node, 'setOp');
  const query = fold(nodes(node, 'term').map(queryTerm), operators, quantifiersOf(node, operators));
  return withOrderAndLimit(query, orderBy(optNode(node, 'orderByClause')), limit(optNode(node, 'limitClause')));
}
