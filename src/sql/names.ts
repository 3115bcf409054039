/**
 * Name resolution shared by every handler: the current database, databases and tables by name, with the MySQL
 * errors clients expect (1046, 1049, 1146) and a hint on what to do.
 */
import type { QualifiedName } from '../../grammar/ast.ts';
import { getDatabase, getTable, type Database, type TableMeta } from '../catalog/index.ts';
import { sqlError } from '../errors/index.ts';
import type { ExecutionContext } from './context.ts';

/** The database a statement means: the explicit one, else the session's current database. */
export function databaseName(ctx: ExecutionContext, explicit: string | undefined): string {
  const name = explicit ?? ctx.session.database;
  if (name === undefined) throw sqlError('ER_NO_DB_ERROR', 'No database selected. Run USE <database> or qualify the name as db.table');
  return name;
}

export function requireDatabase(ctx: ExecutionContext, explicit: string | undefined): Database {
  const name = databaseName(ctx, explicit);
  const db = getDatabase(ctx.services.catalog, name);
  if (db === undefined) throw unknownDatabase(name);
  return db;
}

export function unknownDatabase(name: string): Error {
  return sqlError('ER_BAD_DB_ERROR', `Unknown database '${name}'`);
}

/** A visible table or view by name; throws 1146 when missing. */
export function requireTable(ctx: ExecutionContext, name: QualifiedName): { readonly db: Database; readonly table: TableMeta } {
  const db = requireDatabase(ctx, name.db);
  const table = findTable(ctx, db, name.name);
  if (table === undefined) throw unknownTable(db.name, name.name);
  return { db, table };
}

/** A visible table or view, or undefined. */
export function findTable(ctx: ExecutionContext, db: Database, name: string): TableMeta | undefined {
  const table = getTable(ctx.services.catalog, { dbId: db.id, name });
  return table !== undefined && table.visible ? table : undefined;
}

export function unknownTable(db: string, table: string): Error {
  return sqlError('ER_NO_SUCH_TABLE', `Table '${db}.${table}' doesn't exist`);
}

/** An OLAP table (not a view); errors name what was found instead. */
export function requireOlapTable(ctx: ExecutionContext, name: QualifiedName): { readonly db: Database; readonly table: TableMeta } {
  const found = requireTable(ctx, name);
  if (found.table.kind !== 'OLAP') throw sqlError('ER_WRONG_OBJECT', `'${found.db.name}.${found.table.name}' is not BASE TABLE (it is a view)`);
  return found;
}
