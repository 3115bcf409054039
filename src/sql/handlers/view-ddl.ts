/**
 * CREATE [OR REPLACE] VIEW, ALTER VIEW and DROP VIEW: the query is analysed now (names, types), stored as written.
 * Replacing or altering a view changes it in place (same id, so grants and backups follow it).
 */
import type { AlterViewStmt, CreateViewStmt, QualifiedName, QueryStmt } from '../../../grammar/ast.ts';
import { createTable, replaceView, type ColumnMeta } from '../../catalog/index.ts';
import { analysisError, sqlError } from '../../errors/index.ts';
import type { ExecutionContext } from '../context.ts';
import { findTable, requireDatabase, unknownTable } from '../names.ts';
import { checkNotRestoreTarget } from '../restore/restore-guard.ts';
import { okResult, type StatementResult } from '../result.ts';
import { selectRowSource } from '../select/select-source.ts';
import { sessionEvalContext } from '../session-eval-context.ts';
import { tableResolver } from '../table/table-source.ts';
import { validateTableName } from './table-ddl.ts';

type ViewColumns = CreateViewStmt['columns'];

/** Analyse a view's query in the view's database (unknown tables or columns fail now, not at first use). */
async function viewColumns(ctx: ExecutionContext, db: { readonly name: string }, name: QualifiedName, query: QueryStmt, declared: ViewColumns): Promise<ColumnMeta[]> {
  const viewCtx: ExecutionContext = { ...ctx, session: { ...ctx.session, database: db.name } };
  const evalCtx = sessionEvalContext(viewCtx);
  const source = await selectRowSource(query, { resolveTable: tableResolver(viewCtx, evalCtx), ctx: evalCtx, signal: ctx.signal });
  if (declared && declared.length !== source.columns.length) {
    throw analysisError(`The number of columns of the view (${declared.length}) does not match the number of columns of the query (${source.columns.length})`);
  }
  const names = source.columns.map((c, i) => declared?.[i]?.name ?? c.name);
  const dup = names.find((n, i) => names.findIndex((m) => m.toLowerCase() === n.toLowerCase()) !== i);
  if (dup !== undefined) throw sqlError('ER_DUP_FIELDNAME', `Duplicate column name '${dup}' in view ${name.name}: give the columns distinct aliases`);
  return source.columns.map((c, i) => ({
    name: names[i] as string,
    type: c.type,
    nullable: c.nullable,
    default: null,
    aggregate: null,
    isKey: false,
    comment: declared?.[i]?.comment ?? '',
    autoIncrement: false,
  }));
}

export async function executeCreateView(ctx: ExecutionContext, node: CreateViewStmt): Promise<StatementResult> {
  const db = requireDatabase(ctx, node.name.db);
  validateTableName(node.name.name);
  const existing = findTable(ctx, db, node.name.name);
  if (existing !== undefined) {
    if (node.ifNotExists) return okResult(0);
    if (!node.orReplace) throw sqlError('ER_TABLE_EXISTS_ERROR', `Table '${node.name.name}' already exists`);
    if (existing.kind !== 'VIEW') throw sqlError('ER_WRONG_OBJECT', `'${db.name}.${existing.name}' is not VIEW: CREATE OR REPLACE VIEW can not replace a table`);
  }
  const columns = await viewColumns(ctx, db, node.name, node.query, node.columns);
  if (existing !== undefined) {
    checkNotRestoreTarget(ctx.services.catalog, db, existing, 'replaced');
    replaceView(ctx.services.catalog, existing.id, { columns, viewDefinition: node.queryText, comment: node.comment ?? '' });
    return okResult(0);
  }
  createTable(ctx.services.catalog, {
    dbId: db.id,
    name: node.name.name,
    kind: 'VIEW',
    columns,
    viewDefinition: node.queryText,
    ...(node.comment === undefined ? {} : { comment: node.comment }),
  });
  return okResult(0);
}

/** `ALTER VIEW v [(cols)] AS query`: StarRocks' form; the view must exist and be a view. */
export async function executeAlterView(ctx: ExecutionContext, node: AlterViewStmt): Promise<StatementResult> {
  const db = requireDatabase(ctx, node.name.db);
  const existing = findTable(ctx, db, node.name.name);
  if (existing === undefined) throw unknownTable(db.name, node.name.name);
  if (existing.kind !== 'VIEW') throw sqlError('ER_WRONG_OBJECT', `'${db.name}.${existing.name}' is not VIEW: use ALTER TABLE for tables`);
  const columns = await viewColumns(ctx, db, node.name, node.query, node.columns);
  checkNotRestoreTarget(ctx.services.catalog, db, existing, 'altered');
  replaceView(ctx.services.catalog, existing.id, { columns, viewDefinition: node.queryText });
  return okResult(0);
}
