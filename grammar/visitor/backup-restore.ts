/** CST → BACKUP / RESTORE / SHOW BACKUP|RESTORE|SNAPSHOT / CANCEL and the repository statements. */
import type { CstNode } from 'chevrotain';
import type {
  BackupRestoreObject,
  BackupStmt,
  CancelBackupStmt,
  CancelRestoreStmt,
  CreateRepositoryStmt,
  DropRepositoryStmt,
  AlterRepositoryStmt,
  DropSnapshotStmt,
  DropSnapshotsStmt,
  ExternalCatalogsClause,
  ShowSnapshotDiffStmt,
  SnapshotRef,
  VerifySnapshotStmt,
  ShowVerifyStmt,
  CancelVerifyStmt,
  RestoreStmt,
  ShowBackupStmt,
  ShowRestoreStmt,
  ShowSnapshotStmt,
} from '../ast.ts';
import { child, has, nodes, optNode, token, tokens } from '../cst.ts';
import { identOrString, identifier, partitionNames, properties, qualifiedName, showPredicates, stringLiteral, urlUserinfoSpan, VisitError } from './common.ts';
import { expr } from './expressions.ts';

type ObjectType = BackupRestoreObject['objectType'];

function objectType(node: CstNode): ObjectType {
  if (has(node, 'materialized')) return 'MATERIALIZED_VIEW';
  const word = tokens(node, 'objectType')[0]?.tokenType.name ?? 'TABLE';
  return word.startsWith('FUNCTION') ? 'FUNCTION' : word.startsWith('VIEW') ? 'VIEW' : 'TABLE';
}

function alias(node: CstNode | undefined): { readonly alias?: string } {
  return node === undefined ? {} : { alias: identifier(child(node, 'alias')) };
}

function backupObject(node: CstNode): BackupRestoreObject {
  if (has(node, 'ALL')) return { kind: 'AllBackupObjects', objectType: objectType(node) };
  const keyword = has(node, 'objectType') || has(node, 'materialized');
  const partitions = partitionNames(optNode(node, 'partitionNames'));
  return {
    kind: 'BackupObject',
    objectType: objectType(node),
    keyword,
    name: qualifiedName(child(node, 'name')),
    ...(partitions === undefined ? {} : { partitions }),
    ...alias(optNode(node, 'objectAlias')),
  };
}

/** The `ON (…)` list under `node` (BACKUP, RESTORE, backup schedules), or nothing when absent. */
export function backupObjects(node: CstNode): { readonly objects?: readonly BackupRestoreObject[] } {
  const list = optNode(node, 'backupObjectList');
  return list === undefined ? {} : { objects: nodes(list, 'object').map(backupObject) };
}

function externalCatalogs(node: CstNode | undefined, aliasesAllowed: boolean): { readonly externalCatalogs?: ExternalCatalogsClause } {
  if (node === undefined) return {};
  if (has(node, 'ALL')) return { externalCatalogs: { kind: 'AllExternalCatalogs' } };
  const catalogs = nodes(node, 'catalog').map((c) => {
    const aliasNode = optNode(c, 'objectAlias');
    if (aliasNode !== undefined && !aliasesAllowed) {
      throw new VisitError(token(aliasNode, 'AS'), 'BACKUP does not take catalog aliases; use AS only in RESTORE');
    }
    return { name: identifier(child(c, 'name')), ...alias(aliasNode) };
  });
  return { externalCatalogs: { kind: 'ExternalCatalogs', catalogs } };
}

function database(node: CstNode, key = 'database'): { readonly database?: string } {
  const db = optNode(node, key);
  return db === undefined ? {} : { database: identifier(db) };
}

export function backup(node: CstNode): BackupStmt {
  return {
    kind: 'Backup',
    ...externalCatalogs(optNode(node, 'externalCatalogs'), false),
    ...database(node),
    label: qualifiedName(child(node, 'label')),
    repository: identifier(child(node, 'repository')),
    ...backupObjects(node),
    properties: properties(optNode(node, 'properties')),
  };
}

export function restore(node: CstNode): RestoreStmt {
  const dbAlias = optNode(node, 'databaseAlias');
  return {
    kind: 'Restore',
    label: qualifiedName(child(node, 'label')),
    repository: identifier(child(node, 'repository')),
    ...externalCatalogs(optNode(node, 'externalCatalogs'), true),
    ...database(node),
    ...(dbAlias === undefined ? {} : { databaseAlias: identifier(dbAlias) }),
    ...backupObjects(node),
    properties: properties(optNode(node, 'properties')),
  };
}

export function showBackup(node: CstNode): ShowBackupStmt {
  return { kind: 'ShowBackup', ...database(node), ...showPredicates(child(node, 'showPredicates')) };
}

export function showRestore(node: CstNode): ShowRestoreStmt {
  return { kind: 'ShowRestore', ...database(node), ...showPredicates(child(node, 'showPredicates')) };
}

export function showSnapshot(node: CstNode): ShowSnapshotStmt {
  return { kind: 'ShowSnapshot', repository: identifier(child(node, 'repository')), ...showPredicates(child(node, 'showPredicates')) };
}

export function cancel(node: CstNode): CancelBackupStmt | CancelRestoreStmt {
  const kind = token(node, 'job').tokenType.name === 'BACKUP' ? 'CancelBackup' : 'CancelRestore';
  return { kind, ...database(node), externalCatalog: has(node, 'EXTERNAL') };
}

export function createRepository(node: CstNode): CreateRepositoryStmt {
  const broker = optNode(node, 'broker');
  const location = child(node, 'location');
  const locationSecret = urlUserinfoSpan(location);
  return {
    kind: 'CreateRepository',
    readOnly: has(node, 'READ'),
    name: identifier(child(node, 'name')),
    ...(broker === undefined ? {} : { broker: identOrString(broker) }),
    location: stringLiteral(location),
    ...(locationSecret === undefined ? {} : { locationSecret }),
    properties: properties(optNode(node, 'properties')),
  };
}

export function dropRepository(node: CstNode): DropRepositoryStmt {
  return { kind: 'DropRepository', name: identifier(child(node, 'name')) };
}

export function dropSnapshot(node: CstNode): DropSnapshotStmt | DropSnapshotsStmt {
  const dryRun = has(node, 'DRY');
  const where = optNode(node, 'where');
  if (where !== undefined) return { kind: 'DropSnapshots', repository: identifier(child(node, 'repository')), where: expr(where), dryRun };
  return {
    kind: 'DropSnapshot',
    snapshot: identOrString(child(node, 'snapshot')),
    repository: identifier(child(node, 'repository')),
    force: has(node, 'FORCE'),
    ...(dryRun ? { dryRun: true as const } : {}),
  };
}

export function alterRepository(node: CstNode): AlterRepositoryStmt {
  return { kind: 'AlterRepository', name: identifier(child(node, 'name')), properties: properties(optNode(node, 'properties')) };
}

export function verifySnapshot(node: CstNode): VerifySnapshotStmt {
  return {
    kind: 'VerifySnapshot',
    snapshot: identOrString(child(node, 'snapshot')),
    repository: identifier(child(node, 'repository')),
    properties: properties(optNode(node, 'properties')),
  };
}

export function showVerify(node: CstNode): ShowVerifyStmt {
  const at = optNode(node, 'repository');
  const repository = at === undefined ? undefined : identifier(at);
  return { kind: 'ShowVerify', ...(repository === undefined ? {} : { repository }), ...showPredicates(child(node, 'showPredicates')) };
}

export function cancelVerify(node: CstNode): CancelVerifyStmt {
  const at = optNode(node, 'repository');
  const repository = at === undefined ? undefined : identifier(at);
  return { kind: 'CancelVerify', ...(repository === undefined ? {} : { repository }) };
}

function snapshotRef(node: CstNode): SnapshotRef {
  const ts = optNode(node, 'timestamp');
  return { label: identOrString(child(node, 'label')), ...(ts === undefined ? {} : { timestamp: stringLiteral(ts) }) };
}

export function showSnapshotDiff(node: CstNode): ShowSnapshotDiffStmt {
  return {
    kind: 'ShowSnapshotDiff',
    repository: identifier(child(node, 'repository')),
    from: snapshotRef(child(node, 'from')),
    to: snapshotRef(child(node, 'to')),
  };
}

