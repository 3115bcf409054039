/**
 * CST → AST for the shared productions: names, strings (MySQL escapes), properties, partition lists, data types,
 * ORDER BY / LIMIT and SHOW filters. Also the {@link VisitError} the visitors throw for input the grammar accepts
 * but the dialect does not (an unknown data type, a multi-word role name…); index.ts turns it into a 1064.
 */
import type { CstNode, IToken } from 'chevrotain';
import { isSecretPropertyKey, urlUserinfoRange } from '../../src/logging/secrets.ts';
import type { DataTypeName, DataTypeNode, OrderItem, PartitionNames, Property, QualifiedName, ShowFilter, ShowPredicates, SourceSpan } from '../ast.ts';
import { child, has, nodes, optNode, optToken, tokens } from '../cst.ts';
import { expr } from './expressions.ts';

/** A problem found while building the AST, located at a token. */
export class VisitError extends Error {
  override name = 'VisitError';
  /** Where the problem is. */
  readonly token: IToken;
  constructor(token: IToken, detail: string) {
    super(detail);
    this.token = token;
  }
}

/** `` `a``b` `` → a`b; other identifiers as written. */
export function identifierText(token: IToken): string {
  return token.tokenType.name === 'QuotedIdentifier' ? token.image.slice(1, -1).replace(/``/g, '`') : token.image;
}

/** The only token of an `identifier` node. */
export function identifierToken(node: CstNode): IToken {
  const found = optToken(node, 'Identifier') ?? optToken(node, 'QuotedIdentifier') ?? optToken(node, 'NonReserved');
  if (found === undefined) throw new Error('grammar/visitor mismatch: empty identifier');
  return found;
}

export function identifier(node: CstNode): string {
  return identifierText(identifierToken(node));
}

export function qualifiedName(node: CstNode): QualifiedName {
  const parts = nodes(node, 'part').map(identifier);
  if (parts.length === 1) return { name: parts[0] as string };
  if (parts.length === 2) return { db: parts[0] as string, name: parts[1] as string };
  throw new VisitError(identifierToken(nodes(node, 'part')[0] as CstNode), `A name has at most two parts (db.name), got '${parts.join('.')}'`);
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { '0': '\0', b: '\b', n: '\n', r: '\r', t: '\t', Z: '\x1a', '%': '\\%', _: '\\_' };

/** MySQL string unescaping: `\n \t \0 \\ \' \"`, `\%`/`\_` kept as written (they are LIKE escapes), doubled quotes. */
export function unescapeString(image: string): string {
  const quote = image[0] === '"' ? '"' : "'";
  const body = image.slice(1, -1);
  const doubled = quote + quote;
  return body.replace(/\\([\s\S])|''|""/g, (match: string, escaped: string | undefined) => {
    if (escaped === undefined) return match === doubled ? quote : match;
    return SIMPLE_ESCAPES[escaped] ?? escaped;
  });
}

/** The token of a `stringLiteral` node. */
export function stringLiteralToken(node: CstNode): IToken {
  const token = optToken(node, 'SingleQuotedString') ?? optToken(node, 'DoubleQuotedString');
  if (token === undefined) throw new Error('grammar/visitor mismatch: empty string');
  return token;
}

export function stringLiteral(node: CstNode): string {
  return unescapeString(stringLiteralToken(node).image);
}

/** Where a string literal is in the source, quotes included: the span a secret literal carries. */
export function literalSpan(node: CstNode): SourceSpan {
  const token = stringLiteralToken(node);
  return { start: token.startOffset, end: token.startOffset + token.image.length };
}

/** The userinfo (`user:pw`) of a string literal holding a URL, as a span of the source; undefined when none. */
export function urlUserinfoSpan(node: CstNode): SourceSpan | undefined {
  const token = stringLiteralToken(node);
  // Measured on the literal as written (escapes included), so the span covers exactly the source characters.
  const range = urlUserinfoRange(token.image.slice(1, -1));
  return range === undefined ? undefined : { start: token.startOffset + 1 + range.start, end: token.startOffset + 1 + range.end };
}

export function identOrString(node: CstNode): string {
  const id = optNode(node, 'identifier');
  return id === undefined ? stringLiteral(child(node, 'stringLiteral')) : identifier(id);
}

export function properties(node: CstNode | undefined): readonly Property[] {
  if (node === undefined) return [];
  const list = node.name === 'properties' ? child(node, 'propertyList') : node;
  return nodes(list, 'property').map((p) => {
    const key = stringLiteral(child(p, 'key'));
    const valueNode = child(p, 'value');
    const secret = isSecretPropertyKey(key) ? literalSpan(valueNode) : urlUserinfoSpan(valueNode);
    return { key, value: stringLiteral(valueNode), ...(secret === undefined ? {} : { secret }) };
  });
}

export function partitionNames(node: CstNode | undefined): PartitionNames | undefined {
  if (node === undefined) return undefined;
  return { names: nodes(node, 'name').map(identOrString), temporary: has(node, 'TEMPORARY') };
}

/** A NumberLiteral token that must be a non-negative integer (LIMIT, BUCKETS, KILL id…). */
export function integer(token: IToken): number {
  if (!/^\d+$/.test(token.image) || !Number.isSafeInteger(Number(token.image))) {
    throw new VisitError(token, `Expected a whole number, got '${token.image}'`);
  }
  return Number(token.image);
}

const TYPE_NAMES: Readonly<Record<string, DataTypeName>> = {
  BOOLEAN: 'BOOLEAN', BOOL: 'BOOLEAN', TINYINT: 'TINYINT', SMALLINT: 'SMALLINT', INT: 'INT', INTEGER: 'INT',
  BIGINT: 'BIGINT', LARGEINT: 'LARGEINT', FLOAT: 'FLOAT', DOUBLE: 'DOUBLE', DECIMAL: 'DECIMAL', DECIMALV2: 'DECIMAL',
  DECIMALV3: 'DECIMAL', DECIMAL32: 'DECIMAL', DECIMAL64: 'DECIMAL', DECIMAL128: 'DECIMAL', NUMERIC: 'DECIMAL',
  CHAR: 'CHAR', VARCHAR: 'VARCHAR', STRING: 'STRING', TEXT: 'STRING', DATE: 'DATE', DATETIME: 'DATETIME',
  TIMESTAMP: 'DATETIME', SIGNED: 'BIGINT', UNSIGNED: 'BIGINT',
};
const INTEGER_TYPES: ReadonlySet<DataTypeName> = new Set(['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'LARGEINT']);

export function dataType(node: CstNode): DataTypeNode {
  const nameToken = child(node, 'typeName');
  const written = identifier(nameToken).toUpperCase();
  const name = TYPE_NAMES[written];
  if (name === undefined) {
    throw new VisitError(identifierToken(nameToken), `Unknown data type '${written}'; use one of BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, LARGEINT, FLOAT, DOUBLE, DECIMAL(p, s), CHAR(n), VARCHAR(n), STRING, DATE, DATETIME`);
  }
  const params = tokens(node, 'param');
  const values = params.map(integer);
  const [first, second] = values;
  if (params.length === 0 || INTEGER_TYPES.has(name)) return { kind: 'DataType', name }; // INT(11): display width, ignored
  if (name === 'DECIMAL') return { kind: 'DataType', name, precision: first as number, ...(second === undefined ? {} : { scale: second }) };
  if ((name === 'CHAR' || name === 'VARCHAR') && second === undefined) return { kind: 'DataType', name, length: first as number };
  throw new VisitError(params[0] as IToken, `The type ${name} takes ${name === 'CHAR' || name === 'VARCHAR' ? 'one length' : 'no'} parameter${name === 'CHAR' || name === 'VARCHAR' ? '' : 's'}`);
}

export function sortItem(node: CstNode): OrderItem {
  const nulls = has(node, 'FIRST') ? 'FIRST' : has(node, 'LAST') ? 'LAST' : undefined;
  return { expr: expr(child(node, 'expression')), descending: has(node, 'DESC'), ...(nulls === undefined ? {} : { nulls }) };
}

export function orderBy(node: CstNode | undefined): readonly OrderItem[] {
  return node === undefined ? [] : nodes(node, 'item').map(sortItem);
}

export function limit(node: CstNode | undefined): { readonly count: number; readonly offset: number } | undefined {
  if (node === undefined) return undefined;
  const first = integer(tokens(node, 'first')[0] as IToken);
  const count = optToken(node, 'count');
  if (count !== undefined) return { count: integer(count), offset: first };
  const offset = optToken(node, 'offset');
  return { count: first, offset: offset === undefined ? 0 : integer(offset) };
}

export function showPredicates(node: CstNode): ShowPredicates {
  const where = optNode(node, 'where');
  const limitValue = limit(optNode(node, 'limitClause'));
  return {
    ...(where === undefined ? {} : { where: expr(where) }),
    orderBy: orderBy(optNode(node, 'orderByClause')),
    ...(limitValue === undefined ? {} : { limit: limitValue }),
  };
}

export function showFilter(node: CstNode | undefined): ShowFilter | undefined {
  if (node === undefined) return undefined;
  const pattern = optNode(node, 'pattern');
  if (pattern !== undefined) return { kind: 'Like', pattern: stringLiteral(pattern) };
  return { kind: 'Where', expr: expr(child(node, 'where')) };
}

/** `{ filter }` when present, else nothing (so absent optional fields are really absent). */
export function withFilter(node: CstNode): { readonly filter?: ShowFilter } {
  const filter = showFilter(optNode(node, 'showFilter'));
  return filter === undefined ? {} : { filter };
}
