/** CREATE [OR REPLACE] VIEW and DROP VIEW: the query is analysed now (names, types), stored as written. */
import type { CreateViewStmt } from '../../../grammar/ast.ts';
import { createTable, type ColumnMeta } from '../../catalog/index.ts';
import { analysisError, sqlError } from '../../errors/index.ts';
import type { ExecutionContext } from '../context.ts';
import { findTable, requireDatabase } from '../names.ts';
import { okResult, type StatementResult } from '../result.ts';
import { selectRowSource } from '../select/select-source.ts';
import { sessionEvalContext } from '../session-eval-context.ts';
import { tableResolver } from '../table/table-source.ts';
import { validateTableName } from './table-ddl.ts';

export async function executeCreateView(ctx: ExecutionContext, node: CreateViewStmt): Promise<StatementResult> {
  const db = requireDatabase(ctx, node.name.db);
  validateTableName(node.name.name);
  const existing = findTable(ctx, db, node.name.name);
  if (existing !== undefined) {
    if (node.ifNotExists) return okResult(0);
    if (!node.orReplace) throw sqlError('ER_TABLE_EXISTS_ERROR', `Table '${node.name.name}' already exists`);
    if (existing.kind !== 'VIEW') throw sqlError('ER_WRONG_OBJECT', `'${db.name}.${existing.name}' is not VIEW: CREATE OR REPLACE VIEW can not replace a table`);
  }
  // Analyse the query in the view's database: unknown tables or columns fail now, not at first use.
  const viewCtx: ExecutionContext = { ...ctx, session: { ...ctx.session, database: db.name } };
  const evalCtx = sessionEvalContext(viewCtx);
  const source = await selectRowSource(node.query, { resolveTable: tableResolver(viewCtx, evalCtx), ctx: evalCtx, signal: ctx.signal });
  if (node.columns && node.columns.length !== source.columns.length) {
    throw analysisError(`The number of columns of the view (${node.columns.length}) does not match the number of columns of the query (${source.columns.length})`);
  }
  const names = source.columns.map((c, i) => node.columns?.[i]?.name ?? c.name);
  const dup = names.find((n, i) => names.findIndex((m) => m.toLowerCase() === n.toLowerCase()) !== i);
  if (dup !== undefined) throw sqlError('ER_DUP_FIELDNAME', `Duplicate column name '${dup}' in view ${node.name.name}: give the columns distinct aliases`);
  const columns: ColumnMeta[] = source.columns.map((c, i) => ({
    name: names[i] as string,
    type: c.type,
    nullable: c.nullable,
    default: null,
    aggregate: null,
    isKey: false,
    comment: node.columns?.[i]?.comment ?? '',
    autoIncrement: false,
  }));
  ctx.services.catalog.transaction(() => {
    if (existing !== undefined) ctx.services.store.dropTable(existing.id);
    createTable(ctx.services.catalog, {
      dbId: db.id,
      name: node.name.name,
      kind: 'VIEW',
      columns,
      viewDefinition: node.queryText,
      ...(node.comment === undefined ? {} : { comment: node.comment }),
    });
  });
  return okResult(0);
}
