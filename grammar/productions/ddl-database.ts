/**
 * Databases: `CREATE DATABASE|SCHEMA [IF NOT EXISTS] d [PROPERTIES (…)]`, `DROP DATABASE|SCHEMA [IF EXISTS] d [FORCE]`,
 * `USE d`. The CREATE / DROP keywords themselves are consumed by the dispatchers in statement.ts.
 */
import type { Dsl, Rule, Rules } from '../parser.ts';
import * as t from '../tokens.ts';

const { kw } = t;

export interface DatabaseRules {
  createDatabaseBody: Rule;
  dropDatabaseBody: Rule;
  useStatement: Rule;
}

export function defineDatabaseRules($: Dsl, r: Rules): void {
  const databaseWord = (): void => {
    $.OR([{ ALT: () => $.CONSUME(kw.DATABASE) }, { ALT: () => $.CONSUME(kw.SCHEMA) }]);
  };

  r.createDatabaseBody = $.addRule('createDatabaseBody', () => {
    databaseWord();
    $.OPTION(() => $.SUBRULE(r.ifNotExists));
    $.SUBRULE(r.identifier, { LABEL: 'name' });
    $.OPTION2(() => $.SUBRULE(r.properties));
  });

  r.dropDatabaseBody = $.addRule('dropDatabaseBody', () => {
    databaseWord();
    $.OPTION(() => $.SUBRULE(r.ifExists));
    $.SUBRULE(r.identifier, { LABEL: 'name' });
    $.OPTION2(() => $.CONSUME(kw.FORCE));
  });

  r.useStatement = $.addRule('useStatement', () => {
    $.CONSUME(kw.USE);
    $.SUBRULE(r.identifier, { LABEL: 'name' });
  });
}
