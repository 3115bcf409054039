/** CST → the backup schedule and snapshot copy statements (grammar/productions/backup-schedule.ts). */
import type { CstNode } from 'chevrotain';
import type {
  AlterBackupScheduleStmt,
  CancelCopyStmt,
  CopySnapshotStmt,
  CreateBackupScheduleStmt,
  DropBackupScheduleStmt,
  ExecuteBackupScheduleStmt,
  ScheduleTrigger,
  SetBackupScheduleStateStmt,
  ShowBackupSchedulesStmt,
  ShowCopyStmt,
  ShowCreateBackupScheduleStmt,
} from '../ast.ts';
import { child, has, optNode, token } from '../cst.ts';
import { backupObjects } from './backup-restore.ts';
import { identOrString, identifier, properties, showPredicates, stringLiteral } from './common.ts';

function trigger(node: CstNode): ScheduleTrigger {
  return { kind: token(node, 'kind').tokenType.name === 'CRON' ? 'CRON' : 'EVERY', text: stringLiteral(child(node, 'text')) };
}

function optional(node: CstNode, key: string, read: (n: CstNode) => string): string | undefined {
  const n = optNode(node, key);
  return n === undefined ? undefined : read(n);
}

function common(node: CstNode): {
  readonly objects?: CreateBackupScheduleStmt['objects'];
  readonly starts?: string;
  readonly properties: CreateBackupScheduleStmt['properties'];
} {
  const starts = optional(node, 'starts', stringLiteral);
  return { ...backupObjects(node), ...(starts === undefined ? {} : { starts }), properties: properties(optNode(node, 'properties')) };
}

export function createBackupSchedule(node: CstNode): CreateBackupScheduleStmt {
  return {
    kind: 'CreateBackupSchedule',
    name: identifier(child(node, 'name')),
    ifNotExists: has(node, 'ifNotExists'),
    database: identifier(child(node, 'database')),
    repository: identifier(child(node, 'repository')),
    trigger: trigger(child(node, 'scheduleTrigger')),
    ...common(node),
  };
}

export function alterBackupSchedule(node: CstNode): AlterBackupScheduleStmt {
  const database = optional(node, 'database', identifier);
  const repository = optional(node, 'repository', identifier);
  const t = optNode(node, 'scheduleTrigger');
  return {
    kind: 'AlterBackupSchedule',
    name: identifier(child(node, 'name')),
    ...(database === undefined ? {} : { database }),
    ...(repository === undefined ? {} : { repository }),
    ...(t === undefined ? {} : { trigger: trigger(t) }),
    ...common(node),
  };
}

export function dropBackupSchedule(node: CstNode): DropBackupScheduleStmt {
  return { kind: 'DropBackupSchedule', name: identifier(child(node, 'name')), ifExists: has(node, 'ifExists') };
}

export function scheduleState(node: CstNode): SetBackupScheduleStateStmt {
  return { kind: 'SetBackupScheduleState', name: identifier(child(node, 'name')), action: token(node, 'action').tokenType.name === 'PAUSE' ? 'PAUSE' : 'RESUME' };
}

export function executeSchedule(node: CstNode): ExecuteBackupScheduleStmt {
  return { kind: 'ExecuteBackupSchedule', name: identifier(child(node, 'name')) };
}

export function showBackupSchedules(node: CstNode): ShowBackupSchedulesStmt {
  const database = optional(node, 'database', identifier);
  return { kind: 'ShowBackupSchedules', ...(database === undefined ? {} : { database }), ...showPredicates(child(node, 'showPredicates')) };
}

export function showCreateBackupSchedule(node: CstNode): ShowCreateBackupScheduleStmt {
  return { kind: 'ShowCreateBackupSchedule', name: identifier(child(node, 'name')) };
}

export function copySnapshot(node: CstNode): CopySnapshotStmt {
  return {
    kind: 'CopySnapshot',
    snapshot: identOrString(child(node, 'snapshot')),
    from: identifier(child(node, 'from')),
    to: identifier(child(node, 'to')),
    properties: properties(optNode(node, 'properties')),
  };
}

export function showCopy(node: CstNode): ShowCopyStmt {
  const repository = optional(node, 'repository', identifier);
  return { kind: 'ShowCopy', ...(repository === undefined ? {} : { repository }), ...showPredicates(child(node, 'showPredicates')) };
}

export function cancelCopy(node: CstNode): CancelCopyStmt {
  const repository = optional(node, 'repository', identifier);
  return { kind: 'CancelCopy', ...(repository === undefined ? {} : { repository }) };
}
