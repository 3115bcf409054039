/**
 * SELECT: `SELECT [DISTINCT | ALL] items [FROM one source] [WHERE] [GROUP BY] [HAVING] [ORDER BY] [LIMIT]`.
 * A source is a table (with optional partitions), `TABLE(generate_series(…))` or a parenthesised subquery.
 *
 * Spec deviations: no joins, unions or CTEs (the AST has a single FromItem).
 */
import { tokenMatcher } from '../chevrotain.ts';
import type { Dsl, Rule, Rules } from '../parser.ts';
import * as t from '../tokens.ts';

const { kw } = t;

export interface SelectRules {
  selectStatement: Rule;
  selectItem: Rule;
  alias: Rule;
  fromItem: Rule;
  groupByClause: Rule;
}

export function defineSelectRules($: Dsl, r: Rules): void {
  r.selectStatement = $.addRule('selectStatement', () => {
    $.CONSUME(kw.SELECT);
    $.OPTION(() => $.OR([{ ALT: () => $.CONSUME(kw.DISTINCT) }, { ALT: () => $.CONSUME(kw.ALL) }]));
    $.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => $.SUBRULE(r.selectItem, { LABEL: 'item' }) });
    $.OPTION2(() => {
      $.CONSUME(kw.FROM);
      $.SUBRULE(r.fromItem);
    });
    $.OPTION3(() => {
      $.CONSUME(kw.WHERE);
      $.SUBRULE(r.expression, { LABEL: 'where' });
    });
    $.OPTION4(() => $.SUBRULE(r.groupByClause));
    $.OPTION5(() => {
      $.CONSUME(kw.HAVING);
      $.SUBRULE2(r.expression, { LABEL: 'having' });
    });
    $.OPTION6(() => $.SUBRULE(r.orderByClause));
    $.OPTION7(() => $.SUBRULE(r.limitClause));
  });

  r.selectItem = $.addRule('selectItem', () => {
    $.OR([
      { ALT: () => $.CONSUME(t.Star) },
      {
        // `t.*`: decided by a cheap gate rather than by LL(3) through the whole expression grammar.
        GATE: () => tokenMatcher($.LA(2), t.Dot) && tokenMatcher($.LA(3), t.Star),
        ALT: () => {
          $.SUBRULE(r.identifier, { LABEL: 'table' });
          $.CONSUME(t.Dot);
          $.CONSUME2(t.Star);
        },
      },
      {
        ALT: () => {
          $.SUBRULE(r.expression);
          $.OPTION(() => $.SUBRULE(r.alias));
        },
      },
    ]);
  });

  // `[AS] name`, or `AS 'string'`.
  r.alias = $.addRule('alias', () => {
    $.OR([
      {
        ALT: () => {
          $.CONSUME(kw.AS);
          $.SUBRULE(r.identOrString, { LABEL: 'name' });
        },
      },
      { ALT: () => $.SUBRULE(r.identifier, { LABEL: 'name' }) },
    ]);
  });

  r.fromItem = $.addRule('fromItem', () => {
    $.OR([
      {
        ALT: () => {
          $.CONSUME(kw.TABLE);
          $.CONSUME(t.LParen);
          $.SUBRULE(r.functionName);
          $.SUBRULE(r.functionArgs);
          $.CONSUME(t.RParen);
          $.OPTION(() => $.SUBRULE(r.alias));
        },
      },
      {
        ALT: () => {
          $.CONSUME2(t.LParen);
          $.SUBRULE(r.selectStatement, { LABEL: 'subquery' });
          $.CONSUME2(t.RParen);
          $.OPTION2(() => $.CONSUME(kw.AS));
          $.SUBRULE(r.identifier, { LABEL: 'subqueryAlias' });
        },
      },
      {
        ALT: () => {
          $.SUBRULE(r.qualifiedName, { LABEL: 'table' });
          $.OPTION3(() => $.SUBRULE(r.partitionNames));
          $.OPTION4(() => $.SUBRULE2(r.alias));
        },
      },
    ]);
  });

  r.groupByClause = $.addRule('groupByClause', () => {
    $.CONSUME(kw.GROUP);
    $.CONSUME(kw.BY);
    $.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => $.SUBRULE(r.expression, { LABEL: 'item' }) });
  });
}
