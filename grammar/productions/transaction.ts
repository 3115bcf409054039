/**
 * Transactions and table locks, MySQL 8.0's grammar:
 *   BEGIN [WORK] | START TRANSACTION [characteristic [, characteristic] …]
 *     characteristic: WITH CONSISTENT SNAPSHOT | READ ONLY | READ WRITE
 *   COMMIT [WORK] [AND [NO] CHAIN] [[NO] RELEASE]      ROLLBACK [WORK] [AND [NO] CHAIN] [[NO] RELEASE]
 *   SAVEPOINT sp      ROLLBACK [WORK] TO [SAVEPOINT] sp      RELEASE SAVEPOINT sp
 *   SET [GLOBAL | SESSION] TRANSACTION {ISOLATION LEVEL level | READ ONLY | READ WRITE} [, …]
 *     level: REPEATABLE READ | READ COMMITTED | READ UNCOMMITTED | SERIALIZABLE
 *   LOCK {TABLE | TABLES} t [[AS] alias] {READ [LOCAL] | WRITE} [, …]      UNLOCK {TABLE | TABLES}
 */
import { tokenMatcher } from 'chevrotain';
import type { Dsl, Rule, Rules } from '../parser.ts';
import * as t from '../tokens.ts';

const { kw } = t;

export interface TransactionRules {
  transactionStatement: Rule;
  completionOptions: Rule;
  transactionCharacteristic: Rule;
  setTransactionBody: Rule;
  isolationLevel: Rule;
  accessMode: Rule;
  lockTablesStatement: Rule;
  tableLockItem: Rule;
  unlockTablesStatement: Rule;
}

/** True when SET's next tokens are `[GLOBAL | SESSION | LOCAL] TRANSACTION {ISOLATION | READ}` (not a variable). */
export function startsSetTransaction(la: Dsl['LA']): boolean {
  let i = 1;
  if (tokenMatcher(la(1), kw.GLOBAL) || tokenMatcher(la(1), kw.SESSION) || tokenMatcher(la(1), kw.LOCAL)) i = 2;
  if (!tokenMatcher(la(i), kw.TRANSACTION)) return false;
  return tokenMatcher(la(i + 1), kw.ISOLATION) || tokenMatcher(la(i + 1), kw.READ);
}

export function defineTransactionRules($: Dsl, r: Rules): void {
  r.transactionStatement = $.addRule('transactionStatement', () => {
    $.OR([
      {
        ALT: () => {
          $.CONSUME(kw.BEGIN, { LABEL: 'begin' });
          $.OPTION(() => $.CONSUME(kw.WORK));
        },
      },
      {
        ALT: () => {
          $.CONSUME(kw.START, { LABEL: 'begin' });
          $.CONSUME(kw.TRANSACTION);
          $.MANY_SEP({ SEP: t.Comma, DEF: () => $.SUBRULE(r.transactionCharacteristic, { LABEL: 'characteristic' }) });
        },
      },
      {
        ALT: () => {
          $.CONSUME(kw.COMMIT, { LABEL: 'commit' });
          $.OPTION2(() => $.CONSUME2(kw.WORK));
          $.SUBRULE(r.completionOptions);
        },
      },
      {
        ALT: () => {
          $.CONSUME(kw.ROLLBACK, { LABEL: 'rollback' });
          $.OPTION3(() => $.CONSUME3(kw.WORK));
          $.OR2([
            {
              ALT: () => {
                $.CONSUME(kw.TO, { LABEL: 'to' });
                $.OPTION4(() => $.CONSUME(kw.SAVEPOINT));
                $.SUBRULE(r.identifier, { LABEL: 'savepoint' });
              },
            },
            { ALT: () => $.SUBRULE2(r.completionOptions) },
          ]);
        },
      },
      {
        ALT: () => {
          $.CONSUME2(kw.SAVEPOINT, { LABEL: 'savepointStmt' });
          $.SUBRULE2(r.identifier, { LABEL: 'savepoint' });
        },
      },
      {
        ALT: () => {
          $.CONSUME(kw.RELEASE, { LABEL: 'releaseStmt' });
          $.CONSUME3(kw.SAVEPOINT);
          $.SUBRULE3(r.identifier, { LABEL: 'savepoint' });
        },
      },
    ]);
  });

  // `[AND [NO] CHAIN] [[NO] RELEASE]`
  r.completionOptions = $.addRule('completionOptions', () => {
    $.OPTION(() => {
      $.CONSUME(kw.AND);
      $.OPTION2(() => $.CONSUME(kw.NO, { LABEL: 'noChain' }));
      $.CONSUME(kw.CHAIN, { LABEL: 'chain' });
    });
    $.OPTION3(() => {
      $.OPTION4(() => $.CONSUME2(kw.NO, { LABEL: 'noRelease' }));
      $.CONSUME(kw.RELEASE, { LABEL: 'release' });
    });
  });

  r.transactionCharacteristic = $.addRule('transactionCharacteristic', () => {
    $.OR([
      {
        ALT: () => {
          $.CONSUME(kw.WITH);
          $.CONSUME(kw.CONSISTENT, { LABEL: 'consistent' });
          $.CONSUME(kw.SNAPSHOT);
        },
      },
      { ALT: () => $.SUBRULE(r.accessMode) },
    ]);
  });

  r.accessMode = $.addRule('accessMode', () => {
    $.CONSUME(kw.READ);
    $.OR([{ ALT: () => $.CONSUME(kw.ONLY, { LABEL: 'only' }) }, { ALT: () => $.CONSUME(kw.WRITE, { LABEL: 'write' }) }]);
  });

  r.setTransactionBody = $.addRule('setTransactionBody', () => {
    $.OPTION(() =>
      $.OR([
        { ALT: () => $.CONSUME(kw.GLOBAL, { LABEL: 'scope' }) },
        { ALT: () => $.CONSUME(kw.SESSION, { LABEL: 'scope' }) },
        { ALT: () => $.CONSUME(kw.LOCAL, { LABEL: 'scope' }) },
      ]),
    );
    $.CONSUME(kw.TRANSACTION);
    $.AT_LEAST_ONE_SEP({
      SEP: t.Comma,
      DEF: () =>
        $.OR2([
          {
            ALT: () => {
              $.CONSUME(kw.ISOLATION);
              $.CONSUME(kw.LEVEL);
              $.SUBRULE(r.isolationLevel);
            },
          },
          { ALT: () => $.SUBRULE(r.accessMode) },
        ]),
    });
  });

  r.isolationLevel = $.addRule('isolationLevel', () => {
    $.OR([
      {
        ALT: () => {
          $.CONSUME(kw.REPEATABLE, { LABEL: 'repeatable' });
          $.CONSUME(kw.READ);
        },
      },
      {
        ALT: () => {
          $.CONSUME2(kw.READ);
          $.OR2([
            { ALT: () => $.CONSUME(kw.COMMITTED, { LABEL: 'committed' }) },
            { ALT: () => $.CONSUME(kw.UNCOMMITTED, { LABEL: 'uncommitted' }) },
          ]);
        },
      },
      { ALT: () => $.CONSUME(kw.SERIALIZABLE, { LABEL: 'serializable' }) },
    ]);
  });

  r.lockTablesStatement = $.addRule('lockTablesStatement', () => {
    $.CONSUME(kw.LOCK);
    $.OR([{ ALT: () => $.CONSUME(kw.TABLE) }, { ALT: () => $.CONSUME(kw.TABLES) }]);
    $.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => $.SUBRULE(r.tableLockItem, { LABEL: 'item' }) });
  });

  r.tableLockItem = $.addRule('tableLockItem', () => {
    $.SUBRULE(r.qualifiedName, { LABEL: 'table' });
    // An alias unless the next word is already the lock type (`t READ` vs `t r READ`).
    $.OPTION({
      GATE: () => tokenMatcher($.LA(1), kw.AS) || !(tokenMatcher($.LA(1), kw.READ) || tokenMatcher($.LA(1), kw.WRITE)),
      DEF: () => {
        $.OPTION2(() => $.CONSUME(kw.AS));
        $.SUBRULE(r.identifier, { LABEL: 'alias' });
      },
    });
    $.OR([
      {
        ALT: () => {
          $.CONSUME(kw.READ, { LABEL: 'read' });
          $.OPTION3(() => $.CONSUME(kw.LOCAL));
        },
      },
      { ALT: () => $.CONSUME(kw.WRITE, { LABEL: 'write' }) },
    ]);
  });

  r.unlockTablesStatement = $.addRule('unlockTablesStatement', () => {
    $.CONSUME(kw.UNLOCK);
    $.OR([{ ALT: () => $.CONSUME(kw.TABLE) }, { ALT: () => $.CONSUME(kw.TABLES) }]);
  });
}
