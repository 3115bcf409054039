/** CST → database, table and view DDL statements. */
import type { CstNode, IToken } from 'chevrotain';
import type {
  AggregateFunctionName,
  AlterTableAction,
  AlterTableStmt,
  AlterViewStmt,
  BatchRangePartitionDef,
  ColumnDef,
  ColumnPosition,
  CreateDatabaseStmt,
  CreateTableStmt,
  CreateViewStmt,
  DistributionDesc,
  DropDatabaseStmt,
  DropTableStmt,
  DropViewStmt,
  IntervalExpr,
  KeyModel,
  ListPartitionDef,
  PartitionDesc,
  PartitionValue,
  RangePartitionItem,
  ShowAlterTableStmt,
  TruncateTableStmt,
  UseStmt,
} from '../ast.ts';
import { child, firstToken, has, nodes, optNode, optToken, token } from '../cst.ts';
import { dataType, identifier, identOrString, integer, partitionNames, properties, qualifiedName, showPredicates, stringLiteral, VisitError } from './common.ts';
import { expr } from './expressions.ts';
import { selectStatement } from './select.ts';

export function createDatabase(node: CstNode): CreateDatabaseStmt {
  return { kind: 'CreateDatabase', ifNotExists: has(node, 'ifNotExists'), name: identifier(child(node, 'name')), properties: properties(optNode(node, 'properties')) };
}

export function dropDatabase(node: CstNode): DropDatabaseStmt {
  return { kind: 'DropDatabase', ifExists: has(node, 'ifExists'), name: identifier(child(node, 'name')), force: has(node, 'FORCE') };
}

export function use(node: CstNode): UseStmt {
  return { kind: 'Use', database: identifier(child(node, 'name')) };
}

function columnDef(node: CstNode): ColumnDef {
  let aggregate: AggregateFunctionName | undefined;
  let nullable: boolean | undefined;
  let defaultValue: ColumnDef['default'];
  let autoIncrement = false;
  let comment: string | undefined;
  for (const option of nodes(node, 'option')) {
    const agg = optToken(option, 'aggregate');
    if (agg !== undefined) aggregate = agg.tokenType.name as AggregateFunctionName;
    else if (has(option, 'NOT')) nullable = false;
    else if (has(option, 'NULL')) nullable = true;
    else if (has(option, 'DEFAULT')) defaultValue = expr(child(option, 'default'));
    else if (has(option, 'AUTO_INCREMENT')) autoIncrement = true;
    else comment = stringLiteral(child(option, 'comment'));
  }
  return {
    name: identifier(child(node, 'name')),
    type: dataType(child(node, 'dataType')),
    ...(aggregate === undefined ? {} : { aggregate }),
    ...(nullable === undefined ? {} : { nullable }),
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
    autoIncrement,
    ...(comment === undefined ? {} : { comment }),
  };
}

function partitionValue(node: CstNode): PartitionValue {
  if (has(node, 'MAXVALUE')) return { kind: 'MaxValue' };
  const str = optNode(node, 'stringLiteral');
  if (str !== undefined) return { kind: 'PartitionLiteral', value: stringLiteral(str) };
  return { kind: 'PartitionLiteral', value: (has(node, 'Minus') ? '-' : '') + token(node, 'NumberLiteral').image };
}

function tuple(node: CstNode): readonly PartitionValue[] {
  return nodes(node, 'value').map(partitionValue);
}

function literalText(value: PartitionValue, at: IToken | undefined): string {
  if (value.kind === 'PartitionLiteral') return value.value;
  if (at === undefined) throw new Error('grammar/visitor mismatch: MAXVALUE without token');
  throw new VisitError(at, 'MAXVALUE is only allowed as a range upper bound');
}

/** One `PARTITION p VALUES …` definition, range or list. */
function partitionDef(node: CstNode): RangePartitionItem | ListPartitionDef {
  const common = { name: identifier(child(node, 'name')), ifNotExists: has(node, 'ifNotExists'), properties: properties(optNode(node, 'propertyList')) };
  if (has(node, 'IN')) {
    const values = nodes(node, 'inItem').map((item) =>
      (item.name === 'partitionTuple' ? tuple(item) : [partitionValue(item)]).map((v) => literalText(v, firstToken(item))),
    );
    return { kind: 'ListPartition', ...common, values };
  }
  const upper = has(node, 'LESS') && has(node, 'MAXVALUE') ? [{ kind: 'MaxValue' } as const] : tuple(child(node, 'upper'));
  const lower = optNode(node, 'lower');
  if (lower !== undefined) return { kind: 'FixedRangePartition', ...common, lower: tuple(lower), upper };
  return { kind: 'LessThanPartition', ...common, upper };
}

function batchPartition(node: CstNode): BatchRangePartitionDef {
  const unit = optToken(node, 'unit');
  const at = firstToken(node);
  return {
    kind: 'BatchRangePartition',
    start: literalText(partitionValue(child(node, 'start')), at),
    end: literalText(partitionValue(child(node, 'end')), at),
    every: { value: integer(token(node, 'every')), ...(unit === undefined ? {} : { unit: unit.tokenType.name as IntervalExpr['unit'] }) },
  };
}

function partitionDesc(node: CstNode): PartitionDesc {
  const columns = nodes(child(node, 'columns'), 'item').map(identifier);
  const isList = token(node, 'method').tokenType.name === 'LIST';
  const items = nodes(node, 'item');
  if (isList) {
    const partitions = items.map((item) => {
      const def = item.name === 'partitionDef' ? partitionDef(item) : undefined;
      if (def?.kind !== 'ListPartition') throw new VisitError(firstToken(item) as IToken, 'PARTITION BY LIST takes only VALUES IN (…) partitions');
      return def;
    });
    return { kind: 'ListPartitionDesc', columns, partitions };
  }
  const partitions = items.map((item): RangePartitionItem => {
    if (item.name === 'batchPartitionDef') return batchPartition(item);
    const def = partitionDef(item);
    if (def.kind === 'ListPartition') throw new VisitError(firstToken(item) as IToken, 'PARTITION BY RANGE takes VALUES LESS THAN or VALUES [ … ) partitions, not VALUES IN');
    return def;
  });
  return { kind: 'RangePartitionDesc', columns, partitions };
}

function distribution(node: CstNode): DistributionDesc {
  const bucketsToken = optToken(node, 'buckets');
  const buckets = bucketsToken === undefined ? {} : { buckets: integer(bucketsToken) };
  if (has(node, 'RANDOM')) return { kind: 'RandomDistribution', ...buckets };
  return { kind: 'HashDistribution', columns: nodes(child(node, 'columns'), 'item').map(identifier), ...buckets };
}

export function createTable(node: CstNode): CreateTableStmt {
  const engine = optNode(node, 'engine');
  const keys = optNode(node, 'keysDesc');
  const comment = optNode(node, 'comment');
  const partition = optNode(node, 'partitionDesc');
  const dist = optNode(node, 'distributionDesc');
  const order = optNode(node, 'orderBy');
  return {
    kind: 'CreateTable',
    ifNotExists: has(node, 'ifNotExists'),
    name: qualifiedName(child(node, 'name')),
    columns: nodes(node, 'column').map(columnDef),
    ...(engine === undefined ? {} : { engine: identifier(engine).toUpperCase() }),
    ...(keys === undefined
      ? {}
      : { keys: { model: token(keys, 'model').tokenType.name as KeyModel, columns: nodes(child(keys, 'columns'), 'item').map(identifier) } }),
    ...(comment === undefined ? {} : { comment: stringLiteral(comment) }),
    ...(partition === undefined ? {} : { partition: partitionDesc(partition) }),
    ...(dist === undefined ? {} : { distribution: distribution(dist) }),
    ...(order === undefined ? {} : { orderBy: nodes(order, 'item').map(identifier) }),
    properties: properties(optNode(node, 'properties')),
  };
}

export function dropTable(node: CstNode): DropTableStmt {
  return { kind: 'DropTable', ifExists: has(node, 'ifExists'), name: qualifiedName(child(node, 'name')), force: has(node, 'FORCE') };
}

export function truncateTable(node: CstNode): TruncateTableStmt {
  const partitions = partitionNames(optNode(node, 'partitionNames'));
  return { kind: 'TruncateTable', name: qualifiedName(child(node, 'name')), ...(partitions === undefined ? {} : { partitions }) };
}

function columnPosition(node: CstNode | undefined): { readonly position?: ColumnPosition } {
  if (node === undefined) return {};
  const after = optNode(node, 'after');
  return { position: after === undefined ? { kind: 'First' } : { kind: 'After', column: identifier(after) } };
}

function alterAction(node: CstNode): AlterTableAction {
  if (has(node, 'ADD')) {
    const added = nodes(node, 'addColumn');
    if (added.length > 0) return { kind: 'AddColumns', columns: added.map(columnDef), ...columnPosition(optNode(node, 'columnPosition')) };
    const def = child(node, 'partitionDef');
    const partition = partitionDef(def);
    const dist = optNode(node, 'distributionDesc');
    if (partition.kind === 'BatchRangePartition') throw new Error('grammar/visitor mismatch: batch partition in ADD');
    return { kind: 'AddPartition', partition, ...(dist === undefined ? {} : { distribution: distribution(dist) }), temporary: has(node, 'TEMPORARY') };
  }
  if (has(node, 'DROP')) {
    const column = optNode(node, 'dropColumn');
    if (column !== undefined) return { kind: 'DropColumn', name: identifier(column) };
    return {
      kind: 'DropPartition',
      name: identifier(child(node, 'partition')),
      ifExists: has(node, 'ifExists'),
      force: has(node, 'FORCE'),
      temporary: has(node, 'TEMPORARY'),
    };
  }
  if (has(node, 'MODIFY')) {
    if (has(node, 'PARTITION')) {
      return {
        kind: 'ModifyPartition',
        partitions: has(node, 'allPartitions') ? '*' : nodes(node, 'modifyPartition').map(identOrString),
        properties: properties(child(node, 'partitionProperties')),
      };
    }
    return { kind: 'ModifyColumn', column: columnDef(child(node, 'modifyColumn')), ...columnPosition(optNode(node, 'columnPosition')) };
  }
  if (has(node, 'RENAME')) {
    const from = optNode(node, 'oldColumn');
    if (from !== undefined) return { kind: 'RenameColumn', from: identifier(from), to: identifier(child(node, 'newColumn')) };
    return { kind: 'RenameTable', newName: identifier(child(node, 'newName')) };
  }
  if (has(node, 'COMMENT')) return { kind: 'SetComment', comment: stringLiteral(child(node, 'comment')) };
  if (has(node, 'SWAP')) return { kind: 'SwapWith', table: identifier(child(node, 'swapWith')) };
  if (has(node, 'REPLACE')) {
    const clause = child(node, 'replacePartitionClause');
    return {
      kind: 'ReplacePartition',
      partitions: partitionNames(child(clause, 'replaced'))!,
      with: partitionNames(child(clause, 'replacement'))!,
      properties: properties(optNode(clause, 'properties')),
    };
  }
  return { kind: 'SetProperties', properties: properties(child(node, 'propertyList')) };
}

/** `SHOW ALTER TABLE COLUMN [FROM db] …`. */
export function showAlterTable(node: CstNode): ShowAlterTableStmt {
  const db = optNode(node, 'database');
  return { kind: 'ShowAlterTable', ...(db === undefined ? {} : { database: identifier(db) }), ...showPredicates(child(node, 'showPredicates')) };
}

export function alterTable(node: CstNode): AlterTableStmt {
  return { kind: 'AlterTable', name: qualifiedName(child(node, 'name')), actions: nodes(node, 'action').map(alterAction) };
}

/** The column list, query and query text shared by CREATE VIEW and ALTER VIEW (which needs the source text). */
function viewBody(node: CstNode, text: string): Pick<CreateViewStmt, 'columns' | 'query' | 'queryText'> {
  const query = child(node, 'query');
  const columns = nodes(node, 'column');
  const start = query.location?.startOffset ?? 0;
  const end = query.location?.endOffset ?? text.length - 1;
  return {
    ...(columns.length === 0
      ? {}
      : {
          columns: columns.map((c) => {
            const colComment = optNode(c, 'comment');
            return { name: identifier(child(c, 'name')), ...(colComment === undefined ? {} : { comment: stringLiteral(colComment) }) };
          }),
        }),
    query: selectStatement(query),
    queryText: text.slice(start, end + 1),
  };
}

/** CREATE VIEW needs the source text for `queryText`. */
export function createView(node: CstNode, text: string): CreateViewStmt {
  const comment = optNode(node, 'comment');
  const { columns, query, queryText } = viewBody(node, text);
  return {
    kind: 'CreateView',
    ifNotExists: has(node, 'ifNotExists'),
    orReplace: has(node, 'REPLACE'),
    name: qualifiedName(child(node, 'name')),
    ...(columns === undefined ? {} : { columns }),
    ...(comment === undefined ? {} : { comment: stringLiteral(comment) }),
    query,
    queryText,
  };
}

export function alterView(node: CstNode, text: string): AlterViewStmt {
  return { kind: 'AlterView', name: qualifiedName(child(node, 'name')), ...viewBody(node, text) };
}

export function dropView(node: CstNode): DropViewStmt {
  return { kind: 'DropView', ifExists: has(node, 'ifExists'), name: qualifiedName(child(node, 'name')) };
}

