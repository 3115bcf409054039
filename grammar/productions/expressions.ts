/**
 * Expressions with MySQL precedence, lowest first:
 *   OR/||  <  XOR  <  AND/&&  <  NOT  <  comparison, IS, LIKE, REGEXP, IN, BETWEEN  <  |  <  &  <  << >>
 *   <  + -  <  * / DIV % MOD  <  ^  <  unary - + ~ !
 * Every binary level is `operand (operator operand)*` with the labels `operand` / `operator`, so one visitor
 * folds them all left-associatively.
 *
 * Subqueries: `(SELECT …)` as a value, `EXISTS (SELECT …)`, `e [NOT] IN (SELECT …)`; a parenthesis opens a subquery
 * when SELECT follows it directly (so `((SELECT 1))` is a parenthesised scalar subquery, and a set operation inside
 * an expression needs its first operand unparenthesised: `x IN (SELECT 1 UNION SELECT 2)`).
 *
 * Spec deviations: `!` parses like NOT but binds tightest, as in MySQL.
 */
import { tokenMatcher, type TokenType } from 'chevrotain';
import type { Dsl, Rule, Rules } from '../parser.ts';
import * as t from '../tokens.ts';

const { kw } = t;

export interface ExpressionRules {
  expression: Rule;
  xorExpr: Rule;
  andExpr: Rule;
  notExpr: Rule;
  predicate: Rule;
  predicateSuffix: Rule;
  bitOrExpr: Rule;
  bitAndExpr: Rule;
  shiftExpr: Rule;
  additiveExpr: Rule;
  multiplicativeExpr: Rule;
  bitXorExpr: Rule;
  unaryExpr: Rule;
  primary: Rule;
  literal: Rule;
  typedLiteral: Rule;
  variable: Rule;
  parenExpr: Rule;
  caseExpr: Rule;
  castExpr: Rule;
  convertExpr: Rule;
  intervalExpr: Rule;
  functionName: Rule;
  functionArgs: Rule;
  functionCall: Rule;
  niladicCall: Rule;
  columnRef: Rule;
  expressionList: Rule;
  subqueryExpr: Rule;
  existsExpr: Rule;
}

export function defineExpressionRules($: Dsl, r: Rules): void {
  /** One left-associative binary level. */
  const level = (name: string, next: () => Rule, ops: readonly TokenType[]): Rule => {
    const alts = ops.map((op) => ({ ALT: () => $.CONSUME(op, { LABEL: 'operator' }) }));
    return $.addRule(name, () => {
      $.SUBRULE(next(), { LABEL: 'operand' });
      // The visitor folds a chain left to right, one tree level per operand: a long chain is a deep tree.
      let operands = 1;
      $.MANY(() => {
        if (alts.length === 1) $.CONSUME(ops[0] as TokenType, { LABEL: 'operator' });
        else $.OR(alts);
        $.SUBRULE2(next(), { LABEL: 'operand' });
        $.ACTION(() => $.checkChain(++operands));
      });
    });
  };

  r.expression = level('expression', () => r.xorExpr, [kw.OR, t.DoublePipe]);
  r.xorExpr = level('xorExpr', () => r.andExpr, [kw.XOR]);
  r.andExpr = level('andExpr', () => r.notExpr, [kw.AND, t.DoubleAmpersand]);

  r.notExpr = $.addRule('notExpr', () => {
    $.OR([
      {
        ALT: () => {
          $.CONSUME(kw.NOT);
          $.ACTION(() => $.nest());
          $.SUBRULE(r.notExpr, { LABEL: 'negated' });
          $.ACTION(() => $.unnest());
        },
      },
      { ALT: () => $.SUBRULE(r.predicate) },
    ]);
  });

  r.predicate = $.addRule('predicate', () => {
    $.SUBRULE(r.bitOrExpr, { LABEL: 'base' });
    let operands = 1;
    $.MANY(() => {
      $.SUBRULE(r.predicateSuffix, { LABEL: 'suffix' });
      $.ACTION(() => $.checkChain(++operands));
    });
  });

  const comparisonOps = [t.Equals, t.NullSafeEquals, t.BangEquals, t.LessGreater, t.LessEquals, t.GreaterEquals, t.Less, t.Greater];
  const comparisonAlts = comparisonOps.map((op) => ({ ALT: () => $.CONSUME(op, { LABEL: 'operator' }) }));
  r.predicateSuffix = $.addRule('predicateSuffix', () => {
    $.OR([
      {
        ALT: () => {
          $.OR2(comparisonAlts);
          $.SUBRULE(r.bitOrExpr, { LABEL: 'right' });
        },
      },
      {
        ALT: () => {
          $.CONSUME(kw.IS);
          $.OPTION(() => $.CONSUME(kw.NOT));
          $.OR5([
            { ALT: () => $.CONSUME(kw.NULL) },
            { ALT: () => $.CONSUME(kw.TRUE, { LABEL: 'truth' }) },
            { ALT: () => $.CONSUME(kw.FALSE, { LABEL: 'truth' }) },
            { ALT: () => $.CONSUME(kw.UNKNOWN, { LABEL: 'truth' }) },
          ]);
        },
      },
      {
        ALT: () => {
          $.OPTION2(() => $.CONSUME2(kw.NOT));
          $.OR3([
            {
              GATE: () => tokenMatcher($.LA(3), kw.SELECT),
              ALT: () => {
                $.CONSUME2(kw.IN);
                $.CONSUME(t.LParen);
                $.SUBRULE(r.selectStatement, { LABEL: 'inQuery' });
                $.CONSUME(t.RParen);
              },
            },
            {
              ALT: () => {
                $.CONSUME(kw.IN);
                $.SUBRULE(r.expressionList, { LABEL: 'inList' });
              },
            },
            {
              ALT: () => {
                $.CONSUME(kw.BETWEEN);
                $.SUBRULE2(r.bitOrExpr, { LABEL: 'low' });
                $.CONSUME(kw.AND);
                $.SUBRULE3(r.bitOrExpr, { LABEL: 'high' });
              },
            },
            {
              ALT: () => {
                $.OR4([
                  { ALT: () => $.CONSUME(kw.LIKE, { LABEL: 'likeOp' }) },
                  { ALT: () => $.CONSUME(kw.REGEXP, { LABEL: 'likeOp' }) },
                  { ALT: () => $.CONSUME(kw.RLIKE, { LABEL: 'likeOp' }) },
                ]);
                $.SUBRULE4(r.bitOrExpr, { LABEL: 'pattern' });
                $.OPTION3(() => {
                  $.CONSUME(kw.ESCAPE);
                  $.SUBRULE5(r.bitOrExpr, { LABEL: 'escape' });
                });
              },
            },
          ]);
        },
      },
    ]);
  });

  r.bitOrExpr = level('bitOrExpr', () => r.bitAndExpr, [t.Pipe]);
  r.bitAndExpr = level('bitAndExpr', () => r.shiftExpr, [t.Ampersand]);
  r.shiftExpr = level('shiftExpr', () => r.additiveExpr, [t.ShiftLeft, t.ShiftRight]);
  r.additiveExpr = level('additiveExpr', () => r.multiplicativeExpr, [t.Plus, t.Minus]);
  r.multiplicativeExpr = level('multiplicativeExpr', () => r.bitXorExpr, [t.Star, t.Slash, kw.DIV, t.Percent, kw.MOD]);
  r.bitXorExpr = level('bitXorExpr', () => r.unaryExpr, [t.Caret]);

  const unaryOps = [t.Minus, t.Plus, t.Tilde, t.Bang].map((op) => ({ ALT: () => $.CONSUME(op, { LABEL: 'operator' }) }));
  r.unaryExpr = $.addRule('unaryExpr', () => {
    $.OR([
      {
        ALT: () => {
          $.OR2(unaryOps);
          $.ACTION(() => $.nest());
          $.SUBRULE(r.unaryExpr, { LABEL: 'operand' });
          $.ACTION(() => $.unnest());
        },
      },
      { ALT: () => $.SUBRULE(r.primary) },
    ]);
  });

  const primaryAlts = [
    { ALT: () => $.SUBRULE(r.literal) },
    { ALT: () => $.SUBRULE(r.typedLiteral) },
    { ALT: () => $.SUBRULE(r.caseExpr) },
    { ALT: () => $.SUBRULE(r.castExpr) },
    { ALT: () => $.SUBRULE(r.convertExpr) },
    { ALT: () => $.SUBRULE(r.intervalExpr) },
    { ALT: () => $.SUBRULE(r.variable) },
    { GATE: () => tokenMatcher($.LA(2), kw.SELECT), ALT: () => $.SUBRULE(r.subqueryExpr) },
    { ALT: () => $.SUBRULE(r.existsExpr) },
    { ALT: () => $.SUBRULE(r.parenExpr) },
    { ALT: () => $.SUBRULE(r.functionCall) },
    { ALT: () => $.SUBRULE(r.niladicCall) },
    { ALT: () => $.SUBRULE(r.columnRef) },
  ];
  r.primary = $.addRule('primary', () => {
    $.OR({ DEF: primaryAlts, ERR_MSG: 'expression', IGNORE_AMBIGUITIES: true });
  });

  r.literal = $.addRule('literal', () => {
    $.OR([
      { ALT: () => $.CONSUME(t.NumberLiteral) },
      { ALT: () => $.SUBRULE(r.stringLiteral) },
      { ALT: () => $.CONSUME(kw.TRUE) },
      { ALT: () => $.CONSUME(kw.FALSE) },
      { ALT: () => $.CONSUME(kw.NULL) },
    ]);
  });

  r.typedLiteral = $.addRule('typedLiteral', () => {
    $.OR([
      { ALT: () => $.CONSUME(kw.DATE, { LABEL: 'type' }) },
      { ALT: () => $.CONSUME(kw.DATETIME, { LABEL: 'type' }) },
      { ALT: () => $.CONSUME(kw.TIMESTAMP, { LABEL: 'type' }) },
    ]);
    $.SUBRULE(r.stringLiteral, { LABEL: 'value' });
  });

  r.variable = $.addRule('variable', () => {
    $.OR([{ ALT: () => $.CONSUME(t.SystemVariable) }, { ALT: () => $.CONSUME(t.UserVariable) }]);
  });

  r.subqueryExpr = $.addRule('subqueryExpr', () => {
    $.CONSUME(t.LParen);
    $.SUBRULE(r.selectStatement, { LABEL: 'query' });
    $.CONSUME(t.RParen);
  });

  r.existsExpr = $.addRule('existsExpr', () => {
    $.CONSUME(kw.EXISTS);
    $.CONSUME(t.LParen);
    $.SUBRULE(r.selectStatement, { LABEL: 'query' });
    $.CONSUME(t.RParen);
  });

  r.parenExpr = $.addRule('parenExpr', () => {
    $.CONSUME(t.LParen);
    $.ACTION(() => $.nest());
    $.SUBRULE(r.expression);
    $.ACTION(() => $.unnest());
    $.CONSUME(t.RParen);
  });

  r.caseExpr = $.addRule('caseExpr', () => {
    $.CONSUME(kw.CASE);
    $.ACTION(() => $.nest());
    $.OPTION(() => $.SUBRULE(r.expression, { LABEL: 'operand' }));
    let arms = 0;
    $.AT_LEAST_ONE(() => {
      $.CONSUME(kw.WHEN);
      $.SUBRULE2(r.expression, { LABEL: 'when' });
      $.CONSUME(kw.THEN);
      $.SUBRULE3(r.expression, { LABEL: 'then' });
      $.ACTION(() => $.checkChildren(++arms));
    });
    $.OPTION2(() => {
      $.CONSUME(kw.ELSE);
      $.SUBRULE4(r.expression, { LABEL: 'else' });
    });
    $.ACTION(() => $.unnest());
    $.CONSUME(kw.END);
  });

  r.castExpr = $.addRule('castExpr', () => {
    $.CONSUME(kw.CAST);
    $.CONSUME(t.LParen);
    $.SUBRULE(r.expression);
    $.CONSUME(kw.AS);
    $.SUBRULE(r.dataType);
    $.CONSUME(t.RParen);
  });

  r.convertExpr = $.addRule('convertExpr', () => {
    $.CONSUME(kw.CONVERT);
    $.CONSUME(t.LParen);
    $.SUBRULE(r.expression);
    $.CONSUME(t.Comma);
    $.SUBRULE(r.dataType);
    $.CONSUME(t.RParen);
  });

  r.intervalExpr = $.addRule('intervalExpr', () => {
    $.CONSUME(kw.INTERVAL);
    $.SUBRULE(r.expression, { LABEL: 'value' });
    $.CONSUME(t.IntervalUnit, { LABEL: 'unit' });
  });

  r.functionName = $.addRule('functionName', () => {
    $.OR([
      { ALT: () => $.CONSUME(t.Identifier) },
      { ALT: () => $.CONSUME(t.QuotedIdentifier) },
      { ALT: () => $.CONSUME(t.NonReserved) },
      { ALT: () => $.CONSUME(t.FunctionKeyword) },
    ]);
  });

  // `( )`, `(*)`, `([DISTINCT | ALL] a, b, …)`
  r.functionArgs = $.addRule('functionArgs', () => {
    $.CONSUME(t.LParen);
    $.ACTION(() => $.nest());
    let args = 0;
    $.OPTION(() =>
      $.OR([
        { ALT: () => $.CONSUME(t.Star) },
        {
          ALT: () => {
            $.OPTION2(() => $.OR2([{ ALT: () => $.CONSUME(kw.DISTINCT) }, { ALT: () => $.CONSUME(kw.ALL) }]));
            $.AT_LEAST_ONE_SEP({
              SEP: t.Comma,
              DEF: () => {
                $.SUBRULE(r.expression, { LABEL: 'arg' });
                $.ACTION(() => $.checkChildren(++args));
              },
            });
          },
        },
      ]),
    );
    $.ACTION(() => $.unnest());
    $.CONSUME(t.RParen);
  });

  r.functionCall = $.addRule('functionCall', () => {
    $.SUBRULE(r.functionName);
    $.SUBRULE(r.functionArgs);
  });

  r.niladicCall = $.addRule('niladicCall', () => {
    $.CONSUME(t.NiladicFunction);
  });

  r.columnRef = $.addRule('columnRef', () => {
    $.SUBRULE(r.identifier, { LABEL: 'part' });
    $.MANY(() => {
      $.CONSUME(t.Dot);
      $.SUBRULE2(r.identifier, { LABEL: 'part' });
    });
  });

  r.expressionList = $.addRule('expressionList', () => {
    $.CONSUME(t.LParen);
    $.ACTION(() => $.nest());
    let items = 0;
    $.AT_LEAST_ONE_SEP({
      SEP: t.Comma,
      DEF: () => {
        $.SUBRULE(r.expression, { LABEL: 'item' });
        $.ACTION(() => $.checkChildren(++items));
      },
    });
    $.ACTION(() => $.unnest());
    $.CONSUME(t.RParen);
  });
}
