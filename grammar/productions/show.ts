/**
 * The SHOW dispatcher (every `SHOW …` form of every family, so the first keyword after SHOW decides) plus the
 * database / table inspection forms and DESC.
 */
import type { Dsl, Rule, Rules } from '../parser.ts';
import * as t from '../tokens.ts';

const { kw } = t;

export interface ShowRules {
  showStatement: Rule;
  showDatabasesBody: Rule;
  showTablesBody: Rule;
  showCreateBody: Rule;
  showColumnsBody: Rule;
  showPartitionsBody: Rule;
  showTabletBody: Rule;
  showBackendsBody: Rule;
  describeStatement: Rule;
  fromOrIn: Rule;
}

export function defineShowRules($: Dsl, r: Rules): void {
  let showAlts: { ALT: () => unknown }[] | undefined;
  r.showStatement = $.addRule('showStatement', () => {
    $.CONSUME(kw.SHOW);
    showAlts ??= [
      r.showDatabasesBody,
      r.showTablesBody,
      r.showCreateBody,
      r.showColumnsBody,
      r.showPartitionsBody,
      r.showTabletBody,
      r.showBackendsBody,
      // Before SHOW BACKUP: `BACKUP` alone is a whole SHOW BACKUP, a prefix of `BACKUP SCHEDULES`.
      r.showBackupSchedulesBody,
      r.showBackupBody,
      r.showRestoreBody,
      r.showSnapshotDiffBody,
      r.showSnapshotBody,
      r.showRepositoriesBody,
      r.showGrantsBody,
      r.showUsersBody,
      r.showRolesBody,
      r.showVariablesBody,
      r.showStatusBody,
      r.showProcesslistBody,
      r.showWarningsBody,
      r.showAlterTableBody,
      r.showCreateBackupScheduleBody,
      r.showCopyBody,
      r.showVerifyBody,
      r.showMetaBody,
    ].map((rule) => ({ ALT: () => $.SUBRULE(rule) }));
    $.OR({ DEF: showAlts, ERR_MSG: 'a SHOW statement' });
  });

  r.fromOrIn = $.addRule('fromOrIn', () => {
    $.OR([{ ALT: () => $.CONSUME(kw.FROM) }, { ALT: () => $.CONSUME(kw.IN) }]);
  });

  r.showDatabasesBody = $.addRule('showDatabasesBody', () => {
    $.OR([{ ALT: () => $.CONSUME(kw.DATABASES) }, { ALT: () => $.CONSUME(kw.SCHEMAS) }]);
    $.OPTION(() => $.SUBRULE(r.showFilter));
  });

  r.showTablesBody = $.addRule('showTablesBody', () => {
    $.OPTION(() => $.CONSUME(kw.FULL));
    $.CONSUME(kw.TABLES);
    $.OPTION2(() => {
      $.SUBRULE(r.fromOrIn);
      $.SUBRULE(r.identifier, { LABEL: 'database' });
    });
    $.OPTION3(() => $.SUBRULE(r.showFilter));
  });

  r.showCreateBody = $.addRule('showCreateBody', () => {
    $.CONSUME(kw.CREATE);
    $.OR([
      { ALT: () => $.CONSUME(kw.TABLE, { LABEL: 'object' }) },
      { ALT: () => $.CONSUME(kw.VIEW, { LABEL: 'object' }) },
      { ALT: () => $.CONSUME(kw.DATABASE, { LABEL: 'object' }) },
      { ALT: () => $.CONSUME(kw.SCHEMA, { LABEL: 'object' }) },
    ]);
    $.SUBRULE(r.qualifiedName, { LABEL: 'name' });
  });

  r.showColumnsBody = $.addRule('showColumnsBody', () => {
    $.OPTION(() => $.CONSUME(kw.FULL));
    $.OR([{ ALT: () => $.CONSUME(kw.COLUMNS) }, { ALT: () => $.CONSUME(kw.FIELDS) }]);
    $.SUBRULE(r.fromOrIn);
    $.SUBRULE(r.qualifiedName, { LABEL: 'table' });
    $.OPTION2(() => {
      $.SUBRULE2(r.fromOrIn);
      $.SUBRULE(r.identifier, { LABEL: 'database' });
    });
    $.OPTION3(() => $.SUBRULE(r.showFilter));
  });

  r.showPartitionsBody = $.addRule('showPartitionsBody', () => {
    $.OPTION(() => $.CONSUME(kw.TEMPORARY));
    $.CONSUME(kw.PARTITIONS);
    $.CONSUME(kw.FROM);
    $.SUBRULE(r.qualifiedName, { LABEL: 'table' });
    $.SUBRULE(r.showPredicates);
  });

  r.showTabletBody = $.addRule('showTabletBody', () => {
    $.OR([{ ALT: () => $.CONSUME(kw.TABLET) }, { ALT: () => $.CONSUME(kw.TABLETS) }]);
    $.OR2([
      {
        ALT: () => {
          $.CONSUME(kw.FROM);
          $.SUBRULE(r.qualifiedName, { LABEL: 'table' });
          $.OPTION(() => $.SUBRULE(r.partitionNames));
        },
      },
      { ALT: () => $.CONSUME(t.NumberLiteral, { LABEL: 'tabletId' }) },
    ]);
  });

  r.showBackendsBody = $.addRule('showBackendsBody', () => {
    $.CONSUME(kw.BACKENDS);
  });

  r.describeStatement = $.addRule('describeStatement', () => {
    $.OR([{ ALT: () => $.CONSUME(kw.DESC) }, { ALT: () => $.CONSUME(kw.DESCRIBE) }]);
    $.SUBRULE(r.qualifiedName, { LABEL: 'table' });
    // ALL (StarRocks), or MySQL's column name / LIKE pattern (`DESCRIBE t 'a%'`, as Perl DBI's column_info sends).
    $.OPTION(() =>
      $.OR2([
        { ALT: () => $.CONSUME(kw.ALL) },
        { ALT: () => $.SUBRULE(r.identifier, { LABEL: 'column' }) },
        { ALT: () => $.SUBRULE(r.stringLiteral, { LABEL: 'columnPattern' }) },
      ]),
    );
  });
}
