/**
 * The live progress line of a job that runs inside its statement: VERIFY SNAPSHOT submits a VERIFY job and waits
 * for its report, so unlike BACKUP (which answers at once and is followed afterwards) its progress is drawn while
 * the statement itself runs. Embedded only: there the engine's job events say exactly what the job does; a client
 * of a server has one connection, busy with the statement (SHOW VERIFY in another session shows the same).
 */
import type { ProgressEvent } from '../../jobs/progress.ts';
import type { StatementTarget } from './job-tracker.ts';
import type { ProgressLine } from './progress-line.ts';

/** Statements that run a job inside them, and the job kind they run. */
const IN_STATEMENT_JOBS: readonly (readonly [RegExp, string])[] = [[/^\s*VERIFY\s+SNAPSHOT\b/i, 'VERIFY']];

/** The engine's job events, as far as this reads them. */
export interface ProgressSource {
  on(event: 'progress', listener: (e: ProgressEvent) => void): () => void;
}

/**
 * Run `execute` (one statement), drawing on `line` the progress of the job kind the statement runs inside it, if it
 * runs one; the line is erased before the statement's result is printed.
 */
export async function withStatementProgress<T>(sql: string, events: ProgressSource | undefined, line: () => ProgressLine | null, execute: () => Promise<T>): Promise<T> {
  const kind = IN_STATEMENT_JOBS.find(([re]) => re.test(sql))?.[1];
  const drawn = kind === undefined || events === undefined ? null : line();
  if (kind === undefined || events === undefined || drawn === null) return execute();
  const off = events.on('progress', (e) => {
    if (e.kind === kind && !e.done) drawn.update(e);
  });
  try {
    return await execute();
  } finally {
    off();
    drawn.clear();
  }
}

/** A target whose statements draw their in-statement job's progress on `line` (batch mode, stderr a terminal). */
export function drawingStatementProgress<T extends StatementTarget>(target: T, events: ProgressSource | undefined, line: () => ProgressLine | null): StatementTarget {
  const { stream } = target;
  return {
    execute: (sql) => withStatementProgress(sql, events, line, () => target.execute(sql)),
    ...(stream === undefined ? {} : { stream: (sql: string) => withStatementProgress(sql, events, line, () => stream.call(target, sql)) }),
    close: () => target.close(),
  };
}
