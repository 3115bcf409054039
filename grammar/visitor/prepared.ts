/** CST → PREPARE / EXECUTE / DEALLOCATE PREPARE, FLUSH, SHUTDOWN. */
import type { CstNode } from 'chevrotain';
import type { DeallocatePrepareStmt, ExecutePreparedStmt, FlushOption, FlushStmt, PrepareStmt } from '../ast.ts';
import { child, nodes, optNode, optToken, token, tokens } from '../cst.ts';
import { identifier, literalSpan, stringLiteral } from './common.ts';

export function prepare(node: CstNode): PrepareStmt {
  const text = optNode(node, 'text');
  const name = identifier(child(node, 'name'));
  if (text !== undefined) return { kind: 'Prepare', name, source: { kind: 'Text', text: stringLiteral(text), span: literalSpan(text) } };
  return { kind: 'Prepare', name, source: { kind: 'Variable', name: (optToken(node, 'variable')?.image ?? '@').slice(1) } };
}

export function execute(node: CstNode): ExecutePreparedStmt {
  return { kind: 'ExecutePrepared', name: identifier(child(node, 'name')), using: tokens(node, 'variable').map((v) => v.image.slice(1)) };
}

/** `DEALLOCATE PREPARE x` (the statement) or `PREPARE x` after DROP (the body). */
export function deallocate(node: CstNode): DeallocatePrepareStmt {
  const body = optNode(node, 'dropPrepareBody') ?? node;
  return { kind: 'DeallocatePrepare', name: identifier(child(body, 'name')) };
}

export function flush(node: CstNode): FlushStmt {
  return { kind: 'Flush', options: nodes(node, 'option').map((o) => token(o, 'word').tokenType.name as FlushOption) };
}
