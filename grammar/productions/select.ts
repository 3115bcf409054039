/**
 * Queries, StarRocks' shape:
 *   selectStatement := queryTerm ({UNION | EXCEPT | MINUS} [ALL | DISTINCT] queryTerm)* [ORDER BY …] [LIMIT …]
 *   queryTerm       := queryPrimary (INTERSECT [ALL | DISTINCT] queryPrimary)*      (INTERSECT binds tighter)
 *   queryPrimary    := selectBlock | '(' selectStatement ')'
 *   selectBlock     := SELECT [DISTINCT | ALL] items [FROM relations] [WHERE] [GROUP BY] [HAVING]
 * FROM is a comma list of relations, each a primary followed by joins; a primary is a table (with optional
 * partitions), `TABLE(generate_series(…))`, a parenthesised subquery with an alias, or a parenthesised join.
 *
 * Spec deviations: no CTEs (WITH), no LATERAL, no derived-table column lists, no row constructors (`(a, b) IN
 * (SELECT …)`); a parenthesised FROM item whose first token after the parentheses is SELECT is always read as a
 * subquery.
 */
import type { IToken } from 'chevrotain';
import { tokenMatcher } from '../chevrotain.ts';
import type { Dsl, Rule, Rules } from '../parser.ts';
import * as t from '../tokens.ts';

const { kw } = t;

export interface SelectRules {
  selectStatement: Rule;
  queryTerm: Rule;
  queryPrimary: Rule;
  selectBlock: Rule;
  selectItem: Rule;
  alias: Rule;
  relations: Rule;
  relation: Rule;
  joinClause: Rule;
  joinCriteria: Rule;
  fromItem: Rule;
  groupByClause: Rule;
  setQuantifier: Rule;
}

/** True when the tokens from `LA(start)` on are `(`…`(` followed by SELECT (a subquery, however parenthesised). */
export function opensSubquery(la: (i: number) => IToken, start: number): boolean {
  let i = start;
  while (tokenMatcher(la(i), t.LParen)) i++;
  return i > start && tokenMatcher(la(i), kw.SELECT);
}

export function defineSelectRules($: Dsl, r: Rules): void {
  r.selectStatement = $.addRule('selectStatement', () => {
    $.SUBRULE(r.queryTerm, { LABEL: 'term' });
    $.MANY(() => {
      $.OR([
        { ALT: () => $.CONSUME(kw.UNION, { LABEL: 'setOp' }) },
        { ALT: () => $.CONSUME(kw.EXCEPT, { LABEL: 'setOp' }) },
        { ALT: () => $.CONSUME(kw.MINUS, { LABEL: 'setOp' }) },
      ]);
      $.OPTION(() => $.SUBRULE(r.setQuantifier, { LABEL: 'quantifier' }));
      $.SUBRULE2(r.queryTerm, { LABEL: 'term' });
    });
    $.OPTION2(() => $.SUBRULE(r.orderByClause));
    $.OPTION3(() => $.SUBRULE(r.limitClause));
  });

  r.queryTerm = $.addRule('queryTerm', () => {
    $.SUBRULE(r.queryPrimary, { LABEL: 'primary' });
    $.MANY(() => {
      $.CONSUME(kw.INTERSECT, { LABEL: 'setOp' });
      $.OPTION(() => $.SUBRULE(r.setQuantifier, { LABEL: 'quantifier' }));
      $.SUBRULE2(r.queryPrimary, { LABEL: 'primary' });
    });
  });

  r.setQuantifier = $.addRule('setQuantifier', () => {
    $.OR([{ ALT: () => $.CONSUME(kw.ALL) }, { ALT: () => $.CONSUME(kw.DISTINCT) }]);
  });

  r.queryPrimary = $.addRule('queryPrimary', () => {
    $.OR([
      { ALT: () => $.SUBRULE(r.selectBlock, { LABEL: 'block' }) },
      {
        ALT: () => {
          $.CONSUME(t.LParen);
          $.SUBRULE(r.selectStatement, { LABEL: 'nested' });
          $.CONSUME(t.RParen);
        },
      },
    ]);
  });

  r.selectBlock = $.addRule('selectBlock', () => {
    $.CONSUME(kw.SELECT);
    $.OPTION(() => $.OR([{ ALT: () => $.CONSUME(kw.DISTINCT) }, { ALT: () => $.CONSUME(kw.ALL) }]));
    $.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => $.SUBRULE(r.selectItem, { LABEL: 'item' }) });
    $.OPTION2(() => {
      $.CONSUME(kw.FROM);
      $.SUBRULE(r.relations);
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

  // `a, b JOIN c ON …`: the comma binds loosest (MySQL and StarRocks), so this is a CROSS (b JOIN c).
  r.relations = $.addRule('relations', () => {
    $.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => $.SUBRULE(r.relation, { LABEL: 'relation' }) });
  });

  r.relation = $.addRule('relation', () => {
    $.SUBRULE(r.fromItem, { LABEL: 'primary' });
    $.MANY(() => $.SUBRULE(r.joinClause, { LABEL: 'join' }));
  });

  r.joinClause = $.addRule('joinClause', () => {
    $.OPTION(() =>
      $.OR([
        { ALT: () => $.CONSUME(kw.INNER, { LABEL: 'joinType' }) },
        { ALT: () => $.CONSUME(kw.CROSS, { LABEL: 'joinType' }) },
        {
          ALT: () => {
            $.OR2([
              { ALT: () => $.CONSUME(kw.LEFT, { LABEL: 'joinType' }) },
              { ALT: () => $.CONSUME(kw.RIGHT, { LABEL: 'joinType' }) },
            ]);
            $.OPTION2(() =>
              $.OR3([
                { ALT: () => $.CONSUME(kw.OUTER) },
                { ALT: () => $.CONSUME(kw.SEMI, { LABEL: 'semiAnti' }) },
                { ALT: () => $.CONSUME(kw.ANTI, { LABEL: 'semiAnti' }) },
              ]),
            );
          },
        },
        {
          ALT: () => {
            $.CONSUME(kw.FULL, { LABEL: 'joinType' });
            $.OPTION3(() => $.CONSUME2(kw.OUTER));
          },
        },
      ]),
    );
    $.CONSUME(kw.JOIN);
    // StarRocks' distribution hints: `JOIN [BROADCAST]`, `[SHUFFLE]`, `[BUCKET]`, `[COLOCATE]`, `[UNREORDER]`.
    $.OPTION4(() => {
      $.CONSUME(t.LBracket);
      $.SUBRULE(r.identifier, { LABEL: 'hint' });
      $.CONSUME(t.RBracket);
    });
    $.SUBRULE(r.fromItem, { LABEL: 'right' });
    $.OPTION5(() => $.SUBRULE(r.joinCriteria));
  });

  r.joinCriteria = $.addRule('joinCriteria', () => {
    $.OR([
      {
        ALT: () => {
          $.CONSUME(kw.ON);
          $.SUBRULE(r.expression, { LABEL: 'on' });
        },
      },
      {
        ALT: () => {
          $.CONSUME(kw.USING);
          $.CONSUME(t.LParen);
          $.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => $.SUBRULE(r.identifier, { LABEL: 'using' }) });
          $.CONSUME(t.RParen);
        },
      },
    ]);
  });

  r.fromItem = $.addRule('fromItem', () => {
    $.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
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
          GATE: () => opensSubquery((i) => $.LA(i), 1),
          ALT: () => {
            $.CONSUME2(t.LParen);
            $.SUBRULE(r.selectStatement, { LABEL: 'subquery' });
            $.CONSUME2(t.RParen);
            // Optional here so that a missing alias gets MySQL's message (from the visitor), not "expected identifier".
            $.OPTION2(() => {
              $.OPTION5(() => $.CONSUME(kw.AS));
              $.SUBRULE(r.identifier, { LABEL: 'subqueryAlias' });
            });
          },
        },
        {
          ALT: () => {
            $.CONSUME3(t.LParen);
            $.SUBRULE(r.relations, { LABEL: 'nested' });
            $.CONSUME3(t.RParen);
          },
        },
        {
          ALT: () => {
            $.SUBRULE(r.qualifiedName, { LABEL: 'table' });
            $.OPTION3(() => $.SUBRULE(r.partitionNames));
            $.OPTION4(() => $.SUBRULE2(r.alias));
          },
        },
      ],
    });
  });

  r.groupByClause = $.addRule('groupByClause', () => {
    $.CONSUME(kw.GROUP);
    $.CONSUME(kw.BY);
    $.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => $.SUBRULE(r.expression, { LABEL: 'item' }) });
  });
}
