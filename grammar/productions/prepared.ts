/**
 * Prepared statements in SQL (StarRocks 3.2's `PREPARE … FROM`, `EXECUTE … USING`, `{DEALLOCATE | DROP} PREPARE`)
 * and the server administration statements MySQL tools send (`FLUSH …`, `SHUTDOWN`).
 */
import type { Dsl, Rule, Rules } from '../parser.ts';
import * as t from '../tokens.ts';

const { kw } = t;

export interface PreparedRules {
  prepareStatement: Rule;
  executeStatement: Rule;
  deallocateStatement: Rule;
  dropPrepareBody: Rule;
  flushStatement: Rule;
  flushOption: Rule;
  shutdownStatement: Rule;
}

export function definePreparedRules($: Dsl, r: Rules): void {
  r.prepareStatement = $.addRule('prepareStatement', () => {
    $.CONSUME(kw.PREPARE);
    $.SUBRULE(r.identifier, { LABEL: 'name' });
    $.CONSUME(kw.FROM);
    $.OR([
      { ALT: () => $.SUBRULE(r.stringLiteral, { LABEL: 'text' }) },
      { ALT: () => $.CONSUME(t.UserVariable, { LABEL: 'variable' }) },
    ]);
  });

  r.executeStatement = $.addRule('executeStatement', () => {
    $.CONSUME(kw.EXECUTE);
    $.SUBRULE(r.identifier, { LABEL: 'name' });
    $.OPTION(() => {
      $.CONSUME(kw.USING);
      $.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => $.CONSUME(t.UserVariable, { LABEL: 'variable' }) });
    });
  });

  r.deallocateStatement = $.addRule('deallocateStatement', () => {
    $.CONSUME(kw.DEALLOCATE);
    $.SUBRULE(r.dropPrepareBody);
  });

  // After DROP (the DROP dispatcher) or DEALLOCATE.
  r.dropPrepareBody = $.addRule('dropPrepareBody', () => {
    $.CONSUME(kw.PREPARE);
    $.SUBRULE(r.identifier, { LABEL: 'name' });
  });

  r.flushStatement = $.addRule('flushStatement', () => {
    $.CONSUME(kw.FLUSH);
    $.OPTION(() => $.CONSUME(kw.LOCAL));
    $.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => $.SUBRULE(r.flushOption, { LABEL: 'option' }) });
  });

  r.flushOption = $.addRule('flushOption', () => {
    $.OR([
      { ALT: () => $.CONSUME(kw.PRIVILEGES, { LABEL: 'word' }) },
      { ALT: () => $.CONSUME(kw.TABLES, { LABEL: 'word' }) },
      { ALT: () => $.CONSUME(kw.LOGS, { LABEL: 'word' }) },
      { ALT: () => $.CONSUME(kw.STATUS, { LABEL: 'word' }) },
      { ALT: () => $.CONSUME(kw.HOSTS, { LABEL: 'word' }) },
      { ALT: () => $.CONSUME(kw.THREADS, { LABEL: 'word' }) },
    ]);
  });

  r.shutdownStatement = $.addRule('shutdownStatement', () => {
    $.CONSUME(kw.SHUTDOWN);
  });
}
