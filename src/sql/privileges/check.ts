/**
 * Enforcement: the executor's hook (authorizeStatement), the general check (checkPrivileges), the quiet test the
 * SHOW BACKUP handler filters with (canSee), and the denial errors.
 *
 * Denials: table commands (SELECT, INSERT, DELETE, UPDATE, ALTER, DROP on one table or view) are MySQL's 1142
 * `<PRIV> command denied to user 'u'@'host' for table 'db.t'`, which MySQL tools recognise; everything else is
 * 1227 in StarRocks 3.x's wording, `Access denied; you need (at least one of) the <PRIV> privilege(s) on <OBJECT>
 * for this operation. …`.
 */
import type { Statement } from '../../../grammar/ast.ts';
import { SqlError, sqlError } from '../../errors/index.ts';
import type { ExecutionContext } from '../context.ts';
import type { ResolvedAccount } from './access-control.ts';
import { describeTarget, need, type PrivilegeRequirement } from './model.ts';
import { requiredPrivileges } from './required.ts';
import { INFORMATION_SCHEMA } from '../handlers/information-schema.ts';

const TABLE_COMMANDS = new Set(['SELECT', 'INSERT', 'DELETE', 'UPDATE', 'ALTER', 'DROP']);

/** The account the session acts as (undefined when no account matches its user and host). */
export function sessionAccount(ctx: ExecutionContext): ResolvedAccount | undefined {
  return ctx.services.access.resolve(ctx.session.user, ctx.session.host);
}

/**
 * The executor's hook: throw the denial for the first requirement of `statement` the session does not meet.
 * Superusers (root, db_admin) skip the requirement analysis entirely, so their statements pay one map lookup.
 */
export function authorizeStatement(ctx: ExecutionContext, statement: Statement): void {
  const me = sessionAccount(ctx);
  if (me?.superuser === true) return;
  checkPrivileges(ctx, requiredPrivileges(statement, ctx));
}

/** Throw (1142 / 1227) unless every requirement holds for the session. */
export function checkPrivileges(ctx: ExecutionContext, requirements: readonly PrivilegeRequirement[]): void {
  const me = sessionAccount(ctx);
  for (const req of requirements) {
    if (!satisfied(ctx, me, req)) throw accessDenied(ctx, me, req);
  }
}

/** Whether every requirement holds, without throwing. */
export function holds(ctx: ExecutionContext, requirements: readonly PrivilegeRequirement[]): boolean {
  const me = sessionAccount(ctx);
  return requirements.every((r) => satisfied(ctx, me, r));
}

/**
 * Whether the session may see an object that involves `tables` of `db` — for SHOW BACKUP, which (like StarRocks)
 * silently leaves out jobs whose tables the user lacks `privilege` (default EXPORT) on, instead of failing.
 */
export function canSee(ctx: ExecutionContext, db: string, tables: readonly string[], privilege = 'EXPORT'): boolean {
  return holds(ctx, tables.map((t) => need.table(privilege, db, t)));
}

function satisfied(ctx: ExecutionContext, me: ResolvedAccount | undefined, req: PrivilegeRequirement): boolean {
  const access = ctx.services.access;
  if (req.privileges.some((p) => access.allows(me, p, req.target, req.withGrantOption === true))) return true;
  return req.otherwise !== undefined && req.otherwise.length > 0 && req.otherwise.every((r) => satisfied(ctx, me, r));
}

/** The denial error for an unmet requirement. */
export function accessDenied(ctx: ExecutionContext, me: ResolvedAccount | undefined, req: PrivilegeRequirement): SqlError {
  const t = req.target;
  const single = req.privileges.length === 1 ? req.privileges[0] : undefined;
  if ((t.kind === 'TABLE' || t.kind === 'VIEW') && t.name !== '*' && single !== undefined && TABLE_COMMANDS.has(single) && req.withGrantOption !== true) {
    return sqlError(
      'ER_TABLEACCESS_DENIED_ERROR',
      `${single} command denied to user '${ctx.session.user}'@'${ctx.session.host}' for table '${t.db}.${t.name}'`,
    );
  }
  const roles = me === undefined || me.grantedRoles.length === 0 ? 'NONE' : `[${me.grantedRoles.join(', ')}]`;
  const option = req.withGrantOption === true ? ' (WITH GRANT OPTION)' : '';
  return sqlError(
    'ER_SPECIFIC_ACCESS_DENIED_ERROR',
    `Access denied; you need (at least one of) the ${req.privileges.join(', ')} privilege(s)${option} on ${describeTarget(t)} ` +
      `for this operation. Please ask the admin to grant permission(s). Current role(s): ${roles}.`,
  );
}

/** Whether the session may see and USE database `db` (information_schema: everyone). */
export function canSeeDatabase(ctx: Pick<ExecutionContext, 'services' | 'session'>, db: string): boolean {
  if (db.toLowerCase() === INFORMATION_SCHEMA) return true;
  const { access } = ctx.services;
  return access.seesDatabase(access.resolve(ctx.session.user, ctx.session.host), db);
}

/** Whether the session may see table or view `db.name` in SHOW TABLES and information_schema. */
export function canSeeTable(ctx: Pick<ExecutionContext, 'services' | 'session'>, db: string, name: string): boolean {
  const { access } = ctx.services;
  return access.seesTable(access.resolve(ctx.session.user, ctx.session.host), db, name);
}

/** MySQL's 1044 for USE (and COM_INIT_DB, SHOW TABLES FROM) of a database the session has no privilege in. */
export function databaseAccessDenied(ctx: Pick<ExecutionContext, 'session'>, db: string): SqlError {
  return sqlError('ER_DBACCESS_DENIED_ERROR', `Access denied for user '${ctx.session.user}'@'${ctx.session.host}' to database '${db}'`);
}
