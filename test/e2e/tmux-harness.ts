/**
 * Drives a real terminal program through tmux: a detached session of fixed size on a private tmux server (so tests
 * never touch a user's tmux), keys sent with send-keys, the screen read with capture-pane, and every wait a bounded
 * polling loop that fails with the screen it last saw.
 */
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

let counter = 0;

export interface TmuxOptions {
  readonly width?: number;
  readonly height?: number;
  /** Environment for the program (added to this process's). */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

export class TmuxSession {
  readonly #socket: string;
  readonly #name: string;
  #alive = true;

  /** Start `argv` in a new detached session. When the program exits the pane shows `[exit N]` and stays. */
  constructor(argv: readonly string[], options: TmuxOptions = {}) {
    this.#socket = `tv-test-${process.pid}-${++counter}`;
    this.#name = `s${counter}`;
    const env = Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${shellQuote(v)}`);
    const command = `env ${env.join(' ')} ${argv.map(shellQuote).join(' ')}; echo "[exit $?]"; sleep 600`;
    execFileSync('tmux', [
      '-L', this.#socket, '-f', '/dev/null',
      'new-session', '-d', '-s', this.#name, '-x', String(options.width ?? 120), '-y', String(options.height ?? 40),
      ...(options.cwd === undefined ? [] : ['-c', options.cwd]),
      command,
    ]);
  }

  /** Type `text` literally (no Enter). */
  type(text: string): void {
    this.#tmux('send-keys', '-t', this.#name, '-l', escapeTrailingSemicolon(text));
  }

  /** Type a line and press Enter. */
  line(text: string): void {
    this.type(text);
    this.keys('Enter');
  }

  /** Press keys by tmux name: `Enter`, `Tab`, `Up`, `C-c`, `C-d`. */
  keys(...keys: string[]): void {
    this.#tmux('send-keys', '-t', this.#name, ...keys);
  }

  /** The visible screen, trailing blank lines dropped; wrapped lines joined. */
  screen(): string {
    return this.#tmux('capture-pane', '-p', '-J', '-t', this.#name).replace(/\n+$/, '\n');
  }

  /** The screen plus scrollback. */
  history(): string {
    return this.#tmux('capture-pane', '-p', '-J', '-S', '-1000', '-t', this.#name).replace(/\n+$/, '\n');
  }

  /** Poll until `check` matches the screen (with scrollback); fails after `timeoutMs` showing the last screen. */
  async waitFor(check: RegExp | ((screen: string) => boolean), timeoutMs = 15_000): Promise<string> {
    const test = typeof check === 'function' ? check : (s: string) => check.test(s);
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      last = this.history();
      if (test(last)) return last;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${String(check)}; screen was:\n${last}`);
  }

  /** Wait until `pattern` occurs `count` times in the scrollback (prompts repeat, so counting is how to wait for "the next one"). */
  waitForCount(pattern: RegExp, count: number, timeoutMs = 15_000): Promise<string> {
    const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
    return this.waitFor((s) => (s.match(global)?.length ?? 0) >= count, timeoutMs);
  }

  count(pattern: RegExp): number {
    const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
    return this.history().match(global)?.length ?? 0;
  }

  /** Kill the session and its private server. */
  kill(): void {
    if (!this.#alive) return;
    this.#alive = false;
    try {
      this.#tmux('kill-server');
    } catch {
      // already gone
    }
  }

  #tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.#socket, ...args], { encoding: 'utf8' });
  }
}

/** tmux reads an argument ending in `;` as a command separator; `\;` is a literal semicolon. */
function escapeTrailingSemicolon(text: string): string {
  return text.endsWith(';') ? `${text.slice(0, -1)}\\;` : text;
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * An HTTP proxy in front of the WebHDFS server that holds uploads of snapshot data (`__ss_content`) while closed, so
 * a BACKUP stays in UPLOADING exactly as long as the test wants — no timing guesses.
 */
export interface Gate {
  readonly port: number;
  open(): void;
  close(): void;
  readonly held: number;
  stop(): Promise<void>;
}

export async function startUploadGate(targetPort: number): Promise<Gate> {
  let closed = true;
  let waiting: (() => void)[] = [];
  let held = 0;
  const forward = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const upstream = http.request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  };
  const server = http.createServer((req, res) => {
    if (closed && decodeURIComponent(req.url ?? '').includes('__ss_content')) {
      held++;
      req.pause();
      waiting.push(() => {
        req.resume();
        forward(req, res);
      });
    } else forward(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    open() {
      closed = false;
      const go = waiting;
      waiting = [];
      for (const f of go) f();
    },
    close() {
      closed = true;
    },
    get held() {
      return held;
    },
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

