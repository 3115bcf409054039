/**
 * Session and server administration: SET (variables, NAMES, CHARACTER SET, PASSWORD), SHOW VARIABLES / STATUS /
 * PROCESSLIST / WARNINGS / ERRORS, KILL. (Transactions, SET TRANSACTION and LOCK TABLES: transaction.ts.)
 */
import type { Dsl, Rule, Rules } from '../parser.ts';
import * as t from '../tokens.ts';
import { startsSetTransaction } from './transaction.ts';

const { kw } = t;

export interface SessionRules {
  setStatement: Rule;
  setAssignment: Rule;
  setValue: Rule;
  assignOp: Rule;
  scopeModifier: Rule;
  showVariablesBody: Rule;
  showStatusBody: Rule;
  showProcesslistBody: Rule;
  showWarningsBody: Rule;
  killStatement: Rule;
}

export function defineSessionRules($: Dsl, r: Rules): void {
  r.setStatement = $.addRule('setStatement', () => {
    $.CONSUME(kw.SET);
    $.OR([
      // `SET [GLOBAL | SESSION] TRANSACTION ISOLATION LEVEL …` (transaction.ts), told from a variable by the words after.
      { GATE: () => startsSetTransaction((i) => $.LA(i)), ALT: () => $.SUBRULE(r.setTransactionBody), IGNORE_AMBIGUITIES: true },
      // `SET PASSWORD =` is always the password statement, as in MySQL: no variable is called `password`.
      { ALT: () => $.SUBRULE(r.setPasswordBody), IGNORE_AMBIGUITIES: true },
      { ALT: () => $.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => $.SUBRULE(r.setAssignment, { LABEL: 'assignment' }) }) },
    ]);
  });

  r.assignOp = $.addRule('assignOp', () => {
    $.OR([{ ALT: () => $.CONSUME(t.Equals) }, { ALT: () => $.CONSUME(t.ColonEquals) }]);
  });

  r.setAssignment = $.addRule('setAssignment', () => {
    $.OR([
      {
        ALT: () => {
          $.CONSUME(kw.NAMES);
          $.OR2([
            { ALT: () => $.CONSUME(kw.DEFAULT, { LABEL: 'defaultCharset' }) },
            {
              ALT: () => {
                $.SUBRULE(r.identOrString, { LABEL: 'charset' });
                $.OPTION(() => {
                  $.CONSUME(kw.COLLATE);
                  $.SUBRULE2(r.identOrString, { LABEL: 'collation' });
                });
              },
            },
          ]);
        },
      },
      {
        ALT: () => {
          $.OR3([
            {
              ALT: () => {
                $.CONSUME(kw.CHARACTER);
                $.CONSUME(kw.SET);
              },
            },
            { ALT: () => $.CONSUME(kw.CHARSET) },
          ]);
          $.OR4([
            { ALT: () => $.CONSUME2(kw.DEFAULT, { LABEL: 'defaultCharset' }) },
            { ALT: () => $.SUBRULE3(r.identOrString, { LABEL: 'charset' }) },
          ]);
        },
      },
      {
        ALT: () => {
          $.OR6([
            { ALT: () => $.CONSUME(t.SystemVariable, { LABEL: 'variable' }) },
            { ALT: () => $.CONSUME(t.UserVariable, { LABEL: 'variable' }) },
          ]);
          $.SUBRULE(r.assignOp);
          $.SUBRULE(r.setValue, { LABEL: 'value' });
        },
      },
      {
        ALT: () => {
          $.OPTION2(() => $.SUBRULE(r.scopeModifier));
          $.SUBRULE(r.identifier, { LABEL: 'name' });
          $.SUBRULE2(r.assignOp);
          $.SUBRULE2(r.setValue, { LABEL: 'value' });
        },
      },
    ]);
  });

  // ON / DEFAULT are reserved words, so they get their own alternatives; everything else is an expression.
  r.setValue = $.addRule('setValue', () => {
    $.OR([
      { ALT: () => $.CONSUME(kw.ON, { LABEL: 'word' }) },
      { ALT: () => $.CONSUME(kw.DEFAULT, { LABEL: 'word' }) },
      { ALT: () => $.SUBRULE(r.expression) },
    ]);
  });

  r.scopeModifier = $.addRule('scopeModifier', () => {
    $.OR([
      { ALT: () => $.CONSUME(kw.GLOBAL, { LABEL: 'scope' }) },
      { ALT: () => $.CONSUME(kw.SESSION, { LABEL: 'scope' }) },
      { ALT: () => $.CONSUME(kw.LOCAL, { LABEL: 'scope' }) },
    ]);
  });

  r.showVariablesBody = $.addRule('showVariablesBody', () => {
    $.OPTION(() => $.SUBRULE(r.scopeModifier));
    $.CONSUME(kw.VARIABLES);
    $.OPTION2(() => $.SUBRULE(r.showFilter));
  });

  r.showStatusBody = $.addRule('showStatusBody', () => {
    $.OPTION(() => $.SUBRULE(r.scopeModifier));
    $.CONSUME(kw.STATUS);
    $.OPTION2(() => $.SUBRULE(r.showFilter));
  });

  r.showProcesslistBody = $.addRule('showProcesslistBody', () => {
    $.OPTION(() => $.CONSUME(kw.FULL));
    $.CONSUME(kw.PROCESSLIST);
  });

  r.showWarningsBody = $.addRule('showWarningsBody', () => {
    $.OR([{ ALT: () => $.CONSUME(kw.WARNINGS) }, { ALT: () => $.CONSUME(kw.ERRORS, { LABEL: 'errors' }) }]);
    $.OPTION(() => $.SUBRULE(r.limitClause));
  });

  r.killStatement = $.addRule('killStatement', () => {
    $.CONSUME(kw.KILL);
    $.OPTION(() => $.OR([{ ALT: () => $.CONSUME(kw.CONNECTION) }, { ALT: () => $.CONSUME(kw.QUERY, { LABEL: 'query' }) }]));
    $.CONSUME(t.NumberLiteral, { LABEL: 'id' });
  });
}
