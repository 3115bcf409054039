/**
 * What DELETE … WHERE may say on DUPLICATE KEY tables (StarRocks' DeleteAnalyzer): conditions `column op value`
 * (=, !=, <, <=, >, >=), `column [NOT] IN (values)` and `column IS [NOT] NULL`, joined by AND only. PRIMARY KEY
 * tables take any WHERE, as in StarRocks. AGGREGATE and UNIQUE KEY tables also take any WHERE here, over their
 * merged rows (StarRocks allows only key-column conditions there; tablevault rewrites survivors, so it need not).
 */
import type { Expr } from '../../../grammar/ast.ts';
import type { TableMeta } from '../../catalog/index.ts';
import { analysisError, sqlError } from '../../errors/index.ts';

const COMPARISONS = new Set(['=', '!=', '<', '<=', '>', '>=']);

function isValue(e: Expr): boolean {
  if (e.kind === 'NumberLiteral' || e.kind === 'StringLiteral' || e.kind === 'BooleanLiteral' || e.kind === 'TypedLiteral') return true;
  return e.kind === 'Unary' && e.op === '-' && e.operand.kind === 'NumberLiteral';
}

/** Throw StarRocks' message for the first part of `where` a DUPLICATE KEY table cannot delete by. */
export function checkDeleteConditions(table: TableMeta, where: Expr): void {
  const column = (e: Expr, what: string): void => {
    if (e.kind !== 'ColumnRef') throw analysisError(`Left expr of ${what} should be column name`);
    const c = table.columns.find((x) => x.name.toLowerCase() === e.name.toLowerCase());
    if (c === undefined) throw sqlError('ER_BAD_FIELD_ERROR', `Unknown column '${e.name}' in '${table.name}'`);
  };
  const visit = (e: Expr): void => {
    if (e.kind === 'Binary' && e.op === 'AND') {
      visit(e.left);
      visit(e.right);
      return;
    }
    if (e.kind === 'Binary' && (e.op === 'OR' || e.op === 'XOR')) {
      throw analysisError(`Compound predicate's op should be AND. Delete from a ${table.keyModel} KEY table with one DELETE per OR branch`);
    }
    if (e.kind === 'Binary' && COMPARISONS.has(e.op)) {
      column(e.left, 'binary predicate');
      if (!isValue(e.right)) throw analysisError('Right expr of binary predicate should be value');
      return;
    }
    if (e.kind === 'In') {
      column(e.expr, 'in predicate');
      if (!e.list.every(isValue)) throw analysisError('Child of in predicate should be value');
      return;
    }
    if (e.kind === 'IsNull') {
      column(e.expr, 'is_null predicate');
      return;
    }
    throw analysisError(
      `Where clause only supports compound predicate, binary predicate, is_null predicate or in predicate (on ${table.keyModel} KEY tables; PRIMARY KEY tables take any WHERE)`,
    );
  };
  visit(where);
}
