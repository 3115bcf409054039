/**
 * The interactive shell: a readline loop with persistent history, statements that run once a top-level `;` ends
 * them, psql-style output, backslash commands, completion, and a live progress line for the BACKUP / RESTORE jobs it
 * starts. Lines are processed strictly in order (a queue): typing ahead while a statement runs is safe.
 */
import { performance } from 'node:perf_hooks';
import readline from 'node:readline';
import { isSqlError } from '../../errors/index.ts';
import type { StatementResult } from '../../sql/result.ts';
import { formatBatchError } from '../batch-output.ts';
import { abortableSleep } from './abortable-sleep.ts';
import { complete, currentWord, type CompletionNames } from './completer.ts';
import { historyLines, historyPath, HISTORY_SIZE, loadHistory, saveHistory } from './history.ts';
import { JobTracker } from './job-tracker.ts';
import { quoteIdentifier } from '../../../grammar/index.ts';
import { currentDatabase, type StartedJob } from './job-watch.ts';
import { booleanArg, HELP, parseMeta, type MetaCommand } from './meta-commands.ts';
import { ProgressLine } from './progress-line.ts';
import { StatementBuffer, verticalRequest } from './statement-scanner.ts';
import { defaultPager, showPaged } from './pager.ts';
import { DEFAULT_NULL_MARKER, renderForTerminal } from './table-renderer.ts';
import type { ShellTarget } from './targets.ts';

export interface ShellOptions {
  readonly target: ShellTarget;
  /** A terminal (raw mode is used for line editing). */
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream & { readonly columns?: number; readonly rows?: number; readonly isTTY?: boolean };
  /** Where errors go (default: output). */
  readonly errorOutput?: NodeJS.WritableStream;
  /** History file; default `historyPath()`; null keeps no history. */
  readonly historyFile?: string | null;
  /** Shown in the banner. */
  readonly version: string;
  /** SHOW polling interval when following a job without engine events. */
  readonly pollMs?: number;
  /** Pager command for results that do not fit the terminal (null: never page); default `$PAGER` or `less -S`. */
  readonly pager?: string | null;
}

type Activity =
  | { readonly kind: 'idle' }
  | { readonly kind: 'statement' }
  | { readonly kind: 'follow' | 'watch' | 'exit-wait'; readonly controller: AbortController };

export class Shell {
  #options: ShellOptions;
  #target: ShellTarget;
  #rl: readline.Interface | null = null;
  #buffer = new StatementBuffer();
  #queue: string[] = [];
  #pumping = false;
  #quitting = false;
  #finished = false;
  #exitCode = 0;
  #resolveRun: (code: number) => void = () => undefined;
  #activity: Activity = { kind: 'idle' };
  /** `\x`: expanded output always, never, or when the aligned form is wider than the terminal. */
  #expanded: boolean | 'auto' = false;
  /** The pager command, null when paging is off. */
  #pager: string | null;
  #timing = false;
  #nullMarker = DEFAULT_NULL_MARKER;
  #database: string | undefined;
  #lastStatement: string | null = null;
  #tracker: JobTracker;
  #historyFile: string | null;
  /** History entries of finished input, newest first, secrets masked. */
  #history: string[] = [];
  /** Raw lines of the statement being typed (until the buffer is empty again, Ctrl-C, `\r` or exit). */
  #typed: string[] = [];
  /**
   * What Up/Down walk and the file holds: the typed lines (masked by the unparseable rule while the statement is
   * unfinished) before `#history`. readline recalls from this very array and adds nothing itself (see run()).
   */
  #recall: string[] = [];

  constructor(options: ShellOptions) {
    this.#options = options;
    this.#target = options.target;
    this.#historyFile = options.historyFile === undefined ? historyPath() : options.historyFile;
    this.#pager = options.pager === undefined ? defaultPager() : options.pager;
    const target = this.#target;
    this.#tracker = new JobTracker({
      get jobs() {
        return target.jobs;
      },
      execute: (sql) => target.execute(sql),
      ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
    });
  }

  /** Run until `\q` or Ctrl-D (and, embedded, until started jobs end); resolves with the exit code. */
  async run(): Promise<number> {
    this.#database = await currentDatabase(this.#target.execute.bind(this.#target)).catch(() => undefined);
    this.#write(`tablevault ${this.#options.version} (${this.#target.mode}, ${this.#target.where})\nType \\? for help, \\q to quit.\n\n`);
    this.#history = loadHistory(this.#historyFile);
    this.#recall = [...this.#history];
    const rl = readline.createInterface({
      input: this.#options.input,
      output: this.#options.output,
      terminal: true,
      // readline would store the raw line, secrets included; historySize 0 stops that, and Up/Down still walk this
      // array, which #remember keeps filled with masked entries.
      history: this.#recall,
      historySize: 0,
      completer: (line: string, callback: (err: Error | null, result: [string[], string]) => void) => {
        this.#completions(line).then((r) => callback(null, r), () => callback(null, [[], line]));
      },
    });
    this.#rl = rl;
    rl.on('line', (line) => {
      // With historySize 0 readline no longer resets its place in the history after a line (it does so only when it
      // adds the line itself): do it, so the next Up starts from the newest entry again.
      (rl as unknown as { historyIndex: number }).historyIndex = -1;
      this.#queue.push(line);
      void this.#pump();
    });
    rl.on('SIGINT', () => this.#interrupt());
    rl.on('close', () => {
      if (this.#finished) return;
      this.#quitting = true;
      if (this.#activity.kind === 'idle' && !this.#pumping) this.#write('\n');
      void this.#pump();
    });
    const done = new Promise<number>((resolve) => (this.#resolveRun = resolve));
    this.#prompt();
    return done;
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#queue.length > 0 && !this.#quitting) await this.#handleLine(this.#queue.shift() as string);
    } finally {
      this.#pumping = false;
    }
    if (this.#quitting) await this.#exit();
    else this.#prompt();
  }

  async #handleLine(line: string): Promise<void> {
    if (this.#buffer.open === 'none') {
      const meta = parseMeta(line);
      if (meta !== null) {
        this.#remember(line);
        return this.#meta(meta);
      }
      if (!this.#buffer.pending && /^(quit|exit)\s*;?$/i.test(line.trim())) {
        this.#remember(line);
        this.#quitting = true;
        return;
      }
    }
    this.#typed.push(line);
    const statements = this.#buffer.push(line);
    if (this.#buffer.pending) this.#remember();
    else this.#rememberTyped();
    for (const sql of statements) await this.#runStatement(sql, true);
  }

  /** The input is finished (or abandoned): its lines join the history, masked by their statements' secrets. */
  #rememberTyped(): void {
    const lines = this.#typed;
    this.#typed = [];
    this.#remember(...(lines.length === 0 ? [] : historyLines(lines)));
  }

  /**
   * Add entries (oldest first) to the history as readline would (no blanks, no duplicates), refresh what Up/Down
   * walk — the lines of the statement still being typed first, masked as text that does not parse yet — and save
   * the file, so a killed shell loses nothing.
   */
  #remember(...entries: string[]): void {
    this.#history = newestFirst([...entries].reverse(), this.#history);
    const typing = this.#typed.length === 0 ? [] : historyLines(this.#typed).reverse();
    this.#recall.splice(0, this.#recall.length, ...newestFirst(typing, this.#history));
    const error = saveHistory(this.#historyFile, this.#recall);
    if (error !== null) this.#error(`could not save history to ${this.#historyFile}: ${error.message}\n`);
  }

  async #runStatement(statement: string, remember: boolean, quiet = false): Promise<boolean> {
    if (remember) this.#lastStatement = statement;
    // `…\G`: this statement's result in the mysql client's vertical form.
    const { sql, vertical } = verticalRequest(statement);
    this.#activity = { kind: 'statement' };
    let ok = false;
    try {
      const started = performance.now();
      const result = await this.#target.execute(sql);
      const ms = performance.now() - started;
      if (!(quiet && result.kind === 'ok')) await this.#show(this.#format(result, vertical));
      if (this.#timing) this.#write(`Time: ${ms.toFixed(3)} ms\n`);
      ok = true;
      if (/^\s*(USE|DROP\s+(DATABASE|SCHEMA))\b/i.test(sql)) this.#database = await currentDatabase((s) => this.#target.execute(s)).catch(() => this.#database);
      if (remember) {
        const job = await this.#tracker.afterStatement(sql).catch(() => null);
        if (job !== null) await this.#attach(job);
      }
    } catch (error) {
      this.#reportError(error);
    } finally {
      this.#activity = { kind: 'idle' };
    }
    return ok;
  }

  #format(result: StatementResult, vertical = false): string {
    if (result.kind === 'rows') {
      const layout = vertical ? 'vertical' : this.#expanded === 'auto' ? 'auto' : this.#expanded ? 'expanded' : 'aligned';
      return renderForTerminal(result, { layout, nullMarker: this.#nullMarker, columns: this.#options.output.columns ?? 80 });
    }
    const n = result.affectedRows;
    const message = result.message === undefined || result.message === '' ? '' : `${result.message}\n`;
    return `Query OK, ${n} ${n === 1 ? 'row' : 'rows'} affected\n${message}\n`;
  }

  /** Follow a job with the live progress line until it ends or Ctrl-C detaches. */
  async #attach(job: StartedJob, again = false): Promise<void> {
    const controller = new AbortController();
    this.#activity = { kind: 'follow', controller };
    this.#write(
      again
        ? `Re-attached to ${job.kind} job ${job.id} (${job.label}); Ctrl-C detaches.\n`
        : `${job.kind} job ${job.id} (${job.label}) started; Ctrl-C detaches (the job goes on), \\wait re-attaches.\n`,
    );
    const line = new ProgressLine({ write: (t) => this.#write(t), columns: this.#options.output.columns ?? 80 });
    try {
      const outcome = await this.#tracker.follow(job, line, controller.signal);
      if (outcome.kind === 'detached') {
        this.#write(`Detached from ${job.kind} job ${job.id} (${job.label}${outcome.last === null ? '' : `, ${outcome.last.state}`}); it goes on. \\wait re-attaches.\n`);
      }
    } catch (error) {
      line.clear();
      this.#reportError(error);
    } finally {
      this.#activity = { kind: 'idle' };
    }
  }

  #interrupt(): void {
    const a = this.#activity;
    switch (a.kind) {
      case 'statement':
        this.#target.interrupt();
        return;
      case 'watch':
        this.#target.interrupt();
        a.controller.abort();
        return;
      case 'follow':
      case 'exit-wait':
        a.controller.abort();
        return;
      case 'idle': {
        const rl = this.#rl;
        if (rl === null) return;
        // Like psql: Ctrl-C drops what is being typed (the statement too) and shows a fresh prompt.
        const typed = rl.line.length > 0 || this.#buffer.pending;
        this.#buffer.clear();
        this.#rememberTyped();
        this.#write(typed ? '^C\n' : '^C (\\q or Ctrl-D quits)\n');
        if (rl.line.length > 0) {
          rl.write(null, { ctrl: true, name: 'e' });
          rl.write(null, { ctrl: true, name: 'u' });
        }
        this.#prompt();
      }
    }
  }

  async #meta(cmd: MetaCommand): Promise<void> {
    const [a0, a1] = cmd.args;
    switch (cmd.name) {
      case 'q':
        this.#quitting = true;
        return;
      case '?':
        return this.#write(HELP);
      case 'x': {
        if (a0?.toLowerCase() === 'auto') {
          this.#expanded = 'auto';
          return this.#write('Expanded display is used automatically.\n');
        }
        const on = booleanArg(a0, this.#expanded === true);
        if (on === null) return this.#error(`\\x: unrecognized value "${a0}": Boolean or auto expected\n`);
        this.#expanded = on;
        return this.#write(`Expanded display is ${on ? 'on' : 'off'}.\n`);
      }
      case 'pager': {
        const command = cmd.args.join(' ');
        if (command === '' || /^on$/i.test(command)) this.#pager = this.#pager ?? defaultPager();
        else if (/^off$/i.test(command)) this.#pager = null;
        else this.#pager = command;
        return this.#write(this.#pager === null ? 'Pager usage is off.\n' : `Pager is "${this.#pager}" for results that do not fit the screen.\n`);
      }
      case 'nopager':
        this.#pager = null;
        return this.#write('Pager usage is off.\n');
      case 'timing': {
        const on = booleanArg(a0, this.#timing);
        if (on === null) return this.#error(`\\timing: unrecognized value "${a0}": Boolean expected\n`);
        this.#timing = on;
        return this.#write(`Timing is ${on ? 'on' : 'off'}.\n`);
      }
      case 'pset':
        if (a0 !== 'null') return this.#error(`\\pset: unknown option "${a0 ?? ''}" (this shell knows \\pset null TEXT)\n`);
        if (a1 !== undefined) this.#nullMarker = a1;
        return this.#write(`Null display is "${this.#nullMarker}".\n`);
      case 'l':
        await this.#runStatement('SHOW DATABASES', false);
        return;
      case 'dt':
        await this.#runStatement(a0 === undefined ? 'SHOW TABLES' : `SHOW TABLES FROM ${quoteIdentifier(a0)}`, false);
        return;
      case 'd':
        await this.#runStatement(a0 === undefined ? 'SHOW TABLES' : `DESCRIBE ${a0.split('.').map(quoteIdentifier).join('.')}`, false);
        return;
      case 'c':
        if (a0 === undefined) return this.#write(`You are using database "${this.#database ?? '(none)'}".\n`);
        if (await this.#runStatement(`USE ${quoteIdentifier(a0)}`, false, true)) this.#write(`You are now using database "${this.#database ?? a0}".\n`);
        return;
      case 'r':
        this.#buffer.clear();
        this.#rememberTyped();
        return this.#write('Query buffer reset (cleared).\n');
      case 'watch':
        return this.#watch(a0);
      case 'wait':
        return this.#wait(a0);
      default:
        return this.#error(`invalid command \\${cmd.name}\nTry \\? for help.\n`);
    }
  }

  async #watch(arg: string | undefined): Promise<void> {
    const sql = this.#lastStatement;
    if (sql === null) return this.#error('\\watch cannot be used with an empty query buffer\n');
    const seconds = arg === undefined ? 2 : Number(arg);
    if (!Number.isFinite(seconds) || seconds <= 0) return this.#error(`\\watch: invalid interval "${arg}"\n`);
    const controller = new AbortController();
    try {
      while (!controller.signal.aborted) {
        this.#write(`${new Date().toLocaleString()} (every ${seconds}s)\n\n`);
        const ok = await this.#runStatement(sql, false);
        if (!ok) break;
        // #runStatement sets idle when it ends; Ctrl-C between runs must still stop the loop.
        this.#activity = { kind: 'watch', controller };
        await abortableSleep(seconds * 1000, controller.signal);
      }
    } finally {
      this.#activity = { kind: 'idle' };
    }
  }

  async #wait(arg: string | undefined): Promise<void> {
    const started = this.#tracker.started;
    const job = arg === undefined ? started[started.length - 1] : started.find((j) => String(j.id) === arg || j.label === arg);
    if (job === undefined) {
      return this.#error(arg === undefined ? 'No BACKUP or RESTORE job was started in this shell.\n' : `No job ${arg} was started in this shell.\n`);
    }
    await this.#attach(job, true);
  }

  async #exit(): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    // A statement left unfinished still belongs in the history (masked by the unparseable rule).
    this.#rememberTyped();
    this.#rl?.close();
    const pending = this.#target.mode === 'embedded' ? this.#tracker.unfinished : [];
    if (pending.length > 0) {
      this.#write(
        `Waiting for ${pending.map((j) => `${j.kind} ${j.label}`).join(', ')} to end: the engine stops its jobs when this shell exits.\n` +
          'Press Ctrl-C to exit now instead (the jobs resume the next time this data dir is opened).\n',
      );
      const controller = new AbortController();
      this.#activity = { kind: 'exit-wait', controller };
      // readline is closed, so the terminal is out of raw mode: Ctrl-C arrives as a signal.
      const onSignal = (): void => controller.abort();
      process.on('SIGINT', onSignal);
      try {
        const line = new ProgressLine({ write: (t) => this.#write(t), columns: this.#options.output.columns ?? 80 });
        const code = await this.#tracker.waitAll(line, controller.signal, (t) => this.#write(t));
        if (code === null) this.#write('\nNot waiting; the jobs resume the next time this data dir is opened.\n');
        else this.#exitCode = code;
      } catch (error) {
        this.#reportError(error);
      } finally {
        process.off('SIGINT', onSignal);
      }
    }
    this.#resolveRun(this.#exitCode);
  }

  #prompt(): void {
    const rl = this.#rl;
    if (rl === null || this.#quitting) return;
    const name = this.#database ?? 'tablevault';
    const open = this.#buffer.open;
    const mark = !this.#buffer.pending ? '=' : open === 'none' ? '-' : open === '/*' ? '*' : open;
    rl.setPrompt(`${name}${mark}> `);
    rl.prompt();
  }

  async #completions(line: string): Promise<[string[], string]> {
    // A statement is running (the session is not safe for concurrent use): keywords only.
    const idle = this.#activity.kind === 'idle' && !this.#pumping;
    const names = idle ? await this.#names(currentWord(line)) : { databases: [], tables: [], repositories: [] };
    return complete(line, this.#buffer.text, names);
  }

  async #names(word: string): Promise<CompletionNames> {
    const column = async (sql: string, name?: string): Promise<string[]> => {
      try {
        const r = await this.#target.execute(sql);
        if (r.kind !== 'rows') return [];
        const i = name === undefined ? 0 : Math.max(0, r.columns.indexOf(name));
        return r.rows.map((row) => row[i]).filter((v): v is string => typeof v === 'string');
      } catch {
        return [];
      }
    };
    const databases = await column('SHOW DATABASES');
    const tables = this.#database === undefined ? [] : await column('SHOW TABLES');
    const repositories = await column('SHOW REPOSITORIES', 'RepoName');
    const dot = word.replace(/`/g, '').indexOf('.');
    const other = new Map<string, string[]>();
    if (dot > 0) {
      const db = word.replace(/`/g, '').slice(0, dot);
      other.set(db, await column(`SHOW TABLES FROM ${quoteIdentifier(db)}`));
    }
    return { databases, tables, repositories, tablesOf: (db) => other.get(db) ?? [] };
  }

  #reportError(error: unknown): void {
    if (isSqlError(error)) this.#error(formatBatchError(error, undefined));
    else this.#error(`ERROR: ${error instanceof Error ? error.message : String(error)}\n`);
  }

  #write(text: string): void {
    this.#options.output.write(text);
  }

  /** A result, through the pager when it does not fit the terminal (line editing waits while the pager runs). */
  async #show(text: string): Promise<void> {
    const rl = this.#rl;
    await showPaged(text, { pager: this.#pager, output: this.#options.output, write: (t) => this.#write(t), pause: () => rl?.pause(), resume: () => rl?.resume() });
  }

  #error(text: string): void {
    (this.#options.errorOutput ?? this.#options.output).write(text);
  }
}

/** `newer` then `older` (both newest first), blanks dropped, each entry once (its newest place), at most HISTORY_SIZE. */
function newestFirst(newer: readonly string[], older: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const entry of [...newer, ...older]) {
    if (entry.trim() === '' || seen.has(entry)) continue;
    seen.add(entry);
    out.push(entry);
    if (out.length === HISTORY_SIZE) break;
  }
  return out;
}
