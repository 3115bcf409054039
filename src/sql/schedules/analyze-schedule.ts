/**
 * CREATE / ALTER BACKUP SCHEDULE's analysis: a schedule must describe a BACKUP that would be accepted today (the
 * same analysis BACKUP gets: repository, database, ON list), a trigger that fires by itself, a start time, and
 * properties that make sense. Every refusal says what to write instead.
 */
import type { BackupRestoreObject, BackupStmt } from '../../../grammar/ast.ts';
import { analysisError, ddlError } from '../../errors/index.ts';
import { parseScheduleOptions, runLabel, SCHEDULE_NAME_REGEX, type ScheduleOptions } from '../../jobs/schedules/options.ts';
import {
  checkTrigger,
  parseCronTrigger,
  parseEvery,
  parseStartTime,
  ScheduleDefinitionError,
  triggerText,
  type Trigger,
} from '../../jobs/schedules/trigger.ts';
import { analyzeBackup } from '../backup/analyze-backup.ts';
import type { ExecutionContext } from '../context.ts';

/** A schedule as written (after ALTER's merge), before checking. */
export interface ScheduleDraft {
  readonly name: string;
  readonly dbName: string;
  readonly objects: readonly BackupRestoreObject[] | null;
  readonly repoName: string;
  readonly trigger: { readonly kind: 'EVERY' | 'CRON'; readonly text: string };
  /** Epoch ms, or the STARTS text to parse. */
  readonly starts: number | string;
  readonly properties: Readonly<Record<string, string>>;
}

/** A checked schedule definition. */
export interface ScheduleDefinition {
  readonly name: string;
  readonly dbName: string;
  readonly objects: readonly BackupRestoreObject[] | null;
  readonly repoName: string;
  readonly trigger: Trigger;
  readonly triggerKind: 'EVERY' | 'CRON';
  readonly triggerText: string;
  readonly startsAt: number;
  readonly properties: Readonly<Record<string, string>>;
  readonly options: ScheduleOptions;
}

/** ScheduleDefinitionError (src/jobs/schedules) → StarRocks' analysis error. */
export function definitionError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ScheduleDefinitionError) throw analysisError(error.message);
    throw error;
  }
}

export function checkScheduleName(name: string): void {
  if (!SCHEDULE_NAME_REGEX.test(name)) {
    throw analysisError(
      `Incorrect backup schedule name '${name}': use letters, digits, _ and -, at most 113 characters (a run's label adds _yyyyMMddHHmmss)`,
    );
  }
}

export async function analyzeSchedule(ctx: ExecutionContext, draft: ScheduleDraft): Promise<ScheduleDefinition> {
  const { services } = ctx;
  const now = services.clock.now();
  checkScheduleName(draft.name);
  // The BACKUP a run will execute, analysed now: repository, database, ON list (StarRocks' order and messages).
  const backup: BackupStmt = {
    kind: 'Backup',
    database: draft.dbName,
    label: { name: runLabel(draft.name, now) },
    repository: draft.repoName,
    ...(draft.objects === null ? {} : { objects: draft.objects }),
    properties: [],
  };
  analyzeBackup(ctx, backup);
  if ((await services.repositories.get(draft.repoName)).readOnly) throw ddlError(`Repository ${draft.repoName} is read only`);
  const trigger = definitionError(() => (draft.trigger.kind === 'EVERY' ? parseEvery(draft.trigger.text) : parseCronTrigger(draft.trigger.text)));
  const startsAt = typeof draft.starts === 'number' ? draft.starts : definitionError(() => parseStartTime(draft.starts as string));
  const options = definitionError(() => parseScheduleOptions(draft.properties));
  if (options.copyTo !== null) {
    if (!services.repositories.has(options.copyTo)) throw analysisError(`Repository [${options.copyTo}] does not exist (copy_to)`);
    if (options.copyTo === draft.repoName) throw analysisError(`copy_to must name another repository than ${draft.repoName}, which the schedule backs up to`);
    if ((await services.repositories.get(options.copyTo)).readOnly) throw ddlError(`Repository ${options.copyTo} is read only (copy_to)`);
  }
  definitionError(() => checkTrigger(trigger, startsAt, now));
  return {
    name: draft.name,
    dbName: draft.dbName,
    objects: draft.objects,
    repoName: draft.repoName,
    trigger,
    triggerKind: trigger.kind,
    triggerText: triggerText(trigger),
    startsAt,
    properties: draft.properties,
    options,
  };
}
