/**
 * The jobs this shell started, and waiting for them. Embedded, the shell owns the engine: closing it stops every
 * running job (it resumes at the next open), so the shell waits for its jobs before it exits — batch mode unless
 * `--no-wait`, the interactive shell unless the user presses Ctrl-C while it waits.
 */
import type { ProgressEvent } from '../../jobs/progress.ts';
import type { StatementResult } from '../../sql/result.ts';
import type { StreamedResult } from '../../sql/row-stream.ts';
import { findStartedJob, followJob, jobStatementInfo, showJob, type EngineJobs, type Execute, type StartedJob } from './job-watch.ts';
import { formatJobEnd, type ProgressLine } from './progress-line.ts';

/** Exit code when a waited-for job ended CANCELLED (0 success, 1 SQL error, 2 usage). */
export const EXIT_JOB_CANCELLED = 3;

/** Exit code when the user stopped waiting for jobs with Ctrl-C (128 + SIGINT, as a shell reports it). */
export const EXIT_INTERRUPTED = 130;

export interface JobSource {
  /** The engine's job events (embedded); absent as a client, where SHOW is polled. */
  readonly jobs?: EngineJobs | undefined;
  /** Runs the shell's own queries. */
  readonly execute: Execute;
  /** Poll interval for SHOW (client mode). */
  readonly pollMs?: number;
}

/** How following a job ended. */
export type FollowOutcome =
  | { readonly kind: 'done'; readonly last: ProgressEvent; readonly line: string }
  | { readonly kind: 'detached'; readonly last: ProgressEvent | null };

export class JobTracker {
  #source: JobSource;
  #started: StartedJob[] = [];
  #finished = new Map<number, ProgressEvent>();

  constructor(source: JobSource) {
    this.#source = source;
  }

  /** Jobs started so far, oldest first. */
  get started(): readonly StartedJob[] {
    return this.#started;
  }

  /** Started jobs not yet seen to end. */
  get unfinished(): readonly StartedJob[] {
    return this.#started.filter((j) => !this.#finished.has(j.id));
  }

  /** Final events of jobs seen to end. */
  get finished(): readonly ProgressEvent[] {
    return [...this.#finished.values()];
  }

  /** Call after a statement succeeded: if it was BACKUP / RESTORE, find and remember its job. */
  async afterStatement(sql: string): Promise<StartedJob | null> {
    const info = jobStatementInfo(sql);
    if (info === null) return null;
    const job = await findStartedJob(this.#source.execute, info);
    if (job !== null && !this.#started.some((j) => j.id === job.id)) this.#started.push(job);
    return job;
  }

  /** Follow one job until it ends or `signal` aborts, drawing on `line` when given. */
  async follow(job: StartedJob, line: ProgressLine | null, signal: AbortSignal): Promise<FollowOutcome> {
    const startedAt = Date.now();
    let last: ProgressEvent | null = null;
    for await (const e of followJob(job, this.#source, signal)) {
      last = e;
      if (e.done) {
        this.#finished.set(job.id, e);
        const text = formatJobEnd(e, Date.now() - startedAt, e.state === 'CANCELLED' ? await this.#status(job) : undefined);
        line?.finish(text);
        return { kind: 'done', last: e, line: text };
      }
      line?.update(e);
    }
    line?.clear();
    return { kind: 'detached', last };
  }

  /**
   * Wait for every unfinished job in turn. Resolves with the exit code the jobs call for: 0 when all finished,
   * EXIT_JOB_CANCELLED when one was cancelled; null when `signal` aborted the wait.
   */
  async waitAll(line: ProgressLine | null, signal: AbortSignal, report: (text: string, last: ProgressEvent) => void): Promise<number | null> {
    for (const job of this.unfinished) {
      const outcome = await this.follow(job, line, signal);
      if (outcome.kind === 'detached') return null;
      if (line === null) report(`${outcome.line}\n`, outcome.last);
    }
    return this.finished.some((e) => e.state === 'CANCELLED') ? EXIT_JOB_CANCELLED : 0;
  }

  async #status(job: StartedJob): Promise<string | undefined> {
    const row = await showJob(this.#source.execute, job.kind, job.db).catch(() => null);
    return row !== null && row.id === job.id && row.status !== '' ? row.status : undefined;
  }
}

/** A target whose BACKUP / RESTORE statements are recorded in `tracker` (batch mode). */
export function recordingJobs(target: StatementTarget, tracker: JobTracker): StatementTarget {
  const { stream } = target;
  return {
    async execute(sql) {
      const result = await target.execute(sql);
      await tracker.afterStatement(sql);
      return result;
    },
    // BACKUP and RESTORE answer OK: a result set is never a job's start, and must not wait for one to be looked up.
    ...(stream === undefined
      ? {}
      : {
          async stream(sql: string) {
            const result = await stream.call(target, sql);
            if (result.kind === 'ok') await tracker.afterStatement(sql);
            return result;
          },
        }),
    close: () => target.close(),
  };
}

/** Runs statements and can be closed (sql-command's SqlTarget). */
export interface StatementTarget {
  /** Run one statement. */
  execute(sql: string): Promise<StatementResult>;
  /** Run one statement, its rows unread (see SqlTarget.stream). */
  stream?(sql: string): Promise<StreamedResult>;
  /** Release the engine or the connection. */
  close(): Promise<void>;
}
