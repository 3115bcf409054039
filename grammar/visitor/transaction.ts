/** CST → transaction statements, SET TRANSACTION (a SetAssignment), LOCK / UNLOCK TABLES, ALTER TABLE … KEYS. */
import type { CstNode } from 'chevrotain';
import type { AlterTableKeysStmt, IsolationLevel, LockTablesStmt, SetAssignment, TransactionAccessMode, TransactionStmt } from '../ast.ts';
import { child, has, nodes, optNode, optToken, token } from '../cst.ts';
import { identifier, qualifiedName } from './common.ts';

function accessMode(node: CstNode): TransactionAccessMode {
  return has(node, 'only') ? 'READ ONLY' : 'READ WRITE';
}

function completion(node: CstNode | undefined): Pick<TransactionStmt, 'chain' | 'release'> {
  if (node === undefined) return {};
  return {
    ...(has(node, 'chain') ? { chain: !has(node, 'noChain') } : {}),
    ...(has(node, 'release') ? { release: !has(node, 'noRelease') } : {}),
  };
}

export function transaction(node: CstNode): TransactionStmt {
  const savepoint = optNode(node, 'savepoint');
  if (has(node, 'savepointStmt')) return { kind: 'Transaction', action: 'SAVEPOINT', savepoint: identifier(child(node, 'savepoint')) };
  if (has(node, 'releaseStmt')) return { kind: 'Transaction', action: 'RELEASE_SAVEPOINT', savepoint: identifier(child(node, 'savepoint')) };
  if (has(node, 'begin')) {
    const characteristics = nodes(node, 'characteristic');
    const modes = characteristics.map((c) => optNode(c, 'accessMode')).filter((m): m is CstNode => m !== undefined);
    const last = modes[modes.length - 1];
    return {
      kind: 'Transaction',
      action: 'BEGIN',
      ...(characteristics.some((c) => has(c, 'consistent')) ? { consistentSnapshot: true } : {}),
      ...(last === undefined ? {} : { accessMode: accessMode(last) }),
    };
  }
  if (has(node, 'commit')) return { kind: 'Transaction', action: 'COMMIT', ...completion(optNode(node, 'completionOptions')) };
  if (has(node, 'to') && savepoint !== undefined) return { kind: 'Transaction', action: 'ROLLBACK_TO_SAVEPOINT', savepoint: identifier(savepoint) };
  return { kind: 'Transaction', action: 'ROLLBACK', ...completion(optNode(node, 'completionOptions')) };
}

function isolation(node: CstNode): IsolationLevel {
  if (has(node, 'repeatable')) return 'REPEATABLE READ';
  if (has(node, 'committed')) return 'READ COMMITTED';
  if (has(node, 'uncommitted')) return 'READ UNCOMMITTED';
  return 'SERIALIZABLE';
}

/** `SET [GLOBAL | SESSION] TRANSACTION …`: the last ISOLATION LEVEL and access mode written win, as in MySQL. */
export function setTransaction(node: CstNode): SetAssignment {
  const scope = optToken(node, 'scope')?.tokenType.name;
  const levels = nodes(node, 'isolationLevel');
  const modes = nodes(node, 'accessMode');
  const level = levels[levels.length - 1];
  const mode = modes[modes.length - 1];
  return {
    kind: 'SetTransaction',
    scope: scope === undefined ? 'NEXT' : scope === 'GLOBAL' ? 'GLOBAL' : 'SESSION',
    ...(level === undefined ? {} : { isolation: isolation(level) }),
    ...(mode === undefined ? {} : { accessMode: accessMode(mode) }),
  };
}

export function lockTables(node: CstNode): LockTablesStmt {
  return {
    kind: 'LockTables',
    tables: nodes(node, 'item').map((item) => {
      const alias = optNode(item, 'alias');
      return { table: qualifiedName(child(item, 'table')), ...(alias === undefined ? {} : { alias: identifier(alias) }), mode: has(item, 'write') ? 'WRITE' : 'READ' };
    }),
  };
}

export function alterTableKeys(node: CstNode): AlterTableKeysStmt {
  return { kind: 'AlterTableKeys', table: qualifiedName(child(node, 'table')), enable: token(node, 'action').image.toLowerCase() === 'enable' };
}
