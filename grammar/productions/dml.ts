/**
 * DML: `INSERT {INTO | OVERWRITE} [TABLE] t [PARTITION (…)] [WITH LABEL l] [(cols)] {VALUES (…), … | SELECT …}` and
 * `DELETE FROM t [PARTITION (…)] [WHERE …]`, `UPDATE t SET c = e, … [WHERE …]`.
 */
import type { Dsl, Rule, Rules } from '../parser.ts';
import * as t from '../tokens.ts';

const { kw } = t;

export interface DmlRules {
  insertStatement: Rule;
  valuesRow: Rule;
  deleteStatement: Rule;
  updateStatement: Rule;
  updateAssignment: Rule;
}

export function defineDmlRules($: Dsl, r: Rules): void {
  r.insertStatement = $.addRule('insertStatement', () => {
    $.CONSUME(kw.INSERT);
    $.OR([{ ALT: () => $.CONSUME(kw.INTO) }, { ALT: () => $.CONSUME(kw.OVERWRITE) }]);
    $.OPTION(() => $.CONSUME(kw.TABLE));
    $.SUBRULE(r.qualifiedName, { LABEL: 'table' });
    $.OPTION2(() => $.SUBRULE(r.partitionNames));
    $.OPTION3(() => {
      $.CONSUME(kw.WITH);
      $.CONSUME(kw.LABEL);
      $.SUBRULE(r.identifier, { LABEL: 'label' });
    });
    $.OPTION4(() => $.SUBRULE(r.identifierList, { LABEL: 'columns' }));
    $.OR2([
      {
        ALT: () => {
          $.OR3([{ ALT: () => $.CONSUME(kw.VALUES) }, { ALT: () => $.CONSUME(kw.VALUE) }]);
          $.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => $.SUBRULE(r.valuesRow, { LABEL: 'row' }) });
        },
      },
      { ALT: () => $.SUBRULE(r.selectStatement, { LABEL: 'query' }) },
    ]);
  });

  r.valuesRow = $.addRule('valuesRow', () => {
    $.CONSUME(t.LParen);
    $.MANY_SEP({ SEP: t.Comma, DEF: () => $.SUBRULE(r.expression, { LABEL: 'value' }) });
    $.CONSUME(t.RParen);
  });

  r.deleteStatement = $.addRule('deleteStatement', () => {
    $.CONSUME(kw.DELETE);
    $.CONSUME(kw.FROM);
    $.SUBRULE(r.qualifiedName, { LABEL: 'table' });
    $.OPTION(() => $.SUBRULE(r.partitionNames));
    $.OPTION2(() => {
      $.CONSUME(kw.WHERE);
      $.SUBRULE(r.expression, { LABEL: 'where' });
    });
  });

  // UPDATE t SET c = expr, … [WHERE …] (StarRocks single-table UPDATE; the analyzer requires the WHERE).
  r.updateStatement = $.addRule('updateStatement', () => {
    $.CONSUME(kw.UPDATE);
    $.SUBRULE(r.qualifiedName, { LABEL: 'table' });
    $.CONSUME(kw.SET);
    $.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => $.SUBRULE(r.updateAssignment, { LABEL: 'assignment' }) });
    $.OPTION(() => {
      $.CONSUME(kw.WHERE);
      $.SUBRULE(r.expression, { LABEL: 'where' });
    });
  });

  r.updateAssignment = $.addRule('updateAssignment', () => {
    $.SUBRULE(r.identifier, { LABEL: 'column' });
    $.CONSUME(t.Equals);
    $.SUBRULE(r.expression, { LABEL: 'value' });
  });
}
