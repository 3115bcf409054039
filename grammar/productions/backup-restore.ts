/**
 * BACKUP / RESTORE / SHOW BACKUP / SHOW RESTORE / SHOW SNAPSHOT / CANCEL, following StarRocks' current grammar
 * (reference §1.1, a superset of the 3.0–3.3 one):
 *
 *   BACKUP (ALL EXTERNAL CATALOGS | EXTERNAL (CATALOG | CATALOGS) identifierList)? (DATABASE db)?
 *     SNAPSHOT qualifiedName TO repo (ON '(' backupRestoreObjectDesc (',' …)* ')')? properties?
 *   RESTORE SNAPSHOT qualifiedName FROM repo (ALL EXTERNAL CATALOGS | EXTERNAL (CATALOG | CATALOGS)
 *     identifierWithAliasList)? (DATABASE db (AS alias)?)? (ON '(' … ')')? properties?
 *
 * Deviation: one external-catalog rule allows `AS alias` for both; the visitor rejects aliases in BACKUP with a
 * syntax error, as StarRocks' grammar does.
 */
import type { Dsl, Rule, Rules } from '../parser.ts';
import * as t from '../tokens.ts';

const { kw } = t;

export interface BackupRestoreRules {
  backupStatement: Rule;
  restoreStatement: Rule;
  externalCatalogs: Rule;
  catalogWithAlias: Rule;
  backupObjectList: Rule;
  backupObject: Rule;
  objectAlias: Rule;
  showBackupBody: Rule;
  showRestoreBody: Rule;
  showSnapshotBody: Rule;
  cancelStatement: Rule;
  createRepositoryBody: Rule;
  dropRepositoryBody: Rule;
  dropSnapshotBody: Rule;
  showRepositoriesBody: Rule;
  alterRepositoryBody: Rule;
  verifyStatement: Rule;
  showVerifyBody: Rule;
  cancelVerifyStatement: Rule;
  showSnapshotDiffBody: Rule;
  snapshotRef: Rule;
}

export function defineBackupRestoreRules($: Dsl, r: Rules): void {
  r.backupStatement = $.addRule('backupStatement', () => {
    $.CONSUME(kw.BACKUP);
    $.OPTION(() => $.SUBRULE(r.externalCatalogs));
    $.OPTION2(() => {
      $.CONSUME(kw.DATABASE);
      $.SUBRULE(r.identifier, { LABEL: 'database' });
    });
    $.CONSUME(kw.SNAPSHOT);
    $.SUBRULE(r.qualifiedName, { LABEL: 'label' });
    $.CONSUME(kw.TO);
    $.SUBRULE2(r.identifier, { LABEL: 'repository' });
    $.OPTION3(() => $.SUBRULE(r.backupObjectList));
    $.OPTION4(() => $.SUBRULE(r.properties));
  });

  r.restoreStatement = $.addRule('restoreStatement', () => {
    $.CONSUME(kw.RESTORE);
    $.CONSUME(kw.SNAPSHOT);
    $.SUBRULE(r.qualifiedName, { LABEL: 'label' });
    $.CONSUME(kw.FROM);
    $.SUBRULE(r.identifier, { LABEL: 'repository' });
    $.OPTION(() => $.SUBRULE(r.externalCatalogs));
    $.OPTION2(() => {
      $.CONSUME(kw.DATABASE);
      $.SUBRULE2(r.identifier, { LABEL: 'database' });
      $.OPTION3(() => {
        $.CONSUME(kw.AS);
        $.SUBRULE3(r.identifier, { LABEL: 'databaseAlias' });
      });
    });
    $.OPTION4(() => $.SUBRULE(r.backupObjectList));
    $.OPTION5(() => $.SUBRULE(r.properties));
  });

  r.externalCatalogs = $.addRule('externalCatalogs', () => {
    $.OR([
      {
        ALT: () => {
          $.CONSUME(kw.ALL);
          $.CONSUME(kw.EXTERNAL);
          $.CONSUME(kw.CATALOGS);
        },
      },
      {
        ALT: () => {
          $.CONSUME2(kw.EXTERNAL);
          $.OR2([{ ALT: () => $.CONSUME(kw.CATALOG) }, { ALT: () => $.CONSUME2(kw.CATALOGS) }]);
          $.CONSUME(t.LParen);
          $.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => $.SUBRULE(r.catalogWithAlias, { LABEL: 'catalog' }) });
          $.CONSUME(t.RParen);
        },
      },
    ]);
  });

  r.catalogWithAlias = $.addRule('catalogWithAlias', () => {
    $.SUBRULE(r.identifier, { LABEL: 'name' });
    $.OPTION(() => $.SUBRULE(r.objectAlias));
  });

  r.backupObjectList = $.addRule('backupObjectList', () => {
    $.CONSUME(kw.ON);
    $.CONSUME(t.LParen);
    $.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => $.SUBRULE(r.backupObject, { LABEL: 'object' }) });
    $.CONSUME(t.RParen);
  });

  r.objectAlias = $.addRule('objectAlias', () => {
    $.CONSUME(kw.AS);
    $.SUBRULE(r.identifier, { LABEL: 'alias' });
  });

  // The keyword forms come before the bare `t [PARTITION (…)]` form: VIEW, TABLES, FUNCTIONS … are non-reserved,
  // so a table may be called `view`; LL(2) tells `VIEW v` from `view`.
  r.backupObject = $.addRule('backupObject', () => {
    $.OR([
      {
        ALT: () => {
          $.CONSUME(kw.ALL);
          $.OR6([
            { ALT: () => $.CONSUME(kw.FUNCTION, { LABEL: 'objectType' }) },
            { ALT: () => $.CONSUME(kw.FUNCTIONS, { LABEL: 'objectType' }) },
            { ALT: () => $.CONSUME(kw.TABLE, { LABEL: 'objectType' }) },
            { ALT: () => $.CONSUME(kw.TABLES, { LABEL: 'objectType' }) },
            {
              ALT: () => {
                $.CONSUME(kw.MATERIALIZED, { LABEL: 'materialized' });
                $.OR2([
                  { ALT: () => $.CONSUME4(kw.VIEW, { LABEL: 'objectType' }) },
                  { ALT: () => $.CONSUME4(kw.VIEWS, { LABEL: 'objectType' }) },
                ]);
              },
            },
            { ALT: () => $.CONSUME(kw.VIEW, { LABEL: 'objectType' }) },
            { ALT: () => $.CONSUME(kw.VIEWS, { LABEL: 'objectType' }) },
          ]);
        },
      },
      {
        ALT: () => {
          $.OR7([
            { ALT: () => $.CONSUME2(kw.FUNCTION, { LABEL: 'objectType' }) },
            { ALT: () => $.CONSUME2(kw.FUNCTIONS, { LABEL: 'objectType' }) },
            { ALT: () => $.CONSUME2(kw.TABLE, { LABEL: 'objectType' }) },
            { ALT: () => $.CONSUME2(kw.TABLES, { LABEL: 'objectType' }) },
            {
              ALT: () => {
                $.CONSUME2(kw.MATERIALIZED, { LABEL: 'materialized' });
                $.OR1([
                  { ALT: () => $.CONSUME3(kw.VIEW, { LABEL: 'objectType' }) },
                  { ALT: () => $.CONSUME3(kw.VIEWS, { LABEL: 'objectType' }) },
                ]);
              },
            },
            { ALT: () => $.CONSUME2(kw.VIEW, { LABEL: 'objectType' }) },
            { ALT: () => $.CONSUME2(kw.VIEWS, { LABEL: 'objectType' }) },
          ]);
          $.SUBRULE(r.qualifiedName, { LABEL: 'name' });
          $.OPTION(() => $.SUBRULE(r.partitionNames));
          $.OPTION2(() => $.SUBRULE(r.objectAlias));
        },
      },
      {
        ALT: () => {
          $.SUBRULE2(r.qualifiedName, { LABEL: 'name' });
          $.OPTION3(() => $.SUBRULE2(r.partitionNames));
          $.OPTION4(() => $.SUBRULE2(r.objectAlias));
        },
      },
    ]);
  });

  const dbFilter = (): void => {
    $.OPTION(() => {
      $.SUBRULE(r.fromOrIn);
      $.SUBRULE(r.identifier, { LABEL: 'database' });
    });
    $.SUBRULE(r.showPredicates);
  };

  r.showBackupBody = $.addRule('showBackupBody', () => {
    $.CONSUME(kw.BACKUP);
    dbFilter();
  });

  r.showRestoreBody = $.addRule('showRestoreBody', () => {
    $.CONSUME(kw.RESTORE);
    dbFilter();
  });

  r.showSnapshotBody = $.addRule('showSnapshotBody', () => {
    $.CONSUME(kw.SNAPSHOT);
    $.CONSUME(kw.ON);
    $.SUBRULE(r.identifier, { LABEL: 'repository' });
    $.SUBRULE(r.showPredicates);
  });

  r.cancelStatement = $.addRule('cancelStatement', () => {
    $.CONSUME(kw.CANCEL);
    $.OR([{ ALT: () => $.CONSUME(kw.BACKUP, { LABEL: 'job' }) }, { ALT: () => $.CONSUME(kw.RESTORE, { LABEL: 'job' }) }]);
    $.OPTION(() =>
      $.OR2([
        {
          ALT: () => {
            $.SUBRULE(r.fromOrIn);
            $.SUBRULE(r.identifier, { LABEL: 'database' });
          },
        },
        {
          ALT: () => {
            $.CONSUME(kw.FOR);
            $.CONSUME(kw.EXTERNAL);
            $.CONSUME(kw.CATALOG);
          },
        },
      ]),
    );
  });

  // CREATE [READ ONLY] REPOSITORY r WITH BROKER [name] ON LOCATION 'uri' [PROPERTIES (…)]
  r.createRepositoryBody = $.addRule('createRepositoryBody', () => {
    $.OPTION(() => {
      $.CONSUME(kw.READ);
      $.CONSUME(kw.ONLY);
    });
    $.CONSUME(kw.REPOSITORY);
    $.SUBRULE(r.identifier, { LABEL: 'name' });
    $.CONSUME(kw.WITH);
    $.CONSUME(kw.BROKER);
    $.OPTION2(() => $.SUBRULE(r.identOrString, { LABEL: 'broker' }));
    $.CONSUME(kw.ON);
    $.CONSUME(kw.LOCATION);
    $.SUBRULE(r.stringLiteral, { LABEL: 'location' });
    $.OPTION3(() => $.SUBRULE(r.properties));
  });

  r.dropRepositoryBody = $.addRule('dropRepositoryBody', () => {
    $.CONSUME(kw.REPOSITORY);
    $.SUBRULE(r.identifier, { LABEL: 'name' });
  });

  // DROP SNAPSHOT label ON repo [FORCE] (StarRocks v4.2) | DROP SNAPSHOT ON repo WHERE … (bulk), either [DRY RUN].
  r.dropSnapshotBody = $.addRule('dropSnapshotBody', () => {
    $.CONSUME(kw.SNAPSHOT);
    $.OR([
      {
        ALT: () => {
          $.CONSUME(kw.ON);
          $.SUBRULE(r.identifier, { LABEL: 'repository' });
          $.CONSUME(kw.WHERE);
          $.SUBRULE(r.expression, { LABEL: 'where' });
        },
      },
      {
        ALT: () => {
          $.SUBRULE(r.identOrString, { LABEL: 'snapshot' });
          $.CONSUME2(kw.ON);
          $.SUBRULE2(r.identifier, { LABEL: 'repository' });
          $.OPTION(() => $.CONSUME(kw.FORCE));
        },
      },
    ]);
    $.OPTION2(() => {
      $.CONSUME(kw.DRY);
      $.CONSUME(kw.RUN);
    });
  });

  // ALTER REPOSITORY r SET PROPERTIES ("default_snapshot_ttl" = "30 DAY", "keep_local_snapshots" = "1")
  r.alterRepositoryBody = $.addRule('alterRepositoryBody', () => {
    $.CONSUME(kw.REPOSITORY);
    $.SUBRULE(r.identifier, { LABEL: 'name' });
    $.CONSUME(kw.SET);
    $.SUBRULE(r.properties);
  });

  // VERIFY SNAPSHOT label ON repo [PROPERTIES ("backup_timestamp" = "…", "mode" = "files" | "checksum" | "restore")]
  r.verifyStatement = $.addRule('verifyStatement', () => {
    $.CONSUME(kw.VERIFY);
    $.CONSUME(kw.SNAPSHOT);
    $.SUBRULE(r.identOrString, { LABEL: 'snapshot' });
    $.CONSUME(kw.ON);
    $.SUBRULE(r.identifier, { LABEL: 'repository' });
    $.OPTION(() => $.SUBRULE(r.properties));
  });

  // SHOW VERIFY [ON repo] [WHERE …] [ORDER BY …] [LIMIT …]
  r.showVerifyBody = $.addRule('showVerifyBody', () => {
    $.CONSUME(kw.VERIFY);
    $.OPTION(() => {
      $.CONSUME(kw.ON);
      $.SUBRULE(r.identifier, { LABEL: 'repository' });
    });
    $.SUBRULE(r.showPredicates);
  });

  // CANCEL VERIFY [ON repo]
  r.cancelVerifyStatement = $.addRule('cancelVerifyStatement', () => {
    $.CONSUME(kw.CANCEL);
    $.CONSUME(kw.VERIFY);
    $.OPTION(() => {
      $.CONSUME(kw.ON);
      $.SUBRULE(r.identifier, { LABEL: 'repository' });
    });
  });

  // SHOW SNAPSHOT DIFF ON repo FROM 'label_a' ['ts_a'] TO 'label_b' ['ts_b']
  r.showSnapshotDiffBody = $.addRule('showSnapshotDiffBody', () => {
    $.CONSUME(kw.SNAPSHOT);
    $.CONSUME(kw.DIFF);
    $.CONSUME(kw.ON);
    $.SUBRULE(r.identifier, { LABEL: 'repository' });
    $.CONSUME(kw.FROM);
    $.SUBRULE(r.snapshotRef, { LABEL: 'from' });
    $.CONSUME(kw.TO);
    $.SUBRULE2(r.snapshotRef, { LABEL: 'to' });
  });

  r.snapshotRef = $.addRule('snapshotRef', () => {
    $.SUBRULE(r.identOrString, { LABEL: 'label' });
    $.OPTION(() => $.SUBRULE(r.stringLiteral, { LABEL: 'timestamp' }));
  });

  r.showRepositoriesBody = $.addRule('showRepositoriesBody', () => {
    $.CONSUME(kw.REPOSITORIES);
  });
}
