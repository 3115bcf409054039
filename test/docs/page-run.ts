/**
 * One docs page's examples, run in order in a fresh directory (the page's ROOT, also the working directory while an
 * example runs, so `./demo` means ROOT/demo). See docs/README.md for the rules this implements.
 *
 * - `sql` blocks run through `tablevault sql`'s own batch code: `runSql` with `-e <block>` in ROOT (so on the default
 *   data dir ./tablevault-data), in this process — the function `bin/tablevault.js sql` calls — with its stdout and
 *   stderr captured in order.
 * - Commands (`tablevault sql …`, `mariadb …`, `mariadb-admin …`) run as written: `tablevault sql` through `runSql` in process, `mariadb`
 *   as the real client in a child process.
 * - `ts` blocks run as an ES module in ROOT, importing `tablevault` (this checkout) and packages it depends on;
 *   what they print with console.log is their output.
 * - The page's server: the first example that talks to port 9030 (`mariadb`, `tablevault sql -h`, code naming 9030)
 *   starts `startServer` over a real Engine on the page's data dir, as `tablevault serve --port 0` would, and 9030
 *   is replaced by its port. From then on `sql` blocks run as `tablevault sql -h 127.0.0.1 -P <port>` (the data dir
 *   belongs to the server).
 *   At the end of the page the runner waits for the jobs on that server to end, then stops it.
 * - `file:///x` locations become `file://ROOT/x`, and ROOT is removed from everything printed, so a page shows the
 *   paths it wrote.
 */
import { execFile } from 'node:child_process';
import { Console } from 'node:console';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runSql, type CommandIo } from '../../src/cli/sql-command.ts';
import { Engine } from '../../src/engine.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The data dir `sql` blocks use: `tablevault sql`'s default, relative to the page's ROOT. */
export const DATA_DIR = 'tablevault-data';
/** The port pages write for the server. */
export const DOCS_PORT = '9030';

export class PageRun {
  readonly root: string;
  #server: { engine: Engine; running: RunningServer } | undefined;
  #examples = 0;

  constructor() {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-docs-'));
  }

  /** A `sql` block, as `tablevault sql -e <block>` (or `-h 127.0.0.1 -P <port>` once the page serves). */
  async sql(text: string): Promise<string> {
    // Without --data-dir: the default ./tablevault-data, in ROOT.
    const where = this.#server === undefined ? [] : ['-h', '127.0.0.1', '-P', String(this.#server.running.port)];
    return this.#inRoot(() => this.#tablevaultSql([...where, '-e', this.#localize(text)]));
  }

  /** One command line of a `sh` or `console` block, already split into words. */
  async command(words: readonly string[]): Promise<string> {
    let argv = [...words];
    if (argv[0] === 'npx' && argv[1] === 'tablevault') argv = argv.slice(1);
    if (argv[0] === 'node' && argv[1] === 'bin/tablevault.js') argv = ['tablevault', ...argv.slice(2)];
    argv = argv.map((w) => this.#localize(w));
    if (argv[0] === 'tablevault' && argv[1] === 'sql') {
      const args = argv.slice(2);
      if (args.some((a) => /^(-h|-P|--host|--port)/.test(a))) await this.#withPort(args);
      return this.#inRoot(() => this.#tablevaultSql(args));
    }
    if (argv[0] === 'mariadb' || argv[0] === 'mariadb-admin') {
      const args = argv.slice(1);
      await this.#withPort(args);
      return this.#mariadb(args, argv[0]);
    }
    throw new Error(`the docs runner does not run '${words.join(' ')}': run it through tablevault sql, mariadb or mariadb-admin, or mark the block <!-- not run: reason -->`);
  }

  /** A `ts` block: an ES module in ROOT; its console output is what it printed. */
  async typescript(code: string): Promise<string> {
    let source = this.#localize(code);
    if (new RegExp(`\\b${DOCS_PORT}\\b`).test(source)) {
      const port = await this.#ensureServer();
      source = source.replace(new RegExp(`\\b${DOCS_PORT}\\b`, 'g'), String(port));
    }
    this.#linkPackages(source);
    // .mts: an ES module whatever package.json is near (top-level await, import).
    const file = path.join(this.root, `example-${++this.#examples}.mts`);
    fs.writeFileSync(file, source);
    const chunks: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString());
        callback();
      },
    });
    const original = globalThis.console;
    globalThis.console = new Console({ stdout: sink, stderr: sink });
    try {
      await this.#inRoot(() => import(pathToFileURL(file).href));
    } finally {
      globalThis.console = original;
    }
    return this.#unlocalize(chunks.join(''));
  }

  async close(): Promise<void> {
    if (this.#server !== undefined) {
      // Let the jobs the page started through the server end, as a user would before stopping it.
      const session = this.#server.engine.session();
      for (const show of ['SHOW BACKUP', 'SHOW RESTORE']) {
        const result = await session.execute(show);
        const rows = result.kind === 'rows' ? result.rows : [];
        for (const row of rows) if (row[0] != null) await this.#server.engine.jobs.waitForJob(Number(row[0]));
      }
      session.close();
      await this.#server.running.close();
      await this.#server.engine.close();
      this.#server = undefined;
    }
    fs.rmSync(this.root, { recursive: true, force: true });
  }

  async #tablevaultSql(argv: readonly string[]): Promise<string> {
    let out = '';
    const io: CommandIo = {
      stdout: (t) => void (out += t),
      stderr: (t) => void (out += t),
      stdinIsTTY: false,
      readStdin: () => '',
    };
    await runSql(argv, io);
    return this.#unlocalize(out);
  }

  #mariadb(args: readonly string[], program = 'mariadb'): Promise<string> {
    // Asynchronous: the server answering it runs in this process.
    return new Promise((resolve, reject) => {
      execFile(program, args, { cwd: this.root, timeout: 60_000 }, (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== 'number') reject(error);
        else resolve(this.#unlocalize(stdout + stderr));
      });
    });
  }

  /** Start the page's server if needed and point the port arguments at it. */
  async #withPort(args: string[]): Promise<void> {
    const port = String(await this.#ensureServer());
    for (let i = 0; i < args.length; i++) {
      const a = args[i] as string;
      if (a === `-P${DOCS_PORT}` || a === `--port=${DOCS_PORT}`) args[i] = a.replace(DOCS_PORT, port);
      else if ((a === '-P' || a === '--port') && args[i + 1] === DOCS_PORT) args[i + 1] = port;
    }
  }

  async #ensureServer(): Promise<number> {
    if (this.#server === undefined) {
      const logger = createLogger({ level: 'warn' });
      const engine = await Engine.open({ dataDir: path.join(this.root, DATA_DIR), logger });
      try {
        this.#server = { engine, running: await startServer(engine, { host: '127.0.0.1', port: 0, logger }) };
      } catch (error) {
        await engine.close();
        throw error;
      }
    }
    return this.#server.running.port;
  }

  /** `tablevault` resolves to this checkout, other packages to its node_modules, as for a user who installed it. */
  #linkPackages(source: string): void {
    const modules = path.join(this.root, 'node_modules');
    for (const m of source.matchAll(/\bfrom\s+'((?:@[\w.-]+\/)?[\w.-]+)[^']*'/g)) {
      const name = m[1] as string;
      if (name.startsWith('.')) continue;
      const link = path.join(modules, name);
      if (fs.existsSync(link)) continue;
      fs.mkdirSync(path.dirname(link), { recursive: true });
      fs.symlinkSync(name === 'tablevault' ? REPO_ROOT : path.join(REPO_ROOT, 'node_modules', name), link, 'dir');
    }
  }

  #localize(text: string): string {
    return text.replace(/file:\/\/\//g, `file://${this.root}/`);
  }

  #unlocalize(text: string): string {
    return text.split(this.root).join('');
  }

  async #inRoot<T>(run: () => Promise<T>): Promise<T> {
    const cwd = process.cwd();
    process.chdir(this.root);
    try {
      return await run();
    } finally {
      process.chdir(cwd);
    }
  }
}
