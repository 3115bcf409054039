/**
 * requiredPrivileges: what each statement needs before its handler runs, following StarRocks 3.x's Authorizer
 * (AuthorizerStmtVisitor) and the backup/restore rules of the compatibility reference §5.1. One exhaustive
 * visitor: a new statement kind does not compile until someone decides what it needs.
 *
 * Pure apart from catalog reads (to tell tables from views and to list a database's tables for BACKUP).
 */
import type {
  BackupRestoreObject, BackupStmt, Expr, FromItem, PrivilegeObject, QualifiedName, QueryStmt, RestoreStmt, Statement, StatementVisitor,
} from '../../../grammar/ast.ts';
import { visitStatement } from '../../../grammar/ast.ts';
import { getDatabase, getTable, listTables } from '../../catalog/index.ts';
import type { ExecutionContext } from '../context.ts';
import { INFORMATION_SCHEMA } from '../handlers/information-schema.ts';
import { walkExpr } from '../eval/walk.ts';
import { databaseName } from '../names.ts';
import { expandPrivileges, grantObjectOf, targetOf } from './grant-objects.ts';
import { need, type PrivilegeRequirement } from './model.ts';

type Visitor = StatementVisitor<readonly PrivilegeRequirement[]>;

/** Every privilege `statement` needs when run by the session of `ctx` (all must hold). */
export function requiredPrivileges(statement: Statement, ctx: ExecutionContext): readonly PrivilegeRequirement[] {
  return visitStatement(visitor(ctx), statement);
}

function visitor(ctx: ExecutionContext): Visitor {
  const none: readonly PrivilegeRequirement[] = [];
  const grant = [need.system('GRANT')];
  const repository = [need.system('REPOSITORY')];
  const db = (explicit: string | undefined): string => databaseName(ctx, explicit);
  /** A table-or-view privilege, checked on the object kind the name really is. */
  const relation = (privilege: string, name: QualifiedName, viewPrivilege = privilege): PrivilegeRequirement => {
    const dbName = db(name.db);
    return isView(ctx, dbName, name.name) ? need.view(viewPrivilege, dbName, name.name) : need.table(privilege, dbName, name.name);
  };
  const select = (query: QueryStmt): PrivilegeRequirement[] => selectedRelations(ctx, query).map((n) => relation('SELECT', n));

  return {
    Select: (s) => select(s),
    SetOperation: (s) => select(s),
    CreateDatabase: () => [need.catalog('CREATE DATABASE')],
    DropDatabase: (s) => [need.database('DROP', s.name)],
    // "Any privilege on or in the database" (StarRocks' checkAnyActionOnOrInDb, MySQL's 1044) is checked by
    // useDatabase itself, which COM_INIT_DB and a login's database also go through.
    Use: () => none,
    CreateTable: (s) => [need.database('CREATE TABLE', db(s.name.db))],
    DropTable: (s) => [relation('DROP', s.name)],
    TruncateTable: (s) => [need.table('DELETE', db(s.name.db), s.name.name)],
    AlterTable: (s) => [relation('ALTER', s.name)],
    CreateView: (s) => [need.database('CREATE VIEW', db(s.name.db)), ...select(s.query)],
    AlterView: (s) => [need.view('ALTER', db(s.name.db), s.name.name), ...select(s.query)],
    DropView: (s) => [need.view('DROP', db(s.name.db), s.name.name)],
    Insert: (s) => [need.table('INSERT', db(s.table.db), s.table.name), ...(s.source.kind === 'Query' ? select(s.source.query) : [])],
    Delete: (s) => [need.table('DELETE', db(s.table.db), s.table.name)],
    Update: (s) => [need.table('UPDATE', db(s.table.db), s.table.name)],
    // StarRocks lists the jobs of tables the user can see; the listing itself needs nothing.
    ShowAlterTable: () => none,
    // Listing statements: the handlers list only what the session holds some privilege on (StarRocks' filter).
    ShowDatabases: () => none,
    ShowTables: () => none,
    ShowCreate: (s) => (s.object === 'DATABASE' ? [need.database('ANY', s.name.name)] : skipInformationSchema(ctx, s.name, () => [relation('ANY', s.name)])),
    Describe: (s) => skipInformationSchema(ctx, s.table, () => [relation('ANY', s.table)]),
    ShowPartitions: (s) => [relation('ANY', s.table)],
    ShowTablet: (s) => (s.table === undefined ? [need.system('OPERATE')] : [relation('ANY', s.table)]),
    ShowBackends: () => [need.system('OPERATE', 'NODE')],
    Backup: (s) => backup(ctx, s),
    Restore: (s) => restore(ctx, s),
    // SHOW BACKUP also hides jobs whose tables lack EXPORT: the handler filters with canSee().
    ShowBackup: () => repository,
    ShowRestore: () => repository,
    ShowSnapshot: () => repository,
    // CANCEL BACKUP also needs EXPORT on the running job's tables: the handler checks backupRequirements().
    CancelBackup: () => repository,
    CancelRestore: () => repository,
    CreateRepository: () => repository,
    DropRepository: () => repository,
    ShowRepositories: () => none,
    DropSnapshot: () => repository,
    DropSnapshots: () => repository,
    AlterRepository: () => repository,
    ShowSnapshotDiff: () => repository,
    VerifySnapshot: () => repository,
    ShowVerify: () => repository,
    CancelVerify: () => repository,
    // Schedules need what BACKUP needs: creating one names its tables here; the other statements find the
    // schedule's tables in the catalog, so their handlers check EXPORT on them (like CANCEL BACKUP).
    CreateBackupSchedule: (s) =>
      backup(ctx, { kind: 'Backup', database: s.database, label: { name: s.name }, repository: s.repository, ...(s.objects === undefined ? {} : { objects: s.objects }), properties: [] }),
    AlterBackupSchedule: () => repository,
    DropBackupSchedule: () => repository,
    SetBackupScheduleState: () => repository,
    ExecuteBackupSchedule: () => repository,
    ShowBackupSchedules: () => repository,
    ShowCreateBackupSchedule: () => repository,
    CopySnapshot: () => repository,
    ShowCopy: () => repository,
    CancelCopy: () => repository,
    CreateUser: () => grant,
    DropUser: () => grant,
    AlterUser: () => grant,
    SetPassword: (s) => [
      ...(s.user === undefined || isSelf(ctx, s.user.user, s.user.host) ? none : grant),
      ...(s.assignments?.some((a) => a.kind === 'SetVariable' && a.scope === 'GLOBAL') === true ? [need.system('OPERATE')] : []),
    ],
    CreateRole: () => grant,
    DropRole: () => grant,
    GrantPrivilege: (s) => [{ ...need.system('GRANT'), otherwise: grantOptionFor(ctx, s.privileges, s.object) }],
    RevokePrivilege: (s) => [{ ...need.system('GRANT'), otherwise: grantOptionFor(ctx, s.privileges, s.object) }],
    GrantRole: () => grant,
    RevokeRole: () => grant,
    ShowGrants: (s) => {
      if (s.grantee === undefined) return none;
      if (s.grantee.kind === 'UserGrantee') return isSelf(ctx, s.grantee.user.user, s.grantee.user.host) ? none : grant;
      return holdsRole(ctx, s.grantee.role) ? none : grant;
    },
    ShowUsers: () => grant,
    ShowRoles: () => grant,
    Set: (s) => (s.assignments.some((a) => a.kind === 'SetVariable' && a.scope === 'GLOBAL') ? [need.system('OPERATE')] : none),
    ShowVariables: () => none,
    ShowStatus: () => none,
    ShowProcesslist: () => none,
    ShowWarnings: () => none,
    Kill: (s) => {
      const target = ctx.services.sessions.get(s.connectionId);
      // Killing one's own connection needs nothing; someone else's needs OPERATE (StarRocks handleKill).
      return target === undefined || target.user === ctx.session.user ? none : [need.system('OPERATE')];
    },
    Transaction: () => none,
    // The statement a prepared one runs is checked when it runs (EXECUTE); preparing and dropping need nothing.
    Prepare: () => none,
    ExecutePrepared: () => none,
    DeallocatePrepare: () => none,
    // MySQL's RELOAD and SHUTDOWN: StarRocks' OPERATE (cluster operations) and NODE (stopping a node) stand for them.
    Flush: () => [need.system('OPERATE')],
    Shutdown: () => [need.system('NODE')],
    // MySQL's LOCK TABLES privilege has no StarRocks counterpart: SELECT on each table (MySQL's other requirement).
    LockTables: (s) => s.tables.map((item) => relation('SELECT', item.table)),
    UnlockTables: () => none,
    AlterTableKeys: (s) => [relation('ALTER', s.table)],
    ShowMeta: (s) => (s.table === undefined ? none : skipInformationSchema(ctx, s.table, () => [relation('ANY', s.table as QualifiedName)])),
  };
}

/** BACKUP: REPOSITORY on SYSTEM, and EXPORT on every table backed up (the ON list, or every table of the db). */
function backup(ctx: ExecutionContext, s: BackupStmt): readonly PrivilegeRequirement[] {
  const dbName = databaseName(ctx, s.database ?? s.label.db);
  const objects = s.objects?.filter((o) => o.kind === 'BackupObject' && o.objectType !== 'FUNCTION') ?? [];
  const wholeDb = s.objects === undefined || s.objects.some((o) => o.kind === 'AllBackupObjects');
  const tables = new Set(objects.map((o) => (o as Extract<BackupRestoreObject, { kind: 'BackupObject' }>).name.name));
  if (wholeDb) {
    const found = getDatabase(ctx.services.catalog, dbName);
    if (found !== undefined) for (const t of listTables(ctx.services.catalog, found.id)) tables.add(t.name);
  }
  return [need.system('REPOSITORY'), ...backupRequirements(dbName, [...tables]).slice(1)];
}

/**
 * What backing up (or cancelling the backup of) `tables` of `db` needs: REPOSITORY on SYSTEM and EXPORT on each
 * table. The CANCEL BACKUP handler checks this for the running job's tables with checkPrivileges().
 */
export function backupRequirements(db: string, tables: readonly string[]): readonly PrivilegeRequirement[] {
  return [need.system('REPOSITORY'), ...[...new Set(tables)].sort().map((t) => need.table('EXPORT', db, t))];
}

/**
 * RESTORE: REPOSITORY on SYSTEM, then — whole database (no ON list) or a database that does not exist yet —
 * CREATE DATABASE on the catalog; otherwise CREATE TABLE on the target database and INSERT on every target table
 * that already exists (it is overwritten).
 */
function restore(ctx: ExecutionContext, s: RestoreStmt): readonly PrivilegeRequirement[] {
  const reqs: PrivilegeRequirement[] = [need.system('REPOSITORY')];
  const dbName = s.databaseAlias ?? s.database ?? s.label.db ?? ctx.session.database;
  const objects = (s.objects ?? []).filter((o): o is Extract<BackupRestoreObject, { kind: 'BackupObject' }> => o.kind === 'BackupObject');
  const found = dbName === undefined ? undefined : getDatabase(ctx.services.catalog, dbName);
  if (objects.length === 0 || found === undefined || dbName === undefined) {
    reqs.push(need.catalog('CREATE DATABASE'));
    return reqs;
  }
  reqs.push(need.database('CREATE TABLE', dbName));
  for (const o of objects) {
    const local = o.alias ?? o.name.name;
    if (getTable(ctx.services.catalog, { dbId: found.id, name: local }) !== undefined) reqs.push(need.table('INSERT', dbName, local));
  }
  return reqs;
}

/**
 * Every table or view a query reads — FROM items, both sides of joins and set operations, FROM subqueries and
 * subqueries in expressions (ON, WHERE, select list, …) — information_schema excluded.
 */
function selectedRelations(ctx: ExecutionContext, query: QueryStmt): QualifiedName[] {
  const out: QualifiedName[] = [];
  const visitExpr = (e: Expr | undefined): void => {
    if (e === undefined) return;
    walkExpr(e, (x) => {
      if (x.kind === 'Subquery' || x.kind === 'Exists' || x.kind === 'InSubquery') visitQuery(x.query);
    });
  };
  const visitFrom = (from: FromItem | undefined): void => {
    if (from === undefined) return;
    switch (from.kind) {
      case 'SubqueryRef':
        visitQuery(from.query);
        return;
      case 'Join':
        visitFrom(from.left);
        visitFrom(from.right);
        visitExpr(from.on);
        return;
      case 'TableRef': {
        const dbName = from.name.db ?? ctx.session.database;
        if (dbName?.toLowerCase() !== INFORMATION_SCHEMA) out.push(from.name);
        return;
      }
      case 'TableFunctionRef':
        return;
    }
  };
  const visitQuery = (q: QueryStmt): void => {
    if (q.kind === 'SetOperation') {
      visitQuery(q.left);
      visitQuery(q.right);
      return;
    }
    visitFrom(q.from);
    for (const item of q.items) if (item.kind === 'SelectExpr') visitExpr(item.expr);
    visitExpr(q.where);
    q.groupBy.forEach(visitExpr);
    visitExpr(q.having);
    for (const o of q.orderBy) visitExpr(o.expr);
  };
  visitQuery(query);
  return out;
}

function skipInformationSchema(
  ctx: ExecutionContext, name: QualifiedName, otherwise: () => readonly PrivilegeRequirement[],
): readonly PrivilegeRequirement[] {
  const dbName = name.db ?? ctx.session.database;
  return dbName?.toLowerCase() === INFORMATION_SCHEMA ? [] : otherwise();
}

function isView(ctx: ExecutionContext, dbName: string, name: string): boolean {
  const found = getDatabase(ctx.services.catalog, dbName);
  return found !== undefined && getTable(ctx.services.catalog, { dbId: found.id, name })?.kind === 'VIEW';
}

/** Whether `'user'@'host'` is the account this session acts as. */
function isSelf(ctx: ExecutionContext, user: string, host: string): boolean {
  const me = ctx.services.access.resolve(ctx.session.user, ctx.session.host);
  return me !== undefined && me.account.user === user && me.account.host === host;
}

function holdsRole(ctx: ExecutionContext, role: string): boolean {
  const me = ctx.services.access.resolve(ctx.session.user, ctx.session.host);
  return me !== undefined && me.effectiveRoles.has(role);
}

/** GRANT/REVOKE without the GRANT privilege: allowed when every privilege is held WITH GRANT OPTION on the object. */
function grantOptionFor(ctx: ExecutionContext, privileges: readonly string[], object: PrivilegeObject): readonly PrivilegeRequirement[] {
  const stored = grantObjectOf(object, () => databaseName(ctx, undefined));
  let expanded: readonly string[];
  try {
    expanded = expandPrivileges(privileges, stored.objectType);
  } catch {
    // Invalid names: the handler reports them; without GRANT the statement is refused either way.
    return [need.system('GRANT')];
  }
  const target = targetOf(stored);
  return expanded.map((p) => ({ privileges: [p], target, withGrantOption: true }));
}
