/**
 * `tablevault sql`: the shell. Embedded on a data dir (it owns an Engine), or a client of a running server. With
 * `-e` or piped input it runs in batch mode: mysql-style tab-separated output, errors on stderr, non-zero exit on
 * the first error.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { splitSql } from '../../grammar/index.ts';
import { Engine } from '../engine.ts';
import { isSqlError } from '../errors/index.ts';
import { createLogger, logFile } from '../logging/logger.ts';
import type { StatementResult } from '../sql/result.ts';
import { formatBatch, formatBatchError } from './batch-output.ts';
import { optionHelp, parseArgs, type OptionSpec } from './args.ts';
import { TABLEVAULT_VERSION } from '../sql/variables/version.ts';
import { embeddedTarget, JobTracker, recordingJobs, remoteTarget, runShell, waitForBatchJobs, type ShellTarget } from './shell/index.ts';

export const SQL_OPTIONS: readonly OptionSpec[] = [
  { name: 'data-dir', takesValue: true, help: 'open this data dir embedded (default ./tablevault-data)' },
  { name: 'host', short: 'h', takesValue: true, help: 'connect to a tablevault server on this host' },
  { name: 'port', short: 'P', takesValue: true, help: 'server port (default 9030)' },
  { name: 'user', short: 'u', takesValue: true, help: 'user name (default root)' },
  { name: 'password', short: 'p', takesValue: true, help: 'password (-pSECRET, or -p alone for empty)' },
  { name: 'database', short: 'D', takesValue: true, help: 'current database' },
  { name: 'execute', short: 'e', takesValue: true, help: 'run these ;-separated statements and exit' },
  { name: 'skip-column-names', short: 'N', takesValue: false, help: 'do not print the header line' },
  { name: 'batch', short: 'B', takesValue: false, help: 'batch output (the default with -e or piped input)' },
  { name: 'backends', takesValue: false, help: 'hidden' },
  { name: 'no-wait', takesValue: false, help: 'embedded: exit without waiting for BACKUP/RESTORE jobs started here' },
  { name: 'help', takesValue: false, help: 'show this help' },
];

/** A place statements run: the embedded engine or a remote server. */
export interface SqlTarget {
  /** Run one statement. */
  execute(sql: string): Promise<StatementResult>;
  /** Release the engine or the connection. */
  close(): Promise<void>;
}

export async function runSql(argv: readonly string[], io: CommandIo = processIo()): Promise<number> {
  const { options } = parseArgs(argv, SQL_OPTIONS.filter((o) => o.name !== 'backends'));
  if (options.has('help')) {
    io.stdout(`usage: tablevault sql [--data-dir DIR | -h HOST -P PORT -u USER [-pPASSWORD]] [-D DB] [-e "SQL; SQL"]\n${optionHelp(SQL_OPTIONS.filter((o) => o.help !== 'hidden'))}\n`);
    return 0;
  }
  const str = (name: string): string | undefined => {
    const v = options.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  let script = str('execute');
  // On a terminal without -e: the interactive shell (src/cli/shell), when this io can run one.
  const interactive = script === undefined && io.stdinIsTTY ? io.runInteractive : undefined;
  if (script === undefined && interactive === undefined) {
    if (io.stdinIsTTY) {
      io.stderr('tablevault sql: pass statements with -e "…" or pipe them on standard input\n');
      return 2;
    }
    script = io.readStdin();
  }
  const database = str('database');
  const target: ShellTarget & { idleSchedules?: () => Promise<void> } = str('host') !== undefined || str('port') !== undefined
    ? await remoteTarget({ host: str('host') ?? '127.0.0.1', port: Number(str('port') ?? '9030'), user: str('user') ?? 'root', password: str('password') ?? '', database })
    : await openEmbedded(str('data-dir') ?? './tablevault-data', str('user') ?? 'root', database);
  try {
    if (interactive !== undefined) return await interactive(target);
    // Embedded, the jobs the script starts stop when the engine closes: wait for them unless --no-wait.
    const tracker = new JobTracker(target);
    const code = await runBatch(recordingJobs(target, tracker), script ?? '', { columnNames: !options.has('skip-column-names') }, io);
    if (target.mode === 'remote' || options.has('no-wait')) return code;
    const waited = await waitForBatchJobs(tracker, { stderr: (t) => io.stderr(t), stderrIsTTY: io.stderrIsTTY ?? false, columns: process.stderr.columns ?? 80 });
    // EXECUTE BACKUP SCHEDULE's run goes on after its BACKUP (the copy to copy_to, retention): let it end too.
    await target.idleSchedules?.();
    return code !== 0 ? code : waited;
  } finally {
    await target.close();
  }
}

/** Run a script statement by statement, printing results; returns the exit code (1 at the first error). */
export async function runBatch(target: SqlTarget, script: string, format: { columnNames: boolean }, io: CommandIo): Promise<number> {
  let fragments;
  try {
    fragments = splitSql(script);
  } catch (error) {
    if (isSqlError(error)) {
      io.stderr(formatBatchError(error, error.line));
      return 1;
    }
    throw error;
  }
  for (const fragment of fragments) {
    try {
      io.stdout(formatBatch(await target.execute(fragment.text), format));
    } catch (error) {
      if (isSqlError(error)) {
        // Syntax errors point inside the statement; report the line within the whole script, as mysql does.
        io.stderr(formatBatchError(error, fragment.position.line + (error.line ?? 1) - 1));
        return 1;
      }
      throw error;
    }
  }
  return 0;
}

/** The embedded shell's log, in the data dir: the terminal is for results and one-line errors, never log lines. */
export const EMBEDDED_LOG_FILE = 'tablevault.log';

async function openEmbedded(dataDir: string, user: string, database: string | undefined): Promise<ShellTarget & { idleSchedules(): Promise<void> }> {
  // A failed job, a retried upload: the shell prints the outcome (state and message); the details and stack traces
  // go to the log file at TABLEVAULT_LOG_LEVEL (default warn), never onto the terminal between results.
  const log = logFile(path.join(dataDir, EMBEDDED_LOG_FILE));
  let engine: Engine;
  try {
    // Schedules do not fire by themselves here: a shell that exits after its statements would interrupt them.
    engine = await Engine.open({ dataDir, fireSchedules: false, logger: createLogger({ level: process.env['TABLEVAULT_LOG_LEVEL'] ?? 'warn', destination: log }) });
  } catch (error) {
    log.close();
    throw error;
  }
  try {
    const session = engine.session({ user, database });
    const target = embeddedTarget(engine, session, dataDir);
    return {
      ...target,
      idleSchedules: () => engine.schedules.idle(),
      close: async () => {
        try {
          await target.close();
        } finally {
          log.close();
        }
      },
    };
  } catch (error) {
    await engine.close();
    log.close();
    throw error;
  }
}

/** The command's window on the world; tests replace it. */
export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly stdinIsTTY: boolean;
  readStdin(): string;
  /** Whether stderr is a terminal (batch mode then draws a live progress line while it waits for jobs). */
  readonly stderrIsTTY?: boolean;
  /** Run the interactive shell on this terminal; absent where there is none (tests), then a TTY without -e is a usage error. */
  readonly runInteractive?: (target: ShellTarget) => Promise<number>;
}

export function processIo(): CommandIo {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    stdinIsTTY: Boolean(process.stdin.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    readStdin: () => readFileSync(0, 'utf8'),
    runInteractive: (target) => runShell(target, TABLEVAULT_VERSION),
  };
}
