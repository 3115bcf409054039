/** CST → ShowMeta (the MySQL metadata SHOW forms of productions/show-meta.ts). */
import type { CstNode } from 'chevrotain';
import type { ShowMetaStmt, ShowMetaWhat } from '../ast.ts';
import { child, has, optNode } from '../cst.ts';
import { identifier, qualifiedName, withFilter } from './common.ts';
import { expr } from './expressions.ts';

function database(node: CstNode): { readonly database?: string } {
  const db = optNode(node, 'showMetaDatabase');
  return db === undefined ? {} : { database: identifier(child(db, 'database')) };
}

export function showMeta(node: CstNode): ShowMetaStmt {
  const index = optNode(node, 'showIndexForm');
  if (index !== undefined) {
    const where = optNode(index, 'where');
    const table = qualifiedName(child(index, 'table'));
    const db = database(index).database;
    return {
      kind: 'ShowMeta',
      what: 'INDEX',
      // `SHOW INDEX FROM t FROM db` names the database of t, as `SHOW COLUMNS` does.
      table: db === undefined ? table : { db, name: table.name },
      ...(where === undefined ? {} : { filter: { kind: 'Where', expr: expr(where) } }),
    };
  }
  const list = optNode(node, 'showNamedListForm');
  if (list !== undefined) {
    const what: ShowMetaWhat = has(list, 'tableStatus') ? 'TABLE STATUS'
      : has(list, 'triggers') ? 'TRIGGERS'
      : has(list, 'events') ? 'EVENTS'
      : has(list, 'charset') ? 'CHARSET'
      : has(list, 'collation') ? 'COLLATION'
      : has(list, 'procedure') ? 'PROCEDURE STATUS'
      : 'FUNCTION STATUS';
    return { kind: 'ShowMeta', what, ...database(list), ...withFilter(list) };
  }
  return { kind: 'ShowMeta', what: has(node, 'engines') ? 'ENGINES' : has(node, 'plugins') ? 'PLUGINS' : 'PRIVILEGES' };
}
