/**
 * The MySQL metadata SHOW forms that clients, GUI tools and dump tools send (one rule, reached from the SHOW
 * dispatcher in show.ts):
 *   SHOW TABLE STATUS [{FROM | IN} db] [LIKE 'p' | WHERE expr]
 *   SHOW [EXTENDED] {INDEX | INDEXES | KEYS} {FROM | IN} t [{FROM | IN} db] [WHERE expr]
 *   SHOW [STORAGE] ENGINES          SHOW PLUGINS          SHOW PRIVILEGES
 *   SHOW {CHARSET | CHARACTER SET} [LIKE | WHERE]          SHOW COLLATION [LIKE | WHERE]
 *   SHOW {TRIGGERS | EVENTS} [{FROM | IN} db] [LIKE | WHERE]
 *   SHOW {PROCEDURE | FUNCTION} STATUS [LIKE | WHERE]
 * The database part is accepted after every listing form (MySQL only has it on some; the handler ignores it where
 * it means nothing).
 */
import type { Dsl, Rule, Rules } from '../parser.ts';
import * as t from '../tokens.ts';

const { kw } = t;

export interface ShowMetaRules {
  showMetaBody: Rule;
  showMetaDatabase: Rule;
  showIndexForm: Rule;
  showNamedListForm: Rule;
}

export function defineShowMetaRules($: Dsl, r: Rules): void {
  r.showMetaDatabase = $.addRule('showMetaDatabase', () => {
    $.SUBRULE(r.fromOrIn);
    $.SUBRULE(r.identifier, { LABEL: 'database' });
  });

  r.showIndexForm = $.addRule('showIndexForm', () => {
    $.OPTION(() => $.CONSUME(kw.EXTENDED));
    $.OR([
      { ALT: () => $.CONSUME(kw.INDEX, { LABEL: 'index' }) },
      { ALT: () => $.CONSUME(kw.INDEXES, { LABEL: 'index' }) },
      { ALT: () => $.CONSUME(kw.KEYS, { LABEL: 'index' }) },
    ]);
    $.SUBRULE(r.fromOrIn);
    $.SUBRULE(r.qualifiedName, { LABEL: 'table' });
    $.OPTION2(() => $.SUBRULE(r.showMetaDatabase));
    $.OPTION3(() => {
      $.CONSUME(kw.WHERE);
      $.SUBRULE(r.expression, { LABEL: 'where' });
    });
  });

  // The forms that list named things, optionally of one database, with LIKE / WHERE.
  r.showNamedListForm = $.addRule('showNamedListForm', () => {
    $.OR([
      {
        ALT: () => {
          $.CONSUME(kw.TABLE, { LABEL: 'tableStatus' });
          $.CONSUME(kw.STATUS);
        },
      },
      { ALT: () => $.CONSUME(kw.TRIGGERS, { LABEL: 'triggers' }) },
      { ALT: () => $.CONSUME(kw.EVENTS, { LABEL: 'events' }) },
      { ALT: () => $.CONSUME(kw.CHARSET, { LABEL: 'charset' }) },
      {
        ALT: () => {
          $.CONSUME(kw.CHARACTER, { LABEL: 'charset' });
          $.CONSUME(kw.SET);
        },
      },
      { ALT: () => $.CONSUME(kw.COLLATION, { LABEL: 'collation' }) },
      {
        ALT: () => {
          $.CONSUME(kw.PROCEDURE, { LABEL: 'procedure' });
          $.CONSUME2(kw.STATUS);
        },
      },
      {
        ALT: () => {
          $.CONSUME(kw.FUNCTION, { LABEL: 'function' });
          $.CONSUME3(kw.STATUS);
        },
      },
    ]);
    $.OPTION(() => $.SUBRULE(r.showMetaDatabase));
    $.OPTION2(() => $.SUBRULE(r.showFilter));
  });

  r.showMetaBody = $.addRule('showMetaBody', () => {
    $.OR([
      { ALT: () => $.SUBRULE(r.showIndexForm) },
      { ALT: () => $.SUBRULE(r.showNamedListForm) },
      {
        ALT: () => {
          $.OPTION(() => $.CONSUME(kw.STORAGE));
          $.CONSUME(kw.ENGINES, { LABEL: 'engines' });
        },
      },
      { ALT: () => $.CONSUME(kw.PLUGINS, { LABEL: 'plugins' }) },
      { ALT: () => $.CONSUME(kw.PRIVILEGES, { LABEL: 'privileges' }) },
    ]);
  });
}
