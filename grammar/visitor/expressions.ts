/**
 * CST → Expr. Binary levels fold left; normalisations (documented in ast.ts): `<>` → `!=`, `&&` → AND,
 * `||` → OR, MOD → `%`, `!` → NOT, TIMESTAMP literals → DATETIME, function names lower-cased, `@@local.x` → SESSION.
 */
import type { CstNode, IToken } from 'chevrotain';
import type { BinaryOperator, Expr, IntervalExpr, VariableRef } from '../ast.ts';
import { child, has, nodes, onlyChild, optNode, optToken, token, tokens } from '../cst.ts';
import { dataType, identifier, identifierText, stringLiteral } from './common.ts';
import { selectStatement } from './select.ts';

const BINARY: Readonly<Record<string, BinaryOperator>> = {
  OR: 'OR', DoublePipe: 'OR', XOR: 'XOR', AND: 'AND', DoubleAmpersand: 'AND',
  Equals: '=', NullSafeEquals: '<=>', BangEquals: '!=', LessGreater: '!=', Less: '<', LessEquals: '<=', Greater: '>', GreaterEquals: '>=',
  Pipe: '|', Ampersand: '&', ShiftLeft: '<<', ShiftRight: '>>', Plus: '+', Minus: '-', Star: '*', Slash: '/', DIV: 'DIV',
  Percent: '%', MOD: '%', Caret: '^',
};

function binaryOp(tok: IToken): BinaryOperator {
  const op = BINARY[tok.tokenType.name];
  if (op === undefined) throw new Error(`grammar/visitor mismatch: operator ${tok.tokenType.name}`);
  return op;
}

function foldBinary(node: CstNode): Expr {
  const operands = nodes(node, 'operand');
  const operators = tokens(node, 'operator');
  let result = expr(operands[0] as CstNode);
  operators.forEach((op, i) => {
    result = { kind: 'Binary', op: binaryOp(op), left: result, right: expr(operands[i + 1] as CstNode) };
  });
  return result;
}

function predicate(node: CstNode): Expr {
  let result = expr(child(node, 'base'));
  for (const suffix of nodes(node, 'suffix')) {
    const not = has(suffix, 'NOT');
    const comparison = optToken(suffix, 'operator');
    if (comparison !== undefined) {
      result = { kind: 'Binary', op: binaryOp(comparison), left: result, right: expr(child(suffix, 'right')) };
    } else if (has(suffix, 'IS')) {
      const truth = optToken(suffix, 'truth');
      result =
        truth === undefined
          ? { kind: 'IsNull', expr: result, not }
          : { kind: 'IsTruth', expr: result, truth: truth.tokenType.name as 'TRUE' | 'FALSE' | 'UNKNOWN', not };
    } else if (has(suffix, 'inQuery')) {
      result = { kind: 'InSubquery', expr: result, query: selectStatement(child(suffix, 'inQuery')), not };
    } else if (has(suffix, 'IN')) {
      result = { kind: 'In', expr: result, list: nodes(child(suffix, 'inList'), 'item').map(expr), not };
    } else if (has(suffix, 'BETWEEN')) {
      result = { kind: 'Between', expr: result, low: expr(child(suffix, 'low')), high: expr(child(suffix, 'high')), not };
    } else {
      const op = token(suffix, 'likeOp').tokenType.name === 'LIKE' ? 'LIKE' : 'REGEXP';
      const escape = optNode(suffix, 'escape');
      result = { kind: 'Like', op, expr: result, pattern: expr(child(suffix, 'pattern')), ...(escape === undefined ? {} : { escape: expr(escape) }), not };
    }
  }
  return result;
}

function variable(tok: IToken): VariableRef {
  if (tok.tokenType.name === 'UserVariable') return { kind: 'VariableRef', scope: 'USER', name: tok.image.slice(1) };
  const text = tok.image.slice(2);
  const dot = text.indexOf('.');
  const prefix = dot < 0 ? '' : text.slice(0, dot).toLowerCase();
  if (prefix === 'session' || prefix === 'local') return { kind: 'VariableRef', scope: 'SESSION', name: text.slice(dot + 1) };
  if (prefix === 'global') return { kind: 'VariableRef', scope: 'GLOBAL', name: text.slice(dot + 1) };
  return { kind: 'VariableRef', scope: 'DEFAULT', name: text };
}

function literal(node: CstNode): Expr {
  const num = optToken(node, 'NumberLiteral');
  if (num !== undefined) return { kind: 'NumberLiteral', text: num.image };
  const str = optNode(node, 'stringLiteral');
  if (str !== undefined) return { kind: 'StringLiteral', value: stringLiteral(str) };
  if (has(node, 'TRUE')) return { kind: 'BooleanLiteral', value: true };
  if (has(node, 'FALSE')) return { kind: 'BooleanLiteral', value: false };
  return { kind: 'NullLiteral' };
}

/** Lower-cased name of a `functionName` node. */
export function functionName(node: CstNode): string {
  const tok = Object.values(node.children)[0]?.[0] as IToken;
  return identifierText(tok).toLowerCase();
}

/** Arguments of a `functionArgs` node: `(*)` gives [Star]. */
export function functionArgs(node: CstNode): { readonly args: readonly Expr[]; readonly distinct: boolean } {
  if (has(node, 'Star')) return { args: [{ kind: 'Star' }], distinct: false };
  return { args: nodes(node, 'arg').map(expr), distinct: has(node, 'DISTINCT') };
}

/** Any expression-level CST node → Expr. */
export function expr(node: CstNode): Expr {
  switch (node.name) {
    case 'expression':
    case 'xorExpr':
    case 'andExpr':
    case 'bitOrExpr':
    case 'bitAndExpr':
    case 'shiftExpr':
    case 'additiveExpr':
    case 'multiplicativeExpr':
    case 'bitXorExpr':
      return foldBinary(node);
    case 'notExpr': {
      const negated = optNode(node, 'negated');
      return negated === undefined ? expr(child(node, 'predicate')) : { kind: 'Unary', op: 'NOT', operand: expr(negated) };
    }
    case 'predicate':
      return predicate(node);
    case 'unaryExpr': {
      const op = optToken(node, 'operator');
      if (op === undefined) return expr(child(node, 'primary'));
      const operand = expr(child(node, 'operand'));
      const name = op.tokenType.name;
      return { kind: 'Unary', op: name === 'Minus' ? '-' : name === 'Plus' ? '+' : name === 'Tilde' ? '~' : 'NOT', operand };
    }
    case 'primary':
    case 'parenExpr':
      return expr(onlyChild(node));
    case 'subqueryExpr':
      return { kind: 'Subquery', query: selectStatement(child(node, 'query')) };
    case 'existsExpr':
      return { kind: 'Exists', query: selectStatement(child(node, 'query')) };
    case 'literal':
      return literal(node);
    case 'typedLiteral':
      return { kind: 'TypedLiteral', type: token(node, 'type').tokenType.name === 'DATE' ? 'DATE' : 'DATETIME', value: stringLiteral(child(node, 'value')) };
    case 'variable':
      return variable((optToken(node, 'SystemVariable') ?? optToken(node, 'UserVariable')) as IToken);
    case 'caseExpr': {
      const operand = optNode(node, 'operand');
      const thens = nodes(node, 'then');
      const otherwise = optNode(node, 'else');
      return {
        kind: 'Case',
        ...(operand === undefined ? {} : { operand: expr(operand) }),
        whens: nodes(node, 'when').map((w, i) => ({ when: expr(w), then: expr(thens[i] as CstNode) })),
        ...(otherwise === undefined ? {} : { else: expr(otherwise) }),
      };
    }
    case 'castExpr':
    case 'convertExpr':
      return { kind: 'Cast', expr: expr(child(node, 'expression')), type: dataType(child(node, 'dataType')) };
    case 'intervalExpr':
      return { kind: 'Interval', value: expr(child(node, 'value')), unit: token(node, 'unit').tokenType.name as IntervalExpr['unit'] };
    case 'functionCall':
      return { kind: 'FunctionCall', name: functionName(child(node, 'functionName')), ...functionArgs(child(node, 'functionArgs')) };
    case 'niladicCall':
      return { kind: 'FunctionCall', name: token(node, 'NiladicFunction').image.toLowerCase(), args: [], distinct: false };
    case 'columnRef': {
      const parts = nodes(node, 'part').map(identifier);
      return { kind: 'ColumnRef', qualifiers: parts.slice(0, -1), name: parts[parts.length - 1] as string };
    }
    default:
      throw new Error(`grammar/visitor mismatch: '${node.name}' is not an expression`);
  }
}
