/**
 * Backup schedules and snapshot copies (tablevault's automation statements; issue 13):
 *
 *   CREATE BACKUP SCHEDULE [IF NOT EXISTS] s FOR DATABASE db [ON (…)] TO repo (EVERY '…' | CRON '…') [STARTS '…'] [PROPERTIES (…)]
 *   ALTER BACKUP SCHEDULE s [FOR DATABASE db] [ON (…)] [TO repo] [EVERY '…' | CRON '…'] [STARTS '…'] [PROPERTIES (…)]
 *   DROP BACKUP SCHEDULE [IF EXISTS] s          PAUSE | RESUME | EXECUTE BACKUP SCHEDULE s
 *   SHOW BACKUP SCHEDULES [FROM db] [WHERE …]   SHOW CREATE BACKUP SCHEDULE s
 *   COPY SNAPSHOT label FROM repo_a TO repo_b [PROPERTIES (…)]   SHOW COPY [ON repo] [WHERE …]   CANCEL COPY [ON repo]
 *
 * The ON list is BACKUP's (`backupObjectList`), so a schedule backs up exactly what a BACKUP statement could. CREATE,
 * DROP, ALTER and SHOW are reached through their dispatchers (statement.ts, show.ts).
 */
import type { Dsl, Rule, Rules } from '../parser.ts';
import * as t from '../tokens.ts';

const { kw } = t;

export interface BackupScheduleRules {
  createBackupScheduleBody: Rule;
  alterBackupScheduleBody: Rule;
  dropBackupScheduleBody: Rule;
  scheduleTrigger: Rule;
  scheduleStateStatement: Rule;
  executeScheduleStatement: Rule;
  showBackupSchedulesBody: Rule;
  showCreateBackupScheduleBody: Rule;
  copySnapshotStatement: Rule;
  showCopyBody: Rule;
  cancelCopyStatement: Rule;
}

export function defineBackupScheduleRules($: Dsl, r: Rules): void {
  const backupSchedule = (): void => {
    $.CONSUME(kw.BACKUP);
    $.CONSUME(kw.SCHEDULE);
  };

  r.scheduleTrigger = $.addRule('scheduleTrigger', () => {
    $.OR([{ ALT: () => $.CONSUME(kw.EVERY, { LABEL: 'kind' }) }, { ALT: () => $.CONSUME(kw.CRON, { LABEL: 'kind' }) }]);
    $.SUBRULE(r.stringLiteral, { LABEL: 'text' });
  });

  r.createBackupScheduleBody = $.addRule('createBackupScheduleBody', () => {
    backupSchedule();
    $.OPTION(() => $.SUBRULE(r.ifNotExists));
    $.SUBRULE(r.identifier, { LABEL: 'name' });
    $.CONSUME(kw.FOR);
    $.CONSUME(kw.DATABASE);
    $.SUBRULE2(r.identifier, { LABEL: 'database' });
    $.OPTION2(() => $.SUBRULE(r.backupObjectList));
    $.CONSUME(kw.TO);
    $.SUBRULE3(r.identifier, { LABEL: 'repository' });
    $.SUBRULE(r.scheduleTrigger);
    $.OPTION3(() => {
      $.CONSUME(kw.STARTS);
      $.SUBRULE(r.stringLiteral, { LABEL: 'starts' });
    });
    $.OPTION4(() => $.SUBRULE(r.properties));
  });

  r.alterBackupScheduleBody = $.addRule('alterBackupScheduleBody', () => {
    backupSchedule();
    $.SUBRULE(r.identifier, { LABEL: 'name' });
    $.OPTION(() => {
      $.CONSUME(kw.FOR);
      $.CONSUME(kw.DATABASE);
      $.SUBRULE2(r.identifier, { LABEL: 'database' });
    });
    $.OPTION2(() => $.SUBRULE(r.backupObjectList));
    $.OPTION3(() => {
      $.CONSUME(kw.TO);
      $.SUBRULE3(r.identifier, { LABEL: 'repository' });
    });
    $.OPTION4(() => $.SUBRULE(r.scheduleTrigger));
    $.OPTION5(() => {
      $.CONSUME(kw.STARTS);
      $.SUBRULE(r.stringLiteral, { LABEL: 'starts' });
    });
    $.OPTION6(() => $.SUBRULE(r.properties));
  });

  r.dropBackupScheduleBody = $.addRule('dropBackupScheduleBody', () => {
    backupSchedule();
    $.OPTION(() => $.SUBRULE(r.ifExists));
    $.SUBRULE(r.identifier, { LABEL: 'name' });
  });

  r.scheduleStateStatement = $.addRule('scheduleStateStatement', () => {
    $.OR([{ ALT: () => $.CONSUME(kw.PAUSE, { LABEL: 'action' }) }, { ALT: () => $.CONSUME(kw.RESUME, { LABEL: 'action' }) }]);
    backupSchedule();
    $.SUBRULE(r.identifier, { LABEL: 'name' });
  });

  r.executeScheduleStatement = $.addRule('executeScheduleStatement', () => {
    $.CONSUME(kw.EXECUTE);
    backupSchedule();
    $.SUBRULE(r.identifier, { LABEL: 'name' });
  });

  r.showBackupSchedulesBody = $.addRule('showBackupSchedulesBody', () => {
    $.CONSUME(kw.BACKUP);
    $.CONSUME(kw.SCHEDULES);
    $.OPTION(() => {
      $.SUBRULE(r.fromOrIn);
      $.SUBRULE(r.identifier, { LABEL: 'database' });
    });
    $.SUBRULE(r.showPredicates);
  });

  r.showCreateBackupScheduleBody = $.addRule('showCreateBackupScheduleBody', () => {
    $.CONSUME(kw.CREATE);
    backupSchedule();
    $.SUBRULE(r.identifier, { LABEL: 'name' });
  });

  r.copySnapshotStatement = $.addRule('copySnapshotStatement', () => {
    $.CONSUME(kw.COPY);
    $.CONSUME(kw.SNAPSHOT);
    $.SUBRULE(r.identOrString, { LABEL: 'snapshot' });
    $.CONSUME(kw.FROM);
    $.SUBRULE(r.identifier, { LABEL: 'from' });
    $.CONSUME(kw.TO);
    $.SUBRULE2(r.identifier, { LABEL: 'to' });
    $.OPTION(() => $.SUBRULE(r.properties));
  });

  r.showCopyBody = $.addRule('showCopyBody', () => {
    $.CONSUME(kw.COPY);
    $.OPTION(() => {
      $.CONSUME(kw.ON);
      $.SUBRULE(r.identifier, { LABEL: 'repository' });
    });
    $.SUBRULE(r.showPredicates);
  });

  r.cancelCopyStatement = $.addRule('cancelCopyStatement', () => {
    $.CONSUME(kw.CANCEL);
    $.CONSUME(kw.COPY);
    $.OPTION(() => {
      $.CONSUME(kw.ON);
      $.SUBRULE(r.identifier, { LABEL: 'repository' });
    });
  });
}
