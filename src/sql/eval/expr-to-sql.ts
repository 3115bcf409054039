import type { DataTypeNode, Expr, SelectItem, SelectStmt, FromItem, OrderItem, QueryStmt } from '../../../grammar/ast.ts';

/**
 * AST → SQL text in one canonical spelling: lower-case function names, upper-case keywords, single spaces around
 * binary operators, parentheses only where precedence needs them. Used for result column titles (`count(*)`,
 * `1 + 1`) and, with `quote: true`, for re-printing views (identifiers back-quoted).
 */
export interface SqlTextOptions {
  /** Back-quote identifiers (for SQL that must re-parse); off for column titles. */
  readonly quote?: boolean;
}

const PRECEDENCE: Record<string, number> = {
  OR: 1,
  XOR: 2,
  AND: 3,
  NOT: 4,
  '=': 5,
  '<=>': 5,
  '!=': 5,
  '<': 5,
  '<=': 5,
  '>': 5,
  '>=': 5,
  '|': 6,
  '&': 7,
  '<<': 8,
  '>>': 8,
  '+': 9,
  '-': 9,
  '*': 10,
  '/': 10,
  '%': 10,
  DIV: 10,
  '^': 11,
};

/** Precedence of a node as an operand (atoms bind tightest). */
function precedenceOf(e: Expr): number {
  switch (e.kind) {
    case 'Binary':
      return PRECEDENCE[e.op] ?? 12;
    case 'In':
    case 'Between':
    case 'Like':
    case 'IsNull':
    case 'IsTruth':
    case 'InSubquery':
      return 5;
    case 'Unary':
      return e.op === 'NOT' ? 4 : 13;
    default:
      return 14;
  }
}

function ident(name: string, o: SqlTextOptions): string {
  return o.quote ? `\`${name.replace(/`/g, '``')}\`` : name;
}

function stringLiteral(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function dataTypeToSql(t: DataTypeNode): string {
  if (t.name === 'DECIMAL' && t.precision !== undefined) return `DECIMAL(${t.precision}${t.scale !== undefined ? `, ${t.scale}` : ''})`;
  if ((t.name === 'CHAR' || t.name === 'VARCHAR') && t.length !== undefined) return `${t.name}(${t.length})`;
  return t.name;
}

/** Render an expression. */
export function exprToSql(e: Expr, o: SqlTextOptions = {}): string {
  const sub = (x: Expr, minPrec: number): string => {
    const s = exprToSql(x, o);
    return precedenceOf(x) < minPrec ? `(${s})` : s;
  };
  switch (e.kind) {
    case 'NumberLiteral':
      return e.text;
    case 'StringLiteral':
      return stringLiteral(e.value);
    case 'BooleanLiteral':
      return e.value ? 'TRUE' : 'FALSE';
    case 'NullLiteral':
      return 'NULL';
    case 'TypedLiteral':
      return `${e.type} ${stringLiteral(e.value)}`;
    case 'ColumnRef':
      return [...e.qualifiers, e.name].map((n) => ident(n, o)).join('.');
    case 'Star':
      return e.table === undefined ? '*' : `${ident(e.table, o)}.*`;
    case 'VariableRef':
      if (e.scope === 'USER') return `@${e.name}`;
      return e.scope === 'DEFAULT' ? `@@${e.name}` : `@@${e.scope.toLowerCase()}.${e.name}`;
    case 'Unary':
      return e.op === 'NOT' ? `NOT ${sub(e.operand, 5)}` : `${e.op}${sub(e.operand, 13)}`;
    case 'Binary': {
      const p = PRECEDENCE[e.op] ?? 12;
      // Left-associative: the right operand needs parentheses at equal precedence.
      return `${sub(e.left, p)} ${e.op} ${sub(e.right, p + 1)}`;
    }
    case 'In':
      return `${sub(e.expr, 6)} ${e.not ? 'NOT IN' : 'IN'} (${e.list.map((x) => exprToSql(x, o)).join(', ')})`;
    case 'Between':
      return `${sub(e.expr, 6)} ${e.not ? 'NOT BETWEEN' : 'BETWEEN'} ${sub(e.low, 6)} AND ${sub(e.high, 6)}`;
    case 'Like':
      return `${sub(e.expr, 6)} ${e.not ? 'NOT ' : ''}${e.op} ${sub(e.pattern, 6)}${e.escape ? ` ESCAPE ${exprToSql(e.escape, o)}` : ''}`;
    case 'IsNull':
      return `${sub(e.expr, 6)} IS ${e.not ? 'NOT ' : ''}NULL`;
    case 'Case': {
      const parts = ['CASE'];
      if (e.operand) parts.push(exprToSql(e.operand, o));
      for (const w of e.whens) parts.push(`WHEN ${exprToSql(w.when, o)} THEN ${exprToSql(w.then, o)}`);
      if (e.else) parts.push(`ELSE ${exprToSql(e.else, o)}`);
      parts.push('END');
      return parts.join(' ');
    }
    case 'Cast':
      return `CAST(${exprToSql(e.expr, o)} AS ${dataTypeToSql(e.type)})`;
    case 'FunctionCall':
      return `${e.name.toLowerCase()}(${e.distinct ? 'DISTINCT ' : ''}${e.args.map((a) => exprToSql(a, o)).join(', ')})`;
    case 'Interval':
      return `INTERVAL ${exprToSql(e.value, o)} ${e.unit}`;
    case 'IsTruth':
      return `${sub(e.expr, 6)} IS ${e.not ? 'NOT ' : ''}${e.truth}`;
    case 'Subquery':
      return `(${queryToSql(e.query, o)})`;
    case 'Exists':
      return `EXISTS (${queryToSql(e.query, o)})`;
    case 'InSubquery':
      return `${sub(e.expr, 6)} ${e.not ? 'NOT IN' : 'IN'} (${queryToSql(e.query, o)})`;
  }
}

function fromToSql(f: FromItem, o: SqlTextOptions): string {
  switch (f.kind) {
    case 'TableRef': {
      const name = [f.name.db, f.name.name].filter((x): x is string => x !== undefined).map((n) => ident(n, o)).join('.');
      const parts = f.partitions ? ` ${f.partitions.temporary ? 'TEMPORARY ' : ''}PARTITION (${f.partitions.names.map((n) => ident(n, o)).join(', ')})` : '';
      return `${name}${parts}${f.alias ? ` AS ${ident(f.alias, o)}` : ''}`;
    }
    case 'TableFunctionRef':
      return `TABLE(${f.name}(${f.args.map((a) => exprToSql(a, o)).join(', ')}))${f.alias ? ` AS ${ident(f.alias, o)}` : ''}`;
    case 'SubqueryRef':
      return `(${queryToSql(f.query, o)}) ${ident(f.alias, o)}`;
    case 'Join': {
      // Joins nest left-deep as written; a join on the right was parenthesised in the source.
      const right = f.right.kind === 'Join' ? `(${fromToSql(f.right, o)})` : fromToSql(f.right, o);
      const op = f.type === 'CROSS' ? 'CROSS JOIN' : f.type === 'INNER' ? 'JOIN' : `${f.type}${f.type.includes(' ') ? '' : ' OUTER'} JOIN`;
      const hint = f.hint === undefined ? '' : ` [${f.hint}]`;
      const criteria = f.on ? ` ON ${exprToSql(f.on, o)}` : f.using ? ` USING (${f.using.map((c) => ident(c, o)).join(', ')})` : '';
      return `${fromToSql(f.left, o)} ${op}${hint} ${right}${criteria}`;
    }
  }
}

function itemToSql(i: SelectItem, o: SqlTextOptions): string {
  if (i.kind === 'SelectStar') return i.table === undefined ? '*' : `${ident(i.table, o)}.*`;
  return `${exprToSql(i.expr, o)}${i.alias !== undefined ? ` AS ${ident(i.alias, o)}` : ''}`;
}

function orderToSql(i: OrderItem, o: SqlTextOptions): string {
  return `${exprToSql(i.expr, o)}${i.descending ? ' DESC' : ' ASC'}${i.nulls ? ` NULLS ${i.nulls}` : ''}`;
}

/** Render a query: a SELECT block or set operations (operands that are set operations are parenthesised). */
export function queryToSql(q: QueryStmt, o: SqlTextOptions = {}): string {
  if (q.kind === 'Select') return selectToSql(q, o);
  const operand = (x: QueryStmt): string => (x.kind === 'Select' && x.orderBy.length === 0 && x.limit === undefined ? selectToSql(x, o) : `(${queryToSql(x, o)})`);
  let out = `${operand(q.left)} ${q.op}${q.distinct ? '' : ' ALL'} ${operand(q.right)}`;
  if (q.orderBy.length > 0) out += ` ORDER BY ${q.orderBy.map((i) => orderToSql(i, o)).join(', ')}`;
  if (q.limit) out += ` LIMIT ${q.limit.offset > 0 ? `${q.limit.offset}, ` : ''}${q.limit.count}`;
  return out;
}

/** Render a whole SELECT (for SHOW CREATE VIEW and error messages). */
export function selectToSql(s: SelectStmt, o: SqlTextOptions = {}): string {
  let out = `SELECT ${s.distinct ? 'DISTINCT ' : ''}${s.items.map((i) => itemToSql(i, o)).join(', ')}`;
  if (s.from) out += ` FROM ${fromToSql(s.from, o)}`;
  if (s.where) out += ` WHERE ${exprToSql(s.where, o)}`;
  if (s.groupBy.length > 0) out += ` GROUP BY ${s.groupBy.map((g) => exprToSql(g, o)).join(', ')}`;
  if (s.having) out += ` HAVING ${exprToSql(s.having, o)}`;
  if (s.orderBy.length > 0) out += ` ORDER BY ${s.orderBy.map((i) => orderToSql(i, o)).join(', ')}`;
  if (s.limit) out += ` LIMIT ${s.limit.offset > 0 ? `${s.limit.offset}, ` : ''}${s.limit.count}`;
  return out;
}
