/**
 * The shell's entry points for `tablevault sql`: the interactive loop on the process's terminal, and batch mode's
 * wait for the jobs its statements started.
 */
import { EXIT_INTERRUPTED, EXIT_JOB_CANCELLED, JobTracker } from './job-tracker.ts';
import { ProgressLine } from './progress-line.ts';
import { Shell } from './shell.ts';
import type { ShellTarget } from './targets.ts';

export { JobTracker, recordingJobs, EXIT_INTERRUPTED, EXIT_JOB_CANCELLED } from './job-tracker.ts';
export { Shell, type ShellOptions } from './shell.ts';
export { embeddedTarget, remoteTarget, type ShellTarget } from './targets.ts';

/** The interactive shell on process.stdin / stdout; `pager` as --pager / --no-pager chose it (undefined: the default). */
export function runShell(target: ShellTarget, version: string, options: { readonly pager?: string | null } = {}): Promise<number> {
  return new Shell({ target, input: process.stdin, output: process.stdout, errorOutput: process.stderr, version, ...options }).run();
}

/** Where batch mode reports while it waits. */
export interface BatchWaitIo {
  stderr(text: string): void;
  /** Whether stderr is a terminal (then a live progress line is drawn). */
  readonly stderrIsTTY: boolean;
  readonly columns: number;
}

/**
 * Embedded batch mode: wait for the jobs the statements started (closing the engine would stop them). Returns 0 when
 * they all finished, EXIT_JOB_CANCELLED when one was cancelled, EXIT_INTERRUPTED when Ctrl-C stopped the wait.
 */
export async function waitForBatchJobs(tracker: JobTracker, io: BatchWaitIo = processWaitIo()): Promise<number> {
  if (tracker.unfinished.length === 0) return tracker.finished.some((e) => e.state === 'CANCELLED') ? EXIT_JOB_CANCELLED : 0;
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.on('SIGINT', onSignal);
  try {
    const line = io.stderrIsTTY ? new ProgressLine({ write: (t) => io.stderr(t), columns: io.columns }) : null;
    // Without a terminal, stay quiet about jobs that finished: only a cancelled one is worth a line on stderr.
    const code = await tracker.waitAll(line, controller.signal, (t, last) => {
      if (last.state !== 'FINISHED') io.stderr(t);
    });
    if (code !== null) return code;
    io.stderr('tablevault sql: stopped waiting; the jobs resume the next time this data dir is opened\n');
    return EXIT_INTERRUPTED;
  } finally {
    process.off('SIGINT', onSignal);
  }
}

function processWaitIo(): BatchWaitIo {
  return {
    stderr: (t) => void process.stderr.write(t),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    columns: process.stderr.columns ?? 80,
  };
}
