/**
 * CST → SET, SHOW VARIABLES / STATUS / PROCESSLIST / WARNINGS, KILL (transactions: transaction.ts).
 *
 * SET values: the reserved words ON and DEFAULT, and a bare unqualified name (`OFF`, `TRADITIONAL`), become
 * StringLiterals — MySQL's reading of `SET autocommit = ON` / `SET sql_mode = TRADITIONAL`. ON, OFF and DEFAULT
 * are upper-cased; other bare names keep their spelling. `SET NAMES DEFAULT` gives charset 'DEFAULT'.
 */
import type { CstNode } from 'chevrotain';
import type { Expr, KillStmt, SetAssignment, SetStmt, ShowProcesslistStmt, ShowStatusStmt, ShowVariablesStmt, ShowWarningsStmt } from '../ast.ts';
import { child, has, nodes, optNode, optToken, token } from '../cst.ts';
import { identOrString, identifier, integer, withFilter } from './common.ts';
import { expr } from './expressions.ts';
import { setTransaction } from './transaction.ts';

function setValue(node: CstNode): Expr {
  const word = optToken(node, 'word');
  if (word !== undefined) return { kind: 'StringLiteral', value: word.tokenType.name };
  const value = expr(child(node, 'expression'));
  if (value.kind === 'ColumnRef' && value.qualifiers.length === 0) {
    const upper = value.name.toUpperCase();
    return { kind: 'StringLiteral', value: upper === 'ON' || upper === 'OFF' || upper === 'DEFAULT' ? upper : value.name };
  }
  return value;
}

function scope(node: CstNode | undefined): 'SESSION' | 'GLOBAL' {
  return node !== undefined && token(node, 'scope').tokenType.name === 'GLOBAL' ? 'GLOBAL' : 'SESSION';
}

function assignment(node: CstNode): SetAssignment {
  const charset = optNode(node, 'charset');
  const charsetName = charset === undefined ? (has(node, 'defaultCharset') ? 'DEFAULT' : undefined) : identOrString(charset);
  if (has(node, 'NAMES')) {
    const collation = optNode(node, 'collation');
    return { kind: 'SetNames', charset: charsetName ?? 'DEFAULT', ...(collation === undefined ? {} : { collation: identOrString(collation) }) };
  }
  if (charsetName !== undefined) return { kind: 'SetCharacterSet', charset: charsetName };
  const value = setValue(child(node, 'value'));
  const variable = optToken(node, 'variable');
  if (variable === undefined) return { kind: 'SetVariable', scope: scope(optNode(node, 'scopeModifier')), name: identifier(child(node, 'name')), value };
  if (variable.tokenType.name === 'UserVariable') return { kind: 'SetVariable', scope: 'USER', name: variable.image.slice(1), value };
  const text = variable.image.slice(2);
  const dot = text.indexOf('.');
  const prefix = dot < 0 ? '' : text.slice(0, dot).toLowerCase();
  const scoped = prefix === 'global' || prefix === 'session' || prefix === 'local';
  return { kind: 'SetVariable', scope: prefix === 'global' ? 'GLOBAL' : 'SESSION', name: scoped ? text.slice(dot + 1) : text, value };
}

export function set(node: CstNode): SetStmt {
  const transaction = optNode(node, 'setTransactionBody');
  if (transaction !== undefined) return { kind: 'Set', assignments: [setTransaction(transaction)] };
  return { kind: 'Set', assignments: nodes(node, 'assignment').map(assignment) };
}

export function showVariables(node: CstNode): ShowVariablesStmt {
  return { kind: 'ShowVariables', global: scope(optNode(node, 'scopeModifier')) === 'GLOBAL', ...withFilter(node) };
}

export function showStatus(node: CstNode): ShowStatusStmt {
  return { kind: 'ShowStatus', global: scope(optNode(node, 'scopeModifier')) === 'GLOBAL', ...withFilter(node) };
}

export function showProcesslist(node: CstNode): ShowProcesslistStmt {
  return { kind: 'ShowProcesslist', full: has(node, 'FULL') };
}

export function showWarnings(node: CstNode): ShowWarningsStmt {
  return { kind: 'ShowWarnings', errorsOnly: has(node, 'errors') };
}

export function kill(node: CstNode): KillStmt {
  return { kind: 'Kill', connectionId: integer(token(node, 'id')), queryOnly: has(node, 'query') };
}
