/**
 * Backslash commands of a batch script (`tablevault sql -e "…"` or piped input) and `--wait-jobs`.
 *
 * `\wait [JOB]` on a line of its own waits until the last BACKUP / RESTORE the script started (or the one with that id
 * or label) ends, so the next statement sees its result: `BACKUP …; \wait` then `RESTORE …`. `--wait-jobs` does the
 * same after every statement that starts a job. A job that ends CANCELLED stops the script with exit code 3 (the
 * statements after it assumed it worked); Ctrl-C while waiting stops it with 130. Embedded or as a client alike: the
 * job is followed through the engine's events or by polling SHOW BACKUP / RESTORE.
 */
import type { BatchWaitIo } from './shell/index.ts';
import { EXIT_INTERRUPTED, EXIT_JOB_CANCELLED, type JobTracker } from './shell/job-tracker.ts';
import type { StartedJob } from './shell/job-watch.ts';
import { ProgressLine } from './shell/progress-line.ts';

/** What a batch run asks of the commands. Each resolves to 0 to go on, or to the exit code to stop with. */
export interface BatchCommands {
  /** A backslash command line of the script (`\wait 12`), at `line`. */
  command(text: string, line: number): Promise<number>;
  /** A statement succeeded (with --wait-jobs: wait for the job it started). */
  afterStatement(): Promise<number>;
}

/** Batch commands over the jobs `tracker` records. */
export function batchCommands(tracker: JobTracker, options: { readonly waitEach: boolean; readonly io: BatchWaitIo }): BatchCommands {
  const { io } = options;
  let waited = 0;

  const follow = async (job: StartedJob): Promise<number> => {
    const controller = new AbortController();
    const onSignal = (): void => controller.abort();
    process.on('SIGINT', onSignal);
    try {
      const line = io.stderrIsTTY ? new ProgressLine({ write: (t) => io.stderr(t), columns: io.columns }) : null;
      const outcome = await tracker.follow(job, line, controller.signal);
      if (outcome.kind === 'detached') {
        io.stderr(`tablevault sql: stopped waiting for ${job.kind} job ${job.id} (${job.label}); it goes on\n`);
        return EXIT_INTERRUPTED;
      }
      if (outcome.last.state === 'CANCELLED') {
        if (line === null) io.stderr(`${outcome.line}\n`);
        return EXIT_JOB_CANCELLED;
      }
      return 0;
    } finally {
      process.off('SIGINT', onSignal);
    }
  };

  return {
    async command(text, lineNumber) {
      const [name = '', ...args] = text.slice(1).trim().split(/\s+/);
      if (name !== 'wait') {
        io.stderr(`ERROR at line ${lineNumber}: \\${name} is an interactive command; scripts take \\wait [JOB], \\g and \\G\n`);
        return 1;
      }
      const started = tracker.started;
      const arg = args[0];
      const job = arg === undefined ? started[started.length - 1] : started.find((j) => String(j.id) === arg || j.label === arg);
      if (job === undefined) {
        io.stderr(`ERROR at line ${lineNumber}: \\wait: ${arg === undefined ? 'no BACKUP or RESTORE job was started before this line' : `no job ${arg} was started before this line`}\n`);
        return 1;
      }
      return follow(job);
    },
    async afterStatement() {
      if (!options.waitEach) return 0;
      const started = tracker.started;
      let code = 0;
      // Every job started since the last wait (a statement starts at most one).
      while (code === 0 && waited < started.length) code = await follow(started[waited++] as StartedJob);
      return code;
    },
  };
}
