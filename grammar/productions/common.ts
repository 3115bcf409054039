/**
 * Shared productions: names, strings, PROPERTIES lists, partition name lists, data types, ORDER BY / LIMIT and the
 * `WHERE … ORDER BY … LIMIT …` tail of SHOW statements (StarRocks' `showPredicateClauses`).
 *
 * Spec deviations (super-grammar choices): `identifier` also accepts every non-reserved keyword; a data type is any
 * identifier plus optional `(p[, s])`, checked by the visitor (so INT, VARCHAR… stay usable as column names).
 */
import type { Dsl, Rule, Rules } from '../parser.ts';
import * as t from '../tokens.ts';
import { firstToken } from '../cst.ts';

const { kw } = t;

export interface CommonRules {
  identifier: Rule;
  qualifiedName: Rule;
  identifierList: Rule;
  stringLiteral: Rule;
  identOrString: Rule;
  property: Rule;
  propertyList: Rule;
  properties: Rule;
  partitionNames: Rule;
  dataType: Rule;
  sortItem: Rule;
  orderByClause: Rule;
  limitClause: Rule;
  showPredicates: Rule;
  showFilter: Rule;
  ifExists: Rule;
  ifNotExists: Rule;
}

export function defineCommonRules($: Dsl, r: Rules): void {
  r.identifier = $.addRule('identifier', () => {
    $.OR([
      { ALT: () => $.CONSUME(t.Identifier) },
      { ALT: () => $.CONSUME(t.QuotedIdentifier) },
      { ALT: () => $.CONSUME(t.NonReserved) },
    ]);
  });

  r.qualifiedName = $.addRule('qualifiedName', () => {
    $.SUBRULE(r.identifier, { LABEL: 'part' });
    $.MANY(() => {
      $.CONSUME(t.Dot);
      $.SUBRULE2(r.identifier, { LABEL: 'part' });
    });
  });

  r.identifierList = $.addRule('identifierList', () => {
    $.CONSUME(t.LParen);
    $.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => $.SUBRULE(r.identifier, { LABEL: 'item' }) });
    $.CONSUME(t.RParen);
  });

  r.stringLiteral = $.addRule('stringLiteral', () => {
    $.OR([{ ALT: () => $.CONSUME(t.SingleQuotedString) }, { ALT: () => $.CONSUME(t.DoubleQuotedString) }]);
  });

  r.identOrString = $.addRule('identOrString', () => {
    $.OR([{ ALT: () => $.SUBRULE(r.identifier) }, { ALT: () => $.SUBRULE(r.stringLiteral) }]);
  });

  r.property = $.addRule('property', () => {
    $.SUBRULE(r.stringLiteral, { LABEL: 'key' });
    $.CONSUME(t.Equals);
    $.SUBRULE2(r.stringLiteral, { LABEL: 'value' });
  });

  r.propertyList = $.addRule('propertyList', () => {
    $.CONSUME(t.LParen);
    $.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => $.SUBRULE(r.property) });
    $.CONSUME(t.RParen);
  });

  r.properties = $.addRule('properties', () => {
    $.CONSUME(kw.PROPERTIES);
    $.SUBRULE(r.propertyList);
  });

  // `[TEMPORARY] PARTITION (p1, p2)` or the unparenthesised `PARTITIONS p1, p2` (greedy, as in StarRocks).
  r.partitionNames = $.addRule('partitionNames', () => {
    $.OPTION(() => $.CONSUME(kw.TEMPORARY));
    $.OR([{ ALT: () => $.CONSUME(kw.PARTITION) }, { ALT: () => $.CONSUME(kw.PARTITIONS) }]);
    $.OR2([
      {
        ALT: () => {
          $.CONSUME(t.LParen);
          $.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => $.SUBRULE(r.identOrString, { LABEL: 'name' }) });
          $.CONSUME(t.RParen);
        },
      },
      { ALT: () => $.AT_LEAST_ONE_SEP2({ SEP: t.Comma, DEF: () => $.SUBRULE2(r.identOrString, { LABEL: 'name' }) }) },
    ]);
  });

  r.dataType = $.addRule('dataType', () => {
    const name = $.SUBRULE(r.identifier, { LABEL: 'typeName' });
    // MySQL's `SIGNED INTEGER` / `UNSIGNED INT` (CAST targets JDBC drivers write).
    $.OPTION3({
      GATE: () => /^(?:un)?signed$/i.test(firstToken(name)?.image ?? '') && /^int(?:eger)?$/i.test($.LA(1).image),
      DEF: () => $.SUBRULE2(r.identifier, { LABEL: 'integerWord' }),
    });
    $.OPTION(() => {
      $.CONSUME(t.LParen);
      $.CONSUME(t.NumberLiteral, { LABEL: 'param' });
      $.OPTION2(() => {
        $.CONSUME(t.Comma);
        $.CONSUME2(t.NumberLiteral, { LABEL: 'param' });
      });
      $.CONSUME(t.RParen);
    });
  });

  r.sortItem = $.addRule('sortItem', () => {
    $.SUBRULE(r.expression);
    $.OPTION(() => $.OR([{ ALT: () => $.CONSUME(kw.ASC) }, { ALT: () => $.CONSUME(kw.DESC) }]));
    $.OPTION2(() => {
      $.CONSUME(kw.NULLS);
      $.OR2([{ ALT: () => $.CONSUME(kw.FIRST) }, { ALT: () => $.CONSUME(kw.LAST) }]);
    });
  });

  r.orderByClause = $.addRule('orderByClause', () => {
    $.CONSUME(kw.ORDER);
    $.CONSUME(kw.BY);
    $.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => $.SUBRULE(r.sortItem, { LABEL: 'item' }) });
  });

  // LIMIT n | LIMIT offset, n | LIMIT n OFFSET offset
  r.limitClause = $.addRule('limitClause', () => {
    $.CONSUME(kw.LIMIT);
    $.CONSUME(t.NumberLiteral, { LABEL: 'first' });
    $.OPTION(() =>
      $.OR([
        {
          ALT: () => {
            $.CONSUME(t.Comma);
            $.CONSUME2(t.NumberLiteral, { LABEL: 'count' });
          },
        },
        {
          ALT: () => {
            $.CONSUME(kw.OFFSET);
            $.CONSUME3(t.NumberLiteral, { LABEL: 'offset' });
          },
        },
      ]),
    );
  });

  r.showPredicates = $.addRule('showPredicates', () => {
    $.OPTION(() => {
      $.CONSUME(kw.WHERE);
      $.SUBRULE(r.expression, { LABEL: 'where' });
    });
    $.OPTION2(() => $.SUBRULE(r.orderByClause));
    $.OPTION3(() => $.SUBRULE(r.limitClause));
  });

  r.showFilter = $.addRule('showFilter', () => {
    $.OR([
      {
        ALT: () => {
          $.CONSUME(kw.LIKE);
          $.SUBRULE(r.stringLiteral, { LABEL: 'pattern' });
        },
      },
      {
        ALT: () => {
          $.CONSUME(kw.WHERE);
          $.SUBRULE(r.expression, { LABEL: 'where' });
        },
      },
    ]);
  });

  r.ifExists = $.addRule('ifExists', () => {
    $.CONSUME(kw.IF);
    $.CONSUME(kw.EXISTS);
  });

  r.ifNotExists = $.addRule('ifNotExists', () => {
    $.CONSUME(kw.IF);
    $.CONSUME(kw.NOT);
    $.CONSUME(kw.EXISTS);
  });
}
