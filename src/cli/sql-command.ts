/**
 * `tablevault sql`: the shell. Embedded on a data dir (it owns an Engine), or a client of a running server. With
 * `-e` or piped input it runs in batch mode: mysql-style tab-separated output, errors on stderr, non-zero exit on
 * the first error.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Engine } from '../engine.ts';
import { isSqlError } from '../errors/index.ts';
import type { StatementResult } from '../sql/result.ts';
import type { StreamedResult } from '../sql/row-stream.ts';
import { formatBatch, formatBatchError, formatBatchRows, formatVertical } from './batch-output.ts';
import type { BatchCommands } from './batch-commands.ts';
import { scanStatements, type ScriptItem } from './shell/statement-scanner.ts';
import { optionHelp, parseArgs, type OptionSpec } from './args.ts';
import { TABLEVAULT_VERSION } from '../sql/variables/version.ts';
import type { ShellTarget } from './shell/targets.ts';

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
  { name: 'vertical', short: 'E', takesValue: false, help: 'print every result vertically (one `name: value` line per column), as \\G does' },
  { name: 'wait-jobs', takesValue: false, help: 'after each BACKUP / RESTORE, wait until its job ends before the next statement' },
  { name: 'pager', takesValue: true, help: 'interactive: page results that do not fit the terminal with this command (default $PAGER or less -S)' },
  { name: 'no-pager', takesValue: false, help: 'interactive: never page results' },
  { name: 'backends', takesValue: false, help: 'hidden' },
  { name: 'no-wait', takesValue: false, help: 'embedded: exit without waiting for BACKUP/RESTORE jobs started here' },
  { name: 'help', takesValue: false, help: 'show this help' },
];

/** A place statements run: the embedded engine or a remote server. */
export interface SqlTarget {
  /** Run one statement. */
  execute(sql: string): Promise<StatementResult>;
  /** Run one statement, its rows read while they are printed (batch mode streams when the target can). */
  stream?(sql: string): Promise<StreamedResult>;
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
  // The shell (and through it the grammar) is loaded only once there is something to run: `--help` stays instant.
  // Batch mode needs the targets and the job tracker, not the interactive shell (readline, completion, history).
  const [{ JobTracker, recordingJobs }, { remoteTarget }] = await Promise.all([import('./shell/job-tracker.ts'), import('./shell/targets.ts')]);
  const target: ShellTarget & { idleSchedules?: () => Promise<void> } = str('host') !== undefined || str('port') !== undefined
    ? await remoteTarget({ host: str('host') ?? '127.0.0.1', port: Number(str('port') ?? '9030'), user: str('user') ?? 'root', password: str('password') ?? '', database })
    : await openEmbedded(str('data-dir') ?? './tablevault-data', str('user') ?? 'root', database);
  try {
    if (interactive !== undefined) return await interactive(target, options.has('no-pager') ? { pager: null } : str('pager') === undefined ? {} : { pager: str('pager') as string });
    // Embedded, the jobs the script starts stop when the engine closes: wait for them unless --no-wait.
    const tracker = new JobTracker(target);
    const waitIo = { stderr: (t: string) => io.stderr(t), stderrIsTTY: io.stderrIsTTY ?? false, columns: process.stderr.columns ?? 80 };
    const { batchCommands } = await import('./batch-commands.ts');
    const commands = batchCommands(tracker, { waitEach: options.has('wait-jobs'), io: waitIo });
    const format = { columnNames: !options.has('skip-column-names'), vertical: options.has('vertical') };
    // VERIFY SNAPSHOT waits for its job inside the statement: its progress line is drawn meanwhile (embedded, on a terminal).
    const { drawingStatementProgress } = await import('./shell/statement-progress.ts');
    const { ProgressLine } = await import('./shell/progress-line.ts');
    const drawing = drawingStatementProgress(target, target.jobs?.events, () => (waitIo.stderrIsTTY ? new ProgressLine({ write: (t) => io.stderr(t), columns: waitIo.columns }) : null));
    const code = await runBatch(recordingJobs(drawing, tracker), script ?? '', format, io, commands);
    if (target.mode === 'remote' || options.has('no-wait')) return code;
    let waited = 0;
    if (tracker.started.length > 0) {
      const { waitForBatchJobs } = await import('./shell/index.ts');
      waited = await waitForBatchJobs(tracker, { stderr: (t) => io.stderr(t), stderrIsTTY: io.stderrIsTTY ?? false, columns: process.stderr.columns ?? 80 });
    }
    // EXECUTE BACKUP SCHEDULE's run goes on after its BACKUP (the copy to copy_to, retention): let it end too.
    await target.idleSchedules?.();
    return code !== 0 ? code : waited;
  } finally {
    await target.close();
  }
}

/**
 * Run a script statement by statement, printing results; returns the exit code (1 at the first error). Statements end
 * with `;`, or with the mysql client's `\g` / `\G` (`\G`: this result vertically); a backslash command on a line of
 * its own (`\wait`) goes to `commands`.
 */
export async function runBatch(
  target: SqlTarget,
  script: string,
  format: { readonly columnNames: boolean; readonly vertical?: boolean },
  io: CommandIo,
  commands?: BatchCommands,
): Promise<number> {
  const lines = lineCounter(script);
  for (const item of scriptItems(script)) {
    const line = lines(item.offset);
    if (item.kind === 'command') {
      const code = commands === undefined ? 0 : await commands.command(item.text, line);
      if (code !== 0) return code;
      continue;
    }
    try {
      if (item.vertical || format.vertical === true) await io.stdout(formatVertical(await target.execute(item.text), format));
      else if (target.stream === undefined) await io.stdout(formatBatch(await target.execute(item.text), format));
      else await printStreamed(await target.stream(item.text), format, io);
    } catch (error) {
      if (isSqlError(error)) {
        // Syntax errors point inside the statement; report the line within the whole script, as mysql does.
        io.stderr(formatBatchError(error, line + (error.line ?? 1) - 1));
        return 1;
      }
      throw error;
    }
    const code = commands === undefined ? 0 : await commands.afterStatement();
    if (code !== 0) return code;
  }
  return 0;
}

/** The statements and commands of a script, with a last statement that has no terminator. */
function scriptItems(script: string): ScriptItem[] {
  const scan = scanStatements(script);
  const items = [...scan.items];
  if (scan.restHasContent || scan.open !== 'none') {
    const rest = scan.rest.trim();
    if (rest !== '') items.push({ kind: 'statement', text: rest, vertical: false, offset: script.length - scan.rest.length + scan.rest.indexOf(rest) });
  }
  return items;
}

/** 1-based line of an offset in `text`, for offsets asked in increasing order (one pass over the text in all). */
function lineCounter(text: string): (offset: number) => number {
  let at = 0;
  let line = 1;
  return (offset) => {
    for (; at < offset && at < text.length; at++) if (text.charCodeAt(at) === 10) line++;
    return line;
  };
}

/**
 * Print a streamed result batch by batch, waiting for stdout to take each one, so `tablevault sql -e "SELECT …" > f`
 * holds one batch in memory whatever the result's size. The header waits for the first row: mysql prints nothing
 * for an empty result set.
 */
async function printStreamed(result: StreamedResult, format: { readonly columnNames: boolean }, io: CommandIo): Promise<void> {
  if (result.kind === 'ok') return;
  let header = format.columnNames;
  for await (const batch of result.batches()) {
    await io.stdout(formatBatchRows(header ? result.columns : undefined, batch));
    header = false;
  }
}

/** The embedded shell's log, in the data dir: the terminal is for results and one-line errors, never log lines. */
export const EMBEDDED_LOG_FILE = 'tablevault.log';

async function openEmbedded(dataDir: string, user: string, database: string | undefined): Promise<ShellTarget & { idleSchedules(): Promise<void> }> {
  // Loaded here, not at the top: the client mode (-h/-P) never needs the engine, its catalog or its storage.
  const [{ Engine }, { createLogger, logFile }, { embeddedTarget }] = await Promise.all([import('../engine.ts'), import('../logging/logger.ts'), import('./shell/targets.ts')]);
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
  /** Write to standard output; a promise means "wait before writing more" (back-pressure). */
  stdout(text: string): void | Promise<void>;
  stderr(text: string): void;
  readonly stdinIsTTY: boolean;
  readStdin(): string;
  /** Whether stderr is a terminal (batch mode then draws a live progress line while it waits for jobs). */
  readonly stderrIsTTY?: boolean;
  /** Run the interactive shell on this terminal; absent where there is none (tests), then a TTY without -e is a usage error. */
  readonly runInteractive?: (target: ShellTarget, options: { readonly pager?: string | null }) => Promise<number>;
}

export function processIo(): CommandIo {
  return {
    stdout: (t) => writeWithBackPressure(process.stdout, t),
    stderr: (t) => void process.stderr.write(t),
    stdinIsTTY: Boolean(process.stdin.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    readStdin: () => readFileSync(0, 'utf8'),
    runInteractive: async (target, options) => (await import('./shell/index.ts')).runShell(target, TABLEVAULT_VERSION, options),
  };
}

/** Write, and when the stream's buffer is full, resolve once it drained (or closed: then nothing waits forever). */
function writeWithBackPressure(out: NodeJS.WritableStream & { readonly destroyed?: boolean }, text: string): void | Promise<void> {
  if (out.write(text) || out.destroyed) return;
  return new Promise<void>((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('close', done);
      out.off('error', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
    out.on('error', done);
  });
}
