/** CREATE / DROP DATABASE, USE, SHOW DATABASES, SHOW CREATE DATABASE. */
import type { CreateDatabaseStmt, DropDatabaseStmt, ShowCreateStmt, ShowDatabasesStmt, UseStmt } from '../../../grammar/ast.ts';
import { createDatabase, getDatabase, listDatabases } from '../../catalog/index.ts';
import { analysisError } from '../../errors/index.ts';
import type { ExecutionContext } from '../context.ts';
import { unknownDatabase } from '../names.ts';
import { checkNoRestoreIntoDatabase } from '../restore/restore-guard.ts';
import { okResult, showResult, type StatementResult } from '../result.ts';
import { applyShowFilter } from '../show-filter.ts';
import { INFORMATION_SCHEMA } from './information-schema.ts';
import { raiseNote } from '../diagnostics.ts';
import { canSeeDatabase, databaseAccessDenied } from '../privileges/check.ts';
import { isScratchDatabase } from '../../jobs/verify/verify-steps.ts';

/** StarRocks' FeNameFormat database regex. */
const DB_NAME = /^[a-zA-Z]\w{0,255}$|^_[a-zA-Z0-9]\w{0,254}$/;

export function validateDatabaseName(name: string): void {
  if (!DB_NAME.test(name)) throw analysisError(`Incorrect database name '${name}'`);
}

export function executeCreateDatabase(ctx: ExecutionContext, node: CreateDatabaseStmt): StatementResult {
  validateDatabaseName(node.name);
  if (node.name.toLowerCase() === INFORMATION_SCHEMA) throw analysisError(`Can't create database '${node.name}'; it is a system database`);
  if (node.ifNotExists && getDatabase(ctx.services.catalog, node.name) !== undefined) raiseNote(ctx, 1007, `Can't create database '${node.name}'; database exists`);
  createDatabase(ctx.services.catalog, node.name, {
    ifNotExists: node.ifNotExists,
    properties: Object.fromEntries(node.properties.map((p) => [p.key, p.value])),
  });
  return okResult(1);
}

export function executeDropDatabase(ctx: ExecutionContext, node: DropDatabaseStmt): StatementResult {
  const db = getDatabase(ctx.services.catalog, node.name);
  if (db !== undefined) checkNoRestoreIntoDatabase(ctx.services.catalog, db);
  const dropped = ctx.services.store.dropDatabase(node.name, { ifExists: node.ifExists });
  if (!dropped && node.ifExists) raiseNote(ctx, 1008, `Can't drop database '${node.name}'; database doesn't exist`);
  if (dropped && ctx.session.database === node.name) ctx.session.database = undefined;
  return okResult(0);
}

export function executeUse(ctx: ExecutionContext, node: UseStmt): StatementResult {
  useDatabase(ctx, node.database);
  return okResult(0);
}

/**
 * Shared by USE, COM_INIT_DB and the database of a login. As StarRocks (and MySQL, 1044): only a database the
 * session holds some privilege in (or on) may be made current; unknown databases are 1049 either way.
 */
export function useDatabase(ctx: Pick<ExecutionContext, 'services' | 'session'>, name: string): void {
  if (name.toLowerCase() !== INFORMATION_SCHEMA && getDatabase(ctx.services.catalog, name) === undefined) throw unknownDatabase(name);
  if (!canSeeDatabase(ctx, name)) throw databaseAccessDenied(ctx, name);
  ctx.session.database = name;
}

/** SHOW DATABASES: information_schema and the databases the session holds some privilege in (StarRocks' filter). */
export function executeShowDatabases(ctx: ExecutionContext, node: ShowDatabasesStmt): StatementResult {
  // A restore-mode VERIFY's scratch database is no user's database: it exists only while the VERIFY runs.
  const visible = listDatabases(ctx.services.catalog).map((d) => d.name).filter((name) => !isScratchDatabase(name) && canSeeDatabase(ctx, name));
  const names = [INFORMATION_SCHEMA, ...visible].sort();
  return applyShowFilter(ctx, showResult(['Database'], names.map((n) => [n])), node.filter, 'Database');
}

export function executeShowCreateDatabase(ctx: ExecutionContext, node: ShowCreateStmt): StatementResult {
  const db = getDatabase(ctx.services.catalog, node.name.name);
  if (db === undefined) throw unknownDatabase(node.name.name);
  const props = Object.entries(db.properties);
  const text = `CREATE DATABASE \`${db.name}\`${props.length === 0 ? '' : `\nPROPERTIES (${props.map(([k, v]) => `"${k}" = "${v}"`).join(', ')})`}`;
  return showResult(['Database', 'Create Database'], [[db.name, text]]);
}
