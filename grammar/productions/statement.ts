/**
 * The entry point: `statement` (one statement, no `;` — the caller splits on top-level `;` tokens) and the
 * CREATE / DROP / ALTER dispatchers, which consume the verb once so the object keyword after it decides.
 */
import type { Dsl, Rule, Rules } from '../parser.ts';
import * as t from '../tokens.ts';
import { tokenMatcher } from '../chevrotain.ts';
import { startsAlterTableKeys } from './mysql-compat.ts';

const { kw } = t;

export interface StatementRules {
  statement: Rule;
  createStatement: Rule;
  dropStatement: Rule;
  alterStatement: Rule;
}

export function defineStatementRules($: Dsl, r: Rules): void {
  // `EXECUTE BACKUP SCHEDULE s` and `EXECUTE <prepared statement named backup>` share two tokens, which is all the
  // lookahead (LL(2)) sees: the schedule form goes first and is taken only when the third token is SCHEDULE.
  const executeScheduleAlt = {
    GATE: () => tokenMatcher($.LA(2), kw.BACKUP) && tokenMatcher($.LA(3), kw.SCHEDULE),
    ALT: () => $.SUBRULE(r.executeScheduleStatement),
    IGNORE_AMBIGUITIES: true,
  };
  const alts = (rules: () => readonly Rule[]): (() => { ALT: () => unknown }[]) => {
    let cached: { ALT: () => unknown }[] | undefined;
    return () => (cached ??= rules().map((rule) => (rule === r.executeScheduleStatement ? executeScheduleAlt : { ALT: () => $.SUBRULE(rule) })));
  };

  const statementAlts = alts(() => [
    r.selectStatement,
    r.createStatement,
    r.dropStatement,
    r.alterStatement,
    r.useStatement,
    r.insertStatement,
    r.deleteStatement,
    r.updateStatement,
    r.truncateStatement,
    r.showStatement,
    r.describeStatement,
    r.backupStatement,
    r.restoreStatement,
    r.verifyStatement,
    r.cancelStatement,
    r.grantStatement,
    r.revokeStatement,
    r.setStatement,
    r.killStatement,
    r.transactionStatement,
    r.prepareStatement,
    r.executeScheduleStatement,
    r.executeStatement,
    r.deallocateStatement,
    r.flushStatement,
    r.shutdownStatement,
    r.scheduleStateStatement,
    r.copySnapshotStatement,
    r.cancelCopyStatement,
    r.cancelVerifyStatement,
    r.lockTablesStatement,
    r.unlockTablesStatement,
  ]);
  r.statement = $.addRule('statement', () => {
    $.OR({ DEF: statementAlts(), ERR_MSG: 'a statement' });
  });

  const createAlts = alts(() => [
    r.createDatabaseBody,
    r.createTableBody,
    r.createViewBody,
    r.createRepositoryBody,
    r.createUserBody,
    r.createRoleBody,
    r.createBackupScheduleBody,
  ]);
  r.createStatement = $.addRule('createStatement', () => {
    $.CONSUME(kw.CREATE);
    $.OR(createAlts());
  });

  const dropAlts = alts(() => [
    r.dropDatabaseBody,
    r.dropTableBody,
    r.dropViewBody,
    r.dropRepositoryBody,
    r.dropSnapshotBody,
    r.dropUserBody,
    r.dropRoleBody,
    r.dropPrepareBody,
    r.dropBackupScheduleBody,
  ]);
  r.dropStatement = $.addRule('dropStatement', () => {
    $.CONSUME(kw.DROP);
    $.OR(dropAlts());
  });

  r.alterStatement = $.addRule('alterStatement', () => {
    $.CONSUME(kw.ALTER);
    $.OR([
      // MySQL's ALTER TABLE t {DISABLE | ENABLE} KEYS (mysql-compat.ts), told from ALTER TABLE's actions by a gate.
      { GATE: () => startsAlterTableKeys((i) => $.LA(i)), ALT: () => $.SUBRULE(r.alterTableKeysBody), IGNORE_AMBIGUITIES: true },
      { ALT: () => $.SUBRULE(r.alterTableBody) },
      { ALT: () => $.SUBRULE(r.alterUserBody) },
      { ALT: () => $.SUBRULE(r.alterViewBody) },
      { ALT: () => $.SUBRULE(r.alterRepositoryBody) },
      { ALT: () => $.SUBRULE(r.alterBackupScheduleBody) },
    ]);
  });
}
