/**
 * Tables and views: the StarRocks CREATE TABLE (columns, ENGINE, key model, COMMENT, RANGE / LIST partitioning,
 * distribution, ORDER BY, PROPERTIES — in StarRocks' clause order), DROP / TRUNCATE / ALTER TABLE, CREATE / ALTER / DROP VIEW.
 *
 * Spec deviations: column options may come in any order; range and list partition definitions share one rule
 * (`partitionDef`) and the visitor checks that they match the PARTITION BY kind; `DEFAULT` takes any unary
 * expression (the analyzer decides what is constant). No INDEX definitions, no expression partitioning, no CTAS.
 */
import type { Dsl, Rule, Rules } from '../parser.ts';
import * as t from '../tokens.ts';

const { kw } = t;

export interface TableRules {
  createTableBody: Rule;
  columnDef: Rule;
  columnOption: Rule;
  keysDesc: Rule;
  partitionDesc: Rule;
  partitionDef: Rule;
  partitionValue: Rule;
  partitionTuple: Rule;
  batchPartitionDef: Rule;
  distributionDesc: Rule;
  dropTableBody: Rule;
  truncateStatement: Rule;
  alterTableBody: Rule;
  alterTableAction: Rule;
  columnPosition: Rule;
  replacePartitionClause: Rule;
  showAlterTableBody: Rule;
  createViewBody: Rule;
  alterViewBody: Rule;
  viewColumn: Rule;
  dropViewBody: Rule;
}

export function defineTableRules($: Dsl, r: Rules): void {
  r.createTableBody = $.addRule('createTableBody', () => {
    $.CONSUME(kw.TABLE);
    $.OPTION(() => $.SUBRULE(r.ifNotExists));
    $.SUBRULE(r.qualifiedName, { LABEL: 'name' });
    $.CONSUME(t.LParen);
    $.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => $.SUBRULE(r.columnDef, { LABEL: 'column' }) });
    $.CONSUME(t.RParen);
    $.OPTION2(() => {
      $.CONSUME(kw.ENGINE);
      $.CONSUME(t.Equals);
      $.SUBRULE(r.identifier, { LABEL: 'engine' });
    });
    $.OPTION3(() => $.SUBRULE(r.keysDesc));
    $.OPTION4(() => {
      $.CONSUME(kw.COMMENT);
      $.SUBRULE(r.stringLiteral, { LABEL: 'comment' });
    });
    $.OPTION5(() => $.SUBRULE(r.partitionDesc));
    $.OPTION6(() => $.SUBRULE(r.distributionDesc));
    $.OPTION7(() => {
      $.CONSUME(kw.ORDER);
      $.CONSUME(kw.BY);
      $.SUBRULE(r.identifierList, { LABEL: 'orderBy' });
    });
    $.OPTION1(() => $.SUBRULE(r.properties));
  });

  r.columnDef = $.addRule('columnDef', () => {
    $.SUBRULE(r.identifier, { LABEL: 'name' });
    $.SUBRULE(r.dataType);
    $.MANY(() => $.SUBRULE(r.columnOption, { LABEL: 'option' }));
  });

  r.columnOption = $.addRule('columnOption', () => {
    $.OR([
      { ALT: () => $.CONSUME(kw.SUM, { LABEL: 'aggregate' }) },
      { ALT: () => $.CONSUME(kw.MIN, { LABEL: 'aggregate' }) },
      { ALT: () => $.CONSUME(kw.MAX, { LABEL: 'aggregate' }) },
      { ALT: () => $.CONSUME(kw.REPLACE, { LABEL: 'aggregate' }) },
      { ALT: () => $.CONSUME(kw.REPLACE_IF_NOT_NULL, { LABEL: 'aggregate' }) },
      { ALT: () => $.CONSUME(kw.NULL) },
      {
        ALT: () => {
          $.CONSUME(kw.NOT);
          $.CONSUME2(kw.NULL);
        },
      },
      {
        ALT: () => {
          $.CONSUME(kw.DEFAULT);
          $.SUBRULE(r.unaryExpr, { LABEL: 'default' });
        },
      },
      { ALT: () => $.CONSUME(kw.AUTO_INCREMENT) },
      {
        ALT: () => {
          $.CONSUME(kw.COMMENT);
          $.SUBRULE(r.stringLiteral, { LABEL: 'comment' });
        },
      },
    ]);
  });

  r.keysDesc = $.addRule('keysDesc', () => {
    $.OR([
      { ALT: () => $.CONSUME(kw.DUPLICATE, { LABEL: 'model' }) },
      { ALT: () => $.CONSUME(kw.PRIMARY, { LABEL: 'model' }) },
      { ALT: () => $.CONSUME(kw.UNIQUE, { LABEL: 'model' }) },
      { ALT: () => $.CONSUME(kw.AGGREGATE, { LABEL: 'model' }) },
    ]);
    $.CONSUME(kw.KEY);
    $.SUBRULE(r.identifierList, { LABEL: 'columns' });
  });

  r.partitionDesc = $.addRule('partitionDesc', () => {
    $.CONSUME(kw.PARTITION);
    $.CONSUME(kw.BY);
    $.OR([{ ALT: () => $.CONSUME(kw.RANGE, { LABEL: 'method' }) }, { ALT: () => $.CONSUME(kw.LIST, { LABEL: 'method' }) }]);
    $.SUBRULE(r.identifierList, { LABEL: 'columns' });
    $.CONSUME(t.LParen);
    $.MANY_SEP({
      SEP: t.Comma,
      DEF: () =>
        $.OR2([
          { ALT: () => $.SUBRULE(r.partitionDef, { LABEL: 'item' }) },
          { ALT: () => $.SUBRULE(r.batchPartitionDef, { LABEL: 'item' }) },
        ]),
    });
    $.CONSUME(t.RParen);
  });

  // PARTITION [IF NOT EXISTS] p VALUES { LESS THAN (…) | LESS THAN MAXVALUE | [(…), (…)) | IN (…) } [("k"="v")]
  r.partitionDef = $.addRule('partitionDef', () => {
    $.CONSUME(kw.PARTITION);
    $.OPTION(() => $.SUBRULE(r.ifNotExists));
    $.SUBRULE(r.identifier, { LABEL: 'name' });
    $.CONSUME(kw.VALUES);
    $.OR([
      {
        ALT: () => {
          $.CONSUME(kw.LESS);
          $.CONSUME(kw.THAN);
          $.OR2([
            { ALT: () => $.CONSUME(kw.MAXVALUE) },
            { ALT: () => $.SUBRULE(r.partitionTuple, { LABEL: 'upper' }) },
          ]);
        },
      },
      {
        ALT: () => {
          $.CONSUME(t.LBracket);
          $.SUBRULE2(r.partitionTuple, { LABEL: 'lower' });
          $.CONSUME(t.Comma);
          $.SUBRULE3(r.partitionTuple, { LABEL: 'upper' });
          $.CONSUME(t.RParen);
        },
      },
      {
        ALT: () => {
          $.CONSUME(kw.IN);
          $.CONSUME2(t.LParen);
          $.AT_LEAST_ONE_SEP({
            SEP: t.Comma,
            DEF: () =>
              $.OR3([
                { ALT: () => $.SUBRULE4(r.partitionTuple, { LABEL: 'inItem' }) },
                { ALT: () => $.SUBRULE(r.partitionValue, { LABEL: 'inItem' }) },
              ]),
          });
          $.CONSUME2(t.RParen);
        },
      },
    ]);
    $.OPTION2(() => $.SUBRULE(r.propertyList));
  });

  r.partitionValue = $.addRule('partitionValue', () => {
    $.OR([
      { ALT: () => $.SUBRULE(r.stringLiteral) },
      {
        ALT: () => {
          $.OPTION(() => $.CONSUME(t.Minus));
          $.CONSUME(t.NumberLiteral);
        },
      },
      { ALT: () => $.CONSUME(kw.MAXVALUE) },
    ]);
  });

  r.partitionTuple = $.addRule('partitionTuple', () => {
    $.CONSUME(t.LParen);
    $.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => $.SUBRULE(r.partitionValue, { LABEL: 'value' }) });
    $.CONSUME(t.RParen);
  });

  // START ("a") END ("b") EVERY (INTERVAL 1 DAY | n)
  r.batchPartitionDef = $.addRule('batchPartitionDef', () => {
    $.CONSUME(kw.START);
    $.CONSUME(t.LParen);
    $.SUBRULE(r.partitionValue, { LABEL: 'start' });
    $.CONSUME(t.RParen);
    $.CONSUME(kw.END);
    $.CONSUME2(t.LParen);
    $.SUBRULE2(r.partitionValue, { LABEL: 'end' });
    $.CONSUME2(t.RParen);
    $.CONSUME(kw.EVERY);
    $.CONSUME3(t.LParen);
    $.OPTION(() => $.CONSUME(kw.INTERVAL));
    $.CONSUME(t.NumberLiteral, { LABEL: 'every' });
    $.OPTION2(() => $.CONSUME(t.IntervalUnit, { LABEL: 'unit' }));
    $.CONSUME3(t.RParen);
  });

  r.distributionDesc = $.addRule('distributionDesc', () => {
    $.CONSUME(kw.DISTRIBUTED);
    $.CONSUME(kw.BY);
    $.OR([
      {
        ALT: () => {
          $.CONSUME(kw.HASH);
          $.SUBRULE(r.identifierList, { LABEL: 'columns' });
        },
      },
      { ALT: () => $.CONSUME(kw.RANDOM) },
    ]);
    $.OPTION(() => {
      $.CONSUME(kw.BUCKETS);
      $.CONSUME(t.NumberLiteral, { LABEL: 'buckets' });
    });
  });

  r.dropTableBody = $.addRule('dropTableBody', () => {
    $.CONSUME(kw.TABLE);
    $.OPTION(() => $.SUBRULE(r.ifExists));
    $.SUBRULE(r.qualifiedName, { LABEL: 'name' });
    $.OPTION2(() => $.CONSUME(kw.FORCE));
  });

  r.truncateStatement = $.addRule('truncateStatement', () => {
    $.CONSUME(kw.TRUNCATE);
    $.OPTION(() => $.CONSUME(kw.TABLE));
    $.SUBRULE(r.qualifiedName, { LABEL: 'name' });
    $.OPTION2(() => $.SUBRULE(r.partitionNames));
  });

  r.alterTableBody = $.addRule('alterTableBody', () => {
    $.CONSUME(kw.TABLE);
    $.SUBRULE(r.qualifiedName, { LABEL: 'name' });
    $.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => $.SUBRULE(r.alterTableAction, { LABEL: 'action' }) });
  });

  // StarRocks' ALTER TABLE clauses: partitions (formal and temporary), schema change (ADD / DROP / MODIFY / RENAME
  // COLUMN), RENAME, COMMENT, SET properties, MODIFY PARTITION … SET, SWAP WITH, REPLACE PARTITION … WITH TEMPORARY
  // PARTITION.
  r.alterTableAction = $.addRule('alterTableAction', () => {
    $.OR([
      {
        ALT: () => {
          $.CONSUME(kw.ADD);
          $.OR2([
            {
              ALT: () => {
                $.CONSUME(kw.COLUMN);
                $.OR3([
                  {
                    ALT: () => {
                      $.CONSUME(t.LParen);
                      $.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => $.SUBRULE(r.columnDef, { LABEL: 'addColumn' }) });
                      $.CONSUME(t.RParen);
                    },
                  },
                  {
                    ALT: () => {
                      $.SUBRULE2(r.columnDef, { LABEL: 'addColumn' });
                      $.OPTION5(() => $.SUBRULE(r.columnPosition));
                    },
                  },
                ]);
              },
            },
            {
              ALT: () => {
                $.OPTION6(() => $.CONSUME(kw.TEMPORARY));
                $.SUBRULE(r.partitionDef);
                $.OPTION(() => $.SUBRULE(r.distributionDesc));
              },
            },
          ]);
        },
      },
      {
        ALT: () => {
          $.CONSUME(kw.DROP);
          $.OR4([
            {
              ALT: () => {
                $.CONSUME2(kw.COLUMN);
                $.SUBRULE3(r.identifier, { LABEL: 'dropColumn' });
              },
            },
            {
              ALT: () => {
                $.OPTION2(() => $.CONSUME2(kw.TEMPORARY));
                $.CONSUME(kw.PARTITION);
                $.OPTION3(() => $.SUBRULE(r.ifExists));
                $.SUBRULE(r.identifier, { LABEL: 'partition' });
                $.OPTION4(() => $.CONSUME(kw.FORCE));
              },
            },
          ]);
        },
      },
      {
        ALT: () => {
          $.CONSUME(kw.MODIFY);
          $.OR6([
            {
              ALT: () => {
                $.CONSUME3(kw.COLUMN);
                $.SUBRULE3(r.columnDef, { LABEL: 'modifyColumn' });
                $.OPTION7(() => $.SUBRULE2(r.columnPosition));
              },
            },
            {
              // MODIFY PARTITION p | (p, …) | (*) SET ("replication_num" = "n")
              ALT: () => {
                $.CONSUME2(kw.PARTITION);
                $.OR7([
                  {
                    ALT: () => {
                      $.CONSUME2(t.LParen);
                      $.CONSUME(t.Star, { LABEL: 'allPartitions' });
                      $.CONSUME2(t.RParen);
                    },
                  },
                  {
                    ALT: () => {
                      $.CONSUME3(t.LParen);
                      $.AT_LEAST_ONE_SEP2({ SEP: t.Comma, DEF: () => $.SUBRULE(r.identOrString, { LABEL: 'modifyPartition' }) });
                      $.CONSUME3(t.RParen);
                    },
                  },
                  { ALT: () => $.SUBRULE2(r.identOrString, { LABEL: 'modifyPartition' }) },
                ]);
                $.CONSUME2(kw.SET);
                $.SUBRULE2(r.propertyList, { LABEL: 'partitionProperties' });
              },
            },
          ]);
        },
      },
      {
        ALT: () => {
          $.CONSUME(kw.RENAME);
          $.OR5([
            {
              ALT: () => {
                $.CONSUME4(kw.COLUMN);
                $.SUBRULE4(r.identifier, { LABEL: 'oldColumn' });
                $.CONSUME(kw.TO);
                $.SUBRULE5(r.identifier, { LABEL: 'newColumn' });
              },
            },
            { ALT: () => $.SUBRULE2(r.identifier, { LABEL: 'newName' }) },
          ]);
        },
      },
      {
        ALT: () => {
          $.CONSUME(kw.COMMENT);
          $.OPTION1(() => $.CONSUME(t.Equals));
          $.SUBRULE(r.stringLiteral, { LABEL: 'comment' });
        },
      },
      {
        ALT: () => {
          $.CONSUME(kw.SET);
          $.SUBRULE(r.propertyList);
        },
      },
      {
        ALT: () => {
          $.CONSUME(kw.SWAP);
          $.CONSUME(kw.WITH);
          $.SUBRULE6(r.identifier, { LABEL: 'swapWith' });
        },
      },
      {
        ALT: () => {
          $.CONSUME(kw.REPLACE);
          $.SUBRULE(r.replacePartitionClause);
        },
      },
    ]);
  });

  // PARTITION (p…) WITH TEMPORARY PARTITION (tp…) [PROPERTIES (…)], after REPLACE.
  r.replacePartitionClause = $.addRule('replacePartitionClause', () => {
    $.SUBRULE(r.partitionNames, { LABEL: 'replaced' });
    $.CONSUME(kw.WITH);
    $.SUBRULE2(r.partitionNames, { LABEL: 'replacement' });
    $.OPTION(() => $.SUBRULE(r.properties));
  });

  r.columnPosition = $.addRule('columnPosition', () => {
    $.OR([
      {
        ALT: () => {
          $.CONSUME(kw.AFTER);
          $.SUBRULE(r.identifier, { LABEL: 'after' });
        },
      },
      { ALT: () => $.CONSUME(kw.FIRST) },
    ]);
  });

  // SHOW ALTER TABLE COLUMN [FROM db] [WHERE …] [ORDER BY …] [LIMIT …]
  r.showAlterTableBody = $.addRule('showAlterTableBody', () => {
    $.CONSUME(kw.ALTER);
    $.CONSUME(kw.TABLE);
    $.CONSUME(kw.COLUMN);
    $.OPTION(() => {
      $.SUBRULE(r.fromOrIn);
      $.SUBRULE(r.identifier, { LABEL: 'database' });
    });
    $.SUBRULE(r.showPredicates);
  });

  r.createViewBody = $.addRule('createViewBody', () => {
    $.OPTION(() => {
      $.CONSUME(kw.OR);
      $.CONSUME(kw.REPLACE);
    });
    $.CONSUME(kw.VIEW);
    $.OPTION2(() => $.SUBRULE(r.ifNotExists));
    $.SUBRULE(r.qualifiedName, { LABEL: 'name' });
    $.OPTION3(() => {
      $.CONSUME(t.LParen);
      $.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => $.SUBRULE(r.viewColumn, { LABEL: 'column' }) });
      $.CONSUME(t.RParen);
    });
    $.OPTION4(() => {
      $.CONSUME(kw.COMMENT);
      $.SUBRULE(r.stringLiteral, { LABEL: 'comment' });
    });
    $.CONSUME(kw.AS);
    $.SUBRULE(r.selectStatement, { LABEL: 'query' });
  });

  // `ALTER VIEW v [(col [COMMENT "…"], …)] AS SELECT …` (StarRocks' ALTER VIEW; the view must exist).
  r.alterViewBody = $.addRule('alterViewBody', () => {
    $.CONSUME(kw.VIEW);
    $.SUBRULE(r.qualifiedName, { LABEL: 'name' });
    $.OPTION(() => {
      $.CONSUME(t.LParen);
      $.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => $.SUBRULE(r.viewColumn, { LABEL: 'column' }) });
      $.CONSUME(t.RParen);
    });
    $.CONSUME(kw.AS);
    $.SUBRULE(r.selectStatement, { LABEL: 'query' });
  });

  r.viewColumn = $.addRule('viewColumn', () => {
    $.SUBRULE(r.identifier, { LABEL: 'name' });
    $.OPTION(() => {
      $.CONSUME(kw.COMMENT);
      $.SUBRULE(r.stringLiteral, { LABEL: 'comment' });
    });
  });

  r.dropViewBody = $.addRule('dropViewBody', () => {
    $.CONSUME(kw.VIEW);
    $.OPTION(() => $.SUBRULE(r.ifExists));
    $.SUBRULE(r.qualifiedName, { LABEL: 'name' });
  });
}
